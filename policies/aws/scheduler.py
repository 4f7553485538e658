"""EventBridge Scheduler rules (architecture 2's scheduled retraining): a customer key
for the schedule's target input, and retries that end."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, is_set, resource_rule

SCHEDULE = "aws:scheduler/schedule:Schedule"


@resource_rule(
    name="aws-scheduler-schedule-require-kms",
    description="EventBridge Scheduler schedules must encrypt their target input with a customer-managed KMS key.",
    category=Category.SECURITY,
    severity=Severity.LOW,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Set kms_key_arn to the stack's key and allow kms:Decrypt on it in the schedule's "
        "execution role."
    ),
    references=["none (project rule: no public control checks Scheduler encryption)"],
    resource_types=[SCHEDULE],
)
def schedule_kms(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A schedule's target input (bucket names, prefixes, sometimes parameters) is
    stored with the schedule; with the AWS owned key nobody can audit or revoke its use."""
    if not is_set(args.props, "kmsKeyArn"):
        yield "kmsKeyArn is not set."
