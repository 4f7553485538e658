"""What the container architecture pins for EKS: the Kubernetes minor version, the
add-on versions for it and the Helm charts it installs, from
``data/eks-versions.json`` (source and date there; nothing is looked up at plan
time), and the EKS API's enums from botocore's service model (``facts`` pattern).

Update hazards (see the data file's description): the control plane goes up one minor
version per update and cannot go down; add-on versions must be compatible with the new
version before the update; managed node groups follow the cluster version with a
rolling replacement of their nodes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import botocore.session

from ..data import packaged_json

__all__ = ["Chart", "addon_version", "chart", "eks_enum", "kubernetes_version", "versions"]


@dataclass(frozen=True)
class Chart:
    """A Helm chart pinned to one version of one repository."""

    chart: str
    repository: str
    version: str
    image_tag: str | None = None


@functools.cache
def versions() -> dict[str, Any]:
    return packaged_json("mlops_components.aws", "eks-versions.json")


def kubernetes_version() -> str:
    """The minor version new clusters run, e.g. ``1.35``."""
    return str(versions()["kubernetes_version"])


def addon_version(name: str) -> str:
    """The pinned version of EKS add-on ``name``; ``KeyError`` naming the known ones."""
    addons = versions()["addons"]
    if name not in addons:
        raise KeyError(f"no pinned version for EKS add-on {name!r}; known: {', '.join(addons)}")
    return str(addons[name])


def chart(name: str) -> Chart:
    entry = versions()["charts"][name]
    return Chart(entry["chart"], entry["repository"], entry["version"], entry.get("image_tag"))


@functools.cache
def eks_enum(shape: str) -> frozenset[str]:
    """Values of an EKS API enum (``AMITypes``, ``CapacityTypes``, ``TaintEffect``,
    ``LogType``, ``AuthenticationMode``) from botocore's service model."""
    values = botocore.session.Session().get_service_model("eks").shape_for(shape).enum
    if not values:
        raise RuntimeError(f"botocore's EKS model has no enum {shape}")
    return frozenset(values)


def checked(shape: str, value: str) -> str:
    """``value`` if the EKS API enum ``shape`` lists it, else ``ValueError``."""
    if value not in eks_enum(shape):
        raise ValueError(
            f"{value!r} is not an EKS {shape}; valid: {', '.join(sorted(eks_enum(shape)))}"
        )
    return value
