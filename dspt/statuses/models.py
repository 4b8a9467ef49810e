"""The status interval table: what the status rule decided, day by day, for every organisation.

Derived, never edited by hand: `intervals.py` writes it from the facts (facts.py) through the
status rule (compute.py), inside the transaction of every write that changes a fact. Every
organisation has exactly one row covering any day, from the first day there is (0001-01-01)
onwards, the last row open (`last_day` null). Pages, the API, exports and figures read
statuses from here; a date is a range condition.
"""

from django.db import models

from dspt.statuses.compute import Status


class Relation(models.TextChoices):
    """How the edition of the publication a status rests on relates to the day."""

    NONE = "", "No valid publication"
    CURRENT = "current", "Current edition (up to its own deadline)"
    PREVIOUS = "previous", "Previous edition (after its deadline, until it expires)"


class StatusInterval(models.Model):
    """One span of days over which an organisation's status (and its publication) held."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the interval_on_day index leads with it
    )
    first_day = models.DateField()
    last_day = models.DateField(null=True, blank=True, help_text="Blank: still holds.")
    status = models.CharField(max_length=24, choices=Status.choices)
    relation = models.CharField(max_length=8, choices=Relation.choices, blank=True)
    edition = models.CharField(max_length=7, blank=True)
    published_on = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    covered_by = models.CharField(max_length=9, blank=True)
    # For Expired: the level the lapsed publication had.
    lapsed_level = models.CharField(max_length=24, blank=True)

    class Meta:
        # Every figure finds an organisation's span on a day through this index alone (it
        # holds the columns the counts read), so a national table never touches the rows.
        # One span per organisation and first day is the writer's to keep (intervals.py),
        # checked by the random-writes test rather than a second index on every insert.
        indexes = [
            models.Index(
                fields=["organisation", "first_day", "last_day", "status", "relation"],
                name="interval_on_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.first_day}..{self.last_day or ''} {self.status}"
