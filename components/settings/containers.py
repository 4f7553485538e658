"""Settings of reference architecture 3, container-based MLOps on AWS: ECR model
containers, ECS/Fargate data processing, EKS model serving with GPU node groups, and
CloudWatch monitoring (``mlops_components.architectures.container_mlops``)."""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator

from ..vocabulary import AcceleratorPool, allowed
from .aws import (
    LOG_RETENTION_DAYS,
    AwsAccountId,
    EmailAddress,
    NetworkSettings,
)
from .base import CapacityStrategy, Strict


def _ec2_instance_type(value: str) -> str:
    from ..aws import facts  # imported when used: the aws package imports the settings

    return facts.check_ec2_instance_type(value)


Ec2InstanceType = Annotated[str, AfterValidator(_ec2_instance_type)]
"""An EC2 instance type botocore's EC2 model lists, e.g. ``m6i.large``."""
RepositoryName = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$", max_length=64)
]
"""An ECR repository name below the stack prefix (``<prefix>/<name>``)."""
ImageTag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
"""A Docker image tag (immutable in these repositories: a commit or model version)."""


def _wildcards(pattern: str) -> str:
    if pattern.count("*") > 4:
        raise ValueError(f"{pattern!r}: ECR allows at most 4 wildcards in a tag pattern")
    return pattern


BuildTagPattern = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_.-]*\*[A-Za-z0-9_.*-]*$", max_length=128),
    AfterValidator(_wildcards),
]
"""An ECR lifecycle ``tagPatternList`` entry: tag characters and one to four ``*``
wildcards (``build-*``); a pattern without a wildcard would match a single tag."""
S3Prefix = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*/$")
]
"""A folder of a bucket, ending in ``/`` (``incoming/``, ``models/``)."""
PoolName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,19}$")]
IamPrincipalArn = Annotated[
    str, StringConstraints(pattern=r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+$")
]
K8sName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
"""A Kubernetes DNS-1123 label (namespace, deployment, service account)."""

ENDPOINT_SERVICES = (
    "ecr.api",
    "ecr.dkr",
    "sts",
    "logs",
    "ec2",
    "eks",
    "eks-auth",
    "autoscaling",
    "monitoring",
)
"""Interface endpoints a private EKS cluster without NAT needs: image pulls (ECR, with
S3 as the gateway endpoint), node join and the VPC CNI (``ec2``, ``eks``, ``sts``), Pod
Identity (``eks-auth``), the cluster autoscaler (``autoscaling``, ``eks``) and Container
Insights (``logs``, ``monitoring``); about $7 a month each per zone. No load balancer
endpoint: the model server is a ClusterIP service (add ``elasticloadbalancing`` with a
load balancer controller). Source: "Deploy private clusters with
limited internet access", https://docs.aws.amazon.com/eks/latest/userguide/private-clusters.html."""

FARGATE_MEMORY_MIB: dict[int, tuple[int, int, int]] = {
    256: (512, 2048, 512),
    512: (1024, 4096, 1024),
    1024: (2048, 8192, 1024),
    2048: (4096, 16384, 1024),
    4096: (8192, 30720, 1024),
    8192: (16384, 61440, 4096),
    16384: (32768, 122880, 8192),
}
"""Fargate task sizes: CPU units -> (least, most, step) memory in MiB (Linux).
Source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size."""


class ApiEndpointAccess(StrEnum):
    """Who reaches the Kubernetes API: ``private`` (from the VPC only; default) or
    ``public_allowlist`` (also from the internet, from ``public_access_cidrs`` only)."""

    PRIVATE = "private"
    PUBLIC_ALLOWLIST = "public_allowlist"


class NodeAmi(StrEnum):
    """Operating system of GPU nodes: ``al2023`` (``AL2023_x86_64_NVIDIA``: drivers in
    the AMI, the NVIDIA device plugin installed by this architecture) or
    ``bottlerocket`` (``BOTTLEROCKET_x86_64_NVIDIA``: drivers and device plugin built in)."""

    AL2023 = "al2023"
    BOTTLEROCKET = "bottlerocket"


def _cidr(value: str) -> str:
    network = ipaddress.ip_network(value, strict=True)
    if network.prefixlen == 0:
        raise ValueError(f"{value} opens the API to the whole internet; name your networks")
    return str(network)


PublicCidr = Annotated[str, AfterValidator(_cidr)]


def _container_network() -> NetworkSettings:
    return NetworkSettings(cidr_block="10.50.0.0/16", interface_endpoints=list(ENDPOINT_SERVICES))


class RegistrySettings(Strict):
    """ECR repositories ``<prefix>/<name>``: immutable tags, scan on push, the stack's
    KMS key, and a lifecycle policy."""

    repositories: list[RepositoryName] = Field(
        default_factory=lambda: ["serving", "processing"],
        min_length=1,
        description="Repository names under the stack prefix; each once.",
    )
    keep_images: int = Field(
        default=30,
        ge=1,
        le=1000,
        description="Images kept (newest) per build tag pattern; release tags are never expired.",
    )
    build_tag_patterns: list[BuildTagPattern] = Field(
        default_factory=lambda: ["build-*", "sha-*"],
        min_length=1,
        max_length=8,
        description="Tags CI gives its builds (ECR tagPatternList, `*` a wildcard); only "
        "images with such a tag are expired beyond keep_images. Any other tag is a "
        "release (what stacks pin) and kept.",
    )
    untagged_expire_days: int = Field(
        default=7, ge=1, le=365, description="Days after push an untagged image is deleted."
    )
    consumer_account_ids: list[AwsAccountId] = Field(
        default_factory=list,
        description="Accounts whose principals may pull images (staging and prod pulling "
        "what dev built); each gets pull-only access to every repository, which are then "
        "protected whatever the stack's retention.",
    )

    @field_validator("repositories", "build_tag_patterns")
    @classmethod
    def _once(cls, names: list[str]) -> list[str]:
        twice = sorted({n for i, n in enumerate(names) if n in names[:i]})
        if twice:
            raise ValueError(f"listed twice: {', '.join(twice)}")
        return names


class ProcessingSettings(Strict):
    """A Fargate task that processes data from the data bucket, run on a schedule and
    on new objects under ``trigger_prefix``."""

    enabled: bool = True
    repository: RepositoryName = Field(
        default="processing", description="Repository (of registry.repositories) of the image."
    )
    image_tag: ImageTag = Field(description="Tag of the processing image.")
    command: list[str] = Field(default_factory=list, description="Overrides the image's CMD.")
    cpu: Literal[256, 512, 1024, 2048, 4096, 8192, 16384] = Field(
        default=1024, description="CPU units (1024 = 1 vCPU)."
    )
    memory_mib: int = Field(default=2048, description="Memory; must fit the CPU size.")
    ephemeral_storage_gib: int = Field(
        default=21, ge=21, le=200, description="Scratch space (/tmp); Fargate's minimum is 21."
    )
    capacity: CapacityStrategy = Field(
        default=CapacityStrategy.SPOT_FIRST,
        description="spot_first: FARGATE_SPOT (about 70 % cheaper; a task may be stopped "
        "with two minutes' notice); on_demand: FARGATE. reserved is not offered on Fargate.",
    )
    schedule_expression: str | None = Field(
        default="rate(1 day)",
        pattern=r"^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$",
        description="EventBridge schedule; null: no scheduled run.",
    )
    trigger_prefix: S3Prefix | None = Field(
        default="incoming/",
        description="Objects created under this prefix of the data bucket start a task; "
        "null: no event trigger.",
    )
    max_concurrent_tasks: int = Field(
        default=4, ge=1, le=100, description="Tasks one trigger may start at once (quotas)."
    )

    @model_validator(mode="after")
    def _sizes(self) -> Self:
        low, high, step = FARGATE_MEMORY_MIB[self.cpu]
        if not (low <= self.memory_mib <= high and (self.memory_mib - low) % step == 0):
            raise ValueError(
                f"memory_mib: Fargate tasks of {self.cpu} CPU units take {low}-{high} MiB "
                f"in steps of {step}; got {self.memory_mib}"
            )
        if self.capacity is CapacityStrategy.RESERVED:
            raise ValueError(
                f"capacity: Fargate offers {allowed(['spot_first', 'on_demand'])}; got reserved"
            )
        return self


class ClusterSettings(Strict):
    """The EKS control plane. Its Kubernetes version and add-on versions are pinned in
    ``aws/data/eks-versions.json`` (one source; raised one minor version per release of
    this library, as EKS requires)."""

    endpoint_access: ApiEndpointAccess = ApiEndpointAccess.PRIVATE
    public_access_cidrs: list[PublicCidr] = Field(
        default_factory=list, description="With public_allowlist: the networks allowed."
    )
    admin_principal_arns: list[IamPrincipalArn] = Field(
        default_factory=list,
        description="IAM roles or users given cluster admin through access entries "
        "(AmazonEKSClusterAdminPolicy); the deploying identity is admin on creation.",
    )
    log_types: list[Literal["api", "audit", "authenticator", "controllerManager", "scheduler"]] = (
        Field(
            default_factory=lambda: ["api", "audit", "authenticator"],
            description="Control-plane logs sent to CloudWatch.",
        )
    )

    @model_validator(mode="after")
    def _access(self) -> Self:
        public = self.endpoint_access is ApiEndpointAccess.PUBLIC_ALLOWLIST
        if public and not self.public_access_cidrs:
            raise ValueError("public_access_cidrs: public_allowlist needs at least one CIDR")
        if not public and self.public_access_cidrs:
            raise ValueError("public_access_cidrs need endpoint_access public_allowlist")
        return self


class SystemPoolSettings(Strict):
    """The node group for cluster services (CoreDNS, autoscaler, agents) and CPU serving."""

    instance_types: list[Ec2InstanceType] = Field(
        default_factory=lambda: ["m6i.large"], min_length=1, description="EC2 types."
    )
    min_size: int = Field(default=2, ge=1, le=100)
    max_size: int = Field(default=3, ge=1, le=100)
    capacity: CapacityStrategy = CapacityStrategy.ON_DEMAND

    @model_validator(mode="after")
    def _sizes(self) -> Self:
        if self.max_size < self.min_size:
            raise ValueError(f"max_size ({self.max_size}) must be >= min_size ({self.min_size})")
        if self.capacity is CapacityStrategy.RESERVED:
            raise ValueError("capacity: the system pool takes spot_first or on_demand")
        return self


class GpuPoolSettings(AcceleratorPool):
    """An accelerated node group: the vendor-neutral pool plus the EKS options."""

    ami: NodeAmi = Field(
        default=NodeAmi.BOTTLEROCKET,
        description="bottlerocket (default): BOTTLEROCKET_x86_64_NVIDIA, drivers and device "
        "plugin built in, nothing pulled from outside AWS; al2023: AL2023_x86_64_NVIDIA "
        "with the NVIDIA device plugin chart, whose image comes from nvcr.io, so it needs "
        "an adopted network (network.vpc_id) with internet egress.",
    )
    extra_instance_types: list[Ec2InstanceType] = Field(
        default_factory=list,
        description="More EC2 types for the group, each with the same accelerator (a "
        "size of the same family: the group's nodes carry one accelerator label), the "
        "same number of GPUs and the same vCPUs and memory as the accelerator's type (the cluster autoscaler "
        "sizes a group by its first type), so Spot can pick from several capacity pools.",
    )
    efa: bool = Field(
        default=False,
        description="Multi-node training: EFA network interfaces and a cluster placement "
        "group (instance types that support EFA only).",
    )
    capacity_reservation_id: str | None = Field(
        default=None,
        pattern=r"^cr-[0-9a-f]{17}$",
        description="The On-Demand Capacity Reservation or Capacity Block to use "
        "(scarce_capacity reservation or capacity_block).",
    )
    disk_gib: int = Field(
        default=100, ge=20, le=16384, description="Root volume (images are large)."
    )

    @model_validator(mode="after")
    def _aws_only(self) -> Self:
        if self.is_tpu:
            raise ValueError(f"accelerator: {self.accelerator.value} is a TPU; AWS has none")
        # Imported when used: the aws package imports these settings. Both modules are
        # SDK-free (botocore models and data files).
        from ..aws import facts
        from ..aws.accelerators import accelerator_of, machine_for
        from ..aws.capacity import capacity_for

        machine = machine_for(self)
        capacity_for(self.capacity, self.scarce_capacity)
        for extra in self.extra_instance_types:
            carries = accelerator_of(extra)
            if carries is not self.accelerator:
                raise ValueError(
                    f"extra_instance_types: {extra} carries "
                    f"{carries.value if carries else 'no known accelerator'}, not "
                    f"{self.accelerator.value} (nodes are labelled and scheduled by "
                    "accelerator); list types of the same family only"
                )
            count = facts.accelerator_count(extra)
            if count != machine.count:
                raise ValueError(
                    f"extra_instance_types: {extra} has {count} accelerators per instance, "
                    f"{machine.machine_type} has {machine.count}"
                )
        reserved = self.capacity is CapacityStrategy.RESERVED
        if reserved and self.capacity_reservation_id is None:
            raise ValueError("capacity_reservation_id: capacity reserved needs the reservation id")
        if not reserved and self.capacity_reservation_id is not None:
            raise ValueError("capacity_reservation_id needs capacity reserved")
        return self


class ServingSettings(Strict):
    """The model server on EKS: a Deployment, a ClusterIP Service and an HPA."""

    enabled: bool = True
    namespace: K8sName = "serving"
    repository: RepositoryName = Field(default="serving", description="Repository of the image.")
    image_tag: ImageTag = Field(description="Tag of the serving image.")
    port: int = Field(default=8080, ge=1024, le=65535, description="Container port (non-root).")
    gpu_pool: PoolName | None = Field(
        default=None, description="Pool (of gpu_pools) to serve on; null: the system pool."
    )
    gpus: int = Field(default=1, ge=1, le=8, description="GPUs per replica on a GPU pool.")
    cpu: str = Field(default="500m", pattern=r"^\d+m?$", description="CPU request.")
    memory: str = Field(default="1Gi", pattern=r"^\d+(Mi|Gi)$", description="Memory request.")
    min_replicas: int = Field(default=1, ge=1, le=100)
    max_replicas: int = Field(default=3, ge=1, le=100)
    target_cpu_percent: int = Field(default=70, ge=10, le=100)
    model_prefix: S3Prefix = Field(default="models/", description="Readable prefix of the bucket.")

    @model_validator(mode="after")
    def _replicas(self) -> Self:
        if self.max_replicas < self.min_replicas:
            raise ValueError("max_replicas must be >= min_replicas")
        return self


class ContainerMonitoringSettings(Strict):
    log_retention_days: int = Field(default=30, description="Retention of every log group.")
    alarm_emails: list[EmailAddress] = Field(default_factory=list)
    restart_threshold: int = Field(
        default=5, ge=1, description="Container restarts in 5 minutes that raise the alarm."
    )
    gpu_utilisation_percent: int = Field(
        default=90, ge=1, le=100, description="Average GPU use over 15 minutes that alarms."
    )

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            raise ValueError(f"must be one of {', '.join(map(str, LOG_RETENTION_DAYS))}")
        return days


class ContainerMlopsSettings(Strict):
    """Reference architecture 3: data sources -> ECS/Fargate processing -> ECR model
    containers -> EKS model serving -> CloudWatch monitoring."""

    enabled: bool = True
    network: NetworkSettings = Field(default_factory=_container_network)
    registry: RegistrySettings = Field(default_factory=RegistrySettings)
    processing: ProcessingSettings
    cluster: ClusterSettings = Field(default_factory=ClusterSettings)
    system_pool: SystemPoolSettings = Field(default_factory=SystemPoolSettings)
    gpu_pools: dict[PoolName, GpuPoolSettings] = Field(
        default_factory=dict, description="Accelerated node groups by name."
    )
    serving: ServingSettings
    monitoring: ContainerMonitoringSettings = Field(default_factory=ContainerMonitoringSettings)

    @field_validator("network")
    @classmethod
    def _endpoints(cls, network: NetworkSettings) -> NetworkSettings:
        """A created network (no NAT) always gets the endpoints a private EKS cluster
        needs: a given ``interface_endpoints`` list is extended, an omitted one replaced
        (the SageMaker default endpoints serve nothing here)."""
        if network.vpc_id is not None:
            return network
        given = network.interface_endpoints
        if "interface_endpoints" not in network.model_fields_set:
            given = []
        services = given + [s for s in ENDPOINT_SERVICES if s not in given]
        return network.model_copy(update={"interface_endpoints": services})

    @model_validator(mode="after")
    def _references(self) -> Self:
        repos = self.registry.repositories
        for path, repo in (
            ("processing.repository", self.processing.repository),
            ("serving.repository", self.serving.repository),
        ):
            if repo not in repos:
                raise ValueError(f"{path}: {repo!r} is not in registry.repositories {repos}")
        al2023 = sorted(k for k, p in self.gpu_pools.items() if p.ami is NodeAmi.AL2023)
        if al2023 and self.network.vpc_id is None:
            raise ValueError(
                f"gpu_pools.{al2023[0]}.ami: al2023 nodes pull the NVIDIA device plugin from "
                "nvcr.io, which the created network (no NAT) cannot reach; use ami "
                "bottlerocket or adopt a network with egress (network.vpc_id)"
            )
        pool = self.serving.gpu_pool
        if pool is not None and pool not in self.gpu_pools:
            raise ValueError(
                f"serving.gpu_pool: {pool!r} is not one of gpu_pools {allowed(self.gpu_pools)}"
            )
        if pool is not None and self.serving.gpus > self.gpu_pools[pool].count:
            raise ValueError(
                f"serving.gpus: pool {pool} has {self.gpu_pools[pool].count} GPUs per node"
            )
        return self
