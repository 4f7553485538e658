"""A Cloud Storage bucket that is private, CMEK-encrypted and tiered."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_gcp as gcp
from pulumi_gcp.storage import BucketEncryptionArgsDict, BucketLifecycleRuleArgsDict

from .. import naming
from ..retention import is_protected, stateful_options
from ..settings import LifecycleSettings, Retention
from ._common import checked_key_id, deletion_policy, label_problems, raise_problems

SERVICES = ("storage.googleapis.com",)
"""APIs this block needs enabled (``ProjectServices``)."""

BUCKET_LOGICAL_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,53}[a-z0-9])?$")
"""Pulumi names the bucket ``<name>-<7 random characters>``; GCS allows 63 lower-case
letters, digits, ``-``, ``_`` and ``.`` (https://cloud.google.com/storage/docs/buckets#naming),
so the logical name must be lower-case and at most 55 long."""

LOCATION = re.compile(r"^[a-z]+(-[a-z0-9]+)*[0-9]?$", re.IGNORECASE)
"""A region (``europe-west4``), multi-region (``EU``) or dual-region (``EUR4``); GCS
takes either case."""

KMS_LOCATION_OF_MULTI_REGION = {"eu": "europe", "us": "us", "asia": "asia"}
"""Cloud KMS location of the key for a multi-region bucket: an ``EU`` bucket takes a
key from the ``europe`` multi-region
(https://cloud.google.com/storage/docs/encryption/customer-managed-keys#restrictions)."""

SOFT_DELETE_SECONDS = {Retention.DESTROYABLE: 0, Retention.PROTECTED: 7 * 86_400}
"""Soft delete keeps deleted objects restorable (and billed) for 7-90 days; ``0`` turns
it off (``BucketSoftDeletePolicyArgs``). Off for ``destroyable`` buckets, whose data is
scratch; 7 days for ``protected`` ones."""

ArchiveClass = Literal["COLDLINE", "ARCHIVE"]


@dataclass
class DataBucketArgs:
    location: str
    """Bucket location: a region (``europe-west4``, the default for ML data next to the
    compute) or a multi-/dual-region (``EU``). The key must be in the same location."""
    kms_key_id: pulumi.Input[str] | None
    """``CmekKey.key_id`` for default encryption, or ``None`` for Google-managed keys.
    Must be given explicitly: CMEK is the paved road."""
    labels: Mapping[str, str]
    """Already-merged labels (``tags.merge_tags``), set on the bucket."""
    kms_key_grants: Sequence[pulumi.Resource] = ()
    """The Cloud Storage service agent's grant on the key
    (``CmekKey.grant("storage.googleapis.com")``). The bucket waits for it: otherwise its
    creation races the grant and fails with 403 (hashicorp/terraform-provider-google#7611). Required with
    ``kms_key_id``."""
    retention: Retention = Retention.DESTROYABLE
    """``destroyable``: no versioning, no soft delete, ``force_destroy``.
    ``protected``: object versioning, 7-day soft delete, ``protect`` +
    ``retain_on_delete`` and ``deletion_policy=PREVENT``."""
    lifecycle: LifecycleSettings = field(default_factory=LifecycleSettings)
    """Storage tiering and expiry per prefix; see ``lifecycle_rules``."""
    archive_storage_class: ArchiveClass = "COLDLINE"
    """Class for ``lifecycle.archive_after_days``: ``COLDLINE`` (90-day minimum storage,
    the counterpart of S3 Glacier Instant Retrieval) or ``ARCHIVE`` (365-day minimum,
    cheapest storage, dearest reads)."""
    autoclass: Literal["NEARLINE", "ARCHIVE"] | None = None
    """Let Autoclass move objects by access instead of age rules, down to this terminal
    class. Autoclass refuses ``SetStorageClass`` lifecycle actions, so the lifecycle's
    ``infrequent_access_after_days`` and ``archive_after_days`` must then be ``null``."""
    kept_prefixes: Sequence[str] = ()
    """Folders no expiry rule may touch (e.g. ``models/``)."""
    project: str | None = None
    """Project of the bucket; ``None``: the provider's project."""


def lifecycle_rules(
    settings: LifecycleSettings,
    *,
    versioned: bool,
    archive_storage_class: ArchiveClass = "COLDLINE",
    autoclass: bool = False,
) -> list[BucketLifecycleRuleArgsDict]:
    """The bucket's lifecycle rules built from ``settings``.

    - ``infrequent_access_after_days`` → ``SetStorageClass`` ``NEARLINE`` (30-day
      minimum storage duration) for ``STANDARD`` objects;
    - ``archive_after_days`` → ``SetStorageClass`` ``archive_storage_class`` for
      ``STANDARD`` and ``NEARLINE`` objects (``matches_storage_class`` keeps a rule from
      moving an object back up);
    - each ``expire`` rule → ``Delete`` after its days, only under its prefix
      (``matches_prefix``), never the whole bucket;
    - with versioning, noncurrent versions are deleted ``noncurrent_expire_after_days``
      after they were replaced (``days_since_noncurrent_time``);
    - unfinished multipart uploads are aborted after
      ``abort_incomplete_multipart_after_days`` (``AbortIncompleteMultipartUpload``).

    With Autoclass no storage-class rule is written: Autoclass "manages all aspects of
    storage classes for a bucket" (https://cloud.google.com/storage/docs/autoclass) and
    GCS does not take ``SetStorageClass`` rules beside it.
    Rule reference: https://cloud.google.com/storage/docs/lifecycle#actions
    """
    rules: list[BucketLifecycleRuleArgsDict] = []
    if not autoclass and settings.infrequent_access_after_days is not None:
        rules.append(
            {
                "action": {"type": "SetStorageClass", "storage_class": "NEARLINE"},
                "condition": {
                    "age": settings.infrequent_access_after_days,
                    "matches_storage_classes": ["STANDARD"],
                },
            }
        )
    if not autoclass and settings.archive_after_days is not None:
        rules.append(
            {
                "action": {"type": "SetStorageClass", "storage_class": archive_storage_class},
                "condition": {
                    "age": settings.archive_after_days,
                    "matches_storage_classes": ["STANDARD", "NEARLINE"],
                },
            }
        )
    for rule in settings.expire:
        rules.append(
            {
                "action": {"type": "Delete"},
                "condition": {"age": rule.after_days, "matches_prefixes": [rule.prefix]},
            }
        )
    if versioned:
        rules.append(
            {
                "action": {"type": "Delete"},
                "condition": {
                    "days_since_noncurrent_time": settings.noncurrent_expire_after_days,
                    "with_state": "ARCHIVED",
                },
            }
        )
    rules.append(
        {
            "action": {"type": "AbortIncompleteMultipartUpload"},
            "condition": {"age": settings.abort_incomplete_multipart_after_days},
        }
    )
    return rules


def key_location(bucket_location: str) -> str:
    """The Cloud KMS location a key for a bucket in ``bucket_location`` must have."""
    lowered = bucket_location.lower()
    return KMS_LOCATION_OF_MULTI_REGION.get(lowered, lowered)


class DataBucket(pulumi.ComponentResource):
    """A private GCS bucket for ML data and artifacts.

    Uniform bucket-level access (IAM only, no object ACLs), public access prevention
    ``enforced`` (no ``allUsers`` grant can ever take effect), CMEK default encryption,
    lifecycle tiering or Autoclass, and versioning plus soft delete when protected.
    """

    bucket: gcp.storage.Bucket
    bucket_name: pulumi.Output[str]
    bucket_url: pulumi.Output[str]

    def __init__(
        self, name: str, args: DataBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:DataBucket", name, None, opts)
        _validate(name, args)
        protected = is_protected(args.retention)

        encryption: BucketEncryptionArgsDict | None = None
        if args.kms_key_id is not None:
            key_id = pulumi.Output.from_input(args.kms_key_id).apply(
                checked_key_id("kms_key_id", key_location(args.location))
            )
            encryption = {"default_kms_key_name": key_id}

        self.bucket = gcp.storage.Bucket(
            naming.child(name),
            location=args.location,
            project=args.project,
            storage_class="STANDARD",
            uniform_bucket_level_access=True,
            public_access_prevention="enforced",
            encryption=encryption,
            versioning={"enabled": protected},
            soft_delete_policy={"retention_duration_seconds": SOFT_DELETE_SECONDS[args.retention]},
            autoclass=(
                {"enabled": True, "terminal_storage_class": args.autoclass}
                if args.autoclass
                else None
            ),
            lifecycle_rules=lifecycle_rules(
                args.lifecycle,
                versioned=protected,
                archive_storage_class=args.archive_storage_class,
                autoclass=args.autoclass is not None,
            ),
            force_destroy=not protected,
            deletion_policy=deletion_policy(args.retention),
            labels=dict(args.labels),
            opts=stateful_options(args.retention, self, depends_on=args.kms_key_grants),
        )
        self.bucket_name = self.bucket.name
        self.bucket_url = self.bucket.url
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_url": self.bucket_url})


def _validate(name: str, args: DataBucketArgs) -> None:
    problems = label_problems(args.labels)
    if not BUCKET_LOGICAL_NAME.match(name):
        problems.append(
            f"name: {name!r} must be 1-55 lower-case letters, digits and hyphens "
            "(it prefixes the bucket name)"
        )
    if "google" in name or name.startswith("goog"):
        problems.append(f"name: {name!r}: GCS refuses bucket names with 'google' or 'goog…'")
    if not LOCATION.match(args.location):
        problems.append(
            f"location: {args.location!r} is not a GCS location ('europe-west4', 'eu' ...)"
        )
    if args.kms_key_id is not None and not args.kms_key_grants:
        problems.append(
            "kms_key_grants: pass the Cloud Storage service agent's grant on the key "
            "(CmekKey.grant('storage.googleapis.com')) so the bucket is created after it"
        )
    if args.kms_key_id is None and args.kms_key_grants:
        problems.append("kms_key_grants: given without kms_key_id")
    if args.autoclass is not None:
        if args.autoclass not in ("NEARLINE", "ARCHIVE"):
            problems.append(f"autoclass: {args.autoclass!r} is not NEARLINE or ARCHIVE")
        for setting in ("infrequent_access_after_days", "archive_after_days"):
            if getattr(args.lifecycle, setting) is not None:
                problems.append(
                    f"lifecycle.{setting}: must be null with autoclass (Autoclass refuses "
                    "SetStorageClass lifecycle rules)"
                )
    if args.archive_storage_class not in ("COLDLINE", "ARCHIVE"):
        problems.append(
            f"archive_storage_class: {args.archive_storage_class!r} is not COLDLINE or ARCHIVE"
        )
    overlapping = args.lifecycle.expired_prefixes_overlapping(args.kept_prefixes)
    if overlapping:
        problems.append(
            f"lifecycle.expire: {', '.join(overlapping)} would expire objects under a kept "
            f"prefix ({', '.join(args.kept_prefixes)}); expire scratch prefixes only"
        )
    raise_problems("DataBucketArgs", problems)
