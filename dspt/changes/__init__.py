"""What changed since mark M: one change detector for every per-process cache (ADR 0006).

Each process keeps things computed from the database (the public search index, today's public
records, the monitoring data set) and must notice changes made by other processes. No change
log is written anywhere, so a writer that forgets a hook cannot make a cache wrong; instead:

- `marks.read_mark()` reads a compact, comparable `Mark` of the tables every status depends on
  (counts, highest ids and id sums; sums over plan approval and certificate expiry days; a sum
  of organisations' `updated_at`; the moved deadlines) in one statement. Two marks are equal
  when nothing changed. `marks.reading(max_age)` shares one reading between the caches of a
  process (a search request asks the search index and the record cache: one reading serves
  both); a change made in this process forgets the shared reading at once.
- `detect.changed_since(old, new)` names the organisations touched between two marks (new
  publications, cover rows, edited organisations) and says what it cannot trace (deletions,
  changes in place, moved deadlines, inserts committed out of id order, too many changes), so
  each caller decides what to drop or rebuild.
- A mark read with `ledger=True` also keeps every id and the in-place facts (`ledger.py`):
  comparing against it traces deletions and in-place changes too (the monitoring data set).
"""
