"""GKE node pools from the vendor-neutral ``AcceleratorPool``: the arguments of one
``container.NodePool`` per GPU or TPU pool, and of the cluster's system pool.

Every node: the cluster's node service account (no default Compute Engine account),
the ``GKE_METADATA`` server (pods get Workload Identity, never the node's token),
Shielded VM secure boot and integrity monitoring, Container-Optimized OS, auto-upgrade,
and auto-repair except on flex-start and queued pools (their nodes run one bounded job;
GKE creates them with ``--no-enable-autorepair``,
https://cloud.google.com/kubernetes-engine/docs/how-to/provisioningrequest).

GPU pools: one ``guest_accelerators`` entry with the driver GKE installs
(``gpu_driver_version``, fixed before the first deploy: changing it replaces the pool,
hashicorp/terraform-provider-google#23248) and the ``nvidia.com/gpu=present:NoSchedule``
taint declared (GKE adds it itself only while non-GPU pools exist). TPU pools: the TPU
machine type, the ``google.com/tpu=present:NoSchedule`` taint and, for a multi-host
slice, ``placement_policy`` ``COMPACT`` with ``tpu_topology``.

Every accelerator pool autoscales with ``total_min_node_count``/``total_max_node_count``
across its zones and starts empty (``initial_node_count`` 0, a constant, so it never
forces a replacement or fights the autoscaler); Spot pools use ``location_policy`` ``ANY``
(any zone with capacity). Capacity modes come from ``capacity.capacity_for``: Spot,
flex-start, queued provisioning (flex-start, no reservation, from zero) or specific
reservations. Upgrades surge no extra node (``max_surge`` 0, ``max_unavailable`` 1), so
an upgrade needs no accelerator quota beyond the pool's maximum; the pool that serves
models surges one node instead (``max_surge`` 1, ``max_unavailable`` 0: one more node of
quota), so an upgrade never takes serving capacity away.

Pools are auto-named (``<logical name>-<random>``): a change that replaces a pool (a
new machine type, driver or topology) creates the new pool before deleting the old one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..settings.gcp import GkeAcceleratorPoolSettings
from .accelerators import AcceleratorMachine, machine_for
from .capacity import RESERVATION_KEY, GcpCapacity, capacity_for

GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}
TPU_TAINT = {"key": "google.com/tpu", "value": "present", "effect": "NO_SCHEDULE"}
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
"""Nodes get the broad scope and IAM decides (Google's advice for node service accounts:
https://cloud.google.com/kubernetes-engine/docs/how-to/access-scopes)."""
POOL_LABEL = "mlops-iac/pool"


@dataclass(frozen=True)
class PoolPlan:
    """What one accelerator pool becomes: its machine, capacity mode and arguments."""

    key: str
    machine: AcceleratorMachine
    capacity: GcpCapacity
    args: dict[str, Any]
    """Keyword arguments of ``container.NodePool`` (without ``cluster`` and ``opts``)."""


def node_config(
    machine_type: str,
    service_account: Any,
    labels: dict[str, str],
    disk_size_gb: int,
) -> dict[str, Any]:
    """The node settings every pool shares."""
    return {
        "machine_type": machine_type,
        "service_account": service_account,
        "oauth_scopes": [CLOUD_PLATFORM],
        "workload_metadata_config": {"mode": "GKE_METADATA"},
        "shielded_instance_config": {
            "enable_secure_boot": True,
            "enable_integrity_monitoring": True,
        },
        "image_type": "COS_CONTAINERD",
        "disk_type": "pd-balanced",
        "disk_size_gb": disk_size_gb,
        "resource_labels": dict(labels),
        "labels": {},
        "taints": [],
    }


MANAGEMENT = {"auto_repair": True, "auto_upgrade": True}


def accelerator_pool(
    key: str,
    pool: GkeAcceleratorPoolSettings,
    *,
    location: str,
    service_account: Any,
    labels: dict[str, str],
    driver_version: str,
    setting: str,
    serving: bool = False,
) -> PoolPlan:
    """The node pool for ``pool``; ``AcceleratorNotOffered`` / ``ValueError`` naming
    ``setting`` when Google Cloud has no such machine or capacity mode. ``serving``: the
    pool runs the model server, so an upgrade surges one node (a replacement node is up
    before one is drained) instead of taking one away."""
    machine = machine_for(pool, setting)
    capacity = capacity_for(pool.capacity, pool.scarce_capacity, f"{setting}.scarce_capacity")
    config = node_config(machine.machine_type, service_account, labels, pool.disk_size_gb)
    config["labels"] = {POOL_LABEL: key}
    if pool.is_tpu:
        config["taints"] = [dict(TPU_TAINT)]
    else:
        config["taints"] = [dict(GPU_TAINT)]
        config["guest_accelerators"] = [
            {
                "type": machine.accelerator_type,
                "count": pool.count,
                "gpu_driver_installation_config": {"gpu_driver_version": driver_version},
            }
        ]
    if capacity.spot:
        config["spot"] = True
    if capacity.flex_start:
        config["flex_start"] = True
    if capacity.consume_reservation_type is not None:
        affinity: dict[str, Any] = {"consume_reservation_type": capacity.consume_reservation_type}
        if capacity.needs_reservation_name:
            affinity["key"] = RESERVATION_KEY
            affinity["values"] = list(pool.reservations)
        config["reservation_affinity"] = affinity
    args: dict[str, Any] = {
        "location": location,
        "node_locations": list(pool.zones) or None,
        "initial_node_count": 0,
        "autoscaling": {
            "total_min_node_count": pool.min_nodes,
            "total_max_node_count": pool.max_nodes,
            "location_policy": "ANY" if capacity.spot or capacity.flex_start else "BALANCED",
        },
        # Flex-start and queued nodes run a bounded job and are not repaired: GKE's
        # examples create such pools with --no-enable-autorepair.
        "management": {"auto_repair": not capacity.flex_start, "auto_upgrade": True},
        "upgrade_settings": {
            "strategy": "SURGE",
            "max_surge": 1 if serving else 0,
            "max_unavailable": 0 if serving else 1,
        },
        "node_config": config,
    }
    if capacity.queued_provisioning:
        args["queued_provisioning"] = {"enabled": True}
    if pool.is_multi_host:
        args["placement_policy"] = {"type": "COMPACT", "tpu_topology": pool.tpu_topology}
    return PoolPlan(key, machine, capacity, args)


def system_pool(
    *,
    location: str,
    machine_type: str,
    service_account: Any,
    labels: dict[str, str],
    min_nodes: int,
    max_nodes: int,
) -> dict[str, Any]:
    """The system pool: on-demand CPU nodes for kube-system and CPU workloads, never
    tainted, never Spot (losing every system node at once would stop the cluster's
    add-ons)."""
    config = node_config(machine_type, service_account, labels, 100)
    config["labels"] = {POOL_LABEL: "system"}
    return {
        "location": location,
        "initial_node_count": 1,
        "autoscaling": {
            "total_min_node_count": min_nodes,
            "total_max_node_count": max_nodes,
            "location_policy": "BALANCED",
        },
        "management": dict(MANAGEMENT),
        "upgrade_settings": {"strategy": "SURGE", "max_surge": 1, "max_unavailable": 0},
        "node_config": config,
    }
