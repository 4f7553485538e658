"""Shared vocabulary of the settings tree: environments and clouds.

The strategies that stack files choose between (``Retention``, ``CapacityStrategy``,
``EndpointHosting`` ...) and the ``Strict`` base live in ``mlops_components.vocabulary``
and are re-exported here, so ``from .base import Retention`` keeps working."""

from __future__ import annotations

from enum import StrEnum

from ..vocabulary import CapacityStrategy, EndpointHosting, Retention, Strict

__all__ = [
    "CapacityStrategy",
    "Cloud",
    "EndpointHosting",
    "Environment",
    "Retention",
    "Strict",
]


class Environment(StrEnum):
    """Which stage a stack serves. Only used for tags, names and the policy config to
    apply; behaviour differences are chosen through the strategies below."""

    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"


class Cloud(StrEnum):
    AWS = "aws"
    AZURE = "azure"
    GCP = "gcp"
