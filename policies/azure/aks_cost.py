"""AKS cost rules: VM sizes allowed per environment (GPU sizes only where configured),
GPU pools that autoscale from zero on Spot outside production, and a cap on the GPUs a
pool can reach.

GPU sizes are the N family; GPUs per size come from
``mlops_components.azure.accelerators`` (``data/accelerator-vm-sizes.json``, the sizes
the components choose), and a rule's ``gpuCounts`` config adds others. Allowlists take
shell-style patterns (``Standard_D*ds_v5``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mlops_components.azure.accelerators import gpus_per_vm, is_gpu_size
from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import (
    Category,
    fmt_number,
    matches_any,
    number,
    resource_rule,
    string_list_schema,
    truthy,
)
from .aks import AGENT_POOL, CLUSTER, pool_profiles

COST = Category.COST
MANDATORY = EnforcementLevel.MANDATORY
CPU_SIZES = ["Standard_B*", "Standard_D*s_v5", "Standard_D*ds_v5", "Standard_E*s_v5"]


def _gpu_count(vm_size: str, overrides: Mapping[str, Any]) -> int | None:
    if vm_size in overrides:
        return int(float(overrides[vm_size]))
    return gpus_per_vm(vm_size)


def _gpu_pools(args: ResourceValidationArgs) -> list[tuple[str, Mapping[str, Any]]]:
    return [
        (label, pool)
        for label, pool in pool_profiles(args)
        if is_gpu_size(str(pool.get("vmSize") or ""))
    ]


@resource_rule(
    name="azure-aks-require-allowed-vm-size",
    description="AKS node pools must use VM sizes allowed in the environment (GPU sizes only where listed).",
    category=COST,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation=(
        "Pick a size from the allowlist, or extend allowedVmSizes / allowedGpuVmSizes "
        "for the environment after review."
    ),
    references=["none (project rule: no Azure Policy built-in limits AKS node pool VM sizes)"],
    resource_types=[CLUSTER, AGENT_POOL],
    config_schema={
        "allowedVmSizes": string_list_schema("Accepted non-GPU VM size patterns.", CPU_SIZES),
        "allowedGpuVmSizes": string_list_schema(
            "Accepted GPU (N-family) VM size patterns (empty: none).", []
        ),
    },
)
def allowed_vm_size(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Node pools are the largest line of an AKS bill, and a GPU size costs ten to a
    hundred times a small CPU size."""
    for label, pool in pool_profiles(args):
        size = str(pool.get("vmSize") or "")
        if not size:
            yield f"{label} has no vmSize (AKS would choose one)."
        elif is_gpu_size(size):
            if not matches_any(size, config["allowedGpuVmSizes"]):
                yield f"{label}: GPU size {size} is not allowed in this environment."
        elif not matches_any(size, config["allowedVmSizes"]):
            yield f"{label}: VM size {size} is not in the allowlist."


@resource_rule(
    name="azure-aks-agent-pool-gpu-require-scale-to-zero",
    description="AKS GPU node pools must autoscale and be able to scale to zero nodes.",
    category=COST,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set enable_auto_scaling=True and min_count=0 (user pools only; a System pool keeps one node).",
    references=["none (project rule: no public control requires AKS GPU pools to scale to zero)"],
    resource_types=[CLUSTER, AGENT_POOL],
)
def gpu_scale_to_zero(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """An idle GPU node costs as much as a busy one."""
    for label, pool in _gpu_pools(args):
        minimum = number(pool.get("minCount"))
        if not truthy(pool.get("enableAutoScaling")):
            yield f"{label}: enableAutoScaling is not true."
        elif minimum is None or minimum > 0:
            shown = fmt_number(minimum) if minimum is not None else "unset"
            yield f"{label}: minCount is {shown}; set 0."


@resource_rule(
    name="azure-aks-agent-pool-gpu-require-spot",
    description="AKS GPU node pools must use Spot priority outside production.",
    category=COST,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation=(
        "Set scale_set_priority='Spot', scale_set_eviction_policy='Delete', spot_max_price=-1 "
        "and declare the Spot taint and label (components/azure/capacity.py)."
    ),
    references=["none (project rule: no public control requires Spot priority for GPU pools)"],
    resource_types=[CLUSTER, AGENT_POOL],
)
def gpu_spot(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Spot GPUs cost 60-90 % less, and dev/staging training tolerates eviction.
    Disabled in prod, where serving needs Regular capacity."""
    for label, pool in _gpu_pools(args):
        priority = pool.get("scaleSetPriority")
        if priority != "Spot":
            yield f"{label}: scaleSetPriority is {priority or 'unset (Regular)'}; set 'Spot'."


@resource_rule(
    name="azure-aks-agent-pool-cap-gpus",
    description="An AKS pool's maximum node count times GPUs per node must stay within the environment's cap.",
    category=COST,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Lower max_count or pick a smaller size; raise maxGpus in the config after review.",
    references=["none (project rule: no public control caps the GPUs of an AKS pool)"],
    resource_types=[CLUSTER, AGENT_POOL],
    config_schema={
        "maxGpus": {
            "type": "number",
            "minimum": 0,
            "default": 8,
            "description": "Most GPUs one pool may reach at its autoscaling ceiling.",
        },
        "gpuCounts": {
            "type": "object",
            "default": {},
            "description": 'GPUs per VM for N-family sizes the data file lacks, e.g. {"Standard_NC8as_T4_v3": 1}.',
        },
    },
)
def gpu_cap(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """The autoscaler will use every node it may; the cap bounds the worst-case hourly
    bill of a runaway job."""
    cap = float(config["maxGpus"])
    for label, pool in _gpu_pools(args):
        size = str(pool.get("vmSize"))
        per_node = _gpu_count(size, config["gpuCounts"])
        if per_node is None:
            yield f"{label}: GPUs per VM of {size} are unknown; add it to gpuCounts."
            continue
        nodes = number(pool.get("maxCount")) or number(pool.get("count")) or 0.0
        total = nodes * per_node
        if total > cap:
            yield (
                f"{label}: {fmt_number(nodes)} nodes x {per_node} GPUs = {fmt_number(total)}; "
                f"the cap is {fmt_number(cap)}."
            )
