"""``CapacityStrategy`` and ``ScarceCapacity`` on AWS: the arguments of EKS managed node
groups, EC2 launch templates and SageMaker training jobs.

=======================  ==================  =================  ===================  ============
strategy / scarce mode   EKS capacity_type   EC2 market type    managed spot train.  reservation
=======================  ==================  =================  ===================  ============
spot_first / none        ``SPOT``            ``spot``           on                   --
on_demand / none         ``ON_DEMAND``       (none)             off                  --
reserved / reservation   ``ON_DEMAND``       (none)             off                  targeted ODCR
reserved / capacity_block ``CAPACITY_BLOCK`` ``capacity-block`` off                  the block
=======================  ==================  =================  ===================  ============

Values are the APIs' own enums (botocore ``eks`` ``CapacityTypes``, ``ec2``
``MarketType``; ``tests/aws/test_capacity.py`` checks them). ``queued`` and
``flex_start`` are Google Cloud modes and are refused here with the allowed ones.

Sources: https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html
(capacityType), https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/capacity-blocks-using.html,
https://docs.aws.amazon.com/sagemaker/latest/dg/model-managed-spot-training.html.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..vocabulary import CapacityStrategy, ScarceCapacity, allowed

__all__ = ["CAPACITY", "AwsCapacity", "capacity_for"]


@dataclass(frozen=True)
class AwsCapacity:
    eks_capacity_type: str
    """``aws.eks.NodeGroup(capacity_type=...)``."""
    ec2_market_type: str | None
    """``LaunchTemplate.instance_market_options.market_type``; ``None``: on-demand."""
    managed_spot_training: bool
    """SageMaker ``enable_managed_spot_training`` (needs checkpoints and a max wait)."""
    capacity_reservation: bool
    """The caller must target a capacity reservation (``capacity_reservation_specification``
    of the launch template, or the capacity block's reservation id)."""


CAPACITY: dict[tuple[CapacityStrategy, ScarceCapacity], AwsCapacity] = {
    (CapacityStrategy.SPOT_FIRST, ScarceCapacity.NONE): AwsCapacity("SPOT", "spot", True, False),
    (CapacityStrategy.ON_DEMAND, ScarceCapacity.NONE): AwsCapacity("ON_DEMAND", None, False, False),
    (CapacityStrategy.RESERVED, ScarceCapacity.RESERVATION): AwsCapacity(
        "ON_DEMAND", None, False, True
    ),
    (CapacityStrategy.RESERVED, ScarceCapacity.CAPACITY_BLOCK): AwsCapacity(
        "CAPACITY_BLOCK", "capacity-block", False, True
    ),
}


def capacity_for(
    capacity: CapacityStrategy,
    scarce: ScarceCapacity = ScarceCapacity.NONE,
    setting: str = "scarce_capacity",
) -> AwsCapacity:
    """The AWS arguments for a strategy and scarce-capacity mode; ``ValueError`` naming
    ``setting`` and the modes AWS offers with that strategy."""
    found = CAPACITY.get((capacity, scarce))
    if found is None:
        modes = [m for (c, m) in CAPACITY if c is capacity]
        raise ValueError(
            f"{setting}: AWS offers capacity {capacity.value} with scarce_capacity "
            f"{allowed(modes)}; got {scarce.value}"
        )
    return found
