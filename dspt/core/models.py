"""One row per derived data set that a process may keep in memory (see versioned.py)."""

from django.db import models


class DataVersion(models.Model):
    """A number that writers bump, in their own transaction, whenever `key`'s data changes."""

    key = models.CharField(max_length=40, primary_key=True)
    number = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key} v{self.number}"
