"""Azure accelerator mapping: VM sizes per accelerator and GPU count."""

from __future__ import annotations

import pytest
from mlops_components.azure.accelerators import machine_for, machines
from mlops_components.vocabulary import AcceleratorNotOffered, AcceleratorPool, ScarceCapacity


def pool(**kwargs: object) -> AcceleratorPool:
    return AcceleratorPool.model_validate(kwargs)


@pytest.mark.parametrize(
    ("accelerator", "count", "size"),
    [
        ("nvidia-t4", 1, "Standard_NC4as_T4_v3"),
        ("nvidia-t4", 4, "Standard_NC64as_T4_v3"),
        ("nvidia-a100-40gb", 8, "Standard_ND96asr_v4"),
        ("nvidia-a100-80gb", 1, "Standard_NC24ads_A100_v4"),
        ("nvidia-a100-80gb", 2, "Standard_NC48ads_A100_v4"),
        ("nvidia-a100-80gb", 4, "Standard_NC96ads_A100_v4"),
        ("nvidia-a100-80gb", 8, "Standard_ND96amsr_A100_v4"),
        ("nvidia-h100-80gb", 8, "Standard_ND96isr_H100_v5"),
        ("nvidia-h200", 8, "Standard_ND96isr_H200_v5"),
    ],
)
def test_vm_sizes(accelerator: str, count: int, size: str) -> None:
    m = machine_for(pool(accelerator=accelerator, count=count))
    assert m.machine_type == size
    assert m.source.startswith("https://learn.microsoft.com/azure/virtual-machines/sizes/")


def test_every_size_offers_none_and_reservation_only() -> None:
    for by_count in machines().values():
        for m in by_count.values():
            assert m.scarce_capacity == {ScarceCapacity.NONE, ScarceCapacity.RESERVATION}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"accelerator": "tpu-v6e"},
            "accelerator: Azure does not offer tpu-v6e; offered: nvidia-t4, nvidia-a100-40gb, "
            "nvidia-a100-80gb, nvidia-h100-80gb, nvidia-h200",
        ),
        ({"accelerator": "nvidia-l4"}, "Azure does not offer nvidia-l4"),
        ({"accelerator": "nvidia-a10g"}, "Azure does not offer nvidia-a10g"),
        (
            {"accelerator": "nvidia-h100-80gb", "count": 1},
            "offers nvidia-h100-80gb with 8 per node; got 1",
        ),
        ({"accelerator": "nvidia-t4", "count": 2}, "offers nvidia-t4 with 1, 4 per node; got 2"),
        (
            {"accelerator": "nvidia-t4", "capacity": "on_demand", "scarce_capacity": "queued"},
            "accelerator.scarce_capacity: Azure offers Standard_NC4as_T4_v3 with none, "
            "reservation; got queued",
        ),
        (
            {
                "accelerator": "nvidia-h200",
                "count": 8,
                "capacity": "reserved",
                "scarce_capacity": "capacity_block",
            },
            "got capacity_block",
        ),
    ],
)
def test_not_offered(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(AcceleratorNotOffered, match=message):
        machine_for(pool(**kwargs))
