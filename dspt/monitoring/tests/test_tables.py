"""Monitoring tables a page at a time: sorting, paging and the choice of columns."""

from django.test import RequestFactory

from dspt.monitoring.tables import paged_table

COLUMNS = [("group", "Group", "text"), ("n", "Number", "int"), ("pct", "Share", "pct")]
ROWS = [
    {"group": f"Area {i:03}", "n": i % 7, "pct": None if i % 10 == 0 else i} for i in range(1, 121)
]


def _table(query: str, **kw):
    return paged_table(RequestFactory().get("/x/?" + query), "t", ROWS, COLUMNS, **kw)


def test_pages_of_fifty_keep_the_other_parameters():
    first = _table("as_of=2024-07-31")
    assert (first.page, first.pages, first.first, first.last, first.total) == (1, 3, 1, 50, 120)
    assert first.pagination["next"]["href"] == "?as_of=2024-07-31&t-page=2"
    last = _table("as_of=2024-07-31&t-page=99")  # past the end: the last page
    assert (last.page, last.first, last.last, len(last.rows)) == (3, 101, 120, 20)
    assert _table("t-page=x").page == 1


def test_sorting_puts_blanks_last_either_way_and_resets_the_page():
    down = _table("t-sort=pct&t-order=desc&t-page=2")
    values = [r["pct"] for r in _table("t-sort=pct&t-order=desc").rows]
    assert values[:3] == [119, 118, 117]
    assert [r["pct"] for r in _table("t-sort=pct&t-order=asc&t-page=3").rows][-12:] == [None] * 12
    share = next(h for h in down.headers if h.key == "pct")
    assert share.aria_sort == "descending" and "t-order=asc" in share.href
    assert "t-page" not in share.href
    group = next(h for h in down.headers if h.key == "group")
    assert group.aria_sort == "none" and "t-order=asc" in group.href


def test_choosing_columns_always_keeps_the_first():
    t = _table("t-cols=pct&t-cols=nonsense&as_of=2024-07-31")
    assert [c[0] for c in t.columns] == ["group", "pct"]
    assert ("as_of", "2024-07-31") in t.keep and all(k != "t-cols" for k, _ in t.keep)
    assert [c.checked for c in t.choices] == [True, False, True] and t.choices[0].fixed
    narrow = _table("", default_columns=["n"])
    assert [c[0] for c in narrow.columns] == ["group", "n"] and narrow.chosen_some
