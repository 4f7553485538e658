"""Azure Machine Learning rules (architecture 4, Azure ML with Azure DevOps): workspaces,
compute clusters and instances, online endpoints and deployments, registries.

Security rules keep the ML plane private and Entra-only; cost rules keep clusters at
zero nodes when idle, instances stopping on idle, GPU clusters low priority, and
endpoint instance counts and sizes within each environment's limits (policy config)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import (
    Category,
    dig,
    fmt_number,
    matches_any,
    number,
    resource_rule,
    string_list_schema,
    truthy,
)

ML = "azure-native:machinelearningservices"
WORKSPACE = f"{ML}:Workspace"
COMPUTE = f"{ML}:Compute"
ENDPOINT = f"{ML}:OnlineEndpoint"
DEPLOYMENT = f"{ML}:OnlineDeployment"
REGISTRY = f"{ML}:Registry"

SECURITY = Category.SECURITY
COST = Category.COST
MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY

GPU_SIZE = re.compile(r"^Standard_N[CDVG]", re.IGNORECASE)
"""Azure's GPU VM families: NC, ND, NV and NG (N-series,
https://learn.microsoft.com/azure/virtual-machines/sizes/overview#gpu-accelerated)."""

_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def iso_seconds(value: Any) -> float | None:
    """Seconds of an ISO 8601 duration (``PT2M``, ``PT120S``, ``P1DT2H``); ``None``
    when it is not one."""
    if not isinstance(value, str):
        return None
    found = _DURATION.match(value.strip().upper())
    if not found or value.strip().upper() in ("P", "PT"):
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in found.groups())
    return float(((days * 24 + hours) * 60 + minutes) * 60 + seconds)


def _compute(args: ResourceValidationArgs) -> tuple[str, Any, Any]:
    """``(computeType, properties, inner properties)`` of a Compute resource."""
    outer = args.props.get("properties")
    return str(dig(outer, "computeType") or ""), outer, dig(outer, "properties")


def _idle_limit(field: str, value: Any, limit: float, unit: str, example: str) -> Iterator[str]:
    """A violation when ``value`` is not an ISO 8601 duration of at most ``limit``
    ``unit`` (``seconds`` or ``minutes``)."""
    seconds = iso_seconds(value)
    scale = 60 if unit == "minutes" else 1
    if seconds is None:
        yield (
            f"{field} is {value or 'unset (never)'}; set an ISO 8601 duration of at most "
            f"{fmt_number(limit)} {unit} (e.g. '{example}')."
        )
    elif seconds > limit * scale:
        yield f"{field} is {value} ({fmt_number(seconds)} s); at most {fmt_number(limit)} {unit}."


def _public(args: ResourceValidationArgs, path: tuple[str, ...], what: str) -> Iterator[str]:
    value = dig(args.props, *path)
    if value != "Disabled":
        yield (
            f"{'.'.join(path)} is {value or 'unset (Azure default: Enabled)'}; set it to "
            f"'Disabled' and reach the {what} through a private endpoint."
        )


# -- workspaces ----------------------------------------------------------------------------


@resource_rule(
    name="azure-ml-workspace-disallow-public-network-access",
    description="Azure ML workspaces must not accept requests from the public internet.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set public_network_access='Disabled'; reach the workspace through a private "
    "endpoint (studio, SDK and agents in a linked network).",
    references=["Azure Policy 438c38d2-3772-465a-a9cc-7a6666a275ce"],
    resource_types=[WORKSPACE],
)
def workspace_public(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A public workspace exposes its APIs, models and data-plane tokens to scanning and
    credential stuffing from anywhere."""
    yield from _public(args, ("publicNetworkAccess",), "workspace")


@resource_rule(
    name="azure-ml-workspace-require-managed-network",
    description="Azure ML workspaces must isolate their compute in a managed virtual network.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set managed_network.isolation_mode to 'AllowOnlyApprovedOutbound' (or "
    "'AllowInternetOutbound'); the choice is permanent once the workspace exists.",
    references=["none (project rule: no built-in control checks the managed network mode)"],
    resource_types=[WORKSPACE],
)
def workspace_managed_network(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """Without managed network isolation, clusters, instances and managed endpoints get
    public IPs and reach the workspace's storage, vault and registry over the internet.
    An update that leaves the block out is refused once it was on (traps-azure-gcp #6)."""
    mode = dig(args.props, "managedNetwork", "isolationMode")
    if mode not in ("AllowInternetOutbound", "AllowOnlyApprovedOutbound"):
        yield (
            f"managedNetwork.isolationMode is {mode or 'unset (Disabled)'}; set "
            "'AllowOnlyApprovedOutbound' or 'AllowInternetOutbound'."
        )


@resource_rule(
    name="azure-ml-workspace-require-identity-datastore-auth",
    description="Azure ML workspaces must reach their system datastores with their identity.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set system_datastores_auth_mode='Identity' and disable shared keys on the "
    "workspace's storage account.",
    references=["none (project rule: identity-based datastores replace stored account keys)"],
    resource_types=[WORKSPACE],
)
def workspace_datastore_auth(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """With the default (``AccessKey``) the workspace stores the storage account's key
    as a secret and every user of the datastores works with a long-lived key."""
    mode = args.props.get("systemDatastoresAuthMode")
    if mode != "Identity":
        yield f"systemDatastoresAuthMode is {mode or 'unset (AccessKey)'}; set 'Identity'."


@resource_rule(
    name="azure-ml-workspace-require-cmk",
    description="Azure ML workspaces should encrypt their metadata with a customer-managed key.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=ADVISORY,
    remediation="Set encryption (status 'Enabled', key_vault_properties of a key in a "
    "purge-protected vault, identity.user_assigned_identity) at creation: it cannot be "
    "added later.",
    references=["Azure Policy ba769a63-b8cc-4b2d-abf6-ac33c7204be8"],
    resource_types=[WORKSPACE],
)
def workspace_cmk(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A customer-managed key lets the platform team revoke access to the workspace's
    metadata; regulated environments require it. Create-time only, so the policy config
    makes it mandatory where it applies (prod)."""
    status = dig(args.props, "encryption", "status")
    if status != "Enabled":
        yield f"encryption.status is {status or 'unset (Microsoft-managed keys)'}; set 'Enabled'."


# -- compute ---------------------------------------------------------------------------------


@resource_rule(
    name="azure-ml-compute-disallow-local-auth",
    description="Azure ML compute clusters and instances must use Entra ID only (no SSH).",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set disable_local_auth=True on the compute's properties.",
    references=["Azure Policy e96a9a5f-07ca-471b-9bc5-6a0f33cbd68f"],
    resource_types=[COMPUTE],
)
def compute_local_auth(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Local accounts (SSH users and keys) bypass Entra ID, conditional access and audit."""
    kind, outer, _ = _compute(args)
    if kind not in ("AmlCompute", "ComputeInstance"):
        return
    if not truthy(dig(outer, "disableLocalAuth")):
        yield "properties.disableLocalAuth is not true; set it to true."


@resource_rule(
    name="azure-ml-compute-disallow-public-ip",
    description="Azure ML compute clusters and instances must not have public IP addresses.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set enable_node_public_ip=False and run the compute in the workspace's "
    "managed network (or a subnet).",
    references=["Azure Policy 7804b5c7-01dc-4723-969b-ae300cc07ff1"],
    resource_types=[COMPUTE],
)
def compute_public_ip(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Nodes with public IPs are addressable from the internet; Azure gives them one by
    default."""
    kind, _, inner = _compute(args)
    if kind not in ("AmlCompute", "ComputeInstance"):
        return
    if dig(inner, "enableNodePublicIp") is not False:
        yield (
            "properties.properties.enableNodePublicIp is not false (Azure default: true); "
            "set it to false."
        )


@resource_rule(
    name="azure-ml-compute-cluster-require-scale-to-zero",
    description="Azure ML compute clusters must scale to zero nodes when idle.",
    category=COST,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set scale_settings.min_node_count=0; jobs wait for a node to start instead "
    "of paying for idle ones.",
    references=["none (project rule: Azure Policy has no built-in for cluster minimum nodes)"],
    resource_types=[COMPUTE],
)
def cluster_scale_to_zero(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A cluster with a minimum above zero bills every minimum node around the clock."""
    kind, _, inner = _compute(args)
    if kind != "AmlCompute":
        return
    minimum = number(dig(inner, "scaleSettings", "minNodeCount")) or 0.0
    if minimum > 0:
        yield (
            f"scaleSettings.minNodeCount is {fmt_number(minimum)}; set 0 so an idle cluster "
            "has no node."
        )


@resource_rule(
    name="azure-ml-compute-cluster-require-idle-scale-down",
    description="Azure ML compute clusters must release idle nodes quickly.",
    category=COST,
    severity=Severity.LOW,
    enforcement=MANDATORY,
    remediation="Set scale_settings.node_idle_time_before_scale_down to an ISO 8601 duration "
    "within the limit (e.g. 'PT120S').",
    references=["none (project rule: Azure Policy has no built-in for cluster idle time)"],
    resource_types=[COMPUTE],
    config_schema={
        "maxIdleSeconds": {
            "type": "integer",
            "minimum": 60,
            "default": 1800,
            "description": "Longest idle time before a node is released, in seconds.",
        }
    },
)
def cluster_idle_scale_down(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """Without the setting a node idles for the service default before it goes; each
    idle minute of a GPU node costs as much as a busy one."""
    kind, _, inner = _compute(args)
    if kind != "AmlCompute":
        return
    yield from _idle_limit(
        "scaleSettings.nodeIdleTimeBeforeScaleDown",
        dig(inner, "scaleSettings", "nodeIdleTimeBeforeScaleDown"),
        config["maxIdleSeconds"],
        "seconds",
        "PT120S",
    )


@resource_rule(
    name="azure-ml-compute-cluster-gpu-require-low-priority",
    description="Azure ML GPU clusters must use low-priority nodes.",
    category=COST,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set vm_priority='LowPriority' (CapacityStrategy spot_first) and checkpoint "
    "training jobs; use dedicated nodes only where the policy config disables this rule.",
    references=["none (project rule: spot-first GPUs are this project's cost guardrail)"],
    resource_types=[COMPUTE],
)
def cluster_gpu_low_priority(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """Low-priority GPU nodes cost a fraction of dedicated ones; training with checkpoints
    survives pre-emption."""
    kind, _, inner = _compute(args)
    size = str(dig(inner, "vmSize") or "")
    if kind != "AmlCompute" or not GPU_SIZE.match(size):
        return
    priority = dig(inner, "vmPriority")
    if priority != "LowPriority":
        yield (
            f"vmPriority of GPU size {size} is {priority or 'unset (Dedicated)'}; set "
            "'LowPriority'."
        )


@resource_rule(
    name="azure-ml-compute-instance-require-idle-shutdown",
    description="Azure ML compute instances must shut down when idle.",
    category=COST,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set idle_time_before_shutdown to an ISO 8601 duration such as 'PT60M' "
    "(15 minutes to 3 days).",
    references=["Azure Policy 679ddf89-ab8f-48a5-9029-e76054077449"],
    resource_types=[COMPUTE],
    config_schema={
        "maxIdleMinutes": {
            "type": "integer",
            "minimum": 15,
            "maximum": 4320,
            "default": 240,
            "description": "Longest idle time before the instance stops, in minutes.",
        }
    },
)
def instance_idle_shutdown(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """The SDK has no default: an instance created from code without it runs, and bills,
    until someone stops it (traps-azure-gcp #12)."""
    kind, _, inner = _compute(args)
    if kind != "ComputeInstance":
        return
    yield from _idle_limit(
        "idleTimeBeforeShutdown",
        dig(inner, "idleTimeBeforeShutdown"),
        config["maxIdleMinutes"],
        "minutes",
        "PT60M",
    )


# -- online endpoints and deployments -----------------------------------------------------


@resource_rule(
    name="azure-ml-online-endpoint-disallow-public-network-access",
    description="Azure ML online endpoints must not accept scoring requests from the internet.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set properties.public_network_access='Disabled'; clients score through the "
    "workspace's private endpoint.",
    references=["none (project rule: no built-in control covers online endpoints)"],
    resource_types=[ENDPOINT],
)
def endpoint_public(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A public scoring URI can be called (and its keys tried) from anywhere."""
    yield from _public(args, ("properties", "publicNetworkAccess"), "endpoint")


@resource_rule(
    name="azure-ml-online-endpoint-require-aad-auth",
    description="Azure ML online endpoints must authenticate callers with Entra ID tokens.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set properties.auth_mode='AADToken' and grant callers a role on the endpoint.",
    references=["none (project rule: no built-in control covers endpoint auth modes)"],
    resource_types=[ENDPOINT],
)
def endpoint_aad(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Endpoint keys are static secrets: anyone holding one scores until it is rotated;
    Entra tokens expire and are tied to an identity and its roles."""
    mode = dig(args.props, "properties", "authMode")
    if mode != "AADToken":
        yield f"properties.authMode is {mode or 'unset'}; set 'AADToken'."


@resource_rule(
    name="azure-ml-online-deployment-disallow-egress-public-access",
    description="Azure ML managed online deployments must not open outbound internet access.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set properties.egress_public_network_access='Disabled' (the SDK defaults it "
    "to Enabled); outbound goes through the workspace's managed network.",
    references=["none (project rule: no built-in control covers deployment egress)"],
    resource_types=[DEPLOYMENT],
)
def deployment_egress(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A serving container with open egress can send request data anywhere."""
    if dig(args.props, "properties", "endpointComputeType") != "Managed":
        return
    value = dig(args.props, "properties", "egressPublicNetworkAccess")
    if value != "Disabled":
        yield (
            f"properties.egressPublicNetworkAccess is {value or 'unset (Enabled)'}; set 'Disabled'."
        )


@resource_rule(
    name="azure-ml-online-deployment-require-instance-count",
    description="Azure ML online deployments must run an instance count within the "
    "environment's limits.",
    category=COST,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set sku.capacity (the starting count, also the autoscale minimum) between "
    "the configured minInstances and maxInstances.",
    references=["none (project rule: instance counts per environment are stack policy)"],
    resource_types=[DEPLOYMENT],
    config_schema={
        "minInstances": {
            "type": "integer",
            "minimum": 1,
            "default": 1,
            "description": "Fewest instances (prod: 2, so an instance can fail or update).",
        },
        "maxInstances": {
            "type": "integer",
            "minimum": 1,
            "default": 4,
            "description": "Most instances a deployment may start with.",
        },
    },
)
def deployment_instance_count(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """One instance has no redundancy for updates and node failures in production; many
    instances in dev are spend nobody uses."""
    capacity = number(dig(args.props, "sku", "capacity"))
    low, high = fmt_number(config["minInstances"]), fmt_number(config["maxInstances"])
    if capacity is None:
        yield f"sku.capacity is unset; set it between {low} and {high}."
    elif not config["minInstances"] <= capacity <= config["maxInstances"]:
        yield f"sku.capacity is {fmt_number(capacity)}; it must be between {low} and {high}."


@resource_rule(
    name="azure-ml-online-deployment-require-allowed-instance-type",
    description="Azure ML online deployments must use an instance type allowed in the "
    "environment (GPU types only where configured).",
    category=COST,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Pick an instance_type matching allowedInstanceTypes, or a GPU type listed "
    "in allowedAcceleratedInstanceTypes for this environment.",
    references=["none (project rule: instance allowlists per environment are stack policy)"],
    resource_types=[DEPLOYMENT],
    config_schema={
        "allowedInstanceTypes": string_list_schema(
            "Accepted CPU instance-type patterns.",
            ["Standard_DS*_v2", "Standard_F*s_v2", "Standard_E*s_v3"],
        ),
        "allowedAcceleratedInstanceTypes": string_list_schema(
            "Accepted GPU instance-type patterns (empty: none).", []
        ),
    },
)
def deployment_instance_type(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """Serving on an unreviewed (often GPU) size is the quickest way to overspend."""
    size = str(dig(args.props, "properties", "instanceType") or "")
    if not size:
        return
    allowed = (
        config["allowedAcceleratedInstanceTypes"]
        if GPU_SIZE.match(size)
        else config["allowedInstanceTypes"]
    )
    if not matches_any(size, allowed):
        yield f"instance type {size} is not allowed in this environment."


# -- registries --------------------------------------------------------------------------


@resource_rule(
    name="azure-ml-registry-disallow-public-network-access",
    description="Azure ML registries must not accept requests from the public internet.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set public_network_access='Disabled'; workspaces reach the registry through "
    "a managed-network private endpoint (sub-resource amlregistry).",
    references=["none (project rule: no built-in control covers ML registries)"],
    resource_types=[REGISTRY],
)
def registry_public(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """The registry holds every environment's production models."""
    yield from _public(args, ("publicNetworkAccess",), "registry")
