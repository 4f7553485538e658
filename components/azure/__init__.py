"""Azure building blocks and the Azure mappings of the vocabulary.

See ``README.md`` in this folder for each block's inputs, outputs and defaults. The
mapping modules (``names``, ``retention``, ``capacity``, ``accelerators``,
``lifecycle``) import no SDK; the blocks import ``pulumi_azure_native``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Grant": ".identity",
    "ManagedIdentity": ".identity",
    "ManagedIdentityArgs": ".identity",
    "KeyVaultKey": ".keyvault",
    "KeyVaultKeyArgs": ".keyvault",
    "Monitoring": ".monitoring",
    "MonitoringArgs": ".monitoring",
    "PrivateEndpointTarget": ".network",
    "PrivateNetwork": ".network",
    "PrivateNetworkArgs": ".network",
    "ContainerRegistry": ".registry",
    "ContainerRegistryArgs": ".registry",
    "DataLakeStorage": ".storage",
    "DataLakeStorageArgs": ".storage",
    "MlWorkspace": ".ml_workspace",
    "MlWorkspaceArgs": ".ml_workspace",
    "OnlineEndpoint": ".ml_endpoint",
    "OnlineEndpointArgs": ".ml_endpoint",
    "AzureDevOpsRelease": ".devops",
    "AzureDevOpsArgs": ".devops",
}
"""Public name -> submodule; imported on first use (PEP 562), so that importing
this package, or one of its SDK-free modules, imports no cloud SDK."""

if TYPE_CHECKING:
    from .devops import AzureDevOpsArgs, AzureDevOpsRelease
    from .identity import Grant, ManagedIdentity, ManagedIdentityArgs
    from .keyvault import KeyVaultKey, KeyVaultKeyArgs
    from .ml_endpoint import OnlineEndpoint, OnlineEndpointArgs
    from .ml_workspace import MlWorkspace, MlWorkspaceArgs
    from .monitoring import Monitoring, MonitoringArgs
    from .network import PrivateEndpointTarget, PrivateNetwork, PrivateNetworkArgs
    from .registry import ContainerRegistry, ContainerRegistryArgs
    from .storage import DataLakeStorage, DataLakeStorageArgs

__all__ = [
    "AzureDevOpsArgs",
    "AzureDevOpsRelease",
    "ContainerRegistry",
    "ContainerRegistryArgs",
    "DataLakeStorage",
    "DataLakeStorageArgs",
    "Grant",
    "KeyVaultKey",
    "KeyVaultKeyArgs",
    "ManagedIdentity",
    "ManagedIdentityArgs",
    "MlWorkspace",
    "MlWorkspaceArgs",
    "Monitoring",
    "MonitoringArgs",
    "OnlineEndpoint",
    "OnlineEndpointArgs",
    "PrivateEndpointTarget",
    "PrivateNetwork",
    "PrivateNetworkArgs",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
