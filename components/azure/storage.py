"""A Data Lake Storage Gen2 account: private, Entra-only, CMK-encrypted and tiered."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import storage
from pulumi_azure_native.storage import (
    ManagementPolicyActionArgsDict,
    ManagementPolicyBaseBlobArgsDict,
    ManagementPolicyRuleArgsDict,
)

from .. import naming
from ..retention import stateful_options, switch_value
from ..settings import LifecycleSettings, Retention
from ..vocabulary import StorageTier
from .keyvault import check_ip_ranges
from .lifecycle import ACCESS_TIERS
from .retention import SWITCHES
from .unique_names import unique_name


def _soft_delete_days(retention: Retention) -> int:
    policy = switch_value(
        SWITCHES, "azure-native:storage:BlobServiceProperties", "delete_retention_policy", retention
    )
    assert isinstance(policy, dict)
    return int(policy["days"])


SOFT_DELETE_DAYS = {retention: _soft_delete_days(retention) for retention in Retention}
"""Days deleted blobs and containers stay restorable (``azure.retention.SWITCHES``;
Azure allows 1-365)."""

SKUS = ("Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_GZRS")

TIERING_RULE = "tiering"
EXPIRY_RULE_PREFIX = "expire"
MAX_PREFIXES_PER_RULE = 10
"""Azure lifecycle filters take at most 10 prefixes per rule."""

CONTAINER_NAME = re.compile(r"^(?=.{3,63}$)[a-z0-9](?!.*--)[a-z0-9-]*[a-z0-9]$")
"""3-63 lower-case letters, digits and single hyphens, starting and ending with a letter
or digit (Blob service REST reference, "Naming and referencing containers")."""


@dataclass
class DataLakeStorageArgs:
    resource_group_name: pulumi.Input[str]
    location: pulumi.Input[str]
    tags: Mapping[str, str]
    """Already-merged tags (``tags.merge_tags``), set on the account (containers and
    service settings take none)."""
    name_prefix: str
    """Start of the account's globally unique name, ``<prefix><6 hex>``: 1-18 lower-case
    letters and digits (others are dropped), e.g. ``mlopsdev``."""
    identity_id: pulumi.Input[str]
    """Resource id of the user-assigned identity the account uses to reach its key
    (``ManagedIdentity.identity_id``)."""
    key_vault_uri: pulumi.Input[str]
    """``KeyVaultKey.vault_uri``."""
    key_name: pulumi.Input[str]
    """``KeyVaultKey.key_name``. No version: the account follows the key's rotation."""
    key_access: Sequence[pulumi.Resource] = ()
    """The role assignment(s) giving ``identity_id`` the key
    (``KeyVaultKey.role_assignments[...]``): the account waits for them, because Azure
    checks the key when the account is created."""
    retention: Retention = Retention.DESTROYABLE
    """Soft delete of blobs and containers for 7 days (``destroyable``) or 30
    (``protected``, plus Pulumi ``protect`` and ``retain_on_delete`` on the account and
    every child)."""
    lifecycle: LifecycleSettings = field(default_factory=LifecycleSettings)
    """Tiering for the whole account and expiry per prefix in every container."""
    containers: Sequence[str] = ("data",)
    """Containers (file systems) to create; ``lifecycle.expire`` prefixes apply in each."""
    hierarchical_namespace: bool = True
    """Data Lake Storage Gen2 (directories, POSIX ACLs, atomic renames). ``False`` gives a
    flat blob account, which can keep versions (HNS accounts cannot) and is the kind an
    Azure ML workspace needs as its default storage."""
    sku_name: str = "Standard_LRS"
    """Redundancy; locally redundant is the cheapest. One of ``SKUS``."""
    allowed_ip_ranges: Sequence[str] = ()
    """Empty (default): public network access disabled (use private endpoints for
    ``blob`` and ``dfs``). Otherwise only these public IPv4 addresses or ranges."""


def lifecycle_rules(
    settings: LifecycleSettings, containers: Sequence[str], *, versioned: bool
) -> list[ManagementPolicyRuleArgsDict]:
    """The account's lifecycle management rules built from ``settings``.

    - ``tiering`` (every block blob): to the vocabulary's cool and archive tiers
      (``azure.lifecycle.ACCESS_TIERS``: Cool, and Cold, which stays online unlike
      Archive and exists for every redundancy) after ``cool_after_days`` and
      ``archive_after_days`` since creation; on a versioned (flat)
      account, previous versions are deleted ``noncurrent_expire_after_days`` after they
      were created. Never deletes current data.
    - ``expire<n><prefix>`` (one per ``settings.expire`` rule): deletes block blobs under
      that prefix in every container after its days. Azure prefixes start with the
      container name (``data/runs/``).

    Azure counts "more than N days", S3 "after N days": the same number means the same
    day. Aborting multipart uploads has no Azure counterpart (uncommitted blocks are
    discarded after 7 days by the service itself).
    """
    base_blob: ManagementPolicyBaseBlobArgsDict = {}
    if settings.cool_after_days is not None:
        base_blob["tier_to_cool"] = {"days_after_creation_greater_than": settings.cool_after_days}
    if settings.archive_after_days is not None:
        assert ACCESS_TIERS[StorageTier.ARCHIVE] == "Cold"  # one mapping: azure/lifecycle.py
        base_blob["tier_to_cold"] = {
            "days_after_creation_greater_than": settings.archive_after_days
        }
    actions: ManagementPolicyActionArgsDict = {}
    if base_blob:
        actions["base_blob"] = base_blob
    if versioned:
        actions["version"] = {
            "delete": {"days_after_creation_greater_than": settings.noncurrent_expire_after_days}
        }
    rules: list[ManagementPolicyRuleArgsDict] = []
    if actions:
        rules.append(
            {
                "name": TIERING_RULE,
                "enabled": True,
                "type": storage.RuleType.LIFECYCLE,
                "definition": {"filters": {"blob_types": ["blockBlob"]}, "actions": actions},
            }
        )
    for i, rule in enumerate(settings.expire, start=1):
        label = re.sub(r"[^A-Za-z0-9]", "", rule.prefix)
        rules.append(
            {
                "name": f"{EXPIRY_RULE_PREFIX}{i}{label}",
                "enabled": True,
                "type": storage.RuleType.LIFECYCLE,
                "definition": {
                    "filters": {
                        "blob_types": ["blockBlob"],
                        "prefix_match": [f"{c}/{rule.prefix}" for c in containers],
                    },
                    "actions": {
                        "base_blob": {
                            "delete": {"days_after_creation_greater_than": rule.after_days}
                        }
                    },
                },
            }
        )
    return rules


class DataLakeStorage(pulumi.ComponentResource):
    """A StorageV2 account with a hierarchical namespace (ADLS Gen2) for ML data.

    Entra ID only (shared keys and SAS off, OAuth the portal default), no anonymous
    access, TLS 1.2, HTTPS only, public network access off, infrastructure (double)
    encryption with a customer-managed key through a user-assigned identity, soft delete
    of blobs and containers, lifecycle tiering and per-prefix expiry.
    """

    account: storage.StorageAccount
    blob_service: storage.BlobServiceProperties
    lifecycle: storage.ManagementPolicy | None
    containers: dict[str, storage.BlobContainer]
    account_id: pulumi.Output[str]
    account_name: pulumi.Output[str]
    dfs_endpoint: pulumi.Output[str]
    blob_endpoint: pulumi.Output[str]

    def __init__(
        self, name: str, args: DataLakeStorageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:azure:DataLakeStorage", name, None, opts)
        _validate(args)
        account_name = unique_name("storage-account", args.name_prefix, name)
        public = bool(args.allowed_ip_ranges)
        versioned = not args.hierarchical_namespace

        self.account = storage.StorageAccount(
            naming.child(name),
            account_name=account_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=dict(args.tags),
            kind=storage.Kind.STORAGE_V2,
            sku={"name": args.sku_name},
            access_tier=storage.AccessTier.HOT,
            is_hns_enabled=args.hierarchical_namespace,
            allow_shared_key_access=False,
            default_to_o_auth_authentication=True,
            allow_blob_public_access=False,
            allow_cross_tenant_replication=False,
            is_local_user_enabled=False,
            is_sftp_enabled=False,
            minimum_tls_version=storage.MinimumTlsVersion.TLS1_2,
            enable_https_traffic_only=True,
            public_network_access=(
                storage.PublicNetworkAccess.ENABLED
                if public
                else storage.PublicNetworkAccess.DISABLED
            ),
            network_rule_set={
                "default_action": storage.DefaultAction.DENY,
                "bypass": storage.Bypass.AZURE_SERVICES,
                "ip_rules": [
                    {"i_p_address_or_range": r, "action": storage.Action.ALLOW}
                    for r in args.allowed_ip_ranges
                ],
            },
            # storage.IdentityArgs takes a list of identity ids in azure-native v3 (the
            # provider turns it into ARM's map).
            identity={
                "type": storage.IdentityType.USER_ASSIGNED,
                "user_assigned_identities": [args.identity_id],
            },
            encryption={
                "key_source": storage.KeySource.MICROSOFT_KEYVAULT,
                "key_vault_properties": {
                    "key_vault_uri": args.key_vault_uri,
                    "key_name": args.key_name,
                },
                "encryption_identity": {"encryption_user_assigned_identity": args.identity_id},
                "require_infrastructure_encryption": True,
                "services": {
                    "blob": {"enabled": True, "key_type": storage.KeyType.ACCOUNT},
                    "file": {"enabled": True, "key_type": storage.KeyType.ACCOUNT},
                },
            },
            opts=stateful_options(args.retention, self, depends_on=args.key_access),
        )
        days = SOFT_DELETE_DAYS[args.retention]
        # Versioning is not supported on accounts with a hierarchical namespace
        # ("Blob Storage feature support in Azure Storage accounts"; the azurerm
        # provider refuses the combination, hashicorp/terraform-provider-azurerm#19418).
        self.blob_service = storage.BlobServiceProperties(
            naming.child(name, "blob-service"),
            account_name=self.account.name,
            resource_group_name=args.resource_group_name,
            blob_services_name="default",
            delete_retention_policy={"enabled": True, "days": days},
            container_delete_retention_policy={"enabled": True, "days": days},
            is_versioning_enabled=versioned,
            opts=stateful_options(args.retention, self),
        )
        rules = lifecycle_rules(args.lifecycle, args.containers, versioned=versioned)
        self.lifecycle = None
        if rules:
            self.lifecycle = storage.ManagementPolicy(
                naming.child(name, "lifecycle"),
                account_name=self.account.name,
                resource_group_name=args.resource_group_name,
                management_policy_name="default",
                policy={"rules": rules},
                opts=stateful_options(args.retention, self, depends_on=[self.blob_service]),
            )
        self.containers = {
            container: storage.BlobContainer(
                naming.child(name, f"container-{container}"),
                account_name=self.account.name,
                resource_group_name=args.resource_group_name,
                container_name=container,
                public_access=storage.PublicAccess.NONE,
                opts=stateful_options(args.retention, self),
            )
            for container in args.containers
        }
        self.account_id = self.account.id
        self.account_name = self.account.name
        endpoints = self.account.primary_endpoints
        self.dfs_endpoint = endpoints.apply(lambda e: e.dfs if e else "")
        self.blob_endpoint = endpoints.apply(lambda e: e.blob if e else "")
        self.register_outputs(
            {
                "account_id": self.account_id,
                "account_name": self.account_name,
                "dfs_endpoint": self.dfs_endpoint,
                "blob_endpoint": self.blob_endpoint,
            }
        )


def _validate(args: DataLakeStorageArgs) -> None:
    problems: list[str] = []
    if args.sku_name not in SKUS:
        problems.append(f"sku_name: {args.sku_name!r} is not one of {', '.join(SKUS)}")
    if not args.containers:
        problems.append("containers: at least one container")
    if len(set(args.containers)) != len(args.containers):
        problems.append("containers: duplicates")
    for i, container in enumerate(args.containers):
        if not CONTAINER_NAME.match(container):
            problems.append(
                f"containers[{i}]: {container!r} must be 3-63 lower-case letters, digits and "
                "single hyphens, starting and ending with a letter or digit"
            )
    if len(args.containers) > MAX_PREFIXES_PER_RULE and args.lifecycle.expire:
        problems.append(
            f"lifecycle.expire: a rule covers at most {MAX_PREFIXES_PER_RULE} containers; "
            f"{len(args.containers)} given"
        )
    problems.extend(check_ip_ranges("allowed_ip_ranges", args.allowed_ip_ranges))
    if problems:
        raise ValueError("invalid DataLakeStorageArgs:\n  - " + "\n  - ".join(problems))
