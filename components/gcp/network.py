"""A private VPC: custom subnets with Private Google Access and flow logs, ingress
denied, Cloud NAT and private services access only when asked."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from .. import naming
from ._common import REGION, label_problems, raise_problems

SERVICES = ("compute.googleapis.com",)
"""APIs this block needs enabled (``ProjectServices``); private services access also
needs ``servicenetworking.googleapis.com`` (``PSA_SERVICES``)."""
PSA_SERVICES = ("servicenetworking.googleapis.com",)

ROLE_NAME = re.compile(r"^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$")
RANGE_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
"""Secondary range names follow the RFC 1035 rule of other Compute names."""

DENY_INGRESS_PRIORITY = 65534
"""Just above the implied deny-all-ingress rule (65535), so every allow rule another
block adds (lower numbers) still wins, and denied attempts are logged."""


@dataclass(frozen=True)
class SecondaryRange:
    name: str
    """Range name, e.g. ``pods`` or ``services`` for a GKE cluster's IP aliases."""
    cidr: str


@dataclass(frozen=True)
class SubnetSpec:
    role: str
    """Short name (``workloads``); the child is ``<name>-<role>``."""
    cidr: str
    """Primary range, private (RFC 1918) IPv4, e.g. ``10.50.0.0/20``."""
    secondary_ranges: Sequence[SecondaryRange] = ()


@dataclass
class PrivateNetworkArgs:
    region: str
    """Region of the subnets, router and NAT."""
    labels: Mapping[str, str]
    """Already-merged labels, set on the children that take labels (the private services
    range); networks, subnets, firewalls, routers and NATs have none in the API."""
    subnets: Sequence[SubnetSpec] = (SubnetSpec("workloads", "10.50.0.0/20"),)
    """Subnets of the network; one ``/20`` (4,096 addresses) by default."""
    cloud_nat: bool = False
    """Create a Cloud Router and Cloud NAT so workloads without public IPs reach the
    internet (package mirrors, Hugging Face). Off by default: Google APIs are reached
    through Private Google Access, and NAT costs per hour and per GB."""
    private_services_access: bool = False
    """Reserve a range and peer it with ``servicenetworking.googleapis.com`` so managed
    services (Vertex AI private endpoints, Cloud SQL, Filestore) get private IPs here."""
    private_services_prefix_length: int = 20
    """Size of that reserved range (``/20``: 4,096 addresses; Google allocates from it
    per service, at least ``/24``)."""
    flow_log_sampling: float = 0.5
    """Share of flows logged (0-1]; 0.5 is the API default. Flow logs are billed per GB
    ingested in Cloud Logging."""
    project: str | None = None


class PrivateNetwork(pulumi.ComponentResource):
    """A custom-mode VPC for ML workloads.

    - ``auto_create_subnetworks=False``: only the listed subnets exist (auto mode would
      create one per region with fixed ranges).
    - Every subnet has Private Google Access (workloads without external IPs reach
      Google APIs) and VPC flow logs (5-minute aggregation, ``flow_log_sampling``).
    - Firewall rule ``deny-ingress``: all ingress from anywhere denied at priority
      65534, logged; GCP's implied rule denies the same but logs nothing.
    - No Cloud NAT, router or peering unless asked for.
    """

    network: gcp.compute.Network
    subnets: dict[str, gcp.compute.Subnetwork]
    deny_ingress: gcp.compute.Firewall
    router: gcp.compute.Router | None
    nat: gcp.compute.RouterNat | None
    private_services_range: gcp.compute.GlobalAddress | None
    private_services_connection: gcp.servicenetworking.Connection | None
    network_id: pulumi.Output[str]
    network_name: pulumi.Output[str]
    subnet_ids: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: PrivateNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:PrivateNetwork", name, None, opts)
        _validate(args)
        child = pulumi.ResourceOptions(parent=self)

        self.network = gcp.compute.Network(
            naming.child(name),
            auto_create_subnetworks=False,
            routing_mode="REGIONAL",
            description="Private network for ML workloads (mlops-iac)",
            project=args.project,
            opts=child,
        )
        self.subnets = {
            spec.role: subnetwork(
                naming.child(name, spec.role),
                self.network.id,
                args.region,
                spec,
                args.flow_log_sampling,
                args.project,
                child,
            )
            for spec in args.subnets
        }
        self.deny_ingress = gcp.compute.Firewall(
            naming.child(name, "deny-ingress"),
            network=self.network.id,
            project=args.project,
            direction="INGRESS",
            priority=DENY_INGRESS_PRIORITY,
            denies=[{"protocol": "all"}],
            source_ranges=["0.0.0.0/0"],
            description="Deny all ingress unless a more specific rule allows it",
            log_config={"metadata": "EXCLUDE_ALL_METADATA"},
            opts=child,
        )

        self.router = None
        self.nat = None
        if args.cloud_nat:
            self.router = gcp.compute.Router(
                naming.child(name, "router"),
                network=self.network.id,
                region=args.region,
                project=args.project,
                opts=child,
            )
            self.nat = gcp.compute.RouterNat(
                naming.child(name, "nat"),
                router=self.router.name,
                region=args.region,
                project=args.project,
                nat_ip_allocate_option="AUTO_ONLY",
                # Only the listed subnets, so a subnet another block adds later does not
                # reach the internet without saying so.
                source_subnetwork_ip_ranges_to_nat="LIST_OF_SUBNETWORKS",
                subnetworks=[
                    {"name": subnet.id, "source_ip_ranges_to_nats": ["ALL_IP_RANGES"]}
                    for subnet in self.subnets.values()
                ],
                log_config={"enable": True, "filter": "ERRORS_ONLY"},
                opts=child,
            )

        self.private_services_range = None
        self.private_services_connection = None
        if args.private_services_access:
            self.private_services_range = gcp.compute.GlobalAddress(
                naming.child(name, "psa-range"),
                network=self.network.id,
                project=args.project,
                purpose="VPC_PEERING",
                address_type="INTERNAL",
                prefix_length=args.private_services_prefix_length,
                labels=dict(args.labels),
                opts=child,
            )
            self.private_services_connection = gcp.servicenetworking.Connection(
                naming.child(name, "psa"),
                network=self.network.id,
                service="servicenetworking.googleapis.com",
                reserved_peering_ranges=[self.private_services_range.name],
                opts=child,
            )

        self.network_id = self.network.id
        self.network_name = self.network.name
        self.subnet_ids = {role: subnet.id for role, subnet in self.subnets.items()}
        self.register_outputs(
            {
                "network_id": self.network_id,
                "network_name": self.network_name,
                "subnet_ids": self.subnet_ids,
            }
        )


def subnetwork(
    logical: str,
    network_id: pulumi.Input[str],
    region: str,
    spec: SubnetSpec,
    flow_log_sampling: float,
    project: str | None,
    opts: pulumi.ResourceOptions,
) -> gcp.compute.Subnetwork:
    """A private subnet: Private Google Access, flow logs (5-minute aggregation, all
    metadata), IPv4 only, with ``spec``'s secondary ranges. The one place subnets are
    made, for ``PrivateNetwork`` and for blocks that add a subnet to its network (a GKE
    cluster's subnet with Pod and Service ranges)."""
    return gcp.compute.Subnetwork(
        logical,
        network=network_id,
        region=region,
        project=project,
        ip_cidr_range=spec.cidr,
        stack_type="IPV4_ONLY",
        private_ip_google_access=True,
        # Left out when empty: the provider then keeps what the API has rather
        # than sending an empty list (`send_secondary_ip_range_if_empty`).
        secondary_ip_ranges=[
            {"range_name": r.name, "ip_cidr_range": r.cidr} for r in spec.secondary_ranges
        ]
        or None,
        log_config={
            "aggregation_interval": "INTERVAL_5_MIN",
            "flow_sampling": flow_log_sampling,
            "metadata": "INCLUDE_ALL_METADATA",
        },
        opts=opts,
    )


def _validate(args: PrivateNetworkArgs) -> None:
    problems = label_problems(args.labels)
    if not REGION.match(args.region):
        problems.append(f"region: {args.region!r} is not a region such as 'europe-west4'")
    if not args.subnets:
        problems.append("subnets: at least one subnet")
    ranges: list[tuple[str, ipaddress.IPv4Network]] = []
    roles: set[str] = set()
    for i, spec in enumerate(args.subnets):
        where = f"subnets[{i}]"
        if not ROLE_NAME.match(spec.role):
            problems.append(
                f"{where}.role: {spec.role!r} must be 1-20 lower-case letters, digits, '-'"
            )
        if spec.role in roles:
            problems.append(f"{where}.role: {spec.role!r} is used twice")
        roles.add(spec.role)
        named = [(f"{where}.cidr", spec.cidr)]
        names: set[str] = set()
        for j, secondary in enumerate(spec.secondary_ranges):
            if not RANGE_NAME.match(secondary.name) or secondary.name in names:
                problems.append(
                    f"{where}.secondary_ranges[{j}].name: {secondary.name!r} must be unique in "
                    "the subnet, lower-case letters, digits and '-', starting with a letter"
                )
            names.add(secondary.name)
            named.append((f"{where}.secondary_ranges[{j}].cidr", secondary.cidr))
        for argument, cidr in named:
            try:
                network = ipaddress.IPv4Network(cidr)
            except ValueError:
                problems.append(f"{argument}: {cidr!r} is not an IPv4 CIDR with its host bits zero")
                continue
            if not network.is_private:
                problems.append(f"{argument}: {cidr} is not a private (RFC 1918) range")
            if network.prefixlen > 29:
                problems.append(f"{argument}: {cidr} is smaller than /29, the smallest subnet")
            for other_argument, other in ranges:
                if network.overlaps(other):
                    problems.append(f"{argument}: {cidr} overlaps {other_argument} ({other})")
            ranges.append((argument, network))
    if not 8 <= args.private_services_prefix_length <= 24:
        problems.append(
            f"private_services_prefix_length: {args.private_services_prefix_length} must be "
            "8-24 (Google needs at least a /24)"
        )
    if not 0 < args.flow_log_sampling <= 1:
        problems.append(f"flow_log_sampling: {args.flow_log_sampling} must be in (0, 1]")
    raise_problems("PrivateNetworkArgs", problems)
