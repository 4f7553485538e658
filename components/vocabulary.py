"""One vocabulary across the three clouds: the words stack files use for what differs by
environment or cloud.

Every word here is cloud-neutral; each cloud's package holds the mapping from a word to
its resources and arguments, with a table test per mapping:

==================  ==================================================================
word                mapping
==================  ==================================================================
``Retention``       ``retention.py`` (Pulumi ``protect``/``retain_on_delete``) and
                    ``aws/retention.py``, ``azure/retention.py``, ``gcp/retention.py``
                    (soft delete, purge and deletion protection per service)
``CapacityStrategy``  ``aws/capacity.py``, ``azure/capacity.py``, ``gcp/capacity.py``
``Accelerator``,    ``aws/accelerators.py``, ``azure/accelerators.py``,
``AcceleratorPool`` ``gcp/accelerators.py`` (machine types, data files with sources)
``EndpointHosting`` the endpoint blocks of each cloud
``NetworkAccess``   the network blocks of each cloud
lifecycle tiers     ``settings/common.py`` (``LifecycleSettings``) and
                    ``aws/lifecycle.py``, ``azure/lifecycle.py``, ``gcp/lifecycle.py``
names               ``naming.py`` and ``aws/names.py``, ``azure/names.py``, ``gcp/names.py``
==================  ==================================================================

This module imports pydantic and the standard library only: no Pulumi, no cloud SDK
(``tests/test_vocabulary.py`` asserts it), so settings can be validated, and the
vocabulary documented, without any cloud installed.

Components never read the stack name or environment; stack files choose these values.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Protocol, Self, TypeVar

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)


class Strict(BaseModel):
    """Base of every settings model: unknown keys are errors, values are frozen.

    ``extra="forbid"`` turns a misspelled key in a stack file into an error that names
    the key instead of a silently ignored setting. ``allow_inf_nan=False``: every float
    setting is finite (``.nan``, ``"Infinity"`` would pass pydantic's float otherwise and
    end up in pipeline documents and alarm thresholds).

    Defined here (the leaf of the settings tree) and re-exported by
    ``settings/base.py``, so that this module needs nothing from the settings package.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_enum_values=False, allow_inf_nan=False
    )


def allowed(values: Iterable[object]) -> str:
    """``a, b, c`` for an error message: the allowed values of a setting."""
    return ", ".join(str(v.value if isinstance(v, StrEnum) else v) for v in values)


# -- retention -------------------------------------------------------------------------


class Retention(StrEnum):
    """What happens to stateful resources (buckets, keys, registries, vaults) on delete.

    - ``destroyable``: deleted with the stack. Buckets are emptied first (S3 and GCS
      ``force_destroy``), keys use the shortest deletion window the cloud allows (AWS
      KMS 7 days, Cloud KMS 1 day scheduled destruction, Key Vault 7 days soft delete),
      and deletion protection flags are off (GKE, Cloud SQL). For short-lived dev stacks.
    - ``protected``: Pulumi refuses to delete them (``protect``), and if they leave the
      program they stay in the cloud (``retain_on_delete``); the clouds' own safeguards
      are on as well: AWS KMS waits 30 days, Key Vault purge protection with 90 days
      soft delete, blob and container soft delete, GCS soft delete, GKE deletion
      protection. For anything holding data you cannot recreate.

    The Pulumi options come from ``retention.py``; the service-level switches, with
    their API names and sources, from ``<cloud>/retention.py``.
    """

    DESTROYABLE = "destroyable"
    PROTECTED = "protected"


# -- capacity --------------------------------------------------------------------------


class CapacityStrategy(StrEnum):
    """How compute (training, processing, node pools) is bought.

    - ``spot_first``: spare capacity at a discount (typically 60-90 % below on-demand)
      that the cloud may reclaim: AWS Spot and SageMaker managed spot training (with
      checkpoints), Azure Spot priority (evicted nodes are deleted, paying at most the
      on-demand price) and AML low-priority clusters, GCP Spot VMs. Jobs may wait for
      capacity; work must checkpoint.
    - ``on_demand``: always on-demand; predictable start times, list price.
    - ``reserved``: capacity held in advance for this workload (a reservation or a
      capacity block named by ``ScarceCapacity``); billed whether used or not, so it
      is never a default.

    The per-cloud arguments come from ``<cloud>/capacity.py``.
    """

    SPOT_FIRST = "spot_first"
    ON_DEMAND = "on_demand"
    RESERVED = "reserved"


class ScarceCapacity(StrEnum):
    """How a pool obtains accelerators that are hard to get on demand.

    - ``none``: ask for capacity when the autoscaler needs it (on demand or spot).
    - ``reservation``: consume a capacity reservation made beforehand (AWS On-Demand
      Capacity Reservations, Azure capacity reservation groups, GCE reservations).
    - ``queued``: wait in a queue until the whole request can be met at once (GKE
      queued provisioning with Dynamic Workload Scheduler).
    - ``flex_start``: start as soon as capacity frees up, for a bounded run time
      (GKE/Compute Engine flex-start VMs, Dynamic Workload Scheduler).
    - ``capacity_block``: a block of accelerated instances bought for a fixed time
      window (EC2 Capacity Blocks for ML).

    Which modes a cloud offers for which accelerator is part of each cloud's
    accelerator data (``<cloud>/accelerators.py``).
    """

    NONE = "none"
    RESERVATION = "reservation"
    QUEUED = "queued"
    FLEX_START = "flex_start"
    CAPACITY_BLOCK = "capacity_block"


_RESERVED_MODES = frozenset({ScarceCapacity.RESERVATION, ScarceCapacity.CAPACITY_BLOCK})
_ON_DEMAND_MODES = frozenset(
    {ScarceCapacity.NONE, ScarceCapacity.QUEUED, ScarceCapacity.FLEX_START}
)


# -- accelerators ----------------------------------------------------------------------


class AcceleratorKind(StrEnum):
    GPU = "gpu"
    TPU = "tpu"


class Accelerator(StrEnum):
    """Vendor-neutral accelerator names (chip and memory, never a cloud SKU).

    The names follow the chips, as Kubernetes does with ``nvidia.com/gpu`` over vendor
    SKUs; each cloud maps a name and a count per node to its machine types. A name a
    cloud does not offer is a settings error naming the ones it does.
    """

    NVIDIA_T4 = "nvidia-t4"
    NVIDIA_L4 = "nvidia-l4"
    NVIDIA_A10G = "nvidia-a10g"
    NVIDIA_L40S = "nvidia-l40s"
    NVIDIA_A100_40GB = "nvidia-a100-40gb"
    NVIDIA_A100_80GB = "nvidia-a100-80gb"
    NVIDIA_H100_80GB = "nvidia-h100-80gb"
    NVIDIA_H200 = "nvidia-h200"
    TPU_V5E = "tpu-v5e"
    TPU_V5P = "tpu-v5p"
    TPU_V6E = "tpu-v6e"


@dataclass(frozen=True)
class AcceleratorSpec:
    """Cloud-neutral facts of one accelerator."""

    kind: AcceleratorKind
    memory_gb: int
    """Memory per chip (GPU memory or TPU HBM), GB."""
    counts: tuple[int, ...]
    """Chips per node that at least one cloud offers as a machine shape. Each cloud's
    mapping narrows this to its own shapes (a test pins the union to this tuple)."""
    topology_dims: int = 0
    """TPUs: dimensions of a slice topology (2: ``AxB``, 3: ``AxBxC``); GPUs: 0."""
    multi_host_chips: int = 0
    """TPUs: chips per node (VM) in a multi-host slice; 0 where unknown or GPU."""
    topologies: tuple[str, ...] = ()
    """TPUs with a fixed list of slice shapes (v5e, v6e); empty: any shape whose chip
    count fits (v5p)."""


_V5E_V6E_TOPOLOGIES = ("1x1", "2x2", "2x4", "4x4", "4x8", "8x8", "8x16", "16x16")

ACCELERATORS: dict[Accelerator, AcceleratorSpec] = {
    Accelerator.NVIDIA_T4: AcceleratorSpec(AcceleratorKind.GPU, 16, (1, 2, 4, 8)),
    Accelerator.NVIDIA_L4: AcceleratorSpec(AcceleratorKind.GPU, 24, (1, 2, 4, 8)),
    Accelerator.NVIDIA_A10G: AcceleratorSpec(AcceleratorKind.GPU, 24, (1, 4, 8)),
    Accelerator.NVIDIA_L40S: AcceleratorSpec(AcceleratorKind.GPU, 48, (1, 4, 8)),
    Accelerator.NVIDIA_A100_40GB: AcceleratorSpec(AcceleratorKind.GPU, 40, (1, 2, 4, 8, 16)),
    Accelerator.NVIDIA_A100_80GB: AcceleratorSpec(AcceleratorKind.GPU, 80, (1, 2, 4, 8)),
    Accelerator.NVIDIA_H100_80GB: AcceleratorSpec(AcceleratorKind.GPU, 80, (1, 2, 4, 8)),
    Accelerator.NVIDIA_H200: AcceleratorSpec(AcceleratorKind.GPU, 141, (8,)),
    Accelerator.TPU_V5E: AcceleratorSpec(
        AcceleratorKind.TPU, 16, (1, 4, 8), 2, 4, _V5E_V6E_TOPOLOGIES
    ),
    Accelerator.TPU_V5P: AcceleratorSpec(AcceleratorKind.TPU, 95, (4,), 3, 4),
    Accelerator.TPU_V6E: AcceleratorSpec(
        AcceleratorKind.TPU, 32, (1, 4, 8), 2, 4, _V5E_V6E_TOPOLOGIES
    ),
}
"""Sources: NVIDIA data sheets for GPU memory; Cloud TPU docs for TPU HBM per chip
(https://cloud.google.com/tpu/docs/v5e, /v5p, /v6e) and GKE TPU planning for topologies
(https://cloud.google.com/kubernetes-engine/docs/concepts/plan-tpus)."""


def parse_topology(topology: str) -> tuple[int, ...]:
    """``"2x4"`` -> ``(2, 4)``; ``ValueError`` for anything else."""
    parts = topology.split("x")
    if not all(p.isdigit() and int(p) >= 1 and str(int(p)) == p for p in parts):
        raise ValueError(f"{topology!r} is not a topology like 2x4 or 2x2x1")
    return tuple(int(p) for p in parts)


class AcceleratorPool(Strict):
    """A pool of accelerated nodes: what chips, how many per node, how many nodes, and
    how the capacity is bought. Cloud-neutral; ``<cloud>/accelerators.py`` turns it into
    machine types and checks that the cloud offers it.

    Defaults: one node-less pool (``min_nodes`` 0) that grows to one node of one chip
    bought as spot capacity, so an idle pool costs nothing and a job gets the cheapest
    capacity that is available.
    """

    accelerator: Accelerator = Field(
        description="Vendor-neutral chip name, e.g. nvidia-l4, nvidia-h100-80gb, tpu-v5e."
    )
    count: int = Field(
        default=1,
        ge=1,
        description="Chips per node. Must be a size some machine type of the cloud has "
        "(e.g. 1, 2, 4 or 8 GPUs); for multi-host TPU slices the chips per VM (4).",
    )
    tpu_topology: str | None = Field(
        default=None,
        description="TPUs only: the slice shape, `AxB` (v5e, v6e) or `AxBxC` (v5p). The "
        "slice has the product of the dimensions in chips; when that exceeds `count`, "
        "the slice spans several nodes (multi-host). Null for TPUs: a single-host slice "
        "of `count` chips.",
    )
    min_nodes: int = Field(
        default=0,
        ge=0,
        description="Nodes kept running when idle; 0 lets the pool scale to zero, so "
        "an idle pool costs nothing.",
    )
    max_nodes: int = Field(default=1, ge=1, description="Autoscaling ceiling, in nodes.")
    capacity: CapacityStrategy = Field(
        default=CapacityStrategy.SPOT_FIRST,
        description="spot_first: spot capacity (cheapest, may be reclaimed); on_demand; "
        "reserved: needs scarce_capacity reservation or capacity_block.",
    )
    scarce_capacity: ScarceCapacity = Field(
        default=ScarceCapacity.NONE,
        description="none, reservation, queued, flex_start or capacity_block; which modes "
        "a cloud offers depends on the cloud and the accelerator.",
    )

    @property
    def spec(self) -> AcceleratorSpec:
        return ACCELERATORS[self.accelerator]

    @property
    def is_tpu(self) -> bool:
        return self.spec.kind is AcceleratorKind.TPU

    @property
    def slice_chips(self) -> int:
        """Chips of one TPU slice (the topology's product), or ``count`` for GPUs."""
        if self.tpu_topology is None:
            return self.count
        return math.prod(parse_topology(self.tpu_topology))

    @property
    def nodes_per_slice(self) -> int:
        """Nodes one slice spans: 1 for GPUs and single-host TPU slices."""
        return max(1, self.slice_chips // self.count)

    @property
    def is_multi_host(self) -> bool:
        return self.nodes_per_slice > 1

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        spec = self.spec
        name = self.accelerator.value
        if self.count not in spec.counts:
            raise ValueError(
                f"count: {name} nodes have {allowed(spec.counts)} chips; got {self.count}"
            )
        if self.tpu_topology is not None:
            self._check_topology(spec)
        if self.max_nodes < self.min_nodes:
            raise ValueError(
                f"max_nodes ({self.max_nodes}) must be >= min_nodes ({self.min_nodes})"
            )
        if self.is_multi_host:
            per = self.nodes_per_slice
            for field, value in (("min_nodes", self.min_nodes), ("max_nodes", self.max_nodes)):
                if value % per:
                    raise ValueError(
                        f"{field}: a {self.tpu_topology} slice of {name} spans {per} nodes "
                        f"and is created whole; use a multiple of {per} (got {value})"
                    )
        self._check_capacity()
        return self

    def _check_topology(self, spec: AcceleratorSpec) -> None:
        name = self.accelerator.value
        topology = self.tpu_topology or ""
        if spec.kind is not AcceleratorKind.TPU:
            raise ValueError(
                f"tpu_topology: only TPU accelerators take a topology; {name} is a GPU "
                "(remove tpu_topology)"
            )
        try:
            dims = parse_topology(topology)
        except ValueError as error:
            raise ValueError(f"tpu_topology: {error}") from None
        if len(dims) != spec.topology_dims:
            shape = "AxB" if spec.topology_dims == 2 else "AxBxC"
            raise ValueError(
                f"tpu_topology: {name} slices are {spec.topology_dims}-dimensional "
                f"({shape}); got {topology!r}"
            )
        if spec.topologies and topology not in spec.topologies:
            raise ValueError(
                f"tpu_topology: {name} offers {allowed(spec.topologies)}; got {topology!r}"
            )
        chips = math.prod(dims)
        if chips == self.count:
            return
        if chips < self.count or chips % self.count:
            raise ValueError(
                f"tpu_topology: a {topology} slice has {chips} chips, which {self.count} "
                f"chips per node (count) cannot make up; use count {chips} or a larger slice"
            )
        if self.count != spec.multi_host_chips:
            raise ValueError(
                f"count: a multi-host {name} slice ({topology}, {chips} chips) uses nodes of "
                f"{spec.multi_host_chips} chips; got count {self.count}"
            )

    def _check_capacity(self) -> None:
        mode = self.scarce_capacity
        if self.capacity is CapacityStrategy.RESERVED and mode not in _RESERVED_MODES:
            raise ValueError(
                f"scarce_capacity: capacity reserved consumes capacity held in advance; "
                f"use {allowed(sorted(_RESERVED_MODES))} (got {mode.value})"
            )
        if self.capacity is not CapacityStrategy.RESERVED and mode in _RESERVED_MODES:
            raise ValueError(
                f"capacity: scarce_capacity {mode.value} consumes capacity held in advance; "
                f"set capacity: reserved (got {self.capacity.value})"
            )
        if self.capacity is CapacityStrategy.SPOT_FIRST and mode is not ScarceCapacity.NONE:
            raise ValueError(
                f"scarce_capacity: {mode.value} provisions its own capacity and cannot be "
                f"combined with capacity spot_first; allowed with spot_first: none"
            )
        if mode in (ScarceCapacity.QUEUED, ScarceCapacity.FLEX_START) and self.min_nodes:
            raise ValueError(
                f"min_nodes: scarce_capacity {mode.value} creates nodes only for queued "
                f"requests, so the pool must scale from 0 (got {self.min_nodes})"
            )


class AcceleratorNotOffered(ValueError):
    """A cloud has no machine for a pool's accelerator, count or capacity mode. The
    message names the setting and what the cloud offers instead."""


class OfferedMachine(Protocol):
    """What each cloud's accelerator mapping returns (at least)."""

    @property
    def machine_type(self) -> str: ...

    @property
    def scarce_capacity(self) -> frozenset[ScarceCapacity]: ...


M = TypeVar("M", bound=OfferedMachine)


def offered_in(catalogue: Mapping[Accelerator, Mapping[int, Any]]) -> list[Accelerator]:
    """The accelerators of a cloud's ``catalogue``, in the vocabulary's order."""
    return [a for a in Accelerator if a in catalogue]


def choose_machine(
    cloud: str,
    catalogue: Mapping[Accelerator, Mapping[int, M]],
    pool: AcceleratorPool,
    setting: str = "accelerator",
) -> M:
    """The machine of ``catalogue`` (accelerator -> chips per node -> machine) for
    ``pool``; ``AcceleratorNotOffered`` naming ``setting`` and the alternatives when the
    cloud lacks the accelerator, the count or the scarce-capacity mode."""
    by_count = catalogue.get(pool.accelerator)
    if by_count is None:
        offered = [a for a in Accelerator if a in catalogue]
        raise AcceleratorNotOffered(
            f"{setting}: {cloud} does not offer {pool.accelerator.value}; "
            f"offered: {allowed(offered)}"
        )
    machine = by_count.get(pool.count)
    if machine is None:
        raise AcceleratorNotOffered(
            f"{setting}.count: {cloud} offers {pool.accelerator.value} with "
            f"{allowed(sorted(by_count))} per node; got {pool.count}"
        )
    if pool.scarce_capacity not in machine.scarce_capacity:
        modes = [m for m in ScarceCapacity if m in machine.scarce_capacity]
        raise AcceleratorNotOffered(
            f"{setting}.scarce_capacity: {cloud} offers {machine.machine_type} with "
            f"{allowed(modes)}; got {pool.scarce_capacity.value}"
        )
    return machine


# -- endpoints ---------------------------------------------------------------------------


class EndpointHosting(StrEnum):
    """How a real-time model endpoint is hosted.

    - ``serverless``: the cloud's serverless inference (SageMaker Serverless
      Inference); scales to zero and bills per request. AWS does not support VPC
      configuration, network isolation, data capture or blue/green traffic shifting for
      it, so use it for development only.
    - ``scale_to_zero``: dedicated instances that the autoscaler removes when idle and
      adds back on the first request (SageMaker inference components with managed
      instance scaling, GKE/AKS pools scaling from 0); the first request after idle
      waits minutes for an instance.
    - ``instances``: dedicated instances in private subnets with network isolation,
      data capture, target-tracking autoscaling between a floor of at least one and a
      ceiling, and blue/green canary deployments.
    """

    SERVERLESS = "serverless"
    INSTANCES = "instances"
    SCALE_TO_ZERO = "scale_to_zero"


class ScalingMetric(StrEnum):
    """What target-tracking autoscaling of an endpoint watches.

    - ``invocations_per_instance``: requests per instance per minute (SageMaker
      ``SageMakerVariantInvocationsPerInstance``; AML and Vertex request-based scaling).
    - ``cpu_utilization`` / ``gpu_utilization``: average utilisation, percent.
    - ``concurrent_requests``: requests in flight per instance (also the signal that
      wakes a ``scale_to_zero`` endpoint).
    """

    INVOCATIONS_PER_INSTANCE = "invocations_per_instance"
    CPU_UTILIZATION = "cpu_utilization"
    GPU_UTILIZATION = "gpu_utilization"
    CONCURRENT_REQUESTS = "concurrent_requests"


class EndpointScaling(Strict):
    """Hosting and autoscaling of a real-time endpoint, cloud-neutral.

    Defaults: dedicated ``instances`` between 1 and 2, scaled on invocations per
    instance (target 1000 per minute), scale-out after 60 s and scale-in after 300 s,
    so a burst is served quickly and capacity is released only once load has stayed low.
    """

    hosting: EndpointHosting = Field(
        default=EndpointHosting.INSTANCES,
        description="serverless, scale_to_zero or instances (see EndpointHosting).",
    )
    min_instances: int = Field(
        default=1,
        ge=0,
        le=100,
        description="Autoscaling floor: >= 1 with instances, 0 with scale_to_zero, "
        "ignored (must stay at its default) with serverless.",
    )
    max_instances: int = Field(default=2, ge=1, le=100, description="Autoscaling ceiling.")
    metric: ScalingMetric = Field(
        default=ScalingMetric.INVOCATIONS_PER_INSTANCE,
        description="What target tracking watches.",
    )
    target_value: float = Field(
        default=1000,
        gt=0,
        description="Target of the metric per instance: requests per minute, percent, "
        "or requests in flight.",
    )
    scale_out_cooldown_seconds: int = Field(default=60, ge=0, le=3600)
    scale_in_cooldown_seconds: int = Field(default=300, ge=0, le=3600)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.max_instances < self.min_instances:
            raise ValueError(
                f"max_instances ({self.max_instances}) must be >= min_instances "
                f"({self.min_instances})"
            )
        if self.hosting is EndpointHosting.INSTANCES and self.min_instances < 1:
            raise ValueError(
                "min_instances: hosting instances keeps at least 1 instance; use hosting "
                "scale_to_zero or serverless to scale to zero"
            )
        if self.hosting is EndpointHosting.SCALE_TO_ZERO and self.min_instances != 0:
            raise ValueError(
                f"min_instances: hosting scale_to_zero has a floor of 0 (got {self.min_instances})"
            )
        if (
            self.metric in (ScalingMetric.CPU_UTILIZATION, ScalingMetric.GPU_UTILIZATION)
            and self.target_value > 100
        ):
            raise ValueError(
                f"target_value: {self.metric.value} is a percentage, 1-100 "
                f"(got {self.target_value:g})"
            )
        return self


# -- network access ----------------------------------------------------------------------


class NetworkAccessMode(StrEnum):
    """- ``private``: reachable only from the stack's private network (private
    endpoints, VPC endpoints, Private Service Connect); no public endpoint at all.
    - ``public``: a public endpoint that accepts only the listed source ranges."""

    PRIVATE = "private"
    PUBLIC = "public"


class NetworkAccess(Strict):
    """Who can reach a service endpoint over the network.

    Default: ``private`` (no public endpoint). ``public`` needs an allowlist of at least
    one CIDR; ``0.0.0.0/0`` and ``::/0`` are refused, because a public endpoint open to
    everyone is never the paved road (identity still protects it, but scanning and
    credential stuffing reach it).
    """

    mode: NetworkAccessMode = Field(
        default=NetworkAccessMode.PRIVATE, description="private or public."
    )
    allowed_cidrs: list[str] = Field(
        default_factory=list,
        description="With public: source ranges allowed in, IPv4 or IPv6 CIDRs without "
        "host bits (203.0.113.0/24, 2001:db8::/32). Must be empty with private.",
    )

    @field_validator("allowed_cidrs")
    @classmethod
    def _cidrs(cls, values: list[str]) -> list[str]:
        seen: set[str] = set()
        normalised = []
        for i, value in enumerate(values):
            try:
                network = ipaddress.ip_network(value, strict=True)
            except ValueError as error:
                raise ValueError(f"allowed_cidrs[{i}]: {error}") from None
            if network.prefixlen == 0:
                raise ValueError(
                    f"allowed_cidrs[{i}]: {value} allows every address; list the ranges "
                    "that need access"
                )
            text = str(network)
            if text in seen:
                raise ValueError(f"allowed_cidrs[{i}]: {text} is listed twice")
            seen.add(text)
            normalised.append(text)
        return normalised

    @model_validator(mode="after")
    def _mode(self) -> Self:
        if self.mode is NetworkAccessMode.PUBLIC and not self.allowed_cidrs:
            raise ValueError("allowed_cidrs: mode public needs at least one CIDR")
        if self.mode is NetworkAccessMode.PRIVATE and self.allowed_cidrs:
            raise ValueError("allowed_cidrs: only mode public takes an allowlist")
        return self


# -- storage tiers ---------------------------------------------------------------------------


class StorageTier(StrEnum):
    """Cloud-neutral storage tiers that lifecycle rules move objects to.

    Both tiers keep millisecond reads, so a pipeline can still read what was tiered:

    - ``cool``: infrequent access, 30-day minimum storage (S3 ``STANDARD_IA``, Blob
      ``Cool``, GCS ``NEARLINE``).
    - ``archive``: rarely read, 90-day minimum storage, still online (S3 ``GLACIER_IR``,
      Blob ``Cold``, GCS ``COLDLINE``).

    Offline archives (S3 Glacier Flexible Retrieval, Blob ``Archive`` needing
    rehydration) are deliberately not offered: an artifact a model package points to
    must stay readable.
    """

    COOL = "cool"
    ARCHIVE = "archive"


ObjectPrefix = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*/$")
]
"""An object-name prefix naming a folder: non-empty, ending in ``/`` (``runs/``,
``raw/2024/``); characters safe in S3 keys, blob names and GCS object names alike."""


class ExpiryRule(Strict):
    """Objects under ``prefix`` are deleted ``after_days`` days after creation."""

    prefix: ObjectPrefix = Field(description="Folder whose objects expire, e.g. `runs/`.")
    after_days: int = Field(ge=1, description="Days after creation until objects are deleted.")


class LifecycleSettings(Strict):
    """Storage lifecycle in cloud-neutral words: objects move to the ``cool`` tier, then
    to the ``archive`` tier (``vocabulary.StorageTier``), and expire per prefix.

    Defaults: objects move to cool storage 30 days after creation and to (online)
    archive after 90; old versions are deleted 90 days after they are replaced;
    incomplete multipart uploads are aborted after 7 days. Nothing current is ever
    expired unless an ``expire`` rule names its prefix: expiry is always per prefix
    (never the whole bucket), so a bucket can hold scratch data next to artifacts that
    must live as long as anything refers to them. A bucket may refuse expiry rules on
    prefixes it keeps (see the architecture's prefix table). Tiering applies to the
    whole bucket or container.

    Each cloud maps these words in ``<cloud>/lifecycle.py``: cool is S3
    ``STANDARD_IA``, Blob ``Cool``, GCS ``NEARLINE``; archive is S3 ``GLACIER_IR``,
    Blob ``Cold``, GCS ``COLDLINE`` (all readable in milliseconds, 30 and 90 days
    minimum storage duration).
    """

    cool_after_days: int | None = Field(
        default=30,
        ge=30,
        validation_alias=AliasChoices("cool_after_days", "infrequent_access_after_days"),
        description="Days after creation until objects move to the cool tier; null "
        "disables. At least 30 (S3 refuses STANDARD_IA earlier). Also accepted under its "
        "former name `infrequent_access_after_days`.",
    )
    archive_after_days: int | None = Field(
        default=90,
        ge=1,
        description="Days after creation until objects move to the (online) archive "
        "tier; null disables. At least 30 days after cool_after_days.",
    )
    expire: list[ExpiryRule] = Field(
        default_factory=list,
        description="Prefixes whose current objects are deleted, each after its own days.",
    )
    noncurrent_expire_after_days: int = Field(
        default=90, ge=1, description="Days until a replaced object version is deleted."
    )
    abort_incomplete_multipart_after_days: int = Field(
        default=7, ge=1, le=30, description="Days until unfinished multipart uploads are aborted."
    )

    @property
    def infrequent_access_after_days(self) -> int | None:
        """Former name of ``cool_after_days`` (read-only, kept for callers)."""
        return self.cool_after_days

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        cool, archive = self.cool_after_days, self.archive_after_days
        if cool is not None and archive is not None and archive < cool + 30:
            raise ValueError(
                "archive_after_days must be at least 30 days after cool_after_days "
                "(infrequent_access_after_days)"
            )
        prefixes = [rule.prefix for rule in self.expire]
        for i, prefix in enumerate(prefixes):
            if any(other.startswith(prefix) or prefix.startswith(other) for other in prefixes[:i]):
                raise ValueError(f"expire[{i}].prefix {prefix!r} overlaps another expire rule")
        return self

    def expired_prefixes_overlapping(self, kept: Sequence[str]) -> list[str]:
        """The expire prefixes that cover, or lie inside, one of the ``kept`` prefixes."""
        return [
            rule.prefix
            for rule in self.expire
            if any(k.startswith(rule.prefix) or rule.prefix.startswith(k) for k in kept)
        ]
