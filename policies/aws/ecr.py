"""ECR rules (architecture 3's model containers): scanning, immutable tags, KMS,
non-public repository policies and lifecycle policies."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)

from ..framework import (
    Category,
    dig,
    is_set,
    items,
    resource_rule,
    stack_rule,
    truthy,
    wildcard_principals,
)
from ..stackscan import uncovered

REPOSITORY = "aws:ecr/repository:Repository"
LIFECYCLE_POLICY = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"

SECURITY = Category.SECURITY
MANDATORY = EnforcementLevel.MANDATORY


@resource_rule(
    name="aws-ecr-repository-require-scan-on-push",
    description="ECR repositories must scan images on push.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set image_scanning_configuration={'scan_on_push': True} (or enable registry-level enhanced scanning).",
    references=["FSBP ECR.1", "PCP aws-ecr-repository-enable-image-scan", "CKV_AWS_163"],
    resource_types=[REPOSITORY],
)
def scan_on_push(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """ML serving images carry large, fast-moving dependency trees (CUDA, Python
    wheels); scanning is how known CVEs are caught before they serve traffic."""
    if not truthy(dig(args.props, "imageScanningConfiguration", "scanOnPush")):
        yield "imageScanningConfiguration.scanOnPush is not true."


@resource_rule(
    name="aws-ecr-repository-require-immutable-tags",
    description="ECR repositories must make image tags immutable.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set image_tag_mutability='IMMUTABLE' and tag images with the commit or model version.",
    references=["FSBP ECR.2", "PCP aws-ecr-repository-disallow-mutable-image", "CKV_AWS_51"],
    resource_types=[REPOSITORY],
)
def immutable_tags(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """With mutable tags the image behind a registered model version can change without
    a deployment, breaking lineage and rollback."""
    value = args.props.get("imageTagMutability")
    if value not in ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"):
        yield f"imageTagMutability is {value or 'unset (MUTABLE)'}."


@resource_rule(
    name="aws-ecr-repository-require-kms",
    description="ECR repositories must encrypt images with KMS.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set encryption_configurations=[{'encryption_type': 'KMS', 'kms_key': key.arn}].",
    references=["PCP aws-ecr-repository-disallow-unencrypted-repository", "CKV_AWS_136"],
    resource_types=[REPOSITORY],
)
def repository_kms(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Model images often embed the model weights; KMS makes pulling them an auditable,
    revocable permission."""
    configs = items(args.props.get("encryptionConfigurations"))
    kinds = [c.get("encryptionType") for c in configs if isinstance(c, Mapping)]
    if not any(kind in ("KMS", "KMS_DSSE") for kind in kinds):
        yield f"encryptionConfigurations[].encryptionType is {kinds[0] if kinds else 'unset (AES256)'}; use 'KMS'."


@resource_rule(
    name="aws-ecr-repository-policy-disallow-public",
    description="ECR repository policies must not allow the wildcard principal without a scoping condition.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Name the pulling accounts or roles, or scope '*' with aws:PrincipalOrgID.",
    references=["CKV_AWS_32"],
    resource_types=[REPOSITORY_POLICY],
)
def repository_policy_public(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """A public repository publishes the model weights inside the image."""
    yield from wildcard_principals(args.props.get("policy"), "policy")


@stack_rule(
    name="aws-ecr-repository-require-lifecycle-policy",
    description="Every ECR repository must have a lifecycle policy.",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Add an aws.ecr.LifecyclePolicy that expires untagged images and keeps the last N tagged ones.",
    references=["FSBP ECR.3"],
    resource_types=[REPOSITORY, LIFECYCLE_POLICY],
)
def repository_lifecycle(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """Model images are gigabytes each and every CI run pushes one; storage grows
    linearly without expiry."""

    def ok(side: PolicyResource) -> bool:
        return is_set(side.props, "policy")

    for repository, _ in uncovered(args, [REPOSITORY], [LIFECYCLE_POLICY], "repository", ok):
        yield f"repository {repository.name} has no lifecycle policy.", repository.urn
