"""BigQuery rules: datasets encrypted with a customer-managed key and never public."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, dig, is_set, items, resource_rule
from .iam import PUBLIC_MEMBERS

DATASET = "gcp:bigquery/dataset:Dataset"


@resource_rule(
    name="gcp-bigquery-dataset-require-cmek",
    description="BigQuery datasets must encrypt new tables with a customer-managed key by default.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set default_encryption_configuration={'kms_key_name': key.id} after granting BigQuery's service agent the key.",
    references=["CKV_GCP_81"],
    resource_types=[DATASET],
)
def dataset_cmek(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Training data and prediction logs (with request payloads) live in these tables."""
    if not is_set(args.props.get("defaultEncryptionConfiguration") or {}, "kmsKeyName"):
        yield "defaultEncryptionConfiguration.kmsKeyName is not set."


@resource_rule(
    name="gcp-bigquery-dataset-disallow-public-access",
    description="BigQuery datasets must not grant access to allUsers or allAuthenticatedUsers.",
    category=Category.SECURITY,
    severity=Severity.CRITICAL,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Remove the public entries from accesses; grant named groups or service accounts.",
    references=["CKV_GCP_15"],
    resource_types=[DATASET],
)
def dataset_public(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A public dataset publishes every table in it, prediction payloads included."""
    for i, access in enumerate(items(args.props.get("accesses"))):
        for key in ("specialGroup", "iamMember"):
            value = dig(access, key)
            if value in PUBLIC_MEMBERS:
                yield f"accesses[{i}].{key} is {value}."
