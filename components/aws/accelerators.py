"""Accelerator pools on AWS: from the vendor-neutral ``AcceleratorPool`` to EC2 instance
types (EKS managed node groups) and SageMaker ``ml.*`` types.

One source per fact:

- which instance type carries an accelerator: ``data/accelerator-instances.json``
  (EC2 instance type pages, one source URL per accelerator);
- how many accelerators a type has: ``data/instance-accelerators.json`` through
  ``facts.accelerator_count`` (never repeated);
- which SageMaker types exist: botocore's SageMaker enums (``facts``);
- which types Capacity Blocks for ML accept: botocore's SageMaker
  ``ReservedCapacityInstanceType`` enum (SageMaker training plans and EC2 Capacity
  Blocks reserve the same p4d/p5/p5e/p5en/p6 instances).

Scarce-capacity modes on AWS: ``none`` and ``reservation`` (On-Demand Capacity
Reservations) for every type, ``capacity_block`` where the enum above lists the type;
``queued`` and ``flex_start`` are Google Cloud modes. TPUs are not offered on AWS.
Regional availability is not modelled (no maintained offline source); the EC2 API
refuses a type a region lacks.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import botocore.session

from ..data import packaged_json
from ..vocabulary import (
    Accelerator,
    AcceleratorNotOffered,
    AcceleratorPool,
    ScarceCapacity,
    choose_machine,
    offered_in,
)
from . import facts

CLOUD = "AWS"

__all__ = [
    "AcceleratorMachine",
    "AcceleratorNotOffered",
    "accelerator_of",
    "machine_for",
    "machines",
    "offered",
]


@dataclass(frozen=True)
class AcceleratorMachine:
    """The AWS machine for one accelerator and count per node."""

    accelerator: Accelerator
    count: int
    machine_type: str
    """EC2 instance type for EKS node groups and launch templates, e.g. ``g6.xlarge``."""
    sagemaker_training_type: str | None
    """``ml.<type>`` if the SageMaker training API accepts it, else ``None``."""
    sagemaker_endpoint_type: str | None
    """``ml.<type>`` if SageMaker endpoints accept it, else ``None``."""
    scarce_capacity: frozenset[ScarceCapacity]
    source: str


def _data() -> dict[str, Any]:
    return packaged_json("mlops_components.aws", "accelerator-instances.json")


@functools.cache
def capacity_block_types() -> frozenset[str]:
    """EC2 instance types that Capacity Blocks for ML / SageMaker training plans offer."""
    model = botocore.session.Session().get_service_model("sagemaker")
    enum = model.shape_for("ReservedCapacityInstanceType").enum
    return frozenset(t.removeprefix(facts.ML_PREFIX) for t in enum)


@functools.cache
def machines() -> Mapping[Accelerator, Mapping[int, AcceleratorMachine]]:
    """Every accelerator AWS offers, by accelerators per instance."""
    found: dict[Accelerator, dict[int, AcceleratorMachine]] = {}
    training = facts.sagemaker_instance_types(facts.InstanceUse.TRAINING)
    endpoint = facts.sagemaker_instance_types(facts.InstanceUse.ENDPOINT)
    for name, entry in _data()["accelerators"].items():
        accelerator = Accelerator(name)
        by_count: dict[int, AcceleratorMachine] = {}
        for instance_type in entry["instance_types"]:
            count = facts.accelerator_count(instance_type)
            if not count:
                raise ValueError(f"{instance_type} has no accelerator count in the AWS data")
            if count in by_count:
                raise ValueError(f"{name}: two instance types with {count} accelerators")
            modes = {ScarceCapacity.NONE, ScarceCapacity.RESERVATION}
            if instance_type in capacity_block_types():
                modes.add(ScarceCapacity.CAPACITY_BLOCK)
            ml = facts.ML_PREFIX + instance_type
            by_count[count] = AcceleratorMachine(
                accelerator=accelerator,
                count=count,
                machine_type=instance_type,
                sagemaker_training_type=ml if ml in training else None,
                sagemaker_endpoint_type=ml if ml in endpoint else None,
                scarce_capacity=frozenset(modes),
                source=entry["source"],
            )
        found[accelerator] = dict(sorted(by_count.items()))
    return found


def offered() -> list[Accelerator]:
    """Accelerators AWS offers, in the vocabulary's order."""
    return offered_in(machines())


def machine_for(pool: AcceleratorPool, setting: str = "accelerator") -> AcceleratorMachine:
    """The instance type for ``pool``; ``AcceleratorNotOffered`` naming ``setting`` and
    the alternatives when AWS has no such accelerator, count or capacity mode."""
    return choose_machine(CLOUD, machines(), pool, setting)


@functools.cache
def _families() -> Mapping[str, Accelerator]:
    """Instance family (``g5``) -> the accelerator every size of it carries."""
    return {
        machine.machine_type.split(".")[0]: accelerator
        for accelerator, by_count in machines().items()
        for machine in by_count.values()
    }


def accelerator_of(instance_type: str) -> Accelerator | None:
    """The accelerator of an EC2 type by its family (``g6.2xlarge`` -> nvidia-l4, from
    ``data/accelerator-instances.json``); ``None`` for a family the data lacks."""
    return _families().get(instance_type.split(".")[0])
