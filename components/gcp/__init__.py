"""Google Cloud building blocks and the GCP mappings of the vocabulary.

See ``README.md`` in this folder for each block's inputs, outputs and defaults. The
mapping modules (``names``, ``retention``, ``capacity``, ``accelerators``,
``lifecycle``) import no SDK; the blocks import ``pulumi_gcp``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ResourceGrant": ".identity",
    "ServiceAccount": ".identity",
    "ServiceAccountArgs": ".identity",
    "CmekKey": ".kms",
    "CmekKeyArgs": ".kms",
    "AlertChannel": ".log_sinks",
    "AlertChannelArgs": ".log_sinks",
    "LogBucket": ".log_sinks",
    "LogBucketArgs": ".log_sinks",
    "PrivateNetwork": ".network",
    "PrivateNetworkArgs": ".network",
    "SecondaryRange": ".network",
    "SubnetSpec": ".network",
    "ContainerRegistry": ".registry",
    "ContainerRegistryArgs": ".registry",
    "ProjectServices": ".services",
    "DataBucket": ".storage",
    "DataBucketArgs": ".storage",
}
"""Public name -> submodule; imported on first use (PEP 562), so that importing
this package, or one of its SDK-free modules, imports no cloud SDK."""

if TYPE_CHECKING:
    from .identity import ResourceGrant, ServiceAccount, ServiceAccountArgs
    from .kms import CmekKey, CmekKeyArgs
    from .log_sinks import AlertChannel, AlertChannelArgs, LogBucket, LogBucketArgs
    from .network import PrivateNetwork, PrivateNetworkArgs, SecondaryRange, SubnetSpec
    from .registry import ContainerRegistry, ContainerRegistryArgs
    from .services import ProjectServices
    from .storage import DataBucket, DataBucketArgs

__all__ = [
    "AlertChannel",
    "AlertChannelArgs",
    "CmekKey",
    "CmekKeyArgs",
    "ContainerRegistry",
    "ContainerRegistryArgs",
    "DataBucket",
    "DataBucketArgs",
    "LogBucket",
    "LogBucketArgs",
    "PrivateNetwork",
    "PrivateNetworkArgs",
    "ProjectServices",
    "ResourceGrant",
    "SecondaryRange",
    "ServiceAccount",
    "ServiceAccountArgs",
    "SubnetSpec",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
