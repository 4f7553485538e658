"""The architecture registry: what a stack can deploy, on which cloud, and how.

Each reference architecture declares one ``ArchitectureSpec``: its settings key under
``mlops-iac:architectures``, its cloud, the title used in docs and reports, and its
``deploy`` function as ``"module:function"``. ``platform.deploy`` walks the registry,
creates one provider per cloud a stack uses, and imports an architecture's module (and
so its cloud's SDK) only when the stack enables it. Adding an architecture is one new
module with a ``deploy`` function and one entry here.

A ``deploy`` function takes the ``Deployment`` context and the architecture's settings
and returns its flat outputs (``{output name: Output | None}``), which become stack
outputs; ``None`` marks an optional part that is not deployed.

Architectures of one stack share through the context: a foundation offers its component
with ``Deployment.offer`` and a later architecture that ``requires`` it takes it with
``Deployment.take`` (the settings check that every required key is enabled); every
architecture declares the accelerator and GPU capacity it can scale to with
``Deployment.declare_capacity``, which the stack's quota blocks read after the last
architecture.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pulumi

from .settings import Cloud, Retention

Outputs = Mapping[str, pulumi.Output[Any] | None]
C = TypeVar("C", bound=pulumi.ComponentResource)


@dataclass(frozen=True)
class Capacity:
    """Compute capacity an architecture can scale to, declared for the stack's quotas.

    One entry per pool, cluster, job or endpoint that can run on machines of one type:
    ``machine_type`` nodes (or instances, or jobs) up to ``maximum`` at once."""

    cloud: Cloud
    region: str
    usage: str
    """What runs on the machines, which decides the quota they count against:
    ``"vm"`` (EC2 / Azure VMs and VM scale sets / Compute Engine, node pools included),
    ``"sagemaker-training"``, ``"sagemaker-processing"``, ``"sagemaker-endpoint"``,
    ``"aml-compute"``, ``"vertex-training"``, ``"vertex-prediction"``."""
    machine_type: str
    """The cloud's machine type (``g5.2xlarge``, ``ml.g5.xlarge``,
    ``Standard_NC4as_T4_v3``, ``g2-standard-8``, ``ct5lp-hightpu-4t``)."""
    maximum: int
    """Machines of that type at the autoscaling ceiling (max nodes, max instances,
    instance count of a job)."""
    spot: bool
    """Spot / low-priority / preemptible capacity, counted against its own quota."""
    accelerator: str | None = None
    """GCP only, for machine types whose GPU is attached rather than built in: the
    accelerator type (``nvidia-tesla-t4``) and ``accelerator_count`` per machine."""
    accelerator_count: int = 0
    source: str = ""
    """Where it comes from, for reports: ``architectures.<key>.<setting path>``."""


@dataclass(frozen=True)
class Deployment:
    """What every architecture of a stack shares."""

    name_prefix: str
    """Starts every fixed physical name (``StackSettings.prefix``)."""
    region: str
    """The cloud's region or location for this architecture."""
    tags: Mapping[str, str]
    """Platform tags (``tags.platform_tags``); architectures merge their own on top."""
    retention: Retention
    opts: pulumi.ResourceOptions
    """Options every architecture component gets: the cloud's explicit provider."""
    shared: dict[str, pulumi.ComponentResource] = field(default_factory=dict)
    """Components offered by earlier architectures, by registry key (one dict per stack)."""
    capacity: list[Capacity] = field(default_factory=list)
    """Capacity declared by every architecture so far (one list per stack)."""

    def offer(self, key: str, component: pulumi.ComponentResource) -> None:
        """Make ``component`` available to later architectures that require ``key``."""
        self.shared[key] = component

    def take(self, key: str, kind: type[C]) -> C:
        """The component offered under ``key``; ``LookupError`` if the architecture
        that offers it did not run (the settings check prevents that for ``requires``)."""
        found = self.shared.get(key)
        if not isinstance(found, kind):
            raise LookupError(f"no {kind.__name__} offered as {key!r}: enable architectures.{key}")
        return found

    def declare_capacity(self, capacity: Capacity) -> None:
        """Record capacity the stack's quota blocks and the plan's quota report count."""
        self.capacity.append(capacity)


@dataclass(frozen=True)
class ArchitectureSpec:
    key: str
    """Settings key under ``mlops-iac:architectures`` (and prefix of its outputs)."""
    cloud: Cloud
    title: str
    deploy: str
    """``"package.module:function"``, imported only when the architecture is enabled."""
    requires: tuple[str, ...] = ()
    """Keys of architectures that must be enabled too (and come earlier in the
    registry): their ``offer``-ed components are what this one builds on."""

    def load(self) -> Callable[[Deployment, Any], Outputs]:
        module, _, function = self.deploy.partition(":")
        return getattr(importlib.import_module(module), function)


REGISTRY: tuple[ArchitectureSpec, ...] = (
    ArchitectureSpec(
        "sagemaker_cicd",
        Cloud.AWS,
        "SageMaker CI/CD",
        "mlops_components.architectures.sagemaker_cicd:deploy",
    ),
    ArchitectureSpec(
        "azure_foundation",
        Cloud.AZURE,
        "Azure foundation",
        "mlops_components.architectures.azure_foundation:deploy",
    ),
    ArchitectureSpec(
        "gcp_foundation",
        Cloud.GCP,
        "Google Cloud foundation",
        "mlops_components.architectures.gcp_foundation:deploy",
    ),
    ArchitectureSpec(
        "serverless_mlops",
        Cloud.AWS,
        "Serverless MLOps",
        "mlops_components.architectures.serverless_mlops:deploy",
    ),
)
"""Every architecture, in the order stacks deploy them."""


def spec(key: str) -> ArchitectureSpec:
    """The registry entry for ``key``; ``KeyError`` naming the known keys otherwise."""
    for entry in REGISTRY:
        if entry.key == key:
            return entry
    raise KeyError(f"no architecture {key!r}; known: {', '.join(e.key for e in REGISTRY)}")
