"""Artifact Registry rules: CMEK and cleanup policies on every repository."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, is_set, items, resource_rule, truthy

REPOSITORY = "gcp:artifactregistry/repository:Repository"


@resource_rule(
    name="gcp-artifactregistry-repository-require-cmek",
    description="Artifact Registry repositories must be encrypted with a customer-managed key.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set kms_key_name=key.id (fixed at creation) after granting the Artifact Registry service agent the key.",
    references=["CKV_GCP_84"],
    resource_types=[REPOSITORY],
)
def repository_cmek(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Serving images often embed model weights; pipeline templates name data paths."""
    if args.props.get("mode") in ("REMOTE_REPOSITORY", "VIRTUAL_REPOSITORY"):
        return  # proxies of public content
    if not is_set(args.props, "kmsKeyName"):
        yield "kmsKeyName is not set."


@resource_rule(
    name="gcp-artifactregistry-repository-require-cleanup-policy",
    description="Artifact Registry repositories must have active cleanup policies.",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Add cleanup_policies (keep the most recent versions, delete old untagged ones) with cleanup_policy_dry_run=False.",
    references=[
        "none (project rule: no public control requires Artifact Registry cleanup policies)"
    ],
    resource_types=[REPOSITORY],
)
def repository_cleanup(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Every CI run pushes a multi-gigabyte image; storage is billed per GB and month."""
    if not items(args.props.get("cleanupPolicies")):
        yield "cleanupPolicies is empty."
    elif truthy(args.props.get("cleanupPolicyDryRun")):
        yield "cleanupPolicyDryRun is true: the policies delete nothing."
