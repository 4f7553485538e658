"""Azure building blocks: small components that the reference architectures compose.

See ``README.md`` in this folder for each block's inputs, outputs and defaults.
"""

from .identity import Grant, ManagedIdentity, ManagedIdentityArgs
from .keyvault import KeyVaultKey, KeyVaultKeyArgs
from .monitoring import Monitoring, MonitoringArgs
from .network import PrivateEndpointTarget, PrivateNetwork, PrivateNetworkArgs
from .registry import ContainerRegistry, ContainerRegistryArgs
from .storage import DataLakeStorage, DataLakeStorageArgs

__all__ = [
    "ContainerRegistry",
    "ContainerRegistryArgs",
    "DataLakeStorage",
    "DataLakeStorageArgs",
    "Grant",
    "KeyVaultKey",
    "KeyVaultKeyArgs",
    "ManagedIdentity",
    "ManagedIdentityArgs",
    "Monitoring",
    "MonitoringArgs",
    "PrivateEndpointTarget",
    "PrivateNetwork",
    "PrivateNetworkArgs",
]
