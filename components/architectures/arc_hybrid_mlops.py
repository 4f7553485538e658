"""Architecture 6, hybrid MLOps with Azure Arc: on-premises data → Azure Arc-enabled
ML → on-premises training → Azure model registry → Azure or on-premises deployment.

```
 on site: Kubernetes cluster ── Arc agents (az connectedk8s connect, out of band)
          └── NFS data volume (manifest output; data never leaves the site)
 Azure:   ArcHybridMlops
          ├── KubernetesCompute ── AzureML extension on the connected cluster
          │                        └── Kubernetes compute (training, inference types)
          ├── model containers in the shared Azure ML registry
          ├── OnlineEndpoint ── on the Arc cluster (on_prem) or managed (cloud)
          └── CustomLocation (optional, for Arc services that need one)
```

The connected cluster is adopted by resource id: the program never creates, changes or
deletes it (its agents are installed on site, see README "Arc hybrid MLOps"). Training
reads the on-site volume; only models (registry) and metrics leave the site, the
data-compliance split of the source document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import extendedlocation, machinelearningservices

from .. import naming
from ..azure.kubernetes_compute import (
    ClusterKind,
    InstanceType,
    KubernetesCompute,
    KubernetesComputeArgs,
)
from ..azure.manifests import NfsVolume, document, namespace, nfs_volume
from ..azure.ml_serving import model_containers, online_endpoint
from ..registry import Deployment, Outputs
from ..settings.azure import ArcHybridMlopsSettings
from ..tags import merge_tags
from .azure_foundation import AzureFoundation
from .azure_ml_link import WorkspaceLink, take_workspace

TOKEN = "mlops:azure:ArcHybridMlops"
DATA_VOLUME = "onprem-data"


@dataclass
class ArcHybridMlopsArgs:
    settings: ArcHybridMlopsSettings
    foundation: AzureFoundation
    workspace: WorkspaceLink
    location: str
    tags: Mapping[str, str]


def manifest(settings: ArcHybridMlopsSettings) -> str:
    """The compute namespace and, with ``data_volume``, the NFS volume and claim."""
    ns = settings.extension.namespace
    objects = [namespace(ns)]
    volume = settings.data_volume
    if volume is not None:
        objects += nfs_volume(
            NfsVolume(
                DATA_VOLUME,
                volume.server,
                volume.path,
                volume.mount_path,
                volume.capacity,
                volume.read_only,
            ),
            ns,
        )
    return document(objects)


class ArcHybridMlops(pulumi.ComponentResource):
    """Architecture 6 on the foundation and the Azure ML workspace and registry."""

    compute: KubernetesCompute
    models: dict[str, machinelearningservices.RegistryModelContainer]
    endpoint: machinelearningservices.OnlineEndpoint
    custom_location: extendedlocation.CustomLocation | None
    manifest: str

    def __init__(
        self, name: str, args: ArcHybridMlopsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TOKEN, name, None, opts)
        s, tags, ws = args.settings, dict(args.tags), args.workspace
        self.compute = KubernetesCompute(
            naming.child(name, "compute"),
            KubernetesComputeArgs(
                kind=ClusterKind.ARC,
                cluster_resource_group_name=s.cluster_resource_group,
                cluster_name=s.cluster_name,
                cluster_id=s.connected_cluster_id,
                location=args.location,
                workspace_resource_group_name=ws.resource_group_name,
                workspace_name=ws.workspace_name,
                identity_id=ws.compute_identity_id,
                settings=s.extension,
                instance_types={
                    key: InstanceType(t.node_selector, t.cpu, t.memory, t.gpus)
                    for key, t in s.instance_types.items()
                },
                default_instance_type=s.default_instance_type,
                tags=tags,
                install_device_plugin=any(t.gpus for t in s.instance_types.values()),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.models = model_containers(
            name,
            s.models,
            registry_name=ws.registry_name,
            resource_group_name=ws.registry_resource_group_name,
            tags=tags,
            parent=self,
        )
        self.endpoint = online_endpoint(
            naming.child(name, "endpoint"),
            workspace_name=ws.workspace_name,
            resource_group_name=ws.resource_group_name,
            location=args.location,
            tags=tags,
            compute_id=self.compute.compute_id if s.serving == "on_prem" else None,
            parent=self,
        )
        self.custom_location = None
        if s.custom_location is not None:
            self.custom_location = extendedlocation.CustomLocation(
                naming.child(name, "location"),
                resource_name_=s.custom_location.name,
                resource_group_name=s.cluster_resource_group,
                location=args.location,
                host_type=extendedlocation.HostType.KUBERNETES,
                host_resource_id=s.connected_cluster_id,
                namespace=s.custom_location.namespace,
                cluster_extension_ids=[self.compute.extension_id],
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.manifest = manifest(s)
        self.register_outputs(
            {"compute_id": self.compute.compute_id, "endpoint_id": self.endpoint.id}
        )


def deploy(deployment: Deployment, settings: ArcHybridMlopsSettings) -> Outputs:
    """The registry's entry point: one ``ArcHybridMlops`` named ``arc``; outputs
    ``arc_hybrid_mlops_*``. The on-site cluster's own capacity is not Azure quota, so
    nothing is declared for it; a managed (cloud) endpoint gets its capacity from the
    release pipeline's deployments."""
    component = ArcHybridMlops(
        "arc",
        ArcHybridMlopsArgs(
            settings=settings,
            foundation=deployment.take("azure_foundation", AzureFoundation),
            workspace=take_workspace(deployment),
            location=deployment.region,
            tags=merge_tags(deployment.tags, component="arc-hybrid-mlops"),
        ),
        opts=deployment.opts,
    )
    location = component.custom_location
    return {
        "arc_hybrid_mlops_extension_id": component.compute.extension_id,
        "arc_hybrid_mlops_compute_id": component.compute.compute_id,
        "arc_hybrid_mlops_endpoint_id": component.endpoint.id,
        "arc_hybrid_mlops_custom_location_id": location.id if location else None,
        "arc_hybrid_mlops_kubernetes_manifest": pulumi.Output.from_input(component.manifest),
    }
