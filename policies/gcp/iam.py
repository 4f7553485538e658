"""IAM rules: no public members on any grant, no service account keys, no basic roles
on the project, no project-wide impersonation roles, no admin roles for service
accounts, and workload identity providers that trust only named identities."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, is_set, items, matches_any, resource_rule, string_list_schema

PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")
"""IAM's two public principals (https://cloud.google.com/iam/docs/principals-overview)."""

MEMBER_TYPES = (
    "gcp:storage/bucketIAMMember:BucketIAMMember",
    "gcp:storage/bucketIAMBinding:BucketIAMBinding",
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
    "gcp:kms/cryptoKeyIAMBinding:CryptoKeyIAMBinding",
    "gcp:kms/keyRingIAMMember:KeyRingIAMMember",
    "gcp:kms/keyRingIAMBinding:KeyRingIAMBinding",
    "gcp:projects/iAMMember:IAMMember",
    "gcp:projects/iAMBinding:IAMBinding",
    "gcp:serviceaccount/iAMMember:IAMMember",
    "gcp:serviceaccount/iAMBinding:IAMBinding",
    "gcp:bigquery/datasetIamMember:DatasetIamMember",
    "gcp:bigquery/datasetIamBinding:DatasetIamBinding",
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    "gcp:artifactregistry/repositoryIamBinding:RepositoryIamBinding",
)
"""The ``*IAMMember`` / ``*IAMBinding`` resources of the services the architectures use."""

PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"
PROJECT_BINDING = "gcp:projects/iAMBinding:IAMBinding"
SERVICE_ACCOUNT_KEY = "gcp:serviceaccount/key:Key"
WIF_PROVIDER = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider"

BASIC_ROLES = ("roles/owner", "roles/editor", "roles/viewer")
IMPERSONATION_ROLES = ("roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator")

MANDATORY = EnforcementLevel.MANDATORY
SECURITY = Category.SECURITY


def members(props: Mapping[str, Any]) -> list[str]:
    """The member of a ``*IAMMember`` or the members of a ``*IAMBinding``."""
    found = items(props.get("members"))
    if props.get("member") is not None:
        found.append(props.get("member"))
    return [m for m in found if isinstance(m, str)]


@resource_rule(
    name="gcp-iam-member-disallow-public",
    description="IAM grants on buckets, keys, repositories, datasets, service accounts and the project must not name allUsers or allAuthenticatedUsers.",
    category=SECURITY,
    severity=Severity.CRITICAL,
    enforcement=MANDATORY,
    remediation="Grant named groups, service accounts or federated principals instead.",
    references=["CKV_GCP_28", "CKV_GCP_101", "CKV2_GCP_6"],
    resource_types=list(MEMBER_TYPES),
)
def public_member(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A public grant publishes training data, models or images, or lets anyone use a
    key or act as a service account."""
    for member in members(args.props):
        if member in PUBLIC_MEMBERS:
            yield f"member {member} is public."


@resource_rule(
    name="gcp-serviceaccount-key-disallow",
    description="Service account keys must not be created: workloads use attached service accounts, Workload Identity or impersonation.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Remove the key; attach the service account to the workload or federate the external identity (Workload Identity Federation).",
    references=[
        "CKV2_GCP_3",
        "Org policy constraints/iam.managed.disableServiceAccountKeyCreation",
    ],
    resource_types=[SERVICE_ACCOUNT_KEY],
)
def no_keys(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A key is a long-lived credential that ends up in CI secrets and laptops."""
    yield "a user-managed service account key is created."


@resource_rule(
    name="gcp-project-iam-disallow-basic-roles",
    description="Project IAM grants must not use the basic roles owner, editor or viewer.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Grant predefined roles on the resources the identity uses (roles/aiplatform.user, roles/storage.objectViewer on one bucket ...).",
    references=["CKV_GCP_117"],
    resource_types=[PROJECT_MEMBER, PROJECT_BINDING],
)
def basic_roles(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Basic roles reach nearly every resource of the project."""
    role = args.props.get("role")
    if role in BASIC_ROLES:
        yield f"role {role} is a basic role."


@resource_rule(
    name="gcp-project-iam-disallow-impersonation-roles",
    description="Service Account User and Token Creator must be granted on single service accounts, not on the project.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Grant the role with serviceaccount.IAMMember on the one account to impersonate.",
    references=["CKV_GCP_41", "CKV_GCP_49"],
    resource_types=[PROJECT_MEMBER, PROJECT_BINDING],
)
def impersonation(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """On the project these roles let the holder act as every service account in it,
    including ones with far more access."""
    role = args.props.get("role")
    if role in IMPERSONATION_ROLES:
        yield f"role {role} is granted on the whole project."


@resource_rule(
    name="gcp-project-iam-disallow-service-account-admin",
    description="Service accounts must not hold admin roles (or owner/editor) on the project, except the deploy accounts the config names.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Give the workload's service account the narrow predefined roles it needs; only a deploy identity (named in allowedDeployAccounts) manages resources.",
    references=["CKV_GCP_42"],
    resource_types=[PROJECT_MEMBER, PROJECT_BINDING],
    config_schema={
        "allowedDeployAccounts": string_list_schema(
            "Service account e-mail patterns of the stack's deploy identities "
            "(components/gcp/ci_identity.py: <prefix>-deploy@<project>.iam.gserviceaccount.com), "
            "which may hold admin roles: a deploy manages the resources. Empty: none.",
            [],
        )
    },
)
def service_account_admin(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A compromised workload with an admin role owns the project. The keyless CI deploy
    identity needs the admin role of each service it deploys to; it is exempt only when
    the environment's config names its e-mail (``allowedDeployAccounts``, default none),
    so a workload account never inherits the exemption by its role or by accident."""
    role = str(args.props.get("role") or "")
    admin = role in ("roles/owner", "roles/editor") or role.lower().endswith("admin")
    if not admin:
        return
    allowed = [str(p) for p in items(config.get("allowedDeployAccounts"))]
    for member in members(args.props):
        kind, _, email = member.partition(":")
        if kind == "serviceAccount" and not matches_any(email, allowed):
            yield f"service account {email} gets {role}."


@resource_rule(
    name="gcp-iam-workload-identity-provider-require-attribute-condition",
    description="Workload identity pool providers must restrict which external identities may exchange tokens (attribute_condition).",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set attribute_condition to name the repository, namespace or subject prefix that may federate.",
    references=["CKV_GCP_118"],
    resource_types=[WIF_PROVIDER],
)
def provider_condition(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Without a condition every token of the issuer (every repository of a shared CI
    issuer, every service account of a cluster) becomes a principal in the pool."""
    if not is_set(args.props, "attributeCondition"):
        yield "attributeCondition is not set."
