"""Stack-wide Google Cloud rules."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity, StackValidationArgs

from ..framework import Category, stack_rule
from ..quotas import QUOTAS_TYPE, exceeded


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
