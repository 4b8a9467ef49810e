"""The national team's oversight page of the CAF-aligned assessments (`/assurance/oversight/`):
edition, region and ICB filters over `oversight.oversight`. Programme team and platform admins
only; anyone else gets 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from dspt.accounts.models import OversightRole
from dspt.assurance.models import AssuranceLevel
from dspt.assurance.oversight import oversight
from dspt.frameworks.caf import EditionNotFound, all_caf_editions, load_caf_edition
from dspt.organisations.models import ICB, Region

NATIONAL = (OversightRole.PROGRAMME, OversightRole.PLATFORM_ADMIN)


@login_required
def page(request) -> HttpResponse:
    """Achievement by objective and outcome against the profile; assurance levels; trusts
    without an independent assessment."""
    user = request.user
    if not (user.is_superuser or user.oversight_role in NATIONAL):
        raise Http404("CAF oversight is for the national team.")
    editions = all_caf_editions()
    code = request.GET.get("edition") or editions[-1].code
    try:
        edition = load_caf_edition(code)
    except (EditionNotFound, ValueError):
        raise Http404("No CAF-aligned edition has that year.") from None
    region = request.GET.get("region", "")
    icb = request.GET.get("icb", "")
    if region and not Region.objects.filter(pk=region).exists():
        raise Http404("No region has that code.")
    if icb and not ICB.objects.filter(pk=icb).exists():
        raise Http404("No ICB has that code.")
    figures = oversight(edition, region=region, icb=icb)
    return render(
        request,
        "assurance/oversight.jinja",
        {
            "page_title": "CAF-aligned assessments: oversight",
            "figures": figures,
            "edition": edition,
            "editions": editions,
            "regions": Region.objects.all(),
            "icbs": ICB.objects.all(),
            "region": region,
            "icb": icb,
            "levels": AssuranceLevel.choices,
        },
    )
