"""Vertex AI rules: customer-managed keys on endpoints, the metadata store and
TensorBoards, private endpoints, and the cost of online prediction: replica floors,
machine types and GPUs per environment."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import (
    Category,
    dig,
    fmt_number,
    is_set,
    matches_any,
    number,
    resource_rule,
    string_list_schema,
    truthy,
)

ENDPOINT = "gcp:vertex/aiEndpoint:AiEndpoint"
METADATA_STORE = "gcp:vertex/aiMetadataStore:AiMetadataStore"
TENSORBOARD = "gcp:vertex/aiTensorboard:AiTensorboard"
POOL = "gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool"

MANDATORY = EnforcementLevel.MANDATORY

GPU_MACHINE_FAMILIES = ("a2-*", "a3-*", "a4-*", "g2-*", "g4-*")
"""Machine families whose GPUs are built in (https://cloud.google.com/compute/docs/gpus)."""


def _cmek(props: Mapping[str, Any]) -> Iterator[str]:
    if not is_set(props.get("encryptionSpec") or {}, "kmsKeyName"):
        yield "encryptionSpec.kmsKeyName is not set."


@resource_rule(
    name="gcp-vertex-endpoint-require-cmek",
    description="Vertex AI endpoints must be encrypted with a customer-managed key.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set encryption_spec={'kms_key_name': key.id} (fixed at creation) after granting the Vertex AI service agent the key.",
    references=["CKV2_GCP_24"],
    resource_types=[ENDPOINT],
)
def endpoint_cmek(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """The endpoint's deployed models and their caches are encrypted with it."""
    yield from _cmek(args.props)


@resource_rule(
    name="gcp-vertex-endpoint-require-private",
    description="Vertex AI endpoints must be private: Private Service Connect or a peered VPC network.",
    category=Category.SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set private_service_connect_config={'enable_private_service_connect': True, 'project_allowlists': [...]} or network=projects/<number>/global/networks/<name>.",
    references=["CKV2_GCP_33"],
    resource_types=[ENDPOINT],
)
def endpoint_private(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A public endpoint is reachable from the internet; IAM guards it, but scanning and
    stolen tokens reach it. Advisory in dev, where a public endpoint saves the PSC
    endpoint's cost."""
    psc = truthy(dig(args.props, "privateServiceConnectConfig", "enablePrivateServiceConnect"))
    if not psc and not is_set(args.props, "network"):
        yield "neither privateServiceConnectConfig.enablePrivateServiceConnect nor network is set."


@resource_rule(
    name="gcp-vertex-metadata-store-require-cmek",
    description="Vertex AI metadata stores must be encrypted with a customer-managed key.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set encryption_spec={'kms_key_name': key.id}; the key cannot change later (the store is replaced).",
    references=["CKV_GCP_96"],
    resource_types=[METADATA_STORE],
)
def metadata_cmek(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Lineage names every dataset, model and parameter of every run."""
    yield from _cmek(args.props)


@resource_rule(
    name="gcp-vertex-tensorboard-require-cmek",
    description="Vertex AI TensorBoards must be encrypted with a customer-managed key.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set encryption_spec={'kms_key_name': key.id}.",
    references=["CKV2_GCP_26"],
    resource_types=[TENSORBOARD],
)
def tensorboard_cmek(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Experiment logs carry metrics, samples and hyperparameters."""
    yield from _cmek(args.props)


@resource_rule(
    name="gcp-vertex-deployment-pool-cap-min-replicas",
    description="A Vertex AI deployment resource pool's replica floor must stay within the environment's cap.",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Lower dedicated_resources.min_replica_count and let autoscaling add replicas; raise maxMinReplicas in policies/config/<env>.json after review.",
    references=["none (project rule: no public control caps the replica floor of an endpoint)"],
    resource_types=[POOL],
    config_schema={
        "maxMinReplicas": {
            "type": "integer",
            "default": 1,
            "description": "Highest min_replica_count allowed; replicas below the floor are billed around the clock.",
        }
    },
)
def pool_min_replicas(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Vertex AI never scales dedicated resources below the floor: every replica of it
    is billed around the clock, idle or not."""
    floor = number(dig(args.props, "dedicatedResources", "minReplicaCount"))
    cap = int(config["maxMinReplicas"])
    if floor is not None and floor > cap:
        yield f"minReplicaCount is {fmt_number(floor)}; at most {cap} allowed in this environment."


@resource_rule(
    name="gcp-vertex-deployment-pool-require-allowed-machine",
    description="Vertex AI deployment resource pools must use machine types and GPUs allowed in the environment.",
    category=Category.COST,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Pick a machine type from allowedMachineTypes; GPUs need their Vertex AI accelerator type in allowedAcceleratorTypes of policies/config/<env>.json.",
    references=["none (project rule: no public control limits Vertex AI machine types)"],
    resource_types=[POOL],
    config_schema={
        "allowedMachineTypes": string_list_schema(
            "Shell patterns of allowed machine types.",
            ["n1-standard-*", "n2-standard-*", "e2-standard-*"],
        ),
        "allowedAcceleratorTypes": string_list_schema(
            "Vertex AI accelerator types allowed (NVIDIA_TESLA_T4 ...); empty: no GPUs.", []
        ),
    },
)
def pool_machine(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A GPU replica costs ten to a hundred times a CPU one; GPUs appear only in the
    environments whose config names them."""
    spec = dig(args.props, "dedicatedResources", "machineSpec") or {}
    machine = spec.get("machineType")
    accelerator = spec.get("acceleratorType")
    allowed_gpus = list(config["allowedAcceleratorTypes"])
    if isinstance(machine, str) and not matches_any(machine, config["allowedMachineTypes"]):
        gpu_family = matches_any(machine, GPU_MACHINE_FAMILIES)
        if not (gpu_family and accelerator in allowed_gpus):
            yield f"machine type {machine} is not allowed in this environment."
    if accelerator and accelerator not in allowed_gpus:
        yield f"accelerator {accelerator} is not allowed in this environment."
