"""Share a built data set between processes as a file that holds only data, never code.

The file (`monitoring-<version>.zip` in `DSPT_MONITORING_CACHE_DIR`) is a ZIP archive, stored
uncompressed, of `meta.json` (JSON: the population, string tables, the change mark and its ledger) and flat
arrays of fixed-size integers (`<name>.bin`, typecodes and byte order named in `meta.json`):
timeline steps, the distinct status results they point at, the series intervals, the month
snapshots. Loading parses JSON and copies arrays; nothing in the file can run (unlike the pickle
it replaces), so a tampered file can at worst give wrong figures until the next change, or be
refused as unreadable and rebuilt.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
import zipfile
from array import array
from datetime import date
from pathlib import Path

from django.conf import settings

from dspt.changes import ledger
from dspt.monitoring import store_parts
from dspt.statuses.compute import Status, StatusResult

logger = logging.getLogger(__name__)

FORMAT = 2
_STATUSES = list(Status)
_STATUS_INDEX = {s: k for k, s in enumerate(_STATUSES)}


def folder() -> Path | None:
    """Where built data sets are shared (None: not shared).

    `DSPT_MONITORING_CACHE_DIR`, by default the data directory's `cache/`; set it to an empty
    string to keep the data set in process memory only.
    """
    configured = getattr(settings, "DSPT_MONITORING_CACHE_DIR", None)
    if configured == "":
        return None
    return Path(configured) if configured else Path(settings.DATA_DIR) / "cache"


def path_for(version: str) -> Path | None:
    base = folder()
    return None if base is None else base / f"monitoring-{version}.zip"


class _Strings:
    """A table of distinct strings; None is -1."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.index: dict[str, int] = {}

    def __call__(self, value: str | None) -> int:
        if value is None:
            return -1
        k = self.index.get(value)
        if k is None:
            k = self.index[value] = len(self.items)
            self.items.append(value)
        return k


def _ord(d: date | None) -> int:
    return d.toordinal() if d else 0


def _flat(lists, typecode: str) -> tuple[array, array]:
    """Concatenate lists into one array, with offsets (len + 1)."""
    values, offsets = array(typecode), array("q", [0])
    for item in lists:
        values.extend(item)
        offsets.append(len(values))
    return values, offsets


def dump(ds) -> tuple[dict, dict[str, array]]:
    """The data set as (meta, arrays)."""
    from dspt.monitoring import snapshots

    strings = _Strings()
    arrays: dict[str, array] = {}
    # Timelines: steps point into a table of distinct results (there are far fewer of them).
    table: dict[StatusResult, int] = {}
    steps = []
    for rs in ds.results:
        steps.append([table.setdefault(r, len(table)) for r in rs])
    arrays["tl_days"], arrays["tl_off"] = _flat(ds.days, "i")
    arrays["tl_res"], _ = _flat(steps, "i")
    results = list(table)
    arrays["rs_status"] = array("b", (_STATUS_INDEX[r.status] for r in results))
    arrays["rs_edition"] = array("i", (strings(r.edition) for r in results))
    arrays["rs_published"] = array("i", (_ord(r.published_on) for r in results))
    arrays["rs_until"] = array("i", (_ord(r.valid_until) for r in results))
    arrays["rs_covered"] = array("i", (strings(r.covered_by) for r in results))
    arrays["rs_lapsed"] = array("i", (strings(r.lapsed_level) for r in results))
    arrays["iv_s"], arrays["iv_off"] = _flat(([s for s, _e, _c in iv] for iv in ds.intervals), "i")
    arrays["iv_e"], _ = _flat(([e for _s, e, _c in iv] for iv in ds.intervals), "i")
    arrays["iv_c"], _ = _flat(([c for _s, _e, c in iv] for iv in ds.intervals), "b")
    arrays["starts"] = array("i", ds.starts)
    snaps = ds.snaps or snapshots.build(ds.days, ds.codes, ds.starts)
    arrays["sn_vectors"], _ = _flat(snaps.vectors, "b")
    arrays["sn_days"], arrays["sn_off"] = _flat(snaps.ev_days, "i")
    arrays["sn_locs"], _ = _flat(snaps.ev_locs, "i")
    arrays["sn_codes"], _ = _flat(snaps.ev_codes, "b")
    meta = {
        "format": FORMAT,
        "version": ds.version,
        "byteorder": sys.byteorder,
        "strings": strings.items,
        "snapshot_days": snaps.days,
        "population": store_parts.dump_population(ds.population),
        "mark": ledger.dump(ds.mark, arrays),
        "context": ds.context,
    }
    meta["typecodes"] = {name: a.typecode for name, a in arrays.items()}
    return meta, arrays


def save(ds, replace: bool = True) -> None:
    """Write the data set for other processes (atomically), and remove older versions.

    `replace=False` leaves a file another process already wrote for this version alone."""
    target = path_for(ds.version)
    if target is None or (not replace and target.exists()):
        return
    base = target.parent
    try:
        base.mkdir(parents=True, exist_ok=True)
        meta, arrays = dump(ds)
        tmp = base / f".monitoring-{ds.version}.{os.getpid()}.{threading.get_ident()}.tmp"
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zf:
            zf.writestr("meta.json", json.dumps(meta, separators=(",", ":")))
            for name, a in arrays.items():
                zf.writestr(f"{name}.bin", a.tobytes())
        tmp.replace(target)
        for old in base.glob("monitoring-*"):
            if old.name != target.name and not old.name.endswith(".tmp"):
                old.unlink(missing_ok=True)
    except OSError as exc:
        logger.warning("Could not share the monitoring data set in %s: %s", base, exc)


_saving = threading.Lock()
# An updated data set is shared at most this often (seconds): writing one costs about a second
# of CPU, and in the June rush changes arrive every few seconds. A process that starts in
# between loads the newest file and updates it for the changes since, which is cheap.
SHARE_EVERY = 60.0
_last_share = -SHARE_EVERY


def save_soon(ds) -> None:
    """Save in a background thread: one at a time, at most every SHARE_EVERY seconds."""
    global _last_share
    if folder() is None or time.monotonic() - _last_share < SHARE_EVERY:
        return
    if not _saving.acquire(blocking=False):
        return
    _last_share = time.monotonic()

    def run() -> None:
        try:
            save(ds, replace=False)
        finally:
            _saving.release()

    threading.Thread(target=run, name="monitoring-save", daemon=True).start()


def wait_for_saves() -> None:
    """Block until a background save (if any) has finished (tests, commands that exit)."""
    with _saving:
        pass


def load_latest():
    """The newest data set any process shared (whatever its version), or None."""
    base = folder()
    if base is None or not base.is_dir():
        return None
    files = sorted(base.glob("monitoring-*.zip"), key=lambda f: f.stat().st_mtime, reverse=True)
    for f in files[:1]:
        return load(f.name[len("monitoring-") : -len(".zip")])
    return None


def load(version: str):
    """The data set shared as `version`, or None (no file, or one that cannot be read)."""
    path = path_for(version)
    if path is None or not path.exists():
        return None
    try:
        with zipfile.ZipFile(path) as zf:
            meta = json.loads(zf.read("meta.json"))
            if meta.get("format") != FORMAT or meta.get("version") != version:
                return None
            arrays = {}
            for name, typecode in meta["typecodes"].items():
                a = array(typecode)
                a.frombytes(zf.read(f"{name}.bin"))
                if meta["byteorder"] != sys.byteorder:
                    a.byteswap()
                arrays[name] = a
        return restore(meta, arrays)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is rebuilt, never trusted
        logger.warning("Ignoring unreadable monitoring data set %s: %s", path, exc)
        return None


class Ragged:
    """Per-location lists read from flat arrays on first use, so loading a shared data set
    does not build ~30,000 lists (and ~300,000 tuples) before the first figure: a table needs
    none of them, a work list or series only the locations it reads."""

    __slots__ = ("_offsets", "_make", "_items")

    def __init__(self, offsets: array, make) -> None:
        self._offsets = offsets
        self._make = make
        self._items: list = [None] * (len(offsets) - 1)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i: int):
        item = self._items[i]
        if item is None:
            item = self._items[i] = self._make(self._offsets[i], self._offsets[i + 1])
        return item

    def __setitem__(self, i: int, value) -> None:
        self._items[i] = value

    def __iter__(self):
        for i in range(len(self._items)):
            yield self[i]

    def copy(self) -> Ragged:
        out = Ragged(self._offsets, self._make)
        out._items = list(self._items)
        return out


def _split(values: array, offsets: array) -> list:
    return [values[offsets[k] : offsets[k + 1]] for k in range(len(offsets) - 1)]


def _day(n: int) -> date | None:
    return date.fromordinal(n) if n else None


def restore(meta: dict, a: dict[str, array]):
    """A Dataset from (meta, arrays) as `dump` wrote them."""
    from dspt.monitoring.engine import Dataset, bucket_of
    from dspt.monitoring.snapshots import Snapshots

    strings = meta["strings"]

    def s(k: int) -> str | None:
        return strings[k] if k >= 0 else None

    table = [
        StatusResult(
            status=_STATUSES[st],
            edition=s(ed),
            published_on=_day(pub),
            valid_until=_day(until),
            covered_by=s(cov),
            lapsed_level=s(lap),
        )
        for st, ed, pub, until, cov, lap in zip(
            a["rs_status"],
            a["rs_edition"],
            a["rs_published"],
            a["rs_until"],
            a["rs_covered"],
            a["rs_lapsed"],
            strict=True,
        )
    ]
    table_codes = [bucket_of(r) for r in table]
    off, tl_days, tl_res = a["tl_off"], a["tl_days"], a["tl_res"]
    days = Ragged(off, lambda x, y: tl_days[x:y].tolist())
    results = Ragged(off, lambda x, y: list(map(table.__getitem__, tl_res[x:y])))
    codes = Ragged(off, lambda x, y: list(map(table_codes.__getitem__, tl_res[x:y])))
    iv_s, iv_e, iv_c = a["iv_s"], a["iv_e"], a["iv_c"]
    intervals = Ragged(
        a["iv_off"], lambda x, y: list(zip(iv_s[x:y], iv_e[x:y], iv_c[x:y], strict=True))
    )
    population = store_parts.restore_population(meta["population"])
    n = len(population.locations)
    snap_days = meta["snapshot_days"]
    vec = a["sn_vectors"]
    sno = a["sn_off"]
    snaps = Snapshots(
        days=snap_days,
        vectors=[vec[k * n : (k + 1) * n] for k in range(len(snap_days))],
        ev_days=_split(a["sn_days"], sno),
        ev_locs=_split(a["sn_locs"], sno),
        ev_codes=_split(a["sn_codes"], sno),
    )
    index = {loc.id: i for i, loc in enumerate(population.locations)}
    ds = Dataset(
        meta["version"],
        population,
        days,
        results,
        intervals,
        index,
        codes,
        a["starts"].tolist(),
        ledger.restore(meta["mark"], a),
        context=meta["context"],
    )
    ds.snaps = snaps
    return ds
