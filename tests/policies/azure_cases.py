"""Compliant resources and one-field violations for the Azure service rules (Machine
Learning, Storage, Key Vault, ACR, monitoring, role assignments, Azure DevOps), in
engine shape (camelCase, as ``mlops-iac plan --format json`` records them).
``test_policy_resource_rules.py`` adds them to its ``CASES``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mlops_policies.testing import DELETE

ML = "azure-native:machinelearningservices"
TAGS = {"project": "mlops-iac", "environment": "dev", "owner": "ml", "cost-centre": "cc-1"}
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers"

WORKSPACE_OK = {
    "workspaceName": "mlops-prod-mlw",
    "publicNetworkAccess": "Disabled",
    "managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"},
    "systemDatastoresAuthMode": "Identity",
    "encryption": {"status": "Enabled", "keyVaultProperties": {"keyIdentifier": "k"}},
    "tags": TAGS,
}
CLUSTER_OK = {
    "computeName": "cpu",
    "properties": {
        "computeType": "AmlCompute",
        "disableLocalAuth": True,
        "properties": {
            "vmSize": "Standard_NC4as_T4_v3",
            "vmPriority": "LowPriority",
            "enableNodePublicIp": False,
            "scaleSettings": {
                "minNodeCount": 0.0,
                "maxNodeCount": 2.0,
                "nodeIdleTimeBeforeScaleDown": "PT120S",
            },
        },
    },
}
INSTANCE_OK = {
    "computeName": "dev",
    "properties": {
        "computeType": "ComputeInstance",
        "disableLocalAuth": True,
        "properties": {
            "vmSize": "Standard_DS11_v2",
            "enableNodePublicIp": False,
            "idleTimeBeforeShutdown": "PT60M",
        },
    },
}
ENDPOINT_OK = {
    "endpointName": "mlops-prod-online",
    "properties": {"authMode": "AADToken", "publicNetworkAccess": "Disabled", "traffic": {}},
}
DEPLOYMENT_OK = {
    "deploymentName": "blue",
    "sku": {"name": "Default", "capacity": 2.0},
    "properties": {
        "endpointComputeType": "Managed",
        "instanceType": "Standard_DS3_v2",
        "egressPublicNetworkAccess": "Disabled",
    },
}
ACCOUNT_OK = {
    "allowSharedKeyAccess": False,
    "allowBlobPublicAccess": False,
    "minimumTlsVersion": "TLS1_2",
    "tags": TAGS,
}
VAULT_OK = {"properties": {"enablePurgeProtection": True, "enableRbacAuthorization": True}}
ASSIGNMENT_OK = {
    "principalType": "ServicePrincipal",
    "roleDefinitionId": f"{SUB}/Microsoft.Authorization/roleDefinitions/"
    "f6c7c914-8db3-469d-8ca1-694a8f32e121",
}
CONNECTION_OK = {
    "serviceEndpointName": "mlops-prod-azure-ml",
    "serviceEndpointAuthenticationScheme": "WorkloadIdentityFederation",
    "credentials": {"serviceprincipalid": "00000000-0000-0000-0000-000000000002"},
}


def azure_cases(case: Callable[..., Any]) -> dict[str, list[Any]]:
    """The cases, built with the caller's ``Case`` class."""
    workspace, compute = f"{ML}:Workspace", f"{ML}:Compute"
    endpoint, deployment = f"{ML}:OnlineEndpoint", f"{ML}:OnlineDeployment"
    account = "azure-native:storage:StorageAccount"
    vault = "azure-native:keyvault:Vault"
    return {
        "azure-ml-workspace-disallow-public-network-access": [
            case(
                workspace,
                WORKSPACE_OK,
                [
                    ({"publicNetworkAccess": "Enabled"}, "publicNetworkAccess is Enabled"),
                    ({"publicNetworkAccess": DELETE}, "unset (Azure default: Enabled)"),
                ],
            )
        ],
        "azure-ml-workspace-require-managed-network": [
            case(
                workspace,
                WORKSPACE_OK,
                [
                    ({"managedNetwork.isolationMode": "Disabled"}, "isolationMode is Disabled"),
                    ({"managedNetwork": DELETE}, "isolationMode is unset (Disabled)"),
                ],
                also_compliant=[{"managedNetwork.isolationMode": "AllowInternetOutbound"}],
            )
        ],
        "azure-ml-workspace-require-identity-datastore-auth": [
            case(
                workspace,
                WORKSPACE_OK,
                [
                    ({"systemDatastoresAuthMode": "AccessKey"}, "is AccessKey; set 'Identity'"),
                    ({"systemDatastoresAuthMode": DELETE}, "unset (AccessKey)"),
                ],
            )
        ],
        "azure-ml-workspace-require-cmk": [
            case(
                workspace,
                WORKSPACE_OK,
                [
                    ({"encryption": DELETE}, "unset (Microsoft-managed keys)"),
                    ({"encryption.status": "Disabled"}, "encryption.status is Disabled"),
                ],
            )
        ],
        "azure-ml-compute-disallow-local-auth": [
            case(
                compute,
                CLUSTER_OK,
                [({"properties.disableLocalAuth": False}, "disableLocalAuth is not true")],
                also_compliant=[
                    {"properties.computeType": "Kubernetes", "properties.disableLocalAuth": DELETE}
                ],
            ),
            case(
                compute,
                INSTANCE_OK,
                [({"properties.disableLocalAuth": DELETE}, "disableLocalAuth is not true")],
            ),
        ],
        "azure-ml-compute-disallow-public-ip": [
            case(
                compute,
                CLUSTER_OK,
                [
                    ({"properties.properties.enableNodePublicIp": True}, "is not false"),
                    ({"properties.properties.enableNodePublicIp": DELETE}, "Azure default: true"),
                ],
            )
        ],
        "azure-ml-compute-cluster-require-scale-to-zero": [
            case(
                compute,
                CLUSTER_OK,
                [({"properties.properties.scaleSettings.minNodeCount": 1.0}, "minNodeCount is 1")],
                also_compliant=[
                    {"properties.properties.scaleSettings.minNodeCount": DELETE},
                    {"__type__": compute, **{"properties": INSTANCE_OK["properties"]}},
                ],
            )
        ],
        "azure-ml-compute-cluster-require-idle-scale-down": [
            case(
                compute,
                CLUSTER_OK,
                [
                    (
                        {"properties.properties.scaleSettings.nodeIdleTimeBeforeScaleDown": "PT2H"},
                        "(7200 s); at most 1800 seconds",
                    ),
                    (
                        {"properties.properties.scaleSettings.nodeIdleTimeBeforeScaleDown": "120"},
                        "is 120; set an ISO 8601 duration",
                    ),
                    (
                        {"properties.properties.scaleSettings.nodeIdleTimeBeforeScaleDown": DELETE},
                        "is unset (never)",
                    ),
                ],
                also_compliant=[
                    {"properties.properties.scaleSettings.nodeIdleTimeBeforeScaleDown": "PT30M"}
                ],
            )
        ],
        "azure-ml-compute-cluster-gpu-require-low-priority": [
            case(
                compute,
                CLUSTER_OK,
                [
                    ({"properties.properties.vmPriority": "Dedicated"}, "is Dedicated"),
                    ({"properties.properties.vmPriority": DELETE}, "unset (Dedicated)"),
                ],
                also_compliant=[
                    {
                        "properties.properties.vmSize": "Standard_DS3_v2",
                        "properties.properties.vmPriority": "Dedicated",
                    }
                ],
            )
        ],
        "azure-ml-compute-instance-require-idle-shutdown": [
            case(
                compute,
                INSTANCE_OK,
                [
                    (
                        {"properties.properties.idleTimeBeforeShutdown": DELETE},
                        "idleTimeBeforeShutdown is unset (never)",
                    ),
                    ({"properties.properties.idleTimeBeforeShutdown": "60"}, "is 60; set"),
                    (
                        {"properties.properties.idleTimeBeforeShutdown": "P1D"},
                        "at most 240 minutes",
                    ),
                ],
                also_compliant=[{"properties.properties.idleTimeBeforeShutdown": "PT4H"}],
            )
        ],
        "azure-ml-online-endpoint-disallow-public-network-access": [
            case(
                endpoint,
                ENDPOINT_OK,
                [({"properties.publicNetworkAccess": "Enabled"}, "is Enabled; set it")],
            )
        ],
        "azure-ml-online-endpoint-require-aad-auth": [
            case(
                endpoint,
                ENDPOINT_OK,
                [
                    ({"properties.authMode": "Key"}, "authMode is Key"),
                    ({"properties.authMode": "AMLToken"}, "authMode is AMLToken"),
                ],
            )
        ],
        "azure-ml-online-deployment-disallow-egress-public-access": [
            case(
                deployment,
                DEPLOYMENT_OK,
                [
                    ({"properties.egressPublicNetworkAccess": "Enabled"}, "is Enabled"),
                    ({"properties.egressPublicNetworkAccess": DELETE}, "unset (Enabled)"),
                ],
                also_compliant=[
                    {
                        "properties.endpointComputeType": "Kubernetes",
                        "properties.egressPublicNetworkAccess": DELETE,
                    }
                ],
            )
        ],
        "azure-ml-online-deployment-require-instance-count": [
            case(
                deployment,
                DEPLOYMENT_OK,
                [
                    ({"sku.capacity": 1.0}, "sku.capacity is 1; it must be between 2 and 10"),
                    ({"sku.capacity": 12.0}, "sku.capacity is 12"),
                    ({"sku": DELETE}, "sku.capacity is unset"),
                ],
                config={"minInstances": 2, "maxInstances": 10},
            )
        ],
        "azure-ml-online-deployment-require-allowed-instance-type": [
            case(
                deployment,
                DEPLOYMENT_OK,
                [
                    (
                        {"properties.instanceType": "Standard_NC24ads_A100_v4"},
                        "Standard_NC24ads_A100_v4 is not allowed",
                    ),
                    ({"properties.instanceType": "Standard_M128s"}, "Standard_M128s is not"),
                ],
            ),
            case(
                deployment,
                {
                    **DEPLOYMENT_OK,
                    "properties": {
                        **DEPLOYMENT_OK["properties"],
                        "instanceType": "Standard_NC4as_T4_v3",
                    },
                },
                [({"properties.instanceType": "Standard_ND96asr_v4"}, "is not allowed")],
                config={"allowedAcceleratedInstanceTypes": ["Standard_NC*as_T4_v3"]},
            ),
        ],
        "azure-ml-registry-disallow-public-network-access": [
            case(
                f"{ML}:Registry",
                {"registryName": "mlops-models", "publicNetworkAccess": "Disabled"},
                [({"publicNetworkAccess": "Enabled"}, "publicNetworkAccess is Enabled")],
            )
        ],
        "azure-storage-account-disallow-shared-key": [
            case(
                account,
                ACCOUNT_OK,
                [
                    ({"allowSharedKeyAccess": True}, "allowSharedKeyAccess is not false"),
                    ({"allowSharedKeyAccess": DELETE}, "Azure default: true"),
                ],
            )
        ],
        "azure-storage-account-disallow-blob-public-access": [
            case(
                account,
                ACCOUNT_OK,
                [({"allowBlobPublicAccess": True}, "allowBlobPublicAccess is not false")],
            )
        ],
        "azure-storage-account-require-tls12": [
            case(
                account,
                ACCOUNT_OK,
                [
                    ({"minimumTlsVersion": "TLS1_0"}, "minimumTlsVersion is TLS1_0"),
                    ({"minimumTlsVersion": DELETE}, "minimumTlsVersion is unset"),
                ],
            )
        ],
        "azure-keyvault-require-purge-protection": [
            case(
                vault,
                VAULT_OK,
                [({"properties.enablePurgeProtection": False}, "enablePurgeProtection is not")],
            )
        ],
        "azure-keyvault-require-rbac": [
            case(
                vault,
                VAULT_OK,
                [({"properties.enableRbacAuthorization": DELETE}, "enableRbacAuthorization is")],
            )
        ],
        "azure-acr-disallow-admin-user": [
            case(
                "azure-native:containerregistry:Registry",
                {"adminUserEnabled": False},
                [({"adminUserEnabled": True}, "adminUserEnabled is not false")],
            )
        ],
        "azure-appinsights-disallow-local-auth": [
            case(
                "azure-native:applicationinsights:Component",
                {"kind": "web", "disableLocalAuth": True},
                [({"disableLocalAuth": DELETE}, "disableLocalAuth is not true")],
            )
        ],
        "azure-log-analytics-disallow-local-auth": [
            case(
                "azure-native:operationalinsights:Workspace",
                {"features": {"disableLocalAuth": True}},
                [({"features.disableLocalAuth": False}, "features.disableLocalAuth is not")],
            )
        ],
        "azure-role-assignment-disallow-privileged-roles": [
            case(
                "azure-native:authorization:RoleAssignment",
                ASSIGNMENT_OK,
                [
                    (
                        {
                            "roleDefinitionId": f"{SUB}/Microsoft.Authorization/roleDefinitions/"
                            "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
                        },
                        "roleDefinitionId is Owner",
                    ),
                    (
                        {
                            "roleDefinitionId": f"{SUB}/Microsoft.Authorization/roleDefinitions/"
                            "B24988AC-6180-42A0-AB88-20F7382DD24C"
                        },
                        "roleDefinitionId is Contributor",
                    ),
                ],
            )
        ],
        "azure-devops-service-connection-require-workload-identity": [
            case(
                "azuredevops:index/serviceEndpointAzureRM:ServiceEndpointAzureRM",
                CONNECTION_OK,
                [
                    (
                        {"serviceEndpointAuthenticationScheme": "ServicePrincipal"},
                        "is ServicePrincipal; set 'WorkloadIdentityFederation'",
                    ),
                    (
                        {"credentials.serviceprincipalkey": "s3cret"},
                        "credentials.serviceprincipalkey is set",
                    ),
                ],
            )
        ],
    }
