"""Dataflow security rules (architecture 8's processing): private worker IPs and
customer-managed encryption of job state."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, is_set, resource_rule

JOB_TYPES = ["gcp:dataflow/flexTemplateJob:FlexTemplateJob", "gcp:dataflow/job:Job"]


@resource_rule(
    name="gcp-dataflow-job-require-private-ips",
    description="Dataflow jobs must run workers without external IP addresses.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set ip_configuration='WORKER_IP_PRIVATE' and a subnet with Private Google Access.",
    references=["CKV_GCP_94"],
    resource_types=JOB_TYPES,
)
def private_ips(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Workers with public IPs reach and are reachable from the internet."""
    if args.props.get("ipConfiguration") != "WORKER_IP_PRIVATE":
        yield "ipConfiguration is not WORKER_IP_PRIVATE."


@resource_rule(
    name="gcp-dataflow-job-require-kms",
    description="Dataflow jobs must encrypt their state with a customer-managed key.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set kms_key_name to the foundation's key (its Dataflow and Compute Engine "
    "agents need roles/cloudkms.cryptoKeyEncrypterDecrypter).",
    references=["CKV_GCP_90"],
    resource_types=JOB_TYPES,
)
def kms(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Shuffle, streaming state and worker disks hold the data being processed."""
    if not is_set(args.props, "kmsKeyName"):
        yield "kmsKeyName is not set."
