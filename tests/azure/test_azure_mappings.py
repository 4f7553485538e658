"""Azure mappings of the vocabulary: capacity, lifecycle, retention and name rules."""

from __future__ import annotations

import pytest
from mlops_components import naming
from mlops_components.azure import names
from mlops_components.azure.capacity import CAPACITY, SPOT_TAINT, capacity_for
from mlops_components.azure.lifecycle import ACCESS_TIERS, management_policy
from mlops_components.azure.retention import SWITCHES
from mlops_components.retention import switches
from mlops_components.vocabulary import (
    CapacityStrategy,
    LifecycleSettings,
    Retention,
    ScarceCapacity,
    StorageTier,
)
from pulumi_azure_native import containerservice, machinelearningservices, storage


def test_capacity_values_are_the_sdk_enums() -> None:
    for m in CAPACITY.values():
        containerservice.ScaleSetPriority(m.scale_set_priority)
        machinelearningservices.VmPriority(m.aml_vm_priority)
        if m.scale_set_eviction_policy is not None:
            containerservice.ScaleSetEvictionPolicy(m.scale_set_eviction_policy)


def test_spot_pool_declares_what_aks_adds() -> None:
    m = capacity_for(CapacityStrategy.SPOT_FIRST)
    assert (m.scale_set_priority, m.scale_set_eviction_policy, m.spot_max_price) == (
        "Spot",
        "Delete",
        -1.0,
    )
    assert (
        m.node_taints == (SPOT_TAINT,) == ("kubernetes.azure.com/scalesetpriority=spot:NoSchedule",)
    )
    assert m.node_labels == {"kubernetes.azure.com/scalesetpriority": "spot"}
    assert m.aml_vm_priority == "LowPriority"


@pytest.mark.parametrize(
    ("capacity", "scarce", "priority", "aml", "group"),
    [
        ("on_demand", "none", "Regular", "Dedicated", False),
        ("reserved", "reservation", "Regular", "Dedicated", True),
    ],
)
def test_capacity_table(capacity: str, scarce: str, priority: str, aml: str, group: bool) -> None:
    m = capacity_for(CapacityStrategy(capacity), ScarceCapacity(scarce))
    assert (m.scale_set_priority, m.aml_vm_priority, m.capacity_reservation_group) == (
        priority,
        aml,
        group,
    )
    assert m.node_taints == () and m.spot_max_price is None


@pytest.mark.parametrize(
    ("capacity", "scarce", "message"),
    [
        (
            "on_demand",
            "flex_start",
            "Azure offers capacity on_demand with scarce_capacity none; got flex_start",
        ),
        (
            "reserved",
            "capacity_block",
            "Azure offers capacity reserved with scarce_capacity reservation",
        ),
    ],
)
def test_capacity_not_offered(capacity: str, scarce: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        capacity_for(CapacityStrategy(capacity), ScarceCapacity(scarce))


# -- lifecycle ---------------------------------------------------------------------------


def test_default_management_policy() -> None:
    policy = management_policy(LifecycleSettings(), "data")
    assert policy == {
        "rules": [
            {
                "name": "tiering",
                "type": "Lifecycle",
                "enabled": True,
                "definition": {
                    "filters": {"blob_types": ["blockBlob"], "prefix_match": ["data/"]},
                    "actions": {
                        "base_blob": {
                            "tier_to_cool": {"days_after_creation_greater_than": 30},
                            "tier_to_cold": {"days_after_creation_greater_than": 90},
                        },
                        "version": {"delete": {"days_after_creation_greater_than": 90}},
                    },
                },
            }
        ]
    }
    storage.ManagementPolicySchemaArgs(rules=policy["rules"])  # type: ignore[arg-type]
    storage.RuleType(policy["rules"][0]["type"])


@pytest.mark.parametrize(
    ("kwargs", "base_blob"),
    [
        ({"cool_after_days": None, "archive_after_days": None}, {}),
        (
            {"cool_after_days": 45, "archive_after_days": None},
            {"tier_to_cool": {"days_after_creation_greater_than": 45}},
        ),
    ],
)
def test_tiering_follows_settings(kwargs: dict[str, object], base_blob: dict[str, object]) -> None:
    rule = management_policy(LifecycleSettings.model_validate(kwargs), "c")["rules"][0]
    assert rule["definition"]["actions"].get("base_blob") == base_blob


def test_expiry_rules_are_prefixed_with_the_container() -> None:
    settings = LifecycleSettings.model_validate(
        {"expire": [{"prefix": "runs/tmp/", "after_days": 3}]}
    )
    rule = management_policy(settings, "artifacts")["rules"][1]
    assert rule["name"] == "expire-runs-tmp"
    assert rule["definition"]["filters"]["prefix_match"] == ["artifacts/runs/tmp/"]
    assert rule["definition"]["actions"] == {
        "base_blob": {"delete": {"days_after_creation_greater_than": 3}}
    }


def test_tiers_are_online_access_tiers() -> None:
    assert ACCESS_TIERS == {StorageTier.COOL: "Cool", StorageTier.ARCHIVE: "Cold"}
    for tier in ACCESS_TIERS.values():
        storage.AccessTier(tier)


# -- retention -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "destroyable", "protected"),
    [
        (
            "azure-native:keyvault:Vault",
            # Purge protection in both: storage and registry CMK require it.
            {
                "properties.enable_purge_protection": True,
                "properties.soft_delete_retention_in_days": 7,
            },
            {
                "properties.enable_purge_protection": True,
                "properties.soft_delete_retention_in_days": 90,
            },
        ),
        (
            "azure-native:storage:BlobServiceProperties",
            {
                "delete_retention_policy": {"enabled": True, "days": 7},
                "container_delete_retention_policy": {"enabled": True, "days": 7},
            },
            {
                "delete_retention_policy": {"enabled": True, "days": 30},
                "container_delete_retention_policy": {"enabled": True, "days": 30},
            },
        ),
    ],
)
def test_retention_switches(
    resource: str, destroyable: dict[str, object], protected: dict[str, object]
) -> None:
    assert switches(SWITCHES, resource, Retention.DESTROYABLE) == destroyable
    assert switches(SWITCHES, resource, Retention.PROTECTED) == protected


def test_retention_arguments_exist_in_the_sdk() -> None:
    import pulumi_azure_native.keyvault as keyvault

    keyvault.VaultPropertiesArgs(
        tenant_id="t",
        sku={"family": "A", "name": "standard"},
        enable_purge_protection=True,
        soft_delete_retention_in_days=90,
    )
    storage.DeleteRetentionPolicyArgs(enabled=True, days=30)


# -- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "name", "ok"),
    [
        ("storage-account", "mlopsdev0a1b2c", True),
        ("storage-account", "ml", False),
        ("storage-account", "mlops-dev", False),
        ("storage-account", "MLOPS", False),
        ("storage-account", "a" * 25, False),
        ("key-vault", "kv-mlops-dev", True),
        ("key-vault", "1kv", False),
        ("key-vault", "kv--dev", False),
        ("key-vault", "kv-dev-", False),
        ("key-vault", "a" * 25, False),
        ("container-registry", "mlopsacr", True),
        ("container-registry", "acr", False),
        ("container-registry", "ml-acr", False),
        ("resource-group", "rg-mlops-dev", True),
        ("resource-group", "rg.", False),
        ("ml-workspace", "mlw-dev", True),
        ("ml-workspace", "_mlw", False),
        ("aks-agent-pool", "gpu", True),
        ("aks-agent-pool", "gpupoolnumber1", False),
        ("aks-agent-pool", "1gpu", False),
        ("aks-cluster", "aks-mlops-dev", True),
        ("blob-container", "raw-data", True),
        ("blob-container", "Raw", False),
    ],
)
def test_rules(kind: str, name: str, ok: bool) -> None:
    assert (not names.RULES[kind].problems(name)) is ok


def test_every_rule_has_its_source() -> None:
    assert all(r.source.startswith("https://learn.microsoft.com/") for r in names.RULES.values())
    unique = {k for k, r in names.RULES.items() if r.globally_unique}
    assert unique == {"storage-account", "key-vault", "container-registry"}


@pytest.mark.parametrize(
    ("kind", "parts", "pattern"),
    [
        ("storage-account", ("mlops-dev", "data"), r"mlopsdevdata[0-9a-f]{6}"),
        (
            "storage-account",
            ("a-very-long-stack-prefix", "artifacts"),
            r"averylongstackpref[0-9a-f]{6}",
        ),
        ("key-vault", ("mlops-dev",), r"mlops-dev-[0-9a-f]{6}"),
        ("container-registry", ("mlops-dev",), r"mlopsdev[0-9a-f]{6}"),
    ],
)
def test_unique_names(kind: str, parts: tuple[str, ...], pattern: str) -> None:
    import re

    name = names.unique_name(kind, *parts, seed="sub-1/dev", owner=f"test-{kind}-{parts}")
    assert re.fullmatch(pattern, name)
    assert name == names.unique_name(kind, *parts, seed="sub-1/dev", owner=f"test-{kind}-{parts}")
    assert name != names.unique_name(kind, *parts, seed="sub-2/dev", owner=f"other-{kind}-{parts}")


def test_fixed_name_checks_and_errors_name_the_source() -> None:
    assert names.fixed_name("aks-agent-pool", "gpu", "t4", owner="p") == "gput4"
    with pytest.raises(naming.PhysicalNameError, match="resource-name-rules"):
        names.check_name("storage-account", "no-hyphens")
