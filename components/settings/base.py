"""Shared vocabulary of the settings tree: environments, clouds and the strategies
that stack files choose between (components never read the stack name)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Base of every settings model: unknown keys are errors, values are frozen.

    ``extra="forbid"`` turns a misspelled key in a stack file into an error that names
    the key instead of a silently ignored setting. ``allow_inf_nan=False``: every float
    setting is finite (``.nan``, ``"Infinity"`` would pass pydantic's float otherwise and
    end up in pipeline documents and alarm thresholds).
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_enum_values=False, allow_inf_nan=False
    )


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


class Retention(StrEnum):
    """What happens to stateful resources (buckets, keys, registries) on delete.

    - ``destroyable``: deleted with the stack; buckets are emptied first
      (``force_destroy``) and KMS keys use the shortest deletion window (7 days).
      For short-lived dev stacks.
    - ``protected``: Pulumi refuses to delete them (``protect``), and if they leave
      the program they stay in the cloud (``retain_on_delete``); KMS keys wait
      30 days before deletion. For anything holding data you cannot recreate.
    """

    DESTROYABLE = "destroyable"
    PROTECTED = "protected"


class CapacityStrategy(StrEnum):
    """How batch compute (training, processing) is bought.

    - ``spot_first``: managed spot capacity with checkpointing; up to ~70-90% cheaper,
      jobs may wait for capacity (bounded by ``max_wait_seconds``).
    - ``on_demand``: always on-demand; predictable start times.
    """

    SPOT_FIRST = "spot_first"
    ON_DEMAND = "on_demand"


class EndpointHosting(StrEnum):
    """How a real-time model endpoint is hosted.

    - ``serverless``: SageMaker Serverless Inference; scales to zero and bills per
      request. AWS does not support VPC configuration, network isolation, data capture
      or blue/green traffic shifting for it, so use it for development only.
    - ``instances``: dedicated instances in private subnets with network isolation,
      data capture, autoscaling and blue/green canary deployments.
    """

    SERVERLESS = "serverless"
    INSTANCES = "instances"
