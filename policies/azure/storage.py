"""Azure Storage rules: Entra-only, private, TLS 1.2 storage accounts (the data lake
and the Azure ML workspace's storage)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, resource_rule

ACCOUNT = "azure-native:storage:StorageAccount"


@resource_rule(
    name="azure-storage-account-disallow-shared-key",
    description="Storage accounts must refuse shared key (account key and SAS) authorization.",
    category=Category.SECURITY,
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set allow_shared_key_access=False and grant Storage Blob Data roles to "
    "identities instead.",
    references=["Azure Policy 8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54"],
    resource_types=[ACCOUNT],
)
def shared_key(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Account keys grant full access to all data, never expire on their own and leave
    no identity in the logs; Azure allows them by default."""
    if args.props.get("allowSharedKeyAccess") is not False:
        yield "allowSharedKeyAccess is not false (Azure default: true); set it to false."


@resource_rule(
    name="azure-storage-account-disallow-blob-public-access",
    description="Storage accounts must not allow anonymous public access to blobs.",
    category=Category.SECURITY,
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set allow_blob_public_access=False.",
    references=["Azure Policy 4fa4b6c0-31ca-4c0d-b10d-24b96f62a751"],
    resource_types=[ACCOUNT],
)
def blob_public_access(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """One container set to public then exposes training data to anyone with the URL."""
    if args.props.get("allowBlobPublicAccess") is not False:
        yield "allowBlobPublicAccess is not false; set it to false."


@resource_rule(
    name="azure-storage-account-require-tls12",
    description="Storage accounts must require TLS 1.2 or later.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set minimum_tls_version='TLS1_2'.",
    references=["Azure Policy fe83a0eb-a853-422d-aac2-1bffd182c5d0"],
    resource_types=[ACCOUNT],
)
def tls12(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """TLS 1.0 and 1.1 have known weaknesses and are retired across Azure."""
    version = args.props.get("minimumTlsVersion")
    if version not in ("TLS1_2", "TLS1_3"):
        yield f"minimumTlsVersion is {version or 'unset'}; set 'TLS1_2'."
