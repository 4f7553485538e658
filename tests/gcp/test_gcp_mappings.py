"""GCP mappings of the vocabulary: capacity, lifecycle, retention and name rules."""

from __future__ import annotations

import re

import pytest
from mlops_components import naming
from mlops_components.gcp import names
from mlops_components.gcp.capacity import RESERVATION_KEY, capacity_for
from mlops_components.gcp.lifecycle import STORAGE_CLASSES, autoclass, lifecycle_rules
from mlops_components.gcp.retention import SWITCHES
from mlops_components.retention import switches
from mlops_components.vocabulary import (
    CapacityStrategy,
    LifecycleSettings,
    Retention,
    ScarceCapacity,
    StorageTier,
)
from pulumi_gcp import container, storage


@pytest.mark.parametrize(
    ("capacity", "scarce", "spot", "flex", "queued", "affinity", "vertex", "from_zero"),
    [
        ("spot_first", "none", True, False, False, None, "SPOT", False),
        ("on_demand", "none", False, False, False, None, "STANDARD", False),
        ("on_demand", "flex_start", False, True, False, "NO_RESERVATION", "FLEX_START", True),
        ("on_demand", "queued", False, True, True, "NO_RESERVATION", "FLEX_START", True),
        ("reserved", "reservation", False, False, False, "SPECIFIC_RESERVATION", "STANDARD", False),
    ],
)
def test_capacity_table(
    capacity: str,
    scarce: str,
    spot: bool,
    flex: bool,
    queued: bool,
    affinity: str | None,
    vertex: str,
    from_zero: bool,
) -> None:
    m = capacity_for(CapacityStrategy(capacity), ScarceCapacity(scarce))
    assert (m.spot, m.flex_start, m.queued_provisioning) == (spot, flex, queued)
    assert (m.consume_reservation_type, m.vertex_scheduling_strategy) == (affinity, vertex)
    assert m.scales_from_zero is from_zero
    # The arguments exist in the SDK (keyword names are checked by the Args classes).
    container.NodePoolNodeConfigArgs(
        spot=m.spot,
        flex_start=m.flex_start,
        reservation_affinity=container.NodePoolNodeConfigReservationAffinityArgs(
            consume_reservation_type=m.consume_reservation_type or "ANY_RESERVATION",
            key=RESERVATION_KEY if m.needs_reservation_name else None,
        ),
    )
    container.NodePoolQueuedProvisioningArgs(enabled=m.queued_provisioning)


def test_capacity_blocks_are_not_offered() -> None:
    with pytest.raises(
        ValueError,
        match="GCP offers capacity reserved with scarce_capacity reservation; got capacity_block",
    ):
        capacity_for(CapacityStrategy.RESERVED, ScarceCapacity.CAPACITY_BLOCK)


# -- lifecycle ---------------------------------------------------------------------------


def test_default_rules() -> None:
    assert lifecycle_rules(LifecycleSettings()) == [
        {
            "action": {"type": "SetStorageClass", "storage_class": "NEARLINE"},
            "condition": {"age": 30, "matches_storage_classes": ["STANDARD"]},
        },
        {
            "action": {"type": "SetStorageClass", "storage_class": "COLDLINE"},
            "condition": {"age": 90, "matches_storage_classes": ["STANDARD", "NEARLINE"]},
        },
        {
            "action": {"type": "Delete"},
            "condition": {"days_since_noncurrent_time": 90, "with_state": "ARCHIVED"},
        },
        {"action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": 7}},
    ]


def test_rules_build_sdk_args() -> None:
    settings = LifecycleSettings.model_validate({"expire": [{"prefix": "runs/", "after_days": 5}]})
    for rule in lifecycle_rules(settings):
        storage.BucketLifecycleRuleArgs(
            action=storage.BucketLifecycleRuleActionArgs(**rule["action"]),
            condition=storage.BucketLifecycleRuleConditionArgs(**rule["condition"]),
        )


def test_expiry_per_prefix() -> None:
    settings = LifecycleSettings.model_validate({"expire": [{"prefix": "runs/", "after_days": 5}]})
    assert lifecycle_rules(settings)[-1] == {
        "action": {"type": "Delete"},
        "condition": {"age": 5, "matches_prefixes": ["runs/"]},
    }


def test_autoclass_drops_storage_class_rules() -> None:
    rules = lifecycle_rules(LifecycleSettings(), autoclass=True)
    assert all(r["action"]["type"] != "SetStorageClass" for r in rules)
    assert len(rules) == 2
    assert autoclass() == {"enabled": True, "terminal_storage_class": "NEARLINE"}
    assert autoclass("ARCHIVE")["terminal_storage_class"] == "ARCHIVE"
    with pytest.raises(
        ValueError, match="terminal_storage_class: NEARLINE or ARCHIVE; got 'COLDLINE'"
    ):
        autoclass("COLDLINE")


def test_storage_classes() -> None:
    assert STORAGE_CLASSES == {StorageTier.COOL: "NEARLINE", StorageTier.ARCHIVE: "COLDLINE"}


# -- retention ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "destroyable", "protected"),
    [
        (
            "gcp:container/cluster:Cluster",
            {"deletion_protection": False},
            {"deletion_protection": True},
        ),
        (
            "gcp:storage/bucket:Bucket",
            {"force_destroy": True, "soft_delete_policy.retention_duration_seconds": 0},
            {"force_destroy": False, "soft_delete_policy.retention_duration_seconds": 2592000},
        ),
        (
            "gcp:kms/cryptoKey:CryptoKey",
            {"destroy_scheduled_duration": "86400s"},
            {"destroy_scheduled_duration": "2592000s"},
        ),
        (
            "gcp:sql/databaseInstance:DatabaseInstance",
            {"deletion_protection": False},
            {"deletion_protection": True},
        ),
    ],
)
def test_retention_switches(
    resource: str, destroyable: dict[str, object], protected: dict[str, object]
) -> None:
    assert switches(SWITCHES, resource, Retention.DESTROYABLE) == destroyable
    assert switches(SWITCHES, resource, Retention.PROTECTED) == protected


# -- names and labels ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "name", "ok"),
    [
        ("storage-bucket", "mlops-dev-data-1a2b3c", True),
        ("storage-bucket", "goog-data", False),
        ("storage-bucket", "my-google-data", False),
        ("storage-bucket", "Data", False),
        ("storage-bucket", "ab", False),
        ("service-account", "mlops-train", True),
        ("service-account", "short", False),
        ("service-account", "1mlops-train", False),
        ("service-account", "a" * 31, False),
        ("gke-cluster", "mlops-dev", True),
        ("gke-cluster", "a" * 41, False),
        ("artifact-registry-repository", "models", True),
        ("artifact-registry-repository", "Models", False),
        ("workload-identity-pool", "gcp-pool", False),
        ("workload-identity-pool", "github-pool", True),
        ("kms-key-ring", "mlops_dev-ring", True),
    ],
)
def test_rules(kind: str, name: str, ok: bool) -> None:
    assert (not names.RULES[kind].problems(name)) is ok


def test_unique_bucket_name() -> None:
    name = names.unique_name("storage-bucket", "mlops-dev", "data", seed="proj/dev", owner="gcs-a")
    assert re.fullmatch(r"mlops-dev-data-[0-9a-f]{6}", name)


def test_labels() -> None:
    assert names.check_labels({"owner": "ml-team", "cost-centre": ""}) == {
        "owner": "ml-team",
        "cost-centre": "",
    }
    with pytest.raises(ValueError, match=r"labels: key 'Owner' must be 1-63 .*; env: value 'Prod'"):
        names.check_labels({"Owner": "ml", "env": "Prod"})
    with pytest.raises(ValueError, match="65 labels; at most 64 allowed"):
        names.check_labels({f"k{i}": "v" for i in range(65)})


def test_errors_name_the_source() -> None:
    with pytest.raises(naming.PhysicalNameError, match=r"cloud\.google\.com/iam/docs"):
        names.check_name("service-account", "sa")
