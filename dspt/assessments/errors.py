"""Errors the assessment services raise; every message is fit to show to the person."""

from __future__ import annotations


class AssessmentError(ValueError):
    """A change that cannot be made; the message is fit to show to the person."""


class StaleVersion(AssessmentError):
    """Someone else changed the assessment since the writer loaded it."""

    def __init__(self, message: str = "", current_version: int | None = None):
        super().__init__(
            message
            or "Someone else changed this assessment while you were working on it. "
            "Reload the page to see the latest answers, then make your change again."
        )
        self.current_version = current_version


class AssessmentClosed(AssessmentError):
    """The assessment belongs to an edition that is no longer the open one."""


class AnswerErrors(AssessmentError):
    """One or more answers could not be read; `errors` maps item ID to message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
