"""KeyVaultKey: vault hardening, key and rotation policy, grants, retention, names."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pytest
from azure_plan import (
    AZURE_TENANT_ID,
    GROUP,
    LOCATION,
    TAGS,
    Recording,
    assert_tagged,
    capture,
    children,
    plan,
    role_definition,
)
from mlops_components.azure import KeyVaultKey, KeyVaultKeyArgs
from mlops_components.naming import PhysicalNameError
from mlops_components.settings import Retention

TOKEN = "mlops:azure:KeyVaultKey"
VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
ASSIGNMENT = "azure-native:authorization:RoleAssignment"
PRINCIPAL = "11111111-2222-3333-4444-555555555555"


def run(**overrides: Any) -> Recording:
    def program() -> None:
        args = KeyVaultKeyArgs(
            resource_group_name=GROUP,
            location=LOCATION,
            tags=TAGS,
            name_prefix="mlops-dev",
            encryption_users={"storage": PRINCIPAL},
        )
        for key, value in overrides.items():
            setattr(args, key, value)
        KeyVaultKey("cmk", args)

    return plan(program)


def test_children_are_vault_key_and_grant() -> None:
    rec = run()
    assert children(rec, TOKEN, "cmk") == [
        (ASSIGNMENT, "cmk-encrypt-storage"),
        (KEY, "cmk-key"),
        (VAULT, "cmk"),
    ]
    assert_tagged(rec, TOKEN, "cmk")


def test_vault_uses_rbac_purge_protection_and_a_closed_firewall() -> None:
    vault = run().one(VAULT).inputs
    assert re.fullmatch(r"mlops-dev-[0-9a-f]{6}", vault["vaultName"])
    assert vault["properties"] == {
        "tenantId": AZURE_TENANT_ID,
        "sku": {"family": "A", "name": "standard"},
        "enableRbacAuthorization": True,
        "enableSoftDelete": True,
        "softDeleteRetentionInDays": 7,
        "enablePurgeProtection": True,
        "enabledForDeployment": False,
        "enabledForDiskEncryption": False,
        "enabledForTemplateDeployment": False,
        "publicNetworkAccess": "Disabled",
        "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices", "ipRules": []},
    }


def test_key_is_rsa_3072_and_rotates_before_it_expires() -> None:
    rec = run()
    key = rec.one(KEY).inputs
    assert key["vaultName"] == rec.one(VAULT).inputs["vaultName"]
    assert key["keyName"] == "cmk"
    assert key["properties"] == {
        "kty": "RSA",
        "keySize": 3072,
        "keyOps": ["wrapKey", "unwrapKey", "encrypt", "decrypt"],
        "attributes": {"enabled": True},
        "rotationPolicy": {
            "attributes": {"expiryTime": "P1Y"},
            "lifetimeActions": [
                {"action": {"type": "rotate"}, "trigger": {"timeAfterCreate": "P335D"}},
                {"action": {"type": "notify"}, "trigger": {"timeBeforeExpiry": "P30D"}},
            ],
        },
    }


def test_encryption_users_get_the_crypto_service_role_on_the_key_only() -> None:
    rec = run()
    grant = rec.one(ASSIGNMENT).inputs
    assert grant["scope"] == rec.one(KEY).id
    assert grant["principalId"] == PRINCIPAL
    assert grant["principalType"] == "ServicePrincipal"
    assert grant["roleDefinitionId"] == role_definition("e147488a-f6f5-4113-8e2d-b22465e65bf6")


def test_outputs_are_the_versionless_key_uri_and_vault_uri() -> None:
    seen: dict[str, Any] = {}

    def program() -> None:
        kv = KeyVaultKey(
            "cmk",
            KeyVaultKeyArgs(
                resource_group_name=GROUP, location=LOCATION, tags=TAGS, name_prefix="kv"
            ),
        )
        capture(seen, vault_uri=kv.vault_uri, key_uri=kv.key_uri, key_name=kv.key_name)

    name = plan(program).one(VAULT).inputs["vaultName"]
    assert seen == {
        "vault_uri": f"https://{name}.vault.azure.net/",
        "key_uri": f"https://{name}.vault.azure.net/keys/cmk",
        "key_name": "cmk",
    }


def test_destroyable_vault_is_recoverable_for_seven_days_only() -> None:
    rec = run()
    for token in (VAULT, KEY):
        assert (rec.one(token).protect, rec.one(token).retain_on_delete) == (False, False)


def test_protected_vault_keeps_90_days_and_is_protected_and_retained() -> None:
    rec = run(retention=Retention.PROTECTED)
    assert rec.one(VAULT).inputs["properties"]["softDeleteRetentionInDays"] == 90
    for token in (VAULT, KEY):
        assert (rec.one(token).protect, rec.one(token).retain_on_delete) == (True, True)


def test_allowlist_opens_the_public_endpoint_to_those_ranges_only() -> None:
    props = run(allowed_ip_ranges=["203.0.113.0/24"]).one(VAULT).inputs["properties"]
    assert props["publicNetworkAccess"] == "Enabled"
    assert props["networkAcls"] == {
        "defaultAction": "Deny",
        "bypass": "AzureServices",
        "ipRules": [{"value": "203.0.113.0/24"}],
    }


def test_vault_name_differs_per_component_and_is_stable() -> None:
    def names() -> list[str]:
        def program() -> None:
            for n in ("a", "b"):
                KeyVaultKey(
                    n,
                    KeyVaultKeyArgs(
                        resource_group_name=GROUP, location=LOCATION, tags=TAGS, name_prefix="kv"
                    ),
                )

        return [r.inputs["vaultName"] for r in plan(program).by_type(VAULT)]

    first = names()
    assert len(set(first)) == 2 and first == names()


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"key_size": 2048}, "key_size: 2048"),
        ({"key_name": "my_key"}, "key_name"),
        ({"encryption_users": {"Storage": PRINCIPAL}}, "encryption_users['Storage']"),
        (
            {"allowed_ip_ranges": ["10.0.0.0/8"]},
            "allowed_ip_ranges[0]: '10.0.0.0/8' is not a public",
        ),
        ({"allowed_ip_ranges": ["0.0.0.0/0"]}, "allowed_ip_ranges[0]"),
        ({"allowed_ip_ranges": ["example.com"]}, "allowed_ip_ranges[0]"),
    ],
)
def test_invalid_arguments_are_refused(overrides: dict[str, Any], argument: str) -> None:
    with pytest.raises(ValueError, match=re.escape(argument)):
        run(**overrides)


@pytest.mark.parametrize("prefix", ["", "a-very-long-key-vault-prefix", "1kv"])
def test_bad_name_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(PhysicalNameError, match="key-vault"):
        run(name_prefix=prefix)


def test_principal_id_that_is_not_a_guid_is_refused() -> None:
    with pytest.raises(pulumi.InputPropertyError) as err:
        run(encryption_users={"storage": "not-a-guid"})
    assert err.value.property_path == "encryption_users['storage']"
