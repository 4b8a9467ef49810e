"""An in-process index for the public search: word-prefix matching without scanning the table.

A LIKE '%text%' over ~30,000 names, then sorting the matches, costs tens of milliseconds a request.
Instead each worker keeps the searchable fields in memory (a few MB) and matches every query word
as a prefix of a word in the name, by binary search over a sorted vocabulary. The index rebuilds
when organisations change: it compares the organisations' part of the shared change detector's
mark (dspt/changes; count, ids and the sum of `updated_at`, so a late-committed edit counts too),
read at most every few seconds and shared with the public record cache, so a newly registered
organisation appears in search within that time (at once when registered in this process).
"""

import re
import threading
import time
from bisect import bisect_left
from dataclasses import dataclass

from dspt.changes import marks
from dspt.changes.marks import Mark
from dspt.organisations.models import Organisation

_WORD = re.compile(r"[a-z0-9]+")
RECHECK_SECONDS = 5.0


def words(text: str) -> list[str]:
    """Lower-case alphanumeric words: 'St. Mary's Care-Home' -> ['st', 'mary', 's', 'care', 'home']."""
    return _WORD.findall(text.lower())


@dataclass
class _Index:
    mark: Mark  # read before the rows
    ids: list[int]  # organisation ids, in (name, ods_code) order
    by_code: dict[str, int]  # ODS code -> position
    by_postcode: dict[str, list[int]]  # full postcode -> positions
    by_district: dict[str, list[int]]  # outward code (e.g. LS6) -> positions
    vocab: list[str]  # sorted distinct name words
    postings: list[list[int]]  # positions of names containing vocab[i]


def _build(mark: Mark) -> _Index:
    rows = list(
        Organisation.objects.filter(ods_code__isnull=False)
        .order_by("name", "ods_code")
        .values_list("id", "name", "ods_code", "postcode")
    )
    word_positions: dict[str, list[int]] = {}
    by_code: dict[str, int] = {}
    by_postcode: dict[str, list[int]] = {}
    by_district: dict[str, list[int]] = {}
    for pos, (_id, name, code, postcode) in enumerate(rows):
        by_code[code] = pos
        if postcode:
            by_postcode.setdefault(postcode, []).append(pos)
            by_district.setdefault(postcode.split()[0], []).append(pos)
        for w in set(words(name)):
            word_positions.setdefault(w, []).append(pos)
    vocab = sorted(word_positions)
    return _Index(
        mark=mark,
        ids=[r[0] for r in rows],
        by_code=by_code,
        by_postcode=by_postcode,
        by_district=by_district,
        vocab=vocab,
        postings=[word_positions[w] for w in vocab],
    )


class SearchIndex:
    """Thread-safe, lazily built and refreshed per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: _Index | None = None
        self._checked = 0.0  # when the mark in use was read (monotonic)

    def _current(self) -> _Index:
        now = time.monotonic()
        index = self._index
        if index is not None and now - self._checked < RECHECK_SECONDS:
            return index
        with self._lock:
            if self._index is None or time.monotonic() - self._checked >= RECHECK_SECONDS:
                # Counting the interval from when the mark was read keeps the promise above
                # even when the reading is one the record cache took a moment ago.
                mark = marks.reading(max_age=RECHECK_SECONDS)
                index = self._index
                if index is None or index.mark.organisations != mark.organisations:
                    self._index = _build(mark)
                self._checked = mark.taken
            return self._index

    def invalidate(self) -> None:
        with self._lock:
            self._index = None

    def search(self, q: str) -> list[int]:
        """Organisation ids matching `q`, ordered by name: an exact ODS code first, then names where
        every query word starts a word of the name, and postcode or postcode-district matches."""
        index = self._current()
        q = (q or "").strip()[:100]
        if not q:
            return []
        positions: set[int] = set()
        compact = re.sub(r"\s+", "", q).upper()
        code_pos = index.by_code.get(compact)
        if len(compact) >= 5 and compact[-3:-2].isdigit():
            positions.update(index.by_postcode.get(f"{compact[:-3]} {compact[-3:]}", ()))
        positions.update(index.by_district.get(compact, ()))
        query_words = words(q)
        if query_words:
            name_hits: set[int] | None = None
            for w in query_words:
                lo = bisect_left(index.vocab, w)
                hits: set[int] = set()
                while lo < len(index.vocab) and index.vocab[lo].startswith(w):
                    hits.update(index.postings[lo])
                    lo += 1
                name_hits = hits if name_hits is None else name_hits & hits
                if not name_hits:
                    break
            positions |= name_hits or set()
        ordered = sorted(positions)
        if code_pos is not None:
            ordered = [code_pos] + [p for p in ordered if p != code_pos]
        return [index.ids[p] for p in ordered]


search_index = SearchIndex()


def _invalidate_on_change(**kwargs) -> None:
    # Changes made in this process show at once; other processes notice within RECHECK_SECONDS.
    search_index.invalidate()


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    post_save.connect(_invalidate_on_change, sender=Organisation, dispatch_uid="search-index-save")
    post_delete.connect(
        _invalidate_on_change, sender=Organisation, dispatch_uid="search-index-delete"
    )
