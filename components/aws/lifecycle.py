"""Storage lifecycle on S3: ``LifecycleSettings`` (cool / archive / expire per prefix)
as the rules of an ``aws.s3.BucketLifecycleConfiguration``. A pure function; table
tests in ``tests/aws/test_lifecycle.py``.

=================================  ==============================================
word                               S3
=================================  ==============================================
cool after N days                  transition to ``STANDARD_IA`` (30-day minimum)
archive after N days               transition to ``GLACIER_IR`` (90-day minimum,
                                   millisecond reads)
expire prefix after N days         ``expiration.days`` filtered on the prefix
old versions after N days          ``noncurrent_version_expiration``
unfinished uploads after N days    ``abort_incomplete_multipart_upload``
=================================  ==============================================

Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..vocabulary import LifecycleSettings, StorageTier

if TYPE_CHECKING:
    from pulumi_aws.s3 import (
        BucketLifecycleConfigurationRuleArgsDict,
        BucketLifecycleConfigurationRuleTransitionArgsDict,
    )

__all__ = ["EXPIRY_RULE_ID_PREFIX", "LIFECYCLE_RULE_ID", "STORAGE_CLASSES", "lifecycle_rules"]

LIFECYCLE_RULE_ID = "tiering"
EXPIRY_RULE_ID_PREFIX = "expire-"

STORAGE_CLASSES: dict[StorageTier, str] = {
    StorageTier.COOL: "STANDARD_IA",
    StorageTier.ARCHIVE: "GLACIER_IR",
}
"""S3 storage class per tier (``Transition.StorageClass`` of the S3 API)."""


def lifecycle_rules(settings: LifecycleSettings) -> list[BucketLifecycleConfigurationRuleArgsDict]:
    """The bucket's lifecycle configuration built from ``settings``.

    - ``tiering`` (whole bucket, empty prefix filter): transitions, deletion of replaced
      versions, aborting incomplete multipart uploads, and removal of expired-object
      delete markers (markers whose old versions have all been expired, which would
      otherwise pile up and slow listings of a versioned bucket). It never expires
      current objects.
    - ``expire-<prefix>`` (one per ``settings.expire`` rule): deletes current objects
      under that prefix after its days. S3 applies the expiration over the tiering
      rule's transitions where both match (S3 user guide, "Lifecycle configuration
      elements": expiration takes precedence).
    """
    transitions: list[BucketLifecycleConfigurationRuleTransitionArgsDict] = []
    if settings.cool_after_days is not None:
        transitions.append(
            {"days": settings.cool_after_days, "storage_class": STORAGE_CLASSES[StorageTier.COOL]}
        )
    if settings.archive_after_days is not None:
        transitions.append(
            {
                "days": settings.archive_after_days,
                "storage_class": STORAGE_CLASSES[StorageTier.ARCHIVE],
            }
        )
    tiering: BucketLifecycleConfigurationRuleArgsDict = {
        "id": LIFECYCLE_RULE_ID,
        "status": "Enabled",
        "filter": {"prefix": ""},
        "noncurrent_version_expiration": {"noncurrent_days": settings.noncurrent_expire_after_days},
        "abort_incomplete_multipart_upload": {
            "days_after_initiation": settings.abort_incomplete_multipart_after_days
        },
        "expiration": {"expired_object_delete_marker": True},
    }
    if transitions:
        tiering["transitions"] = transitions
    rules = [tiering]
    for rule in settings.expire:
        rules.append(
            {
                "id": EXPIRY_RULE_ID_PREFIX + rule.prefix.rstrip("/").replace("/", "-"),
                "status": "Enabled",
                "filter": {"prefix": rule.prefix},
                "expiration": {"days": rule.after_days},
            }
        )
    return rules
