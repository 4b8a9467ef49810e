"""Demo plug-in: a watchlist for the demo commissioner, with changes and alerts to see."""

from __future__ import annotations

from datetime import date

from dspt.core.demo import DemoContext
from dspt.frameworks import deadlines
from dspt.frameworks.models import DeadlineOverride
from dspt.monitoring.models import WatchlistEntry
from dspt.monitoring.watchlist import new_entries, run_alerts
from dspt.organisations.models import Organisation

WATCHED = 80


def last_deadline(today: date) -> date:
    """The latest deadline before today (30 June by default, honouring moved deadlines)."""
    overrides = dict(DeadlineOverride.objects.values_list("edition", "deadline"))
    year = today.year
    while True:
        code = f"{year - 1}-{year % 100:02d}"
        day = deadlines.deadline_for(code, overrides)
        if day < today:
            return day
        year -= 1


def populate(ctx: DemoContext) -> None:
    """Watch up to 80 locations in the demo commissioner's area. The "last seen" baseline and
    the last alert run are on the most recent deadline day, so the demo shows what changed
    since (publications that lapsed the day after, renewals) and has the alerts for them."""
    user = ctx.users.get("commissioner")
    council = getattr(user, "commissioner_for", None) if user else None
    if council is None or not council.local_authority_id:
        ctx.log("monitoring demo: no demo commissioner with an area; no watchlist made")
        return
    candidates = list(
        Organisation.objects.care_locations()
        .filter(local_authority_id=council.local_authority_id)
        .order_by("pk")
    )
    chosen = ctx.rng.sample(candidates, min(WATCHED, len(candidates)))
    identifiers = {o.id: o.cqc_location_id or o.ods_code or "" for o in chosen}
    entries = new_entries(council, chosen, identifiers, last_deadline(ctx.today))
    WatchlistEntry.objects.bulk_create(entries)
    result = run_alerts(ctx.today, send_email=False)
    ctx.log(f"monitoring demo: {len(chosen)} watched locations, {result['alerts']} alerts")
