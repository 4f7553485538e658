"""AzureFoundation under mocks: the exact resource set, names, wiring, security settings
and tags; its settings' validation; the registry entry point."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pulumi
import pytest
from mlops_components.architectures.azure_foundation import (
    TOKEN,
    AzureFoundation,
    AzureFoundationArgs,
    deploy,
)
from mlops_components.registry import Deployment, spec
from mlops_components.settings import Cloud, Retention
from mlops_components.settings.azure import AzureFoundationSettings
from mlops_preview.mocks import AZURE_SUBSCRIPTION_ID
from mlops_preview.runner import Recording, run_program
from pydantic import ValidationError
from support import subtree, taggable

LOCATION = "westeurope"
GROUP = "mlops-test-rg"
TAGS = {
    "component": "azure-foundation",
    "cost-centre": "cc-1",
    "environment": "test",
    "managed-by": "pulumi",
    "owner": "ml-platform",
    "project": "mlops-iac",
}
ACCOUNT = "azure-native:storage:StorageAccount"
VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
REGISTRY = "azure-native:containerregistry:Registry"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
ASSIGNMENT = "azure-native:authorization:RoleAssignment"
ENDPOINT = "azure-native:network:PrivateEndpoint"
SUBNET = "azure-native:network:Subnet"
WORKSPACE = "azure-native:operationalinsights:Workspace"
APP_INSIGHTS = "azure-native:applicationinsights:Component"
RESOURCE_GROUP = "azure-native:resources:ResourceGroup"

COUNTS = {
    RESOURCE_GROUP: 1,
    IDENTITY: 1,
    VAULT: 1,
    KEY: 1,
    ASSIGNMENT: 1,
    ACCOUNT: 1,
    "azure-native:storage:BlobServiceProperties": 1,
    "azure-native:storage:ManagementPolicy": 1,
    "azure-native:storage:BlobContainer": 1,
    REGISTRY: 1,
    "azure-native:network:VirtualNetwork": 1,
    "azure-native:network:NetworkSecurityGroup": 1,
    SUBNET: 2,
    "azure-native:privatedns:PrivateZone": 4,
    "azure-native:privatedns:VirtualNetworkLink": 4,
    ENDPOINT: 4,
    "azure-native:network:PrivateDnsZoneGroup": 4,
    WORKSPACE: 1,
    APP_INSIGHTS: 1,
}
"""Every cloud resource of the default foundation (no alert e-mails: no action group)."""


def run(retention: Retention = Retention.DESTROYABLE, **settings: Any) -> Recording:
    def program() -> None:
        AzureFoundation(
            "azure",
            AzureFoundationArgs(
                settings=AzureFoundationSettings.model_validate(settings),
                location=LOCATION,
                name_prefix="mlops-test",
                tags=TAGS,
                retention=retention,
            ),
        )

    rec = run_program(program, config={"azure-native:location": LOCATION})
    assert rec.warnings == []
    return rec


@pytest.fixture(scope="module")
def rec() -> Recording:
    return run()


def cloud(rec: Recording) -> list[Any]:
    return [r for r in rec.resources if r.custom]


def test_the_foundation_composes_the_blocks(rec: Recording) -> None:
    foundation = rec.one(TOKEN, "azure")
    assert sorted((r.type, r.name) for r in rec.children_of(foundation.urn)) == [
        (RESOURCE_GROUP, "azure-rg"),
        ("mlops:azure:ContainerRegistry", "azure-acr"),
        ("mlops:azure:DataLakeStorage", "azure-lake"),
        ("mlops:azure:KeyVaultKey", "azure-cmk"),
        ("mlops:azure:ManagedIdentity", "azure-identity"),
        ("mlops:azure:Monitoring", "azure-monitoring"),
        ("mlops:azure:PrivateNetwork", "azure-net"),
    ]
    assert Counter(r.type for r in cloud(rec)) == COUNTS
    assert len(subtree(rec, foundation)) == sum(COUNTS.values()) + 6


def test_one_resource_group_holds_everything(rec: Recording) -> None:
    group = rec.one(RESOURCE_GROUP, "azure-rg")
    assert group.inputs == {"resourceGroupName": GROUP, "location": LOCATION, "tags": TAGS}
    # Role assignments have a scope (the key), not a resource group.
    others = [r for r in cloud(rec) if r.type not in (RESOURCE_GROUP, ASSIGNMENT)]
    assert {r.inputs["resourceGroupName"] for r in others} == {GROUP}
    assert all(group.urn in r.dependencies for r in others if r.parent != group.urn)


def test_globally_unique_names_start_with_the_prefix(rec: Recording) -> None:
    assert rec.one(VAULT).inputs["vaultName"].startswith("mlops-test-")
    assert len(rec.one(VAULT).inputs["vaultName"]) == len("mlops-test-") + 6
    assert rec.one(ACCOUNT).inputs["accountName"].startswith("mlopstest")
    assert len(rec.one(ACCOUNT).inputs["accountName"]) == len("mlopstest") + 6
    assert rec.one(REGISTRY).inputs["registryName"].startswith("mlopstest")


def test_every_taggable_resource_carries_the_tags(rec: Recording) -> None:
    tagged = [r for r in cloud(rec) if taggable(r.type)]
    assert (
        len(tagged) == sum(COUNTS.values()) - 1 - 3 - 2 - 4
    )  # not: grant, blob parts, subnets, zone groups
    for resource in tagged:
        assert resource.inputs.get("tags") == TAGS, f"{resource.type} {resource.name}"


def test_the_identity_reads_the_key_that_encrypts_the_lake(rec: Recording) -> None:
    identity, key = rec.one(IDENTITY), rec.one(KEY)
    grant = rec.one(ASSIGNMENT, "azure-cmk-encrypt-lake")
    assert grant.inputs["principalType"] == "ServicePrincipal"
    assert grant.inputs["principalId"] == identity.outputs["principalId"]
    assert grant.inputs["scope"] == key.id
    assert grant.inputs["roleDefinitionId"] == (
        f"/subscriptions/{AZURE_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/"
        "roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6"
    )
    account = rec.one(ACCOUNT)
    assert grant.urn in account.dependencies
    identity_id = identity.id
    assert account.inputs["identity"]["type"] == "UserAssigned"
    encryption = account.inputs["encryption"]
    assert encryption["keySource"] == "Microsoft.Keyvault"
    assert encryption["keyVaultProperties"]["keyName"] == "cmk"
    assert encryption["encryptionIdentity"] == {"encryptionUserAssignedIdentity": identity_id}
    assert encryption["requireInfrastructureEncryption"] is True


def test_nothing_has_a_public_endpoint(rec: Recording) -> None:
    vault = rec.one(VAULT).inputs["properties"]
    assert vault["publicNetworkAccess"] == "Disabled"
    assert vault["enableRbacAuthorization"] is True
    assert vault["enablePurgeProtection"] is True
    account = rec.one(ACCOUNT).inputs
    assert account["publicNetworkAccess"] == "Disabled"
    assert account["allowSharedKeyAccess"] is False
    assert account["allowBlobPublicAccess"] is False
    assert account["isHnsEnabled"] is True
    assert account["minimumTlsVersion"] == "TLS1_2"
    registry = rec.one(REGISTRY).inputs
    assert registry["sku"] == {"name": "Premium"}
    assert registry["publicNetworkAccess"] == "Disabled"
    assert registry["adminUserEnabled"] is False
    assert "encryption" not in registry  # Microsoft-managed keys (see the module)
    assert rec.one(WORKSPACE).inputs["features"]["disableLocalAuth"] is True
    assert rec.one(APP_INSIGHTS).inputs["disableLocalAuth"] is True
    assert rec.one(APP_INSIGHTS).inputs["workspaceResourceId"] == rec.one(WORKSPACE).id


def test_private_endpoints_reach_the_lake_the_vault_and_the_registry(rec: Recording) -> None:
    targets = {
        r.name: (
            r.inputs["privateLinkServiceConnections"][0]["groupIds"],
            r.inputs["privateLinkServiceConnections"][0]["privateLinkServiceId"],
        )
        for r in rec.by_type(ENDPOINT)
    }
    assert targets == {
        "azure-net-pe-lake-blob": (["blob"], rec.one(ACCOUNT).id),
        "azure-net-pe-lake-dfs": (["dfs"], rec.one(ACCOUNT).id),
        "azure-net-pe-registry": (["registry"], rec.one(REGISTRY).id),
        "azure-net-pe-vault": (["vault"], rec.one(VAULT).id),
    }
    subnets = {r.inputs["subnetName"]: r.inputs for r in rec.by_type(SUBNET)}
    assert {n: s["addressPrefix"] for n, s in subnets.items()} == {
        "endpoints": "10.20.0.0/24",
        "workloads": "10.20.4.0/22",
    }
    assert all(s["defaultOutboundAccess"] is False for s in subnets.values())


def test_dev_defaults_are_cheap(rec: Recording) -> None:
    assert rec.one(ACCOUNT).inputs["sku"] == {"name": "Standard_LRS"}
    assert rec.one(WORKSPACE).inputs["retentionInDays"] == 30
    assert rec.one(WORKSPACE).inputs["sku"] == {"name": "PerGB2018"}
    assert rec.one(REGISTRY).inputs["policies"]["retentionPolicy"] == {
        "days": 7,
        "status": "enabled",
    }
    assert not any(r.protect for r in rec.resources)


def test_no_recorded_input_is_missing(rec: Recording) -> None:
    missing = [
        f"{r.type} {r.name}: {key}"
        for r in rec.resources
        for key, deps in r.property_dependencies.items()
        if deps and key not in r.inputs
    ]
    assert missing == []


def test_settings_reach_the_blocks() -> None:
    rec = run(
        address_space="10.30.0.0/16",
        endpoint_subnet="10.30.1.0/24",
        workload_subnet="10.30.8.0/21",
        storage_sku="Standard_ZRS",
        containers=["raw", "curated"],
        lifecycle={"archive_after_days": None, "expire": [{"prefix": "tmp/", "after_days": 3}]},
        log_retention_days=90,
        log_daily_quota_gb=2,
        alert_emails=["oncall@example.com"],
        network_access={"mode": "public", "allowed_cidrs": ["203.0.113.0/24"]},
    )
    assert rec.one("azure-native:network:VirtualNetwork").inputs["addressSpace"] == {
        "addressPrefixes": ["10.30.0.0/16"]
    }
    assert rec.one(ACCOUNT).inputs["sku"] == {"name": "Standard_ZRS"}
    containers = rec.by_type("azure-native:storage:BlobContainer")
    assert sorted(c.inputs["containerName"] for c in containers) == ["curated", "raw"]
    workspace = rec.one(WORKSPACE).inputs
    assert (workspace["retentionInDays"], workspace["workspaceCapping"]) == (
        90,
        {"dailyQuotaGb": 2},
    )
    (receiver,) = rec.one("azure-native:monitor:ActionGroup").inputs["emailReceivers"]
    assert receiver["emailAddress"] == "oncall@example.com"
    assert rec.one(ACCOUNT).inputs["publicNetworkAccess"] == "Enabled"
    assert rec.one(ACCOUNT).inputs["networkRuleSet"]["ipRules"] == [
        {"iPAddressOrRange": "203.0.113.0/24", "action": "Allow"}
    ]
    assert rec.one(VAULT).inputs["properties"]["publicNetworkAccess"] == "Enabled"
    assert rec.one(REGISTRY).inputs["publicNetworkAccess"] == "Enabled"


def test_protected_retention_keeps_every_stateful_resource() -> None:
    rec = run(Retention.PROTECTED)
    protected = sorted(r.name for r in rec.resources if r.protect and r.retain_on_delete)
    assert protected == [
        "azure-acr",
        "azure-cmk",
        "azure-cmk-key",
        "azure-lake",
        "azure-lake-blob-service",
        "azure-lake-container-data",
        "azure-lake-lifecycle",
        "azure-monitoring",
        "azure-monitoring-appinsights",
        "azure-rg",
    ]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"workload_subnet": "10.99.0.0/22"}, "workload_subnet: 10.99.0.0/22 is outside"),
        ({"endpoint_subnet": "10.20.4.0/24"}, "workload_subnet: overlaps endpoint_subnet"),
        ({"address_space": "8.8.0.0/16"}, "address_space: 8.8.0.0/16 is not a private"),
        ({"endpoint_subnet": "10.20.0.0/30"}, "smaller than /29"),
        (
            {"network_access": {"mode": "public", "allowed_cidrs": ["10.0.0.0/8"]}},
            "allowed_cidrs[0]: 10.0.0.0/8 is not a public IPv4 range",
        ),
        ({"containers": ["Data"]}, "containers[0]: 'Data' must be"),
        ({"log_retention_days": 7}, "greater than or equal to 30"),
        ({"alert_emails": ["nobody"]}, "alert_emails.0"),
        ({"sku": "Standard_LRS"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_settings_name_the_setting(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        AzureFoundationSettings.model_validate(settings)
    assert message in str(caught.value)


def test_the_registry_entry_deploys_flat_azure_outputs() -> None:
    entry = spec("azure_foundation")
    assert (entry.cloud, entry.title) == (Cloud.AZURE, "Azure foundation")
    assert entry.load() is deploy
    found: dict[str, Any] = {}

    def program() -> None:
        outputs = deploy(
            Deployment(
                name_prefix="mlops-test",
                region=LOCATION,
                tags={k: v for k, v in TAGS.items() if k != "component"},
                retention=Retention.DESTROYABLE,
                opts=pulumi.ResourceOptions(),
            ),
            AzureFoundationSettings(),
        )
        found.update(outputs)

    rec = run_program(program, config={"azure-native:location": LOCATION})
    assert sorted(found) == [
        "azure_action_group_id",
        "azure_app_insights_connection_string",
        "azure_dfs_endpoint",
        "azure_identity_client_id",
        "azure_identity_id",
        "azure_identity_principal_id",
        "azure_key_id",
        "azure_key_uri",
        "azure_key_vault_uri",
        "azure_registry_login_server",
        "azure_resource_group_name",
        "azure_storage_account_name",
        "azure_vnet_id",
        "azure_workload_subnet_id",
        "azure_workspace_id",
    ]
    assert found["azure_action_group_id"] is None
    assert all(r.inputs.get("tags") == TAGS for r in cloud(rec) if taggable(r.type))
