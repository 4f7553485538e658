"""AKS user pools as separate ``containerservice.AgentPool`` resources: a GPU pool from
the vendor-neutral ``AcceleratorPool`` and CPU pools, both autoscaled (down to zero
nodes where the settings allow), with the priority, eviction policy, max price, taints
and labels of their ``CapacityStrategy`` (``capacity.py``).

GPU pools: the VM size comes from ``accelerators.machine_for`` (NC/ND series), the
taint ``nvidia.com/gpu=present:NoSchedule`` keeps other pods off, and
``gpuProfile.driver`` is ``Install`` (AKS installs the NVIDIA driver; the device plugin
comes from the AzureML extension's ``installNvidiaDevicePlugin``) or ``None`` (the NVIDIA
GPU Operator installs both), per https://learn.microsoft.com/azure/aks/use-nvidia-gpu.

Update behaviour: AKS refuses to change a pool's VM size, priority, eviction policy,
OS, subnet or GPU driver in place ("Changing property ... is not allowed"); these
replace the pool (``REPLACE_ON_CHANGES``), and because a pool's name is fixed within the
cluster the old pool is deleted first (``delete_before_replace``): its nodes drain and
pending pods wait for the new pool. ``count`` belongs to the cluster autoscaler and is
ignored after creation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import containerservice as cs

from .. import naming
from ..registry import Capacity, Deployment
from ..settings import Cloud
from ..vocabulary import AcceleratorPool, CapacityStrategy, ScarceCapacity
from .accelerators import machine_for
from .aks import OS_SKU
from .capacity import capacity_for
from .names import check_name

TOKEN = "mlops:azure:NodePool"
GPU_TAINT = "nvidia.com/gpu=present:NoSchedule"
POOL_LABEL = "mlops.io/pool"
"""Node label naming the pool; the Kubernetes compute's instance types select on it."""

REPLACE_ON_CHANGES = [
    "vmSize",
    "scaleSetPriority",
    "scaleSetEvictionPolicy",
    "osType",
    "osSKU",
    "vnetSubnetID",
    "gpuProfile",
]
IGNORE_CHANGES = ["count"]


@dataclass
class NodePoolArgs:
    resource_group_name: pulumi.Input[str]
    cluster_name: pulumi.Input[str]
    pool_name: str
    """The pool's name in the cluster (1-12 lower-case letters and digits)."""
    vm_size: str
    min_nodes: int
    max_nodes: int
    subnet_id: pulumi.Input[str]
    tags: Mapping[str, str]
    capacity: CapacityStrategy = CapacityStrategy.SPOT_FIRST
    scarce_capacity: ScarceCapacity = ScarceCapacity.NONE
    capacity_reservation_group_id: str | None = None
    gpu_driver: str | None = None
    """``Install`` or ``None`` for GPU pools; ``None`` (Python) for CPU pools."""
    taints: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)


def gpu_pool_args(
    pool: AcceleratorPool,
    *,
    resource_group_name: pulumi.Input[str],
    cluster_name: pulumi.Input[str],
    pool_name: str,
    subnet_id: pulumi.Input[str],
    tags: Mapping[str, str],
    gpu_driver: str,
    capacity_reservation_group_id: str | None = None,
) -> NodePoolArgs:
    """``NodePoolArgs`` of a GPU pool: the VM size of the accelerator and count, the GPU
    taint, the driver setting."""
    machine = machine_for(pool, "gpu_pool.accelerator")
    return NodePoolArgs(
        resource_group_name=resource_group_name,
        cluster_name=cluster_name,
        pool_name=pool_name,
        subnet_id=subnet_id,
        tags=tags,
        vm_size=machine.machine_type,
        min_nodes=pool.min_nodes,
        max_nodes=pool.max_nodes,
        capacity=pool.capacity,
        scarce_capacity=pool.scarce_capacity,
        capacity_reservation_group_id=capacity_reservation_group_id,
        gpu_driver=gpu_driver,
        taints=(GPU_TAINT,),
    )


def pool_options(parent: pulumi.Resource) -> pulumi.ResourceOptions:
    """Options of every pool (module docstring): replaced, old one first, when AKS
    refuses the change in place; ``count`` left to the autoscaler."""
    return pulumi.ResourceOptions(
        parent=parent,
        replace_on_changes=REPLACE_ON_CHANGES,
        delete_before_replace=True,
        ignore_changes=IGNORE_CHANGES,
    )


class NodePool(pulumi.ComponentResource):
    """One autoscaled AKS user pool in the cluster's subnet, without public IPs."""

    pool: cs.AgentPool
    pool_name: str
    spot: bool

    def __init__(
        self, name: str, args: NodePoolArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TOKEN, name, None, opts)
        check_name("aks-agent-pool", args.pool_name)
        buy = capacity_for(args.capacity, args.scarce_capacity, "capacity")
        if buy.capacity_reservation_group and not args.capacity_reservation_group_id:
            raise ValueError("capacity_reservation_group_id: required with capacity reserved")
        self.pool_name = args.pool_name
        self.spot = buy.scale_set_priority == cs.ScaleSetPriority.SPOT
        labels = {POOL_LABEL: args.pool_name, **buy.node_labels, **dict(args.labels)}
        # AgentPoolArgs has ``resource_name`` (the cluster), which collides with the
        # logical name: keyword form only (sdk-survey G1).
        self.pool = cs.AgentPool(
            naming.child(name),
            resource_group_name=args.resource_group_name,
            resource_name_=args.cluster_name,
            agent_pool_name=args.pool_name,
            mode=cs.AgentPoolMode.USER,
            type=cs.AgentPoolType.VIRTUAL_MACHINE_SCALE_SETS,
            os_type=cs.OSType.LINUX,
            os_sku=OS_SKU,
            vm_size=args.vm_size,
            enable_auto_scaling=True,
            count=args.min_nodes,
            min_count=args.min_nodes,
            max_count=args.max_nodes,
            scale_set_priority=buy.scale_set_priority,
            # Spot only (None for Regular): evicted nodes are deleted, and -1 pays up
            # to the on-demand price, so no eviction for price.
            scale_set_eviction_policy=buy.scale_set_eviction_policy,
            spot_max_price=buy.spot_max_price,
            capacity_reservation_group_id=args.capacity_reservation_group_id,
            node_taints=[*buy.node_taints, *args.taints],
            node_labels=labels,
            gpu_profile={"driver": args.gpu_driver} if args.gpu_driver else None,
            vnet_subnet_id=args.subnet_id,
            enable_node_public_ip=False,
            tags=dict(args.tags),
            opts=pool_options(self),
        )
        self.register_outputs({"pool_name": self.pool.name})


def declare_capacity(
    deployment: Deployment, args: NodePoolArgs, location: str, source: str
) -> None:
    """Declare a pool's ceiling (VMs of its size, Spot or not) for the stack's quotas."""
    spot = capacity_for(args.capacity, args.scarce_capacity).scale_set_priority == "Spot"
    deployment.declare_capacity(
        Capacity(Cloud.AZURE, location, "vm", args.vm_size, args.max_nodes, spot, source=source)
    )
