"""``Retention`` on Azure: the service-level deletion safeguards, as data.

Pulumi's own ``protect`` and ``retain_on_delete`` come from ``retention.py``; these are
the switches of the services, with the ARM property names and sources.

- Key Vault soft delete cannot be turned off (it is always on since 2020); retention
  is 7 days (the minimum) for ``destroyable`` and 90 (the maximum) for ``protected``.
  Purge protection is on for both: Azure Storage and Container Registry refuse a
  customer-managed key from a vault without it ("Customer-managed keys for Azure Storage
  encryption": the vault must have soft delete and purge protection), and it is
  irreversible anyway. A destroyed vault's name is therefore held for the retention
  days; vault names carry a hash of the stack, so a new stack never collides.
- Blob and container soft delete (``BlobServiceProperties``): 7 days for
  ``destroyable`` (a mistaken delete in development can still be undone, at a week's
  storage), 30 days for ``protected``.

The blocks read their values from ``SWITCHES`` (``retention.switch_value``), so this
table is the one source of these facts.
"""

from __future__ import annotations

from ..retention import RetentionSwitch

__all__ = ["SWITCHES"]

_KV = "https://learn.microsoft.com/azure/key-vault/general/soft-delete-overview"

SWITCHES: tuple[RetentionSwitch, ...] = (
    RetentionSwitch(
        "azure-native:keyvault:Vault",
        "properties.enable_purge_protection",
        "properties.enablePurgeProtection",
        True,
        True,
        _KV,
    ),
    RetentionSwitch(
        "azure-native:keyvault:Vault",
        "properties.soft_delete_retention_in_days",
        "properties.softDeleteRetentionInDays (7-90)",
        7,
        90,
        _KV,
    ),
    RetentionSwitch(
        "azure-native:storage:BlobServiceProperties",
        "delete_retention_policy",
        "deleteRetentionPolicy (blob soft delete, 1-365 days)",
        {"enabled": True, "days": 7},
        {"enabled": True, "days": 30},
        "https://learn.microsoft.com/azure/storage/blobs/soft-delete-blob-overview",
    ),
    RetentionSwitch(
        "azure-native:storage:BlobServiceProperties",
        "container_delete_retention_policy",
        "containerDeleteRetentionPolicy (container soft delete, 1-365 days)",
        {"enabled": True, "days": 7},
        {"enabled": True, "days": 30},
        "https://learn.microsoft.com/azure/storage/blobs/soft-delete-container-overview",
    ),
)
