"""Synthetic client-level extracts, with a demographics index and a postcode-to-LSOA lookup beside them.

Everything is drawn from one `random.Random(seed)` in a fixed order and written as it is made, so
the same arguments give the same bytes and memory stays flat whatever the row count. NHS numbers
are valid modulus-11 numbers in the 9xx test range, unique per person.

With `error_rate=0` the extract passes every check. A share `trace_share` of people arrive without
an NHS number; most can be traced exactly, some only by a fuzzy match (they moved within their
postcode sector, or their name is misspelt), some are not in the index, and a few have too little
data to trace.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from dspt.cld import synthetic_vocab as vocab
from dspt.cld.nhs import check_digit
from dspt.cld.spec import DEFAULT_VERSION, Spec, load_spec

INDEX_HEADER = ["nhs_number", "date_of_birth", "family_name", "given_name", "sex", "postcode"]
LOOKUP_HEADER = ["pcds", "lsoa21cd"]
SEX_CODE = {"Male": "M", "Female": "F"}


@dataclass(frozen=True)
class GeneratedFiles:
    extract: Path
    index: Path
    lookup: Path
    rows: int
    people: int


def companion_paths(extract: Path) -> tuple[Path, Path]:
    """Where the index and lookup for an extract live: beside it, named after it."""
    name = extract.name
    for suffix in (".gz", ".csv"):
        name = name.removesuffix(suffix)
    return extract.with_name(f"{name}-index.csv"), extract.with_name(f"{name}-lsoa.csv")


def _q(value: str) -> str:
    """CSV-quote a value when it needs it (done once per vocabulary word, not per row)."""
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _nhs_numbers(rng: random.Random):
    """Unique valid test-range NHS numbers: an affine permutation of 0..10^8 keeps them distinct."""
    a = 7_654_321  # odd and not a multiple of 5, so coprime with 10**8
    b = rng.randrange(10**8)
    i = 0
    while True:
        nine = f"9{(a * i + b) % 10**8:08d}"
        i += 1
        digit = check_digit(nine)
        if digit is not None:
            yield nine + str(digit)


class _Geography:
    """Invented postcodes grouped by sector, each unit mapped to a synthetic LSOA code."""

    def __init__(self, rng: random.Random) -> None:
        self.sectors: list[list[str]] = []
        for area in vocab.POSTCODE_AREAS:
            for district in range(1, 13):
                for sector in range(1, 10):
                    units = sorted(
                        {
                            f"{area}{district} {sector}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                            f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                            for _ in range(12)
                        }
                    )
                    self.sectors.append(units)
        self.lsoa = {}
        n = 0
        for units in self.sectors:
            for k, pc in enumerate(units):
                if k % 4 == 0:
                    n += 1
                self.lsoa[pc] = f"E01{900000 + n:06d}"


def _random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _typo(rng: random.Random, name: str) -> str:
    """One plausible keying slip: a dropped, doubled or swapped letter."""
    if len(name) < 4:
        return name + "e"
    i = rng.randrange(1, len(name) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        return name[:i] + name[i + 1 :]
    if kind == 1:
        return name[:i] + name[i] + name[i:]
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def generate(
    out: Path,
    *,
    rows: int,
    seed: int = 1,
    error_rate: float = 0.0,
    trace_share: float = 0.1,
    spec: Spec | None = None,
    la_code: str = "E08000035",
    period_end: date = date(2025, 3, 31),
    encoding: str = "utf-8",
) -> GeneratedFiles:
    """Write an extract of `rows` data rows to `out` (gzipped when it ends in .gz)."""
    spec = spec or load_spec(DEFAULT_VERSION)
    rng = random.Random(seed)
    period_start = date(period_end.year - 1, period_end.month, period_end.day) + timedelta(days=1)
    index_path, lookup_path = companion_paths(out)
    geo = _Geography(rng)
    codes = {f.name: sorted(f.codes) for f in spec.fields if f.codes}
    header = spec.header
    col = {name: i for i, name in enumerate(header)}
    has_names = spec.has_field("Family_Name")
    nhs_iter = _nhs_numbers(rng)
    errors = _ErrorInjector(rng, col, error_rate)
    # Person fields come first in every release; they are joined once per person, not per row.
    split = col["Event_Type"]
    person_names, event_names = header[:split], header[split:]

    raw = open(out, "wb")  # noqa: SIM115 - closed below, possibly through a gzip wrapper
    binary = (
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) if out.suffix == ".gz" else raw
    )
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    index_file = open(index_path, "w", encoding="utf-8", newline="")  # noqa: SIM115
    index_csv = csv.writer(index_file, lineterminator="\n")
    index_csv.writerow(INDEX_HEADER)
    text.write(",".join(header) + "\n")
    days = [
        (period_start + timedelta(days=d)).isoformat()
        for d in range(-540, (period_end - period_start).days + 1)
    ]
    written = people = 0
    event_no = 0
    try:
        while written < rows:
            people += 1
            nhs = next(nhs_iter)
            sex = rng.choices(["Male", "Female", "Other", "Unknown"], [45, 53, 1, 1])[0]
            given_pool = vocab.GIVEN_MALE if sex == "Male" else vocab.GIVEN_FEMALE
            given, family = rng.choice(given_pool), rng.choice(vocab.FAMILY)
            dob = _random_date(
                rng, date(period_end.year - 100, 1, 1), date(period_end.year - 19, 1, 1)
            )
            sector = rng.choice(geo.sectors)
            postcode = rng.choice(sector)
            # What the authority sends may differ from the index (that is why tracing exists).
            sent_nhs, sent_pc, sent_family = nhs, postcode, family
            in_index = True
            if rng.random() < trace_share:
                sent_nhs = ""
                kind = rng.random()
                if kind < 0.25:  # fuzzy: moved within the sector, or a misspelt name
                    if has_names and rng.random() < 0.5:
                        sent_family = _typo(rng, family)
                    else:
                        sent_pc = rng.choice([p for p in sector if p != postcode] or [postcode])
                elif kind < 0.35:
                    in_index = False
                elif kind < 0.40:
                    sent_pc = ""  # too little to trace on
            if in_index:
                index_csv.writerow(
                    [nhs, dob.isoformat(), family, given, SEX_CODE.get(sex, "U"), postcode]
                )
            if rng.random() < 0.1:  # a decoy: same birthday, somebody else
                decoy_nhs = next(nhs_iter)
                index_csv.writerow(
                    [
                        decoy_nhs,
                        dob.isoformat(),
                        rng.choice(vocab.FAMILY),
                        rng.choice(given_pool),
                        rng.choice("MF"),
                        rng.choice(rng.choice(geo.sectors)),
                    ]
                )
            person = _person_fields(
                rng,
                spec,
                codes,
                la_code,
                period_start,
                period_end,
                sent_nhs,
                people,
                sex,
                dob,
                sent_pc,
            )
            if has_names:
                person["Family_Name"], person["Given_Name"] = _q(sent_family), _q(given)
            person_cells = [person.get(name, "") for name in person_names]
            prefix = ",".join(person_cells)
            for _ in range(min(rng.randint(1, 7), rows - written)):
                event_no += 1
                event = _event_fields(rng, codes, period_start, period_end, dob, event_no, days)
                event_cells = [event.get(name, "") for name in event_names]
                if error_rate > 0:
                    line = person_cells + event_cells
                    errors.maybe_corrupt(line)
                    text.write(",".join(line) + "\n")
                else:
                    text.write(prefix + "," + ",".join(event_cells) + "\n")
                written += 1
    finally:
        text.close()
        if binary is not raw:
            raw.close()
        index_file.close()
    with open(lookup_path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(LOOKUP_HEADER) + "\n")
        for pc in sorted(geo.lsoa):
            f.write(f"{pc},{geo.lsoa[pc]}\n")
    return GeneratedFiles(out, index_path, lookup_path, written, people)


def _person_fields(rng, spec, codes, la_code, period_start, period_end, nhs, n, sex, dob, postcode):
    client_type = rng.choices(["Service User", "Carer", "Service User and Carer"], [85, 12, 3])[0]
    died = rng.random() < 0.02
    yn = ["Yes", "No", "Unknown"]
    return {
        "LA_Code": la_code,
        "Reporting_Period_Start_Date": period_start.isoformat(),
        "Reporting_Period_End_Date": period_end.isoformat(),
        "NHS_Number": nhs,
        "LA_Person_Unique_Identifier": f"P{n:08d}",
        "GP_Practice_Code": f"{rng.choice('BCDJKLMNY')}{rng.randrange(100000):05d}",
        "GP_Practice_Name": _q(rng.choice(vocab.GP_NAMES)),
        "Gender": sex,
        "Ethnicity": rng.choice(codes["Ethnicity"]),
        "Sexual_Orientation": rng.choice(codes.get("Sexual_Orientation", [""])),
        "Date_of_Birth": dob.isoformat(),
        "Date_of_Death": _random_date(rng, period_start, period_end).isoformat() if died else "",
        "Client_Type": client_type,
        "Primary_Support_Reason": rng.choice(codes["Primary_Support_Reason"])
        if client_type != "Carer"
        else "",
        "Postcode": postcode,
        "Accommodation_Status": rng.choice(codes["Accommodation_Status"]),
        "Employment_Status": rng.choice(codes["Employment_Status"]),
        "Has_Unpaid_Carer": rng.choice(yn),
        "Autism_Spectrum_Disorder_ASD": rng.choices(yn, [3, 90, 7])[0],
        "Visual_Impairment": rng.choices(yn, [8, 85, 7])[0],
        "Hearing_Impairment": rng.choices(yn, [10, 83, 7])[0],
        "Dementia": rng.choices(yn, [20, 70, 10])[0],
        "Client_Funding_Status": rng.choice(codes["Client_Funding_Status"]),
    }


def _pick(rnd, seq):
    """`random.choice` without its argument checks: this runs millions of times."""
    return seq[int(rnd() * len(seq))]


def _event_fields(rng, codes, period_start, period_end, dob, n, days):
    """One event. `days` is the ISO dates from 540 days before the period to its end."""
    rnd = rng.random
    x = rnd() * 100
    event_type = (
        "Request" if x < 20 else "Assessment" if x < 40 else "Service" if x < 85 else "Review"
    )
    first = max(0, (dob - period_start).days + 540)
    s = first + int(rnd() * (len(days) - first))
    end = ""
    if rnd() < 0.6:
        lo = max(s, 540)
        end = days[min(len(days) - 1, lo + int(rnd() * 201))]
    values = {
        "Event_Type": event_type,
        "Event_Reference": f"EV{n:09d}",
        "Event_Start_Date": days[s],
        "Event_End_Date": end,
        "Event_Description": _q(_pick(rnd, vocab.DESCRIPTIONS[event_type])),
        "Event_Outcome": _pick(rnd, codes["Event_Outcome"]) if end or rnd() < 0.3 else "",
    }
    if event_type == "Request":
        values["Request_Route_of_Access"] = _pick(rnd, codes["Request_Route_of_Access"])
    elif event_type == "Assessment":
        values["Assessment_Type"] = _pick(rnd, codes["Assessment_Type"])
        values["Eligible_Needs_Identified"] = _pick(rnd, codes["Eligible_Needs_Identified"])
        values["Method_of_Assessment"] = _pick(rnd, codes["Method_of_Assessment"])
        if values["Assessment_Type"] == "Carer assessment":
            values["Total_Hrs_Caring_per_week"] = f"{5 + int(rnd() * 895) / 10:.1f}"
            values["No_of_adults_being_cared_for"] = "1" if rnd() < 0.8 else "2"
            values["Adult_1_Linked_Person_ID"] = f"P{1 + int(rnd() * 10**7):08d}"
    elif event_type == "Service":
        values["Service_Type"] = service_type = _pick(rnd, codes["Service_Type"])
        values["Service_Component"] = _pick(rnd, codes["Service_Component"])
        if service_type == "Long term support: community" or rnd() < 0.5:
            values["Delivery_Mechanism"] = _pick(rnd, codes["Delivery_Mechanism"])
        values["Provider_CQC_Location_ID"] = f"1-{10**8 + int(rnd() * 9 * 10**9)}"
        values["Provider_CQC_Location_Name"] = _q(_pick(rnd, vocab.PROVIDER_NAMES))
        values["Unit_Cost"] = f"{(1500 + int(rnd() * 148500)) / 100:.2f}"
        values["Cost_Frequency_Unit_Type"] = _pick(rnd, codes["Cost_Frequency_Unit_Type"])
        values["Planned_units_per_week"] = f"{(1 + int(rnd() * 3999)) / 100:.2f}"
    else:
        values["Review_Reason"] = _pick(rnd, codes["Review_Reason"])
        values["Review_Outcomes_Achieved"] = _pick(rnd, codes["Review_Outcomes_Achieved"])
        values["Method_of_Review"] = _pick(rnd, codes["Method_of_Review"])
    return values


class _ErrorInjector:
    """Corrupts a share of rows, one fault each, cycling through faults the validator must catch."""

    FAULTS = (
        "check_digit",
        "bad_date",
        "end_before_start",
        "bad_code",
        "missing_service_type",
        "too_long",
        "bad_postcode",
        "duplicate",
    )

    def __init__(self, rng: random.Random, col: dict[str, int], rate: float) -> None:
        self.rng, self.col, self.rate = rng, col, rate
        self.previous: list[str] | None = None

    def maybe_corrupt(self, line: list[str]) -> None:
        if self.rate <= 0 or self.rng.random() >= self.rate:
            self.previous = list(line)
            return
        c = self.col
        fault = self.rng.choice(self.FAULTS)
        if fault == "check_digit" and line[c["NHS_Number"]]:
            nhs = line[c["NHS_Number"]]
            line[c["NHS_Number"]] = nhs[:9] + str((int(nhs[9]) + 1) % 10)
        elif fault == "end_before_start":
            line[c["Event_Start_Date"]] = "2025-03-31"
            line[c["Event_End_Date"]] = "2025-01-01"
            line[c["Event_Outcome"]] = line[c["Event_Outcome"]] or "Other"
        elif fault == "bad_code":
            line[c["Gender"]] = "X"
        elif fault == "missing_service_type":
            line[c["Event_Type"]] = "Service"
            line[c["Service_Type"]] = ""
        elif fault == "too_long":
            line[c["Event_Reference"]] = "R" * 60
        elif fault == "bad_postcode":
            line[c["Postcode"]] = "NOT A PC"
        elif fault == "duplicate" and self.previous is not None:
            line[:] = self.previous
        else:
            line[c["Event_Start_Date"]] = "2024-02-30"
        self.previous = list(line)
