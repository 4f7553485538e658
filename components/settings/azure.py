"""Settings of the Azure foundation: the base every Azure architecture shares.

Imports pydantic and the vocabulary only (no Azure SDK), so a stack file is validated
before any SDK is imported.
"""

from __future__ import annotations

import ipaddress
from typing import Literal, Self

from pydantic import EmailStr, Field, field_validator, model_validator

from ..vocabulary import LifecycleSettings, NetworkAccess, Strict

StorageSku = Literal["Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_GZRS"]
"""Redundancy of the data lake account (``DataLakeStorage.SKUS``)."""

NOT_PUBLIC = tuple(
    ipaddress.IPv4Network(block)
    for block in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
    )
)
"""Private (RFC 1918), shared (RFC 6598), loopback and link-local ranges, which Azure
service firewalls do not match (the same list as ``azure.keyvault.check_ip_ranges``)."""

_CONTAINER = r"^(?=.{3,63}$)[a-z0-9](?!.*--)[a-z0-9-]*[a-z0-9]$"


def _net(value: str, key: str) -> ipaddress.IPv4Network:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError as error:
        raise ValueError(f"{key}: {error}") from None
    if not isinstance(network, ipaddress.IPv4Network) or not network.is_private:
        raise ValueError(f"{key}: {value} is not a private IPv4 range (RFC 1918)")
    return network


class AzureFoundationSettings(Strict):
    """The Azure foundation of a stack (``mlops:azure:Foundation``): one resource
    group, a user-assigned identity, a customer-managed key, an ADLS Gen2 data lake
    encrypted with it, a private network with private endpoints for the lake (blob,
    dfs), the vault and the registry, a Premium container registry and Log Analytics
    with Application Insights. Every default is the secure and cheap choice."""

    enabled: bool = Field(
        default=True,
        description="false: the section stays in the stack file but nothing is deployed.",
    )
    address_space: str = Field(
        default="10.20.0.0/16",
        description="The VNet's private IPv4 range (RFC 1918). Pick one that does not "
        "overlap networks you will peer or connect to.",
    )
    endpoint_subnet: str = Field(
        default="10.20.0.0/24",
        description="Subnet of the private endpoints (one address per endpoint), "
        "inside `address_space`.",
    )
    workload_subnet: str = Field(
        default="10.20.4.0/22",
        description="Subnet for the architectures' compute (Azure ML compute, AKS "
        "nodes), inside `address_space`, no default outbound internet access.",
    )
    network_access: NetworkAccess = Field(
        default_factory=NetworkAccess,
        description="private (default): the vault, the lake and the registry have no "
        "public endpoint; reach them through the private endpoints. public: their "
        "firewalls admit only `allowed_cidrs` (public IPv4 ranges; Azure service "
        "firewalls take no IPv6 and no private ranges). Trusted Azure services pass "
        "either way.",
    )
    storage_sku: StorageSku = Field(
        default="Standard_LRS",
        description="Redundancy of the data lake; locally redundant is the cheapest.",
    )
    containers: list[str] = Field(
        default_factory=lambda: ["data"],
        min_length=1,
        max_length=10,
        description="Containers (file systems) of the data lake, created private.",
    )
    lifecycle: LifecycleSettings = Field(
        default_factory=LifecycleSettings,
        description="Tiering of the whole lake (cool after 30 days, archive after 90) "
        "and expiry per prefix in every container (none by default).",
    )
    registry_untagged_retention_days: int = Field(
        default=7,
        ge=0,
        le=365,
        description="Days the registry keeps untagged manifests before deleting them.",
    )
    log_retention_days: int = Field(
        default=30,
        ge=30,
        le=730,
        description="Days Log Analytics keeps logs and traces; the first 31 are "
        "included in the ingestion price.",
    )
    log_daily_quota_gb: float | None = Field(
        default=None,
        gt=0,
        description="Daily ingestion cap in GB; data beyond it is dropped for the day. "
        "null: no cap.",
    )
    alert_emails: list[EmailStr] = Field(
        default_factory=list,
        description="Addresses an action group e-mails alerts to; empty: no action group.",
    )

    @field_validator("containers")
    @classmethod
    def _container_names(cls, values: list[str]) -> list[str]:
        import re

        for i, value in enumerate(values):
            if not re.match(_CONTAINER, value):
                raise ValueError(
                    f"containers[{i}]: {value!r} must be 3-63 lower-case letters, digits "
                    "and single hyphens, starting and ending with a letter or digit"
                )
        if len(set(values)) != len(values):
            raise ValueError("containers: a container is listed twice")
        return values

    @field_validator("network_access")
    @classmethod
    def _public_ipv4(cls, access: NetworkAccess) -> NetworkAccess:
        for i, cidr in enumerate(access.allowed_cidrs):
            network = ipaddress.ip_network(cidr)
            if not isinstance(network, ipaddress.IPv4Network) or any(
                network.overlaps(block) for block in NOT_PUBLIC
            ):
                raise ValueError(
                    f"allowed_cidrs[{i}]: {cidr} is not a public IPv4 range; Azure "
                    "service firewalls match public IPv4 client addresses only"
                )
        return access

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        space = _net(self.address_space, "address_space")
        subnets = {
            "endpoint_subnet": _net(self.endpoint_subnet, "endpoint_subnet"),
            "workload_subnet": _net(self.workload_subnet, "workload_subnet"),
        }
        for key, subnet in subnets.items():
            if not subnet.subnet_of(space):
                raise ValueError(f"{key}: {subnet} is outside address_space {space}")
            if subnet.prefixlen > 29:
                raise ValueError(f"{key}: {subnet} is smaller than /29 (Azure's minimum)")
        if subnets["endpoint_subnet"].overlaps(subnets["workload_subnet"]):
            raise ValueError("workload_subnet: overlaps endpoint_subnet")
        return self

    @property
    def allowed_ip_ranges(self) -> list[str]:
        """The firewall allowlist the blocks take (empty: no public endpoint)."""
        return list(self.network_access.allowed_cidrs)
