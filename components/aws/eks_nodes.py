"""EKS managed node groups: a small system group and GPU groups from
``AcceleratorPool`` settings, with the node role, a hardened launch template per group
and the cluster-autoscaler tags a group needs to scale from zero.

GPU groups: ``BOTTLEROCKET_x86_64_NVIDIA`` (default; drivers and device plugin built
in) or ``AL2023_x86_64_NVIDIA`` (drivers in the AMI, the NVIDIA device plugin installed
by ``EksWorkloads``); the ``nvidia.com/gpu=true:NoSchedule`` taint, so only pods that tolerate it
(and request GPUs) land there; labels naming the pool and accelerator; ``min_size`` 0;
Spot, On-Demand, a capacity reservation or a Capacity Block per ``CapacityStrategy``
(``capacity.py``); optionally EFA and a cluster placement group for multi-node training.

Scale from zero: the cluster autoscaler builds a node template from the Auto Scaling
group's ``k8s.io/cluster-autoscaler/node-template/...`` tags when a group has no node
(labels, taints and the ``nvidia.com/gpu`` resource); EKS tags the group's ASG with the
auto-discovery tags itself but does not copy node-group tags to it, so each template tag
is an ``aws.autoscaling.Tag`` on the ASG
(https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md#auto-discovery-setup).

Replacement hazards: the AMI type, capacity type, instance types, subnets and node role
replace a node group; node groups are auto-named, so the new group is created before
the old one is deleted. ``desired_size`` is left to the autoscaler (ignored after
create), so a ``pulumi up`` never resizes a running group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from ..naming import child
from ..settings.containers import GpuPoolSettings, NodeAmi, SystemPoolSettings
from . import eks_versions
from .accelerators import machine_for
from .arns import AccountArns
from .capacity import AwsCapacity, capacity_for
from .eks_cluster import attach_managed
from .iam import ScopedRole, ScopedRoleArgs, allow

GPU_RESOURCE = "nvidia.com/gpu"
GPU_TAINT = {"key": GPU_RESOURCE, "value": "true", "effect": "NO_SCHEDULE"}
POOL_LABEL = "mlops-iac/pool"
ACCELERATOR_LABEL = "mlops-iac/accelerator"
GPU_PRESENT_LABEL = "nvidia.com/gpu.present"
"""The label the NVIDIA device plugin chart's default node affinity selects."""
TEMPLATE_TAG = "k8s.io/cluster-autoscaler/node-template"
_TAINT_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute",
                  "PREFER_NO_SCHEDULE": "PreferNoSchedule"}  # fmt: skip
NODE_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonEKS_CNI_Policy",
)
"""The managed policies of the EKS node role (EKS user guide, "Amazon EKS node IAM
role"); the CNI policy stays on the node role because ``vpc-cni`` must run before any
Pod Identity agent does."""
GPU_AMIS = {
    NodeAmi.AL2023: "AL2023_x86_64_NVIDIA",
    NodeAmi.BOTTLEROCKET: "BOTTLEROCKET_x86_64_NVIDIA",
}
SYSTEM_AMI = "AL2023_x86_64_STANDARD"
ROOT_DEVICES = {"AL2023": "/dev/xvda", "BOTTLEROCKET": "/dev/xvdb"}
"""The volume that holds images: AL2023's root volume; Bottlerocket's data volume."""


@dataclass(frozen=True)
class NodePool:
    """One node group, resolved from settings to EKS arguments."""

    key: str
    instance_types: tuple[str, ...]
    ami_type: str
    capacity: AwsCapacity
    min_size: int
    max_size: int
    labels: Mapping[str, str]
    taints: tuple[Mapping[str, str], ...] = ()
    gpus: int = 0
    disk_gib: int = 50
    efa: bool = False
    capacity_reservation_id: str | None = None
    source: str = ""

    @property
    def spot(self) -> bool:
        return self.capacity.eks_capacity_type == "SPOT"

    def template_tags(self) -> dict[str, str]:
        """The cluster autoscaler's node-template tags for scaling from zero."""
        tags = {f"{TEMPLATE_TAG}/label/{k}": v for k, v in sorted(self.labels.items())}
        for taint in self.taints:
            effect = _TAINT_EFFECTS[taint["effect"]]
            tags[f"{TEMPLATE_TAG}/taint/{taint['key']}"] = f"{taint['value']}:{effect}"
        if self.gpus:
            tags[f"{TEMPLATE_TAG}/resources/{GPU_RESOURCE}"] = str(self.gpus)
        return tags


def system_pool(s: SystemPoolSettings, source: str) -> NodePool:
    return NodePool(
        key="system",
        instance_types=tuple(s.instance_types),
        ami_type=eks_versions.checked("AMITypes", SYSTEM_AMI),
        capacity=capacity_for(s.capacity),
        min_size=s.min_size,
        max_size=s.max_size,
        labels={POOL_LABEL: "system"},
        source=source,
    )


def gpu_pool(key: str, s: GpuPoolSettings, source: str) -> NodePool:
    """The node group of GPU pool ``key`` (its settings checked that AWS offers the
    accelerator, count and capacity mode, and that extra types match)."""
    machine = machine_for(s, f"{source}.accelerator")
    types = (machine.machine_type, *s.extra_instance_types)
    return NodePool(
        key=key,
        instance_types=types,
        ami_type=eks_versions.checked("AMITypes", GPU_AMIS[s.ami]),
        capacity=capacity_for(s.capacity, s.scarce_capacity, f"{source}.scarce_capacity"),
        min_size=s.min_nodes,
        max_size=s.max_nodes,
        labels={POOL_LABEL: key, ACCELERATOR_LABEL: s.accelerator.value, GPU_PRESENT_LABEL: "true"},
        taints=(GPU_TAINT,),
        gpus=machine.count,
        disk_gib=s.disk_gib,
        efa=s.efa,
        capacity_reservation_id=s.capacity_reservation_id,
        source=source,
    )


@dataclass
class NodeGroupsArgs:
    cluster_name: pulumi.Input[str]
    cluster_security_group_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[str]]
    pools: Sequence[NodePool]
    tags: Mapping[str, str]
    pull_through_prefix: str
    """ECR repositories created by the pull-through cache (``<prefix>/*``) that nodes
    may create and fill on a first pull of a cached image."""
    depends_on: Sequence[pulumi.Resource] = field(default_factory=list)
    """The add-ons nodes need to become Ready (``EksCluster.addons``)."""


class NodeGroups(pulumi.ComponentResource):
    """The node role and one launch template and managed node group per pool."""

    role: ScopedRole
    role_attachments: list[aws.iam.RolePolicyAttachment]
    launch_templates: dict[str, aws.ec2.LaunchTemplate]
    placement_groups: dict[str, aws.ec2.PlacementGroup]
    node_groups: dict[str, aws.eks.NodeGroup]
    asg_tags: dict[str, list[aws.autoscaling.Tag]]

    def __init__(
        self, name: str, args: NodeGroupsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:aws:NodeGroups", name, None, opts)
        arns = AccountArns(self)
        tags = dict(args.tags)
        cache = arns.regional("ecr", f"repository/{args.pull_through_prefix}/*")
        self.role = ScopedRole(
            child(name, "role"),
            ScopedRoleArgs(
                service_principals=["ec2.amazonaws.com"],
                description="EKS nodes: join the cluster, pull images, run the VPC CNI.",
                tags=tags,
                # EC2 sends no aws:SourceAccount when an instance profile assumes a role.
                source_account_condition=False,
                policies={
                    "pull-through-cache": [
                        allow(
                            "FillPullThroughCache",
                            ["ecr:CreateRepository", "ecr:BatchImportUpstreamImage"],
                            [cache],
                        )
                    ]
                },
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.role_attachments = attach_managed(
            child(name, "role"), self.role, arns, NODE_POLICIES, self
        )
        self.launch_templates, self.placement_groups = {}, {}
        self.node_groups, self.asg_tags = {}, {}
        for pool in args.pools:
            self._pool(child(name, pool.key), pool, args, tags)
        self.register_outputs({"node_groups": {k: g.arn for k, g in self.node_groups.items()}})

    def _pool(self, name: str, pool: NodePool, args: NodeGroupsArgs, tags: dict[str, str]) -> None:
        here = pulumi.ResourceOptions(parent=self)
        placement: aws.ec2.PlacementGroup | None = None
        if pool.efa:
            placement = aws.ec2.PlacementGroup(
                child(name, "placement"), strategy="cluster", tags=tags, opts=here
            )
            self.placement_groups[pool.key] = placement
        launch = aws.ec2.LaunchTemplate(
            child(name, "template"),
            launch_template_args(
                pool,
                tags,
                placement_group=placement.name if placement else None,
                security_group_id=args.cluster_security_group_id,
            ),
            opts=here,
        )
        self.launch_templates[pool.key] = launch
        # A cluster placement group lives in one zone: EFA groups use the first subnet.
        subnets = (
            pulumi.Output.from_input(args.subnet_ids).apply(lambda ids: list(ids)[:1])
            if pool.efa
            else args.subnet_ids
        )
        group = aws.eks.NodeGroup(
            name,
            cluster_name=args.cluster_name,
            node_role_arn=self.role.role_arn,
            subnet_ids=subnets,
            instance_types=list(pool.instance_types),
            ami_type=pool.ami_type,
            capacity_type=eks_versions.checked("CapacityTypes", pool.capacity.eks_capacity_type),
            scaling_config={
                "min_size": pool.min_size,
                "max_size": pool.max_size,
                "desired_size": pool.min_size,
            },
            update_config={"max_unavailable": 1},
            labels=dict(pool.labels),
            taints=[
                aws.eks.NodeGroupTaintArgs(key=t["key"], value=t["value"], effect=t["effect"])
                for t in pool.taints
            ]
            or None,
            launch_template={"id": launch.id, "version": launch.latest_version.apply(str)},
            tags={**tags, **pool.template_tags()},
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[*self.role_attachments, *args.depends_on],
                ignore_changes=["scalingConfig.desiredSize"],
            ),
        )
        self.node_groups[pool.key] = group
        asg = group.resources.apply(
            lambda rs: (rs[0].autoscaling_groups or [])[0].name if rs else None
        )
        self.asg_tags[pool.key] = [
            aws.autoscaling.Tag(
                child(name, f"asg-tag-{index}"),
                autoscaling_group_name=asg.apply(lambda n: n or ""),
                tag={"key": key, "value": value, "propagate_at_launch": False},
                opts=here,
            )
            for index, (key, value) in enumerate(sorted(pool.template_tags().items()))
        ]


def launch_template_args(
    pool: NodePool,
    tags: Mapping[str, str],
    *,
    placement_group: pulumi.Input[str] | None = None,
    security_group_id: pulumi.Input[str] | None = None,
) -> aws.ec2.LaunchTemplateArgs:
    """IMDSv2 only (hop limit 2, EKS's own default, so the CloudWatch agent's pods reach
    instance metadata), an encrypted gp3 volume for images, tags on instances and
    volumes, the reservation or Capacity Block the pool consumes and, with EFA, the
    placement group and an EFA interface in the cluster security group (with explicit
    interfaces EKS adds no security group itself)."""
    ec2 = aws.ec2
    bottlerocket = pool.ami_type.startswith("BOTTLEROCKET")
    device = ROOT_DEVICES["BOTTLEROCKET" if bottlerocket else "AL2023"]
    reservation = None
    if pool.capacity.capacity_reservation:
        reservation = ec2.LaunchTemplateCapacityReservationSpecificationArgs(
            capacity_reservation_target=ec2.LaunchTemplateCapacityReservationSpecificationCapacityReservationTargetArgs(
                capacity_reservation_id=pool.capacity_reservation_id
            )
        )
    market = None
    if pool.capacity.ec2_market_type == "capacity-block":
        market = ec2.LaunchTemplateInstanceMarketOptionsArgs(market_type="capacity-block")
    interfaces = None
    if pool.efa:
        interfaces = [
            ec2.LaunchTemplateNetworkInterfaceArgs(
                device_index=0,
                network_card_index=0,
                interface_type="efa",
                security_groups=[security_group_id] if security_group_id else None,
                delete_on_termination="true",
            )
        ]
    return ec2.LaunchTemplateArgs(
        description=f"EKS node group {pool.key}",
        update_default_version=True,
        metadata_options=ec2.LaunchTemplateMetadataOptionsArgs(
            http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=2
        ),
        block_device_mappings=[
            ec2.LaunchTemplateBlockDeviceMappingArgs(
                device_name=device,
                ebs=ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                    volume_size=pool.disk_gib,
                    volume_type="gp3",
                    encrypted="true",
                    delete_on_termination="true",
                ),
            )
        ],
        tag_specifications=[
            ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=dict(tags))
            for kind in ("instance", "volume")
        ],
        capacity_reservation_specification=reservation,
        instance_market_options=market,
        placement=(
            ec2.LaunchTemplatePlacementArgs(group_name=placement_group)
            if placement_group is not None
            else None
        ),
        network_interfaces=interfaces,
        tags=dict(tags),
    )
