"""An S3 bucket that is private, versioned, KMS-encrypted, TLS-only and tiered."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from .. import naming
from ..retention import is_protected, stateful_options
from ..settings import LifecycleSettings, Retention
from .lifecycle import EXPIRY_RULE_ID_PREFIX, LIFECYCLE_RULE_ID, lifecycle_rules

__all__ = [
    "EXPIRY_RULE_ID_PREFIX",
    "LIFECYCLE_RULE_ID",
    "EncryptedBucket",
    "EncryptedBucketArgs",
    "bucket_policy",
    "lifecycle_rules",
]

BUCKET_LOGICAL_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,53}[a-z0-9])?$")
"""Pulumi names the bucket ``<name>-<7 random characters>``; S3 allows 63 lower-case
characters, so the logical name must be lower-case and at most 55 long."""

KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/.+$")
IAM_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(root|role/.+|user/.+)$")


@dataclass
class EncryptedBucketArgs:
    kms_key_arn: pulumi.Input[str]
    """ARN of the customer-managed key (``KmsKey.key_arn``) used for default encryption."""
    tags: Mapping[str, str]
    """Already-merged tags (``tags.merge_tags``), set on the bucket."""
    retention: Retention = Retention.DESTROYABLE
    """``destroyable``: ``force_destroy`` empties the bucket when the stack goes.
    ``protected``: the bucket and every configuration child get ``protect`` and
    ``retain_on_delete``, so a retained bucket keeps its encryption, public access
    block and policy."""
    lifecycle: LifecycleSettings = field(default_factory=LifecycleSettings)
    """Storage tiering and expiry; see ``LifecycleSettings`` for the defaults."""
    read_principals: Sequence[pulumi.Input[str]] = ()
    """IAM role/user/account-root ARNs granted ``s3:GetObject`` and
    ``s3:GetObjectVersion`` on the objects under ``read_prefix`` (e.g. another
    account's model execution role). They also need ``kms:Decrypt`` on the key and the
    same actions in their own IAM policy."""
    read_prefix: str = ""
    """Folder the ``read_principals`` may read, e.g. ``models/``; empty: the whole bucket."""
    eventbridge: bool = False
    """Send every object event of the bucket to EventBridge (rules then pick what they
    need, e.g. new objects under a prefix). Free for the bucket; EventBridge bills the
    rules' matches."""
    kept_prefixes: Sequence[str] = ()
    """Folders no expiry rule may touch (e.g. ``models/`` holding artifacts that
    registered model packages point to); an ``expire`` rule overlapping one is a
    ``ValueError``."""


def bucket_policy(
    bucket_arn: str, read_principals: Sequence[str], read_prefix: str = ""
) -> dict[str, Any]:
    """Deny plain HTTP and uploads that ask for non-KMS encryption; optionally allow
    named principals to read the objects under ``read_prefix``. The ``*`` principal
    appears only in denies."""
    objects = f"{bucket_arn}/*"
    statements: list[dict[str, Any]] = [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket_arn, objects],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            # Default encryption covers uploads without the header; this stops a client
            # from choosing SSE-S3 (AES256) and so escaping the key's access control.
            "Sid": "DenyNonKmsEncryption",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": objects,
            "Condition": {
                "StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}
            },
        },
    ]
    if read_principals:
        statements.append(
            {
                "Sid": "ReadObjects",
                "Effect": "Allow",
                "Principal": {"AWS": sorted(read_principals)},
                "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                "Resource": f"{bucket_arn}/{read_prefix}*",
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


class EncryptedBucket(pulumi.ComponentResource):
    """A private S3 bucket for ML data and artifacts.

    Versioned (models and datasets can be restored), SSE-KMS with an S3 bucket key
    (fewer KMS requests, lower cost), owner-enforced object ownership (ACLs off), all
    four public access blocks on, a TLS-only bucket policy and lifecycle tiering.
    """

    bucket: aws.s3.Bucket
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    versioning: aws.s3.BucketVersioning
    encryption: aws.s3.BucketServerSideEncryptionConfiguration
    lifecycle: aws.s3.BucketLifecycleConfiguration
    public_access_block: aws.s3.BucketPublicAccessBlock
    ownership_controls: aws.s3.BucketOwnershipControls
    policy: aws.s3.BucketPolicy
    notification: aws.s3.BucketNotification | None

    def __init__(
        self, name: str, args: EncryptedBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:aws:EncryptedBucket", name, None, opts)
        if not BUCKET_LOGICAL_NAME.match(name):
            raise ValueError(
                f"name: {name!r} must be 1-55 lower-case letters, digits and hyphens "
                "(it prefixes the S3 bucket name)"
            )
        _check_expiry(args)

        def child_opts(*depends_on: pulumi.Resource) -> pulumi.ResourceOptions:
            # Every configuration child follows the bucket, so a retained bucket keeps
            # its encryption, public access block and policy.
            return stateful_options(args.retention, self, depends_on=depends_on)

        kms_key_arn = pulumi.Output.from_input(args.kms_key_arn).apply(_checked_key_arn)

        self.bucket = aws.s3.Bucket(
            naming.child(name),
            force_destroy=not is_protected(args.retention),
            tags=dict(args.tags),
            opts=child_opts(),
        )
        bucket_id = self.bucket.id
        self.ownership_controls = aws.s3.BucketOwnershipControls(
            naming.child(name, "ownership"),
            bucket=bucket_id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child_opts(),
        )
        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            naming.child(name, "public-access"),
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child_opts(),
        )
        self.versioning = aws.s3.BucketVersioning(
            naming.child(name, "versioning"),
            bucket=bucket_id,
            versioning_configuration={"status": "Enabled"},
            opts=child_opts(),
        )
        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            naming.child(name, "encryption"),
            bucket=bucket_id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": kms_key_arn,
                    },
                    "bucket_key_enabled": True,
                }
            ],
            opts=child_opts(),
        )
        # Noncurrent-version rules need versioning in place first (AWS provider docs).
        self.lifecycle = aws.s3.BucketLifecycleConfiguration(
            naming.child(name, "lifecycle"),
            bucket=bucket_id,
            rules=lifecycle_rules(args.lifecycle),
            opts=child_opts(self.versioning),
        )
        principals = [
            pulumi.Output.from_input(p).apply(lambda arn, i=i: _checked_principal(i, arn))
            for i, p in enumerate(args.read_principals)
        ]
        policy = pulumi.Output.all(self.bucket.arn, *principals).apply(
            lambda values: json.dumps(bucket_policy(values[0], values[1:], args.read_prefix))
        )
        # S3 rejects a bucket policy while the public access block is still being
        # applied (a race seen as AccessDenied), so the policy waits for it.
        self.policy = aws.s3.BucketPolicy(
            naming.child(name, "policy"),
            bucket=bucket_id,
            policy=policy,
            opts=child_opts(self.public_access_block, self.ownership_controls),
        )

        self.notification = None
        if args.eventbridge:
            self.notification = aws.s3.BucketNotification(
                naming.child(name, "notifications"),
                bucket=bucket_id,
                eventbridge=True,
                opts=child_opts(),
            )

        self.bucket_name = self.bucket.bucket
        self.bucket_arn = self.bucket.arn
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})


def _check_expiry(args: EncryptedBucketArgs) -> None:
    overlapping = args.lifecycle.expired_prefixes_overlapping(args.kept_prefixes)
    if overlapping:
        raise ValueError(
            f"lifecycle.expire: {', '.join(overlapping)} would expire objects under a kept "
            f"prefix ({', '.join(args.kept_prefixes)}); expire scratch prefixes only"
        )


def _checked_key_arn(arn: str) -> str:
    # ``None`` only occurs under test mocks that do not fill computed outputs.
    if arn is not None and not KMS_KEY_ARN.match(arn):
        raise pulumi.InputPropertyError(
            "kms_key_arn", f"{arn!r} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)"
        )
    return arn


def _checked_principal(index: int, arn: str) -> str:
    if not isinstance(arn, str) or not IAM_PRINCIPAL_ARN.match(arn):
        raise pulumi.InputPropertyError(
            f"read_principals[{index}]",
            f"{arn!r} is not an IAM role, user or account-root ARN; '*' is never allowed",
        )
    return arn
