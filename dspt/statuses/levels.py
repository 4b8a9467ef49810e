"""The levels a publication can reach: the status rule's input (compute.py), stored on each
publication (dspt.assessments.models.Publication.level)."""

from django.db import models


class Level(models.TextChoices):
    """The level a publication reached when it was published (a subset of the public statuses)."""

    NOT_MET = "standards_not_met", "Standards Not Met"
    APPROACHING = "approaching_standards", "Approaching Standards"
    MET = "standards_met", "Standards Met"
    EXCEEDED = "standards_exceeded", "Standards Exceeded"
