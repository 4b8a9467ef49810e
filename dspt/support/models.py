"""Local Support Organisations (LSOs). Their areas are the local authorities that point at them."""

from django.db import models


class LSO(models.Model):
    code = models.CharField(max_length=20, primary_key=True)
    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "Local Support Organisation"

    def __str__(self) -> str:
        return self.name
