"""Pricers for Azure resource types (``azure-native:*``), by the inputs of
pulumi-azure-native v3.

Quirks: a VM size's price includes its GPUs (NC/ND/NV series); AKS bills its control
plane by tier (Free has no charge) and its nodes as VMs; the system pool cannot scale
to zero; AML compute clusters scale to ``minNodeCount`` (0 by default) while compute
instances bill until stopped; a container registry bills per day by SKU whether used
or not."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from ..azure.accelerators import machines
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


@functools.cache
def gpus_per_size() -> dict[str, int]:
    """VM size -> GPUs, from the accelerator data (sizes not listed have none)."""
    return {m.machine_type: m.count for sizes in machines().values() for m in sizes.values()}


def _vms(quote: Quote, size: str, low: float, high: float) -> None:
    quote.scaled("vm", size, low, high)
    quote.accelerators(low * gpus_per_size().get(size, 0))


def _pool(quote: Quote, pool: Mapping[str, Any]) -> None:
    """An AKS node pool: ``count`` nodes, or ``minCount``..``maxCount`` when the cluster
    autoscaler is on."""
    size = str(pool.get("vmSize") or "")
    count = number(pool.get("count"), 1.0)
    if pool.get("enableAutoScaling"):
        low = number(pool.get("minCount"), count)
        high = number(pool.get("maxCount"), low)
    else:
        low = high = count
    _vms(quote, size, low, high)
    if pool.get("scaleSetPriority") == "Spot":
        quote.note(f"{size}: Spot priority, priced at pay-as-you-go")
    if pool.get("mode") == "System" and low > 0:
        quote.note(f"system pool keeps {low:g} {size} node(s) running")


@pricer("azure-native:containerservice:ManagedCluster")
def aks_cluster(resource: Resource, stack: Stack, quote: Quote) -> None:
    tier = str((resource.inputs.get("sku") or {}).get("tier") or "Free")
    quote.always_on("aks", tier)
    for pool in resource.inputs.get("agentPoolProfiles") or []:
        if isinstance(pool, Mapping):
            _pool(quote, pool)


@pricer("azure-native:containerservice:AgentPool")
def aks_agent_pool(resource: Resource, stack: Stack, quote: Quote) -> None:
    _pool(quote, resource.inputs)


@pricer("azure-native:machinelearningservices:Compute")
def aml_compute(resource: Resource, stack: Stack, quote: Quote) -> None:
    """AmlCompute clusters scale between minNodeCount and maxNodeCount; a compute
    instance bills around the clock unless a schedule stops it; attached Kubernetes
    compute bills through its cluster."""
    properties = resource.inputs.get("properties") or {}
    kind = properties.get("computeType")
    inner = properties.get("properties") or {}
    size = str(inner.get("vmSize") or "")
    if kind == "AmlCompute":
        scale = inner.get("scaleSettings") or {}
        low = number(scale.get("minNodeCount"))
        _vms(quote, size, low, number(scale.get("maxNodeCount"), low))
        if inner.get("vmPriority") == "LowPriority":
            quote.note("low-priority nodes: priced at pay-as-you-go")
    elif kind == "ComputeInstance":
        _vms(quote, size, 1, 1)
        quote.note("a compute instance bills until stopped (idle shutdown stops it)")
    else:
        quote.note(f"{kind} compute bills through the resource it attaches")


@pricer("azure-native:machinelearningservices:OnlineDeployment")
def aml_online_deployment(resource: Resource, stack: Stack, quote: Quote) -> None:
    """Managed online deployments bill per instance-hour (instanceType x instances);
    Kubernetes deployments bill through their cluster."""
    properties = resource.inputs.get("properties") or {}
    if properties.get("endpointComputeType") == "Kubernetes":
        quote.note("runs on the attached Kubernetes cluster's nodes")
        return
    capacity = number((resource.inputs.get("sku") or {}).get("capacity"), 1.0)
    scale = properties.get("scaleSettings") or {}
    low = high = capacity
    if scale.get("scaleType") == "TargetUtilization":
        low = number(scale.get("minInstances"), 1.0)
        high = number(scale.get("maxInstances"), low)
    _vms(quote, str(properties.get("instanceType") or ""), low, high)


@pricer("azure-native:compute:VirtualMachine")
def virtual_machine(resource: Resource, stack: Stack, quote: Quote) -> None:
    size = str((resource.inputs.get("hardwareProfile") or {}).get("vmSize") or "")
    _vms(quote, size, 1, 1)


@pricer("azure-native:compute:VirtualMachineScaleSet")
def scale_set(resource: Resource, stack: Stack, quote: Quote) -> None:
    sku = resource.inputs.get("sku") or {}
    capacity = number(sku.get("capacity"), 1.0)
    _vms(quote, str(sku.get("name") or ""), capacity, capacity)


@pricer("azure-native:network:PublicIPAddress")
def public_ip(resource: Resource, stack: Stack, quote: Quote) -> None:
    sku = str((resource.inputs.get("sku") or {}).get("name") or "Standard")
    quote.always_on("publicip", f"{sku}-static")


@pricer("azure-native:keyvault:Key")
def key_vault_key(resource: Resource, stack: Stack, quote: Quote) -> None:
    """HSM-protected keys bill per key version per month; software keys per operation."""
    kind = str((resource.inputs.get("properties") or {}).get("kty") or "RSA")
    if kind.endswith("-HSM"):
        quote.always_on("keyvault", "hsm-key")
    else:
        quote.per_use("keyvault", "operations-standard", "cryptographic operations")


@pricer("azure-native:containerregistry:Registry")
def container_registry(resource: Resource, stack: Stack, quote: Quote) -> None:
    quote.always_on("containerregistry", str((resource.inputs.get("sku") or {}).get("name") or ""))


@pricer("azure-native:storage:StorageAccount")
def storage_account(resource: Resource, stack: Stack, quote: Quote) -> None:
    tier = str(resource.inputs.get("accessTier") or "Hot")
    redundancy = str((resource.inputs.get("sku") or {}).get("name") or "Standard_LRS")
    quote.per_use("storage", f"{tier}-{redundancy}", f"data stored ({tier}, {redundancy})")


flat(
    "azure-native:network:NatGateway",
    always=(("nat", "nat-gateway"),),
    usage=(("nat", "nat-gateway-data", "data processed"),),
)
flat(
    "azure-native:network:PrivateEndpoint",
    always=(("privatelink", "private-endpoint"),),
    usage=(("privatelink", "private-endpoint-data", "data processed (in and out)"),),
)
flat(
    "azure-native:privatedns:PrivateZone",
    always=(("dns", "private-zone"),),
    usage=(("dns", "queries", "DNS queries"),),
)
flat(
    "azure-native:keyvault:Vault",
    usage=(("keyvault", "operations-standard", "key and secret operations"),),
)
flat(
    "azure-native:operationalinsights:Workspace",
    usage=(("loganalytics", "analytics-ingestion", "log data ingested"),),
)

for _budget in ("azure-native:consumption:Budget", "azure-native:costmanagement:Budget"):
    BUDGET_AMOUNTS[_budget] = lambda inputs: optional_number(inputs.get("amount"))

free(
    "no charge for the resource itself",
    "azure-native:resources:ResourceGroup",
    "azure-native:monitor:AutoscaleSetting",
    "azure-native:authorization:RoleAssignment",
    "azure-native:managedidentity:UserAssignedIdentity",
    "azure-native:managedidentity:FederatedIdentityCredential",
    "azure-native:storage:BlobServiceProperties",
    "azure-native:storage:BlobContainer",
    "azure-native:storage:ManagementPolicy",
    "azure-native:network:VirtualNetwork",
    "azure-native:network:Subnet",
    "azure-native:network:NetworkSecurityGroup",
    "azure-native:network:PrivateDnsZoneGroup",
    "azure-native:monitor:ActionGroup",
    "azure-native:machinelearningservices:Workspace",
    "azure-native:machinelearningservices:OnlineEndpoint",
    "azure-native:machinelearningservices:Registry",
    "azure-native:kubernetesconfiguration:Extension",
    "azure-native:kubernetes:ConnectedCluster",
    "azure-native:consumption:Budget",
    "azure-native:costmanagement:Budget",
    "azure-native:costmanagement:ScheduledActionByScope",
    "azure-native:costmanagement:ScheduledAction",
)
free(
    "billed through the resources that use it",
    "azure-native:privatedns:VirtualNetworkLink",
    "azure-native:applicationinsights:Component",
)

# Architecture 4-6 objects: definitions and metadata are free; what they collect or
# alert on is billed by use (Monitor prices per monitored time series and per GB).
free(
    "no charge for the resource itself",
    "azure-native:authorization:RoleDefinition",
    "azure-native:machinelearningservices:Datastore",
    "azure-native:machinelearningservices:EnvironmentVersion",
    "azure-native:machinelearningservices:RegistryModelContainer",
    "azure-native:monitor:DataCollectionRuleAssociation",
)
free(
    "billed through the Log Analytics workspace it sends to (ingestion per GB)",
    "azure-native:monitor:DataCollectionRule",
)
flat(
    "azure-native:monitor:MetricAlert",
    usage=(("monitor", "metric-alert-time-series", "monitored time series per month"),),
)
