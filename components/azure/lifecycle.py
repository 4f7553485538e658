"""Storage lifecycle on Azure Blob Storage: ``LifecycleSettings`` (cool / archive /
expire per prefix) as the policy of a ``storage.ManagementPolicy``. A pure function;
table tests in ``tests/azure/test_lifecycle.py``.

=================================  ==============================================
word                               Blob lifecycle management
=================================  ==============================================
cool after N days                  ``baseBlob.tierToCool`` (30-day minimum)
archive after N days               ``baseBlob.tierToCold`` (90-day minimum, online;
                                   not ``Archive``, which needs rehydration)
expire prefix after N days         ``baseBlob.delete`` filtered on the prefix
old versions after N days          ``version.delete``
unfinished uploads                 nothing to do: Azure discards uncommitted blocks
                                   after 7 days itself
=================================  ==============================================

Days count from creation (``daysAfterCreationGreaterThan``), as on S3 and GCS; Azure
acts once the age is *greater than* the number. Prefix filters must start with the
container name (``<container>/<prefix>``), so the function takes the container.
A version's age counts from when the version was written, not from when it was
replaced (unlike S3's noncurrent days).

Source: https://learn.microsoft.com/azure/storage/blobs/lifecycle-management-overview
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..vocabulary import LifecycleSettings, StorageTier

if TYPE_CHECKING:
    from pulumi_azure_native.storage import (
        ManagementPolicyBaseBlobArgsDict,
        ManagementPolicyRuleArgsDict,
        ManagementPolicySchemaArgsDict,
    )

__all__ = ["ACCESS_TIERS", "TIERING_RULE_NAME", "management_policy"]

TIERING_RULE_NAME = "tiering"
EXPIRY_RULE_NAME_PREFIX = "expire-"

ACCESS_TIERS: dict[StorageTier, str] = {StorageTier.COOL: "Cool", StorageTier.ARCHIVE: "Cold"}
"""The blob access tier per tier (the action is ``tierTo<Tier>``)."""

_BLOB_TYPES = ["blockBlob"]


def management_policy(
    settings: LifecycleSettings, container: str
) -> ManagementPolicySchemaArgsDict:
    """The ``policy`` of a ``storage.ManagementPolicy`` for one container."""
    base_blob: ManagementPolicyBaseBlobArgsDict = {}
    if settings.cool_after_days is not None:
        base_blob["tier_to_cool"] = {"days_after_creation_greater_than": settings.cool_after_days}
    if settings.archive_after_days is not None:
        base_blob["tier_to_cold"] = {
            "days_after_creation_greater_than": settings.archive_after_days
        }
    tiering: ManagementPolicyRuleArgsDict = {
        "name": TIERING_RULE_NAME,
        "type": "Lifecycle",
        "enabled": True,
        "definition": {
            "filters": {"blob_types": _BLOB_TYPES, "prefix_match": [f"{container}/"]},
            "actions": {
                "base_blob": base_blob,
                "version": {
                    "delete": {
                        "days_after_creation_greater_than": settings.noncurrent_expire_after_days
                    }
                },
            },
        },
    }
    rules = [tiering]
    for rule in settings.expire:
        rules.append(
            {
                "name": EXPIRY_RULE_NAME_PREFIX + rule.prefix.rstrip("/").replace("/", "-"),
                "type": "Lifecycle",
                "enabled": True,
                "definition": {
                    "filters": {
                        "blob_types": _BLOB_TYPES,
                        "prefix_match": [f"{container}/{rule.prefix}"],
                    },
                    "actions": {
                        "base_blob": {
                            "delete": {"days_after_creation_greater_than": rule.after_days}
                        }
                    },
                },
            }
        )
    return {"rules": rules}
