"""`dspt cld generate | validate | process | timetable | health | generate-admissions`:
client-level extracts, and health datasets, from the command line.

Exit codes follow docs/interfaces.md: validate and process exit 0 when accepted, 1 when rejected, 2 when
the file is unreadable (process also exits 2 when it cannot run: no key, no index, bad destination).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dspt.cld.spec import DEFAULT_VERSION, SpecError, available_versions, load_spec


def _rule_actions(values: list[str] | None) -> dict[str, str]:
    out = {}
    for item in values or []:
        rule, _, action = item.partition("=")
        if not action:
            raise CommandError(f"--rule-action needs RULE=ACTION, got {item!r}")
        out[rule.strip().upper()] = action.strip().lower()
    return out


class Command(BaseCommand):
    help = "Client-level adult social care extracts: generate, validate, process; the timetable."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        gen = sub.add_parser(
            "generate", help="write a synthetic extract, index and postcode lookup"
        )
        gen.add_argument("--rows", type=int, required=True)
        gen.add_argument("--seed", type=int, default=1)
        gen.add_argument("--error-rate", type=float, default=0.0)
        gen.add_argument(
            "--trace-share",
            type=float,
            default=0.1,
            help="share of people sent without an NHS number (default 0.1)",
        )
        gen.add_argument("--spec", default=DEFAULT_VERSION, choices=available_versions())
        gen.add_argument("--la-code", default="E08000035")
        gen.add_argument("--period-end", type=date.fromisoformat, default=date(2025, 3, 31))
        gen.add_argument("--encoding", default="utf-8", choices=["utf-8", "windows-1252"])
        gen.add_argument("--out", type=Path, required=True)

        for name in ("validate", "process"):
            p = sub.add_parser(name)
            p.add_argument("file", type=Path)
            p.add_argument("--spec", default=DEFAULT_VERSION, choices=available_versions())
            p.add_argument(
                "--rule-action",
                action="append",
                metavar="RULE=ACTION",
                help="override a rule's action (reject, warn or ignore); repeatable",
            )
            p.add_argument("--errors-csv", type=Path, help="write every finding to this CSV")
            p.add_argument(
                "--engine",
                default="duckdb",
                choices=["duckdb", "spark"],
                help="where the checks (and processing) run: DuckDB (default) or Apache Spark",
            )
            if name == "validate":
                p.add_argument(
                    "--report", type=Path, help="write the JSON report here (default stdout)"
                )
            else:
                p.add_argument("--out", type=Path, required=True)
                p.add_argument("--index", type=Path, help="demographics index (CSV or Parquet)")
                p.add_argument(
                    "--lookup", type=Path, help="postcode to LSOA lookup (CSV or Parquet)"
                )
                p.add_argument("--trace-threshold", type=float)
                p.add_argument(
                    "--trace-results",
                    type=Path,
                    help="write the trace results file for the authority here",
                )
                p.add_argument("--report", type=Path, help="write the JSON report here")

        h = sub.add_parser(
            "health",
            help="check a health dataset's file and write it pseudonymised (DuckDB); exit 0 "
            "loaded, 1 rejected, 2 unreadable or refused",
        )
        h.add_argument("file", type=Path)
        h.add_argument("--code", default="hospital_admissions")
        h.add_argument("--out", type=Path, required=True)
        h.add_argument("--errors-csv", type=Path, help="write every finding to this CSV")
        h.add_argument("--report", type=Path, help="write the JSON report here")
        adm = sub.add_parser(
            "generate-admissions",
            help="write a synthetic hospital admissions file for the people of an index",
        )
        adm.add_argument("--index", type=Path, required=True, help="a demographics index CSV")
        adm.add_argument("--start", type=date.fromisoformat, default=date(2024, 4, 1))
        adm.add_argument("--end", type=date.fromisoformat, default=date(2025, 3, 31))
        adm.add_argument("--seed", type=int, default=1)
        adm.add_argument("--out", type=Path, required=True)

        tt = sub.add_parser("timetable", help="add quarterly rolling 12-month reporting periods")
        tt.add_argument("--first-end", type=date.fromisoformat, default=date(2025, 3, 31))
        tt.add_argument("--quarters", type=int, default=8)
        tt.add_argument("--due-days", type=int, default=30)

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "generate":
            return self._generate(options)
        if action == "timetable":
            from dspt.cld.services import seed_timetable

            made = seed_timetable(options["first_end"], options["quarters"], options["due_days"])
            self.stdout.write(f"{len(made)} periods added")
            return None
        if action == "health":
            return self._health(options)
        if action == "generate-admissions":
            from dspt.cld.generate_health import generate_admissions, nhs_numbers_in

            n = generate_admissions(
                options["out"],
                nhs_numbers_in(options["index"]),
                start=options["start"],
                end=options["end"],
                seed=options["seed"],
            )
            self.stderr.write(f"{n} admissions -> {options['out']}\n")
            return None
        try:
            spec = load_spec(options["spec"]).with_actions(_rule_actions(options["rule_action"]))
        except SpecError as exc:
            raise CommandError(str(exc)) from exc
        if action == "validate":
            return self._validate(spec, options)
        return self._process(spec, options)

    def _generate(self, o) -> None:
        from dspt.cld.generate import generate

        files = generate(
            o["out"],
            rows=o["rows"],
            seed=o["seed"],
            error_rate=o["error_rate"],
            trace_share=o["trace_share"],
            spec=load_spec(o["spec"]),
            la_code=o["la_code"],
            period_end=o["period_end"],
            encoding="cp1252" if o["encoding"] == "windows-1252" else "utf-8",
        )
        self.stderr.write(
            f"{files.rows} rows for {files.people} people -> {files.extract}\n"
            f"index -> {files.index}\nlookup -> {files.lookup}\n"
        )

    def _emit(self, report_json: str, path: Path | None) -> None:
        if path is None:
            self.stdout.write(report_json)
        else:
            path.write_text(report_json + "\n", encoding="utf-8")

    def _validate(self, spec, o) -> None:
        from dspt.cld.validate import validate

        with tempfile.TemporaryDirectory(prefix="dspt-cld-") as work:
            result = validate(
                o["file"], spec, Path(work), error_csv=o["errors_csv"], engine=o["engine"]
            )
            if result.con is not None:
                result.con.close()
        self._emit(result.report.to_json(), o["report"])
        sys.exit(result.report.exit_code)

    def _process(self, spec, o) -> None:
        from dspt.cld.pipeline import ProcessError, process
        from dspt.cld.pseudonymise import PseudonymKeyError

        try:
            result = process(
                o["file"],
                o["out"],
                spec=spec,
                engine=o["engine"],
                index=o["index"],
                lookup=o["lookup"],
                threshold=o["trace_threshold"],
                trace_results=o["trace_results"],
                error_csv=o["errors_csv"],
            )
        except (PseudonymKeyError, ProcessError) as exc:
            self.stderr.write(f"Refused: {exc}\n")
            sys.exit(2)
        if o["report"] is not None or not result.report.accepted:
            self._emit(result.report.to_json(), o["report"])
        if result.report.accepted:
            outcomes = ", ".join(f"{k} {v}" for k, v in sorted(result.trace_outcomes.items()))
            self.stderr.write(
                f"{result.rows_out} rows -> {result.output_dir} ({result.seconds:.1f}s; {outcomes})\n"
            )
        sys.exit(result.exit_code)

    def _health(self, o) -> None:
        from dspt.cld.health import load_file, load_health_spec
        from dspt.cld.pseudonymise import PseudonymKeyError, load_key, pad_key

        try:
            spec = load_health_spec(o["code"])
            keys = pad_key(load_key())
            result = load_file(o["file"], o["out"], spec=spec, keys=keys, error_csv=o["errors_csv"])
        except (SpecError, PseudonymKeyError, FileExistsError) as exc:
            self.stderr.write(f"Refused: {exc}\n")
            sys.exit(2)
        if o["report"] is not None or not result.report.accepted:
            self._emit(result.report.to_json(), o["report"])
        if result.report.accepted:
            self.stderr.write(
                f"{result.rows} rows, {result.people} people -> {result.output_dir}\n"
            )
        sys.exit(result.report.exit_code)
