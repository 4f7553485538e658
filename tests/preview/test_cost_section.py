"""The plan's cost section on the project's own stacks: every resource priced, usage,
free or unpriced (none silently zero), the contract's fields, the Markdown section, and
a budget in every stack."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from mlops_preview.cost import cost_markdown, estimate_cost
from mlops_preview.report import PlanResult, to_json_dict, to_markdown
from mlops_preview.runner import Recording, plan_stack

ROOT = Path(__file__).resolve().parents[2]
DEV_STACKS = ("aws-dev", "azure-dev", "gcp-dev")
BUDGETS = {
    "aws-dev": {"aws:budgets/budget:Budget", "aws:costexplorer/anomalyMonitor:AnomalyMonitor"},
    "azure-dev": {
        "azure-native:consumption:Budget",
        "azure-native:costmanagement:ScheduledActionByScope",
    },
    "gcp-dev": {"gcp:billing/budget:Budget"},
}


@cache
def planned(stack: str) -> Recording:
    return plan_stack(ROOT, stack)


@cache
def cost_of(stack: str) -> dict[str, Any]:
    return estimate_cost(planned(stack))


@pytest.mark.parametrize("stack", DEV_STACKS)
def test_every_resource_has_a_status_and_a_known_type(stack: str) -> None:
    cost = cost_of(stack)
    assert cost["currency"] == "USD" and cost["hours_per_month"] == 730
    for entry in cost["resources"]:
        assert entry["status"] in ("priced", "usage-only", "free", "unpriced")
        assert "no pricer" not in entry["note"], entry["type"]
        if entry["status"] == "unpriced":
            assert entry["baseline_monthly"] is None and entry["missing"]
        else:
            assert entry["baseline_monthly"] is not None
        if entry["status"] == "usage-only":
            assert entry["usage"] and all(u["unit_price"] > 0 for u in entry["usage"])
        for price in entry["prices"]:
            assert price["source"].startswith("https://") and price["date"]
    assert any(a["type"].endswith(":StackBudget") for a in cost["architectures"])


@pytest.mark.parametrize("stack", DEV_STACKS)
def test_every_stack_has_its_budget_and_anomaly_alert(stack: str) -> None:
    types = {r.type for r in planned(stack).resources}
    assert BUDGETS[stack] <= types
    budgets = cost_of(stack)["budgets"]
    # The amount the stack file sets (each stack's budget covers its own baseline).
    config = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    assert [b["amount_monthly"] for b in budgets] == [
        float(config["mlops-iac:budget"]["amount_usd"])
    ]


def test_markdown_section_names_the_drivers_and_the_unpriced() -> None:
    recording = planned("aws-dev")
    result = PlanResult(recording, cost=cost_of("aws-dev"))
    markdown = to_markdown(result)
    assert "## Cost" in markdown
    assert "What keeps the baseline above zero: containers-cluster ($73.00)" in markdown
    assert "| **unpriced** |" in markdown
    assert "plus usage" in markdown
    assert "Budget (aws): $600.00 a month for a baseline of $" in markdown
    assert "Spot and commitments (a range, not in the figures above):" in markdown
    assert to_json_dict(result)["cost"]["total"]["baseline_monthly"] == pytest.approx(
        cost_of("aws-dev")["total"]["baseline_monthly"]
    )


def test_no_estimate_renders_no_section() -> None:
    assert cost_markdown({}) == []


def test_default_providers_give_the_region_and_other_regions_are_missing() -> None:
    recording = plan_stack(ROOT / "tests" / "fixtures" / "programs" / "minimal", "dev")
    by_name = {e["name"]: e for e in estimate_cost(recording)["resources"]}
    store = by_name["store"]
    assert store["region"] == "eu-central-1"
    assert store["status"] == "unpriced"
    assert store["missing"] == ["aws/s3/STANDARD/eu-central-1"]
    assert "no aws prices for region eu-central-1" in store["note"]
