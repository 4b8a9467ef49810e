"""Demo plug-in: client-level data for the demo sign-ins.

The local authority data team (la.data@…) sees a timetable with a period sent on time and
processed, one sent late and waiting to be processed, one missing, one sent but rejected (with its
data-quality report and error file) and one not yet due. The processing centre (processor@…) sees
trace rates for two authorities, participation, two agreements and a release log with one
refusal (the recipient's DSPT status is not good enough). The recipient analyst
(recipient.analyst@…) can download the released extract, which combines both authorities'
processed extracts for the period, linked with the hospital admissions of the same people (a
synthetic admissions file made for the demo's people, loaded by the centre: a good share of them
link and some do not), and two aggregate tables. The authorities taking part have each been
served a data provision notice (a small generated PDF) that their data team can download.

Every file is a small extract made by `dspt.cld.generate` and goes through the real checks,
tracing, pseudonymisation and release, so the pages show what the code does (about a second in
all). The synthetic demographics index and postcode lookup are written to the processing zone's
`reference/` folder, where processing finds them when the operator has not configured others, so
extracts sent or processed later in the demo are traced too.

Keys: the operator's key (DSPT_PSEUDONYM_KEY or DSPT_PSEUDONYM_KEY_FILE) when there is one;
otherwise a random demo key written to `$DSPT_DATA_DIR/demo-pseudonym.key` (mode 0600, under the
git-ignored data folder), which `make run` passes to the server as DSPT_PSEUDONYM_KEY_FILE. The
key is drawn from `secrets`, never from the demo seed: a seed-derived key would be public.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.test.utils import override_settings

from dspt.audit.services import record
from dspt.cld import conf, services
from dspt.cld.generate import generate
from dspt.cld.generate_health import generate_admissions, nhs_numbers_in
from dspt.cld.models import Participation, Release, Submission, TimetablePeriod
from dspt.core.demo import DemoContext
from dspt.core.keyfile import ensure_key_file
from dspt.organisations.models import Organisation

KEY_FILE_NAME = "demo-pseudonym.key"
DUE_DAYS = 30
DEMO_TABLES = ("events_people_by_authority_event_service", "people_by_authority_age_gender")


def demo_key_path() -> Path:
    """$DSPT_DATA_DIR/demo-pseudonym.key, or the setting DSPT_CLD_DEMO_KEY_FILE (tests)."""
    configured = getattr(settings, "DSPT_CLD_DEMO_KEY_FILE", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / KEY_FILE_NAME


def ensure_demo_key(path: Path) -> bool:
    """Write a random 256-bit key (hex) readable only by this user, unless one is there."""
    return ensure_key_file(path)


@contextmanager
def demo_key(log) -> Iterator[None]:
    """Use the operator's key if configured, else the demo key file, for the duration."""
    path = demo_key_path()
    configured = os.environ.get("DSPT_PSEUDONYM_KEY_FILE")
    if os.environ.get("DSPT_PSEUDONYM_KEY") or (
        configured and Path(configured).resolve() != path.resolve()
    ):
        yield
        return
    if ensure_demo_key(path):
        log(f"cld demo: wrote a random demo pseudonymisation key to {path} (mode 0600)")
    old = os.environ.get("DSPT_PSEUDONYM_KEY_FILE")
    os.environ["DSPT_PSEUDONYM_KEY_FILE"] = str(path)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("DSPT_PSEUDONYM_KEY_FILE", None)
        else:
            os.environ["DSPT_PSEUDONYM_KEY_FILE"] = old


def _quarter_ends(today: date) -> list[date]:
    """Five quarterly period ends: four already due (the last recently), one not yet due."""
    ends = [
        date(y, m, d)
        for y in range(today.year - 3, today.year + 2)
        for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))
    ]
    last_due = max(e for e in ends if e + timedelta(days=DUE_DAYS) < today)
    i = ends.index(last_due)
    return ends[i - 3 : i + 2]


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


class _OnDisk:
    """A generated file handed to `receive_upload` as if uploaded: it is moved, not copied."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def temporary_file_path(self) -> str:
        return str(self.path)


def _merge_csv(sources: list[Path], target: Path, key_column: int) -> None:
    """Concatenate CSVs with one header, keeping the first row for each key."""
    seen: set[str] = set()
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        for n, source in enumerate(sources):
            with open(source, encoding="utf-8", newline="") as f:
                reader = csv.reader(f)
                header = next(reader)
                if n == 0:
                    writer.writerow(header)
                for row in reader:
                    if row and row[key_column] not in seen:
                        seen.add(row[key_column])
                        writer.writerow(row)


def _la_code(org: Organisation) -> str:
    return org.local_authority.ons_code if org.local_authority_id else org.ods_code


def _direct_submission(org, period, path: Path, name: str, when: datetime) -> Submission:
    """A submission from an authority without a demo sign-in (sent by its own system)."""
    sub = Submission.objects.create(
        organisation=org, period=period, original_name=name, submitted_at=when
    )
    record("cld.submission_received", organisation=org, obj=sub, detail={"name": name})
    target = services.zone("submissions", str(sub.pk)) / "upload.csv"
    os.replace(path, target)
    Submission.objects.filter(pk=sub.pk).update(
        stored_path=str(target), size_bytes=target.stat().st_size
    )
    return services.check_submission(sub.pk)


def populate(ctx: DemoContext) -> None:
    team, processor, analyst = (
        ctx.users.get(k) for k in ("la_data_team", "processor", "recipient_analyst")
    )
    if not (team and processor and analyst):
        ctx.log("cld demo: the demo sign-ins are missing; no client-level data added")
        return
    la = Organisation.objects.select_related("local_authority").get(
        memberships__user=team, org_type="local_authority"
    )
    recipient = Organisation.objects.get(memberships__user=analyst)
    trust_admin = ctx.users.get("trust_admin")
    weak = Organisation.objects.get(memberships__user=trust_admin) if trust_admin else None
    ends = _quarter_ends(ctx.today)
    services.seed_timetable(ends[0], len(ends), due_days=DUE_DAYS)
    periods = [TimetablePeriod.objects.get(period_end=e) for e in ends]
    others = [o for o in ctx.local_authorities if o.pk != la.pk]
    others = ctx.rng.sample(others, min(1, len(others)))  # a second authority to compare with
    seed = ctx.seed % 100_000
    # Checks and processing run here, not in the worker: each step needs the one before it
    # done. They run inside the loader's transaction; their progress is written only from this
    # thread (services/progress.py), so SQLite never reports "database is locked".
    with (
        tempfile.TemporaryDirectory(dir=services.zone("work")) as tmp,
        override_settings(DSPT_TASKS="eager"),
        demo_key(ctx.log),
    ):
        work = Path(tmp)
        made = {}
        plan = [
            ("processed", la, periods[0], dict(rows=600, trace_share=0.3)),
            ("late", la, periods[1], dict(rows=500, trace_share=0.25)),
            ("rejected", la, periods[3], dict(rows=300, trace_share=0.2, error_rate=0.04)),
        ] + [
            (f"other-{i}", o, periods[0], dict(rows=400, trace_share=0.1 + 0.2 * i))
            for i, o in enumerate(others)
        ]
        for n, (label, org, period, options) in enumerate(plan):
            made[label] = generate(
                work / f"{label}.csv",
                seed=seed + n,
                la_code=_la_code(org),
                period_end=period.period_end,
                **options,
            )
        reference = conf.storage_root() / "reference"
        _merge_csv([g.index for g in made.values()], reference / "index.csv", key_column=0)
        _merge_csv([g.lookup for g in made.values()], reference / "lsoa.csv", key_column=0)

        def send(label: str, period: TimetablePeriod, when: datetime) -> Submission:
            name = f"{_la_code(la)}-{period.period_end:%Y-%m}-{label}.csv"
            sub = services.receive_upload(
                user=team,
                organisation=la,
                period=period,
                upload=_OnDisk(made[label].extract),
                original_name=name,
            )
            Submission.objects.filter(pk=sub.pk).update(
                submitted_at=when, checked_at=when + timedelta(minutes=3)
            )
            sub.refresh_from_db()
            return sub

        p0, p1, p3 = periods[0], periods[1], periods[3]
        on_time = send("processed", p0, _at(p0.due_date - timedelta(days=9)))
        late = send("late", p1, _at(p1.due_date + timedelta(days=11)))
        rejected = send("rejected", p3, _at(p3.due_date - timedelta(days=6)))
        on_time = services.process_submission(on_time, user=processor)
        processed = [on_time]
        for i, org in enumerate(others):
            sub = _direct_submission(
                org,
                p0,
                made[f"other-{i}"].extract,
                f"{_la_code(org)}-{p0.period_end:%Y-%m}.csv",
                _at(p0.due_date - timedelta(days=2 + 5 * i)),
            )
            processed.append(services.process_submission(sub, user=processor))
        for sub in processed:
            Submission.objects.filter(pk=sub.pk).update(
                processed_at=_at(p0.due_date + timedelta(days=1), 15)
            )

        start, end = periods[0].period_start, periods[-1].period_end
        admissions = work / "hospital-admissions.csv"
        generate_admissions(
            admissions,
            nhs_numbers_in(reference / "index.csv"),
            start=start,
            end=end,
            seed=seed,
            outsiders=150,
        )
        health = services.health_dataset_load(
            user=processor,
            code="hospital_admissions",
            upload=_OnDisk(admissions),
            original_name="hospital-admissions.csv",
        )
        dsa = services.create_agreement(
            user=processor,
            recipient=recipient,
            local_authorities=[la, *others],
            period_start=start,
            period_end=end,
            purpose="Evaluation of hospital discharge support across the region (demo).",
            expires_on=ctx.today + timedelta(days=730),
            reference="DSA-DEMO-001",
            datasets=("cld", "hospital_admissions"),
        )
        # One release of every authority's processed extract for the period, linked with the
        # same people's hospital admissions, with two tables.
        rels = [
            services.release(
                submissions=processed,
                dsa=dsa,
                tables=DEMO_TABLES,
                user=processor,
                on=ctx.today,
                health_dataset=health,
            )
        ]
        if weak is not None:
            weak_dsa = services.create_agreement(
                user=processor,
                recipient=weak,
                local_authorities=[la],
                period_start=start,
                period_end=end,
                purpose="Workforce planning (demo): refused while the trust is below Standards Met.",
                expires_on=ctx.today + timedelta(days=365),
                reference="DSA-DEMO-002",
            )
            rels.append(
                services.release(submissions=[on_time], dsa=weak_dsa, user=processor, on=ctx.today)
            )
        for n, rel in enumerate(rels):
            Release.objects.filter(pk=rel.pk).update(
                released_at=_at(p0.due_date + timedelta(days=3 + n), 11)
            )

    _participation(ctx, la, others, periods[0])
    _notices(processor, [la, *others], periods[0])
    states = [s.state for s in (on_time, late, rejected, *processed[1:])]
    ctx.log(
        f"cld demo: {len(periods)} periods, submissions {', '.join(states)}; "
        f"{sum(1 for r in rels if not r.refused)} release(s), "
        f"{sum(1 for r in rels if r.refused)} refusal(s); hospital admissions {health.state}"
    )


def _participation(ctx: DemoContext, la, others, first: TimetablePeriod) -> None:
    """The demo authority and the other one are onboarded; a few more are part way."""
    served = first.period_start - timedelta(days=120)
    steps = Participation.STEPS
    taking_part = [(la, True, len(steps))] + [(o, False, len(steps)) for o in others]
    rest = [o for o in ctx.local_authorities if o not in (la, *others)]
    for org in ctx.rng.sample(rest, min(6, len(rest))):
        taking_part.append((org, ctx.rng.random() < 0.3, ctx.rng.randint(0, len(steps) - 1)))
    Participation.objects.bulk_create(
        [
            Participation(
                local_authority=org,
                notice_served_on=served,
                early_adopter=early,
                onboarding={
                    s: (served + timedelta(days=14 * (i + 1))).isoformat()
                    for i, s in enumerate(steps[:done])
                },
            )
            for org, early, done in taking_part
        ]
    )


def notice_pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing `lines` (plain ASCII), for the demo's notices."""
    text = " ".join(
        f"({line.replace(chr(92), '').replace('(', '[').replace(')', ']')}) Tj 0 -18 Td"
        for line in lines
    )
    stream = f"BT /F1 12 Tf 72 760 Td {text} ET".encode("ascii", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _notices(processor, authorities, first: TimetablePeriod) -> None:
    """The authorities taking part were each served a notice mandating quarterly extracts."""
    for n, org in enumerate(authorities, start=1):
        served = first.period_start - timedelta(days=120)
        mandates = "A quarterly extract of the last 12 months, due 30 days after each period ends."
        services.notice_record(
            user=processor,
            local_authority=org,
            reference=f"DPN-DEMO-{n:03d}",
            served_on=served,
            mandates_from=first.period_end,
            mandates_until=None,
            mandates=mandates,
            document=notice_pdf(
                [
                    "Data provision notice (demo)",
                    f"To: {org.name}",
                    f"Served on {served:%d %B %Y}",
                    mandates,
                    f"For reporting periods ending from {first.period_end:%d %B %Y}.",
                ]
            ),
            document_name=f"data-provision-notice-{n:03d}.pdf",
        )
