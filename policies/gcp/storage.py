"""Cloud Storage rules: uniform bucket-level access, public access prevention, CMEK and
lifecycle rules on every bucket."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, dig, is_set, items, resource_rule, truthy

BUCKET = "gcp:storage/bucket:Bucket"
MANDATORY = EnforcementLevel.MANDATORY


@resource_rule(
    name="gcp-storage-bucket-require-uniform-access",
    description="Cloud Storage buckets must use uniform bucket-level access (IAM only, no object ACLs).",
    category=Category.SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set uniform_bucket_level_access=True.",
    references=["CKV_GCP_29"],
    resource_types=[BUCKET],
)
def uniform_access(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Object ACLs grant access beside IAM, one object at a time, where no review of the
    bucket's policy sees them: training data and models leak through them."""
    if not truthy(args.props.get("uniformBucketLevelAccess")):
        yield "uniformBucketLevelAccess is not true."


@resource_rule(
    name="gcp-storage-bucket-require-public-access-prevention",
    description="Cloud Storage buckets must enforce public access prevention.",
    category=Category.SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set public_access_prevention='enforced'.",
    references=["CKV_GCP_114"],
    resource_types=[BUCKET],
)
def public_access_prevention(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """``enforced`` makes a later allUsers grant fail instead of publishing the data;
    ``inherited`` depends on an organization policy the stack cannot see."""
    value = args.props.get("publicAccessPrevention")
    if value != "enforced":
        yield f"publicAccessPrevention is {value or 'unset (inherited)'}; use 'enforced'."


@resource_rule(
    name="gcp-storage-bucket-require-cmek",
    description="Cloud Storage buckets must encrypt objects with a customer-managed key by default.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set encryption={'default_kms_key_name': key.id} and grant the Cloud Storage service agent the key first.",
    references=[
        "none (project rule: Checkov has no Cloud Storage CMEK check; the organization policy for non-CMEK services applies project-wide)"
    ],
    resource_types=[BUCKET],
)
def bucket_cmek(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A customer-managed key makes reading the data an auditable, revocable permission
    of its own, separate from the bucket's IAM."""
    if not is_set(args.props.get("encryption") or {}, "defaultKmsKeyName"):
        yield "encryption.defaultKmsKeyName is not set."


@resource_rule(
    name="gcp-storage-bucket-require-lifecycle",
    description="Cloud Storage buckets must tier or expire objects (lifecycle rules or Autoclass).",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Add lifecycle_rules (SetStorageClass / Delete) or enable autoclass.",
    references=["none (project rule: no public control requires lifecycle rules on buckets)"],
    resource_types=[BUCKET],
)
def bucket_lifecycle(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Pipeline runs write artifacts on every run; without tiering or expiry the
    bucket's bill only grows."""
    if items(args.props.get("lifecycleRules")):
        return
    if truthy(dig(args.props, "autoclass", "enabled")):
        return
    yield "no lifecycleRules and autoclass is not enabled."
