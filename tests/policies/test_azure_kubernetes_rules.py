"""The AKS and Azure ML on Kubernetes rules: one compliant resource (shaped as the
project's AKS, node pool, extension and compute blocks record them), then one changed
field per case with the expected message. ``AZURE_KUBERNETES_CASES`` joins the registry
meta-test's ``CASES``; the local-accounts stack rule has its own cases below."""

from __future__ import annotations

from typing import Any

import pytest
from mlops_policies.testing import DELETE, Res, patched, resource_messages, stack_messages
from test_policy_resource_rules import Case

CLUSTER = "azure-native:containerservice:ManagedCluster"
POOL = "azure-native:containerservice:AgentPool"
EXTENSION = "azure-native:kubernetesconfiguration:Extension"
COMPUTE = "azure-native:machinelearningservices:Compute"
WORKSPACE = (
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w"
)

SYSTEM_POOL: dict[str, Any] = {
    "name": "system",
    "mode": "System",
    "vmSize": "Standard_D4ds_v5",
    "enableAutoScaling": True,
    "minCount": 1.0,
    "maxCount": 3.0,
    "enableNodePublicIP": False,
}
CLUSTER_OK: dict[str, Any] = {
    "enableRBAC": True,
    "aadProfile": {"managed": True, "enableAzureRBAC": True},
    "disableLocalAccounts": False,
    "oidcIssuerProfile": {"enabled": True},
    "securityProfile": {
        "workloadIdentity": {"enabled": True},
        "defender": {
            "logAnalyticsWorkspaceResourceId": WORKSPACE,
            "securityMonitoring": {"enabled": True},
        },
    },
    "apiServerAccessProfile": {"enablePrivateCluster": True, "disableRunCommand": True},
    "autoUpgradeProfile": {"upgradeChannel": "patch", "nodeOSUpgradeChannel": "NodeImage"},
    "addonProfiles": {
        "omsagent": {
            "enabled": True,
            "config": {"logAnalyticsWorkspaceResourceID": WORKSPACE, "useAADAuth": "true"},
        },
        "azurepolicy": {"enabled": True},
    },
    "networkProfile": {"networkPlugin": "azure", "networkPolicy": "cilium"},
    "agentPoolProfiles": [SYSTEM_POOL],
}
GPU_POOL_OK: dict[str, Any] = {
    "agentPoolName": "gpu",
    "mode": "User",
    "vmSize": "Standard_NC4as_T4_v3",
    "enableAutoScaling": True,
    "count": 0.0,
    "minCount": 0.0,
    "maxCount": 2.0,
    "scaleSetPriority": "Spot",
    "scaleSetEvictionPolicy": "Delete",
    "spotMaxPrice": -1.0,
    "nodeTaints": [
        "kubernetes.azure.com/scalesetpriority=spot:NoSchedule",
        "nvidia.com/gpu=present:NoSchedule",
    ],
    "enableNodePublicIP": False,
}
CPU_POOL_OK: dict[str, Any] = {
    **GPU_POOL_OK,
    "agentPoolName": "cpu",
    "vmSize": "Standard_D4ds_v5",
    "scaleSetPriority": "Regular",
    "minCount": 2.0,
}
EXTENSION_OK: dict[str, Any] = {
    "clusterRp": "Microsoft.ContainerService",
    "clusterResourceName": "managedClusters",
    "clusterName": "aks-cluster-1234567",
    "extensionName": "azureml",
    "extensionType": "Microsoft.AzureML.Kubernetes",
    "configurationSettings": {
        "enableTraining": "True",
        "enableInference": "True",
        "inferenceRouterServiceType": "LoadBalancer",
        "internalLoadBalancerProvider": "azure",
        "allowInsecureConnections": "False",
        "sslSecret": "inference-tls",
        "sslCname": "inference.example.com",
    },
}
COMPUTE_OK: dict[str, Any] = {
    "computeName": "aks-compute",
    "properties": {
        "computeType": "Kubernetes",
        "resourceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c",
        "properties": {
            "namespace": "azureml-workloads",
            "defaultInstanceType": "cpu",
            "instanceTypes": {
                "cpu": {"resources": {"limits": {"cpu": "2", "memory": "8Gi"}}},
                "gpu": {
                    "resources": {"limits": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"}}
                },
            },
        },
    },
}
AML_SETTINGS = "configurationSettings"

AZURE_KUBERNETES_CASES: dict[str, list[Case]] = {
    "azure-aks-cluster-disallow-public-api-server": [
        Case(
            CLUSTER,
            CLUSTER_OK,
            [
                (
                    {"apiServerAccessProfile.enablePrivateCluster": False},
                    "the API server is public and authorizedIPRanges is empty",
                ),
                (
                    {
                        "apiServerAccessProfile.enablePrivateCluster": False,
                        "apiServerAccessProfile.authorizedIPRanges": ["0.0.0.0/0"],
                    },
                    "authorizedIPRanges admits everyone (0.0.0.0/0).",
                ),
            ],
            also_compliant=[
                {
                    "apiServerAccessProfile.enablePrivateCluster": False,
                    "apiServerAccessProfile.authorizedIPRanges": ["203.0.113.0/24"],
                }
            ],
        )
    ],
    "azure-aks-cluster-require-entra-rbac": [
        Case(
            CLUSTER,
            CLUSTER_OK,
            [
                ({"enableRBAC": False}, "enableRBAC not true."),
                (
                    {"aadProfile": DELETE},
                    "aadProfile.managed, aadProfile.enableAzureRBAC not true.",
                ),
                ({"aadProfile.enableAzureRBAC": False}, "aadProfile.enableAzureRBAC not true."),
            ],
        )
    ],
    "azure-aks-cluster-require-workload-identity": [
        Case(
            CLUSTER,
            CLUSTER_OK,
            [
                ({"oidcIssuerProfile.enabled": False}, "oidcIssuerProfile.enabled not true."),
                (
                    {"securityProfile.workloadIdentity": DELETE},
                    "securityProfile.workloadIdentity.enabled not true.",
                ),
            ],
        )
    ],
    "azure-aks-cluster-require-auto-upgrade": [
        Case(
            CLUSTER,
            CLUSTER_OK,
            [
                (
                    {"autoUpgradeProfile.upgradeChannel": "none"},
                    "autoUpgradeProfile.upgradeChannel is none; use one of rapid, stable, patch.",
                ),
                ({"autoUpgradeProfile": DELETE}, "autoUpgradeProfile.upgradeChannel is unset"),
            ],
            also_compliant=[{"autoUpgradeProfile.upgradeChannel": "stable"}],
        )
    ],
    "azure-aks-cluster-require-defender": [
        Case(
            CLUSTER,
            CLUSTER_OK,
            [
                (
                    {"securityProfile.defender": DELETE},
                    "securityProfile.defender.securityMonitoring.enabled is not true.",
                )
            ],
        )
    ],
    "azure-aks-cluster-require-container-insights": [
        Case(
            CLUSTER,
            CLUSTER_OK,
            [
                (
                    {"addonProfiles.omsagent.enabled": False},
                    "addonProfiles.omsagent is not enabled.",
                ),
                (
                    {"addonProfiles.omsagent.config": DELETE},
                    "logAnalyticsWorkspaceResourceID is not set.",
                ),
            ],
        )
    ],
    "azure-aks-cluster-require-policy-addon": [
        Case(
            CLUSTER,
            CLUSTER_OK,
            [({"addonProfiles.azurepolicy": DELETE}, "addonProfiles.azurepolicy is not enabled.")],
            also_compliant=[
                {
                    "addonProfiles.azurepolicy": DELETE,
                    "addonProfiles.azurePolicy": {"enabled": True},
                }
            ],
        )
    ],
    "azure-aks-cluster-disable-command-invoke": [
        Case(
            CLUSTER,
            CLUSTER_OK,
            [
                (
                    {"apiServerAccessProfile.disableRunCommand": False},
                    "apiServerAccessProfile.disableRunCommand is not true.",
                )
            ],
        )
    ],
    "azure-aks-cluster-require-network-policy": [
        Case(
            CLUSTER,
            CLUSTER_OK,
            [
                (
                    {"networkProfile.networkPolicy": DELETE},
                    "networkProfile.networkPolicy is unset.",
                ),
                ({"networkProfile.networkPolicy": "none"}, "networkProfile.networkPolicy is none."),
            ],
        )
    ],
    "azure-aks-agent-pool-disallow-node-public-ip": [
        Case(
            POOL,
            GPU_POOL_OK,
            [({"enableNodePublicIP": True}, "the pool has enableNodePublicIP true.")],
            also_compliant=[{"enableNodePublicIP": DELETE}],
        ),
        Case(
            CLUSTER,
            CLUSTER_OK,
            [
                (
                    {"agentPoolProfiles.0.enableNodePublicIP": True},
                    "agentPoolProfiles[0] (system) has enableNodePublicIP true.",
                )
            ],
        ),
    ],
    "azure-aks-require-allowed-vm-size": [
        Case(
            POOL,
            GPU_POOL_OK,
            [
                (
                    {"vmSize": "Standard_ND96isr_H100_v5"},
                    "the pool: GPU size Standard_ND96isr_H100_v5 is not allowed in this environment.",
                ),
                (
                    {"vmSize": "Standard_M128s"},
                    "the pool: VM size Standard_M128s is not in the allowlist.",
                ),
                ({"vmSize": DELETE}, "the pool has no vmSize"),
            ],
            config={"allowedGpuVmSizes": ["Standard_NC*_T4_v3"]},
        ),
        Case(
            CLUSTER,
            CLUSTER_OK,
            [
                (
                    {"agentPoolProfiles.0.vmSize": "Standard_NC4as_T4_v3"},
                    "agentPoolProfiles[0] (system): GPU size Standard_NC4as_T4_v3 is not allowed",
                )
            ],
        ),
    ],
    "azure-aks-agent-pool-gpu-require-scale-to-zero": [
        Case(
            POOL,
            GPU_POOL_OK,
            [
                ({"minCount": 1}, "the pool: minCount is 1; set 0."),
                ({"enableAutoScaling": False}, "the pool: enableAutoScaling is not true."),
            ],
            also_compliant=[{"vmSize": "Standard_D4ds_v5", "minCount": 3}],
        )
    ],
    "azure-aks-agent-pool-gpu-require-spot": [
        Case(
            POOL,
            GPU_POOL_OK,
            [
                (
                    {"scaleSetPriority": "Regular"},
                    "the pool: scaleSetPriority is Regular; set 'Spot'.",
                ),
                (
                    {"scaleSetPriority": DELETE},
                    "the pool: scaleSetPriority is unset (Regular); set 'Spot'.",
                ),
            ],
            also_compliant=[CPU_POOL_OK],
        )
    ],
    "azure-aks-agent-pool-cap-gpus": [
        Case(
            POOL,
            GPU_POOL_OK,
            [
                (
                    {"vmSize": "Standard_NC64as_T4_v3", "maxCount": 3},
                    "the pool: 3 nodes x 4 GPUs = 12; the cap is 8.",
                ),
                (
                    {"vmSize": "Standard_NV36ads_A10_v5"},
                    "GPUs per VM of Standard_NV36ads_A10_v5 are unknown; add it to gpuCounts.",
                ),
            ],
            also_compliant=[CPU_POOL_OK],
        ),
        Case(
            POOL,
            patched(GPU_POOL_OK, {"vmSize": "Standard_NV36ads_A10_v5"}),
            [({"maxCount": 3}, "the pool: 3 nodes x 1 GPUs = 3; the cap is 2.")],
            config={"maxGpus": 2, "gpuCounts": {"Standard_NV36ads_A10_v5": 1}},
        ),
    ],
    "azure-azureml-extension-disallow-insecure-inference": [
        Case(
            EXTENSION,
            EXTENSION_OK,
            [
                (
                    {f"{AML_SETTINGS}.allowInsecureConnections": "True"},
                    "allowInsecureConnections is True",
                ),
                ({f"{AML_SETTINGS}.sslSecret": DELETE}, "inference is enabled without sslSecret"),
            ],
            also_compliant=[
                {
                    f"{AML_SETTINGS}.enableInference": "False",
                    f"{AML_SETTINGS}.allowInsecureConnections": "True",
                },
                {"extensionType": "microsoft.flux", f"{AML_SETTINGS}.sslSecret": DELETE},
            ],
        )
    ],
    "azure-azureml-extension-require-internal-load-balancer": [
        Case(
            EXTENSION,
            EXTENSION_OK,
            [
                (
                    {f"{AML_SETTINGS}.internalLoadBalancerProvider": DELETE},
                    "without internalLoadBalancerProvider 'azure' gets a public IP.",
                )
            ],
            also_compliant=[
                {
                    f"{AML_SETTINGS}.internalLoadBalancerProvider": DELETE,
                    f"{AML_SETTINGS}.inferenceRouterServiceType": "ClusterIP",
                },
                {
                    f"{AML_SETTINGS}.internalLoadBalancerProvider": DELETE,
                    "clusterRp": "Microsoft.Kubernetes",
                    "clusterResourceName": "connectedClusters",
                },
            ],
        )
    ],
    "azure-ml-kubernetes-compute-require-instance-limits": [
        Case(
            COMPUTE,
            COMPUTE_OK,
            [
                (
                    {"properties.properties.instanceTypes.cpu.resources.limits.memory": DELETE},
                    "instance type cpu has no memory limit.",
                ),
                (
                    {"properties.properties.instanceTypes": DELETE},
                    "instanceTypes is empty (jobs run without limits).",
                ),
                (
                    {"properties.properties.defaultInstanceType": "large"},
                    "defaultInstanceType does not name one of its instance types.",
                ),
            ],
            also_compliant=[
                {"properties.computeType": "AmlCompute", "properties.properties": DELETE}
            ],
        ),
        Case(
            COMPUTE,
            COMPUTE_OK,
            [
                (
                    {
                        "properties.properties.instanceTypes.gpu.resources.limits": {
                            "cpu": "4",
                            "memory": "16Gi",
                            "nvidia.com/gpu": "4",
                        }
                    },
                    "instance type gpu asks for 4 GPUs; the cap is 2.",
                )
            ],
            config={"maxGpusPerInstance": 2},
        ),
    ],
}

PARAMS = [
    pytest.param(rule, case, id=f"{rule}[{index}]")
    for rule, cases in AZURE_KUBERNETES_CASES.items()
    for index, case in enumerate(cases)
]


@pytest.mark.parametrize(("rule", "case"), PARAMS)
def test_compliant_resource_passes(rule: str, case: Case) -> None:
    assert resource_messages(rule, case.resource_type, case.compliant, case.config) == []
    for change in case.also_compliant:
        props = patched(case.compliant, change)
        assert resource_messages(rule, case.resource_type, props, case.config) == [], change


@pytest.mark.parametrize(("rule", "case"), PARAMS)
def test_each_changed_field_is_reported(rule: str, case: Case) -> None:
    for change, expected in case.violations:
        messages = resource_messages(
            rule, case.resource_type, patched(case.compliant, change), case.config
        )
        assert len(messages) == 1, (change, messages)
        assert expected in messages[0], (change, messages)


# -- local accounts: a stack rule (the cluster and its extension) ------------------------

LOCAL = "azure-aks-cluster-disallow-local-accounts"


def cluster_with_extension(extension_type: str = "Microsoft.AzureML.Kubernetes") -> list[Res]:
    cluster = Res(CLUSTER, "aks-cluster", dict(CLUSTER_OK))
    extension = Res(
        EXTENSION,
        "aks-compute-extension",
        {**EXTENSION_OK, "extensionType": extension_type},
        [cluster.urn],
    )
    return [cluster, extension]


def test_local_accounts_pass_on_a_cluster_with_the_azureml_extension() -> None:
    assert stack_messages(LOCAL, cluster_with_extension()) == []


def test_local_accounts_pass_when_disabled() -> None:
    cluster = Res(CLUSTER, "aks-cluster", {**CLUSTER_OK, "disableLocalAccounts": True})
    assert stack_messages(LOCAL, [cluster]) == []


def test_local_accounts_fail_without_the_azureml_extension() -> None:
    cluster = Res(CLUSTER, "aks-cluster", dict(CLUSTER_OK))
    assert stack_messages(LOCAL, [cluster]) == [
        (
            "cluster aks-cluster keeps local accounts (disableLocalAccounts is not true) and "
            "has no AzureML extension that needs them.",
            cluster.urn,
        )
    ]
    other = cluster_with_extension("microsoft.flux")
    assert [urn for _, urn in stack_messages(LOCAL, other)] == [other[0].urn]


def test_local_accounts_match_the_extension_by_cluster_name_without_dependencies() -> None:
    cluster = Res(CLUSTER, "aks", {**CLUSTER_OK, "resourceName": "aks-cluster-1234567"})
    extension = Res(EXTENSION, "ext", dict(EXTENSION_OK))
    assert stack_messages(LOCAL, [cluster, extension]) == []
    elsewhere = Res(EXTENSION, "ext", {**EXTENSION_OK, "clusterName": "other"})
    assert len(stack_messages(LOCAL, [cluster, elsewhere])) == 1
