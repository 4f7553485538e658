"""Settings of the Google Cloud foundation (``architectures.gcp_foundation``).

The foundation is the base every Google Cloud architecture shares (APIs, customer key,
buckets, service accounts, Artifact Registry, network, logs and alerts); see
``components/architectures/README.md``. Every default is the secure and cheap choice.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

from pydantic import AfterValidator, EmailStr, Field, field_validator

from .base import Strict
from .common import LifecycleSettings

MAX_LOG_RETENTION_DAYS = 3650
"""Cloud Logging keeps logs in a user-defined bucket 1-3,650 days
(https://cloud.google.com/logging/docs/buckets#custom-retention)."""


def _subnet_cidr(value: str) -> str:
    """A subnet's primary range: a network address (no host bits) inside RFC 1918, /8 to
    /29 (https://cloud.google.com/vpc/docs/subnets#valid-ranges: the smallest IPv4
    subnet is /29)."""
    try:
        network = ipaddress.IPv4Network(value)
    except ValueError:
        raise ValueError(
            "is not an IPv4 network with its host bits zero, e.g. 10.50.0.0/20"
        ) from None
    if "/" not in value:
        raise ValueError("needs a prefix length, e.g. 10.50.0.0/20")
    private = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
    if not any(network.subnet_of(ipaddress.IPv4Network(r)) for r in private):
        raise ValueError(
            "is not a private range: use part of 10.0.0.0/8, 172.16.0.0/12 or "
            "192.168.0.0/16 (RFC 1918)"
        )
    if network.prefixlen > 29:
        raise ValueError("is smaller than /29, the smallest subnet Google Cloud allows")
    return str(network)


SubnetCidr = Annotated[str, AfterValidator(_subnet_cidr)]


class GcpFoundationSettings(Strict):
    """The Google Cloud base of a stack: project APIs, a rotated customer-managed key,
    a data bucket and a pipeline-root bucket, placeholder service accounts (pipeline
    runner, training) without keys, a Docker repository, a private network, a log
    bucket and alert e-mails. Architectures of issue 10 extend it."""

    enabled: bool = Field(
        default=True,
        description="false: the section stays in the stack file but nothing is deployed.",
    )
    subnet_cidr: SubnetCidr = Field(
        default="10.50.0.0/20",
        description="Primary range of the one `workloads` subnet (RFC 1918; default a "
        "/20, 4,096 addresses). The subnet has Private Google Access and flow logs.",
    )
    cloud_nat: bool = Field(
        default=False,
        description="false (default): no Cloud Router or NAT; workloads reach Google APIs "
        "through Private Google Access only and nothing else on the internet. true: a "
        "router and NAT for the subnet (billed per hour and GB) for package mirrors and "
        "model hubs.",
    )
    flow_log_sampling: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Share of the subnet's flows logged (0-1]; flow logs are billed per "
        "GB ingested in Cloud Logging.",
    )
    key_rotation_days: int = Field(
        default=90,
        ge=2,
        le=90,
        description="Days between new primary versions of the customer-managed key "
        "(2-90; the CIS Google Cloud benchmark asks for at most 90). Old versions stay "
        "enabled, so earlier data still decrypts.",
    )
    data_lifecycle: LifecycleSettings = Field(
        default_factory=LifecycleSettings,
        description="Tiering and per-prefix expiry of the data bucket (default: nearline "
        "after 30 days, coldline after 90, nothing expired).",
    )
    pipeline_root_lifecycle: LifecycleSettings = Field(
        default_factory=LifecycleSettings,
        description="Tiering and per-prefix expiry of the pipeline-root bucket, where "
        "pipeline runs write their artifacts (same defaults as the data bucket).",
    )
    image_keep_recent_versions: int = Field(
        default=10,
        ge=1,
        description="Versions of each image the Docker repository keeps whatever their age.",
    )
    image_delete_untagged_after_days: int = Field(
        default=7,
        ge=1,
        description="Days after which untagged image versions are deleted (unless among "
        "the kept recent versions). Tagged versions are never deleted.",
    )
    log_retention_days: int = Field(
        default=30,
        ge=1,
        le=MAX_LOG_RETENTION_DAYS,
        description="Days the foundation's log bucket keeps logs (1-3650; 30 is Cloud "
        "Logging's free retention, longer is billed per GB and month).",
    )
    alert_emails: list[EmailStr] = Field(
        default_factory=list,
        description="One Cloud Monitoring e-mail notification channel per address, for "
        "the architectures' alert policies; empty (default): no channel.",
    )

    @field_validator("alert_emails")
    @classmethod
    def _distinct(cls, emails: list[str]) -> list[str]:
        seen = {e.lower() for e in emails}
        if len(seen) != len(emails):
            raise ValueError("an address is listed twice")
        return emails
