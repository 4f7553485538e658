"""An Azure ML workspace with managed network isolation, identity-based storage access,
its own (flat) default storage, a datastore on the foundation's data lake and the
pipeline's environment.

Create-time settings. Azure takes the workspace's default storage account, its
customer-managed key (``encryption``) and its managed network once on (``isolationMode``
cannot go back to ``Disabled`` and an update that leaves the block out is refused,
traps-azure-gcp #6) only at creation: changing them fails the update, so this block
always sends ``managed_network`` and the settings document them as permanent. The
workspace's name, resource group and location replace it (Pulumi); a deleted workspace
stays soft-deleted for 14 days and holds its name. Protected stacks set ``protect`` and
``retain_on_delete`` on the workspace (``stateful_options``).

Default storage: an Azure ML workspace refuses an account with a hierarchical namespace
("Cannot use storage with HNS enabled", traps-azure-gcp #7), so the workspace gets its
own flat ``DataLakeStorage`` (``hierarchical_namespace=False``, versioned) and the
foundation's ADLS Gen2 lake is attached as the ``lake`` datastore.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import machinelearningservices as ml

from .. import naming
from ..retention import stateful_options
from ..settings import LifecycleSettings, Retention
from .names import fixed_name
from .storage import DataLakeStorage, DataLakeStorageArgs

ISOLATION_MODES = {
    "allow_internet_outbound": ml.IsolationMode.ALLOW_INTERNET_OUTBOUND,
    "allow_only_approved_outbound": ml.IsolationMode.ALLOW_ONLY_APPROVED_OUTBOUND,
}
"""``OutboundIsolation`` to the SDK's ``IsolationMode`` (``Disabled`` is never sent)."""

WORKSPACE_DNS_ZONES = {
    "api": "privatelink.api.azureml.ms",
    "notebooks": "privatelink.notebooks.azure.net",
}
"""The zones a workspace's private endpoint (sub-resource ``amlworkspace``) registers
in, public cloud (https://learn.microsoft.com/azure/private-link/private-endpoint-dns,
"AI + Machine Learning")."""

LAKE_DATASTORE = "lake"
TRAINING_ENVIRONMENT = "training"


@dataclass
class PrivateTarget:
    """A resource the managed network reaches through a private endpoint it creates
    (an outbound rule), e.g. the lake's ``dfs`` or the registry's ``amlregistry``."""

    resource_id: pulumi.Input[str]
    subresource: str


@dataclass
class MlWorkspaceArgs:
    resource_group_name: pulumi.Input[str]
    location: str
    tags: Mapping[str, str]
    name_prefix: str
    """Starts the workspace name ``<prefix>-mlw`` and its storage account name."""
    key_vault_id: pulumi.Input[str]
    """The foundation's vault (RBAC, purge protection): workspace secrets and, with
    ``customer_managed_key``, its key."""
    key_uri: pulumi.Input[str]
    """Key URI *with* version for the workspace CMK (``keyvault.Key.key_uri_with_version``):
    Azure ML takes a versioned key identifier; after a rotation the new version reaches
    the workspace as an in-place update of ``encryption`` on the next ``pulumi up``
    (the storage account follows the versionless key by itself)."""
    key_vault_uri: pulumi.Input[str]
    key_name: pulumi.Input[str]
    key_access: Sequence[pulumi.Resource]
    """Role assignments that let ``identity_id`` use the key (created first)."""
    identity_id: pulumi.Input[str]
    """User-assigned identity that reads the key (storage account, workspace CMK)."""
    container_registry_id: pulumi.Input[str]
    application_insights_id: pulumi.Input[str]
    lake_account_name: pulumi.Input[str]
    lake_container: str
    """The lake file system the ``lake`` datastore points at."""
    outbound: str = "allow_only_approved_outbound"
    public_network_access: bool = False
    customer_managed_key: bool = False
    storage_sku: str = "Standard_LRS"
    private_targets: Mapping[str, PrivateTarget] = field(default_factory=dict)
    """Outbound private-endpoint rules of the managed network, by rule name."""
    image_build_compute: str | None = None
    """Cluster that builds environment images (the registry has no public endpoint)."""
    training_image: str = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest"
    retention: Retention = Retention.DESTROYABLE


def environment_version(image: str) -> str:
    """The version of the ``training`` environment: a hash of its definition. Azure ML
    asset versions are immutable, so a new image is a new version (a new resource);
    the old one is kept (``retain_on_delete``), as jobs may still reference it."""
    return hashlib.sha256(image.encode()).hexdigest()[:12]


class MlWorkspace(pulumi.ComponentResource):
    """The workspace and what its pipelines need: default storage, a lake datastore
    and a training environment. Private by default, identity-based everywhere: the
    system datastores use the workspace identity (no account keys), the storage
    account refuses shared keys, and the lake datastore has no credentials."""

    storage: DataLakeStorage
    workspace: ml.Workspace
    datastore: ml.Datastore
    environment: ml.EnvironmentVersion
    workspace_id: pulumi.Output[str]
    workspace_name: pulumi.Output[str]
    principal_id: pulumi.Output[str]
    """The workspace's system-assigned identity (used by its datastores)."""

    def __init__(
        self, name: str, args: MlWorkspaceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:azure:MlWorkspace", name, None, opts)
        if args.outbound not in ISOLATION_MODES:
            raise ValueError(
                f"outbound: {args.outbound!r} is not one of {', '.join(ISOLATION_MODES)}"
            )
        tags = dict(args.tags)
        here = pulumi.ResourceOptions(parent=self)
        self.storage = DataLakeStorage(
            naming.child(name, "storage"),
            DataLakeStorageArgs(
                resource_group_name=args.resource_group_name,
                location=args.location,
                tags=tags,
                name_prefix=args.name_prefix,
                identity_id=args.identity_id,
                key_vault_uri=args.key_vault_uri,
                key_name=args.key_name,
                key_access=list(args.key_access),
                retention=args.retention,
                lifecycle=LifecycleSettings(cool_after_days=None, archive_after_days=None),
                containers=("azureml",),
                hierarchical_namespace=False,
                sku_name=args.storage_sku,
            ),
            opts=here,
        )
        cmk = args.customer_managed_key
        identity: ml.ManagedServiceIdentityArgsDict = (
            {
                "type": ml.ManagedServiceIdentityType.SYSTEM_ASSIGNED_USER_ASSIGNED,
                "user_assigned_identities": [args.identity_id],
            }
            if cmk
            else {"type": ml.ManagedServiceIdentityType.SYSTEM_ASSIGNED}
        )
        self.workspace = ml.Workspace(
            naming.child(name),
            workspace_name=fixed_name("ml-workspace", args.name_prefix, "mlw", owner=name),
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=tags,
            kind="Default",
            sku={"name": "Basic", "tier": ml.SkuTier.BASIC},
            identity=identity,
            storage_account=self.storage.account_id,
            key_vault=args.key_vault_id,
            container_registry=args.container_registry_id,
            application_insights=args.application_insights_id,
            public_network_access=(
                ml.PublicNetworkAccessType.ENABLED
                if args.public_network_access
                else ml.PublicNetworkAccessType.DISABLED
            ),
            managed_network={
                "isolation_mode": ISOLATION_MODES[args.outbound],
                "outbound_rules": {
                    rule: {
                        "type": "PrivateEndpoint",
                        "category": ml.RuleCategory.USER_DEFINED,
                        "destination": {
                            "service_resource_id": target.resource_id,
                            "subresource_target": target.subresource,
                        },
                    }
                    for rule, target in sorted(args.private_targets.items())
                },
            },
            system_datastores_auth_mode=ml.SystemDatastoresAuthMode.IDENTITY,
            image_build_compute=args.image_build_compute,
            encryption=(
                {
                    "status": ml.EncryptionStatus.ENABLED,
                    "key_vault_properties": {
                        "key_vault_arm_id": args.key_vault_id,
                        "key_identifier": args.key_uri,
                    },
                    "identity": {"user_assigned_identity": args.identity_id},
                }
                if cmk
                else None
            ),
            enable_service_side_cmk_encryption=True if cmk else None,
            opts=stateful_options(args.retention, self, depends_on=list(args.key_access)),
        )
        workspace_name = self.workspace.name
        self.datastore = ml.Datastore(
            naming.child(name, LAKE_DATASTORE),
            name=LAKE_DATASTORE,
            resource_group_name=args.resource_group_name,
            workspace_name=workspace_name,
            properties={
                "datastore_type": "AzureDataLakeGen2",
                "account_name": args.lake_account_name,
                "filesystem": args.lake_container,
                "credentials": {"credentials_type": "None"},
                "service_data_access_auth_identity": (
                    ml.ServiceDataAccessAuthIdentity.WORKSPACE_SYSTEM_ASSIGNED_IDENTITY
                ),
                "description": "The foundation's data lake; identity-based access.",
            },
            opts=here,
        )
        self.environment = ml.EnvironmentVersion(
            naming.child(name, f"env-{TRAINING_ENVIRONMENT}"),
            name=TRAINING_ENVIRONMENT,
            version=environment_version(args.training_image),
            resource_group_name=args.resource_group_name,
            workspace_name=workspace_name,
            properties={
                "image": args.training_image,
                "os_type": ml.OperatingSystemType.LINUX,
                "description": "Base environment of the pipeline steps.",
            },
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
        )
        self.workspace_id = self.workspace.id
        self.workspace_name = workspace_name
        self.principal_id = self.workspace.identity.apply(
            lambda i: (i.principal_id or "") if i else ""
        )
        self.register_outputs(
            {
                "workspace_id": self.workspace_id,
                "workspace_name": self.workspace_name,
                "principal_id": self.principal_id,
            }
        )
