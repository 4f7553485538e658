"""Architecture 4, Azure ML with Azure DevOps: data sources -> Azure Storage -> Azure ML
pipelines -> model registry -> Azure DevOps release -> Azure ML online endpoints, on
the stack's Azure foundation (resource group, key, lake, ACR, monitoring).

```
 foundation: resource group, identity + CMK, ADLS Gen2 lake, ACR, App Insights, alerts
 ├── MlWorkspace ── workspace storage (flat, CMK) ── Workspace (managed network,
 │                  identity datastores) ── datastore "lake" ── environment "training"
 ├── compute identity (lake + workspace storage data, AcrPull)
 ├── clusters "cpu" / "gpu" (0..max nodes, idle scale-down, low priority) ── instance
 ├── Registry (shared dev -> staging -> prod; created here or adopted by id)
 ├── OnlineEndpoint ── deployments blue / green ── autoscale ── metric alerts
 └── AzureDevOpsRelease ── release identity (AzureML Data Scientist on the workspace,
     AzureML Registry User on the registry) ── WIF service connection ── federated
     credential ── release pipeline (YAML in the repo)
```

See ``components/architectures/README.md`` ("Azure ML with Azure DevOps").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

import pulumi
from pulumi_azure_native import machinelearningservices as ml
from pulumi_azure_native import network

from .. import naming
from ..azure.accelerators import machine_for
from ..azure.devops import AzureDevOpsArgs, AzureDevOpsRelease
from ..azure.identity import Grant, ManagedIdentity, ManagedIdentityArgs, role_assignment
from ..azure.ml_compute import ClusterSpec, cluster, instance
from ..azure.ml_endpoint import OnlineEndpoint, OnlineEndpointArgs, SlotSpec
from ..azure.ml_registry import MlRegistryArgs, create_registry
from ..azure.ml_workspace import (
    WORKSPACE_DNS_ZONES,
    MlWorkspace,
    MlWorkspaceArgs,
    PrivateTarget,
)
from ..azure.names import name_for, unique_name
from ..azure.network import PrivateEndpointTarget, private_dns_zone, private_endpoint
from ..azure.release_pipeline import ReleaseTarget
from ..registry import Capacity, Deployment, Outputs
from ..settings import Cloud, Retention
from ..settings.azure_ml import AzureMlDevOpsSettings
from ..tags import merge_tags
from ..vocabulary import CapacityStrategy
from .azure_foundation import AzureFoundation

TOKEN = "mlops:azure:AzureMlDevOps"
CPU_CLUSTER = "cpu"
GPU_CLUSTER = "gpu"
USAGE = "aml-compute"


@dataclass
class AzureMlDevOpsArgs:
    settings: AzureMlDevOpsSettings
    foundation: AzureFoundation
    location: str
    name_prefix: str
    tags: Mapping[str, str]
    environment: str
    """dev, staging or prod: the Azure DevOps environment the release deploys to."""
    retention: Retention = Retention.DESTROYABLE


def registry_name(settings: AzureMlDevOpsSettings, prefix: str) -> str:
    """The shared registry's name: adopted, configured, or ``<prefix>-models``."""
    return settings.registry.existing_name or settings.registry.name or f"{prefix}-models"


def stack_of(stack_file: str) -> str:
    """The Pulumi stack a stack file configures: ``stacks/Pulumi.<stack>.yaml``."""
    return PurePosixPath(stack_file).name.removeprefix("Pulumi.").removesuffix(".yaml")


def endpoint_name(prefix: str, stack: str) -> str:
    """``<prefix>-online-<6 hex>``: managed online endpoint names are unique per Azure
    region (across subscriptions), so a stable hash of the stack name is appended; the
    release pipeline derives the same name from its stack file."""
    return unique_name(
        "ml-online-endpoint", prefix, "online", seed=stack, owner="azure-ml-endpoint"
    )


def instance_name(prefix: str, stack: str) -> str:
    """``<prefix>-dev-<6 hex>``: compute instance names are unique per Azure region."""
    return unique_name("ml-compute-instance", prefix, "dev", seed=stack, owner="azure-ml-instance")


def release_target(
    settings: AzureMlDevOpsSettings, prefix: str, environment: str, stack_file: str
) -> ReleaseTarget | None:
    """What the release pipeline deploys, from the settings alone (every name is fixed),
    or ``None`` without Azure DevOps."""
    devops = settings.devops
    if devops is None or not devops.enabled:
        return None
    endpoint = settings.endpoint
    return ReleaseTarget(
        environment=environment,
        service_connection=f"{prefix}-azure-ml",
        # The names the components give (pinned equal to the plan's by a test).
        resource_group=name_for("resource-group", prefix, "rg"),
        workspace=name_for("ml-workspace", prefix, "mlw"),
        endpoint=endpoint_name(prefix, stack_of(stack_file)),
        registry=registry_name(settings, prefix),
        slots={slot: spec.model for slot, spec in endpoint.slots.items()},
        traffic={str(slot): share for slot, share in endpoint.traffic.items()},
        branch=devops.branch,
        agent_pool=devops.agent_pool,
        yaml_path=devops.yaml_path,
        smoke_request=devops.smoke_request,
        triggers=(stack_file,),
    )


class AzureMlDevOps(pulumi.ComponentResource):
    """Workspace, compute, shared registry, blue/green online endpoint and the Azure
    DevOps release, wired to the foundation. Offered to later architectures as
    ``azure_ml_devops`` (AKS and Arc clusters attach to ``workspace``)."""

    workspace_block: MlWorkspace
    workspace: ml.Workspace
    compute_identity: ManagedIdentity
    compute_identity_id: pulumi.Output[str]
    """The compute identity's resource id (clusters and the Kubernetes computes run as it)."""
    clusters: dict[str, ml.Compute]
    compute_instance: ml.Compute | None
    registry: ml.Registry | None
    workspace_grants: list[pulumi.Resource]
    workspace_endpoint: network.PrivateEndpoint | None
    """The workspace's private endpoint (only without public network access)."""
    endpoint: OnlineEndpoint
    devops: AzureDevOpsRelease | None
    workspace_id: pulumi.Output[str]
    workspace_name: pulumi.Output[str]
    registry_id: pulumi.Output[str]
    registry_name: str
    endpoint_name: pulumi.Output[str]
    scoring_uri: pulumi.Output[str]
    service_connection_id: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: AzureMlDevOpsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TOKEN, name, None, opts)
        settings, base, tags = args.settings, args.foundation, dict(args.tags)
        group, location = base.resource_group_name, args.location
        public = settings.public_network_access == "enabled"

        self.registry_name = registry_name(settings, args.name_prefix)
        self.registry = None
        if settings.registry.existing_id is not None:
            self.registry_id = pulumi.Output.from_input(settings.registry.existing_id)
        else:
            self.registry = create_registry(
                naming.child(name, "registry"),
                MlRegistryArgs(
                    resource_group_name=group,
                    location=location,
                    tags=tags,
                    registry_name=self.registry_name,
                    replica_locations=tuple(settings.registry.replica_locations),
                    public_network_access=public,
                    storage_sku=settings.storage_sku,
                    retention=args.retention,
                ),
                parent=self,
            )
            self.registry_id = self.registry.id

        self.workspace_block = MlWorkspace(
            naming.child(name, "workspace"),
            MlWorkspaceArgs(
                resource_group_name=group,
                location=location,
                tags=tags,
                name_prefix=args.name_prefix,
                key_vault_id=base.key_vault_id,
                key_uri=base.key.key.key_uri_with_version,
                key_vault_uri=base.key_vault_uri,
                key_name=base.key.key_name,
                key_access=list(base.key.role_assignments.values()),
                identity_id=base.identity_id,
                container_registry_id=base.registry_id,
                application_insights_id=base.app_insights_id,
                lake_account_name=base.storage_account_name,
                lake_container=next(iter(base.lake.containers)),
                outbound=settings.outbound.value,
                public_network_access=public,
                customer_managed_key=settings.customer_managed_key,
                storage_sku=settings.storage_sku,
                private_targets={
                    "lake-dfs": PrivateTarget(base.storage_account_id, "dfs"),
                    "registry": PrivateTarget(self.registry_id, "amlregistry"),
                },
                image_build_compute=CPU_CLUSTER,
                training_image=settings.training_image,
                retention=args.retention,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.workspace_endpoint = None
        if not public:
            self.workspace_endpoint = self._workspace_endpoint(name, base, location, tags)
        self.workspace = self.workspace_block.workspace
        self.workspace_id = self.workspace_block.workspace_id
        self.workspace_name = self.workspace_block.workspace_name
        self.workspace_grants = self._workspace_grants(name, base)
        self.compute_identity = ManagedIdentity(
            naming.child(name, "compute"),
            ManagedIdentityArgs(
                resource_group_name=group,
                location=location,
                tags=tags,
                grants={
                    "lake": Grant("Storage Blob Data Contributor", base.storage_account_id),
                    "storage": Grant(
                        "Storage Blob Data Contributor", self.workspace_block.storage.account_id
                    ),
                    "acr": Grant("AcrPull", base.registry_id),
                },
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.compute_identity_id = self.compute_identity.identity_id
        self.clusters = self._clusters(name, args, tags)
        self.compute_instance = None
        if settings.compute_instance.enabled:
            self.compute_instance = instance(
                naming.child(name, "instance"),
                compute_name=instance_name(args.name_prefix, pulumi.get_stack()),
                vm_size=settings.compute_instance.vm_size,
                idle_minutes=settings.compute_instance.idle_minutes_before_shutdown,
                assigned_user=(
                    (user.object_id, user.tenant_id)
                    if (user := settings.compute_instance.assigned_user)
                    else None
                ),
                resource_group_name=group,
                workspace_name=self.workspace_name,
                location=location,
                tags=tags,
                parent=self,
                depends_on=self.workspace_grants,
            )
        endpoint = settings.endpoint
        self.endpoint = OnlineEndpoint(
            naming.child(name, "endpoint"),
            OnlineEndpointArgs(
                resource_group_name=group,
                location=location,
                tags=tags,
                workspace_name=self.workspace_name,
                workspace_id=self.workspace_id,
                endpoint_name=endpoint_name(args.name_prefix, pulumi.get_stack()),
                auth=endpoint.auth.value,
                public_network_access=public,
                slots={
                    slot: SlotSpec(spec.model, spec.instance_type, spec.scaling)
                    for slot, spec in endpoint.slots.items()
                },
                traffic={str(slot): share for slot, share in endpoint.traffic.items()},
                action_group_id=base.action_group_id,
                latency_alarm_ms=endpoint.latency_alarm_ms,
                errors_alarm_per_minute=endpoint.errors_alarm_per_minute,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.endpoint_name = self.endpoint.endpoint_name
        self.scoring_uri = self.endpoint.scoring_uri
        self.devops = self._devops(name, args, tags)
        self.service_connection_id = self.devops.service_connection_id if self.devops else None
        self.register_outputs(
            {
                "workspace_id": self.workspace_id,
                "workspace_name": self.workspace_name,
                "registry_id": self.registry_id,
                "registry_name": self.registry_name,
                "endpoint_name": self.endpoint_name,
                "scoring_uri": self.scoring_uri,
                "service_connection_id": self.service_connection_id,
            }
        )

    def _workspace_grants(self, name: str, base: AzureFoundation) -> list[pulumi.Resource]:
        """The workspace identity reads the lake (datastore previews) and approves the
        private endpoints its managed network creates to its storage, vault, ACR, the
        lake and the registry: Azure stopped granting that itself (April 2025,
        https://aka.ms/azureaipeapproval), and a pending endpoint leaves the network
        without the resource. Compute waits for these grants (the first compute
        provisions the managed network)."""
        identity = self.workspace_block.principal_id
        grants: list[pulumi.Resource] = [
            role_assignment(
                naming.child(name, "workspace-lake-reader"),
                scope=base.storage_account_id,
                role="Storage Blob Data Reader",
                principal_id=identity,
                parent=self,
            )
        ]
        targets = {
            "storage": self.workspace_block.storage.account_id,
            "vault": base.key_vault_id,
            "acr": base.registry_id,
            "lake": base.storage_account_id,
            "registry": self.registry_id,
        }
        grants += [
            role_assignment(
                naming.child(name, f"workspace-approver-{label}"),
                scope=scope,
                role="Azure AI Enterprise Network Connection Approver",
                principal_id=identity,
                parent=self,
            )
            for label, scope in targets.items()
        ]
        return grants

    def _workspace_endpoint(
        self, name: str, base: AzureFoundation, location: str, tags: dict[str, str]
    ) -> network.PrivateEndpoint:
        """The workspace's private endpoint in the foundation's endpoint subnet, with
        its two DNS zones linked to the foundation's VNet: how studio, the SDK and the
        release agents reach a workspace without public network access."""
        zones = {
            role: private_dns_zone(
                naming.child(name, f"dns-{role}"),
                zone_name=zone,
                resource_group_name=base.resource_group_name,
                vnet_id=base.vnet_id,
                tags=tags,
                parent=self,
            )
            for role, zone in WORKSPACE_DNS_ZONES.items()
        }
        endpoint, _ = private_endpoint(
            naming.child(name, "workspace-pe"),
            label="workspace",
            target=PrivateEndpointTarget("amlworkspace", self.workspace_block.workspace_id),
            subnet_id=base.endpoint_subnet_id,
            zones=zones,
            resource_group_name=base.resource_group_name,
            location=location,
            tags=tags,
            parent=self,
        )
        return endpoint

    def _clusters(
        self, name: str, args: AzureMlDevOpsArgs, tags: dict[str, str]
    ) -> dict[str, ml.Compute]:
        settings = args.settings
        cpu = settings.cpu_cluster
        specs = {
            CPU_CLUSTER: ClusterSpec(
                CPU_CLUSTER,
                cpu.vm_size,
                cpu.max_nodes,
                cpu.capacity,
                settings.idle_seconds_before_scale_down,
            )
        }
        if settings.gpu_cluster is not None:
            pool = settings.gpu_cluster
            specs[GPU_CLUSTER] = ClusterSpec(
                GPU_CLUSTER,
                machine_for(pool, "gpu_cluster.accelerator").machine_type,
                pool.max_nodes,
                pool.capacity,
                settings.idle_seconds_before_scale_down,
            )
        return {
            key: cluster(
                naming.child(name, f"{key}-cluster"),
                spec,
                resource_group_name=args.foundation.resource_group_name,
                workspace_name=self.workspace_name,
                location=args.location,
                identity_id=self.compute_identity.identity_id,
                tags=tags,
                parent=self,
                depends_on=self.workspace_grants,
            )
            for key, spec in specs.items()
        }

    def _devops(
        self, name: str, args: AzureMlDevOpsArgs, tags: dict[str, str]
    ) -> AzureDevOpsRelease | None:
        devops = args.settings.devops
        if devops is None or not devops.enabled:
            return None
        github = devops.github
        return AzureDevOpsRelease(
            naming.child(name, "devops"),
            AzureDevOpsArgs(
                resource_group_name=args.foundation.resource_group_name,
                location=args.location,
                tags=tags,
                organization_url=devops.organization_url,
                project=devops.project,
                repository=devops.repository,
                branch=devops.branch,
                yaml_path=devops.yaml_path,
                connection_name=f"{args.name_prefix}-azure-ml",
                grants={
                    "workspace": Grant("AzureML Data Scientist", self.workspace_id),
                    "registry": Grant("AzureML Registry User", self.registry_id),
                },
                github_subject=(
                    f"repo:{github.repository}:environment:{github.environment}" if github else None
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )


def declare_capacity(deployment: Deployment, settings: AzureMlDevOpsSettings) -> None:
    """One entry per cluster, the compute instance and each deployment slot."""
    region, key = deployment.region, "architectures.azure_ml_devops"
    cpu = settings.cpu_cluster
    entries = [
        Capacity(
            Cloud.AZURE,
            region,
            USAGE,
            cpu.vm_size,
            cpu.max_nodes,
            cpu.capacity is CapacityStrategy.SPOT_FIRST,
            source=f"{key}.cpu_cluster",
        )
    ]
    if settings.gpu_cluster is not None:
        pool = settings.gpu_cluster
        entries.append(
            Capacity(
                Cloud.AZURE,
                region,
                USAGE,
                machine_for(pool, "gpu_cluster.accelerator").machine_type,
                pool.max_nodes,
                pool.capacity is CapacityStrategy.SPOT_FIRST,
                source=f"{key}.gpu_cluster",
            )
        )
    if settings.compute_instance.enabled:
        entries.append(
            Capacity(
                Cloud.AZURE,
                region,
                USAGE,
                settings.compute_instance.vm_size,
                1,
                False,
                source=f"{key}.compute_instance",
            )
        )
    for slot, spec in settings.endpoint.slots.items():
        entries.append(
            Capacity(
                Cloud.AZURE,
                region,
                USAGE,
                spec.instance_type,
                spec.scaling.max_instances,
                False,
                source=f"{key}.endpoint.{slot}",
            )
        )
    for entry in entries:
        deployment.declare_capacity(entry)


def deploy(deployment: Deployment, settings: AzureMlDevOpsSettings) -> Outputs:
    """The registry's entry point: one ``AzureMlDevOps`` named ``azureml`` on the
    foundation, offered as ``azure_ml_devops``, and its flat outputs."""
    foundation = deployment.take("azure_foundation", AzureFoundation)
    component = AzureMlDevOps(
        "azureml",
        AzureMlDevOpsArgs(
            settings=settings,
            foundation=foundation,
            location=deployment.region,
            name_prefix=deployment.name_prefix,
            tags=merge_tags(deployment.tags, component="azure-ml-devops"),
            environment=deployment.tags.get("environment", "dev"),
            retention=deployment.retention,
        ),
        opts=deployment.opts,
    )
    deployment.offer("azure_ml_devops", component)
    declare_capacity(deployment, settings)
    return {
        "azure_ml_workspace_id": component.workspace_id,
        "azure_ml_workspace_name": component.workspace_name,
        "azure_ml_registry_id": component.registry_id,
        "azure_ml_registry_name": pulumi.Output.from_input(component.registry_name),
        "azure_ml_endpoint_name": component.endpoint_name,
        "azure_ml_scoring_uri": component.scoring_uri,
        "azure_ml_service_connection_id": component.service_connection_id,
    }
