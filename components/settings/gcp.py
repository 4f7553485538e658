"""Settings of the Google Cloud foundation (``architectures.gcp_foundation``).

The foundation is the base every Google Cloud architecture shares (APIs, customer key,
buckets, service accounts, Artifact Registry, network, logs and alerts); see
``components/architectures/README.md``. Every default is the secure and cheap choice.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, EmailStr, Field, field_validator, model_validator

from ..vocabulary import AcceleratorPool, NetworkAccess, ScarceCapacity
from .base import Strict
from .common import LifecycleSettings

MAX_LOG_RETENTION_DAYS = 3650
"""Cloud Logging keeps logs in a user-defined bucket 1-3,650 days
(https://cloud.google.com/logging/docs/buckets#custom-retention)."""


def _subnet_cidr(value: str) -> str:
    """A subnet's primary range: a network address (no host bits) inside RFC 1918, /8 to
    /29 (https://cloud.google.com/vpc/docs/subnets#valid-ranges: the smallest IPv4
    subnet is /29)."""
    try:
        network = ipaddress.IPv4Network(value)
    except ValueError:
        raise ValueError(
            "is not an IPv4 network with its host bits zero, e.g. 10.50.0.0/20"
        ) from None
    if "/" not in value:
        raise ValueError("needs a prefix length, e.g. 10.50.0.0/20")
    private = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
    if not any(network.subnet_of(ipaddress.IPv4Network(r)) for r in private):
        raise ValueError(
            "is not a private range: use part of 10.0.0.0/8, 172.16.0.0/12 or "
            "192.168.0.0/16 (RFC 1918)"
        )
    if network.prefixlen > 29:
        raise ValueError("is smaller than /29, the smallest subnet Google Cloud allows")
    return str(network)


SubnetCidr = Annotated[str, AfterValidator(_subnet_cidr)]


class GcpFoundationSettings(Strict):
    """The Google Cloud base of a stack: project APIs, a rotated customer-managed key,
    a data bucket and a pipeline-root bucket, placeholder service accounts (pipeline
    runner, training) without keys, a Docker repository, a private network, a log
    bucket and alert e-mails. Architectures of issue 10 extend it."""

    enabled: bool = Field(
        default=True,
        description="false: the section stays in the stack file but nothing is deployed.",
    )
    subnet_cidr: SubnetCidr = Field(
        default="10.50.0.0/20",
        description="Primary range of the one `workloads` subnet (RFC 1918; default a "
        "/20, 4,096 addresses). The subnet has Private Google Access and flow logs.",
    )
    cloud_nat: bool = Field(
        default=False,
        description="false (default): no Cloud Router or NAT; workloads reach Google APIs "
        "through Private Google Access only and nothing else on the internet. true: a "
        "router and NAT for the subnet (billed per hour and GB) for package mirrors and "
        "model hubs.",
    )
    flow_log_sampling: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Share of the subnet's flows logged (0-1]; flow logs are billed per "
        "GB ingested in Cloud Logging.",
    )
    key_rotation_days: int = Field(
        default=90,
        ge=2,
        le=90,
        description="Days between new primary versions of the customer-managed key "
        "(2-90; the CIS Google Cloud benchmark asks for at most 90). Old versions stay "
        "enabled, so earlier data still decrypts.",
    )
    data_lifecycle: LifecycleSettings = Field(
        default_factory=LifecycleSettings,
        description="Tiering and per-prefix expiry of the data bucket (default: nearline "
        "after 30 days, coldline after 90, nothing expired).",
    )
    pipeline_root_lifecycle: LifecycleSettings = Field(
        default_factory=LifecycleSettings,
        description="Tiering and per-prefix expiry of the pipeline-root bucket, where "
        "pipeline runs write their artifacts (same defaults as the data bucket).",
    )
    image_keep_recent_versions: int = Field(
        default=10,
        ge=1,
        description="Versions of each image the Docker repository keeps whatever their age.",
    )
    image_delete_untagged_after_days: int = Field(
        default=7,
        ge=1,
        description="Days after which untagged image versions are deleted (unless among "
        "the kept recent versions). Tagged versions are never deleted.",
    )
    log_retention_days: int = Field(
        default=30,
        ge=1,
        le=MAX_LOG_RETENTION_DAYS,
        description="Days the foundation's log bucket keeps logs (1-3650; 30 is Cloud "
        "Logging's free retention, longer is billed per GB and month).",
    )
    alert_emails: list[EmailStr] = Field(
        default_factory=list,
        description="One Cloud Monitoring e-mail notification channel per address, for "
        "the architectures' alert policies; empty (default): no channel.",
    )

    @field_validator("alert_emails")
    @classmethod
    def _distinct(cls, emails: list[str]) -> list[str]:
        seen = {e.lower() for e in emails}
        if len(seen) != len(emails):
            raise ValueError("an address is listed twice")
        return emails


# -- architecture 8: GKE-based MLOps ---------------------------------------------------

GKE_POOL_NAME = r"^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$"
"""A pool key: 1-20 lower-case letters, digits and hyphens (it ends the node pool's
name ``<cluster>-<key>``, and GKE allows 40 characters)."""
ZONE = r"^[a-z]+-[a-z]+\d-[a-z]$"
"""A Compute Engine zone (``europe-west4-a``)."""


class GkeAcceleratorPoolSettings(AcceleratorPool):
    """A GKE node pool of GPUs or TPUs (see ``AcceleratorPool`` for the shape and
    capacity; ``gcp/node_pools.py`` for the arguments each choice sets)."""

    zones: list[Annotated[str, Field(pattern=ZONE)]] = Field(
        default_factory=list,
        description="Zones of the pool's nodes; empty: the cluster's zones. A multi-host "
        "TPU slice needs exactly one zone (its chips are linked in one place).",
    )
    reservations: list[str] = Field(
        default_factory=list,
        description="With capacity reserved / scarce_capacity reservation: the names of "
        "the Compute Engine reservations the nodes consume (SPECIFIC_RESERVATION).",
    )
    disk_size_gb: int = Field(
        default=100, ge=50, le=65536, description="Boot disk per node, GB (pd-balanced)."
    )

    @model_validator(mode="after")
    def _placement(self) -> Self:
        if self.is_multi_host and len(self.zones) != 1:
            raise ValueError(
                f"zones: a multi-host {self.tpu_topology} slice needs exactly one zone "
                f"(got {self.zones or 'the cluster default'})"
            )
        if self.is_multi_host and self.max_nodes != self.nodes_per_slice:
            raise ValueError(
                f"max_nodes: a GKE multi-host TPU node pool is one {self.tpu_topology} slice "
                f"of {self.nodes_per_slice} nodes, created and removed whole; use max_nodes "
                f"{self.nodes_per_slice} and another pool for another slice"
            )
        reserved = self.scarce_capacity is ScarceCapacity.RESERVATION
        if reserved and not self.reservations:
            raise ValueError("reservations: scarce_capacity reservation names at least one")
        if self.reservations and not reserved:
            raise ValueError("reservations: only scarce_capacity reservation consumes them")
        return self


class GkeClusterSettings(Strict):
    """The GKE Standard cluster: private nodes, Workload Identity, Shielded nodes,
    Dataplane V2, managed Prometheus, secrets encrypted with the foundation's key."""

    release_channel: Literal["RAPID", "REGULAR", "STABLE"] = Field(
        default="REGULAR",
        description="Upgrade cadence; GKE upgrades control plane and nodes within it.",
    )
    control_plane: NetworkAccess = Field(
        default_factory=NetworkAccess,
        description="private (default): the control plane has only its private endpoint, "
        "reached from the VPC. public: a public endpoint that accepts only "
        "`allowed_cidrs` (master authorized networks).",
    )
    control_plane_cidr: str = Field(
        default="172.16.0.0/28",
        description="The /28 the control plane's private endpoint uses (RFC 1918, unused "
        "elsewhere in the VPC).",
    )
    zones: list[Annotated[str, Field(pattern=ZONE)]] = Field(
        default_factory=list,
        description="Zones of the regional cluster's nodes; empty: GKE picks three.",
    )
    node_cidr: SubnetCidr = Field(
        default="10.60.0.0/20", description="Primary range of the cluster's own subnet."
    )
    pods_cidr: SubnetCidr = Field(
        default="10.64.0.0/14", description="Secondary range for Pod IPs (VPC-native)."
    )
    services_cidr: SubnetCidr = Field(
        default="10.68.0.0/20", description="Secondary range for Service IPs."
    )
    system_machine_type: str = Field(
        default="e2-standard-4",
        pattern=r"^[a-z0-9]+-[a-z0-9-]+$",
        description="Machine type of the system pool (kube-system, serving CPUs).",
    )
    system_min_nodes: int = Field(
        default=1, ge=1, description="System pool floor across all zones."
    )
    system_max_nodes: int = Field(default=3, ge=1, description="System pool ceiling.")
    gpu_driver_version: Literal["DEFAULT", "LATEST", "INSTALLATION_DISABLED"] = Field(
        default="DEFAULT",
        description="The NVIDIA driver GKE installs on GPU nodes. Changing it replaces "
        "every GPU pool (hashicorp/terraform-provider-google#23248): choose it before "
        "the first deploy. INSTALLATION_DISABLED: the NVIDIA GPU Operator installs it.",
    )
    accelerator_pools: dict[str, GkeAcceleratorPoolSettings] = Field(
        default_factory=dict,
        description="GPU and TPU node pools by short name (the node pool is "
        "`<cluster>-<name>`); none by default.",
    )

    @field_validator("accelerator_pools")
    @classmethod
    def _pool_names(
        cls, pools: dict[str, GkeAcceleratorPoolSettings]
    ) -> dict[str, GkeAcceleratorPoolSettings]:
        for key in pools:
            if not re.match(GKE_POOL_NAME, key):
                raise ValueError(
                    f"{key!r}: pool names are 1-20 lower-case letters, digits and hyphens"
                )
        return pools

    @field_validator("control_plane_cidr")
    @classmethod
    def _master_cidr(cls, value: str) -> str:
        checked = _subnet_cidr(value)
        if ipaddress.IPv4Network(checked).prefixlen != 28:
            raise ValueError("the control plane's range is a /28")
        return checked

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.system_max_nodes < self.system_min_nodes:
            raise ValueError("system_max_nodes must be >= system_min_nodes")
        ranges = {
            "node_cidr": self.node_cidr,
            "pods_cidr": self.pods_cidr,
            "services_cidr": self.services_cidr,
            "control_plane_cidr": self.control_plane_cidr,
        }
        seen: list[tuple[str, ipaddress.IPv4Network]] = []
        for key, cidr in ranges.items():
            net = ipaddress.IPv4Network(cidr)
            for other, other_net in seen:
                if net.overlaps(other_net):
                    raise ValueError(f"{key}: {cidr} overlaps {other}")
            seen.append((key, net))
        return self


class DataflowSettings(Strict):
    """Dataflow processing: the infrastructure a Flex Template job runs on (worker
    service account, staging and temp locations in the data bucket, the private subnet,
    CMEK), and the job itself once its template exists."""

    enabled: bool = Field(default=True, description="false: no Dataflow resources.")
    template_path: str | None = Field(
        default=None,
        pattern=r"^gs://[a-z0-9][a-z0-9._-]+/.+\.json$",
        description="gs:// path of a built Flex Template spec; given: a Flex Template "
        "job runs it (batch or streaming). None (default): only the infrastructure.",
    )
    parameters: dict[str, str] = Field(
        default_factory=dict, description="The template's parameters."
    )
    machine_type: str = Field(
        default="n2-standard-2", description="Worker machine type (CPU processing)."
    )
    max_workers: int = Field(default=4, ge=1, le=1000, description="Autoscaling ceiling.")


class GkeServingSettings(Strict):
    """Model serving on the cluster: a namespace, a Kubernetes service account bound
    through Workload Identity to a Google service account that reads the model bucket,
    and a Deployment, Service (internal) and HorizontalPodAutoscaler."""

    enabled: bool = Field(default=True, description="false: no serving objects.")
    image: str = Field(
        default="model-server:latest",
        pattern=r"^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$",
        description="Image in the foundation's Docker repository, `<name>:<tag>` or "
        "`<name>@sha256:<digest>`; pin a tag or digest outside dev.",
    )
    namespace: str = Field(default="serving", pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    port: int = Field(default=8080, ge=1, le=65535, description="The container's port.")
    accelerator_pool: str | None = Field(
        default=None,
        description="Name of the GPU pool the model runs on (GPU request, toleration and "
        "node selector); None: CPU serving on the system pool.",
    )
    gpus_per_replica: int = Field(default=1, ge=1, le=8)
    cpu: str = Field(default="1", pattern=r"^\d+(\.\d+)?m?$")
    memory: str = Field(default="2Gi", pattern=r"^\d+(Mi|Gi)$")
    min_replicas: int = Field(default=1, ge=1, le=100)
    max_replicas: int = Field(default=3, ge=1, le=100)
    target_cpu_percent: int = Field(default=70, ge=1, le=100)

    @model_validator(mode="after")
    def _replicas(self) -> Self:
        if self.max_replicas < self.min_replicas:
            raise ValueError("max_replicas must be >= min_replicas")
        return self


class GkeMonitoringSettings(Strict):
    """Cloud Monitoring for the platform: a dashboard and alert policies."""

    error_ratio: float = Field(
        default=0.05,
        gt=0,
        le=1,
        description="Alert when this share of the serving load balancer's requests fail "
        "(5xx) over 5 minutes.",
    )
    idle_accelerator_percent: int = Field(
        default=10,
        ge=1,
        le=100,
        description="Alert when accelerator nodes run below this utilisation (GPU duty "
        "cycle, TPU TensorCore) for `idle_minutes`: paid-for chips doing nothing.",
    )
    idle_minutes: int = Field(default=60, ge=5, le=1440)


class GkeMlopsSettings(Strict):
    """Architecture 8, GKE-based MLOps: Cloud Storage -> Dataflow -> GKE training ->
    Artifact Registry -> GKE serving -> Cloud Monitoring, on the Google Cloud foundation
    (``architectures.gcp_foundation``)."""

    enabled: bool = Field(default=True, description="false: nothing is deployed.")
    cluster: GkeClusterSettings = Field(default_factory=GkeClusterSettings)
    dataflow: DataflowSettings = Field(default_factory=DataflowSettings)
    serving: GkeServingSettings = Field(default_factory=GkeServingSettings)
    monitoring: GkeMonitoringSettings = Field(default_factory=GkeMonitoringSettings)

    @model_validator(mode="after")
    def _serving_pool(self) -> Self:
        pool = self.serving.accelerator_pool
        if self.serving.enabled and pool is not None:
            found = self.cluster.accelerator_pools.get(pool)
            if found is None:
                raise ValueError(
                    f"serving.accelerator_pool: {pool!r} is not one of cluster."
                    f"accelerator_pools ({', '.join(self.cluster.accelerator_pools) or 'none'})"
                )
            if found.is_tpu:
                raise ValueError(
                    f"serving.accelerator_pool: {pool!r} is a TPU pool; serving requests GPUs"
                )
            if self.serving.gpus_per_replica > found.count:
                raise ValueError(
                    f"serving.gpus_per_replica: {self.serving.gpus_per_replica} exceeds the "
                    f"{found.count} GPUs per node of pool {pool!r}"
                )
        return self
