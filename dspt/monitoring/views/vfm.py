"""The value-for-money page: editable scenarios with `dspt roi` semantics."""

from __future__ import annotations

import json
import math

from django.contrib.auth.decorators import login_required

from dspt.monitoring.access import require_national
from dspt.monitoring.config import DATA_DIR
from dspt.monitoring.roi import ScenarioError, display_row, run
from dspt.monitoring.views.common import attachment, download, page, wants_download
from dspt.monitoring.views.nav import subnav

MAX_SCENARIOS = 6
RESULT_COLUMNS = [
    ("name", "Scenario", "text"),
    ("providers_breached", "Providers breached", "num"),
    ("providers_material", "Providers with a material outcome", "num"),
    ("total_cost", "Total cost (£)", "num"),
    ("saving", "Saving against the baseline (£)", "num"),
    ("net_saving", "Saving net of programme spend (£)", "num"),
    ("return_per_pound", "Return per £1 of spend", "num"),
]


# The model's totals: form field -> how an error message names it.
TOTALS = {
    "providers": "the number of providers",
    "average_cost": "the average cost",
    "programme_spend": "the programme spend",
}


def defaults() -> dict:
    data = json.loads((DATA_DIR / "roi_scenarios.json").read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return data


def _num(raw: str, label: str, errors: dict, key: str, *, percent: bool = False):
    text = (raw or "").replace(",", "").replace("£", "").replace("%", "").strip()
    try:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError
    except ValueError:
        errors[key] = f"Enter {label} as a number."
        return None
    return value / 100 if percent else value


def from_query(q) -> tuple[dict, dict]:
    """The model input from the form (rates entered as percentages), and errors by field."""
    errors: dict[str, str] = {}
    data: dict = {key: _num(q.get(key), label, errors, key) for key, label in TOTALS.items()}
    data.update(baseline=q.get("baseline", ""), scenarios=[])
    for n in range(1, MAX_SCENARIOS + 1):
        name = (q.get(f"name_{n}") or "").strip()
        if not name:
            continue
        scenario = {"name": name}
        for rate in ("breach", "material"):
            field = f"{rate}_{n}"
            label = f"the {rate} rate for {name}"
            scenario[f"{rate}_rate"] = _num(q.get(field), label, errors, field, percent=True)
        data["scenarios"].append(scenario)
    return data, errors


def form_values(data: dict) -> dict:
    """Form field values for the scenarios (rates shown as percentages)."""
    values = {k: data[k] for k in (*TOTALS, "baseline")}
    for n, s in enumerate(data["scenarios"], start=1):
        values[f"name_{n}"] = s["name"]
        values[f"breach_{n}"] = _pct(s["breach_rate"])
        values[f"material_{n}"] = _pct(s["material_rate"])
    return values


def _pct(rate) -> str:
    return "" if rate is None else f"{rate * 100:g}"


@login_required
def value_for_money(request):
    remit = require_national(request.user)
    if "providers" in request.GET:
        data, errors = from_query(request.GET)
        values = {k: request.GET.get(k, "") for k in request.GET}
    else:
        data, errors = defaults(), {}
        values = form_values(data)
    results, problem = [], None
    if not errors:
        try:
            results = run(data)
        except ScenarioError as exc:
            problem = str(exc)
    fmt = wants_download(request)
    if fmt and results:
        return download(results, RESULT_COLUMNS, "value-for-money", fmt)
    if request.GET.get("download") == "json" and not errors:
        return attachment(json.dumps(data, indent=2), "application/json", "scenarios.json")
    return page(
        request,
        "monitoring/vfm.jinja",
        {
            "page_title": "Value for money",
            "subnav": subnav(remit),
            "current": "Value for money",
            "values": values,
            "errors": errors,
            "problem": problem,
            "results": [display_row(r) for r in results],
            "rows": range(1, MAX_SCENARIOS + 1),
        },
        status=400 if (errors or problem) else 200,
    )
