"""Vertex AI machine specs (training ``workerPoolSpecs[].machineSpec``, prediction
``dedicatedResources.machineSpec``) from a machine type or a vendor-neutral
``AcceleratorPool``. Imports no SDK.

Vertex AI names GPUs with its own enum (``MachineSpec.acceleratorType``,
https://cloud.google.com/vertex-ai/docs/reference/rest/v1/MachineSpec#AcceleratorType):
the Compute Engine accelerator type of ``data/accelerator-machine-types.json`` in upper
case with ``_`` for ``-`` (``nvidia-tesla-t4`` -> ``NVIDIA_TESLA_T4``,
``nvidia-h200-141gb`` -> ``NVIDIA_H200_141GB``), so the one data file stays the source.
Vertex AI asks for the accelerator type and count on every GPU machine, also where the
GPUs are built into the machine type (A2, A3, G2). TPUs are not offered here: Vertex AI
takes them as TPU machine types with their own rules; use a GKE TPU pool.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..vocabulary import AcceleratorPool
from .accelerators import machine_for


@dataclass(frozen=True)
class MachineSpec:
    """One replica's machine for Vertex AI."""

    machine_type: str
    accelerator_type: str | None = None
    accelerator_count: int = 0

    @property
    def accelerated(self) -> bool:
        return self.accelerator_type is not None

    @property
    def compute_accelerator_type(self) -> str | None:
        """The accelerator as Compute Engine names it (``nvidia-tesla-t4``): the form
        ``registry.Capacity`` and the quota data use."""
        return self.accelerator_type.lower().replace("_", "-") if self.accelerator_type else None

    def rest(self) -> dict[str, object]:
        """The REST ``MachineSpec`` (camelCase), for request bodies."""
        spec: dict[str, object] = {"machineType": self.machine_type}
        if self.accelerator_type:
            spec["acceleratorType"] = self.accelerator_type
            spec["acceleratorCount"] = self.accelerator_count
        return spec


def vertex_accelerator_type(compute_type: str) -> str:
    """``nvidia-tesla-t4`` -> ``NVIDIA_TESLA_T4`` (see the module doc)."""
    return compute_type.upper().replace("-", "_")


def machine_spec(
    machine_type: str, accelerator: AcceleratorPool | None, setting: str = "accelerator"
) -> MachineSpec:
    """``machine_type`` for CPU replicas; the accelerator's machine, type and count
    otherwise. ``ValueError`` naming ``setting`` for TPUs or what GCP does not offer."""
    if accelerator is None:
        return MachineSpec(machine_type)
    if accelerator.is_tpu:
        raise ValueError(
            f"{setting}: Vertex AI machine specs here take GPUs; "
            f"{accelerator.accelerator.value} is a TPU"
        )
    machine = machine_for(accelerator, setting)
    return MachineSpec(
        machine.machine_type,
        vertex_accelerator_type(machine.accelerator_type),
        accelerator.count,
    )
