"""Accelerator pools on Azure: from the vendor-neutral ``AcceleratorPool`` to VM sizes
(NC and ND series) for AKS agent pools (``vm_size``), AML compute clusters
(``AmlComputeProperties.vm_size``) and managed online deployments (``instance_type``).

The sizes, their GPU counts and sources are in ``data/accelerator-vm-sizes.json``.
Azure offers the scarce-capacity modes ``none`` and ``reservation`` (capacity
reservation groups, ``AgentPool.capacity_reservation_group_id``); queued, flex-start and
capacity blocks are other clouds' modes. TPUs, ``nvidia-a10g``, ``nvidia-l4`` and
``nvidia-l40s`` are not offered. Regional availability is not modelled offline (the
Resource SKUs API answers it per subscription); Azure refuses a size a region lacks.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..data import packaged_json
from ..vocabulary import (
    Accelerator,
    AcceleratorNotOffered,
    AcceleratorPool,
    ScarceCapacity,
    choose_machine,
    offered_in,
)

CLOUD = "Azure"

__all__ = [
    "AcceleratorMachine",
    "AcceleratorNotOffered",
    "gpus_per_vm",
    "is_gpu_size",
    "machine_for",
    "machines",
    "offered",
]


@dataclass(frozen=True)
class AcceleratorMachine:
    """The Azure VM size for one accelerator and GPU count."""

    accelerator: Accelerator
    count: int
    machine_type: str
    """VM size, e.g. ``Standard_NC4as_T4_v3``."""
    scarce_capacity: frozenset[ScarceCapacity]
    source: str


def _data() -> dict[str, Any]:
    return packaged_json("mlops_components.azure", "accelerator-vm-sizes.json")


@functools.cache
def machines() -> Mapping[Accelerator, Mapping[int, AcceleratorMachine]]:
    """Every accelerator Azure offers, by GPUs per VM."""
    data = _data()
    modes = frozenset(ScarceCapacity(m) for m in data["scarce_capacity"])
    return {
        Accelerator(name): {
            int(count): AcceleratorMachine(
                Accelerator(name), int(count), size, modes, entry["source"]
            )
            for count, size in sorted(entry["sizes"].items(), key=lambda kv: int(kv[0]))
        }
        for name, entry in data["accelerators"].items()
    }


def offered() -> list[Accelerator]:
    """Accelerators Azure offers, in the vocabulary's order."""
    return offered_in(machines())


def machine_for(pool: AcceleratorPool, setting: str = "accelerator") -> AcceleratorMachine:
    """The VM size for ``pool``; ``AcceleratorNotOffered`` naming ``setting`` and the
    alternatives when Azure has no such accelerator, count or capacity mode."""
    return choose_machine(CLOUD, machines(), pool, setting)


GPU_SERIES_PREFIX = "Standard_N"
"""Azure's GPU VM sizes are the N family (NC, ND, NG, NV):
https://learn.microsoft.com/azure/virtual-machines/sizes/overview#gpu-accelerated."""


def is_gpu_size(vm_size: str) -> bool:
    """Whether ``vm_size`` is a GPU size (N family)."""
    return vm_size.startswith(GPU_SERIES_PREFIX)


@functools.cache
def _gpus_by_size() -> dict[str, int]:
    return {m.machine_type: m.count for sizes in machines().values() for m in sizes.values()}


def gpus_per_vm(vm_size: str) -> int | None:
    """GPUs of ``vm_size``: 0 for non-GPU sizes, the count from the data file for the
    sizes it lists, ``None`` for other N-family sizes (callers fail closed)."""
    if not is_gpu_size(vm_size):
        return 0
    return _gpus_by_size().get(vm_size)
