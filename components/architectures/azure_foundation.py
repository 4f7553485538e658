"""The Azure foundation: the base every Azure reference architecture (Azure ML, AKS,
Arc) shares, composed from the building blocks in ``components/azure``.

```
 resource group <prefix>-rg
 ├── ManagedIdentity ── user-assigned identity (reads the key for the lake)
 ├── KeyVaultKey ── vault (RBAC, purge protection, closed) ── RSA key (rotates yearly)
 │                  └── Key Vault Crypto Service Encryption User for the identity
 ├── DataLakeStorage ── ADLS Gen2, CMK via the identity, Entra only, lifecycle
 ├── ContainerRegistry ── ACR Premium, private, no admin user
 ├── PrivateNetwork ── VNet (endpoints + workloads subnets) ── private endpoints
 │                     blob, dfs (lake), vault, registry + privatelink DNS zones
 └── Monitoring ── Log Analytics ── Application Insights (local auth off)
```

See ``README.md`` in this folder ("Azure foundation") for inputs, outputs and defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import resources

from .. import naming
from ..azure.identity import ManagedIdentity, ManagedIdentityArgs
from ..azure.keyvault import KeyVaultKey, KeyVaultKeyArgs
from ..azure.monitoring import Monitoring, MonitoringArgs
from ..azure.names import fixed_name
from ..azure.network import (
    ENDPOINT_SUBNET,
    PrivateEndpointTarget,
    PrivateNetwork,
    PrivateNetworkArgs,
)
from ..azure.registry import ContainerRegistry, ContainerRegistryArgs
from ..azure.storage import DataLakeStorage, DataLakeStorageArgs
from ..registry import Deployment, Outputs
from ..retention import stateful_options
from ..settings import Retention
from ..settings.azure import AzureFoundationSettings
from ..tags import merge_tags

TOKEN = "mlops:azure:Foundation"
WORKLOAD_SUBNET = "workloads"
"""The subnet the architectures put their compute in."""
ENCRYPTION_USER = "lake"
"""Label of the identity's grant on the key (child ``<name>-cmk-encrypt-lake``)."""


@dataclass
class AzureFoundationArgs:
    settings: AzureFoundationSettings
    location: str
    """Azure location of every regional resource, e.g. ``westeurope``."""
    name_prefix: str
    """``StackSettings.prefix``: the resource group is ``<prefix>-rg``; the vault, the
    lake and the registry are ``<prefix>`` plus a hash (see ``unique_names``)."""
    tags: Mapping[str, str]
    """Already-merged tags (``tags.merge_tags``), set on every taggable resource."""
    retention: Retention = Retention.DESTROYABLE


class AzureFoundation(pulumi.ComponentResource):
    """One resource group holding what every Azure architecture of the stack uses: an
    identity, a customer-managed key, a data lake, a private network, a container
    registry and log sinks. Nothing has a public endpoint unless the settings give an
    allowlist."""

    resource_group: resources.ResourceGroup
    identity: ManagedIdentity
    key: KeyVaultKey
    lake: DataLakeStorage
    registry: ContainerRegistry
    network: PrivateNetwork
    monitoring: Monitoring
    resource_group_name: pulumi.Output[str]
    resource_group_id: pulumi.Output[str]
    identity_id: pulumi.Output[str]
    identity_principal_id: pulumi.Output[str]
    identity_client_id: pulumi.Output[str]
    key_vault_id: pulumi.Output[str]
    key_vault_uri: pulumi.Output[str]
    key_id: pulumi.Output[str]
    key_uri: pulumi.Output[str]
    storage_account_id: pulumi.Output[str]
    storage_account_name: pulumi.Output[str]
    dfs_endpoint: pulumi.Output[str]
    registry_id: pulumi.Output[str]
    registry_login_server: pulumi.Output[str]
    vnet_id: pulumi.Output[str]
    workload_subnet_id: pulumi.Output[str]
    endpoint_subnet_id: pulumi.Output[str]
    workspace_id: pulumi.Output[str]
    app_insights_id: pulumi.Output[str]
    app_insights_connection_string: pulumi.Output[str]
    action_group_id: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: AzureFoundationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TOKEN, name, None, opts)
        settings, location, tags = args.settings, args.location, dict(args.tags)
        ips = settings.allowed_ip_ranges

        # Resource groups are unique per subscription, not globally: a fixed name
        # checked against ARM's rule (1-90 characters) and claimed for the program.
        group_name = fixed_name("resource-group", args.name_prefix, "rg", owner=name)
        # The group holds every resource of the foundation: deleting it deletes them
        # all, so it follows the stack's retention like a stateful resource.
        self.resource_group = resources.ResourceGroup(
            naming.child(name, "rg"),
            resource_group_name=group_name,
            location=location,
            tags=tags,
            opts=stateful_options(args.retention, self),
        )
        group = self.resource_group.name
        here = pulumi.ResourceOptions(parent=self)

        self.identity = ManagedIdentity(
            naming.child(name, "identity"),
            ManagedIdentityArgs(resource_group_name=group, location=location, tags=tags),
            opts=here,
        )
        self.key = KeyVaultKey(
            naming.child(name, "cmk"),
            KeyVaultKeyArgs(
                resource_group_name=group,
                location=location,
                tags=tags,
                name_prefix=args.name_prefix,
                retention=args.retention,
                encryption_users={ENCRYPTION_USER: self.identity.principal_id},
                allowed_ip_ranges=ips,
            ),
            opts=here,
        )
        self.lake = DataLakeStorage(
            naming.child(name, "lake"),
            DataLakeStorageArgs(
                resource_group_name=group,
                location=location,
                tags=tags,
                name_prefix=args.name_prefix,
                identity_id=self.identity.identity_id,
                key_vault_uri=self.key.vault_uri,
                key_name=self.key.key_name,
                key_access=list(self.key.role_assignments.values()),
                retention=args.retention,
                lifecycle=settings.lifecycle,
                containers=tuple(settings.containers),
                sku_name=settings.storage_sku,
                allowed_ip_ranges=ips,
            ),
            opts=here,
        )
        # Microsoft-managed keys for the registry: a registry's key is set at creation
        # only, and a registry reaches a firewalled vault as a trusted service only
        # with its system-assigned identity ("Encrypt registry using a customer-managed
        # key", Key Vault firewall), which the foundation does not give it.
        self.registry = ContainerRegistry(
            naming.child(name, "acr"),
            ContainerRegistryArgs(
                resource_group_name=group,
                location=location,
                tags=tags,
                name_prefix=args.name_prefix,
                retention=args.retention,
                untagged_retention_days=settings.registry_untagged_retention_days,
                allowed_ip_ranges=ips,
            ),
            opts=here,
        )
        self.network = PrivateNetwork(
            naming.child(name, "net"),
            PrivateNetworkArgs(
                resource_group_name=group,
                location=location,
                tags=tags,
                address_space=settings.address_space,
                subnets={
                    ENDPOINT_SUBNET: settings.endpoint_subnet,
                    WORKLOAD_SUBNET: settings.workload_subnet,
                },
                private_endpoints={
                    "lake-blob": PrivateEndpointTarget("blob", self.lake.account_id),
                    "lake-dfs": PrivateEndpointTarget("dfs", self.lake.account_id),
                    "vault": PrivateEndpointTarget("vault", self.key.vault_id),
                    "registry": PrivateEndpointTarget("registry", self.registry.registry_id),
                },
            ),
            opts=here,
        )
        self.monitoring = Monitoring(
            naming.child(name, "monitoring"),
            MonitoringArgs(
                resource_group_name=group,
                location=location,
                tags=tags,
                retention=args.retention,
                retention_in_days=settings.log_retention_days,
                daily_quota_gb=settings.log_daily_quota_gb,
                alert_emails=tuple(settings.alert_emails),
            ),
            opts=here,
        )

        self.resource_group_name = group
        self.resource_group_id = self.resource_group.id
        self.identity_id = self.identity.identity_id
        self.identity_principal_id = self.identity.principal_id
        self.identity_client_id = self.identity.client_id
        self.key_vault_id = self.key.vault_id
        self.key_vault_uri = self.key.vault_uri
        self.key_id = self.key.key_id
        self.key_uri = self.key.key_uri
        self.storage_account_id = self.lake.account_id
        self.storage_account_name = self.lake.account_name
        self.dfs_endpoint = self.lake.dfs_endpoint
        self.registry_id = self.registry.registry_id
        self.registry_login_server = self.registry.login_server
        self.vnet_id = self.network.vnet_id
        self.workload_subnet_id = self.network.subnet_ids[WORKLOAD_SUBNET]
        self.endpoint_subnet_id = self.network.subnet_ids[ENDPOINT_SUBNET]
        self.workspace_id = self.monitoring.workspace_id
        self.app_insights_id = self.monitoring.app_insights_id
        self.app_insights_connection_string = self.monitoring.app_insights_connection_string
        self.action_group_id = self.monitoring.action_group_id
        self.register_outputs(
            {
                "resource_group_name": self.resource_group_name,
                "identity_id": self.identity_id,
                "key_id": self.key_id,
                "storage_account_name": self.storage_account_name,
                "registry_login_server": self.registry_login_server,
                "vnet_id": self.vnet_id,
                "workspace_id": self.workspace_id,
            }
        )


def deploy(deployment: Deployment, settings: AzureFoundationSettings) -> Outputs:
    """The registry's entry point: one ``AzureFoundation`` named ``azure`` and its flat
    outputs as ``azure_*`` stack outputs (``azure_action_group_id`` is ``None``, and
    not exported, without alert e-mails)."""
    foundation = AzureFoundation(
        "azure",
        AzureFoundationArgs(
            settings=settings,
            location=deployment.region,
            name_prefix=deployment.name_prefix,
            tags=merge_tags(deployment.tags, component="azure-foundation"),
            retention=deployment.retention,
        ),
        opts=deployment.opts,
    )
    deployment.offer("azure_foundation", foundation)
    return {
        "azure_resource_group_name": foundation.resource_group_name,
        "azure_identity_id": foundation.identity_id,
        "azure_identity_principal_id": foundation.identity_principal_id,
        "azure_identity_client_id": foundation.identity_client_id,
        "azure_key_vault_uri": foundation.key_vault_uri,
        "azure_key_id": foundation.key_id,
        "azure_key_uri": foundation.key_uri,
        "azure_storage_account_name": foundation.storage_account_name,
        "azure_dfs_endpoint": foundation.dfs_endpoint,
        "azure_registry_login_server": foundation.registry_login_server,
        "azure_vnet_id": foundation.vnet_id,
        "azure_workload_subnet_id": foundation.workload_subnet_id,
        "azure_workspace_id": foundation.workspace_id,
        "azure_app_insights_connection_string": foundation.app_insights_connection_string,
        "azure_action_group_id": foundation.action_group_id,
    }
