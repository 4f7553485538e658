"""Architecture 5, Kubernetes-based MLOps on Azure: Azure Data Lake → AKS data
processing → Azure ML training → ACR containers → AKS inference → Application Insights.

```
 foundation (resource group, lake, ACR, workloads subnet, Log Analytics, App Insights)
 └── AksMlops
     ├── AksCluster ── ManagedCluster (Entra ID + Azure RBAC, OIDC, workload identity,
     │                 private API server, CNI overlay, Container Insights, Defender,
     │                 auto-upgrade, inline System pool) ── AcrPull for the kubelet
     ├── NodePool cpu ── AgentPool (autoscaled from 0, Spot or Regular)
     ├── NodePool gpu ── AgentPool (NC/ND size, nvidia.com/gpu taint, from 0, Spot or Regular)
     ├── WorkloadIdentity data ── identity (Blob Data Contributor on the lake)
     │                            └── federated credential for the data service account
     └── KubernetesCompute ── AzureML extension ── Kubernetes compute in the workspace
                              (instance types cpu and gpu)
```

The workspace comes from architecture 4 (``azure_ml_devops``); inference services log
to the foundation's Application Insights (``aks_mlops_app_insights_connection_string``).
See ``README.md`` in this folder ("AKS MLOps") for inputs, outputs and defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from .. import naming
from ..azure.agent_pool import NodePool, NodePoolArgs, declare_capacity, gpu_pool_args
from ..azure.aks import SYSTEM_POOL, AksCluster, AksClusterArgs
from ..azure.identity import Grant
from ..azure.kubernetes_compute import (
    ClusterKind,
    InstanceType,
    KubernetesCompute,
    KubernetesComputeArgs,
)
from ..azure.manifests import document, namespace, service_account
from ..azure.workload_identity import WorkloadIdentity, WorkloadIdentityArgs
from ..registry import Capacity, Deployment, Outputs
from ..settings import Cloud
from ..settings.azure import AksMlopsSettings
from ..tags import merge_tags
from .azure_foundation import AzureFoundation
from .azure_ml_link import WorkspaceLink, take_workspace

TOKEN = "mlops:azure:AksMlops"
CPU_POOL = "cpu"
GPU_POOL = "gpu"
CPU_INSTANCE = InstanceType({"mlops.io/pool": CPU_POOL}, cpu="2", memory="8Gi")
"""Default instance type: half of a 4-vCPU, 16 GiB CPU node (requests must stay below a
node's allocatable resources, which AKS reduces by its system reservations, or pods
never schedule)."""


@dataclass
class AksMlopsArgs:
    settings: AksMlopsSettings
    foundation: AzureFoundation
    workspace: WorkspaceLink
    location: str
    name_prefix: str
    tags: Mapping[str, str]


def gpu_instance(gpus: int) -> InstanceType:
    """The GPU instance type: all GPUs of one node of the GPU pool, with 3 CPU and
    12 GiB, which fit the allocatable resources of the smallest GPU size
    (``Standard_NC4as_T4_v3``: 4 vCPU, 28 GiB) and so every larger one."""
    return InstanceType({"mlops.io/pool": GPU_POOL}, cpu="3", memory="12Gi", gpus=gpus)


class AksMlops(pulumi.ComponentResource):
    """Architecture 5 on the foundation and the Azure ML workspace."""

    cluster: AksCluster
    cpu_pool: NodePool
    gpu_pool: NodePool
    data_identity: WorkloadIdentity
    compute: KubernetesCompute
    pool_args: dict[str, NodePoolArgs]
    manifest: pulumi.Output[str]

    def __init__(
        self, name: str, args: AksMlopsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TOKEN, name, None, opts)
        s, base, tags = args.settings, args.foundation, dict(args.tags)
        here = pulumi.ResourceOptions(parent=self)
        group, subnet = base.resource_group_name, base.workload_subnet_id
        self.cluster = AksCluster(
            naming.child(name, "cluster"),
            AksClusterArgs(
                resource_group_name=group,
                location=args.location,
                tags=tags,
                name_prefix=args.name_prefix,
                subnet_id=subnet,
                log_analytics_workspace_id=base.workspace_id,
                registry_id=base.registry_id,
                api_server=s.api_server,
                sku_tier=s.sku_tier,
                upgrade_channel=s.upgrade_channel,
                admin_group_object_ids=tuple(s.admin_group_object_ids),
                defender=s.defender,
                pod_cidr=s.pod_cidr,
                service_cidr=s.service_cidr,
                system_pool=s.system_pool,
            ),
            opts=here,
        )
        cluster = self.cluster.cluster_name
        self.pool_args = {
            CPU_POOL: NodePoolArgs(
                resource_group_name=group,
                cluster_name=cluster,
                pool_name=CPU_POOL,
                vm_size=s.cpu_pool.vm_size,
                min_nodes=s.cpu_pool.min_nodes,
                max_nodes=s.cpu_pool.max_nodes,
                capacity=s.cpu_pool.capacity,
                subnet_id=subnet,
                tags=tags,
            ),
            GPU_POOL: gpu_pool_args(
                s.gpu_pool,
                resource_group_name=group,
                cluster_name=cluster,
                pool_name=GPU_POOL,
                subnet_id=subnet,
                tags=tags,
                gpu_driver=s.gpu_driver,
                capacity_reservation_group_id=s.capacity_reservation_group_id,
            ),
        }
        self.cpu_pool = NodePool(naming.child(name, CPU_POOL), self.pool_args[CPU_POOL], opts=here)
        self.gpu_pool = NodePool(naming.child(name, GPU_POOL), self.pool_args[GPU_POOL], opts=here)
        ext = s.extension
        self.data_identity = WorkloadIdentity(
            naming.child(name, "data"),
            WorkloadIdentityArgs(
                resource_group_name=group,
                location=args.location,
                tags=tags,
                issuer_url=self.cluster.oidc_issuer_url,
                namespace=ext.namespace,
                service_account=s.workload_service_account,
                grants={"lake": Grant("Storage Blob Data Contributor", base.storage_account_id)},
            ),
            opts=here,
        )
        self.compute = KubernetesCompute(
            naming.child(name, "compute"),
            KubernetesComputeArgs(
                kind=ClusterKind.AKS,
                cluster_resource_group_name=group,
                cluster_name=cluster,
                cluster_id=self.cluster.cluster_id,
                location=args.location,
                workspace_resource_group_name=args.workspace.resource_group_name,
                workspace_name=args.workspace.workspace_name,
                identity_id=args.workspace.compute_identity_id,
                settings=ext,
                instance_types={
                    CPU_POOL: CPU_INSTANCE,
                    GPU_POOL: gpu_instance(s.gpu_pool.count),
                },
                default_instance_type=CPU_POOL,
                tags=tags,
                install_device_plugin=s.gpu_driver == "Install",
            ),
            # The instance types select the pools' nodes: create the pools first.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.cpu_pool, self.gpu_pool]),
        )
        self.manifest = self.data_identity.client_id.apply(
            lambda client: document(
                [
                    namespace(ext.namespace),
                    service_account(s.workload_service_account, ext.namespace, client),
                ]
            )
        )
        self.register_outputs(
            {
                "cluster_id": self.cluster.cluster_id,
                "compute_id": self.compute.compute_id,
                "manifest": self.manifest,
            }
        )


def declare_pools(deployment: Deployment, component: AksMlops, settings: AksMlopsSettings) -> None:
    """Every pool's ceiling, for the stack's quotas (the System pool included)."""
    source = "architectures.aks_mlops"
    system = settings.system_pool
    deployment.declare_capacity(
        Capacity(
            Cloud.AZURE,
            deployment.region,
            "vm",
            system.vm_size,
            system.max_nodes,
            False,
            source=f"{source}.{SYSTEM_POOL}_pool",
        )
    )
    for pool, pool_args in component.pool_args.items():
        declare_capacity(deployment, pool_args, deployment.region, f"{source}.{pool}_pool")


def deploy(deployment: Deployment, settings: AksMlopsSettings) -> Outputs:
    """The registry's entry point: one ``AksMlops`` named ``aks`` on the foundation and
    the workspace of ``azure_ml_devops``; outputs ``aks_mlops_*``."""
    component = AksMlops(
        "aks",
        AksMlopsArgs(
            settings=settings,
            foundation=deployment.take("azure_foundation", AzureFoundation),
            workspace=take_workspace(deployment),
            location=deployment.region,
            name_prefix=deployment.name_prefix,
            tags=merge_tags(deployment.tags, component="aks-mlops"),
        ),
        opts=deployment.opts,
    )
    declare_pools(deployment, component, settings)
    return {
        "aks_mlops_cluster_id": component.cluster.cluster_id,
        "aks_mlops_cluster_name": component.cluster.cluster_name,
        "aks_mlops_oidc_issuer_url": component.cluster.oidc_issuer_url,
        "aks_mlops_extension_id": component.compute.extension_id,
        "aks_mlops_compute_id": component.compute.compute_id,
        "aks_mlops_data_client_id": component.data_identity.client_id,
        "aks_mlops_app_insights_connection_string": deployment.take(
            "azure_foundation", AzureFoundation
        ).app_insights_connection_string,
        "aks_mlops_kubernetes_manifest": component.manifest,
    }
