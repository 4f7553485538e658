"""Instance types: which are accelerated (GPU, Gaudi, Inferentia, Trainium) and how many
accelerators each carries.

Both facts come from ``mlops_components.aws.facts`` (``data/instance-accelerators.json``
with its sources: the EC2 accelerated computing specifications and SageMaker pricing),
so policies, components and the cost estimate agree. A policy's ``acceleratorCounts``
config adds or overrides entries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlops_components.aws import facts

family = facts.family
is_accelerated = facts.is_accelerated


def accelerator_count(instance_type: str, overrides: Mapping[str, Any] | None = None) -> int | None:
    """Accelerators per instance: 0 for CPU types, ``None`` when an accelerated type is
    missing from the data and the overrides (the caller fails closed and asks for a
    config entry)."""
    table = overrides or {}
    for key in (instance_type, instance_type.removeprefix(facts.ML_PREFIX)):
        if key in table:
            return int(float(table[key]))
    return facts.accelerator_count(instance_type)
