"""Stack-wide AWS rules that look at the stack as a whole rather than one service."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity, StackValidationArgs

from ..estimate import cost_rules
from ..framework import Category, stack_rule
from ..quotas import QUOTAS_TYPE, exceeded

BUDGET = "aws:budgets/budget:Budget"


@stack_rule(
    name="aws-stack-require-budget",
    description="A stack that creates AWS resources should also create an AWS Budget with alerts.",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.ADVISORY,
    remediation=(
        "Add an aws.budgets.Budget (budget_type='COST') with notifications at 80 % ACTUAL and "
        "100 % FORECASTED to the platform team's topic or address."
    ),
    references=["none (project rule: no public control requires a stack to create an AWS Budget)"],
    resource_types=[BUDGET],
)
def require_budget(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """A budget turns a runaway endpoint or training loop into an alert within hours
    instead of a surprise on the invoice. Advisory by default for stacks outside this
    project; the project's policy config makes it mandatory in every environment
    (``mlops-iac:budget`` creates the budget)."""
    resources = [r for r in args.resources if r.resource_type.startswith("aws:")]
    if resources and not any(r.resource_type == BUDGET for r in resources):
        yield f"the stack creates {len(resources)} AWS resources but no {BUDGET}.", None


@stack_rule(
    name="aws-stack-accelerator-quota",
    description="What a stack's instances, jobs and endpoints can scale to must fit the "
    "quota it requests or declares, per family and region.",
    category=Category.COST,
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Raise the quota (Service Quotas) and quotas.declared, set quotas.request "
    "where the quota code is known, or lower the maximum instance counts.",
    references=["none (project rule: accelerator capacity within the account's quota)"],
    resource_types=[QUOTAS_TYPE],
)
def accelerator_quota(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """A scale-out past the quota is refused (ResourceLimitExceeded) exactly under load."""
    yield from exceeded(args, "aws")


ANOMALY_MONITOR = "aws:costexplorer/anomalyMonitor:AnomalyMonitor"
ANOMALY_SUBSCRIPTION = "aws:costexplorer/anomalySubscription:AnomalySubscription"


@stack_rule(
    name="aws-stack-require-anomaly-alert",
    description="A stack that creates AWS resources should also create a Cost Anomaly Detection monitor with a subscription.",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.ADVISORY,
    remediation=(
        "Add an aws.costexplorer.AnomalyMonitor on the stack's environment tag and an "
        "AnomalySubscription that e-mails the platform team (mlops-iac:budget does both)."
    ),
    references=[
        "none (project rule: no public control requires a stack to create a cost anomaly monitor)"
    ],
    resource_types=[ANOMALY_MONITOR, ANOMALY_SUBSCRIPTION],
)
def require_anomaly_alert(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """A budget alerts once a threshold is crossed; an anomaly monitor notices a spend
    pattern that is new (a forgotten GPU endpoint) within a day, whatever the amount."""
    types = {r.resource_type for r in args.resources}
    if not any(t.startswith("aws:") for t in types):
        return
    for needed in (ANOMALY_MONITOR, ANOMALY_SUBSCRIPTION):
        if needed not in types:
            yield f"the stack creates AWS resources but no {needed}.", None


cost_rules("aws", __name__, BUDGET)
