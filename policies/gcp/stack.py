"""Stack-wide Google Cloud rules: a billing budget, and the cost rules on the plan's
estimate (``mlops_policies.estimate``). Google Cloud has no cost-anomaly resource, so
there is no anomaly rule (docs/cost.md says what to do instead)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity, StackValidationArgs

from ..estimate import cost_rules
from ..framework import Category, stack_rule
from ..quotas import QUOTAS_TYPE, exceeded

BUDGET = "gcp:billing/budget:Budget"


@stack_rule(
    name="gcp-stack-require-budget",
    description="A stack that creates Google Cloud resources should also create a billing budget on its project.",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.ADVISORY,
    remediation="Add a billing.Budget filtered on the project's number with actual and forecast thresholds (mlops-iac:budget creates it).",
    references=["none (project rule: no public control requires a stack to create a budget)"],
    resource_types=[BUDGET],
)
def require_budget(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """Without an anomaly service, the forecast threshold of a budget is the earliest
    warning Google Cloud gives of a runaway node pool or endpoint."""
    types = {r.resource_type for r in args.resources}
    if any(t.startswith("gcp:") for t in types) and BUDGET not in types:
        yield f"the stack creates Google Cloud resources but no {BUDGET}.", None


cost_rules("gcp", __name__, BUDGET)


@stack_rule(
    name="gcp-stack-accelerator-quota",
    description="What a stack's GPU and TPU pools can scale to must fit the quota it "
    "requests or declares, per family and region.",
    category=Category.COST,
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set mlops-iac:quotas.request: true (a quota preference per family), raise "
    "quotas.declared after raising the project's quota, or lower the pools' max_nodes.",
    references=["none (project rule: accelerator capacity within the project's quota)"],
    resource_types=[QUOTAS_TYPE],
)
def accelerator_quota(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """A pool that can scale past the quota fails at the worst time: the autoscaler's
    scale-up is refused while jobs wait."""
    yield from exceeded(args, "gcp")
