"""Settings of the Azure foundation: the base every Azure architecture shares.

Imports pydantic and the vocabulary only (no Azure SDK), so a stack file is validated
before any SDK is imported.
"""

from __future__ import annotations

import ipaddress
from typing import Literal, Self

from pydantic import EmailStr, Field, field_validator, model_validator

from ..vocabulary import (
    Accelerator,
    AcceleratorPool,
    CapacityStrategy,
    LifecycleSettings,
    NetworkAccess,
    Strict,
)

StorageSku = Literal["Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_GZRS"]
"""Redundancy of the data lake account (``DataLakeStorage.SKUS``)."""

NOT_PUBLIC = tuple(
    ipaddress.IPv4Network(block)
    for block in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
    )
)
"""Private (RFC 1918), shared (RFC 6598), loopback and link-local ranges, which Azure
service firewalls do not match (the same list as ``azure.keyvault.check_ip_ranges``)."""

_CONTAINER = r"^(?=.{3,63}$)[a-z0-9](?!.*--)[a-z0-9-]*[a-z0-9]$"


def _net(value: str, key: str) -> ipaddress.IPv4Network:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as error:
        raise ValueError(f"{key}: {error}") from None
    if not isinstance(network, ipaddress.IPv4Network) or not network.is_private:
        raise ValueError(f"{key}: {value} is not a private IPv4 range (RFC 1918)")
    return network


class AzureFoundationSettings(Strict):
    """The Azure foundation of a stack (``mlops:azure:Foundation``): one resource
    group, a user-assigned identity, a customer-managed key, an ADLS Gen2 data lake
    encrypted with it, a private network with private endpoints for the lake (blob,
    dfs), the vault and the registry, a Premium container registry and Log Analytics
    with Application Insights. Every default is the secure and cheap choice."""

    enabled: bool = Field(
        default=True,
        description="false: the section stays in the stack file but nothing is deployed.",
    )
    address_space: str = Field(
        default="10.20.0.0/16",
        description="The VNet's private IPv4 range (RFC 1918). Pick one that does not "
        "overlap networks you will peer or connect to.",
    )
    endpoint_subnet: str = Field(
        default="10.20.0.0/24",
        description="Subnet of the private endpoints (one address per endpoint), "
        "inside `address_space`.",
    )
    workload_subnet: str = Field(
        default="10.20.4.0/22",
        description="Subnet for the architectures' compute (Azure ML compute, AKS "
        "nodes), inside `address_space`, no default outbound internet access.",
    )
    network_access: NetworkAccess = Field(
        default_factory=NetworkAccess,
        description="private (default): the vault, the lake and the registry have no "
        "public endpoint; reach them through the private endpoints. public: their "
        "firewalls admit only `allowed_cidrs` (public IPv4 ranges; Azure service "
        "firewalls take no IPv6 and no private ranges). Trusted Azure services pass "
        "either way.",
    )
    storage_sku: StorageSku = Field(
        default="Standard_LRS",
        description="Redundancy of the data lake; locally redundant is the cheapest.",
    )
    containers: list[str] = Field(
        default_factory=lambda: ["data"],
        min_length=1,
        max_length=10,
        description="Containers (file systems) of the data lake, created private.",
    )
    lifecycle: LifecycleSettings = Field(
        default_factory=LifecycleSettings,
        description="Tiering of the whole lake (cool after 30 days, archive after 90) "
        "and expiry per prefix in every container (none by default).",
    )
    registry_untagged_retention_days: int = Field(
        default=7,
        ge=0,
        le=365,
        description="Days the registry keeps untagged manifests before deleting them.",
    )
    log_retention_days: int = Field(
        default=30,
        ge=30,
        le=730,
        description="Days Log Analytics keeps logs and traces; the first 31 are "
        "included in the ingestion price.",
    )
    log_daily_quota_gb: float | None = Field(
        default=None,
        gt=0,
        description="Daily ingestion cap in GB; data beyond it is dropped for the day. "
        "null: no cap.",
    )
    alert_emails: list[EmailStr] = Field(
        default_factory=list,
        description="Addresses an action group e-mails alerts to; empty: no action group.",
    )

    @field_validator("containers")
    @classmethod
    def _container_names(cls, values: list[str]) -> list[str]:
        import re

        for i, value in enumerate(values):
            if not re.match(_CONTAINER, value):
                raise ValueError(
                    f"containers[{i}]: {value!r} must be 3-63 lower-case letters, digits "
                    "and single hyphens, starting and ending with a letter or digit"
                )
        if len(set(values)) != len(values):
            raise ValueError("containers: a container is listed twice")
        return values

    @field_validator("network_access")
    @classmethod
    def _public_ipv4(cls, access: NetworkAccess) -> NetworkAccess:
        for i, cidr in enumerate(access.allowed_cidrs):
            network = ipaddress.ip_network(cidr)
            if not isinstance(network, ipaddress.IPv4Network) or any(
                network.overlaps(block) for block in NOT_PUBLIC
            ):
                raise ValueError(
                    f"allowed_cidrs[{i}]: {cidr} is not a public IPv4 range; Azure "
                    "service firewalls match public IPv4 client addresses only"
                )
        return access

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        space = _net(self.address_space, "address_space")
        subnets = {
            "endpoint_subnet": _net(self.endpoint_subnet, "endpoint_subnet"),
            "workload_subnet": _net(self.workload_subnet, "workload_subnet"),
        }
        for key, subnet in subnets.items():
            if not subnet.subnet_of(space):
                raise ValueError(f"{key}: {subnet} is outside address_space {space}")
            if subnet.prefixlen > 29:
                raise ValueError(f"{key}: {subnet} is smaller than /29 (Azure's minimum)")
        if subnets["endpoint_subnet"].overlaps(subnets["workload_subnet"]):
            raise ValueError("workload_subnet: overlaps endpoint_subnet")
        return self

    @property
    def allowed_ip_ranges(self) -> list[str]:
        """The firewall allowlist the blocks take (empty: no public endpoint)."""
        return list(self.network_access.allowed_cidrs)


# -- architecture 5: Kubernetes-based MLOps on AKS -------------------------------------

_GUID = r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$"
_K8S_NAME = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
_COMPUTE_NAME = r"^[a-zA-Z][a-zA-Z0-9-]{1,15}$"

UpgradeChannel = Literal["patch", "stable", "rapid", "node-image"]
"""``ManagedCluster.auto_upgrade_profile.upgrade_channel`` values that upgrade (``none``
is not offered: a cluster that never upgrades falls out of support)."""
InferenceRouterServiceType = Literal["LoadBalancer", "NodePort", "ClusterIP"]


def _check_bounds(min_nodes: int, max_nodes: int) -> None:
    if max_nodes < min_nodes:
        raise ValueError(f"max_nodes ({max_nodes}) must be >= min_nodes ({min_nodes})")


class CpuPoolSettings(Strict):
    """A pool of CPU nodes (data processing, CPU training and serving)."""

    vm_size: str = Field(
        default="Standard_D4ds_v5",
        pattern=r"^Standard_[A-Za-z0-9_]+$",
        description="VM size of the nodes (4 vCPU, 16 GiB by default).",
    )
    min_nodes: int = Field(
        default=0, ge=0, le=1000, description="Nodes kept when idle; 0 scales the pool away."
    )
    max_nodes: int = Field(default=3, ge=1, le=1000, description="Autoscaling ceiling.")
    capacity: CapacityStrategy = Field(
        default=CapacityStrategy.SPOT_FIRST,
        description="spot_first: Spot priority (evicted nodes deleted, up to the "
        "on-demand price); on_demand: Regular priority.",
    )

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        _check_bounds(self.min_nodes, self.max_nodes)
        if self.capacity is CapacityStrategy.RESERVED:
            raise ValueError("capacity: CPU pools take spot_first or on_demand")
        return self


class SystemPoolSettings(Strict):
    """The cluster's System pool (CoreDNS, metrics, the AzureML extension's
    controllers): the one pool inside the cluster resource, always Regular priority
    (a Spot pool cannot be a System pool)."""

    vm_size: str = Field(
        default="Standard_D4ds_v5",
        pattern=r"^Standard_[A-Za-z0-9_]+$",
        description="VM size; the AzureML extension asks for at least 4 vCPU and 14 GB "
        "in the cluster.",
    )
    min_nodes: int = Field(
        default=1, ge=1, le=1000, description="System pools keep at least one node."
    )
    max_nodes: int = Field(default=3, ge=1, le=1000, description="Autoscaling ceiling.")

    @model_validator(mode="after")
    def _bounds(self) -> Self:
        _check_bounds(self.min_nodes, self.max_nodes)
        return self


class AzureMlExtensionSettings(Strict):
    """The ``Microsoft.AzureML.Kubernetes`` cluster extension and the Kubernetes
    compute that attaches the cluster to the Azure ML workspace."""

    enable_training: bool = Field(default=True, description="Run Azure ML training jobs.")
    enable_inference: bool = Field(
        default=False,
        description="Run Azure ML Kubernetes online endpoints. Off by default: the "
        "router needs a TLS certificate (`ssl_secret`), or an explicit "
        "`allow_insecure_connections`.",
    )
    inference_router_service_type: InferenceRouterServiceType = Field(
        default="LoadBalancer",
        description="How the inference router is exposed; LoadBalancer with "
        "`internal_load_balancer` gets a private IP in the workloads subnet.",
    )
    internal_load_balancer: bool = Field(
        default=True,
        description="AKS only: the router's load balancer is internal (Azure provider, "
        "a private IP in the workloads subnet), never on a public IP. Arc clusters "
        "have no Azure load balancer and ignore it.",
    )
    inference_router_ha: bool = Field(
        default=False,
        description="Three router replicas on separate nodes (production); false: one.",
    )
    ssl_secret: str | None = Field(
        default=None,
        pattern=_K8S_NAME,
        description="Kubernetes secret (in the extension's namespace `azureml`) with "
        "the TLS certificate of the router (`cert.pem`, `key.pem`), created out of "
        "band; required with inference unless `allow_insecure_connections`.",
    )
    ssl_cname: str | None = Field(
        default=None, description="Host name the TLS certificate is issued for."
    )
    allow_insecure_connections: bool = Field(
        default=False,
        description="true: the router serves plain HTTP (internal dev clusters only; "
        "a policy rule flags it).",
    )
    namespace: str = Field(
        default="azureml-workloads",
        pattern=_K8S_NAME,
        description="Namespace the attached compute runs jobs and endpoints in.",
    )
    compute_name: str = Field(
        default="aks-compute",
        pattern=_COMPUTE_NAME,
        description="Name of the Kubernetes compute in the workspace (2-16 characters).",
    )

    @model_validator(mode="after")
    def _tls(self) -> Self:
        if not (self.enable_training or self.enable_inference):
            raise ValueError("enable_training: enable training, inference or both")
        if (self.ssl_secret is None) != (self.ssl_cname is None):
            raise ValueError("ssl_cname: ssl_secret and ssl_cname go together")
        if (
            self.enable_inference
            and self.ssl_secret is None
            and not self.allow_insecure_connections
        ):
            raise ValueError(
                "ssl_secret: inference needs a TLS secret (ssl_secret and ssl_cname) or "
                "allow_insecure_connections: true"
            )
        if self.ssl_secret is not None and self.allow_insecure_connections:
            raise ValueError("allow_insecure_connections: not with ssl_secret (TLS is on)")
        return self


class AksMlopsSettings(Strict):
    """Architecture 5, Kubernetes-based MLOps on Azure (``mlops:azure:AksMlops``): an
    AKS cluster in the foundation's workloads subnet with a CPU and a GPU pool that
    scale to zero, the AzureML extension attached to the workspace as Kubernetes
    compute, AcrPull for the kubelet and lake access through workload identity."""

    enabled: bool = Field(default=True, description="false: nothing is deployed.")
    api_server: NetworkAccess = Field(
        default_factory=NetworkAccess,
        description="private (default): a private cluster, the API server has only a "
        "private IP in the VNet. public: a public API server that admits only "
        "`allowed_cidrs` (authorized IP ranges; add the Azure ML control plane ranges "
        "of the region and its pair).",
    )
    sku_tier: Literal["Free", "Standard"] = Field(
        default="Free",
        description="Free: no uptime SLA (dev); Standard: financially backed SLA (prod).",
    )
    upgrade_channel: UpgradeChannel = Field(
        default="patch",
        description="Cluster auto-upgrade: patch releases of the current minor version.",
    )
    admin_group_object_ids: list[str] = Field(
        default_factory=list,
        description="Entra ID groups given cluster admin through Entra ID; others need "
        "Azure RBAC role assignments on the cluster.",
    )
    defender: bool = Field(
        default=True,
        description="Defender for Containers sensor, reporting to the foundation's Log "
        "Analytics workspace (billed when the subscription's Defender plan is on).",
    )
    pod_cidr: str = Field(
        default="10.244.0.0/16",
        description="Overlay pod range (Azure CNI overlay); must not overlap the VNet.",
    )
    service_cidr: str = Field(
        default="10.0.0.0/16",
        description="Kubernetes service range; must not overlap the VNet or pods.",
    )
    system_pool: SystemPoolSettings = Field(default_factory=SystemPoolSettings)
    cpu_pool: CpuPoolSettings = Field(default_factory=CpuPoolSettings)
    gpu_pool: AcceleratorPool = Field(
        default_factory=lambda: AcceleratorPool(accelerator=Accelerator.NVIDIA_T4),
        description="The GPU pool: one T4 per node, 0 to 1 nodes, Spot by default.",
    )
    capacity_reservation_group_id: str | None = Field(
        default=None,
        description="Capacity reservation group of the GPU pool; required with "
        "gpu_pool.capacity reserved.",
    )
    gpu_driver: Literal["Install", "None"] = Field(
        default="Install",
        description="Install: AKS installs the NVIDIA driver on GPU nodes and the AzureML "
        "extension installs the device plugin. None: the NVIDIA GPU Operator does both. "
        "Changing it replaces the GPU pool.",
    )
    workload_service_account: str = Field(
        default="mlops-data",
        pattern=_K8S_NAME,
        description="Kubernetes service account (in the compute namespace) federated "
        "with the data identity, which reads and writes the lake.",
    )
    extension: AzureMlExtensionSettings = Field(default_factory=AzureMlExtensionSettings)

    @field_validator("admin_group_object_ids")
    @classmethod
    def _groups(cls, values: list[str]) -> list[str]:
        import re

        for i, value in enumerate(values):
            if not re.match(_GUID, value):
                raise ValueError(f"admin_group_object_ids[{i}]: {value!r} is not a GUID")
        return values

    @field_validator("gpu_pool")
    @classmethod
    def _offered(cls, pool: AcceleratorPool) -> AcceleratorPool:
        from ..azure.accelerators import machine_for

        machine_for(pool, "gpu_pool.accelerator")
        return pool

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        pods = _cidr(self.pod_cidr, "pod_cidr")
        services = _cidr(self.service_cidr, "service_cidr")
        if pods.overlaps(services):
            raise ValueError("service_cidr: overlaps pod_cidr")
        reserved = self.gpu_pool.capacity is CapacityStrategy.RESERVED
        if reserved != (self.capacity_reservation_group_id is not None):
            raise ValueError(
                "capacity_reservation_group_id: set it exactly when gpu_pool.capacity is reserved"
            )
        return self


def _cidr(value: str, key: str) -> ipaddress.IPv4Network:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as error:
        raise ValueError(f"{key}: {error}") from None
    if not isinstance(network, ipaddress.IPv4Network):
        raise ValueError(f"{key}: {value} is not an IPv4 range")
    return network


# -- architecture 6: hybrid MLOps with Azure Arc ---------------------------------------

_CONNECTED_CLUSTER_ID = (
    r"^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\w.()]{1,90}/providers/"
    r"Microsoft\.Kubernetes/connectedClusters/[a-zA-Z0-9][-_a-zA-Z0-9]{0,62}$"
)
_QUANTITY = r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti)?$"


class InstanceTypeSettings(Strict):
    """An Azure ML instance type on the on-premises cluster: where its pods run and
    what each gets (Kubernetes quantities)."""

    node_selector: dict[str, str] = Field(
        default_factory=dict, description="Node labels the pods must match; empty: any node."
    )
    cpu: str = Field(default="2", pattern=_QUANTITY, description="CPU request and limit.")
    memory: str = Field(default="8Gi", pattern=_QUANTITY, description="Memory request and limit.")
    gpus: int = Field(default=0, ge=0, le=16, description="nvidia.com/gpu limit per pod.")


class OnPremVolumeSettings(Strict):
    """Training data that stays on site: an NFS export Azure ML mounts into jobs."""

    server: str = Field(description="NFS server host name or IP, reachable from the nodes.")
    path: str = Field(pattern=r"^/", description="Exported path.")
    mount_path: str = Field(default="/mnt/data", pattern=r"^/", description="Path in jobs.")
    capacity: str = Field(default="100Gi", pattern=_QUANTITY, description="Volume size.")
    read_only: bool = Field(default=True, description="Jobs read the data and cannot change it.")


class CustomLocationSettings(Strict):
    """A custom location on the cluster, for Arc-enabled services that deploy through
    one (data services, App Service); Azure ML itself attaches by cluster id."""

    name: str = Field(pattern=r"^[a-zA-Z0-9][-a-zA-Z0-9]{0,62}$", description="Its name.")
    namespace: str = Field(default="mlops", pattern=_K8S_NAME, description="Its namespace.")


class ArcHybridMlopsSettings(Strict):
    """Architecture 6, hybrid MLOps with Azure Arc (``mlops:azure:ArcHybridMlops``):
    an Arc-connected on-premises cluster adopted by id, the AzureML extension on it,
    attached to the workspace as Kubernetes compute for training and inference, model
    containers in the shared Azure ML registry, and an online endpoint on site or in
    the cloud. Data stays on site (an NFS volume mounted into jobs)."""

    enabled: bool = Field(default=True, description="false: nothing is deployed.")
    connected_cluster_id: str = Field(
        pattern=_CONNECTED_CLUSTER_ID,
        description="Resource id of the Arc-connected cluster (`az connectedk8s "
        "connect` on site, see the README); the program never creates or deletes it.",
    )
    extension: AzureMlExtensionSettings = Field(
        default_factory=lambda: AzureMlExtensionSettings(
            inference_router_service_type="NodePort", compute_name="onprem"
        ),
        description="The AzureML extension; on site the router is a NodePort behind "
        "your own load balancer (no Azure load balancer).",
    )
    instance_types: dict[str, InstanceTypeSettings] = Field(
        default_factory=lambda: {
            "training": InstanceTypeSettings(cpu="4", memory="16Gi"),
            "inference": InstanceTypeSettings(cpu="1", memory="4Gi"),
        },
        min_length=1,
        description="Instance types of the compute by name (lower-case Kubernetes names).",
    )
    default_instance_type: str = Field(
        default="training", description="Instance type of jobs that name none."
    )
    models: list[str] = Field(
        default_factory=lambda: ["model"],
        description="Model names registered in the shared Azure ML registry (one "
        "container each; versions come from training runs).",
    )
    serving: Literal["on_prem", "cloud"] = Field(
        default="cloud",
        description="cloud (default): train on site, serve from a managed online "
        "endpoint in Azure. on_prem: the endpoint runs on the Arc cluster (needs "
        "`extension.enable_inference` with TLS).",
    )
    data_volume: OnPremVolumeSettings | None = Field(
        default=None,
        description="On-site NFS data mounted into training jobs; null: none.",
    )
    custom_location: CustomLocationSettings | None = Field(
        default=None, description="null (default): Azure ML needs none."
    )

    @field_validator("models")
    @classmethod
    def _models(cls, values: list[str]) -> list[str]:
        import re

        for i, value in enumerate(values):
            if not re.match(r"^[a-zA-Z0-9][-a-zA-Z0-9_.]{0,254}$", value):
                raise ValueError(f"models[{i}]: {value!r} is not a valid model name")
        if len(set(values)) != len(values):
            raise ValueError("models: a model is listed twice")
        return values

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        import re

        for name in self.instance_types:
            if not re.match(_K8S_NAME, name):
                raise ValueError(f"instance_types: {name!r} is not a lower-case Kubernetes name")
        if self.default_instance_type not in self.instance_types:
            raise ValueError(
                f"default_instance_type: {self.default_instance_type!r} is not one of "
                f"{', '.join(sorted(self.instance_types))}"
            )
        if self.serving == "on_prem" and not self.extension.enable_inference:
            raise ValueError("serving: on_prem needs extension.enable_inference")
        return self

    @property
    def cluster_resource_group(self) -> str:
        return self.connected_cluster_id.split("/")[4]

    @property
    def cluster_subscription(self) -> str:
        return self.connected_cluster_id.split("/")[2]

    def check_subscription(self, subscription_id: str | None) -> None:
        """The extension is created through the stack's Azure provider, in the cluster's
        resource group of the provider's subscription: a cluster in another subscription
        is not found there. Checked when ``mlops-iac:azure.subscription_id`` is set (a
        subscription taken from the credentials is not known at plan time)."""
        if subscription_id is None or subscription_id.lower() == self.cluster_subscription.lower():
            return
        raise ValueError(
            f"connected_cluster_id: the cluster is in subscription {self.cluster_subscription}, "
            f"the stack's Azure provider deploys to {subscription_id} (mlops-iac:azure."
            "subscription_id); the AzureML extension must be created in the cluster's "
            "subscription: set mlops-iac:azure.subscription_id to it (and give the "
            "deploying identity access there), or connect the cluster in the stack's "
            "subscription"
        )

    @property
    def cluster_name(self) -> str:
        return self.connected_cluster_id.rsplit("/", 1)[1]
