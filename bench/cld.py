"""Client-level data benchmark (`make bench-cld`).

Generates an extract (5 million rows by default) and, before every run of the pipeline, times a
bare DuckDB conversion of the same file to Parquet (`COPY (SELECT * FROM read_csv(...)) TO
'x.parquet'`: every column, no checks — the least any pipeline that writes the rows must do).
Then runs `dspt cld process` end to end (land, check, trace, pseudonymise, write Parquet) with
DuckDB and, unless `--skip-spark`, Spark in local mode, each in its own process. Peak memory is
sampled from /proc for the whole process tree (Spark's JVM included). Prints, per run, the
ratio of the bare conversion's time to the pipeline's (goal >= 0.5 for DuckDB) and peak RSS
(goal <= 1.5 GB); `count(*)` over the CSV is printed for context.

Generating 5 million rows takes minutes: pass `--extract FILE` (or set DSPT_BENCH_CLD_EXTRACT) to
reuse a file made earlier by `dspt cld generate` (its `-index.csv` and `-lsoa.csv` beside it).
The machine is shared, so `--runs N` repeats each measurement; each run's ratio is against the
bare conversion timed just before it. The ratio is also given by CPU time (the conversion's CPU
seconds over the pipeline's whole process tree's): under load the wall-clock ratio moves with
whatever else runs, the CPU ratio much less.

Spark has its own yardstick: a plain Spark CSV → Parquet conversion of the same file in a process
of its own (`bench/spark_convert.py`, the pipeline's Spark session, JVM start included as it is in
`dspt cld process`), timed just before each Spark run; its line gives the Spark run's speed as a
fraction of that conversion's (goal >= 0.5).
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DSPT = ROOT / ".venv" / "bin" / "dspt"
PYTHON = ROOT / ".venv" / "bin" / "python"


def _scan() -> tuple[dict[int, list[int]], dict[int, tuple[str, list[str]]]]:
    """Every process's children, and its name and the /proc stat fields after the name."""
    children: dict[int, list[int]] = {}
    stats: dict[int, tuple[str, list[str]]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    text = f.read()
                head, rest = text.rsplit(")", 1)
                fields = rest.split()
                children.setdefault(int(fields[1]), []).append(int(entry))
                stats[int(entry)] = (head.split("(", 1)[1], fields)
            except (OSError, IndexError, ValueError):
                continue
    return children, stats


def _tree(pid: int, children: dict[int, list[int]]) -> list[int]:
    """`pid` and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _kib(path: str, field: str) -> int:
    """A `field: N kB` line of a /proc file, in bytes (0 when the process has gone)."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_memory(pids: list[int], stats: dict) -> tuple[int, int, list[tuple[str, int]]]:
    """Memory of the processes `pids`: (RSS summed, PSS summed, (name, RSS) of each).

    RSS counts a page once in every process that maps it, so a child that shares its parent's
    pages for a moment (a forked or vfork-ed helper about to exec) doubles the sum; PSS
    (proportional set size) shares each page out among the processes that map it, so their
    sum is the memory the tree really holds."""
    rss = pss = 0
    parts = []
    for p in pids:
        r = _kib(f"/proc/{p}/status", "VmRSS:")
        rss += r
        pss += _kib(f"/proc/{p}/smaps_rollup", "Pss:")
        if p in stats:
            parts.append((stats[p][0], r))
    return rss, pss, parts


def tree_cpu(pids: list[int], stats: dict) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each of the processes `pids`."""
    tick = os.sysconf("SC_CLK_TCK")
    return {p: (int(stats[p][1][11]) + int(stats[p][1][12])) / tick for p in pids if p in stats}


def _own_cpu() -> float:
    """CPU seconds (user + system) this process has used, all its threads included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


LAST_CPU_SECONDS = [0.0]  # CPU seconds of the last command `run_measured` ran (its whole tree)
# Of the last command `run_measured` ran: its tree's peak PSS, and each process's RSS at the
# moment the summed RSS peaked.
LAST_MEMORY: dict[str, object] = {"pss": 0, "parts": []}


def run_measured(
    cmd: list[str], env: dict[str, str], log: Path | None = None
) -> tuple[float, int, int]:
    """Run a command; return (seconds, exit code, peak RSS of its process tree). When it fails,
    the end of what it wrote to stderr is printed, and the whole of it kept in `log`.

    The CPU seconds its process tree used (sampled, so a process living under 0.2 s may be
    missed) go to LAST_CPU_SECONDS: on a shared machine the wall-clock time depends on what else
    runs, the CPU time much less."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = peak_pss = 0
    parts_at_peak: list[tuple[str, int]] = []
    cpu: dict[int, float] = {}
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss, parts_at_peak
        while not stop.is_set():
            children, stats = _scan()  # one pass over /proc for memory and CPU alike
            pids = _tree(proc.pid, children)
            rss, pss, parts = tree_memory(pids, stats)
            if rss > peak:
                peak, parts_at_peak = rss, parts
            peak_pss = max(peak_pss, pss)
            cpu.update(tree_cpu(pids, stats))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    stop.set()
    sampler.join()
    LAST_CPU_SECONDS[0] = sum(cpu.values())
    LAST_MEMORY.update(pss=peak_pss, parts=parts_at_peak)
    if proc.returncode != 0:
        sys.stderr.write(err.decode(errors="replace")[-2000:])
        if log is not None:
            log.write_bytes(err)
            print(f"(exit {proc.returncode}: all it wrote to stderr is in {log})", flush=True)
    return time.monotonic() - started, proc.returncode, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=ROOT / "data" / "bench-cld")
    parser.add_argument("--skip-spark", action="store_true")
    parser.add_argument("--skip-duckdb", action="store_true", help="time only the Spark engine")
    parser.add_argument(
        "--extract",
        type=Path,
        default=os.environ.get("DSPT_BENCH_CLD_EXTRACT") or None,
        help="an existing extract to reuse (its row count is read from the file)",
    )
    parser.add_argument("--runs", type=int, default=1, help="repeat each measurement")
    args = parser.parse_args()

    args.workdir.mkdir(parents=True, exist_ok=True)
    extract = args.extract or args.workdir / f"extract-{args.rows}-{args.seed}.csv"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dspt.settings",
        "DSPT_PSEUDONYM_KEY": secrets.token_hex(32),
    }
    if not extract.exists():
        t = time.monotonic()
        subprocess.run(
            [
                str(DSPT),
                "cld",
                "generate",
                "--rows",
                str(args.rows),
                "--seed",
                str(args.seed),
                "--out",
                str(extract),
            ],
            env=env,
            check=True,
        )
        print(
            f"generated {args.rows:,} rows in {time.monotonic() - t:.0f}s ({extract.stat().st_size / 1e9:.2f} GB)"
        )

    import duckdb

    def scan() -> tuple[float, int]:
        t = time.monotonic()
        with duckdb.connect() as con:
            n = con.execute(f"SELECT count(*) FROM read_csv('{extract}')").fetchone()[0]  # noqa: S608
        return time.monotonic() - t, n

    def convert() -> tuple[float, float]:
        """The least any pipeline must do: parse every column and write it all to Parquet.

        Returns wall-clock and CPU seconds (this process's, DuckDB's threads included)."""
        target = args.workdir / "ceiling.parquet"
        t, cpu = time.monotonic(), _own_cpu()
        with duckdb.connect() as con:
            con.execute(
                f"COPY (SELECT * FROM read_csv('{extract}')) TO '{target}' (FORMAT parquet)"  # noqa: S608
            )
        secs, cpu = time.monotonic() - t, _own_cpu() - cpu
        target.unlink(missing_ok=True)
        return secs, cpu

    scan()  # warm the page cache so the first baseline is not charged for the first read
    engines = [
        e for e, skip in (("duckdb", args.skip_duckdb), ("spark", args.skip_spark)) if not skip
    ]
    rows = 0
    # engine, count(*) s, bare conversion s and CPU s, run s and CPU s, exit code, peak RSS
    results: list[tuple[str, float, float, float, float, float, int, int]] = []
    # Wall and CPU seconds of the Spark conversion, then of the process, and the exit code.
    spark_runs: list[tuple[float, float, float, float, int]] = []
    for _ in range(args.runs):
        for engine in engines:
            if engine == "spark":
                target = args.workdir / "spark-ceiling"
                convert_s, convert_code, _ = run_measured(
                    [
                        str(PYTHON),
                        str(ROOT / "bench" / "spark_convert.py"),
                        str(extract),
                        str(target),
                    ],
                    env,
                    args.workdir / "spark-convert-stderr.log",
                )
                convert_cpu = LAST_CPU_SECONDS[0]
                shutil.rmtree(target, ignore_errors=True)
                print(
                    f"Spark CSV -> Parquet, nothing else: {convert_s:.1f}s ({convert_cpu:.1f} CPU s)",
                    flush=True,
                )
            scan_s, rows = scan()
            bare, bare_cpu = convert()
            out = args.workdir / f"out-{engine}"
            shutil.rmtree(out, ignore_errors=True)
            secs, code, peak = run_measured(
                [str(DSPT), "cld", "process", str(extract), "--out", str(out), "--engine", engine],
                env,
                args.workdir / f"{engine}-stderr.log",
            )
            shutil.rmtree(out, ignore_errors=True)
            cpu = LAST_CPU_SECONDS[0]
            results.append((engine, scan_s, bare, bare_cpu, secs, cpu, code, peak))
            if engine == "spark":
                spark_runs.append(
                    (convert_s, convert_cpu, secs, LAST_CPU_SECONDS[0], code or convert_code)
                )
            print(
                f"{engine}: {secs:.1f}s against a bare CSV -> Parquet of {bare:.1f}s "
                f"(ratio {bare / secs:.3f}; by CPU time {bare_cpu:.1f} / {cpu:.1f} = "
                f"{bare_cpu / max(cpu, 0.1):.3f}; count(*) {scan_s:.1f}s; peak RSS {peak / 1e9:.2f} GB)",
                flush=True,
            )
            at_peak = ", ".join(f"{n} {r / 1e9:.2f}" for n, r in LAST_MEMORY["parts"] if r > 50e6)
            print(
                f"  peak PSS {LAST_MEMORY['pss'] / 1e9:.2f} GB; at the RSS peak (GB): {at_peak}",
                flush=True,
            )

    print(
        f"\nClient-level data benchmark: {rows:,} rows, {extract.stat().st_size / 1e9:.2f} GB CSV, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        "| run | count(*) s | bare CSV → Parquet s (CPU s) | process s (CPU s) | process rows/s "
        "| ratio to bare | by CPU time | peak RSS |\n|---|---|---|---|---|---|---|---|"
    )
    for engine, scan_s, bare, bare_cpu, secs, cpu, code, peak in results:
        status = "" if code == 0 else f" (exit {code})"
        print(
            f"| {engine}{status} | {scan_s:.1f} | {bare:.1f} ({bare_cpu:.1f}) | {secs:.1f} "
            f"({cpu:.1f}) | {rows / secs:,.0f} | {bare / secs:.3f} | "
            f"{bare_cpu / max(cpu, 0.1):.3f} | {peak / 1e9:.2f} GB |"
        )
    for convert_s, convert_cpu, secs, cpu, code in spark_runs:
        status = "" if code == 0 else f" (exit {code})"
        print(
            f"Spark{status}: process {secs:.1f}s ({cpu:.1f} CPU s) against a plain Spark CSV -> "
            f"Parquet conversion {convert_s:.1f}s ({convert_cpu:.1f} CPU s): "
            f"{convert_s / secs:.3f} x the conversion by the clock, "
            f"{convert_cpu / max(cpu, 0.1):.3f} x by CPU time (goal >= 0.5)"
        )


if __name__ == "__main__":
    main()
