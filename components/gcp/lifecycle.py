"""Storage lifecycle on Cloud Storage: ``LifecycleSettings`` (cool / archive / expire
per prefix) as the ``lifecycle_rules`` (and optionally ``autoclass``) of a
``storage.Bucket``. A pure function; table tests in ``tests/gcp/test_lifecycle.py``.

=================================  ==============================================
word                               Cloud Storage Object Lifecycle Management
=================================  ==============================================
cool after N days                  ``SetStorageClass`` ``NEARLINE`` at age N
                                   (30-day minimum)
archive after N days               ``SetStorageClass`` ``COLDLINE`` at age N
                                   (90-day minimum)
expire prefix after N days         ``Delete`` at age N, ``matchesPrefix``
old versions after N days          ``Delete`` noncurrent versions N days after they
                                   became noncurrent
unfinished uploads after N days    ``AbortIncompleteMultipartUpload`` at age N
=================================  ==============================================

Each ``SetStorageClass`` rule matches only the classes it moves objects from, so a
rule never moves an object back. With ``autoclass=True`` Cloud Storage picks the class
per object from its access pattern instead; ``SetStorageClass`` rules are then not
allowed, so only the delete and abort rules remain, and the cool/archive days are not
used (Autoclass moves objects to Nearline after 30 days without access, and on to
Coldline and Archive when ``terminal_storage_class`` is ``ARCHIVE``).

Sources: https://cloud.google.com/storage/docs/lifecycle,
https://cloud.google.com/storage/docs/autoclass
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..vocabulary import LifecycleSettings, StorageTier

if TYPE_CHECKING:
    from pulumi_gcp.storage import BucketAutoclassArgsDict, BucketLifecycleRuleArgsDict

__all__ = ["STORAGE_CLASSES", "autoclass", "lifecycle_rules"]

STORAGE_CLASSES: dict[StorageTier, str] = {
    StorageTier.COOL: "NEARLINE",
    StorageTier.ARCHIVE: "COLDLINE",
}
"""Cloud Storage class per tier."""


def lifecycle_rules(
    settings: LifecycleSettings, *, autoclass: bool = False
) -> list[BucketLifecycleRuleArgsDict]:
    """The bucket's ``lifecycle_rules``; without tiering rules when ``autoclass``."""
    rules: list[BucketLifecycleRuleArgsDict] = []
    if not autoclass:
        if settings.cool_after_days is not None:
            rules.append(
                {
                    "action": {
                        "type": "SetStorageClass",
                        "storage_class": STORAGE_CLASSES[StorageTier.COOL],
                    },
                    "condition": {
                        "age": settings.cool_after_days,
                        "matches_storage_classes": ["STANDARD"],
                    },
                }
            )
        if settings.archive_after_days is not None:
            rules.append(
                {
                    "action": {
                        "type": "SetStorageClass",
                        "storage_class": STORAGE_CLASSES[StorageTier.ARCHIVE],
                    },
                    "condition": {
                        "age": settings.archive_after_days,
                        "matches_storage_classes": ["STANDARD", "NEARLINE"],
                    },
                }
            )
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
    for rule in settings.expire:
        rules.append(
            {
                "action": {"type": "Delete"},
                "condition": {"age": rule.after_days, "matches_prefixes": [rule.prefix]},
            }
        )
    return rules


def autoclass(terminal_storage_class: str = "NEARLINE") -> BucketAutoclassArgsDict:
    """The bucket's ``autoclass`` block. ``NEARLINE`` (Google's default) stops at the
    cool tier; ``ARCHIVE`` lets untouched objects move on to Coldline and Archive."""
    if terminal_storage_class not in ("NEARLINE", "ARCHIVE"):
        raise ValueError(
            f"terminal_storage_class: NEARLINE or ARCHIVE; got {terminal_storage_class!r}"
        )
    return {"enabled": True, "terminal_storage_class": terminal_storage_class}
