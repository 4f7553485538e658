"""Stack-wide Azure rules: a consumption budget and a cost anomaly alert, and the cost
rules on the plan's estimate (``mlops_policies.estimate``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity, StackValidationArgs

from ..estimate import cost_rules
from ..framework import Category, stack_rule
from ..quotas import QUOTAS_TYPE, exceeded

BUDGETS = ("azure-native:consumption:Budget", "azure-native:costmanagement:Budget")
SCHEDULED_ACTIONS = (
    "azure-native:costmanagement:ScheduledActionByScope",
    "azure-native:costmanagement:ScheduledAction",
)
INSIGHT_ALERT = "InsightAlert"


def _azure(args: StackValidationArgs) -> bool:
    return any(r.resource_type.startswith("azure-native:") for r in args.resources)


@stack_rule(
    name="azure-stack-require-budget",
    description="A stack that creates Azure resources should also create a cost budget with notifications.",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.ADVISORY,
    remediation="Add a consumption.Budget on the stack's resource group with actual and forecast notifications (mlops-iac:budget creates it).",
    references=["none (project rule: no public control requires a stack to create a budget)"],
    resource_types=list(BUDGETS),
)
def require_budget(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """A budget turns a forgotten compute instance or GPU pool into an e-mail within a
    day instead of a line on next month's invoice."""
    if _azure(args) and not any(r.resource_type in BUDGETS for r in args.resources):
        yield f"the stack creates Azure resources but no {BUDGETS[0]}.", None


@stack_rule(
    name="azure-stack-require-anomaly-alert",
    description="A stack that creates Azure resources should also create a cost anomaly alert (InsightAlert scheduled action).",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.ADVISORY,
    remediation="Add a costmanagement.ScheduledActionByScope with kind InsightAlert on the subscription (mlops-iac:budget creates it).",
    references=["none (project rule: no public control requires a cost anomaly alert)"],
    resource_types=list(SCHEDULED_ACTIONS),
)
def require_anomaly_alert(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """Anomaly alerts catch a new spend pattern whatever its size; a budget only a
    crossed threshold."""
    if not _azure(args):
        return
    alerts = [
        r
        for r in args.resources
        if r.resource_type in SCHEDULED_ACTIONS and r.props.get("kind") == INSIGHT_ALERT
    ]
    if not alerts:
        yield (
            f"the stack creates Azure resources but no {SCHEDULED_ACTIONS[0]} of kind {INSIGHT_ALERT}.",
            None,
        )


cost_rules("azure", __name__, BUDGETS[0])


@stack_rule(
    name="azure-stack-accelerator-quota",
    description="What a stack's node pools and compute clusters can scale to must fit the "
    "vCPU quota the stack declares for the subscription, per VM family and region.",
    category=Category.COST,
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Raise the subscription's quota (Azure portal, Quotas) and then "
    "quotas.declared, or lower the pools' max_nodes.",
    references=["none (project rule: accelerator capacity within the subscription's quota)"],
    resource_types=[QUOTAS_TYPE],
)
def accelerator_quota(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """Azure refuses a scale-out past the family's vCPU quota (QuotaExceeded)."""
    yield from exceeded(args, "azure")
