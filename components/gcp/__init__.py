"""Google Cloud building blocks: small components that the reference architectures compose.

See ``README.md`` in this folder for each block's inputs, outputs and defaults.
"""

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
