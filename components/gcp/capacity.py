"""``CapacityStrategy`` and ``ScarceCapacity`` on Google Cloud: the arguments of GKE node
pools (``container.NodePool``), Compute Engine/TPU VM scheduling and Vertex AI jobs.

=======================  ===============  =====================  ===========================
strategy / scarce mode   node_config      reservation affinity   node pool
=======================  ===============  =====================  ===========================
spot_first / none        ``spot: true``   (default)              --
on_demand / none         --               (default)              --
on_demand / flex_start   ``flex_start``   ``NO_RESERVATION``     scales from 0
on_demand / queued       ``flex_start``   ``NO_RESERVATION``     ``queued_provisioning``,
                                                                 scales from 0
reserved / reservation   --               ``SPECIFIC_RESERVATION`` (key
                                          ``compute.googleapis.com/reservation-name``)
=======================  ===============  =====================  ===========================

Spot VMs (``spot``), not the legacy preemptible VMs (24-hour limit). Queued provisioning
needs flex-start, no reservation affinity and autoscaling from zero, or the GKE API
refuses the pool ("Queued_provisioning requires reservation affinity to be set to
none"). Vertex AI custom jobs take ``scheduling.strategy`` ``SPOT`` / ``FLEX_START``
/ ``STANDARD``. Sources: https://cloud.google.com/kubernetes-engine/docs/concepts/spot-vms,
https://cloud.google.com/kubernetes-engine/docs/how-to/provisioningrequest,
https://cloud.google.com/kubernetes-engine/docs/how-to/dws-flex-start-training,
https://cloud.google.com/kubernetes-engine/docs/how-to/consuming-reservations,
hashicorp/terraform-provider-google#18341.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..vocabulary import CapacityStrategy, ScarceCapacity, allowed

__all__ = ["CAPACITY", "RESERVATION_KEY", "GcpCapacity", "capacity_for"]

RESERVATION_KEY = "compute.googleapis.com/reservation-name"
"""The reservation-affinity key that names specific reservations."""


@dataclass(frozen=True)
class GcpCapacity:
    spot: bool
    """``node_config.spot`` / TPU ``scheduling_config.spot`` / GCE provisioning model SPOT."""
    flex_start: bool
    """``node_config.flex_start``."""
    queued_provisioning: bool
    """``NodePool.queued_provisioning.enabled``."""
    consume_reservation_type: str | None
    """``node_config.reservation_affinity.consume_reservation_type``; ``None``: leave the
    GKE default."""
    vertex_scheduling_strategy: str
    """Vertex AI ``CustomJobSpec.scheduling.strategy``."""
    needs_reservation_name: bool = False
    """The caller must name the reservation(s) (``values`` under ``RESERVATION_KEY``)."""
    scales_from_zero: bool = False
    """The pool must have ``total_min_node_count`` 0 and no initial nodes."""


CAPACITY: dict[tuple[CapacityStrategy, ScarceCapacity], GcpCapacity] = {
    (CapacityStrategy.SPOT_FIRST, ScarceCapacity.NONE): GcpCapacity(
        True, False, False, None, "SPOT"
    ),
    (CapacityStrategy.ON_DEMAND, ScarceCapacity.NONE): GcpCapacity(
        False, False, False, None, "STANDARD"
    ),
    (CapacityStrategy.ON_DEMAND, ScarceCapacity.FLEX_START): GcpCapacity(
        False, True, False, "NO_RESERVATION", "FLEX_START", scales_from_zero=True
    ),
    (CapacityStrategy.ON_DEMAND, ScarceCapacity.QUEUED): GcpCapacity(
        False, True, True, "NO_RESERVATION", "FLEX_START", scales_from_zero=True
    ),
    (CapacityStrategy.RESERVED, ScarceCapacity.RESERVATION): GcpCapacity(
        False, False, False, "SPECIFIC_RESERVATION", "STANDARD", needs_reservation_name=True
    ),
}


def capacity_for(
    capacity: CapacityStrategy,
    scarce: ScarceCapacity = ScarceCapacity.NONE,
    setting: str = "scarce_capacity",
) -> GcpCapacity:
    """The GCP arguments for a strategy and scarce-capacity mode; ``ValueError`` naming
    ``setting`` and the modes GCP offers with that strategy."""
    found = CAPACITY.get((capacity, scarce))
    if found is None:
        modes = [m for (c, m) in CAPACITY if c is capacity]
        raise ValueError(
            f"{setting}: GCP offers capacity {capacity.value} with scarce_capacity "
            f"{allowed(modes)}; got {scarce.value}"
        )
    return found
