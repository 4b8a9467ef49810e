"""Monitoring tables as a person reads them: a page of rows at a time, sorted by any column, with
a choice of columns.

The view fetches the full rows (the charts and downloads use them all); `paged_table` shapes what
one table on the page shows from the request's query string. Each table's parameters carry its
name (`providers-sort`, `providers-page`, `providers-cols`), so two tables on one page keep
their own state, and every other parameter (the date, the area, the other table's) is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

# (key, heading, kind): the same triples the downloads use.
Column = tuple[str, str, str]

PAGE_SIZE = 50


@dataclass(frozen=True)
class Header:
    """A shown column's heading: its sort link and the state screen readers are told."""

    key: str
    label: str
    kind: str
    href: str
    aria_sort: str  # ascending | descending | none
    action: str  # what following the link does, for screen readers


@dataclass(frozen=True)
class Choice:
    """A column in the 'Choose columns' form."""

    key: str
    label: str
    checked: bool
    fixed: bool  # the first column names the row: always shown


@dataclass
class PagedTable:
    """One table's page of rows and the links that move through it."""

    name: str
    rows: list[dict]
    columns: list[Column]
    headers: list[Header]
    choices: list[Choice]
    total: int
    page: int
    pages: int
    first: int  # 1-based number of the first row shown (0 when there are none)
    last: int
    pagination: dict[str, Any] = field(default_factory=dict)
    keep: list[tuple[str, str]] = field(default_factory=list)  # the form's hidden inputs
    cols_param: str = ""
    reset_href: str = ""

    @property
    def paged(self) -> bool:
        return self.pages > 1

    @property
    def chosen_some(self) -> bool:
        return any(not c.checked for c in self.choices)


def _href(query: QueryDict, **changes: Any) -> str:
    q = query.copy()
    for name, value in changes.items():
        if value is None:
            q.pop(name, None)
        elif isinstance(value, list):
            q.setlist(name, value)
        else:
            q[name] = str(value)
    text = q.urlencode()
    return "?" + text if text else "?"


def _sort_key(kind: str, key: str):
    def by(row: dict):
        value = row.get(key)
        if value is None or value == "":
            return (1, 0)  # blanks last, whichever the direction (see _sorted)
        if kind == "text":
            return (0, str(value).casefold())
        return (0, value)

    return by


def _sorted(rows: Sequence[dict], kind: str, key: str, descending: bool) -> list[dict]:
    filled = [r for r in rows if r.get(key) not in (None, "")]
    blank = [r for r in rows if r.get(key) in (None, "")]
    return sorted(filled, key=_sort_key(kind, key), reverse=descending) + blank


def _page_items(query: QueryDict, param: str, page: int, pages: int) -> list[dict]:
    """Numbered links: the first, the last and two either side of the current page."""
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    items: list[dict] = []
    previous = 0
    for number in shown:
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append(
            {"number": number, "href": _href(query, **{param: number}), "current": number == page}
        )
        previous = number
    return items


def paged_table(
    request,
    name: str,
    rows: Sequence[dict],
    columns: Sequence[Column],
    page_size: int = PAGE_SIZE,
    default_columns: Sequence[str] | None = None,
) -> PagedTable:
    """What one table shows for this request: the chosen columns, sorted and paged.

    `default_columns` are the keys shown until the person chooses (all of them if None); the
    first column is always shown, as it names the row.
    """
    query = request.GET
    sort_param, order_param = f"{name}-sort", f"{name}-order"
    page_param, cols_param = f"{name}-page", f"{name}-cols"
    keys = [key for key, _, _ in columns]
    asked = [k for k in query.getlist(cols_param) if k in keys]
    wanted = set(asked or default_columns or keys) | {keys[0]}
    shown = [c for c in columns if c[0] in wanted]

    sort_key = query.get(sort_param)
    kinds = {key: kind for key, _, kind in columns}
    descending = query.get(order_param) == "desc"
    ordered = list(rows)
    if sort_key in kinds:
        ordered = _sorted(rows, kinds[sort_key], sort_key, descending)
    else:
        sort_key = None

    total = len(ordered)
    pages = max(1, -(-total // page_size))
    try:
        page = min(max(1, int(query.get(page_param, 1))), pages)
    except ValueError:
        page = 1
    start = (page - 1) * page_size
    page_rows = ordered[start : start + page_size]

    headers = []
    for key, label, kind in shown:
        if key == sort_key:
            aria = "descending" if descending else "ascending"
            order = "asc" if descending else "desc"
        else:
            aria = "none"
            order = "asc" if kind == "text" else "desc"  # biggest numbers first
        up, down = ("A to Z", "Z to A") if kind == "text" else ("smallest first", "largest first")
        action = "Sort by this column, " + (up if order == "asc" else down)
        href = _href(query, **{sort_param: key, order_param: order, page_param: None})
        headers.append(Header(key, label, kind, href, aria, action))

    pagination: dict[str, Any] = {}
    if pages > 1:
        pagination = {"items": _page_items(query, page_param, page, pages)}
        if page > 1:
            pagination["previous"] = {"href": _href(query, **{page_param: page - 1})}
        if page < pages:
            pagination["next"] = {"href": _href(query, **{page_param: page + 1})}

    keep = [
        (k, v)
        for k in query
        if k not in (cols_param, page_param, "download")
        for v in query.getlist(k)
    ]
    return PagedTable(
        name=name,
        rows=page_rows,
        columns=shown,
        headers=headers,
        choices=[Choice(key, label, key in wanted, key == keys[0]) for key, label, _ in columns],
        total=total,
        page=page,
        pages=pages,
        first=start + 1 if page_rows else 0,
        last=start + len(page_rows),
        pagination=pagination,
        keep=keep,
        cols_param=cols_param,
        reset_href=_href(query, **{cols_param: None, page_param: None}),
    )
