"""The plan's cost section: ``mlops_components.pricing`` over a recording, and its
Markdown rendering (``docs/cost.md``, contract in ``docs/plan-json.md``)."""

from __future__ import annotations

import json
from typing import Any

from .runner import Recording

STATUS_TEXT = {"usage-only": "plus usage", "free": "free", "unpriced": "**unpriced**"}


def estimate_cost(recording: Recording) -> dict[str, Any]:
    """The report's ``cost`` object for ``recording`` (a ``CostEstimator``)."""
    from mlops_components.pricing import estimate

    # Default providers carry the region of resources that name no explicit provider.
    return estimate([r.to_json() for r in [*recording.resources, *recording.default_providers]])


def _usd(value: float | None) -> str:
    return "—" if value is None else f"${value:,.2f}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _usage_text(entry: dict[str, Any]) -> str:
    return "; ".join(
        f"{u['description']}: ${u['unit_price']:g}/{u['unit']}" for u in entry["usage"]
    )


def cost_markdown(cost: dict[str, Any]) -> list[str]:
    """The ``## Cost`` section: totals, architectures, the resources that keep the
    baseline above zero, every resource with a price or a usage charge, and the unpriced
    ones. Empty when no estimate was made."""
    if not cost:
        return []
    if "total" not in cost:  # another estimator's shape: show it as it is
        return ["## Cost", "", "```json", json.dumps(cost, indent=2, sort_keys=True), "```", ""]
    total = cost["total"]
    out = [
        "## Cost",
        "",
        f"Monthly list prices in {cost['currency']} at {cost['hours_per_month']:g} hours a month, "
        f"on demand (catalogue of {cost['catalogue']['updated']}). **Baseline** is the stack at "
        "its minimum scale with no traffic; **maximum** every autoscaler at its ceiling. "
        'Usage-priced charges come on top ("plus usage").',
        "",
        "| | Baseline / month | Maximum / month | Unpriced resources |",
        "| --- | ---: | ---: | ---: |",
        f"| **Stack** | **{_usd(total['baseline_monthly'])}** | **{_usd(total['maximum_monthly'])}** "
        f"| {total['unpriced']} |",
    ]
    for arch in cost["architectures"]:
        out.append(
            f"| {_cell(arch['name'])} (`{arch['type']}`) | {_usd(arch['baseline_monthly'])} "
            f"| {_usd(arch['maximum_monthly'])} | {arch['unpriced']} |"
        )
    out.append("")
    for budget in cost.get("budgets", []):
        cloud = cost["clouds"].get(budget["cloud"], {})
        out.append(
            f"Budget ({budget['cloud']}): {_usd(budget['amount_monthly'])} a month for a "
            f"baseline of {_usd(cloud.get('baseline_monthly'))}."
        )
    if cost.get("budgets"):
        out.append("")
    share = total.get("accelerator_baseline_share", 0.0)
    out += [
        f"Always-on accelerators: {_usd(total.get('accelerator_baseline_monthly'))} "
        f"({share:.0%} of the baseline).",
        "",
    ]
    drivers = cost.get("baseline_drivers") or []
    if drivers:
        names = ", ".join(f"{_cell(d['name'])} ({_usd(d['baseline_monthly'])})" for d in drivers)
        out += [f"What keeps the baseline above zero: {names}.", ""]
    out += [
        "| Resource | Type | Baseline | Maximum | Usage | Prices (source, date) | Note |",
        "| --- | --- | ---: | ---: | --- | --- | --- |",
    ]
    for entry in cost["resources"]:
        if entry["status"] == "free":
            continue
        if entry["status"] == "priced":
            baseline, maximum = _usd(entry["baseline_monthly"]), _usd(entry["maximum_monthly"])
        else:
            baseline, maximum = STATUS_TEXT[entry["status"]], ""
        prices = "; ".join(f"`{p['key']}` [{p['date']}]({p['source']})" for p in entry["prices"])
        out.append(
            f"| {_cell(entry['name'])} | `{entry['type']}` | {baseline} | {maximum} "
            f"| {_cell(_usage_text(entry))} | {prices} | {_cell(entry['note'])} |"
        )
    free_count = sum(1 for e in cost["resources"] if e["status"] == "free")
    out += ["", f"{free_count} further resources have no charge of their own.", ""]
    discounts = [
        f"{cloud}: {d['kind']} {d['range']} ([source]({d['source']}))"
        for cloud, data in cost["catalogue"].get("clouds", {}).items()
        for d in data.get("discounts", [])
    ]
    if discounts:
        out += ["Spot and commitments (a range, not in the figures above):", ""]
        out += [f"- {_cell(d)}" for d in discounts]
        out.append("")
    return out
