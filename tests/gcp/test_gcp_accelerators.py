"""GCP accelerator mapping: machine types, accelerator types, TPU slices."""

from __future__ import annotations

import pytest
from mlops_components.gcp.accelerators import machine_for, machines
from mlops_components.vocabulary import (
    Accelerator,
    AcceleratorNotOffered,
    AcceleratorPool,
    ScarceCapacity,
)


def pool(**kwargs: object) -> AcceleratorPool:
    return AcceleratorPool.model_validate(kwargs)


@pytest.mark.parametrize(
    ("kwargs", "machine_type", "accelerator_type", "attached", "tpu_vm_type"),
    [
        ({"accelerator": "nvidia-t4"}, "n1-standard-4", "nvidia-tesla-t4", True, None),
        ({"accelerator": "nvidia-t4", "count": 4}, "n1-standard-16", "nvidia-tesla-t4", True, None),
        ({"accelerator": "nvidia-l4"}, "g2-standard-4", "nvidia-l4", False, None),
        ({"accelerator": "nvidia-l4", "count": 8}, "g2-standard-96", "nvidia-l4", False, None),
        (
            {"accelerator": "nvidia-a100-40gb", "count": 16},
            "a2-megagpu-16g",
            "nvidia-tesla-a100",
            False,
            None,
        ),
        (
            {"accelerator": "nvidia-a100-80gb", "count": 2},
            "a2-ultragpu-2g",
            "nvidia-a100-80gb",
            False,
            None,
        ),
        (
            {"accelerator": "nvidia-h100-80gb", "count": 8},
            "a3-highgpu-8g",
            "nvidia-h100-80gb",
            False,
            None,
        ),
        (
            {"accelerator": "nvidia-h200", "count": 8},
            "a3-ultragpu-8g",
            "nvidia-h200-141gb",
            False,
            None,
        ),
        (
            {"accelerator": "tpu-v5e", "count": 1},
            "ct5lp-hightpu-1t",
            "tpu-v5-lite-podslice",
            False,
            "V5LITE_POD",
        ),
        (
            {"accelerator": "tpu-v5e", "count": 4, "tpu_topology": "4x8", "max_nodes": 8},
            "ct5lp-hightpu-4t",
            "tpu-v5-lite-podslice",
            False,
            "V5LITE_POD",
        ),
        (
            {"accelerator": "tpu-v5p", "count": 4, "tpu_topology": "2x2x1"},
            "ct5p-hightpu-4t",
            "tpu-v5p-slice",
            False,
            "V5P",
        ),
        (
            {"accelerator": "tpu-v6e", "count": 8, "tpu_topology": "2x4"},
            "ct6e-standard-8t",
            "tpu-v6e-slice",
            False,
            "V6E",
        ),
    ],
)
def test_machine_types(
    kwargs: dict[str, object],
    machine_type: str,
    accelerator_type: str,
    attached: bool,
    tpu_vm_type: str | None,
) -> None:
    m = machine_for(pool(**kwargs))
    assert (m.machine_type, m.accelerator_type, m.attached, m.tpu_vm_type) == (
        machine_type,
        accelerator_type,
        attached,
        tpu_vm_type,
    )
    assert m.source.startswith("https://cloud.google.com/")


def test_gcp_offers_queued_and_flex_start_but_no_capacity_blocks() -> None:
    for by_count in machines().values():
        for m in by_count.values():
            assert {ScarceCapacity.QUEUED, ScarceCapacity.FLEX_START} <= m.scarce_capacity
            assert ScarceCapacity.CAPACITY_BLOCK not in m.scarce_capacity


@pytest.mark.parametrize(
    ("kwargs", "machine_type"),
    [
        ({"accelerator": "nvidia-h100-80gb", "count": 1}, "a3-highgpu-1g"),
        (
            {
                "accelerator": "nvidia-h100-80gb",
                "count": 4,
                "capacity": "on_demand",
                "scarce_capacity": "flex_start",
            },
            "a3-highgpu-4g",
        ),
        (
            {
                "accelerator": "nvidia-h100-80gb",
                "count": 2,
                "capacity": "on_demand",
                "scarce_capacity": "queued",
            },
            "a3-highgpu-2g",
        ),
    ],
)
def test_spot_or_flex_only_machine_types_with_spot_or_flex(
    kwargs: dict[str, object], machine_type: str
) -> None:
    m = machine_for(pool(**kwargs))
    assert m.machine_type == machine_type and m.spot_or_flex_only


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"accelerator": "nvidia-a10g"},
            "accelerator: GCP does not offer nvidia-a10g; offered: nvidia-t4, nvidia-l4, "
            "nvidia-a100-40gb, nvidia-a100-80gb, nvidia-h100-80gb, nvidia-h200, tpu-v5e, "
            "tpu-v5p, tpu-v6e",
        ),
        ({"accelerator": "nvidia-l40s"}, "GCP does not offer nvidia-l40s"),
        (
            {"accelerator": "nvidia-t4", "count": 8},
            r"accelerator.count: GCP offers nvidia-t4 with 1, 2, 4 per node; got 8",
        ),
        (
            {
                "accelerator": "tpu-v5e",
                "count": 4,
                "capacity": "reserved",
                "scarce_capacity": "capacity_block",
            },
            "got capacity_block",
        ),
        (
            {"accelerator": "nvidia-h100-80gb", "count": 1, "capacity": "on_demand"},
            "accelerator: GCP sells a3-highgpu-1g only as Spot or flex-start VMs; use capacity "
            "spot_first, scarce_capacity flex_start or queued, or count 8",
        ),
        (
            {
                "accelerator": "nvidia-h100-80gb",
                "count": 1,
                "capacity": "reserved",
                "scarce_capacity": "reservation",
            },
            "accelerator.scarce_capacity: GCP offers a3-highgpu-1g with none, queued, flex_start; got reservation",
        ),
    ],
)
def test_not_offered(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(AcceleratorNotOffered, match=message):
        machine_for(pool(**kwargs))


def test_tpu_machine_chips_match_their_names() -> None:
    for accelerator in (Accelerator.TPU_V5E, Accelerator.TPU_V5P, Accelerator.TPU_V6E):
        for count, m in machines()[accelerator].items():
            assert m.machine_type.endswith(f"-{count}t")
