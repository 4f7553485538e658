"""DataLakeStorage: account hardening, CMK through the identity, soft delete, lifecycle,
containers, retention and the account name."""

from __future__ import annotations

import re
from typing import Any

import pytest
from azure_plan import GROUP, LOCATION, TAGS, Recording, assert_tagged, children, plan
from mlops_components.azure import (
    DataLakeStorage,
    DataLakeStorageArgs,
    KeyVaultKey,
    KeyVaultKeyArgs,
    ManagedIdentity,
    ManagedIdentityArgs,
)
from mlops_components.naming import PhysicalNameError
from mlops_components.settings import LifecycleSettings, Retention
from mlops_components.settings.common import ExpiryRule

TOKEN = "mlops:azure:DataLakeStorage"
ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
POLICY = "azure-native:storage:ManagementPolicy"
CONTAINER = "azure-native:storage:BlobContainer"
ASSIGNMENT = "azure-native:authorization:RoleAssignment"
IDENTITY_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
    "Microsoft.ManagedIdentity/userAssignedIdentities/lake"
)
VAULT_URI = "https://kv-abc123.vault.azure.net/"


def run(**overrides: Any) -> Recording:
    def program() -> None:
        args = DataLakeStorageArgs(
            resource_group_name=GROUP,
            location=LOCATION,
            tags=TAGS,
            name_prefix="mlopsdev",
            identity_id=IDENTITY_ID,
            key_vault_uri=VAULT_URI,
            key_name="cmk",
        )
        for key, value in overrides.items():
            setattr(args, key, value)
        DataLakeStorage("lake", args)

    return plan(program)


def test_children_are_account_service_settings_lifecycle_and_container() -> None:
    rec = run()
    assert children(rec, TOKEN, "lake") == [
        (CONTAINER, "lake-container-data"),
        (BLOB_SERVICE, "lake-blob-service"),
        (POLICY, "lake-lifecycle"),
        (ACCOUNT, "lake"),
    ]
    assert_tagged(rec, TOKEN, "lake")
    name = rec.one(ACCOUNT).inputs["accountName"]
    for token in (BLOB_SERVICE, CONTAINER, POLICY):
        assert rec.one(token).inputs["accountName"] == name


def test_account_is_adls_gen2_entra_only_private_and_tls12() -> None:
    account = run().one(ACCOUNT).inputs
    assert re.fullmatch(r"mlopsdev[0-9a-f]{6}", account["accountName"])
    expected = {
        "kind": "StorageV2",
        "sku": {"name": "Standard_LRS"},
        "accessTier": "Hot",
        "isHnsEnabled": True,
        "allowSharedKeyAccess": False,
        "defaultToOAuthAuthentication": True,
        "allowBlobPublicAccess": False,
        "allowCrossTenantReplication": False,
        "isLocalUserEnabled": False,
        "isSftpEnabled": False,
        "minimumTlsVersion": "TLS1_2",
        "enableHttpsTrafficOnly": True,
        "publicNetworkAccess": "Disabled",
        "networkRuleSet": {"defaultAction": "Deny", "bypass": "AzureServices", "ipRules": []},
    }
    assert {k: account[k] for k in expected} == expected


def test_account_encrypts_with_the_customer_key_through_the_identity() -> None:
    rec = run()
    account = rec.one(ACCOUNT)
    assert account.inputs["identity"] == {
        "type": "UserAssigned",
        "userAssignedIdentities": [IDENTITY_ID],
    }
    assert account.inputs["encryption"] == {
        "keySource": "Microsoft.Keyvault",
        "keyVaultProperties": {"keyVaultUri": VAULT_URI, "keyName": "cmk"},
        "encryptionIdentity": {"encryptionUserAssignedIdentity": IDENTITY_ID},
        "requireInfrastructureEncryption": True,
        "services": {
            "blob": {"enabled": True, "keyType": "Account"},
            "file": {"enabled": True, "keyType": "Account"},
        },
    }
    # The mocks answer with ARM's map, as the SDK expects (a list made plans fail).
    assert list(account.outputs["identity"]["userAssignedIdentities"]) == [IDENTITY_ID]


def test_account_waits_for_the_key_grant() -> None:
    def program() -> None:
        identity = ManagedIdentity(
            "lake-id", ManagedIdentityArgs(resource_group_name=GROUP, location=LOCATION, tags=TAGS)
        )
        key = KeyVaultKey(
            "cmk",
            KeyVaultKeyArgs(
                resource_group_name=GROUP,
                location=LOCATION,
                tags=TAGS,
                name_prefix="kv",
                encryption_users={"lake": identity.principal_id},
            ),
        )
        DataLakeStorage(
            "lake",
            DataLakeStorageArgs(
                resource_group_name=GROUP,
                location=LOCATION,
                tags=TAGS,
                name_prefix="lake",
                identity_id=identity.identity_id,
                key_vault_uri=key.vault_uri,
                key_name=key.key_name,
                key_access=list(key.role_assignments.values()),
            ),
        )

    rec = plan(program)
    account = rec.one(ACCOUNT)
    grant = rec.one(ASSIGNMENT, "cmk-encrypt-lake")
    assert grant.urn in account.dependencies
    vault = rec.one("azure-native:keyvault:Vault").inputs["vaultName"]
    assert account.inputs["encryption"]["keyVaultProperties"] == {
        "keyVaultUri": f"https://{vault}.vault.azure.net/",
        "keyName": "cmk",
    }
    identity = rec.one("azure-native:managedidentity:UserAssignedIdentity").id
    assert account.inputs["identity"]["userAssignedIdentities"] == [identity]


def test_soft_delete_without_versioning_on_a_hierarchical_namespace() -> None:
    service = run().one(BLOB_SERVICE).inputs
    assert service == {
        "accountName": service["accountName"],
        "resourceGroupName": GROUP,
        "blobServicesName": "default",
        "deleteRetentionPolicy": {"enabled": True, "days": 7},
        "containerDeleteRetentionPolicy": {"enabled": True, "days": 7},
        # Blob versioning is not supported with HNS.
        "isVersioningEnabled": False,
    }


def test_lifecycle_tiers_the_account_and_expires_per_prefix_in_each_container() -> None:
    lifecycle = LifecycleSettings(expire=[ExpiryRule(prefix="runs/tmp/", after_days=14)])
    policy = run(lifecycle=lifecycle, containers=["data", "scratch"]).one(POLICY).inputs
    assert policy["managementPolicyName"] == "default"
    assert policy["policy"] == {
        "rules": [
            {
                "name": "tiering",
                "enabled": True,
                "type": "Lifecycle",
                "definition": {
                    "filters": {"blobTypes": ["blockBlob"]},
                    "actions": {
                        "baseBlob": {
                            "tierToCool": {"daysAfterCreationGreaterThan": 30},
                            # The vocabulary's archive tier is Blob Cold: online, and
                            # available on every redundancy (Archive is neither).
                            "tierToCold": {"daysAfterCreationGreaterThan": 90},
                        }
                    },
                },
            },
            {
                "name": "expire1runstmp",
                "enabled": True,
                "type": "Lifecycle",
                "definition": {
                    "filters": {
                        "blobTypes": ["blockBlob"],
                        "prefixMatch": ["data/runs/tmp/", "scratch/runs/tmp/"],
                    },
                    "actions": {"baseBlob": {"delete": {"daysAfterCreationGreaterThan": 14}}},
                },
            },
        ]
    }


def test_flat_account_keeps_versions_and_expires_old_ones() -> None:
    rec = run(hierarchical_namespace=False)
    assert rec.one(ACCOUNT).inputs["isHnsEnabled"] is False
    assert rec.one(BLOB_SERVICE).inputs["isVersioningEnabled"] is True
    tiering = rec.one(POLICY).inputs["policy"]["rules"][0]["definition"]["actions"]
    assert tiering["version"] == {"delete": {"daysAfterCreationGreaterThan": 90}}


def test_no_lifecycle_rule_means_no_policy() -> None:
    lifecycle = LifecycleSettings(infrequent_access_after_days=None, archive_after_days=None)
    rec = run(lifecycle=lifecycle)
    assert rec.by_type(POLICY) == []


def test_containers_are_private() -> None:
    rec = run(containers=["raw", "features"])
    assert sorted(r.inputs["containerName"] for r in rec.by_type(CONTAINER)) == [
        "features",
        "raw",
    ]
    assert {r.inputs["publicAccess"] for r in rec.by_type(CONTAINER)} == {"None"}


def test_destroyable_children_are_neither_protected_nor_retained() -> None:
    rec = run()
    for token in (ACCOUNT, BLOB_SERVICE, POLICY, CONTAINER):
        assert (rec.one(token).protect, rec.one(token).retain_on_delete) == (False, False)


def test_protected_account_keeps_30_days_and_protects_every_child() -> None:
    rec = run(retention=Retention.PROTECTED)
    service = rec.one(BLOB_SERVICE).inputs
    assert service["deleteRetentionPolicy"] == {"enabled": True, "days": 30}
    assert service["containerDeleteRetentionPolicy"] == {"enabled": True, "days": 30}
    for token in (ACCOUNT, BLOB_SERVICE, POLICY, CONTAINER):
        assert (rec.one(token).protect, rec.one(token).retain_on_delete) == (True, True)


def test_allowlist_opens_the_public_endpoint_to_those_ranges_only() -> None:
    account = run(allowed_ip_ranges=["198.51.100.7"]).one(ACCOUNT).inputs
    assert account["publicNetworkAccess"] == "Enabled"
    assert account["networkRuleSet"]["ipRules"] == [
        {"iPAddressOrRange": "198.51.100.7", "action": "Allow"}
    ]


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"sku_name": "Premium_LRS"}, "sku_name: 'Premium_LRS'"),
        ({"containers": []}, "containers: at least one"),
        ({"containers": ["data", "data"]}, "containers: duplicates"),
        ({"containers": ["Data"]}, "containers[0]: 'Data'"),
        ({"containers": ["a--b"]}, "containers[0]"),
        ({"allowed_ip_ranges": ["192.168.1.0/24"]}, "allowed_ip_ranges[0]"),
    ],
)
def test_invalid_arguments_are_refused(overrides: dict[str, Any], argument: str) -> None:
    with pytest.raises(ValueError, match=re.escape(argument)):
        run(**overrides)


def test_zrs_accounts_tier_to_cold_too() -> None:
    assert run(sku_name="Standard_ZRS").one(ACCOUNT).inputs["sku"] == {"name": "Standard_ZRS"}


@pytest.mark.parametrize("prefix", ["", "averyveryverylongprefix"])
def test_bad_name_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(PhysicalNameError, match="storage-account"):
        run(name_prefix=prefix)


def test_account_name_drops_characters_storage_refuses() -> None:
    name = run(name_prefix="MLOps-Dev_1").one(ACCOUNT).inputs["accountName"]
    assert re.fullmatch(r"mlopsdev1[0-9a-f]{6}", name)
