"""Shared fixtures for the framework tests (pure Python: no database)."""

import json
from pathlib import Path

import pytest

from dspt.frameworks.model import load_edition

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CAF_SAMPLE = FIXTURES / "caf-sample.json"


@pytest.fixture
def social_care_2024():
    return load_edition("2024-25", "social-care")


@pytest.fixture
def copy_edition(tmp_path):
    """Write a (possibly broken) copy of a shipped edition's JSON and return its path."""

    def write(code: str, audience: str, mutate=None, folder: str | None = None) -> Path:
        from dspt.frameworks.loader import edition_path

        data = json.loads(edition_path(code, audience).read_text(encoding="utf-8"))
        if mutate is not None:
            mutate(data)
        target = tmp_path / (folder or "broken")
        target.mkdir(exist_ok=True)
        path = target / f"{audience}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    return write
