"""PrivateNetwork: VNet, private subnets, NSG, private endpoints with DNS zones."""

from __future__ import annotations

import re
from typing import Any

import pytest
from azure_plan import GROUP, LOCATION, TAGS, Recording, assert_tagged, children, plan
from mlops_components.azure import PrivateEndpointTarget, PrivateNetwork, PrivateNetworkArgs

TOKEN = "mlops:azure:PrivateNetwork"
VNET = "azure-native:network:VirtualNetwork"
SUBNET = "azure-native:network:Subnet"
NSG = "azure-native:network:NetworkSecurityGroup"
ZONE = "azure-native:privatedns:PrivateZone"
LINK = "azure-native:privatedns:VirtualNetworkLink"
ENDPOINT = "azure-native:network:PrivateEndpoint"
ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers"
LAKE = f"{SUB}/Microsoft.Storage/storageAccounts/lake"
VAULT = f"{SUB}/Microsoft.KeyVault/vaults/kv"
REGISTRY = f"{SUB}/Microsoft.ContainerRegistry/registries/acr"


def targets() -> dict[str, PrivateEndpointTarget]:
    return {
        "lake-blob": PrivateEndpointTarget("blob", LAKE),
        "lake-dfs": PrivateEndpointTarget("dfs", LAKE),
        "vault": PrivateEndpointTarget("vault", VAULT),
        "acr": PrivateEndpointTarget("registry", REGISTRY),
    }


def run(**overrides: Any) -> Recording:
    def program() -> None:
        args = PrivateNetworkArgs(resource_group_name=GROUP, location=LOCATION, tags=TAGS)
        for key, value in overrides.items():
            setattr(args, key, value)
        PrivateNetwork("net", args)

    return plan(program)


def test_without_endpoints_it_is_a_vnet_two_subnets_and_an_nsg() -> None:
    rec = run()
    assert children(rec, TOKEN, "net") == [
        (NSG, "net-nsg"),
        (SUBNET, "net-subnet-endpoints"),
        (SUBNET, "net-subnet-workloads"),
        (VNET, "net"),
    ]
    assert rec.one(VNET).inputs["addressSpace"] == {"addressPrefixes": ["10.20.0.0/16"]}
    assert "subnets" not in rec.one(VNET).inputs  # separate resources, never inline
    assert_tagged(rec, TOKEN, "net")


def test_subnets_are_private_and_guarded_by_the_nsg_one_after_another() -> None:
    rec = run()
    nsg = rec.one(NSG).id
    endpoints, workloads = (
        rec.one(SUBNET, "net-subnet-endpoints"),
        rec.one(SUBNET, "net-subnet-workloads"),
    )
    for subnet, cidr in ((endpoints, "10.20.0.0/24"), (workloads, "10.20.4.0/22")):
        assert {
            k: subnet.inputs[k]
            for k in (
                "addressPrefix",
                "defaultOutboundAccess",
                "networkSecurityGroup",
                "privateEndpointNetworkPolicies",
                "virtualNetworkName",
            )
        } == {
            "addressPrefix": cidr,
            "defaultOutboundAccess": False,
            "networkSecurityGroup": {"id": nsg},
            "privateEndpointNetworkPolicies": "Enabled",
            "virtualNetworkName": rec.one(VNET).outputs["name"],
        }
    assert endpoints.urn in workloads.dependencies


def test_each_endpoint_has_a_connection_and_a_zone_group_in_its_dns_zone() -> None:
    rec = run(private_endpoints=targets())
    assert sorted(r.inputs["privateZoneName"] for r in rec.by_type(ZONE)) == [
        "privatelink.azurecr.io",
        "privatelink.blob.core.windows.net",
        "privatelink.dfs.core.windows.net",
        "privatelink.vaultcore.azure.net",
    ]
    vnet = rec.one(VNET).id
    for link in rec.by_type(LINK):
        assert link.inputs["virtualNetwork"] == {"id": vnet}
        assert link.inputs["registrationEnabled"] is False
        assert link.inputs["location"] == "global"
    subnet = rec.one(SUBNET, "net-subnet-endpoints").id
    dfs = rec.one(ENDPOINT, "net-pe-lake-dfs")
    assert dfs.inputs["subnet"] == {"id": subnet}
    assert dfs.inputs["privateLinkServiceConnections"] == [
        {"name": "lake-dfs", "privateLinkServiceId": LAKE, "groupIds": ["dfs"]}
    ]
    group = rec.one(ZONE_GROUP, "net-pe-lake-dfs-dns")
    assert group.inputs["privateEndpointName"] == dfs.outputs["name"]
    assert group.inputs["privateDnsZoneConfigs"] == [
        {"name": "dfs", "privateDnsZoneId": rec.one(ZONE, "net-dns-dfs").id}
    ]
    assert rec.one(LINK, "net-dns-dfs-link").urn in group.dependencies
    assert len(rec.by_type(ENDPOINT)) == len(rec.by_type(ZONE_GROUP)) == 4
    assert_tagged(rec, TOKEN, "net")


def test_every_child_is_in_the_callers_resource_group() -> None:
    rec = run(private_endpoints=targets())
    component = rec.one(TOKEN, "net")
    placed = {r.name: r.inputs.get("resourceGroupName") for r in rec.children_of(component.urn)}
    assert len(placed) == 1 + 1 + 2 + 4 * 4  # vnet, nsg, subnets, 4 x (zone, link, pe, group)
    assert set(placed.values()) == {GROUP}


def test_one_zone_per_kind_of_endpoint() -> None:
    rec = run(
        private_endpoints={
            "a": PrivateEndpointTarget("blob", LAKE),
            "b": PrivateEndpointTarget("blob", f"{LAKE}2"),
        }
    )
    assert [r.name for r in rec.by_type(ZONE)] == ["net-dns-blob"]
    assert len(rec.by_type(ENDPOINT)) == 2


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"address_space": "8.8.0.0/16"}, "address_space: '8.8.0.0/16' is not a private"),
        ({"address_space": "10.20.0.1/16"}, "address_space"),
        ({"subnets": {"workloads": "10.20.4.0/22"}}, "subnets: must include 'endpoints'"),
        (
            {"subnets": {"endpoints": "10.30.0.0/24"}},
            "subnets['endpoints']: 10.30.0.0/24 is outside",
        ),
        (
            {"subnets": {"endpoints": "10.20.0.0/24", "b": "10.20.0.128/25"}},
            "subnets['b']: 10.20.0.128/25 overlaps subnets['endpoints']",
        ),
        ({"subnets": {"endpoints": "10.20.0.0/30"}}, "smaller than /29"),
        (
            {"private_endpoints": {"x": PrivateEndpointTarget("queue", LAKE)}},
            "private_endpoints['x'].group_id",
        ),
        (
            {"private_endpoints": {"X": PrivateEndpointTarget("blob", LAKE)}},
            "private_endpoints['X']",
        ),
    ],
)
def test_invalid_arguments_are_refused(overrides: dict[str, Any], argument: str) -> None:
    with pytest.raises(ValueError, match=re.escape(argument)):
        run(**overrides)
