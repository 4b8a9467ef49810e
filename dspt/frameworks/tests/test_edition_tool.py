"""The maintainer tool: canonical formatting, copying a year forward, describing changes."""

import json
from datetime import date

import pytest

from dspt.frameworks import loader
from dspt.frameworks.loader import edition_path, shipped_edition_files
from dspt.frameworks.tools import edition_tool
from dspt.frameworks.tools.edition_tool import (
    describe_changes,
    dump_edition,
    first_monday_of_september,
    new_year,
)
from dspt.frameworks.validation import validate_edition_file


@pytest.mark.parametrize("path", shipped_edition_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_shipped_files_are_in_canonical_layout(path):
    text = path.read_text(encoding="utf-8")
    assert dump_edition(json.loads(text)) == text


def test_first_monday_of_september():
    assert first_monday_of_september(2024) == date(2024, 9, 2)
    assert first_monday_of_september(2025) == date(2025, 9, 1)
    assert first_monday_of_september(2026) == date(2026, 9, 7)


def test_new_year_copies_forward(tmp_path, monkeypatch):
    source = edition_path("2026-27", "social-care")
    (tmp_path / "2026-27").mkdir()
    (tmp_path / "2026-27" / "social-care.json").write_bytes(source.read_bytes())
    monkeypatch.setattr(loader, "EDITIONS_DIR", tmp_path)
    target = new_year("2026-27", "social-care")
    assert target == tmp_path / "2027-28" / "social-care.json"
    data = json.loads(target.read_text())
    assert (data["code"], data["opens_on"], data["deadline"]) == (
        "2027-28",
        "2027-09-06",
        "2028-06-30",
    )
    assert "2027-28" in data["title"]
    assert validate_edition_file(target) == []
    with pytest.raises(FileExistsError):
        new_year("2026-27", "social-care")


def test_describe_changes_and_cli(capsys):
    lines = describe_changes("2023-24", "2024-25", "social-care")
    assert lines[0] == "social-care 2023-24 -> 2024-25"
    assert "  added: 4.2.2" in lines
    assert edition_tool.main(["diff", "2024-25", "2024-25", "social-care"]) == 0
    assert "no item changes" in capsys.readouterr().out
