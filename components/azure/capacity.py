"""``CapacityStrategy`` and ``ScarceCapacity`` on Azure: the arguments of AKS agent pools
(``containerservice.AgentPool``) and AML compute clusters (``AmlComputeProperties``).

======================  ===================  ==================  =====================
strategy / scarce mode  AKS priority         AML vm_priority     extra
======================  ===================  ==================  =====================
spot_first / none       ``Spot``             ``LowPriority``     eviction ``Delete``, max
                                                                 price ``-1``, spot taint
                                                                 and label declared
on_demand / none        ``Regular``          ``Dedicated``       --
reserved / reservation  ``Regular``          ``Dedicated``       capacity reservation
                                                                 group id required
======================  ===================  ==================  =====================

Spot pools: AKS adds the taint ``kubernetes.azure.com/scalesetpriority=spot:NoSchedule``
and the same label itself; the program must declare both or a later update is refused
("Changing property 'properties.nodeTaints' is not allowed"), and eviction policy and
max price are given explicitly (``-1``: pay up to the on-demand price, never evicted for
price). Sources: https://learn.microsoft.com/azure/aks/spot-node-pool,
pulumi/pulumi-azure-native#959, hashicorp/terraform-provider-azurerm#25615;
AML: https://learn.microsoft.com/azure/machine-learning/how-to-use-low-priority-batch.
Values are the SDK's enums (``ScaleSetPriority``, ``ScaleSetEvictionPolicy``,
``VmPriority``; checked by ``tests/azure/test_capacity.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..vocabulary import CapacityStrategy, ScarceCapacity, allowed

__all__ = ["CAPACITY", "SPOT_LABEL", "SPOT_TAINT", "AzureCapacity", "capacity_for"]

SPOT_TAINT = "kubernetes.azure.com/scalesetpriority=spot:NoSchedule"
SPOT_LABEL = ("kubernetes.azure.com/scalesetpriority", "spot")


@dataclass(frozen=True)
class AzureCapacity:
    scale_set_priority: str
    """``AgentPool.scale_set_priority``."""
    aml_vm_priority: str
    """``AmlComputeProperties.vm_priority``."""
    scale_set_eviction_policy: str | None = None
    """``AgentPool.scale_set_eviction_policy`` (Spot only)."""
    spot_max_price: float | None = None
    """``AgentPool.spot_max_price`` (Spot only; -1: up to the on-demand price)."""
    node_taints: tuple[str, ...] = ()
    """Taints the pool must declare in addition to the caller's."""
    node_labels: dict[str, str] = field(default_factory=dict)
    """Labels the pool must declare in addition to the caller's."""
    capacity_reservation_group: bool = False
    """The caller must pass ``capacity_reservation_group_id``."""


CAPACITY: dict[tuple[CapacityStrategy, ScarceCapacity], AzureCapacity] = {
    (CapacityStrategy.SPOT_FIRST, ScarceCapacity.NONE): AzureCapacity(
        "Spot",
        "LowPriority",
        scale_set_eviction_policy="Delete",
        spot_max_price=-1.0,
        node_taints=(SPOT_TAINT,),
        node_labels={SPOT_LABEL[0]: SPOT_LABEL[1]},
    ),
    (CapacityStrategy.ON_DEMAND, ScarceCapacity.NONE): AzureCapacity("Regular", "Dedicated"),
    (CapacityStrategy.RESERVED, ScarceCapacity.RESERVATION): AzureCapacity(
        "Regular", "Dedicated", capacity_reservation_group=True
    ),
}


def capacity_for(
    capacity: CapacityStrategy,
    scarce: ScarceCapacity = ScarceCapacity.NONE,
    setting: str = "scarce_capacity",
) -> AzureCapacity:
    """The Azure arguments for a strategy and scarce-capacity mode; ``ValueError`` naming
    ``setting`` and the modes Azure offers with that strategy."""
    found = CAPACITY.get((capacity, scarce))
    if found is None:
        modes = [m for (c, m) in CAPACITY if c is capacity]
        raise ValueError(
            f"{setting}: Azure offers capacity {capacity.value} with scarce_capacity "
            f"{allowed(modes)}; got {scarce.value}"
        )
    return found
