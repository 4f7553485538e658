"""A private network for SageMaker: no internet path, AWS APIs through VPC endpoints."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .. import naming
from ..settings import NetworkSettings
from ..settings.aws import LOG_RETENTION_DAYS
from .facts import is_region
from .iam import ScopedRole, ScopedRoleArgs
from .logs import encrypted_log_group

HTTPS = 443
ENDPOINT_SERVICE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*$")


@dataclass
class PrivateNetworkArgs:
    settings: NetworkSettings
    """Create a VPC (default) or adopt one (``vpc_id`` with subnets and security groups)."""
    tags: Mapping[str, str]
    """Already-merged tags (``tags.merge_tags``), set on every taggable child."""
    region: str
    """The provider's region; names the endpoint services ``com.amazonaws.<region>.<svc>``
    and looks up its availability zones."""
    kms_key_arn: pulumi.Input[str] | None = None
    """Key for the flow-log group; its policy must allow CloudWatch Logs
    (``KmsKeyArgs.log_group_region``). ``None``: CloudWatch's own encryption."""
    log_retention_days: int = 30
    """Days flow-log events are kept; one of ``LOG_RETENTION_DAYS``."""


def subnet_cidrs(cidr_block: str, count: int) -> list[str]:
    """The first ``count`` quarters of ``cidr_block``: one per availability zone, the
    rest left free for later (e.g. a second tier)."""
    network = ipaddress.ip_network(cidr_block, strict=True)
    return [str(s) for s in list(network.subnets(prefixlen_diff=2))[:count]]


class PrivateNetwork(pulumi.ComponentResource):
    """A VPC with private subnets only, for SageMaker jobs, endpoints and Studio.

    Created: one private subnet per availability zone sharing one route table with no
    internet or NAT route (nothing can reach or be reached from the internet, and no
    NAT bill); an S3 gateway endpoint (free) on that route table; one interface
    endpoint per service in ``settings.interface_endpoints`` with private DNS, reachable
    on 443 from the VPC; a workload security group; VPC flow logs to an encrypted log
    group. Adopted (``settings.vpc_id``): nothing is created, the given ids are exposed.
    """

    vpc_id: pulumi.Output[str]
    subnet_ids: pulumi.Output[list[str]]
    security_group_ids: pulumi.Output[list[str]]
    """The workload security group (or the adopted groups): attach it to SageMaker
    jobs, models and Studio."""
    vpc: aws.ec2.Vpc | None
    subnets: list[aws.ec2.Subnet]
    route_table: aws.ec2.RouteTable | None
    endpoints: dict[str, aws.ec2.VpcEndpoint]
    """By service: ``s3`` (gateway) and each interface endpoint service."""
    endpoint_security_group: aws.ec2.SecurityGroup | None
    workload_security_group: aws.ec2.SecurityGroup | None
    flow_log: aws.ec2.FlowLog | None
    flow_log_group: aws.cloudwatch.LogGroup | None
    flow_log_role: ScopedRole | None

    def __init__(
        self, name: str, args: PrivateNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:aws:PrivateNetwork", name, None, opts)
        s = args.settings
        self.vpc = None
        self.subnets = []
        self.route_table = None
        self.endpoints = {}
        self.endpoint_security_group = None
        self.workload_security_group = None
        self.flow_log = None
        self.flow_log_group = None
        self.flow_log_role = None

        if s.vpc_id is not None:
            self.vpc_id = pulumi.Output.from_input(s.vpc_id)
            self.subnet_ids = pulumi.Output.from_input(list(s.subnet_ids))
            self.security_group_ids = pulumi.Output.from_input(list(s.security_group_ids))
        else:
            self._create(name, args)
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "subnet_ids": self.subnet_ids,
                "security_group_ids": self.security_group_ids,
            }
        )

    def _create(self, name: str, args: PrivateNetworkArgs) -> None:
        s = args.settings
        cidrs = _validate(args)
        tags = dict(args.tags)
        here = pulumi.ResourceOptions(parent=self)

        self.vpc = aws.ec2.Vpc(
            naming.child(name),
            cidr_block=s.cidr_block,
            enable_dns_support=True,
            # Interface endpoints with private DNS need both DNS settings.
            enable_dns_hostnames=True,
            tags=tags,
            opts=here,
        )
        vpc_id = self.vpc.id
        zones = aws.get_availability_zones_output(
            state="available", region=args.region, opts=pulumi.InvokeOutputOptions(parent=self)
        ).names

        self.route_table = aws.ec2.RouteTable(
            naming.child(name, "private"), vpc_id=vpc_id, tags=tags, opts=here
        )
        for i, cidr in enumerate(cidrs):
            subnet = aws.ec2.Subnet(
                naming.child(name, f"private-{i}"),
                vpc_id=vpc_id,
                cidr_block=cidr,
                availability_zone=zones.apply(lambda names, i=i: _zone(names, i, len(cidrs))),
                map_public_ip_on_launch=False,
                tags=tags,
                opts=here,
            )
            aws.ec2.RouteTableAssociation(
                naming.child(name, f"private-{i}-route"),
                subnet_id=subnet.id,
                route_table_id=self.route_table.id,
                opts=here,
            )
            self.subnets.append(subnet)
        subnet_ids = [subnet.id for subnet in self.subnets]

        # S3 as a gateway endpoint: no hourly charge, and training data does not pass
        # through per-GB interface endpoint pricing.
        s3 = aws.ec2.VpcEndpoint(
            naming.child(name, "endpoint-s3"),
            vpc_id=vpc_id,
            service_name=f"com.amazonaws.{args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[self.route_table.id],
            tags=tags,
            opts=here,
        )
        self.endpoints["s3"] = s3

        self.endpoint_security_group = aws.ec2.SecurityGroup(
            naming.child(name, "endpoints"),
            description="Interface VPC endpoints: HTTPS from inside the VPC",
            vpc_id=vpc_id,
            tags=tags,
            opts=here,
        )
        aws.vpc.SecurityGroupIngressRule(
            naming.child(name, "endpoints-https"),
            security_group_id=self.endpoint_security_group.id,
            description="HTTPS from the VPC",
            ip_protocol="tcp",
            from_port=HTTPS,
            to_port=HTTPS,
            cidr_ipv4=s.cidr_block,
            tags=tags,
            opts=here,
        )
        for service in s.interface_endpoints:
            self.endpoints[service] = aws.ec2.VpcEndpoint(
                naming.child(name, f"endpoint-{service.replace('.', '-')}"),
                vpc_id=vpc_id,
                service_name=f"com.amazonaws.{args.region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=subnet_ids,
                security_group_ids=[self.endpoint_security_group.id],
                tags=tags,
                opts=here,
            )

        # Workload group: the provider removes AWS's default allow-all egress, so the
        # rules below are the only ways out: AWS APIs over HTTPS (interface endpoints
        # in the VPC, S3 through the gateway prefix list) and peers in the same group
        # (distributed training, e.g. NCCL/EFA traffic between instances). DNS to the
        # VPC resolver is not subject to security groups.
        workload = aws.ec2.SecurityGroup(
            naming.child(name, "workload"),
            description="SageMaker jobs, models and Studio: HTTPS to AWS APIs, peers",
            vpc_id=vpc_id,
            tags=tags,
            opts=here,
        )
        self.workload_security_group = workload
        aws.vpc.SecurityGroupIngressRule(
            naming.child(name, "workload-from-peers"),
            security_group_id=workload.id,
            description="All traffic from the same group (distributed training)",
            ip_protocol="-1",
            referenced_security_group_id=workload.id,
            tags=tags,
            opts=here,
        )
        aws.vpc.SecurityGroupEgressRule(
            naming.child(name, "workload-to-peers"),
            security_group_id=workload.id,
            description="All traffic to the same group (distributed training)",
            ip_protocol="-1",
            referenced_security_group_id=workload.id,
            tags=tags,
            opts=here,
        )
        aws.vpc.SecurityGroupEgressRule(
            naming.child(name, "workload-https-vpc"),
            security_group_id=workload.id,
            description="HTTPS to interface endpoints in the VPC",
            ip_protocol="tcp",
            from_port=HTTPS,
            to_port=HTTPS,
            cidr_ipv4=s.cidr_block,
            tags=tags,
            opts=here,
        )
        aws.vpc.SecurityGroupEgressRule(
            naming.child(name, "workload-https-s3"),
            security_group_id=workload.id,
            description="HTTPS to S3 through the gateway endpoint",
            ip_protocol="tcp",
            from_port=HTTPS,
            to_port=HTTPS,
            prefix_list_id=s3.prefix_list_id,
            tags=tags,
            # Explicit as well: the prefix list id is computed by AWS after creation.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[s3]),
        )

        if s.flow_logs:
            self._flow_logs(name, args, vpc_id, tags)

        self.vpc_id = vpc_id
        self.subnet_ids = pulumi.Output.all(*subnet_ids).apply(list)
        self.security_group_ids = pulumi.Output.all(workload.id).apply(list)

    def _flow_logs(
        self, name: str, args: PrivateNetworkArgs, vpc_id: pulumi.Output[str], tags: dict[str, str]
    ) -> None:
        here = pulumi.ResourceOptions(parent=self)
        group = encrypted_log_group(
            naming.child(name, "flow-logs"),
            log_group_name=None,
            retention_days=args.log_retention_days,
            kms_key_arn=args.kms_key_arn,
            tags=tags,
            opts=here,
        )
        role = ScopedRole(
            naming.child(name, "flow-logs-role"),
            ScopedRoleArgs(
                service_principals=["vpc-flow-logs.amazonaws.com"],
                description="Delivers VPC flow logs to their log group",
                tags=tags,
                policies={
                    "deliver": [
                        {
                            "Sid": "WriteFlowLogs",
                            "Effect": "Allow",
                            "Action": [
                                "logs:CreateLogStream",
                                "logs:PutLogEvents",
                                "logs:DescribeLogStreams",
                            ],
                            "Resource": [group.arn, group.arn.apply(lambda arn: f"{arn}:*")],
                        },
                        {
                            # DescribeLogGroups has no resource-level permissions: the
                            # VPC flow logs guide's role policy grants it on "*".
                            "Sid": "FindLogGroup",
                            "Effect": "Allow",
                            "Action": ["logs:DescribeLogGroups"],
                            "Resource": "*",
                        },
                    ]
                },
            ),
            opts=here,
        )
        self.flow_log_group = group
        self.flow_log_role = role
        self.flow_log = aws.ec2.FlowLog(
            naming.child(name, "flow-log"),
            vpc_id=vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.role_arn,
            tags=tags,
            opts=here,
        )


def _zone(names: list[str], index: int, wanted: int) -> str:
    if len(names) < wanted:
        raise pulumi.InputPropertyError(
            "settings.availability_zones",
            f"{wanted} zones requested, the region has {len(names)} available",
        )
    return names[index]


def _validate(args: PrivateNetworkArgs) -> list[str]:
    """Check static arguments, reporting every problem; returns the subnet CIDRs."""
    s = args.settings
    problems: list[str] = []
    cidrs: list[str] = []
    if not is_region(args.region):
        problems.append(f"region: {args.region!r} is not an AWS region name")
    if args.log_retention_days not in LOG_RETENTION_DAYS:
        problems.append(
            f"log_retention_days: must be one of {', '.join(map(str, LOG_RETENTION_DAYS))}"
        )
    try:
        cidrs = subnet_cidrs(s.cidr_block, s.availability_zones)
    except ValueError as exc:
        problems.append(f"settings.cidr_block: {exc}")
    seen: set[str] = set()
    for i, service in enumerate(s.interface_endpoints):
        where = f"settings.interface_endpoints[{i}]"
        if not ENDPOINT_SERVICE.match(service):
            problems.append(f"{where}: {service!r} is not a service name such as 'sagemaker.api'")
        elif service == "s3":
            problems.append(f"{where}: S3 is reached through the gateway endpoint")
        elif service in seen:
            problems.append(f"{where}: {service!r} is listed twice")
        seen.add(service)
    if problems:
        raise ValueError("invalid PrivateNetworkArgs:\n  - " + "\n  - ".join(problems))
    return cidrs
