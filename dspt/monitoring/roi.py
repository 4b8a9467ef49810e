"""The value-for-money model (docs/rules.md §7, docs/interfaces.md `dspt roi`): avoided cyber-incident cost.

For each scenario: providers × breach_rate = providers breached; × material_rate = providers with
a material outcome; × average_cost = total cost. Saving = baseline total cost − this scenario's;
net saving = saving − programme spend; return per pound = net saving ÷ programme spend. Full
precision throughout; rounding is only for display (`display_row`).
"""

from __future__ import annotations

import math
from typing import Any


class ScenarioError(ValueError):
    """The scenarios input is not usable; the message says what to fix."""


def _number(data: dict, key: str, where: str, *, rate: bool = False) -> float:
    if key not in data:
        raise ScenarioError(f"{where}: '{key}' is missing.")
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(f"{where}: '{key}' must be a number, not {value!r}.")
    if value < 0:
        raise ScenarioError(f"{where}: '{key}' cannot be negative.")
    if rate and value > 1:
        raise ScenarioError(f"{where}: '{key}' is a share between 0 and 1, not {value}.")
    return value


def validate(data: Any) -> dict:
    """Check the input shape; return it normalised (numbers as given, names stripped)."""
    if not isinstance(data, dict):
        raise ScenarioError("The input must be a JSON object.")
    out = {
        key: _number(data, key, "Input") for key in ("providers", "average_cost", "programme_spend")
    }
    scenarios = data.get("scenarios")
    if not isinstance(scenarios, list) or not scenarios:
        raise ScenarioError("Input: 'scenarios' must be a non-empty list.")
    names, cleaned = set(), []
    for n, s in enumerate(scenarios, start=1):
        if not isinstance(s, dict):
            raise ScenarioError(f"Scenario {n} must be an object.")
        name = s.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ScenarioError(f"Scenario {n}: 'name' is missing.")
        if name in names:
            raise ScenarioError(f"Scenario {n}: the name '{name}' is used twice.")
        names.add(name)
        where = f"Scenario '{name}'"
        cleaned.append(
            {
                "name": name,
                "breach_rate": _number(s, "breach_rate", where, rate=True),
                "material_rate": _number(s, "material_rate", where, rate=True),
            }
        )
    baseline = data.get("baseline")
    if baseline not in names:
        raise ScenarioError(f"Input: 'baseline' must name one of the scenarios, not {baseline!r}.")
    if out["programme_spend"] == 0:
        raise ScenarioError("Input: 'programme_spend' must be more than 0 (it divides the return).")
    out["baseline"] = baseline
    out["scenarios"] = cleaned
    return out


def run(data: Any) -> list[dict]:
    """The model's output: one object per scenario, in input order, at full precision."""
    d = validate(data)
    results = []
    for s in d["scenarios"]:
        breached = d["providers"] * s["breach_rate"]
        material = breached * s["material_rate"]
        results.append(
            {
                "name": s["name"],
                "providers_breached": breached,
                "providers_material": material,
                "total_cost": material * d["average_cost"],
            }
        )
    base = next(r for r in results if r["name"] == d["baseline"])["total_cost"]
    for r in results:
        r["saving"] = base - r["total_cost"]
        r["net_saving"] = r["saving"] - d["programme_spend"]
        r["return_per_pound"] = r["net_saving"] / d["programme_spend"]
    return results


def display_row(r: dict) -> dict:
    """Rounded for display: counts to whole providers, money to whole pounds, return to 2 dp."""
    return {
        "name": r["name"],
        "providers_breached": f"{round(r['providers_breached']):,}",
        "providers_material": f"{round(r['providers_material']):,}",
        "total_cost": _money(r["total_cost"]),
        "saving": _money(r["saving"]),
        "net_saving": _money(r["net_saving"]),
        "return_per_pound": _pounds(r["return_per_pound"]),
    }


def _money(value: float) -> str:
    rounded = round(value)
    return f"-£{-rounded:,}" if rounded < 0 else f"£{rounded:,}"


def _pounds(value: float) -> str:
    text = f"{abs(value):,.2f}"
    return f"-£{text}" if round(value, 2) < 0 else f"£{text}"
