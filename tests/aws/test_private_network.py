"""PrivateNetwork: resources per zone, endpoints, security groups, flow logs, adoption."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pytest
from mlops_components.aws import PrivateNetwork, PrivateNetworkArgs
from mlops_components.settings import NetworkSettings
from mlops_components.settings.aws import DEFAULT_INTERFACE_ENDPOINTS
from mlops_preview.runner import Recording, run_program
from support import ACCOUNT_ID, TAGS, assert_tagged, document, subtree

REGION = "eu-west-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/0b7e5c1e-1f3a-4f3e-9d7a-5d1c2f3a4b5c"
VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def plan(settings: NetworkSettings | None = None, **overrides: Any) -> Recording:
    def program() -> None:
        args = PrivateNetworkArgs(
            settings=settings or NetworkSettings(),
            tags=TAGS,
            region=REGION,
            kms_key_arn=KEY_ARN,
        )
        for key, value in overrides.items():
            setattr(args, key, value)
        network = PrivateNetwork("net", args)
        pulumi.export("vpc_id", network.vpc_id)
        pulumi.export("subnet_ids", network.subnet_ids)
        pulumi.export("security_group_ids", network.security_group_ids)
        pulumi.export("endpoints", sorted(network.endpoints))

    return run_program(program)


def counts(rec: Recording) -> dict[str, int]:
    found: dict[str, int] = {}
    for resource in rec.resources:
        found[resource.type] = found.get(resource.type, 0) + 1
    return found


@pytest.mark.parametrize("zones", [2, 3])
def test_resource_counts_per_zone(zones: int) -> None:
    rec = plan(NetworkSettings.model_validate({"availability_zones": zones}))
    assert counts(rec) == {
        "mlops:aws:PrivateNetwork": 1,
        VPC: 1,
        SUBNET: zones,
        ROUTE_TABLE: 1,
        ASSOCIATION: zones,
        ENDPOINT: 1 + len(DEFAULT_INTERFACE_ENDPOINTS),
        GROUP: 2,
        INGRESS: 2,
        EGRESS: 3,
        LOG_GROUP: 1,
        "mlops:aws:ScopedRole": 1,
        ROLE: 1,
        ROLE_POLICY: 1,
        FLOW_LOG: 1,
    }  # and so no internet gateway, NAT gateway or elastic IP
    subnets = sorted(rec.by_type(SUBNET), key=lambda r: r.name)
    assert [s.name for s in subnets] == [f"net-private-{i}" for i in range(zones)]
    assert [s.inputs["availabilityZone"] for s in subnets] == [
        f"{REGION}{c}" for c in "abc"[:zones]
    ]
    assert [s.inputs["cidrBlock"] for s in subnets] == [
        "10.40.0.0/18",
        "10.40.64.0/18",
        "10.40.128.0/18",
    ][:zones]
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets)
    route_table = rec.one(ROUTE_TABLE, "net-private")
    assert "routes" not in route_table.inputs  # no route out of the VPC
    assert sorted(a.inputs["subnetId"] for a in rec.by_type(ASSOCIATION)) == sorted(
        str(s.id) for s in subnets
    )
    assert all(a.inputs["routeTableId"] == route_table.id for a in rec.by_type(ASSOCIATION))
    assert rec.outputs["subnet_ids"] == [s.id for s in subnets]


def test_more_zones_than_the_region_has_is_refused() -> None:
    # The plan mocks' region has three zones.
    with pytest.raises(pulumi.InputPropertyError) as err:
        plan(NetworkSettings.model_validate({"availability_zones": 4}))
    assert err.value.property_path == "settings.availability_zones"


def test_every_child_is_under_the_component_and_tagged() -> None:
    rec = plan()
    component = rec.one("mlops:aws:PrivateNetwork", "net")
    assert len(subtree(rec, component)) == len(rec.resources) - 1
    direct = {r.urn for r in rec.children_of(component.urn)}
    role = rec.one("mlops:aws:ScopedRole")
    assert role.urn in direct and role.name == "net-flow-logs-role"
    # Only the flow-log role's own children sit one level further down.
    nested = {
        r.name for r in rec.resources if r.parent not in direct | {component.urn, rec.root_urn}
    }
    assert nested <= {"net-flow-logs-role", "net-flow-logs-role-deliver"}
    assert_tagged(rec, component)
    assert rec.warnings == []


def test_vpc_has_dns_for_private_endpoints() -> None:
    rec = plan()
    vpc = rec.one(VPC, "net")
    assert vpc.inputs["cidrBlock"] == "10.40.0.0/16"
    assert vpc.inputs["enableDnsSupport"] is True
    assert vpc.inputs["enableDnsHostnames"] is True
    assert rec.outputs["vpc_id"] == vpc.id


def test_s3_gateway_and_interface_endpoints() -> None:
    rec = plan()
    vpc_id = rec.one(VPC).id
    route_table = rec.one(ROUTE_TABLE)
    subnet_ids = sorted(str(s.id) for s in rec.by_type(SUBNET))
    endpoints_group = rec.one(GROUP, "net-endpoints")
    s3 = rec.one(ENDPOINT, "net-endpoint-s3")
    assert s3.inputs["serviceName"] == f"com.amazonaws.{REGION}.s3"
    assert s3.inputs["vpcEndpointType"] == "Gateway"
    assert s3.inputs["routeTableIds"] == [route_table.id]
    assert s3.inputs["vpcId"] == vpc_id
    for service in DEFAULT_INTERFACE_ENDPOINTS:
        endpoint = rec.one(ENDPOINT, f"net-endpoint-{service.replace('.', '-')}")
        assert endpoint.inputs["serviceName"] == f"com.amazonaws.{REGION}.{service}"
        assert endpoint.inputs["vpcEndpointType"] == "Interface"
        assert endpoint.inputs["privateDnsEnabled"] is True
        assert sorted(endpoint.inputs["subnetIds"]) == subnet_ids
        assert endpoint.inputs["securityGroupIds"] == [endpoints_group.id]
    assert rec.outputs["endpoints"] == sorted(["s3", *DEFAULT_INTERFACE_ENDPOINTS])


def test_custom_endpoint_list() -> None:
    rec = plan(NetworkSettings.model_validate({"interface_endpoints": ["sagemaker.api"]}))
    assert sorted(e.name for e in rec.by_type(ENDPOINT)) == [
        "net-endpoint-s3",
        "net-endpoint-sagemaker-api",
    ]


def test_security_groups_use_separate_rules() -> None:
    rec = plan()
    endpoints_group = rec.one(GROUP, "net-endpoints")
    workload = rec.one(GROUP, "net-workload")
    for group in (endpoints_group, workload):
        assert "ingress" not in group.inputs and "egress" not in group.inputs
    https_in = rec.one(INGRESS, "net-endpoints-https").inputs
    assert https_in["securityGroupId"] == endpoints_group.id
    assert (https_in["ipProtocol"], https_in["fromPort"], https_in["toPort"]) == ("tcp", 443, 443)
    assert https_in["cidrIpv4"] == "10.40.0.0/16"
    assert len(rec.by_type(INGRESS)) == 2  # HTTPS to the endpoints, peers of the workload
    peers_in = rec.one(INGRESS, "net-workload-from-peers").inputs
    assert peers_in["ipProtocol"] == "-1"
    assert peers_in["securityGroupId"] == peers_in["referencedSecurityGroupId"] == workload.id
    peers_out = rec.one(EGRESS, "net-workload-to-peers").inputs
    assert peers_out["ipProtocol"] == "-1"
    assert peers_out["referencedSecurityGroupId"] == workload.id
    to_vpc = rec.one(EGRESS, "net-workload-https-vpc").inputs
    assert (to_vpc["fromPort"], to_vpc["toPort"], to_vpc["cidrIpv4"]) == (443, 443, "10.40.0.0/16")
    to_s3 = rec.one(EGRESS, "net-workload-https-s3")
    assert (to_s3.inputs["fromPort"], to_s3.inputs["toPort"]) == (443, 443)
    assert "cidrIpv4" not in to_s3.inputs
    s3 = rec.one(ENDPOINT, "net-endpoint-s3")
    # The prefix list id is computed by AWS (absent under mocks); the rule waits for it.
    assert s3.urn in to_s3.dependencies
    assert all(r.inputs["securityGroupId"] == workload.id for r in rec.by_type(EGRESS))
    assert rec.outputs["security_group_ids"] == [workload.id]


def test_flow_logs_go_to_an_encrypted_group_through_a_scoped_role() -> None:
    rec = plan(log_retention_days=90)
    group = rec.one(LOG_GROUP, "net-flow-logs")
    assert group.inputs["retentionInDays"] == 90
    assert group.inputs["kmsKeyId"] == KEY_ARN
    role = rec.one(ROLE, "net-flow-logs-role")
    (trust,) = document(role, "assumeRolePolicy")["Statement"]
    assert trust["Principal"] == {"Service": ["vpc-flow-logs.amazonaws.com"]}
    flow_log = rec.one(FLOW_LOG, "net-flow-log")
    assert flow_log.inputs["vpcId"] == rec.one(VPC).id
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    assert flow_log.inputs["logDestination"] == group.outputs["arn"]
    assert flow_log.inputs["iamRoleArn"] == role.outputs["arn"]
    policy = document(rec.one(ROLE_POLICY, "net-flow-logs-role-deliver"))
    arn = group.outputs["arn"]
    assert [(s["Action"], s["Resource"]) for s in policy["Statement"]] == [
        (
            ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            [arn, f"{arn}:*"],
        ),
        (["logs:DescribeLogGroups"], "*"),  # no resource-level permissions
    ]


def test_without_flow_logs_or_key() -> None:
    rec = plan(NetworkSettings.model_validate({"flow_logs": False}), kms_key_arn=None)
    for token in (LOG_GROUP, FLOW_LOG, ROLE, ROLE_POLICY):
        assert rec.by_type(token) == []
    rec = plan(kms_key_arn=None)
    assert "kmsKeyId" not in rec.one(LOG_GROUP).inputs


def test_adopted_network_creates_nothing() -> None:
    settings = NetworkSettings.model_validate(
        {
            "vpc_id": "vpc-0123456789abcdef0",
            "subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
            "security_group_ids": ["sg-0123456789abcdef0"],
        }
    )
    rec = plan(settings)
    assert [r.type for r in rec.resources] == ["mlops:aws:PrivateNetwork"]
    assert rec.outputs == {
        "vpc_id": "vpc-0123456789abcdef0",
        "subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        "security_group_ids": ["sg-0123456789abcdef0"],
        "endpoints": [],
    }


# The settings model refuses these values before any resource exists
# (tests/settings/test_validation.py); model_construct bypasses it to show that the
# component still checks arguments given to it directly.
@pytest.mark.parametrize(
    ("settings", "overrides", "argument"),
    [
        (
            NetworkSettings.model_construct(interface_endpoints=["s3"]),
            {},
            "settings.interface_endpoints[0]",
        ),
        (
            NetworkSettings.model_construct(interface_endpoints=["sts", "sts"]),
            {},
            "settings.interface_endpoints[1]",
        ),
        (
            NetworkSettings.model_construct(interface_endpoints=["STS!"]),
            {},
            "settings.interface_endpoints[0]",
        ),
        (
            NetworkSettings.model_construct(cidr_block="10.40.1.0/16"),
            {},
            "settings.cidr_block",
        ),
        (None, {"region": "moon-1"}, "region"),
        (None, {"log_retention_days": 10}, "log_retention_days"),
    ],
)
def test_invalid_static_arguments_are_refused(
    settings: NetworkSettings | None, overrides: dict[str, Any], argument: str
) -> None:
    with pytest.raises(ValueError, match=f"\n  - {re.escape(argument)}:"):
        plan(settings, **overrides)
