"""Typed stack settings: one pydantic tree per stack, read from ``mlops-iac:*`` config."""

from .aws import (
    EndpointSettings,
    NetworkSettings,
    PipelineSettings,
    PromotionSettings,
    SageMakerCiCdSettings,
)
from .base import CapacityStrategy, Cloud, EndpointHosting, Environment, Retention, Strict
from .common import LifecycleSettings, TagSettings
from .loader import NAMESPACE, SettingsError, load_settings
from .stack import ArchitecturesSettings, StackSettings

__all__ = [
    "NAMESPACE",
    "ArchitecturesSettings",
    "CapacityStrategy",
    "Cloud",
    "EndpointHosting",
    "EndpointSettings",
    "Environment",
    "LifecycleSettings",
    "NetworkSettings",
    "PipelineSettings",
    "PromotionSettings",
    "Retention",
    "SageMakerCiCdSettings",
    "SettingsError",
    "StackSettings",
    "Strict",
    "TagSettings",
    "load_settings",
]
