"""A private network: a VNet, private subnets, private endpoints and their DNS zones."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import network, privatedns

from .. import naming

PRIVATE_DNS_ZONES: dict[str, str] = {
    "blob": "privatelink.blob.core.windows.net",
    "dfs": "privatelink.dfs.core.windows.net",
    "vault": "privatelink.vaultcore.azure.net",
    "registry": "privatelink.azurecr.io",
}
"""Private-link sub-resource (``groupIds``) to the private DNS zone Azure resolves it in,
public cloud (https://learn.microsoft.com/azure/private-link/private-endpoint-dns). A
registry endpoint also gets its regional data endpoint records in the same zone."""

ENDPOINT_SUBNET = "endpoints"
"""The subnet private endpoints are placed in; every network has it."""

_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$")


@dataclass
class PrivateEndpointTarget:
    """A resource to reach through a private endpoint, e.g.
    ``PrivateEndpointTarget("dfs", storage.account_id)``."""

    group_id: str
    """The private-link sub-resource: a ``PRIVATE_DNS_ZONES`` key."""
    resource_id: pulumi.Input[str]
    """The resource's id (storage account, key vault, registry)."""


@dataclass
class PrivateNetworkArgs:
    resource_group_name: pulumi.Input[str]
    location: pulumi.Input[str]
    tags: Mapping[str, str]
    """Already-merged tags (``tags.merge_tags``), set on every taggable child."""
    address_space: str = "10.20.0.0/16"
    """The VNet's private IPv4 range."""
    subnets: Mapping[str, str] = field(
        default_factory=lambda: {ENDPOINT_SUBNET: "10.20.0.0/24", "workloads": "10.20.4.0/22"}
    )
    """Subnet name to CIDR, each inside ``address_space`` and not overlapping; must
    include ``endpoints``."""
    private_endpoints: Mapping[str, PrivateEndpointTarget] = field(default_factory=dict)
    """Private endpoints by label (``{"lake-dfs": PrivateEndpointTarget("dfs", id)}``);
    the label names the endpoint's children."""


class PrivateNetwork(pulumi.ComponentResource):
    """A virtual network whose subnets have no default outbound internet access, one
    network security group on every subnet, private endpoints in the ``endpoints``
    subnet and, for each kind of endpoint used, the private DNS zone linked to the VNet
    and a zone group that keeps the endpoint's A records in it."""

    vnet: network.VirtualNetwork
    network_security_group: network.NetworkSecurityGroup
    subnets: dict[str, network.Subnet]
    dns_zones: dict[str, privatedns.PrivateZone]
    dns_zone_links: dict[str, privatedns.VirtualNetworkLink]
    endpoints: dict[str, network.PrivateEndpoint]
    dns_zone_groups: dict[str, network.PrivateDnsZoneGroup]
    vnet_id: pulumi.Output[str]
    vnet_name: pulumi.Output[str]
    subnet_ids: dict[str, pulumi.Output[str]]
    endpoint_ids: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: PrivateNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:azure:PrivateNetwork", name, None, opts)
        _validate(args)
        tags = dict(args.tags)
        here = pulumi.ResourceOptions(parent=self)
        group = args.resource_group_name

        # Subnets are separate resources and the VNet lists none: azure-native keeps
        # them on VNet updates (pulumi/pulumi-azure-native#611), as ARM now does.
        self.vnet = network.VirtualNetwork(
            naming.child(name),
            resource_group_name=group,
            location=args.location,
            tags=tags,
            address_space={"address_prefixes": [args.address_space]},
            opts=here,
        )
        # No custom rules: the defaults allow traffic inside the VNet and deny inbound
        # traffic from the internet.
        self.network_security_group = network.NetworkSecurityGroup(
            naming.child(name, "nsg"),
            resource_group_name=group,
            location=args.location,
            tags=tags,
            opts=here,
        )
        self.subnets = {}
        previous: list[pulumi.Resource] = []
        for subnet_name, cidr in args.subnets.items():
            subnet = network.Subnet(
                naming.child(name, f"subnet-{subnet_name}"),
                resource_group_name=group,
                virtual_network_name=self.vnet.name,
                subnet_name=subnet_name,
                address_prefix=cidr,
                # Private subnets: no implicit outbound internet (Azure retires default
                # outbound access for new VNets; explicit NAT when one is needed).
                default_outbound_access=False,
                network_security_group={"id": self.network_security_group.id},
                # NSG rules and route tables also apply to private endpoints.
                private_endpoint_network_policies=(
                    network.VirtualNetworkPrivateEndpointNetworkPolicies.ENABLED
                ),
                # ARM rejects concurrent subnet writes on one VNet
                # (AnotherOperationInProgress), so subnets are created one by one.
                opts=pulumi.ResourceOptions(parent=self, depends_on=previous),
            )
            self.subnets[subnet_name] = subnet
            previous = [subnet]

        # ``kind`` (a private-link sub-resource), not ``group``: that is the resource group.
        kinds = sorted({t.group_id for t in args.private_endpoints.values()})
        self.dns_zones = {}
        self.dns_zone_links = {}
        for kind in kinds:
            self.dns_zones[kind], self.dns_zone_links[kind] = private_dns_zone(
                naming.child(name, f"dns-{kind}"),
                zone_name=PRIVATE_DNS_ZONES[kind],
                resource_group_name=group,
                vnet_id=self.vnet.id,
                tags=tags,
                parent=self,
            )

        endpoint_subnet = self.subnets[ENDPOINT_SUBNET]
        self.endpoints = {}
        self.dns_zone_groups = {}
        for label, target in sorted(args.private_endpoints.items()):
            kind = target.group_id
            self.endpoints[label], self.dns_zone_groups[label] = private_endpoint(
                naming.child(name, f"pe-{label}"),
                label=label,
                target=target,
                subnet_id=endpoint_subnet.id,
                zones={kind: (self.dns_zones[kind], self.dns_zone_links[kind])},
                resource_group_name=group,
                location=args.location,
                tags=tags,
                parent=self,
            )

        self.vnet_id = self.vnet.id
        self.vnet_name = self.vnet.name
        self.subnet_ids = {n: s.id for n, s in self.subnets.items()}
        self.endpoint_ids = {n: e.id for n, e in self.endpoints.items()}
        self.register_outputs(
            {
                "vnet_id": self.vnet_id,
                "vnet_name": self.vnet_name,
                "subnet_ids": self.subnet_ids,
                "endpoint_ids": self.endpoint_ids,
            }
        )


def private_dns_zone(
    logical_name: str,
    *,
    zone_name: str,
    resource_group_name: pulumi.Input[str],
    vnet_id: pulumi.Input[str],
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> tuple[privatedns.PrivateZone, privatedns.VirtualNetworkLink]:
    """A ``privatelink.*`` zone (``logical_name``) linked to the VNet
    (``<logical_name>-link``); endpoint records come from zone groups, VMs do not
    auto-register."""
    zone = privatedns.PrivateZone(
        logical_name,
        resource_group_name=resource_group_name,
        private_zone_name=zone_name,
        location="global",
        tags=dict(tags),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    link = privatedns.VirtualNetworkLink(
        f"{logical_name}-link",
        resource_group_name=resource_group_name,
        private_zone_name=zone.name,
        location="global",
        virtual_network={"id": vnet_id},
        registration_enabled=False,
        tags=dict(tags),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return zone, link


def private_endpoint(
    logical_name: str,
    *,
    label: str,
    target: PrivateEndpointTarget,
    subnet_id: pulumi.Input[str],
    zones: Mapping[str, tuple[privatedns.PrivateZone, privatedns.VirtualNetworkLink]],
    resource_group_name: pulumi.Input[str],
    location: pulumi.Input[str],
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> tuple[network.PrivateEndpoint, network.PrivateDnsZoneGroup]:
    """A private endpoint to ``target`` in ``subnet_id`` and its zone group
    (``<logical_name>-dns``), which keeps the endpoint's A records in ``zones`` (one
    config per zone, by name; it waits for the zones' VNet links)."""
    endpoint = network.PrivateEndpoint(
        logical_name,
        resource_group_name=resource_group_name,
        location=location,
        tags=dict(tags),
        subnet={"id": subnet_id},
        private_link_service_connections=[
            {
                "name": label,
                "private_link_service_id": target.resource_id,
                "group_ids": [target.group_id],
            }
        ],
        opts=pulumi.ResourceOptions(parent=parent),
    )
    group = network.PrivateDnsZoneGroup(
        f"{logical_name}-dns",
        resource_group_name=resource_group_name,
        private_endpoint_name=endpoint.name,
        private_dns_zone_group_name="default",
        private_dns_zone_configs=[
            {"name": config, "private_dns_zone_id": zone.id}
            for config, (zone, _) in sorted(zones.items())
        ],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[link for _, link in zones.values()]),
    )
    return endpoint, group


def _inside(
    net: ipaddress.IPv4Network | ipaddress.IPv6Network,
    space: ipaddress.IPv4Network | ipaddress.IPv6Network,
) -> bool:
    if isinstance(net, ipaddress.IPv4Network) and isinstance(space, ipaddress.IPv4Network):
        return net.subnet_of(space)
    return False


def _validate(args: PrivateNetworkArgs) -> None:
    problems: list[str] = []
    try:
        space = ipaddress.ip_network(args.address_space, strict=True)
    except ValueError:
        space = None
        problems.append(f"address_space: {args.address_space!r} is not a CIDR range")
    if space is not None and (space.version != 4 or not space.is_private):
        problems.append(f"address_space: {args.address_space!r} is not a private IPv4 range")
    if ENDPOINT_SUBNET not in args.subnets:
        problems.append(f"subnets: must include {ENDPOINT_SUBNET!r} (private endpoints go there)")
    parsed: list[tuple[str, ipaddress.IPv4Network | ipaddress.IPv6Network]] = []
    for subnet_name, cidr in args.subnets.items():
        if not _NAME.match(subnet_name):
            problems.append(
                f"subnets[{subnet_name!r}]: names are 1-40 lower-case letters, digits, hyphens"
            )
        try:
            net = ipaddress.ip_network(cidr, strict=True)
        except ValueError:
            problems.append(f"subnets[{subnet_name!r}]: {cidr!r} is not a CIDR range")
            continue
        if space is not None and not _inside(net, space):
            problems.append(f"subnets[{subnet_name!r}]: {cidr} is outside {args.address_space}")
        elif net.prefixlen > 29:
            problems.append(f"subnets[{subnet_name!r}]: {cidr} is smaller than /29 (Azure minimum)")
        for other, other_net in parsed:
            if net.overlaps(other_net):
                problems.append(f"subnets[{subnet_name!r}]: {cidr} overlaps subnets[{other!r}]")
        parsed.append((subnet_name, net))
    for label, target in args.private_endpoints.items():
        if not _NAME.match(label):
            problems.append(
                f"private_endpoints[{label!r}]: labels are 1-40 lower-case letters, digits, hyphens"
            )
        if target.group_id not in PRIVATE_DNS_ZONES:
            problems.append(
                f"private_endpoints[{label!r}].group_id: {target.group_id!r} is not one of "
                f"{', '.join(sorted(PRIVATE_DNS_ZONES))}"
            )
    if problems:
        raise ValueError("invalid PrivateNetworkArgs:\n  - " + "\n  - ".join(problems))
