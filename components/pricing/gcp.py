"""Pricers for Google Cloud resource types (``gcp:*``), by the inputs of pulumi-gcp v9+.

Quirks: N1 machines take GPUs *attached* (the GPU is priced on top of the machine type),
while A2, A3, G2 and TPU machine types *include* their accelerators; a GKE node pool's
``minNodeCount``/``maxNodeCount`` are per zone (a regional pool spans three zones by
default) while ``totalMin/MaxNodeCount`` count the whole pool; GKE bills every cluster
a management fee, offset by a monthly credit per billing account (not per stack, so
not applied); Vertex AI online prediction cannot scale to zero (``minReplicaCount`` >= 1);
Cloud NAT bills per VM using it, so it is priced as usage."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from ..gcp.accelerators import machines
from .estimate import (
    BUDGET_AMOUNTS,
    Quote,
    Resource,
    Stack,
    flat,
    free,
    number,
    optional_number,
    pricer,
)

REGIONAL_POOL_ZONES = 3
"""Zones a regional GKE cluster's node pools span when ``nodeLocations`` is not set
(GKE: "regional clusters replicate node pools across three zones" by default)."""


@functools.cache
def built_in_accelerators() -> dict[str, int]:
    """Machine type -> GPUs or TPU chips it includes (A2, A3, G2, TPU types); N1 machines
    take attached GPUs (``guestAccelerators``) and are not listed."""
    return {
        m.machine_type: m.count
        for sizes in machines().values()
        for m in sizes.values()
        if not m.attached
    }


def _accelerator_sku(name: str) -> str:
    """``NVIDIA_TESLA_T4`` (Vertex, Workbench enums) or ``nvidia-tesla-t4`` -> the
    catalogue's ``nvidia-tesla-t4``."""
    return name.lower().replace("_", "-")


def _machine(
    quote: Quote, machine_type: str, accelerators: Any, low: float, high: float, service: str
) -> None:
    quote.scaled(service, machine_type, low, high)
    quote.accelerators(low * built_in_accelerators().get(machine_type, 0))
    for accelerator in accelerators or []:
        if not isinstance(accelerator, Mapping):
            continue
        kind = accelerator.get("type") or accelerator.get("acceleratorType")
        count = number(accelerator.get("count") or accelerator.get("coreCount"), 1.0)
        if isinstance(kind, str):
            gpu_service = "vertex-prediction-gpu" if service == "vertex-prediction" else "gpu"
            quote.scaled(gpu_service, _accelerator_sku(kind), low * count, high * count)
            quote.accelerators(low * count)


def _pool_zones(resource: Resource, stack: Stack) -> int:
    locations = resource.inputs.get("nodeLocations")
    if isinstance(locations, list) and locations:
        return len(locations)
    where = str(resource.inputs.get("location") or "")
    return 1 if where.count("-") >= 2 else REGIONAL_POOL_ZONES


@pricer("gcp:container/cluster:Cluster")
def gke_cluster(resource: Resource, stack: Stack, quote: Quote) -> None:
    quote.always_on("gke", "cluster-management")
    if resource.inputs.get("enableAutopilot"):
        quote.per_use("gke", "autopilot-vcpu", "Autopilot pod vCPU requested")
    elif resource.inputs.get("nodePools") or not resource.inputs.get("removeDefaultNodePool"):
        quote.note("the default node pool is priced only when declared as a NodePool")


@pricer("gcp:container/nodePool:NodePool")
def gke_node_pool(resource: Resource, stack: Stack, quote: Quote) -> None:
    config = resource.inputs.get("nodeConfig") or {}
    machine_type = str(config.get("machineType") or "e2-medium")
    zones = _pool_zones(resource, stack)
    scaling = resource.inputs.get("autoscaling") or {}
    fixed = number(
        resource.inputs.get("nodeCount"), number(resource.inputs.get("initialNodeCount"), 1.0)
    )
    if "totalMinNodeCount" in scaling or "totalMaxNodeCount" in scaling:
        low = number(scaling.get("totalMinNodeCount"))
        high = number(scaling.get("totalMaxNodeCount"), low)
    elif scaling:
        low = number(scaling.get("minNodeCount")) * zones
        high = number(scaling.get("maxNodeCount")) * zones
    else:
        low = high = fixed * zones
    _machine(quote, machine_type, config.get("guestAccelerators"), low, high, "gce")
    if config.get("spot") or config.get("preemptible"):
        quote.note("Spot nodes: priced on demand; Spot runs 60-91 % below")


@pricer("gcp:compute/instance:Instance")
def gce_instance(resource: Resource, stack: Stack, quote: Quote) -> None:
    inputs = resource.inputs
    _machine(
        quote, str(inputs.get("machineType") or ""), inputs.get("guestAccelerators"), 1, 1, "gce"
    )


@pricer("gcp:workbench/instance:Instance")
def workbench_instance(resource: Resource, stack: Stack, quote: Quote) -> None:
    """Bills its VM until stopped (idle shutdown stops it)."""
    setup = resource.inputs.get("gceSetup") or {}
    _machine(
        quote, str(setup.get("machineType") or ""), setup.get("acceleratorConfigs"), 1, 1, "gce"
    )
    quote.per_use("workbench", "management-vcpu", "Workbench management fee per vCPU-hour")


@pricer("gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool")
def vertex_resource_pool(resource: Resource, stack: Stack, quote: Quote) -> None:
    """Prediction nodes between minReplicaCount (at least 1: Vertex AI prediction does
    not scale to zero) and maxReplicaCount."""
    dedicated = resource.inputs.get("dedicatedResources") or {}
    spec = dedicated.get("machineSpec") or {}
    low = max(1.0, number(dedicated.get("minReplicaCount"), 1.0))
    high = max(low, number(dedicated.get("maxReplicaCount"), low))
    accelerators = (
        [{"type": spec["acceleratorType"], "count": spec.get("acceleratorCount", 1)}]
        if spec.get("acceleratorType")
        else []
    )
    _machine(
        quote, str(spec.get("machineType") or ""), accelerators, low, high, "vertex-prediction"
    )
    quote.note("Vertex AI prediction keeps at least one node per deployed model")


@pricer("gcp:tpu/v2Vm:V2Vm")
def tpu_vm(resource: Resource, stack: Stack, quote: Quote) -> None:
    """Cloud TPU bills per chip-hour; ``v5litepod-N`` and ``v6e-N`` name N chips."""
    kind = str(resource.inputs.get("acceleratorType") or "")
    family, _, chips = kind.rpartition("-")
    if family in ("v5litepod", "v6e") and chips.isdigit():
        quote.always_on("tpu", family, float(chips))
        quote.accelerators(float(chips))
    else:
        quote.missing.append(f"chip count of TPU type {kind or '(unset)'}")


@pricer("gcp:compute/address:Address")
def address(resource: Resource, stack: Stack, quote: Quote) -> None:
    if resource.inputs.get("addressType") == "INTERNAL":
        quote.note("internal addresses have no charge")
    else:
        quote.always_on("network", "external-ip")


@pricer("gcp:kms/cryptoKey:CryptoKey")
def crypto_key(resource: Resource, stack: Stack, quote: Quote) -> None:
    """One active key version; each rotation adds a billed version until old ones are
    destroyed."""
    ring = str(resource.inputs.get("keyRing") or "").split("/")
    if len(ring) > 3 and ring[2] == "locations":
        quote.region = ring[3]
    level = str((resource.inputs.get("versionTemplate") or {}).get("protectionLevel") or "")
    quote.always_on("kms", "hsm-key-version" if level == "HSM" else "software-key-version")
    quote.per_use("kms", "operations", "cryptographic operations")
    if resource.inputs.get("rotationPeriod"):
        quote.note("rotation adds one billed key version per period until old ones are destroyed")


@pricer("gcp:logging/projectBucketConfig:ProjectBucketConfig")
def log_bucket(resource: Resource, stack: Stack, quote: Quote) -> None:
    quote.per_use("logging", "ingestion", "log data ingested")
    if number(resource.inputs.get("retentionDays")) > 30:
        quote.per_use("logging", "retention", "log data kept beyond 30 days")


@pricer("gcp:storage/bucket:Bucket")
def storage_bucket(resource: Resource, stack: Stack, quote: Quote) -> None:
    storage_class = str(resource.inputs.get("storageClass") or "STANDARD")
    quote.per_use("storage", storage_class, f"data stored ({storage_class})")


flat(
    "gcp:compute/routerNat:RouterNat",
    usage=(("nat", "gateway-vm", "per VM using the gateway"), ("nat", "data", "data processed")),
)
flat(
    "gcp:artifactregistry/repository:Repository",
    usage=(("artifactregistry", "storage", "images stored"),),
)
flat(
    "gcp:pubsub/topic:Topic", usage=(("pubsub", "throughput", "messages published and delivered"),)
)


def budget_amount(inputs: Mapping[str, Any]) -> float | None:
    """``amount.specifiedAmount``: whole ``units`` (a string) plus ``nanos``."""
    specified = (inputs.get("amount") or {}).get("specifiedAmount") or {}
    units = optional_number(specified.get("units"))
    return None if units is None else units + number(specified.get("nanos")) / 1e9


BUDGET_AMOUNTS["gcp:billing/budget:Budget"] = budget_amount

free(
    "no charge for the resource itself",
    "gcp:projects/service:Service",
    "gcp:monitoring/dashboard:Dashboard",
    "gcp:projects/serviceIdentity:ServiceIdentity",
    "gcp:projects/iAMMember:IAMMember",
    "gcp:serviceaccount/account:Account",
    "gcp:serviceaccount/iAMMember:IAMMember",
    "gcp:storage/bucketIAMMember:BucketIAMMember",
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    "gcp:kms/keyRing:KeyRing",
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
    "gcp:compute/network:Network",
    "gcp:compute/subnetwork:Subnetwork",
    "gcp:compute/firewall:Firewall",
    "gcp:compute/router:Router",
    "gcp:compute/globalAddress:GlobalAddress",
    "gcp:servicenetworking/connection:Connection",
    "gcp:monitoring/notificationChannel:NotificationChannel",
    "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
    "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
    "gcp:pubsub/topicIAMMember:TopicIAMMember",
    "gcp:pubsub/subscription:Subscription",
    "gcp:billing/budget:Budget",
    "gcp:cloudquota/sQuotaPreference:SQuotaPreference",
)
free(
    "billed through the resources that use it",
    "gcp:logging/projectSink:ProjectSink",
    "gcp:vertex/aiEndpoint:AiEndpoint",
)

# Architectures 7-9: grants and memberships are free; what stores data or runs jobs is
# billed by use (storage per GB-month, alerting per condition, scheduler jobs per month).
free(
    "no charge for the resource itself",
    "gcp:bigquery/datasetIamMember:DatasetIamMember",
)
flat("gcp:bigquery/dataset:Dataset", usage=(("bigquery", "storage", "data stored"),))
flat("gcp:cloudscheduler/job:Job", usage=(("cloudscheduler", "job", "jobs a month"),))
flat(
    "gcp:monitoring/alertPolicy:AlertPolicy",
    usage=(("monitoring", "alert-condition", "alert conditions a month"),),
)
flat(
    "gcp:vertex/aiMetadataStore:AiMetadataStore",
    usage=(("vertex", "metadata-storage", "metadata stored"),),
)
flat(
    "gcp:vertex/aiTensorboard:AiTensorboard",
    usage=(("vertex", "tensorboard-storage", "logs stored"),),
)
flat(
    "gcp:gkehub/membership:Membership",
    usage=(("gkehub", "attached-cluster-vcpu", "vCPU-hours of the attached cluster"),),
)
