"""Azure ML on Kubernetes: the ``Microsoft.AzureML.Kubernetes`` cluster extension on an
AKS or Arc-connected cluster, and the Kubernetes compute that attaches the cluster to
an Azure ML workspace with its instance types.

The extension's settings are the ones the official CLI passes (``azure-cli-extensions``,
k8s-extension's AzureML partner code, and
https://learn.microsoft.com/azure/machine-learning/how-to-deploy-kubernetes-extension):
``enableTraining``, ``enableInference``, ``inferenceRouterServiceType``,
``internalLoadBalancerProvider``, ``inferenceRouterHA``, ``allowInsecureConnections``,
``sslSecret``/``sslCname``, ``installNvidiaDevicePlugin``, and those the CLI derives
and an ARM caller must give itself: ``clusterId`` and ``cluster_name`` (the cluster's
resource id), ``cluster_name_friendly``, ``location``, ``jobSchedulerLocation``,
``domain``, ``clusterPurpose``. Every
value is a string (``"True"``/``"False"``): the API takes ``Mapping[str, str]``.

Instance types are the compute's ``properties.instanceTypes`` (node selector and
resource requests/limits per type); jobs and deployments name one, or get the default.

Update behaviour: the extension and the compute have fixed names (``azureml``, the
compute name), so changes that replace them (extension type, cluster, namespace)
delete the old one first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import pulumi
from pulumi_azure_native import kubernetesconfiguration as kc
from pulumi_azure_native import machinelearningservices as ml

from .. import naming
from ..settings.azure import AzureMlExtensionSettings
from .names import check_name

TOKEN = "mlops:azure:KubernetesCompute"
EXTENSION_TYPE = "Microsoft.AzureML.Kubernetes"
EXTENSION_NAME = "azureml"
RELEASE_NAMESPACE = "azureml"
"""The extension installs cluster-wide into this namespace (as the CLI does)."""
RELEASE_TRAIN = "stable"


class ClusterKind(StrEnum):
    """Where the extension goes: ``(cluster_rp, cluster_resource_name)`` pairs of the
    ``Extension`` API."""

    AKS = "aks"
    ARC = "arc"

    @property
    def provider(self) -> tuple[str, str]:
        if self is ClusterKind.AKS:
            return ("Microsoft.ContainerService", "managedClusters")
        return ("Microsoft.Kubernetes", "connectedClusters")


@dataclass(frozen=True)
class InstanceType:
    """One Azure ML instance type: where its pods run and what each gets."""

    node_selector: Mapping[str, str]
    cpu: str
    """CPU request and limit, Kubernetes quantity (``"2"``, ``"500m"``)."""
    memory: str
    """Memory request and limit (``"8Gi"``)."""
    gpus: int = 0
    """``nvidia.com/gpu`` limit (0: none)."""

    def schema(self) -> ml.InstanceTypeSchemaArgs:
        limits = {"cpu": self.cpu, "memory": self.memory}
        if self.gpus:
            limits["nvidia.com/gpu"] = str(self.gpus)
        return ml.InstanceTypeSchemaArgs(
            node_selector=dict(self.node_selector),
            resources=ml.InstanceTypeSchemaResourcesArgs(
                requests={"cpu": self.cpu, "memory": self.memory}, limits=limits
            ),
        )


@dataclass
class KubernetesComputeArgs:
    kind: ClusterKind
    cluster_resource_group_name: pulumi.Input[str]
    cluster_name: pulumi.Input[str]
    cluster_id: pulumi.Input[str]
    location: str
    """Azure location of the compute (the workspace's)."""
    workspace_resource_group_name: pulumi.Input[str]
    workspace_name: pulumi.Input[str]
    settings: AzureMlExtensionSettings
    instance_types: Mapping[str, InstanceType]
    default_instance_type: str
    tags: Mapping[str, str]
    install_device_plugin: bool = False
    """The extension installs the NVIDIA device plugin (GPU nodes whose driver AKS
    installs)."""
    extra_settings: Mapping[str, str] = field(default_factory=dict)
    identity_id: pulumi.Input[str] | None = None
    """User-assigned identity the compute's jobs and deployments run as (the workspace's
    compute identity: data access without shared keys); ``None``: none."""


def _flag(value: bool) -> str:
    return "True" if value else "False"


def extension_settings(
    args: KubernetesComputeArgs,
) -> dict[str, pulumi.Input[str]]:
    """The extension's ``configuration_settings``, all strings."""
    s = args.settings
    settings: dict[str, pulumi.Input[str]] = {
        "enableTraining": _flag(s.enable_training),
        "enableInference": _flag(s.enable_inference),
        "inferenceRouterServiceType": s.inference_router_service_type,
        "inferenceRouterHA": _flag(s.inference_router_ha),
        "allowInsecureConnections": _flag(s.allow_insecure_connections),
        "installNvidiaDevicePlugin": _flag(args.install_device_plugin),
        "clusterId": args.cluster_id,
        "cluster_name": args.cluster_id,
        "cluster_name_friendly": args.cluster_name,
        "location": args.location,
        "jobSchedulerLocation": args.location,
        "domain": f"{args.location}.cloudapp.azure.com",
        "clusterPurpose": "FastProd" if s.inference_router_ha else "DevTest",
    }
    if s.internal_load_balancer and args.kind is ClusterKind.AKS:
        settings["internalLoadBalancerProvider"] = "azure"
    if s.ssl_secret is not None and s.ssl_cname is not None:
        settings["sslSecret"] = s.ssl_secret
        settings["sslCname"] = s.ssl_cname
    settings.update(args.extra_settings)
    return settings


def check_instance_types(types: Mapping[str, InstanceType], default: str) -> None:
    """Names are Kubernetes names (they become InstanceType objects); the default is
    one of them."""
    for name in types:
        if not re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", name):
            raise ValueError(f"instance_types: {name!r} is not a lower-case Kubernetes name")
    if default not in types:
        raise ValueError(
            f"default_instance_type: {default!r} is not one of {', '.join(sorted(types))}"
        )


def fixed_name_options(
    parent: pulumi.Resource, depends_on: list[pulumi.Resource] | None = None
) -> pulumi.ResourceOptions:
    """A fixed name cannot exist twice: a replacement deletes the old one first."""
    return pulumi.ResourceOptions(parent=parent, depends_on=depends_on, delete_before_replace=True)


class KubernetesCompute(pulumi.ComponentResource):
    """The AzureML extension on a cluster and the workspace's Kubernetes compute on it."""

    extension: kc.Extension
    compute: ml.Compute
    extension_id: pulumi.Output[str]
    compute_id: pulumi.Output[str]
    compute_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: KubernetesComputeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TOKEN, name, None, opts)
        check_instance_types(args.instance_types, args.default_instance_type)
        compute_name = check_name("ml-compute-cluster", args.settings.compute_name)
        rp, kind = args.kind.provider
        self.extension = kc.Extension(
            naming.child(name, "extension"),
            resource_group_name=args.cluster_resource_group_name,
            cluster_rp=rp,
            cluster_resource_name=kind,
            cluster_name=args.cluster_name,
            extension_name=EXTENSION_NAME,
            extension_type=EXTENSION_TYPE,
            auto_upgrade_minor_version=True,
            release_train=RELEASE_TRAIN,
            scope={"cluster": {"release_namespace": RELEASE_NAMESPACE}},
            identity={"type": kc.ResourceIdentityType.SYSTEM_ASSIGNED},
            configuration_settings=extension_settings(args),
            opts=fixed_name_options(self),
        )
        self.compute = ml.Compute(
            naming.child(name),
            compute_name=compute_name,
            resource_group_name=args.workspace_resource_group_name,
            workspace_name=args.workspace_name,
            location=args.location,
            tags=dict(args.tags),
            identity=(
                {
                    "type": ml.ManagedServiceIdentityType.USER_ASSIGNED,
                    "user_assigned_identities": [args.identity_id],
                }
                if args.identity_id is not None
                else None
            ),
            properties=ml.KubernetesArgs(
                compute_type="Kubernetes",
                description=f"{args.kind.value} cluster with the AzureML extension",
                resource_id=args.cluster_id,
                properties=ml.KubernetesPropertiesArgs(
                    namespace=args.settings.namespace,
                    default_instance_type=args.default_instance_type,
                    instance_types={
                        key: value.schema() for key, value in sorted(args.instance_types.items())
                    },
                ),
            ),
            opts=fixed_name_options(self, [self.extension]),
        )
        self.extension_id = self.extension.id
        self.compute_id = self.compute.id
        self.compute_name = self.compute.name
        self.register_outputs({"extension_id": self.extension_id, "compute_id": self.compute_id})
