"""Database side of framework editions: only what the national team may change at run time.

The content of an edition (standards, assertions, evidence items) lives in versioned data files
under frameworks/editions/. Deadlines ship in editions/deadlines.json; a moved deadline is
recorded here and wins over the file.
"""

from django.db import models


class DeadlineOverride(models.Model):
    edition = models.CharField(
        max_length=9, primary_key=True, help_text="Toolkit year, e.g. 2024-25."
    )
    deadline = models.DateField()
    reason = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.edition}: {self.deadline}"
