"""Aggregate tables as data: the shipped file loads, a bad one says what is wrong, and every count
written is suppressed, with no totals to subtract from (hand-worked example)."""

from __future__ import annotations

import copy
import csv
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dspt.cld.aggregates import (
    AGGREGATES_FILE,
    AggregateSpecError,
    load_aggregates,
    parse_aggregates,
)
from dspt.cld.release import write_aggregates

SHIPPED = json.loads(AGGREGATES_FILE.read_text(encoding="utf-8"))
EVENTS = "events_people_by_authority_event_service"
AGES = "people_by_authority_age_gender"
SERVICES = "service_events_by_authority_service_type"


@pytest.fixture(autouse=True)
def _plain_suppression(settings):
    settings.DSPT_CLD_SUPPRESS_BELOW = 8
    settings.DSPT_CLD_ROUND_TO = 5


def test_the_shipped_file_loads_with_plain_titles():
    spec = load_aggregates()
    assert spec.version == SHIPPED["version"]
    assert 3 <= len(spec.tables) <= 5
    assert spec.defaults == [EVENTS]
    events = spec.table(EVENTS)
    assert events.title == "Events and people by authority, event type and service type"
    assert events.header == ["period_end", "la_code", "event_type", "service_type"] + [
        "events",
        "people",
    ]
    for t in spec.tables:
        assert t.header[0] == "period_end" and t.title[0].isupper()
    with pytest.raises(AggregateSpecError, match="no aggregate table 'nope'"):
        spec.choose([EVENTS, "nope"])
    assert [t.name for t in spec.choose([SERVICES, EVENTS, EVENTS])] == [EVENTS, SERVICES]


def _broken(change) -> dict:
    raw = copy.deepcopy(SHIPPED)
    change(raw)
    return raw


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda r: r["dimensions"]["gender"].update(column="sex_at_birth"),
            "Dimension 'gender' names 'sex_at_birth', which is not a column of the processed output",
        ),
        (
            lambda r: r["dimensions"]["gender"].update(column="date_of_birth"),
            "'date_of_birth', which is not a column",  # a direct identifier is never output
        ),
        (
            lambda r: r["dimensions"].update(who={"column": "person_pseudo", "title": "Who"}),
            "groups by 'person_pseudo', whose values single out a person",
        ),
        (
            lambda r: r["measures"]["people"].update(count_distinct="people_id"),
            "Measure 'people' names 'people_id', which is not a column",
        ),
        (
            lambda r: r["measures"].update(total={"title": "Sum", "sum": "unit_cost"}),
            "Measure 'total' must be either",
        ),
        (
            lambda r: r["tables"][0]["group_by"].append("postcode"),
            "groups by 'postcode', which is not a dimension",
        ),
        (
            lambda r: r["tables"][0]["group_by"].remove("period_end"),
            "must be split by reporting period",
        ),
        (
            lambda r: r["tables"][3].update(where={"event_type": ["Services"]}),
            "\\['Services'\\] are not codes of 'event_type'",
        ),
        (
            lambda r: r["tables"][3].update(where={"nhs_number": ["x"]}),
            "'nhs_number', which is not a column",
        ),
        (lambda r: r["tables"][1].update(name="../../etc"), "is not usable"),
        (lambda r: r["tables"][1].update(name=r["tables"][0]["name"]), "Two tables share a name"),
        (lambda r: r["dimensions"]["age_band"].update(bands=[65, 18]), "bands must go up"),
        (lambda r: r["dimensions"]["age_band"].update(bands=["18"]), "whole numbers"),
        (lambda r: r["tables"][0].update(measures=[]), "needs measures"),
        (lambda r: r["tables"][0].update(title=""), "title must be a non-empty line"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message(change, message):
    with pytest.raises(AggregateSpecError, match=message):
        parse_aggregates(_broken(change))


def test_an_unreadable_file_names_itself(tmp_path):
    bad = tmp_path / "aggregates-x.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(AggregateSpecError, match="aggregates-x.json cannot be read"):
        load_aggregates(bad)
    wrong = tmp_path / "aggregates-y.json"
    wrong.write_text(json.dumps(_broken(lambda r: r["dimensions"]["la_code"].update(column="x"))))
    with pytest.raises(AggregateSpecError, match="aggregates-y.json: Dimension 'la_code'"):
        load_aggregates(wrong)


def _parquet(folder: Path, rows: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    cols = [
        "person_pseudo",
        "la_code",
        "reporting_period_end_date",
        "event_type",
        "service_type",
        "age_at_period_end",
        "gender",
        "client_type",
        "primary_support_reason",
    ]
    types = {"reporting_period_end_date": pa.date32(), "age_at_period_end": pa.int32()}
    table = pa.table(
        {c: pa.array([r.get(c) for r in rows], type=types.get(c, pa.string())) for c in cols}
    )
    pq.write_table(table, folder / "part-00000.parquet")
    return folder


def _rows(person: str, la: str, n_events: int, **fields) -> list[dict]:
    from datetime import date

    base = {
        "person_pseudo": person,
        "la_code": la,
        "reporting_period_end_date": date(2025, 3, 31),
        "gender": "Female",
        "client_type": "Service User",
        **fields,
    }
    return [dict(base) for _ in range(n_events)]


def _read(path: str) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_hand_worked_example_is_suppressed_without_totals(tmp_path):
    community = {"event_type": "Service", "service_type": "Long term support: community"}
    rows = []
    # E1 community service: 9 people, 12 events (3 people have two). 12 -> 10, 9 -> 10.
    for i in range(9):
        rows += _rows(f"a{i}", "E1", 2 if i < 3 else 1, age_at_period_end=70, **community)
    # E1 carer support: 3 people, 3 events -> both '*'.
    for i in range(3):
        rows += _rows(f"c{i}", "E1", 1, event_type="Service", service_type="Carer support")
    # E2 assessments: 7 people, 13 events -> 15 events, '*' people (7 is below 8).
    for i in range(7):
        rows += _rows(f"b{i}", "E2", 2 if i < 6 else 1, event_type="Assessment", gender="Male")
    # E2 one request from someone already counted: 1 -> '*'.
    rows += _rows("b0", "E2", 1, event_type="Request", gender="Male")
    src = _parquet(tmp_path / "out", rows)

    spec = load_aggregates()
    written = write_aggregates([src], tmp_path, spec.choose([EVENTS, AGES, SERVICES]))
    assert [w["name"] for w in written] == [EVENTS, AGES, SERVICES]
    events = _read(written[0]["path"])
    assert events == [
        ["period_end", "la_code", "event_type", "service_type", "events", "people"],
        ["2025-03-31", "E1", "Service", "Carer support", "*", "*"],
        ["2025-03-31", "E1", "Service", "Long term support: community", "10", "10"],
        ["2025-03-31", "E2", "Assessment", "", "15", "*"],
        ["2025-03-31", "E2", "Request", "", "*", "*"],
    ]
    assert written[0]["rows"] == 4  # one line per group: no total line anywhere
    ages = _read(written[1]["path"])
    assert ages == [
        ["period_end", "la_code", "age_band", "gender", "people"],
        # 9 community people aged 70 and 3 carers of unknown age in E1; 7 men of unknown age in E2.
        ["2025-03-31", "E1", "65 to 74", "Female", "10"],
        ["2025-03-31", "E1", "Not known", "Female", "*"],
        ["2025-03-31", "E2", "Not known", "Male", "*"],
    ]
    services = _read(written[2]["path"])
    assert [r[2:] for r in services[1:]] == [
        ["Carer support", "*", "*"],
        ["Long term support: community", "10", "10"],
    ]


def test_no_count_below_eight_is_ever_written(tmp_path):
    """Random small data through every shipped table: each count is '*' or a multiple of 5 of
    at least 10, so nothing from 1 to 7 shows, and no line sums the others."""
    rnd = random.Random(5)
    kinds = ["Request", "Assessment", "Service", "Review"]
    services = ["Carer support", "Short term support: other", None]
    rows = []
    for i in range(120):
        rows += _rows(
            f"p{i}",
            rnd.choice(["E1", "E2", "E3"]),
            rnd.randint(1, 3),
            event_type=rnd.choice(kinds),
            service_type=rnd.choice(services),
            age_at_period_end=rnd.choice([None, 19, 40, 70, 80, 90]),
            gender=rnd.choice(["Male", "Female", "Unknown"]),
            primary_support_reason=rnd.choice(["Mental health", "Learning disability", None]),
        )
    src = _parquet(tmp_path / "out", rows)
    spec = load_aggregates()
    for w in write_aggregates([src], tmp_path, spec.tables):
        table = spec.table(w["name"])
        lines = _read(w["path"])
        assert lines[0] == table.header
        keys = [tuple(line[: len(table.dimensions)]) for line in lines[1:]]
        assert len(keys) == len(set(keys)), "one line per group"
        for line in lines[1:]:
            assert not {"total", "all"} & {c.lower() for c in line}
            for cell in line[len(table.dimensions) :]:
                assert cell == "*" or (int(cell) >= 10 and int(cell) % 5 == 0), (w["name"], line)


def test_filter_values_are_bound_not_spliced(tmp_path):
    raw = copy.deepcopy(SHIPPED)
    raw["tables"][3]["where"] = {"la_code": ["E1' OR '1'='1"]}
    spec = parse_aggregates(raw)
    src = _parquet(tmp_path / "out", _rows("p", "E1", 9, event_type="Service"))
    (w,) = write_aggregates([src], tmp_path, [spec.tables[3]])
    assert w["rows"] == 0 and len(_read(w["path"])) == 1
