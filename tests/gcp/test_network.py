"""PrivateNetwork: custom subnets, Private Google Access, flow logs, deny ingress,
NAT and private services access only when asked."""

from __future__ import annotations

import pytest
from gcp_plan import LABELS, REGION, Recording, assert_labelled, plan
from mlops_components.gcp import PrivateNetwork, PrivateNetworkArgs, SecondaryRange, SubnetSpec

NETWORK = "gcp:compute/network:Network"
SUBNET = "gcp:compute/subnetwork:Subnetwork"
FIREWALL = "gcp:compute/firewall:Firewall"
ROUTER = "gcp:compute/router:Router"
NAT = "gcp:compute/routerNat:RouterNat"
ADDRESS = "gcp:compute/globalAddress:GlobalAddress"
PEERING = "gcp:servicenetworking/connection:Connection"


def run(**overrides: object) -> Recording:
    args = PrivateNetworkArgs(region=REGION, labels=LABELS)
    for key, value in overrides.items():
        setattr(args, key, value)

    def program() -> None:
        PrivateNetwork("ml", args)

    return plan(program)


def test_default_is_a_network_one_subnet_and_deny_ingress_only() -> None:
    rec = run()
    component = rec.one("mlops:gcp:PrivateNetwork", "ml")
    assert sorted((r.type, r.name) for r in rec.children_of(component.urn)) == [
        (FIREWALL, "ml-deny-ingress"),
        (NETWORK, "ml"),
        (SUBNET, "ml-workloads"),
    ]
    network = rec.one(NETWORK)
    assert network.inputs["autoCreateSubnetworks"] is False
    assert network.inputs["routingMode"] == "REGIONAL"
    assert rec.warnings == []


def test_subnet_has_private_google_access_and_flow_logs() -> None:
    rec = run()
    subnet = rec.one(SUBNET)
    assert subnet.inputs["network"] == rec.one(NETWORK).id
    assert subnet.inputs["region"] == REGION
    assert subnet.inputs["ipCidrRange"] == "10.50.0.0/20"
    assert subnet.inputs["privateIpGoogleAccess"] is True
    assert subnet.inputs["stackType"] == "IPV4_ONLY"
    assert "secondaryIpRanges" not in subnet.inputs
    assert subnet.inputs["logConfig"] == {
        "aggregationInterval": "INTERVAL_5_MIN",
        "flowSampling": 0.5,
        "metadata": "INCLUDE_ALL_METADATA",
    }


def test_ingress_is_denied_and_logged_above_the_implied_rule() -> None:
    firewall = run().one(FIREWALL)
    assert firewall.inputs["direction"] == "INGRESS"
    assert firewall.inputs["priority"] == 65534
    assert firewall.inputs["denies"] == [{"protocol": "all"}]
    assert firewall.inputs["sourceRanges"] == ["0.0.0.0/0"]
    assert "allows" not in firewall.inputs
    assert firewall.inputs["logConfig"] == {"metadata": "EXCLUDE_ALL_METADATA"}


def test_secondary_ranges_for_gke() -> None:
    spec = SubnetSpec(
        "gke",
        "10.60.0.0/20",
        (SecondaryRange("pods", "10.64.0.0/14"), SecondaryRange("services", "10.68.0.0/20")),
    )
    subnet = run(subnets=[spec]).one(SUBNET, "ml-gke")
    assert subnet.inputs["secondaryIpRanges"] == [
        {"rangeName": "pods", "ipCidrRange": "10.64.0.0/14"},
        {"rangeName": "services", "ipCidrRange": "10.68.0.0/20"},
    ]


def test_cloud_nat_only_for_the_listed_subnets() -> None:
    rec = run(cloud_nat=True)
    router, nat = rec.one(ROUTER, "ml-router"), rec.one(NAT, "ml-nat")
    assert router.inputs["network"] == rec.one(NETWORK).id
    assert router.inputs["region"] == REGION
    assert nat.inputs["router"] == router.outputs["name"]
    assert nat.inputs["natIpAllocateOption"] == "AUTO_ONLY"
    assert nat.inputs["sourceSubnetworkIpRangesToNat"] == "LIST_OF_SUBNETWORKS"
    assert nat.inputs["subnetworks"] == [
        {"name": rec.one(SUBNET).id, "sourceIpRangesToNats": ["ALL_IP_RANGES"]}
    ]
    assert nat.inputs["logConfig"] == {"enable": True, "filter": "ERRORS_ONLY"}
    assert rec.by_type(ADDRESS) == [] and rec.by_type(PEERING) == []


def test_private_services_access_reserves_a_range_and_peers() -> None:
    rec = run(private_services_access=True)
    address, peering = rec.one(ADDRESS), rec.one(PEERING)
    assert address.inputs["purpose"] == "VPC_PEERING"
    assert address.inputs["addressType"] == "INTERNAL"
    assert address.inputs["prefixLength"] == 20
    assert address.inputs["network"] == rec.one(NETWORK).id
    assert peering.inputs == {
        "network": rec.one(NETWORK).id,
        "service": "servicenetworking.googleapis.com",
        "reservedPeeringRanges": [address.outputs["name"]],
    }
    assert_labelled(rec, rec.one("mlops:gcp:PrivateNetwork", "ml"))
    assert rec.by_type(NAT) == []


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"region": "europe-west4-a"}, "region"),
        ({"subnets": []}, "subnets"),
        ({"subnets": [SubnetSpec("a", "10.0.0.1/20")]}, r"subnets\[0\].cidr"),
        ({"subnets": [SubnetSpec("a", "8.8.8.0/24")]}, "private"),
        (
            {"subnets": [SubnetSpec("a", "10.0.0.0/20"), SubnetSpec("b", "10.0.8.0/24")]},
            r"subnets\[1\].cidr: 10.0.8.0/24 overlaps subnets\[0\].cidr",
        ),
        (
            {"subnets": [SubnetSpec("a", "10.0.0.0/20", (SecondaryRange("Pods", "10.4.0.0/14"),))]},
            r"secondary_ranges\[0\].name",
        ),
        ({"subnets": [SubnetSpec("a", "10.0.0.0/20"), SubnetSpec("a", "10.1.0.0/20")]}, "twice"),
        ({"private_services_prefix_length": 26}, "private_services_prefix_length"),
        ({"flow_log_sampling": 0}, "flow_log_sampling"),
    ],
)
def test_bad_arguments_are_named(overrides: dict[str, object], argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        run(**overrides)
