"""AWS building blocks: small components that the reference architectures compose.

See ``README.md`` in this folder for each block's inputs, outputs and defaults. The
mapping and fact modules (``facts``, ``names``, ``retention``, ``capacity``,
``accelerators``, ``lifecycle``) import no SDK; the blocks import ``pulumi_aws``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "EncryptedBucket": ".bucket",
    "EncryptedBucketArgs": ".bucket",
    "ESCALATION_ACTIONS": ".iam",
    "ScopedRole": ".iam",
    "ScopedRoleArgs": ".iam",
    "Statement": ".iam",
    "allow": ".iam",
    "KmsKey": ".kms",
    "KmsKeyArgs": ".kms",
    "encrypted_log_group": ".logs",
    "PrivateNetwork": ".network",
    "PrivateNetworkArgs": ".network",
    "ModelPromotion": ".promotion",
    "ModelPromotionArgs": ".promotion",
    "RealtimeEndpoint": ".sagemaker_endpoint",
    "RealtimeEndpointArgs": ".sagemaker_endpoint",
}
"""Public name -> submodule; imported on first use (PEP 562), so that importing
this package, or one of its SDK-free modules, imports no cloud SDK."""

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
