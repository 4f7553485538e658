"""``Retention`` on Azure: the service-level deletion safeguards, as data.

Pulumi's own ``protect`` and ``retain_on_delete`` come from ``retention.py``; these are
the switches of the services, with the ARM property names and sources.

- Key Vault soft delete cannot be turned off (it is always on since 2020); retention
  is 7 days (the minimum) for ``destroyable`` and 90 (the maximum) for ``protected``.
  Purge protection is irreversible and ARM does not accept ``false`` for it, so
  ``destroyable`` leaves it unset (a destroyed vault can be purged and its name reused)
  and ``protected`` turns it on (nobody can purge the vault or its keys before the
  retention ends, which storage encrypted with its keys requires).
- Blob and container soft delete (``BlobServiceProperties``): off for ``destroyable``
  (deleted data is gone and not billed), 30 days for ``protected``.
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
        None,
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
        {"enabled": False},
        {"enabled": True, "days": 30},
        "https://learn.microsoft.com/azure/storage/blobs/soft-delete-blob-overview",
    ),
    RetentionSwitch(
        "azure-native:storage:BlobServiceProperties",
        "container_delete_retention_policy",
        "containerDeleteRetentionPolicy (container soft delete, 1-365 days)",
        {"enabled": False},
        {"enabled": True, "days": 30},
        "https://learn.microsoft.com/azure/storage/blobs/soft-delete-container-overview",
    ),
)
