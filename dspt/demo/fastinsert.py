"""Insert many model instances quickly, for the demo loader only.

Django's bulk_create spends most of its time compiling SQL value by value; for the ~200,000 rows
of the full demo that is over a minute on SQLite. Here primary keys are given up front (so rows
can point at each other before they are saved), values are adapted once per field type, and rows
go in with `executemany`. Sequences are reset afterwards so later ordinary inserts carry on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import count

from django.core.management.color import no_style
from django.db import connections, models, router
from django.utils import timezone

CHUNK = 5000


class Ids:
    """Hands out primary keys above the highest in use, per model."""

    def __init__(self) -> None:
        self._next: dict[type[models.Model], count] = {}

    def take(self, model: type[models.Model]) -> int:
        if model not in self._next:
            top = model.objects.aggregate(top=models.Max("pk"))["top"] or 0
            self._next[model] = count(top + 1)
        return next(self._next[model])


def _adapter(field: models.Field, connection) -> Callable | None:
    kind = field.get_internal_type()
    ops = connection.ops
    if kind == "DateTimeField":
        return lru_cache(maxsize=4096)(ops.adapt_datetimefield_value)
    if kind == "DateField":
        return lru_cache(maxsize=8192)(ops.adapt_datefield_value)
    if kind == "JSONField":
        if connection.vendor == "sqlite":
            return json.dumps  # what the SQLite backend stores, without the per-value machinery
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def insert(rows: Iterable[dict], model: type[models.Model]) -> int:
    """INSERT rows given as {attname: value} (each with its "id"); missing fields take their
    defaults. Returns the number of rows."""
    rows = list(rows)
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    fields = list(model._meta.concrete_fields)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Only model metadata (quoted) goes into the text; every value is a bound parameter.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    now = timezone.now()
    plan = []
    for f in fields:
        stamped = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        default = now if stamped else (f.get_default() if f.has_default() else None)
        if f.null is False and default is None and not f.primary_key and not f.has_default():
            default = "" if f.get_internal_type() in ("CharField", "TextField") else None
        plan.append((f.attname, default, _adapter(f, connection)))
    values = []
    for row in rows:
        out = []
        for attname, default, adapt in plan:
            value = row.get(attname, default)
            out.append(adapt(value) if adapt is not None and value is not None else value)
        values.append(out)
    with connection.cursor() as cursor:
        for start in range(0, len(values), CHUNK):
            cursor.executemany(sql, values[start : start + CHUNK])
    return len(values)


def reset_sequences(*model_list: type[models.Model]) -> None:
    """After explicit primary keys: let the database's own numbering carry on above them."""
    for model in model_list:
        connection = connections[router.db_for_write(model)]
        statements = connection.ops.sequence_reset_sql(no_style(), [model])
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
