"""Accelerator pools on Google Cloud: from the vendor-neutral ``AcceleratorPool`` to
Compute Engine machine types, GPU accelerator types and TPU slice shapes for GKE node
pools (``node_config.machine_type``, ``node_config.guest_accelerators[].type``,
``placement_policy.tpu_topology``), Compute Engine and Vertex AI.

The machine types, accelerator types and sources are in
``data/accelerator-machine-types.json``:

- GPUs: ``n1-standard-*`` with ``nvidia-tesla-t4`` attached; ``g2-standard-*`` (L4),
  ``a2-highgpu-*``/``a2-megagpu-16g`` (A100 40GB), ``a2-ultragpu-*`` (A100 80GB),
  ``a3-highgpu-*`` (H100 80GB), ``a3-ultragpu-8g`` (H200) with their GPUs included.
  ``a3-highgpu-1g/2g/4g`` are sold only as Spot or flex-start VMs.
- TPUs: ``ct5lp-hightpu-{1,4,8}t`` (v5e), ``ct5p-hightpu-4t`` (v5p),
  ``ct6e-standard-{1,4,8}t`` (v6e); a multi-host slice uses the 4-chip machine type on
  ``nodes_per_slice`` nodes with ``placement_policy.tpu_topology`` set to the topology
  (the vocabulary checks topology and chips).

Scarce-capacity modes: ``none``, ``reservation``, ``queued`` (GKE queued provisioning)
and ``flex_start`` for every machine type; capacity blocks are an AWS mode.
``nvidia-a10g`` and ``nvidia-l40s`` are not offered. Zonal availability is not
modelled offline (``compute.get_machine_types`` answers it at run time).
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
    CapacityStrategy,
    ScarceCapacity,
    allowed,
    choose_machine,
    offered_in,
)

CLOUD = "GCP"

__all__ = ["AcceleratorMachine", "AcceleratorNotOffered", "machine_for", "machines", "offered"]


@dataclass(frozen=True)
class AcceleratorMachine:
    """The GCP machine for one accelerator and chip count per node."""

    accelerator: Accelerator
    count: int
    machine_type: str
    """Compute Engine machine type, e.g. ``g2-standard-4`` or ``ct5lp-hightpu-4t``."""
    accelerator_type: str
    """GPUs: the ``guest_accelerators`` type (``nvidia-l4``); TPUs: the GKE
    ``cloud.google.com/gke-tpu-accelerator`` value (``tpu-v5-lite-podslice``)."""
    attached: bool
    """True where the GPUs are attached to a general-purpose machine (N1 + T4)."""
    tpu_vm_type: str | None
    """Cloud TPU API ``AcceleratorConfig.type`` (``V5LITE_POD``, ``V5P``, ``V6E``)."""
    spot_or_flex_only: bool
    """Sold only as Spot or flex-start VMs (no plain on-demand, no reservation)."""
    scarce_capacity: frozenset[ScarceCapacity]
    source: str


def _data() -> dict[str, Any]:
    return packaged_json("mlops_components.gcp", "accelerator-machine-types.json")


@functools.cache
def machines() -> Mapping[Accelerator, Mapping[int, AcceleratorMachine]]:
    """Every accelerator GCP offers, by chips per node."""
    data = _data()
    modes = frozenset(ScarceCapacity(m) for m in data["scarce_capacity"])
    found: dict[Accelerator, dict[int, AcceleratorMachine]] = {}
    for name, entry in data["accelerators"].items():
        limited = set(entry.get("spot_or_flex_only", ()))
        found[Accelerator(name)] = {
            int(count): AcceleratorMachine(
                accelerator=Accelerator(name),
                count=int(count),
                machine_type=machine_type,
                accelerator_type=entry["accelerator_type"],
                attached=bool(entry.get("attached", False)),
                tpu_vm_type=entry.get("tpu_vm_type"),
                spot_or_flex_only=machine_type in limited,
                scarce_capacity=(
                    frozenset(
                        {ScarceCapacity.NONE, ScarceCapacity.FLEX_START, ScarceCapacity.QUEUED}
                    )
                    if machine_type in limited
                    else modes
                ),
                source=entry["source"],
            )
            for count, machine_type in sorted(
                entry["machine_types"].items(), key=lambda kv: int(kv[0])
            )
        }
    return found


def offered() -> list[Accelerator]:
    """Accelerators GCP offers, in the vocabulary's order."""
    return offered_in(machines())


def machine_for(pool: AcceleratorPool, setting: str = "accelerator") -> AcceleratorMachine:
    """The machine for ``pool``; ``AcceleratorNotOffered`` naming ``setting`` and the
    alternatives when GCP has no such accelerator, count or capacity mode, or sells the
    machine type only as Spot or flex-start and the pool asks for plain on-demand."""
    machine = choose_machine(CLOUD, machines(), pool, setting)
    if (
        machine.spot_or_flex_only
        and pool.capacity is CapacityStrategy.ON_DEMAND
        and pool.scarce_capacity is ScarceCapacity.NONE
    ):
        counts = [c for c, m in machines()[pool.accelerator].items() if not m.spot_or_flex_only]
        raise AcceleratorNotOffered(
            f"{setting}: {CLOUD} sells {machine.machine_type} only as Spot or flex-start VMs; "
            f"use capacity spot_first, scarce_capacity flex_start or queued, or count "
            f"{allowed(counts)}"
        )
    return machine
