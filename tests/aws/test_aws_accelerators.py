"""AWS accelerator mapping: every entry checked against the one source of each fact."""

from __future__ import annotations

import pytest
from mlops_components.aws import accelerators, facts
from mlops_components.aws.accelerators import machine_for, machines
from mlops_components.vocabulary import (
    Accelerator,
    AcceleratorNotOffered,
    AcceleratorPool,
    ScarceCapacity,
)


def pool(**kwargs: object) -> AcceleratorPool:
    return AcceleratorPool.model_validate(kwargs)


@pytest.mark.parametrize(
    ("accelerator", "count", "instance_type", "training", "endpoint"),
    [
        ("nvidia-t4", 1, "g4dn.xlarge", "ml.g4dn.xlarge", "ml.g4dn.xlarge"),
        ("nvidia-t4", 4, "g4dn.12xlarge", "ml.g4dn.12xlarge", "ml.g4dn.12xlarge"),
        ("nvidia-t4", 8, "g4dn.metal", None, None),
        ("nvidia-a10g", 1, "g5.xlarge", "ml.g5.xlarge", "ml.g5.xlarge"),
        ("nvidia-a10g", 8, "g5.48xlarge", "ml.g5.48xlarge", "ml.g5.48xlarge"),
        ("nvidia-l4", 1, "g6.xlarge", "ml.g6.xlarge", "ml.g6.xlarge"),
        ("nvidia-l4", 4, "g6.12xlarge", "ml.g6.12xlarge", "ml.g6.12xlarge"),
        ("nvidia-l40s", 8, "g6e.48xlarge", "ml.g6e.48xlarge", "ml.g6e.48xlarge"),
        ("nvidia-a100-40gb", 8, "p4d.24xlarge", "ml.p4d.24xlarge", "ml.p4d.24xlarge"),
        ("nvidia-a100-80gb", 8, "p4de.24xlarge", "ml.p4de.24xlarge", "ml.p4de.24xlarge"),
        ("nvidia-h100-80gb", 1, "p5.4xlarge", "ml.p5.4xlarge", "ml.p5.4xlarge"),
        ("nvidia-h100-80gb", 8, "p5.48xlarge", "ml.p5.48xlarge", "ml.p5.48xlarge"),
        ("nvidia-h200", 8, "p5en.48xlarge", "ml.p5en.48xlarge", "ml.p5en.48xlarge"),
    ],
)
def test_instance_types(
    accelerator: str, count: int, instance_type: str, training: str | None, endpoint: str | None
) -> None:
    m = machine_for(pool(accelerator=accelerator, count=count, max_nodes=1))
    assert (m.machine_type, m.count) == (instance_type, count)
    assert (m.sagemaker_training_type, m.sagemaker_endpoint_type) == (training, endpoint)
    assert m.source.startswith("https://aws.amazon.com/ec2/instance-types/")


def test_counts_come_from_the_instance_accelerator_data() -> None:
    for by_count in machines().values():
        for count, machine in by_count.items():
            assert facts.accelerator_count(machine.machine_type) == count


@pytest.mark.parametrize(
    ("accelerator", "count", "capacity_block"),
    [
        ("nvidia-h100-80gb", 8, True),
        ("nvidia-h100-80gb", 1, True),
        ("nvidia-a100-40gb", 8, True),
        ("nvidia-h200", 8, True),
        ("nvidia-l4", 1, False),
        ("nvidia-t4", 1, False),
    ],
)
def test_capacity_blocks_follow_botocore(
    accelerator: str, count: int, capacity_block: bool
) -> None:
    m = machines()[Accelerator(accelerator)][count]
    assert (ScarceCapacity.CAPACITY_BLOCK in m.scarce_capacity) is capacity_block
    assert {ScarceCapacity.NONE, ScarceCapacity.RESERVATION} <= m.scarce_capacity
    assert ScarceCapacity.QUEUED not in m.scarce_capacity


def test_capacity_block_pool() -> None:
    m = machine_for(
        pool(
            accelerator="nvidia-h100-80gb",
            count=8,
            capacity="reserved",
            scarce_capacity="capacity_block",
        )
    )
    assert m.machine_type == "p5.48xlarge"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"accelerator": "tpu-v5e", "count": 4},
            "accelerator: AWS does not offer tpu-v5e; offered: nvidia-t4, nvidia-l4, "
            "nvidia-a10g, nvidia-l40s, nvidia-a100-40gb, nvidia-a100-80gb, "
            "nvidia-h100-80gb, nvidia-h200",
        ),
        (
            {"accelerator": "nvidia-l4", "count": 2},
            r"accelerator.count: AWS offers nvidia-l4 with 1, 4, 8 per node; got 2",
        ),
        (
            {
                "accelerator": "nvidia-l4",
                "capacity": "reserved",
                "scarce_capacity": "capacity_block",
            },
            "accelerator.scarce_capacity: AWS offers g6.xlarge with none, reservation; "
            "got capacity_block",
        ),
        (
            {"accelerator": "nvidia-l4", "capacity": "on_demand", "scarce_capacity": "queued"},
            "got queued",
        ),
    ],
)
def test_not_offered(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(AcceleratorNotOffered, match=message):
        machine_for(pool(**kwargs))


def test_offered_in_vocabulary_order() -> None:
    assert accelerators.offered()[0] is Accelerator.NVIDIA_T4
    assert Accelerator.TPU_V5E not in accelerators.offered()
