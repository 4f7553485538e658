"""AWS building blocks: small components that the reference architectures compose.

See ``README.md`` in this folder for each block's inputs, outputs and defaults.
"""

from .bucket import EncryptedBucket, EncryptedBucketArgs
from .iam import ESCALATION_ACTIONS, ScopedRole, ScopedRoleArgs, Statement, allow
from .kms import KmsKey, KmsKeyArgs
from .logs import encrypted_log_group
from .network import PrivateNetwork, PrivateNetworkArgs
from .promotion import ModelPromotion, ModelPromotionArgs
from .sagemaker_endpoint import RealtimeEndpoint, RealtimeEndpointArgs

__all__ = [
    "ESCALATION_ACTIONS",
    "EncryptedBucket",
    "EncryptedBucketArgs",
    "KmsKey",
    "KmsKeyArgs",
    "ModelPromotion",
    "ModelPromotionArgs",
    "PrivateNetwork",
    "PrivateNetworkArgs",
    "RealtimeEndpoint",
    "RealtimeEndpointArgs",
    "ScopedRole",
    "ScopedRoleArgs",
    "Statement",
    "allow",
    "encrypted_log_group",
]
