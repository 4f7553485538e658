"""ContainerRegistry: Premium, private, no admin or anonymous access, policies, CMK."""

from __future__ import annotations

import re
from typing import Any

import pytest
from azure_plan import GROUP, LOCATION, TAGS, Recording, assert_tagged, children, plan
from mlops_components.azure import ContainerRegistry, ContainerRegistryArgs
from mlops_components.naming import PhysicalNameError
from mlops_components.settings import Retention

TOKEN = "mlops:azure:ContainerRegistry"
REGISTRY = "azure-native:containerregistry:Registry"
IDENTITY_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
    "Microsoft.ManagedIdentity/userAssignedIdentities/acr"
)
CLIENT_ID = "99999999-8888-7777-6666-555555555555"
KEY_URI = "https://kv-abc123.vault.azure.net/keys/cmk"


def run(**overrides: Any) -> Recording:
    def program() -> None:
        args = ContainerRegistryArgs(
            resource_group_name=GROUP, location=LOCATION, tags=TAGS, name_prefix="mlopsdev"
        )
        for key, value in overrides.items():
            setattr(args, key, value)
        ContainerRegistry("acr", args)

    return plan(program)


def test_one_premium_private_registry_without_shared_credentials() -> None:
    rec = run()
    assert children(rec, TOKEN, "acr") == [(REGISTRY, "acr")]
    assert_tagged(rec, TOKEN, "acr")
    registry = rec.one(REGISTRY).inputs
    assert re.fullmatch(r"mlopsdev[0-9a-f]{6}", registry["registryName"])
    assert registry == {
        "registryName": registry["registryName"],
        "resourceGroupName": GROUP,
        "location": LOCATION,
        "tags": TAGS,
        "sku": {"name": "Premium"},
        "adminUserEnabled": False,
        "anonymousPullEnabled": False,
        "publicNetworkAccess": "Disabled",
        "networkRuleBypassOptions": "AzureServices",
        "zoneRedundancy": "Disabled",
        "policies": {
            "retentionPolicy": {"days": 7, "status": "enabled"},
            "exportPolicy": {"status": "disabled"},
            "azureADAuthenticationAsArmPolicy": {"status": "disabled"},
            "quarantinePolicy": {"status": "disabled"},
        },
    }


def test_customer_managed_key_through_the_user_assigned_identity() -> None:
    registry = (
        run(key_uri=KEY_URI, identity_id=IDENTITY_ID, identity_client_id=CLIENT_ID)
        .one(REGISTRY)
        .inputs
    )
    # This module's identity takes ARM's map of identity ids, not a list.
    assert registry["identity"] == {
        "type": "UserAssigned",
        "userAssignedIdentities": {IDENTITY_ID: {}},
    }
    assert registry["encryption"] == {
        "status": "enabled",
        "keyVaultProperties": {"keyIdentifier": KEY_URI, "identity": CLIENT_ID},
    }


def test_allowlist_opens_the_registry_to_those_ranges_and_allows_export() -> None:
    registry = run(allowed_ip_ranges=["198.51.100.0/28"]).one(REGISTRY).inputs
    assert registry["publicNetworkAccess"] == "Enabled"
    assert registry["networkRuleSet"] == {
        "defaultAction": "Deny",
        "ipRules": [{"iPAddressOrRange": "198.51.100.0/28", "action": "Allow"}],
    }
    assert registry["policies"]["exportPolicy"] == {"status": "enabled"}


def test_retention_flags() -> None:
    assert (run().one(REGISTRY).protect, run().one(REGISTRY).retain_on_delete) == (False, False)
    protected = run(retention=Retention.PROTECTED).one(REGISTRY)
    assert (protected.protect, protected.retain_on_delete) == (True, True)


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"untagged_retention_days": 400}, "untagged_retention_days: 400"),
        ({"key_uri": KEY_URI}, "key_uri: needs identity_id"),
        ({"identity_id": IDENTITY_ID}, "identity_id/key_access: only used with key_uri"),
        ({"allowed_ip_ranges": ["10.1.0.0/16"]}, "allowed_ip_ranges[0]"),
    ],
)
def test_invalid_arguments_are_refused(overrides: dict[str, Any], argument: str) -> None:
    with pytest.raises(ValueError, match=re.escape(argument)):
        run(**overrides)


def test_bad_name_prefix_is_refused() -> None:
    with pytest.raises(PhysicalNameError, match="container-registry"):
        run(name_prefix="---")
