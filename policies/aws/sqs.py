"""SQS rules (architecture 2's dead-letter queues): encryption with a customer key."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, is_set, resource_rule

QUEUE = "aws:sqs/queue:Queue"


@resource_rule(
    name="aws-sqs-queue-require-kms",
    description="SQS queues must be encrypted with a customer-managed KMS key.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Set kms_master_key_id to the stack's key; producers (e.g. a Lambda function's role) "
        "need kms:GenerateDataKey and kms:Decrypt on it."
    ),
    references=["CKV_AWS_27"],
    resource_types=[QUEUE],
)
def queue_kms(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Dead-letter queues hold the events that failed: data paths, request payloads.
    SQS-managed encryption protects them at rest but gives no key policy or audit trail
    of who decrypted them."""
    if not is_set(args.props, "kmsMasterKeyId"):
        yield "kmsMasterKeyId is not set."
