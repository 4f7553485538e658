"""Stack-wide Azure rules."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity, StackValidationArgs

from ..framework import Category, stack_rule
from ..quotas import QUOTAS_TYPE, exceeded


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
