"""A Vertex AI Workbench instance for interactive work: no public IP, on the stack's
subnet, running as a given service account, stopped when idle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_gcp as gcp

from .. import naming
from ._common import label_problems, raise_problems

SERVICES = ("notebooks.googleapis.com", "compute.googleapis.com")
"""APIs this block needs enabled (``ProjectServices``): Workbench instances are served
by the Notebooks API."""

IDLE_TIMEOUT_KEY = "idle-timeout-seconds"
"""Instance metadata that makes Workbench stop an idle instance
(https://cloud.google.com/vertex-ai/docs/workbench/instances/idle-shutdown)."""


@dataclass
class WorkbenchArgs:
    zone: str
    """Zone of the instance (``europe-west4-a``)."""
    network: pulumi.Input[str]
    subnet: pulumi.Input[str]
    service_account_email: pulumi.Input[str]
    labels: Mapping[str, str]
    machine_type: str = "e2-standard-4"
    idle_shutdown_minutes: int = 60
    owners: Sequence[str] = field(default_factory=list)
    """E-mail addresses of the users who may open it; empty: service-account mode."""


class Workbench(pulumi.ComponentResource):
    """One ``workbench.Instance``: ``disable_public_ip``, secure boot and integrity
    monitoring (Shielded VM), idle shutdown, the given subnet and service account."""

    instance: gcp.workbench.Instance
    instance_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: WorkbenchArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:Workbench", name, None, opts)
        problems = label_problems(args.labels)
        if not 10 <= args.idle_shutdown_minutes <= 1440:
            problems.append(f"idle_shutdown_minutes: {args.idle_shutdown_minutes} is not 10-1440")
        raise_problems("WorkbenchArgs", problems)
        self.instance = gcp.workbench.Instance(
            naming.child(name),
            location=args.zone,
            gce_setup={
                "machine_type": args.machine_type,
                "disable_public_ip": True,
                "network_interfaces": [{"network": args.network, "subnet": args.subnet}],
                "service_accounts": [{"email": args.service_account_email}],
                "shielded_instance_config": {
                    "enable_secure_boot": True,
                    "enable_integrity_monitoring": True,
                    "enable_vtpm": True,
                },
                "metadata": {IDLE_TIMEOUT_KEY: str(args.idle_shutdown_minutes * 60)},
            },
            instance_owners=list(args.owners) or None,
            disable_proxy_access=False,
            labels=dict(args.labels),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.instance_id = self.instance.id
        self.register_outputs({"instance_id": self.instance_id})
