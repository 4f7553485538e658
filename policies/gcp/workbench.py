"""Vertex AI Workbench rules: no public IP, Shielded VM, idle shutdown."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, dig, number, resource_rule, truthy

INSTANCE = "gcp:workbench/instance:Instance"
IDLE_TIMEOUT_KEY = "idle-timeout-seconds"


@resource_rule(
    name="gcp-workbench-instance-disallow-public-ip",
    description="Vertex AI Workbench instances must not have a public IP address.",
    category=Category.SECURITY,
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set gce_setup.disable_public_ip=True and reach Google APIs through Private Google Access.",
    references=["CKV2_GCP_28"],
    resource_types=[INSTANCE],
)
def no_public_ip(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A notebook VM holds credentials and data; a public IP exposes it to the internet."""
    if not truthy(dig(args.props, "gceSetup", "disablePublicIp")):
        yield "gceSetup.disablePublicIp is not true."


@resource_rule(
    name="gcp-workbench-instance-require-shielded-vm",
    description="Vertex AI Workbench instances must use Shielded VM secure boot and integrity monitoring.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set gce_setup.shielded_instance_config enable_secure_boot and enable_integrity_monitoring to True.",
    references=["CKV_GCP_126", "CKV_GCP_127"],
    resource_types=[INSTANCE],
)
def shielded_vm(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Secure boot and integrity monitoring detect a tampered boot chain."""
    shielded = dig(args.props, "gceSetup", "shieldedInstanceConfig") or {}
    missing = [
        key
        for key in ("enableSecureBoot", "enableIntegrityMonitoring")
        if not truthy(shielded.get(key))
    ]
    if missing:
        yield f"gceSetup.shieldedInstanceConfig: {', '.join(missing)} not true."


@resource_rule(
    name="gcp-workbench-instance-require-idle-shutdown",
    description="Vertex AI Workbench instances must stop after at most maxIdleMinutes of idleness.",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set gce_setup.metadata['idle-timeout-seconds'] (e.g. '3600').",
    references=[
        "none (project rule: no public control requires idle shutdown of Workbench instances)"
    ],
    resource_types=[INSTANCE],
    config_schema={
        "maxIdleMinutes": {
            "type": "integer",
            "default": 180,
            "description": "Longest idle time, minutes.",
        }
    },
)
def idle_shutdown(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A forgotten notebook bills around the clock; GPU notebooks cost thousands a month."""
    seconds = number(dig(args.props, "gceSetup", "metadata", IDLE_TIMEOUT_KEY))
    limit = int(config["maxIdleMinutes"])
    if seconds is None:
        yield f"gceSetup.metadata['{IDLE_TIMEOUT_KEY}'] is not set."
    elif seconds > limit * 60:
        yield f"idle shutdown after {int(seconds) // 60} minutes; at most {limit} allowed."
