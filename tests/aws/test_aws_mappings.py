"""AWS mappings of the vocabulary: capacity, lifecycle, retention and name rules."""

from __future__ import annotations

import botocore.session
import pytest
from mlops_components import naming
from mlops_components.aws import kms, lifecycle, names
from mlops_components.aws.bucket import lifecycle_rules as bucket_lifecycle_rules
from mlops_components.aws.capacity import CAPACITY, capacity_for
from mlops_components.aws.retention import SWITCHES
from mlops_components.retention import switches
from mlops_components.vocabulary import (
    CapacityStrategy,
    LifecycleSettings,
    Retention,
    ScarceCapacity,
)


def test_capacity_values_are_the_apis_enums() -> None:
    session = botocore.session.Session()
    eks_types = session.get_service_model("eks").shape_for("CapacityTypes").enum
    market_types = session.get_service_model("ec2").shape_for("MarketType").enum
    for mapping in CAPACITY.values():
        assert mapping.eks_capacity_type in eks_types
        assert mapping.ec2_market_type is None or mapping.ec2_market_type in market_types


@pytest.mark.parametrize(
    ("capacity", "scarce", "eks", "market", "spot_training", "reservation"),
    [
        ("spot_first", "none", "SPOT", "spot", True, False),
        ("on_demand", "none", "ON_DEMAND", None, False, False),
        ("reserved", "reservation", "ON_DEMAND", None, False, True),
        ("reserved", "capacity_block", "CAPACITY_BLOCK", "capacity-block", False, True),
    ],
)
def test_capacity_table(
    capacity: str,
    scarce: str,
    eks: str,
    market: str | None,
    spot_training: bool,
    reservation: bool,
) -> None:
    m = capacity_for(CapacityStrategy(capacity), ScarceCapacity(scarce))
    assert (m.eks_capacity_type, m.ec2_market_type) == (eks, market)
    assert (m.managed_spot_training, m.capacity_reservation) == (spot_training, reservation)


@pytest.mark.parametrize(
    ("capacity", "scarce", "message"),
    [
        (
            "on_demand",
            "queued",
            "AWS offers capacity on_demand with scarce_capacity none; got queued",
        ),
        ("on_demand", "flex_start", "got flex_start"),
        ("spot_first", "reservation", "AWS offers capacity spot_first with scarce_capacity none"),
    ],
)
def test_capacity_not_offered(capacity: str, scarce: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        capacity_for(CapacityStrategy(capacity), ScarceCapacity(scarce))


# -- lifecycle -------------------------------------------------------------------------------


def test_bucket_keeps_its_lifecycle_rules() -> None:
    assert bucket_lifecycle_rules is lifecycle.lifecycle_rules


@pytest.mark.parametrize(
    ("kwargs", "transitions"),
    [
        (
            {},
            [
                {"days": 30, "storage_class": "STANDARD_IA"},
                {"days": 90, "storage_class": "GLACIER_IR"},
            ],
        ),
        (
            {"infrequent_access_after_days": 60, "archive_after_days": None},
            [{"days": 60, "storage_class": "STANDARD_IA"}],
        ),
        (
            {"cool_after_days": None, "archive_after_days": 120},
            [{"days": 120, "storage_class": "GLACIER_IR"}],
        ),
        ({"cool_after_days": None, "archive_after_days": None}, None),
    ],
)
def test_s3_transitions(
    kwargs: dict[str, object], transitions: list[dict[str, object]] | None
) -> None:
    rules = lifecycle.lifecycle_rules(LifecycleSettings.model_validate(kwargs))
    assert rules[0].get("transitions") == transitions
    assert rules[0]["noncurrent_version_expiration"] == {"noncurrent_days": 90}
    assert rules[0]["abort_incomplete_multipart_upload"] == {"days_after_initiation": 7}


def test_s3_expiry_per_prefix() -> None:
    settings = LifecycleSettings.model_validate(
        {"expire": [{"prefix": "runs/", "after_days": 14}, {"prefix": "tmp/a/", "after_days": 1}]}
    )
    assert lifecycle.lifecycle_rules(settings)[1:] == [
        {
            "id": "expire-runs",
            "status": "Enabled",
            "filter": {"prefix": "runs/"},
            "expiration": {"days": 14},
        },
        {
            "id": "expire-tmp-a",
            "status": "Enabled",
            "filter": {"prefix": "tmp/a/"},
            "expiration": {"days": 1},
        },
    ]


# -- retention -------------------------------------------------------------------------------


def test_kms_block_uses_the_retention_table() -> None:
    for retention in Retention:
        found = switches(SWITCHES, "aws:kms/key:Key", retention)
        assert found == {"deletion_window_in_days": kms.DELETION_WINDOW_DAYS[retention]}


@pytest.mark.parametrize(
    ("resource", "destroyable", "protected"),
    [
        ("aws:s3/bucket:Bucket", {"force_destroy": True}, {"force_destroy": False}),
        ("aws:ecr/repository:Repository", {"force_delete": True}, {"force_delete": False}),
        ("aws:eks/cluster:Cluster", {"deletion_protection": False}, {"deletion_protection": True}),
        (
            "aws:sagemaker/domain:Domain",
            {"retention_policy.home_efs_file_system": "Delete"},
            {"retention_policy.home_efs_file_system": "Retain"},
        ),
    ],
)
def test_retention_switches(
    resource: str, destroyable: dict[str, object], protected: dict[str, object]
) -> None:
    assert switches(SWITCHES, resource, Retention.DESTROYABLE) == destroyable
    assert switches(SWITCHES, resource, Retention.PROTECTED) == protected


def test_every_switch_has_a_source() -> None:
    assert all(s.source.startswith("https://") and s.api_name for s in SWITCHES)


# -- names ---------------------------------------------------------------------------------


def test_aws_names_keep_their_api() -> None:
    assert names.NameRule is naming.NameRule
    assert names.check_name("sns-topic", "alarms") == "alarms"
    with pytest.raises(
        naming.PhysicalNameError, match="sagemaker-endpoint name 'a_b' does not match"
    ):
        names.check_name("sagemaker-endpoint", "a_b")
    with pytest.raises(KeyError, match="no AWS name rule for 'nope'; known: "):
        names.check_name("nope", "x")


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("ml-data-123", True),
        ("ab", False),
        ("Upper", False),
        ("xn--bucket", False),
        ("bucket-s3alias", False),
        ("a" * 64, False),
        ("my.bucket", True),
    ],
)
def test_s3_bucket_rule(name: str, ok: bool) -> None:
    assert (not names.RULES["s3-bucket"].problems(name)) is ok


def test_unique_bucket_name_is_deterministic_and_seeded() -> None:
    a = names.unique_name("s3-bucket", "mlops-dev", "data", seed="111111111111/dev", owner="x")
    b = names.unique_name("s3-bucket", "mlops-dev", "data", seed="111111111111/dev", owner="x")
    c = names.unique_name("s3-bucket", "mlops-dev", "data", seed="222222222222/dev", owner="y")
    assert a == b != c
    assert a.startswith("mlops-dev-data-") and len(a) == len("mlops-dev-data-") + 6


# -- words the AWS architecture does not build yet -------------------------------------------


def test_sagemaker_settings_refuse_words_they_do_not_build_yet() -> None:
    from mlops_components.settings.aws import EndpointSettings, TrainingStepSettings
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="hosting serverless or instances; scale_to_zero"):
        EndpointSettings.model_validate({"hosting": "scale_to_zero"})
    image = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    with pytest.raises(ValidationError, match="capacity spot_first or on_demand; reserved"):
        TrainingStepSettings.model_validate({"image_uri": image, "capacity": "reserved"})
    assert TrainingStepSettings.model_validate({"image_uri": image}).capacity is (
        CapacityStrategy.SPOT_FIRST
    )
