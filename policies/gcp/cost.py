"""GKE node pool cost rules: machine-type allowlists per environment (accelerated
machine types only where the environment's config names them), accelerator pools that
scale to zero on Spot (or flex-start) capacity outside production, and a cap on the
accelerators a pool can reach.

A machine type is accelerated when it carries GPUs or TPU chips: a type of the
accelerator catalogue (``mlops_components.gcp.accelerators``: ``g2-``, ``a2-``, ``a3-``,
``ct5lp-``, ``ct5p-``, ``ct6e-``) or any pool with ``guestAccelerators``."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

from mlops_components.gcp.accelerators import machines
from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import (
    Category,
    dig,
    fmt_number,
    items,
    matches_any,
    number,
    resource_rule,
    string_list_schema,
    truthy,
)
from .gke import NODE_POOL

COST = Category.COST
CPU_MACHINE_TYPES = [
    "e2-standard-*",
    "e2-highmem-*",
    "n2-standard-*",
    "n2d-standard-*",
    "c3-standard-*",
]


@functools.cache
def _built_in() -> Mapping[str, int]:
    """Machine type -> chips, for machine types with built-in accelerators."""
    return {
        m.machine_type: m.count
        for by_count in machines().values()
        for m in by_count.values()
        if not m.attached
    }


def chips_per_node(props: Mapping[str, Any]) -> int:
    """GPUs or TPU chips of one node of the pool (0: none)."""
    attached = sum(
        int(number(dig(a, "count")) or 0)
        for a in items(dig(props, "nodeConfig", "guestAccelerators"))
    )
    if attached:
        return attached
    return _built_in().get(str(dig(props, "nodeConfig", "machineType")), 0)


def _min_nodes(props: Mapping[str, Any]) -> float:
    autoscaling = props.get("autoscaling") or {}
    found = number(dig(autoscaling, "totalMinNodeCount"))
    if found is None:
        found = number(dig(autoscaling, "minNodeCount"))
    if found is None:
        found = number(props.get("nodeCount")) or number(props.get("initialNodeCount")) or 1.0
    return found


@resource_rule(
    name="gcp-gke-node-pool-require-allowed-machine-type",
    description="GKE node pools must use a machine type of the environment's allowlist; "
    "GPU and TPU machine types only where the config names them.",
    category=COST,
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Pick an allowed machine type, or add the accelerated type to "
    "allowedAcceleratorMachineTypes of this environment's policy config after review.",
    references=["none (project rule: machine-type allowlists per environment)"],
    resource_types=[NODE_POOL],
    config_schema={
        "allowedMachineTypes": string_list_schema(
            "Accepted CPU machine-type patterns.", CPU_MACHINE_TYPES
        ),
        "allowedAcceleratorMachineTypes": string_list_schema(
            "Accepted GPU/TPU machine-type patterns (empty: none).", []
        ),
    },
)
def machine_type(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """An H100 node left in a dev pool costs more per day than the dev stack per month."""
    machine = str(dig(args.props, "nodeConfig", "machineType") or "e2-medium")
    if chips_per_node(args.props):
        if not matches_any(machine, config["allowedAcceleratorMachineTypes"]):
            yield f"accelerated machine type {machine} is not allowed in this environment."
    elif not matches_any(machine, config["allowedMachineTypes"]):
        yield f"machine type {machine} is not in the allowlist."


@resource_rule(
    name="gcp-gke-node-pool-accelerator-require-scale-to-zero",
    description="GKE GPU and TPU node pools must scale to zero nodes (mandatory outside "
    "production).",
    category=COST,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.ADVISORY,
    remediation="Set autoscaling.total_min_node_count=0 (AcceleratorPool.min_nodes: 0).",
    references=["none (project rule: idle accelerator pools cost nothing)"],
    resource_types=[NODE_POOL],
)
def scale_to_zero(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """An idle accelerator node bills every hour; a pool at zero bills nothing."""
    if not chips_per_node(args.props):
        return
    minimum = _min_nodes(args.props)
    if minimum > 0:
        yield f"the accelerator pool keeps {fmt_number(minimum)} nodes when idle."


@resource_rule(
    name="gcp-gke-node-pool-accelerator-require-spot",
    description="GKE GPU and TPU node pools must use Spot VMs or flex-start (mandatory "
    "outside production).",
    category=COST,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.ADVISORY,
    remediation="Set node_config.spot=True (AcceleratorPool.capacity: spot_first), or "
    "scarce_capacity flex_start / queued.",
    references=["none (project rule: Spot accelerators outside production)"],
    resource_types=[NODE_POOL],
)
def spot(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Spot accelerators cost 60-91 % less; flex-start bills only while a job runs."""
    if not chips_per_node(args.props):
        return
    node = args.props.get("nodeConfig") or {}
    if not (truthy(dig(node, "spot")) or truthy(dig(node, "flexStart"))):
        yield "the accelerator pool runs on standard on-demand VMs (neither spot nor flexStart)."


@resource_rule(
    name="gcp-gke-node-pool-cap-accelerators",
    description="A GKE node pool may reach at most maxAccelerators GPUs or TPU chips.",
    category=COST,
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Lower autoscaling.total_max_node_count or the chips per node; raise "
    "maxAccelerators in the config after review.",
    references=["none (project rule: no public control caps the accelerators of a node pool)"],
    resource_types=[NODE_POOL],
    config_schema={
        "maxAccelerators": {
            "type": "number",
            "minimum": 0,
            "default": 8,
            "description": "GPUs or TPU chips a pool may reach at its maximum size.",
        }
    },
)
def cap(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A typo in max nodes multiplies the hourly accelerator bill."""
    chips = chips_per_node(args.props)
    if not chips:
        return
    autoscaling = args.props.get("autoscaling") or {}
    nodes = number(dig(autoscaling, "totalMaxNodeCount"))
    if nodes is None:
        nodes = (
            number(dig(autoscaling, "maxNodeCount")) or number(args.props.get("nodeCount")) or 1.0
        )
    total = nodes * chips
    limit = float(config["maxAccelerators"])
    if total > limit:
        yield f"{fmt_number(nodes)} nodes x {chips} chips = {fmt_number(total)}; the cap is {fmt_number(limit)}."
