"""S3 rules. AWS provider v7 configures a bucket through side resources (public access
block, encryption, policy, versioning, ownership, lifecycle), so most bucket rules are
stack rules that look for the side resource configuring each bucket (see
:mod:`..stackscan`); settings made inline on the (deprecated) bucket arguments count too."""

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

from .. import documents
from ..framework import (
    Category,
    dig,
    document,
    items,
    raw,
    resource_rule,
    stack_rule,
    truthy,
    wildcard_principals,
)
from ..stackscan import uncovered

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
BUCKET_ACLS = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE_CONFIGS = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
VERSIONINGS = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
)
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
LIFECYCLES = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)

PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GRANTEES = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")

SECURITY = Category.SECURITY
MANDATORY = EnforcementLevel.MANDATORY


@resource_rule(
    name="aws-s3-bucket-disallow-public-acl",
    description="S3 buckets must not grant public-read, public-read-write or authenticated-read through ACLs.",
    category=SECURITY,
    severity=Severity.CRITICAL,
    enforcement=MANDATORY,
    remediation=(
        "Remove the canned ACL or grant; disable ACLs with BucketOwnershipControls "
        "(BucketOwnerEnforced) and share data through bucket policies or access points."
    ),
    references=[
        "FSBP S3.2",
        "FSBP S3.3",
        "PCP aws-s3-bucket-disallow-public-read",
        "CKV_AWS_20",
        "CKV_AWS_57",
        "CKV2_AWS_43",
    ],
    resource_types=[*BUCKETS, *BUCKET_ACLS],
)
def bucket_public_acl(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A public ACL exposes every object to the internet, whatever the bucket policy says."""
    acl = args.props.get("acl")
    if acl in PUBLIC_ACLS:
        yield f"acl is '{acl}'."
    grants = items(dig(args.props, "accessControlPolicy", "grants")) + items(
        args.props.get("grants")
    )
    for grant in grants:
        uri = dig(grant, "grantee", "uri") or grant.get("uri")
        if uri in PUBLIC_GRANTEES:
            yield f"a grant gives {dig(grant, 'permission') or grant.get('permissions')} to {uri}."


@resource_rule(
    name="aws-s3-public-access-block-require-all",
    description="S3 public access blocks must set all four flags to true.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets to True.",
    references=[
        "FSBP S3.8",
        "CIS AWS Foundations v1.4.0 2.1.5.2",
        "CKV_AWS_53",
        "CKV_AWS_54",
        "CKV_AWS_55",
        "CKV_AWS_56",
    ],
    resource_types=[PUBLIC_ACCESS_BLOCK],
)
def public_access_block_flags(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """Each flag closes a different path (new ACLs, existing ACLs, new policies, existing
    public policies); one false flag reopens it."""
    off = [flag for flag in PAB_FLAGS if not truthy(args.props.get(flag))]
    if off:
        yield f"{', '.join(off)} not true."


@stack_rule(
    name="aws-s3-bucket-require-public-access-block",
    description="Every S3 bucket must have a public access block with all four flags true.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Add an aws.s3.BucketPublicAccessBlock for the bucket with all four flags True.",
    references=["FSBP S3.8", "CIS AWS Foundations v1.4.0 2.1.5.2", "CKV2_AWS_6"],
    resource_types=[*BUCKETS, PUBLIC_ACCESS_BLOCK],
)
def bucket_public_access_block(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """The account-level block may be lifted by another team; a per-bucket block keeps
    the data buckets closed regardless."""

    def complete(side: PolicyResource) -> bool:
        return all(truthy(side.props.get(flag)) for flag in PAB_FLAGS)

    for bucket, sides in uncovered(args, BUCKETS, [PUBLIC_ACCESS_BLOCK], "bucket", complete):
        detail = "has an incomplete public access block" if sides else "has no public access block"
        yield f"bucket {bucket.name} {detail}.", bucket.urn


def _sse_rules(props: Mapping[str, Any]) -> list[Any]:
    found = items(props.get("rules"))
    inline = props.get("serverSideEncryptionConfiguration")
    if isinstance(inline, Mapping):
        found += items(inline.get("rules")) + items(inline.get("rule"))
    rule = props.get("rule")
    if isinstance(rule, Mapping):
        found.append(rule)
    return found


def _uses_kms(props: Mapping[str, Any]) -> bool:
    return any(
        dig(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") in KMS_ALGORITHMS
        for rule in _sse_rules(props)
    )


@stack_rule(
    name="aws-s3-bucket-require-sse-kms",
    description="Every S3 bucket must use SSE-KMS default encryption.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation=(
        "Add an aws.s3.BucketServerSideEncryptionConfiguration with sse_algorithm='aws:kms', "
        "a customer-managed kms_master_key_id and bucket_key_enabled=True."
    ),
    references=[
        "Security Hub S3.17",
        "PCP aws-s3-bucket-configure-server-side-encryption-kms",
        "CKV_AWS_19",
        "CKV_AWS_145",
    ],
    resource_types=[*BUCKETS, *SSE_CONFIGS],
)
def bucket_sse_kms(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """SSE-S3 is always on, but only a KMS key makes reading an object require a second,
    auditable permission (kms:Decrypt) that the platform team controls."""

    def ok(resource: PolicyResource) -> bool:
        return _uses_kms(resource.props)

    for bucket, _ in uncovered(args, BUCKETS, SSE_CONFIGS, "bucket", ok, inline_ok=ok):
        yield f"bucket {bucket.name} has no SSE-KMS default encryption (aws:kms).", bucket.urn


@resource_rule(
    name="aws-s3-bucket-require-bucket-key",
    description="S3 SSE-KMS encryption must enable S3 Bucket Keys.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set bucket_key_enabled=True on the encryption rule.",
    references=["PCP aws-s3-bucket-enable-server-side-encryption-bucket-key"],
    resource_types=[*SSE_CONFIGS, *BUCKETS],
)
def bucket_key(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Without a bucket key every object operation is a KMS request: up to 99 % more KMS
    cost and throttling on large training reads."""
    for rule in _sse_rules(args.props):
        algorithm = dig(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm")
        if algorithm in KMS_ALGORITHMS and not truthy(rule.get("bucketKeyEnabled")):
            yield f"an {algorithm} rule has bucketKeyEnabled unset or false."


def _policy_doc(resource: PolicyResource) -> Any:
    value = resource.props.get("policy")
    if value in (None, ""):
        return None
    try:
        return document(value)
    except ValueError:
        return None


@stack_rule(
    name="aws-s3-bucket-require-tls-only",
    description="Every S3 bucket must have a bucket policy that denies requests without TLS.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation=(
        "Add an aws.s3.BucketPolicy with a Deny statement for Principal '*' on the bucket and "
        "its objects when aws:SecureTransport is 'false'."
    ),
    references=["FSBP S3.5", "CIS AWS Foundations v1.4.0 2.1.2"],
    resource_types=[*BUCKETS, BUCKET_POLICY],
)
def bucket_tls_only(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """S3 still accepts plain HTTP; only a policy can refuse it."""

    def ok(resource: PolicyResource) -> bool:
        return documents.denies_insecure_transport(_policy_doc(resource))

    for bucket, _ in uncovered(args, BUCKETS, [BUCKET_POLICY], "bucket", ok, inline_ok=ok):
        yield f"bucket {bucket.name} has no policy denying aws:SecureTransport=false.", bucket.urn


@resource_rule(
    name="aws-s3-bucket-policy-disallow-public-principal",
    description="S3 bucket policies must not allow the wildcard principal without a scoping condition.",
    category=SECURITY,
    severity=Severity.CRITICAL,
    enforcement=MANDATORY,
    remediation=(
        "Name the principals (account, role ARNs or service principals), or scope '*' with "
        "aws:PrincipalOrgID / aws:SourceVpce / aws:SourceArn conditions."
    ),
    references=["FSBP S3.6", "CKV_AWS_70"],
    resource_types=[BUCKET_POLICY, *BUCKETS],
)
def bucket_policy_public(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """An Allow for '*' makes the bucket public (or cross-account) even with ACLs
    disabled; Deny statements for '*' (like the TLS-only deny) are fine."""
    yield from wildcard_principals(args.props.get("policy"), "policy")


@stack_rule(
    name="aws-s3-bucket-require-versioning",
    description="Every S3 bucket must have versioning enabled.",
    category=SECURITY,
    severity=Severity.LOW,
    enforcement=MANDATORY,
    remediation="Add an aws.s3.BucketVersioning with versioning_configuration={'status': 'Enabled'}.",
    references=["Security Hub S3.14", "CKV_AWS_21"],
    resource_types=[*BUCKETS, *VERSIONINGS],
)
def bucket_versioning(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """Model artifacts and datasets are overwritten in place by pipelines; versions make
    every registered model reproducible and recover deletions."""

    def side_ok(resource: PolicyResource) -> bool:
        return dig(resource.props, "versioningConfiguration", "status") == "Enabled"

    def inline_ok(resource: PolicyResource) -> bool:
        return truthy(dig(resource.props, "versioning", "enabled"))

    for bucket, _ in uncovered(args, BUCKETS, VERSIONINGS, "bucket", side_ok, inline_ok):
        yield (
            f"bucket {bucket.name} has no versioning configuration with status 'Enabled'.",
            bucket.urn,
        )


@stack_rule(
    name="aws-s3-bucket-require-owner-enforced",
    description="Every S3 bucket must disable ACLs with BucketOwnerEnforced object ownership.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Add an aws.s3.BucketOwnershipControls with rule={'object_ownership': 'BucketOwnerEnforced'}.",
    references=["FSBP S3.12", "CKV2_AWS_65"],
    resource_types=[*BUCKETS, OWNERSHIP],
)
def bucket_owner_enforced(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """With ACLs disabled, access is decided by policies alone, which is what every other
    rule here inspects."""

    def ok(resource: PolicyResource) -> bool:
        return dig(resource.props, "rule", "objectOwnership") == "BucketOwnerEnforced"

    for bucket, _ in uncovered(args, BUCKETS, [OWNERSHIP], "bucket", ok):
        yield f"bucket {bucket.name} has no BucketOwnerEnforced ownership controls.", bucket.urn


@stack_rule(
    name="aws-s3-bucket-require-lifecycle",
    description="Every S3 bucket must have a lifecycle configuration.",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation=(
        "Add an aws.s3.BucketLifecycleConfiguration for the bucket: transition cold data, expire "
        "noncurrent versions and abort incomplete multipart uploads."
    ),
    references=["FSBP S3.13", "CKV2_AWS_61"],
    resource_types=[*BUCKETS, *LIFECYCLES],
)
def bucket_lifecycle(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """ML buckets grow without bound (checkpoints, captured payloads, old versions); a
    lifecycle configuration is what keeps storage cost proportional to use."""

    def side_ok(resource: PolicyResource) -> bool:
        return len(items(resource.props.get("rules"))) > 0

    def inline_ok(resource: PolicyResource) -> bool:
        return len(items(raw(resource.props).get("lifecycleRules"))) > 0

    for bucket, _ in uncovered(args, BUCKETS, LIFECYCLES, "bucket", side_ok, inline_ok):
        yield f"bucket {bucket.name} has no lifecycle configuration.", bucket.urn
