"""AksMlops (architecture 5) under mocks: the exact resource set on the foundation, the
cluster's security settings, the pools (GPU from 0 on Spot), the AzureML extension and
Kubernetes compute, workload identity for the lake, AcrPull for the kubelet, declared
capacity, flat outputs, update behaviour and settings validation.

The workspace comes from ``ml_workspace_standin`` (architecture 4's interface), until
both architectures are on one branch."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pulumi
import pytest
import yaml
from ml_workspace_standin import (
    COMPUTE_IDENTITY_ID,
    WORKSPACE_GROUP,
    WORKSPACE_NAME,
    WorkspaceStandIn,
)
from mlops_components.architectures import aks_mlops, azure_foundation
from mlops_components.azure import agent_pool, aks, kubernetes_compute
from mlops_components.azure.identity import ROLES
from mlops_components.registry import Capacity, Deployment, spec
from mlops_components.settings import Cloud, Retention
from mlops_components.settings.azure import AksMlopsSettings, AzureFoundationSettings
from mlops_preview.mocks import AZURE_SUBSCRIPTION_ID
from mlops_preview.runner import Recording, run_program
from pydantic import ValidationError
from support import subtree, taggable

LOCATION = "westeurope"
PLATFORM_TAGS = {
    "project": "mlops-iac",
    "environment": "test",
    "owner": "ml-platform",
    "cost-centre": "cc-1",
}
CLUSTER = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
EXTENSION = "azure-native:kubernetesconfiguration:Extension"
COMPUTE = "azure-native:machinelearningservices:Compute"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
FEDERATION = "azure-native:managedidentity:FederatedIdentityCredential"
ASSIGNMENT = "azure-native:authorization:RoleAssignment"
DCR = "azure-native:monitor:DataCollectionRule"
DCRA = "azure-native:monitor:DataCollectionRuleAssociation"
DEV = {"extension": {"enable_inference": True, "allow_insecure_connections": True}}


def run(settings: dict[str, Any] | None = None) -> tuple[Recording, dict[str, Any], Deployment]:
    found: dict[str, Any] = {}
    holder: list[Deployment] = []

    def program() -> None:
        deployment = Deployment(
            name_prefix="mlops-test",
            region=LOCATION,
            tags=PLATFORM_TAGS,
            retention=Retention.DESTROYABLE,
            opts=pulumi.ResourceOptions(),
        )
        holder.append(deployment)
        azure_foundation.deploy(deployment, AzureFoundationSettings())
        deployment.offer("azure_ml_devops", WorkspaceStandIn("ml"))
        outputs = aks_mlops.deploy(deployment, AksMlopsSettings(**(settings or DEV)))
        for key, value in outputs.items():
            if value is not None:
                value.apply(lambda v, key=key: found.__setitem__(key, v))

    rec = run_program(program, config={"azure-native:location": LOCATION})
    assert rec.warnings == []
    return rec, found, holder[0]


@pytest.fixture(scope="module")
def planned() -> tuple[Recording, dict[str, Any], Deployment]:
    return run()


def architecture(rec: Recording) -> list[Any]:
    return [r for r in subtree(rec, rec.one(aks_mlops.TOKEN, "aks")) if r.custom]


def test_exact_resources(planned) -> None:
    rec, _, _ = planned
    assert Counter(r.type for r in architecture(rec)) == {
        CLUSTER: 1,
        POOL: 2,
        IDENTITY: 2,  # control plane, data
        ASSIGNMENT: 3,  # subnet (Network Contributor), AcrPull, lake
        FEDERATION: 1,
        EXTENSION: 1,
        COMPUTE: 1,
        DCR: 1,
        DCRA: 1,
    }
    components = sorted(
        (r.type, r.name) for r in subtree(rec, rec.one(aks_mlops.TOKEN, "aks")) if not r.custom
    )
    assert components == [
        ("mlops:azure:AksCluster", "aks-cluster"),
        ("mlops:azure:KubernetesCompute", "aks-compute"),
        ("mlops:azure:ManagedIdentity", "aks-cluster-identity"),
        ("mlops:azure:ManagedIdentity", "aks-data-identity"),
        ("mlops:azure:NodePool", "aks-cpu"),
        ("mlops:azure:NodePool", "aks-gpu"),
        ("mlops:azure:WorkloadIdentity", "aks-data"),
    ]


def test_every_taggable_resource_carries_the_tags(planned) -> None:
    rec, _, _ = planned
    expected = {**PLATFORM_TAGS, "component": "aks-mlops", "managed-by": "pulumi"}
    for resource in architecture(rec):
        if taggable(resource.type) and resource.type != EXTENSION:
            assert (
                resource.inputs.get("tags", {}).items()
                >= {k: v for k, v in expected.items() if k != "managed-by"}.items()
            ), resource.name


def test_cluster_security_settings(planned) -> None:
    rec, _, _ = planned
    cluster = rec.one(CLUSTER).inputs
    assert cluster["aadProfile"] == {
        "adminGroupObjectIDs": [],
        "enableAzureRBAC": True,
        "managed": True,
    }
    assert cluster["enableRBAC"] is True
    # The AzureML extension does not support clusters without local accounts.
    assert cluster["disableLocalAccounts"] is False
    assert cluster["oidcIssuerProfile"] == {"enabled": True}
    assert cluster["securityProfile"]["workloadIdentity"] == {"enabled": True}
    assert cluster["securityProfile"]["defender"]["securityMonitoring"] == {"enabled": True}
    assert cluster["apiServerAccessProfile"] == {
        "enablePrivateCluster": True,
        "disableRunCommand": True,
    }
    assert cluster["networkProfile"] == {
        "networkPlugin": "azure",
        "networkPluginMode": "overlay",
        "networkDataplane": "cilium",
        "networkPolicy": "cilium",
        "podCidr": "10.244.0.0/16",
        "serviceCidr": "10.0.0.0/16",
        "dnsServiceIP": "10.0.0.10",
        "outboundType": "loadBalancer",
    }
    assert cluster["autoUpgradeProfile"] == {
        "upgradeChannel": "patch",
        "nodeOSUpgradeChannel": "NodeImage",
    }
    workspace = rec.one("azure-native:operationalinsights:Workspace")
    insights = cluster["addonProfiles"]["omsagent"]
    assert insights["enabled"] is True
    assert insights["config"]["logAnalyticsWorkspaceResourceID"] == workspace.id
    assert cluster["securityProfile"]["defender"]["logAnalyticsWorkspaceResourceId"] == workspace.id
    assert cluster["addonProfiles"]["azurepolicy"] == {"enabled": True}
    assert cluster["sku"] == {"name": "Base", "tier": "Free"}
    assert cluster["dnsPrefix"] == "mlops-test-aks"
    assert "resourceName" not in cluster  # auto-named: a replacement is created first


def test_container_insights_has_its_data_collection_rule(planned) -> None:
    """The monitoring add-on with ``useAADAuth`` collects nothing without a data
    collection rule associated with the cluster (terraform-provider-azurerm#21305)."""
    rec, _, _ = planned
    cluster = rec.one(CLUSTER)
    workspace = cluster.inputs["addonProfiles"]["omsagent"]["config"][
        "logAnalyticsWorkspaceResourceID"
    ]
    assert cluster.inputs["addonProfiles"]["omsagent"]["config"]["useAADAuth"] == "true"
    rule = rec.one(DCR)
    assert rule.name == "aks-cluster-insights"
    assert rule.inputs["kind"] == "Linux"
    assert rule.inputs["location"] == LOCATION
    (extension,) = rule.inputs["dataSources"]["extensions"]
    assert extension["extensionName"] == "ContainerInsights"
    assert extension["streams"] == ["Microsoft-ContainerInsights-Group-Default"]
    (destination,) = rule.inputs["destinations"]["logAnalytics"]
    assert destination["workspaceResourceId"] == workspace
    assert rule.inputs["dataFlows"] == [
        {
            "streams": ["Microsoft-ContainerInsights-Group-Default"],
            "destinations": [destination["name"]],
        }
    ]
    association = rec.one(DCRA)
    assert association.inputs["associationName"] == "ContainerInsightsExtension"
    assert association.inputs["resourceUri"] == cluster.id
    assert association.inputs["dataCollectionRuleId"] == rule.id


def test_system_pool_is_the_only_inline_pool(planned) -> None:
    rec, _, _ = planned
    subnet = rec.one("azure-native:network:Subnet", "azure-net-subnet-workloads").id
    assert rec.one(CLUSTER).inputs["agentPoolProfiles"] == [
        {
            "name": "system",
            "mode": "System",
            "vmSize": "Standard_D4ds_v5",
            "osType": "Linux",
            "osSKU": "Ubuntu",
            "type": "VirtualMachineScaleSets",
            "enableAutoScaling": True,
            "count": 1.0,
            "minCount": 1.0,
            "maxCount": 3.0,
            "vnetSubnetID": subnet,
            "enableNodePublicIP": False,
        }
    ]


def test_gpu_pool_scales_from_zero_on_spot_with_the_gpu_taint(planned) -> None:
    rec, _, _ = planned
    gpu = rec.one(POOL, "aks-gpu").inputs
    assert {k: gpu[k] for k in gpu if k not in ("tags", "vnetSubnetID", "resourceName")} == {
        "agentPoolName": "gpu",
        "resourceGroupName": "mlops-test-rg",
        "mode": "User",
        "type": "VirtualMachineScaleSets",
        "osType": "Linux",
        "osSKU": "Ubuntu",
        "vmSize": "Standard_NC4as_T4_v3",
        "enableAutoScaling": True,
        "count": 0.0,
        "minCount": 0.0,
        "maxCount": 1.0,
        "scaleSetPriority": "Spot",
        "scaleSetEvictionPolicy": "Delete",
        "spotMaxPrice": -1.0,
        "nodeTaints": [
            "kubernetes.azure.com/scalesetpriority=spot:NoSchedule",
            "nvidia.com/gpu=present:NoSchedule",
        ],
        "nodeLabels": {"mlops.io/pool": "gpu", "kubernetes.azure.com/scalesetpriority": "spot"},
        "gpuProfile": {"driver": "Install"},
        "enableNodePublicIP": False,
    }
    assert gpu["resourceName"] == rec.one(CLUSTER).outputs.get("name", gpu["resourceName"])


def test_regular_priority_pools_send_no_spot_arguments() -> None:
    rec, _, deployment = run(
        {
            **DEV,
            "cpu_pool": {"capacity": "on_demand", "min_nodes": 1},
            "gpu_pool": {"accelerator": "nvidia-a100-80gb", "count": 2, "capacity": "on_demand"},
        }
    )
    for name, size in (("aks-cpu", "Standard_D4ds_v5"), ("aks-gpu", "Standard_NC48ads_A100_v4")):
        pool = rec.one(POOL, name).inputs
        assert pool["scaleSetPriority"] == "Regular"
        assert pool["vmSize"] == size
        assert not {"scaleSetEvictionPolicy", "spotMaxPrice"} & set(pool)
        assert "kubernetes.azure.com/scalesetpriority" not in pool["nodeLabels"]
    assert rec.one(POOL, "aks-cpu").inputs["minCount"] == 1.0
    gpu_type = rec.one(COMPUTE).inputs["properties"]["properties"]["instanceTypes"]["gpu"]
    assert gpu_type["resources"]["limits"]["nvidia.com/gpu"] == "2"
    assert [c.spot for c in deployment.capacity] == [False, False, False]


def test_declared_capacity(planned) -> None:
    _, _, deployment = planned
    assert deployment.capacity == [
        Capacity(
            Cloud.AZURE, LOCATION, "vm", "Standard_D4ds_v5", 3, False,
            source="architectures.aks_mlops.system_pool",
        ),
        Capacity(
            Cloud.AZURE, LOCATION, "vm", "Standard_D4ds_v5", 3, True,
            source="architectures.aks_mlops.cpu_pool",
        ),
        Capacity(
            Cloud.AZURE, LOCATION, "vm", "Standard_NC4as_T4_v3", 1, True,
            source="architectures.aks_mlops.gpu_pool",
        ),
    ]  # fmt: skip


def test_extension_and_compute(planned) -> None:
    rec, _, _ = planned
    cluster = rec.one(CLUSTER)
    extension = rec.one(EXTENSION).inputs
    assert extension["clusterRp"] == "Microsoft.ContainerService"
    assert extension["clusterResourceName"] == "managedClusters"
    assert extension["extensionType"] == "Microsoft.AzureML.Kubernetes"
    assert extension["extensionName"] == "azureml"
    assert extension["scope"] == {"cluster": {"releaseNamespace": "azureml"}}
    assert extension["configurationSettings"] == {
        "enableTraining": "True",
        "enableInference": "True",
        "inferenceRouterServiceType": "LoadBalancer",
        "internalLoadBalancerProvider": "azure",
        "inferenceRouterHA": "False",
        "allowInsecureConnections": "True",
        "installNvidiaDevicePlugin": "True",
        "clusterId": cluster.id,
        "cluster_name": cluster.id,
        "cluster_name_friendly": extension["clusterName"],
        "location": LOCATION,
        "jobSchedulerLocation": LOCATION,
        "domain": f"{LOCATION}.cloudapp.azure.com",
        "clusterPurpose": "DevTest",
    }
    compute = rec.one(COMPUTE)
    assert compute.inputs["resourceGroupName"] == WORKSPACE_GROUP
    assert compute.inputs["workspaceName"] == WORKSPACE_NAME
    assert compute.inputs["computeName"] == "aks-compute"
    # The lake allows no shared key: jobs run as the workspace's compute identity.
    assert compute.inputs["identity"] == {
        "type": "UserAssigned",
        "userAssignedIdentities": [COMPUTE_IDENTITY_ID],
    }
    assert compute.inputs["properties"] == {
        "computeType": "Kubernetes",
        "description": "aks cluster with the AzureML extension",
        "resourceId": cluster.id,
        "properties": {
            "namespace": "azureml-workloads",
            "defaultInstanceType": "cpu",
            "instanceTypes": {
                "cpu": {
                    "nodeSelector": {"mlops.io/pool": "cpu"},
                    "resources": {
                        "requests": {"cpu": "2", "memory": "8Gi"},
                        "limits": {"cpu": "2", "memory": "8Gi"},
                    },
                },
                "gpu": {
                    "nodeSelector": {"mlops.io/pool": "gpu"},
                    "resources": {
                        "requests": {"cpu": "3", "memory": "12Gi"},
                        "limits": {"cpu": "3", "memory": "12Gi", "nvidia.com/gpu": "1"},
                    },
                },
            },
        },
    }
    extension_urn = rec.one(EXTENSION).urn
    assert extension_urn in compute.dependencies


def test_tls_settings_reach_the_extension() -> None:
    rec, _, _ = run(
        {
            "extension": {
                "enable_inference": True,
                "ssl_secret": "inference-tls",
                "ssl_cname": "ml.example.com",
                "inference_router_ha": True,
            }
        }
    )
    settings = rec.one(EXTENSION).inputs["configurationSettings"]
    assert settings["sslSecret"] == "inference-tls"
    assert settings["sslCname"] == "ml.example.com"
    assert settings["allowInsecureConnections"] == "False"
    assert settings["inferenceRouterHA"] == "True"
    assert settings["clusterPurpose"] == "FastProd"


def test_grants(planned) -> None:
    rec, _, _ = planned
    by_role = {
        a.inputs["roleDefinitionId"].rsplit("/", 1)[1]: a.inputs
        for a in rec.by_type(ASSIGNMENT)
        if a.name.startswith("aks-")
    }
    acr = by_role[ROLES["AcrPull"]]
    assert acr["scope"] == rec.one("azure-native:containerregistry:Registry").id
    assert acr["principalType"] == "ServicePrincipal"
    cluster_outputs = rec.one(CLUSTER).outputs
    kubelet = cluster_outputs["identityProfile"]["kubeletidentity"]["objectId"]
    assert acr["principalId"] == kubelet
    lake = by_role[ROLES["Storage Blob Data Contributor"]]
    assert lake["scope"] == rec.one("azure-native:storage:StorageAccount").id
    subnet = by_role[ROLES["Network Contributor"]]
    assert (
        subnet["scope"] == rec.one("azure-native:network:Subnet", "azure-net-subnet-workloads").id
    )
    assert len(by_role) == 3


def test_workload_identity_federates_the_data_service_account(planned) -> None:
    rec, found, _ = planned
    federation = rec.one(FEDERATION).inputs
    issuer = rec.one(CLUSTER).outputs["oidcIssuerProfile"]["issuerURL"]
    assert federation["issuer"] == issuer
    assert federation["subject"] == "system:serviceaccount:azureml-workloads:mlops-data"
    assert federation["audiences"] == ["api://AzureADTokenExchange"]
    manifest = list(yaml.safe_load_all(found["aks_mlops_kubernetes_manifest"]))
    assert manifest == [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "azureml-workloads"}},
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "name": "mlops-data",
                "namespace": "azureml-workloads",
                "annotations": {
                    "azure.workload.identity/client-id": found["aks_mlops_data_client_id"]
                },
            },
        },
    ]


def test_outputs(planned) -> None:
    rec, found, _ = planned
    assert sorted(found) == [
        "aks_mlops_app_insights_connection_string",
        "aks_mlops_cluster_id",
        "aks_mlops_cluster_name",
        "aks_mlops_compute_id",
        "aks_mlops_data_client_id",
        "aks_mlops_extension_id",
        "aks_mlops_kubernetes_manifest",
        "aks_mlops_oidc_issuer_url",
    ]
    assert found["aks_mlops_cluster_id"] == rec.one(CLUSTER).id
    assert found["aks_mlops_compute_id"] == (
        f"/subscriptions/{AZURE_SUBSCRIPTION_ID}/resourceGroups/{WORKSPACE_GROUP}/providers/"
        f"Microsoft.MachineLearningServices/workspaces/{WORKSPACE_NAME}/computes/aks-compute"
    )
    assert found["aks_mlops_app_insights_connection_string"].startswith("InstrumentationKey=")


def test_update_behaviour_is_pinned() -> None:
    parent = pulumi.ComponentResource.__new__(pulumi.ComponentResource)
    pool = agent_pool.pool_options(parent)
    assert pool.delete_before_replace is True
    assert pool.ignore_changes == ["count"]
    assert set(pool.replace_on_changes or []) == {
        "vmSize",
        "scaleSetPriority",
        "scaleSetEvictionPolicy",
        "osType",
        "osSKU",
        "vnetSubnetID",
        "gpuProfile",
    }
    cluster = aks.cluster_options(parent, [])
    assert cluster.ignore_changes == ["agentPoolProfiles[*].count"]
    assert "agentPoolProfiles[*].vmSize" in (cluster.replace_on_changes or [])
    assert not cluster.delete_before_replace
    assert kubernetes_compute.fixed_name_options(parent).delete_before_replace is True


def test_registry_entry() -> None:
    entry = spec("aks_mlops")
    assert entry.cloud is Cloud.AZURE
    assert entry.requires == ("azure_foundation", "azure_ml_devops")
    assert entry.load() is aks_mlops.deploy


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"gpu_pool": {"accelerator": "nvidia-l4"}}, "gpu_pool.accelerator"),
        ({"gpu_pool": {"accelerator": "nvidia-t4", "count": 2}}, "count"),
        ({"extension": {"enable_inference": True}}, "ssl_secret: inference needs a TLS secret"),
        ({**DEV, "pod_cidr": "10.0.0.0/16"}, "service_cidr: overlaps pod_cidr"),
        ({**DEV, "admin_group_object_ids": ["admins"]}, "is not a GUID"),
        ({**DEV, "cpu_pool": {"min_nodes": 3, "max_nodes": 2}}, "max_nodes (2) must be >= min_nodes (3)"),
        ({**DEV, "system_pool": {"min_nodes": 0}}, "greater than or equal to 1"),
        (
            {**DEV, "gpu_pool": {"accelerator": "nvidia-t4", "capacity": "reserved", "scarce_capacity": "reservation"}},
            "capacity_reservation_group_id",
        ),
        ({**DEV, "api_server": {"mode": "public"}}, "allowed_cidrs"),
        ({**DEV, "sku_tier": "Premium"}, "sku_tier"),
        ({**DEV, "clusterName": "x"}, "Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_invalid_settings_name_the_key(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        AksMlopsSettings(**settings)


@pytest.mark.parametrize("stack", ["azure-dev", "azure-staging", "azure-prod"])
def test_shipped_cpu_pool_of_the_default_instance_type_is_regular(stack: str) -> None:
    """Azure ML instance types cannot tolerate the Spot taint: the pool of the default
    instance type (`cpu`) runs on Regular capacity in every shipped stack."""
    from pathlib import Path

    from mlops_components.settings import load_settings
    from mlops_components.vocabulary import CapacityStrategy
    from mlops_preview.project import load_project, load_stack_config

    root = Path(__file__).resolve().parents[2]
    settings = load_settings(load_stack_config(load_project(root), stack).values)
    aks_settings = settings.architectures.aks_mlops
    assert aks_settings is not None
    assert aks_mlops.CPU_INSTANCE.node_selector == {"mlops.io/pool": aks_mlops.CPU_POOL}
    assert aks_settings.cpu_pool.capacity is CapacityStrategy.ON_DEMAND
