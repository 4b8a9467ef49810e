"""An in-process index for the public search: word-prefix matching without scanning the table.

A LIKE '%text%' over ~30,000 names, then sorting the matches, costs tens of milliseconds a request.
Instead each worker keeps the searchable fields in memory (a few MB) and matches every query word
as a prefix of a word in the name, by binary search over a sorted vocabulary. It is the
platform's one in-process cache (dspt/core/versioned.py): every write that changes an
organisation bumps the "organisations" version in its transaction, and each search compares
that one number, so a newly registered organisation is found by every process on its next
request.
"""

import re
from bisect import bisect_left
from dataclasses import dataclass

from dspt.core.signals import Fact
from dspt.core.versioned import VersionedCache, bump
from dspt.organisations.models import Organisation

_WORD = re.compile(r"[a-z0-9]+")
VERSION_KEY = "organisations"


def words(text: str) -> list[str]:
    """Lower-case alphanumeric words: 'St. Mary's Care-Home' -> ['st', 'mary', 's', 'care', 'home']."""
    return _WORD.findall(text.lower())


@dataclass
class _Index:
    ids: list[int]  # organisation ids, in (name, ods_code) order
    by_code: dict[str, int]  # ODS code -> position
    by_postcode: dict[str, list[int]]  # full postcode -> positions
    by_district: dict[str, list[int]]  # outward code (e.g. LS6) -> positions
    vocab: list[str]  # sorted distinct name words
    postings: list[list[int]]  # positions of names containing vocab[i]


def _build() -> _Index:
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
        ids=[r[0] for r in rows],
        by_code=by_code,
        by_postcode=by_postcode,
        by_district=by_district,
        vocab=vocab,
        postings=[word_positions[w] for w in vocab],
    )


class SearchIndex:
    """The index, rebuilt in each process when the organisations' version moves."""

    def __init__(self) -> None:
        self._cache: VersionedCache[_Index] = VersionedCache(VERSION_KEY, _build)

    def _current(self) -> _Index:
        return self._cache.get()

    def invalidate(self) -> None:
        self._cache.clear()

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


def on_facts_changed(sender, fact: str, organisation_ids, **kwargs) -> None:
    """Listener of dspt.core.signals.facts_changed: organisations changed, so the index moves."""
    if fact == Fact.ORGANISATIONS:
        bump(VERSION_KEY)
