"""The edition validator and the validate-edition command, on good files and broken copies."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dspt.frameworks.caf import shipped_caf_files
from dspt.frameworks.loader import EDITIONS_DIR, shipped_edition_files
from dspt.frameworks.validation import validate_edition_data, validate_edition_file

from .conftest import CAF_SAMPLE


def first_item(data):
    return data["obligations"][0]["standards"][0]["assertions"][0]["items"][0]


def assertions(data, standard_index=0):
    return data["obligations"][0]["standards"][standard_index]["assertions"]


@pytest.mark.parametrize("path", shipped_edition_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_shipped_edition_validates(path):
    assert validate_edition_file(path) == []


def test_caf_fixture_validates_without_standards_1_to_10():
    assert validate_edition_file(CAF_SAMPLE) == []


def test_an_unchanged_copy_validates(copy_edition):
    assert validate_edition_file(copy_edition("2024-25", "social-care")) == []


def _duplicate_id(data):
    items = assertions(data)[0]["items"]
    items[1]["id"] = items[0]["id"]


def _missing_flag(data):
    del first_item(data)["mandatory"]["pharmacy"]


def _orphan_item(data):
    first_item(data)["id"] = "2.1.9"


def _orphan_assertion(data):
    assertions(data)[0]["id"] = "3.1"


def _not_subset(data):
    item = first_item(data)
    item["mandatory"]["dentist"] = False
    item["approaching"]["dentist"] = True


BROKEN = [
    (_duplicate_id, "ID used more than once"),
    (_missing_flag, "has no flag for pharmacy"),
    (_orphan_item, "to sit under assertion 1.1"),
    (_orphan_assertion, "to sit under standard 1"),
    (_not_subset, "approaching must be a subset of mandatory"),
    (
        lambda d: first_item(d)["mandatory"].update(other="yes"),
        "flag for other must be true or false",
    ),
    (lambda d: first_item(d)["approaching"].update(nhs_trust=False), "not a category of this file"),
    (lambda d: assertions(d)[0].update(items=[]), "has no evidence items"),
    (lambda d: d["obligations"][0]["standards"][0].update(assertions=[]), "has no assertions"),
    (lambda d: d["obligations"][2]["standards"].pop(), "exactly standards 1-10"),
    (lambda d: d["obligations"].reverse(), "exactly standards 1-10"),
    (lambda d: d.update(deadline="2024-01-01"), "must be after opens_on"),
    (lambda d: d.update(deadline="2025-07-31"), "does not match deadlines.json"),
    (lambda d: d.update(code="2024-26"), "consecutive"),
    (lambda d: d.update(code="2031-32", deadline="2032-06-30"), "not in deadlines.json"),
    (lambda d: d.update(framework="nist"), "framework must be one of"),
    (lambda d: d.update(audience="care-homes"), "audience must be one of"),
    (lambda d: d.update(schema=2), "schema must be 1"),
    (lambda d: d["categories"].append("nhs_trust"), "categories must be exactly"),
    (lambda d: d["categories"].append("ccg"), "'ccg' is not an organisation type"),
    (lambda d: d.pop("title"), "missing 'title'"),
    (lambda d: first_item(d).update(mandatroy={}), "unexpected key 'mandatroy'"),
    (lambda d: first_item(d).update(question=" "), "question must be non-empty"),
    (lambda d: first_item(d).update(allow_na="no"), "allow_na must be true or false"),
    (lambda d: first_item(d).update(response={"type": "percentage"}), "missing 'threshold'"),
    (
        lambda d: first_item(d).update(response={"type": "percentage", "threshold": 120}),
        "above 100",
    ),
    (
        lambda d: first_item(d).update(response={"type": "number", "threshold": "95"}),
        "threshold must",
    ),
    (lambda d: first_item(d).update(response={"type": "date", "max_age_days": 0}), "max_age_days"),
    (
        lambda d: first_item(d).update(response={"type": "confirm", "threshold": 1}),
        "unexpected key",
    ),
    (lambda d: first_item(d).update(response={"type": "choice"}), "missing 'choices'"),
    (lambda d: first_item(d).update(response={"type": "yes_no"}), "is not one of"),
    (lambda d: first_item(d).update(response={"type": "caf_rating"}), "only in a caf framework"),
    (
        lambda d: first_item(d).update(
            response={
                "type": "choice",
                "choices": [
                    {"key": "a", "label": "A", "meets": False},
                    {"key": "a", "label": "B", "meets": False, "partial": True},
                ],
            }
        ),
        "used more than once",
    ),
    (
        lambda d: first_item(d).update(
            response={"type": "choice", "choices": [{"key": "a", "label": "A", "meets": False}] * 2}
        ),
        "could never be met",
    ),
]


@pytest.mark.parametrize("mutate,message", BROKEN)
def test_broken_copies_are_caught(copy_edition, mutate, message):
    problems = validate_edition_file(copy_edition("2024-25", "social-care", mutate))
    assert problems, "the broken copy passed"
    assert any(message in p for p in problems), problems


def test_file_in_a_year_folder_must_match_its_code_and_name(copy_edition):
    path = copy_edition("2024-25", "social-care", folder="2025-26")
    assert any("does not match its folder" in p for p in validate_edition_file(path))
    renamed = path.with_name("nhs-trust.json")
    path.rename(renamed)
    assert any("does not match the file name" in p for p in validate_edition_file(renamed))


def test_caf_principles_must_be_numbered_in_order(copy_edition, tmp_path):
    import json

    data = json.loads(CAF_SAMPLE.read_text())
    data["obligations"][0]["standards"][1]["number"] = 9
    problems = validate_edition_data(data)
    assert any("caf framework must number its principles" in p for p in problems)


def test_unreadable_files(tmp_path):
    assert validate_edition_file(tmp_path / "missing.json") == ["file not found"]
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert validate_edition_file(bad)[0].startswith("not valid JSON")
    bad.write_text("[]")
    assert validate_edition_file(bad) == ["the file must hold a JSON object"]


def test_command_passes_on_shipped_files(capsys):
    call_command("validate_edition")
    out = capsys.readouterr().out
    assert out.count(": OK") == len(shipped_edition_files()) + len(shipped_caf_files())


def test_command_reports_each_problem_with_its_file(copy_edition, capsys):
    broken = copy_edition("2024-25", "social-care", _missing_flag)
    with pytest.raises(CommandError, match="1 problem"):
        call_command("validate_edition", str(broken), str(CAF_SAMPLE))
    out = capsys.readouterr().out
    assert f"{broken}: item 1.1.1: mandatory has no flag for pharmacy" in out
    assert "caf-sample.json: OK" in out


def test_console_script_exit_codes(copy_edition):
    script = Path(sys.executable).with_name("dspt")
    ok = subprocess.run([script, "validate-edition"], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    broken = copy_edition("2025-26", "nhs-trust", _duplicate_id)
    bad = subprocess.run(
        [script, "validate-edition", str(broken)], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 1
    assert "ID used more than once" in bad.stdout


def test_shipped_files_live_in_year_folders():
    for path in shipped_edition_files():
        assert path.parent.parent == EDITIONS_DIR
