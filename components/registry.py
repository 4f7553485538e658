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
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from .settings import Cloud, Retention

Outputs = Mapping[str, pulumi.Output[Any] | None]


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


@dataclass(frozen=True)
class ArchitectureSpec:
    key: str
    """Settings key under ``mlops-iac:architectures`` (and prefix of its outputs)."""
    cloud: Cloud
    title: str
    deploy: str
    """``"package.module:function"``, imported only when the architecture is enabled."""

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
)
"""Every architecture, in the order stacks deploy them."""


def spec(key: str) -> ArchitectureSpec:
    """The registry entry for ``key``; ``KeyError`` naming the known keys otherwise."""
    for entry in REGISTRY:
        if entry.key == key:
            return entry
    raise KeyError(f"no architecture {key!r}; known: {', '.join(e.key for e in REGISTRY)}")
