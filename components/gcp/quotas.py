"""Google Cloud quota families of a declared capacity (see ``mlops_components.quotas``).

GKE nodes and Compute Engine VMs (usage ``vm``) count their GPUs per family and region,
and their TPU chips per version, in the Compute Engine quotas; Spot VMs count against
the ``PREEMPTIBLE_`` variants, and so do flex-start and queued-provisioning VMs (the
architectures declare those as ``spot``: Dynamic Workload Scheduler consumes preemptible
quota, https://cloud.google.com/kubernetes-engine/docs/how-to/provisioningrequest). Vertex AI training and prediction count GPUs in Vertex
AI's own quotas. Machine types without accelerators count against no accelerator
quota. Compute Engine GPUs also count against the project-wide ``GPUS_ALL_REGIONS``
(a ``global`` line). The mapping and its sources are in ``data/accelerator-quotas.json``; the
accelerator of a machine type comes from ``data/accelerator-machine-types.json``
(``accelerators.machines``), so each fact has one source.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from ..data import packaged_json
from ..quotas import QuotaTarget
from ..registry import Capacity
from .accelerators import machines

COMPUTE = "compute.googleapis.com"
VERTEX_USAGES = ("vertex-training", "vertex-prediction")


def _data() -> dict[str, Any]:
    return packaged_json("mlops_components.gcp", "accelerator-quotas.json")


@functools.cache
def built_in() -> Mapping[str, tuple[str, int]]:
    """Machine type -> (accelerator type, chips) for machine types whose accelerators
    are built in (A2, A3, G2 GPUs; TPU machine types)."""
    return {
        machine.machine_type: (machine.accelerator_type, machine.count)
        for by_count in machines().values()
        for machine in by_count.values()
        if not machine.attached
    }


def accelerator_of(capacity: Capacity) -> tuple[str, int] | None:
    """(accelerator type, per machine) of a capacity, or ``None`` without accelerators;
    ``ValueError`` for a machine type of an accelerator series that the catalogue does not
    list (``g2-standard-8``): the capacity must then name its ``accelerator`` and
    ``accelerator_count``, so no accelerated capacity goes uncounted."""
    if capacity.accelerator is not None:
        return capacity.accelerator, capacity.accelerator_count
    found = built_in().get(capacity.machine_type)
    series = {name.split("-", 1)[0] for name in built_in()}
    if found is None and capacity.machine_type.split("-", 1)[0] in series:
        raise ValueError(
            f"{capacity.source}: {capacity.machine_type} carries accelerators the catalogue "
            "does not list; declare its accelerator and accelerator_count"
        )
    return found


def all_regions(per_machine: int, data: Mapping[str, Any]) -> QuotaTarget:
    """The project-wide GPU quota (``GPUS_ALL_REGIONS``) a Compute Engine GPU counts
    against besides its regional family; a new project has 0 of it."""
    line = data["all_regions"]
    request = {"service": COMPUTE, "quota_id": line["quota_id"], "dimensions": {}}
    return QuotaTarget(
        line["family"], line["unit"], per_machine, request, data["sources"][0], line["region"]
    )


def targets(capacity: Capacity) -> list[QuotaTarget]:
    """The quota families one machine of ``capacity`` counts against."""
    found = accelerator_of(capacity)
    if found is None:
        return []
    accelerator, per_machine = found
    data = _data()
    kind = "spot" if capacity.spot else "on_demand"
    if capacity.usage == "vm":
        entry = data["compute"].get(accelerator)
        if entry is None:
            raise ValueError(f"{capacity.source}: no Compute Engine quota known for {accelerator}")
        pick = entry[kind]
        request = {
            "service": COMPUTE,
            "quota_id": pick["quota_id"],
            "dimensions": {"region": capacity.region, **pick.get("dimensions", {})},
        }
        source = data["sources"][2 if entry["unit"] == "TPU chips" else 0]
        found = [QuotaTarget(pick["family"], entry["unit"], per_machine, request, source)]
        if entry["unit"] == "GPUs":
            found.append(all_regions(per_machine, data))
        return found
    if capacity.usage in VERTEX_USAGES:
        vertex = data["vertex"]
        model = vertex["model_names"].get(accelerator)
        if model is None:
            raise ValueError(f"{capacity.source}: Vertex AI has no GPU quota for {accelerator}")
        family = vertex["families"][capacity.usage][kind].format(model=model)
        return [QuotaTarget(family, "GPUs", per_machine, None, data["sources"][-1])]
    raise ValueError(
        f"{capacity.source}: usage {capacity.usage!r} does not run on Google Cloud; "
        f"use vm, {', '.join(VERTEX_USAGES)}"
    )
