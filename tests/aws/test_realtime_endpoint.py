"""The endpoint's update hazards, each pinned: which changes update the endpoint in place,
which create a new endpoint beside the old one, what survives a rollback, and which
settings are refused before anything is registered (with the API limit behind it)."""

from __future__ import annotations

from typing import Any

import pytest
from mlops_components.aws.sagemaker_endpoint import (
    RealtimeEndpoint,
    RealtimeEndpointArgs,
    generation,
)
from mlops_components.settings.aws import EndpointSettings
from mlops_components.vocabulary import Retention
from mlops_preview.runner import Recording, run_program
from pydantic import ValidationError

PACKAGE = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/mlops-test-models/3"
KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
MODEL = "aws:sagemaker/model:Model"
TARGET = "aws:appautoscaling/target:Target"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def plan(retention: Retention = Retention.DESTROYABLE, **settings: Any) -> Recording:
    parsed = EndpointSettings.model_validate({"model_package_arn": PACKAGE, **settings})

    def program() -> None:
        RealtimeEndpoint(
            "ep",
            RealtimeEndpointArgs(
                settings=parsed,
                model_package_arn=PACKAGE,
                name_prefix="mlops-test",
                execution_role_arn="arn:aws:iam::123456789012:role/model",
                kms_key_arn=KEY,
                subnet_ids=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
                security_group_ids=["sg-0123456789abcdef0"],
                capture_s3_uri="s3://artifacts/data-capture",
                alarm_topic_arn="arn:aws:sns:eu-west-1:123456789012:alarms",
                tags={"owner": "ml"},
                retention=retention,
            ),
        )

    return run_program(program)


def identity(rec: Recording) -> dict[str, Any]:
    """The physical identities a change would replace: endpoint, alarms, scaling target."""
    target = rec.by_type(TARGET)
    return {
        "endpoint": rec.one(ENDPOINT).inputs["name"],
        "alarms": sorted(a.inputs["name"] for a in rec.by_type(ALARM)),
        "target": target[0].inputs["resourceId"] if target else None,
    }


def test_generation_is_stable() -> None:
    """A new hash would rename (so replace) every deployed endpoint: pinned."""
    assert generation(EndpointSettings()) == "740aaf"
    assert generation(EndpointSettings(hosting="serverless")) == "8fc8ed"  # type: ignore[arg-type]


def test_promotion_and_scaling_update_the_same_endpoint() -> None:
    """A new package or new scaling limits keep the endpoint, its alarms and its
    scalable target: SageMaker updates the endpoint in place (blue/green), and auto
    scaling allows a changed model on a registered variant."""
    base = identity(plan())
    assert base["endpoint"] == "mlops-test-endpoint-740aaf"
    assert identity(plan(min_instances=3, max_instances=6, target_invocations_per_instance=50)) == (
        base
    )
    assert identity(plan(bake_minutes=20, canary_percent=25, latency_alarm_ms=900)) == base


@pytest.mark.parametrize(
    "change",
    [{"instance_type": "ml.m5.xlarge"}, {"hosting": "serverless"}],
    ids=["resize", "hosting-switch"],
)
def test_resize_and_hosting_switch_create_a_new_endpoint_beside_the_old(
    change: dict[str, str],
) -> None:
    """AWS refuses UpdateEndpoint that changes the instance type of an autoscaled variant
    ("Update endpoints that use auto scaling"), and pulumi-aws replaces an endpoint whose
    rollback configuration changes. A new physical name makes Pulumi create the new
    endpoint, alarms and target first and delete the old ones after (no delete-first
    replacement of a fixed name, no refused update)."""
    before, after = identity(plan()), identity(plan(**change))
    assert after["endpoint"] != before["endpoint"]
    assert after["endpoint"].startswith("mlops-test-endpoint-")
    assert not set(after["alarms"]) & set(before["alarms"])
    assert after["target"] != before["target"]


def test_clients_resolve_the_current_generation_through_a_parameter() -> None:
    """The old generation is deleted at the end of the update that creates the new one:
    clients read the name from SSM instead of hard-coding it."""
    for settings in ({}, {"instance_type": "ml.m5.xlarge"}):
        rec = plan(**settings)
        parameter = rec.one("aws:ssm/parameter:Parameter")
        assert parameter.inputs["name"] == "/mlops-test/sagemaker/endpoint-name"
        assert parameter.inputs["type"] == "String"
        assert parameter.inputs["insecureValue"] == rec.one(ENDPOINT).inputs["name"]


def test_what_may_still_serve_after_a_rollback_is_retained() -> None:
    rec = plan()
    assert rec.one(MODEL).retain_on_delete is True
    assert rec.one(CONFIG).retain_on_delete is True
    # Serverless has no blue/green rollback: its replaced models go with the update.
    serverless = plan(hosting="serverless")
    assert serverless.one(MODEL).retain_on_delete is False
    assert serverless.one(CONFIG).retain_on_delete is False


def test_a_protected_endpoint_keeps_the_logs_of_a_replaced_generation() -> None:
    """Issue 12: a resize gives a new endpoint name, so a new log group
    ``/aws/sagemaker/Endpoints/<name>``; the old group (a year of prod logs) must stay.
    ``retain_on_delete`` without ``protect``: protect would refuse the replacement."""
    before = plan(Retention.PROTECTED)
    resized = plan(Retention.PROTECTED, instance_type="ml.m5.2xlarge")
    names = []
    for rec in (before, resized):
        group = rec.one(LOG_GROUP)
        assert group.retain_on_delete is True
        assert group.protect is False
        names.append(group.inputs["name"])
    assert names[0] != names[1]
    assert names[1] == f"/aws/sagemaker/Endpoints/{resized.one(ENDPOINT).inputs['name']}"
    # A destroyable (development) stack deletes the old generation's logs.
    assert plan().one(LOG_GROUP).retain_on_delete is False


def test_new_fleets_start_at_the_deployment_count() -> None:
    """pulumi-aws cannot pass RetainAllVariantProperties, so every deployment starts the
    new fleet at initial_instance_count: the ceiling by default, not the floor."""
    (variant,) = plan(min_instances=2, max_instances=6).one(CONFIG).inputs["productionVariants"]
    assert variant["initialInstanceCount"] == 6
    (variant,) = (
        plan(min_instances=2, max_instances=6, deployment_instance_count=3)
        .one(CONFIG)
        .inputs["productionVariants"]
    )
    assert variant["initialInstanceCount"] == 3


def test_deployment_timings_derive_from_settings() -> None:
    policy = plan(bake_minutes=35).one(ENDPOINT).inputs["deploymentConfig"]["blueGreenUpdatePolicy"]
    routing = policy["trafficRoutingConfiguration"]
    assert routing["waitIntervalInSeconds"] == 2100
    assert policy["terminationWaitInSeconds"] == 300
    # Larger than the waits it contains (BlueGreenUpdatePolicy API) and, with a margin,
    # within the provider's 60-minute wait.
    assert policy["maximumExecutionTimeoutInSeconds"] == 2100 + 300 + 900 <= 3600 - 300


def test_single_instance_fleets_shift_all_at_once() -> None:
    deployment = plan(min_instances=1, max_instances=1, traffic_routing="all_at_once")
    routing = deployment.one(ENDPOINT).inputs["deploymentConfig"]["blueGreenUpdatePolicy"][
        "trafficRoutingConfiguration"
    ]
    assert routing == {"type": "ALL_AT_ONCE", "waitIntervalInSeconds": 600}
    rollback = deployment.one(ENDPOINT).inputs["deploymentConfig"]["autoRollbackConfiguration"]
    assert len(rollback["alarms"]) == 3


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"bake_minutes": 36}, "bake_minutes must be at most 35"),
        (
            {"min_instances": 1, "max_instances": 1},
            r"a canary of 1 instance\(s\) on a fleet of 1 exceeds half the fleet",
        ),
        (
            {"min_instances": 2, "max_instances": 4, "deployment_instance_count": 1},
            "deployment_instance_count must be between min_instances",
        ),
        ({"min_instances": 3, "max_instances": 2}, "max_instances must be >= min_instances"),
        (
            {"instance_type": "ml.inf1.xlarge"},
            "deployment guardrails do not support Inf1 instances",
        ),
    ],
)
def test_undeployable_settings_are_refused(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        EndpointSettings.model_validate(settings)


def test_canary_size_is_a_whole_number_of_instances_up_to_half_the_fleet() -> None:
    """CanarySize must be at most 50 % of the fleet (TrafficRoutingConfig API)."""
    three = EndpointSettings(min_instances=2, max_instances=3, canary_percent=50)
    assert three.canary_instances == 1  # 50 % of 3, rounded down
    assert EndpointSettings(max_instances=20, canary_percent=10).canary_instances == 2
    assert EndpointSettings(max_instances=4, canary_percent=1).canary_instances == 1


def test_serverless_endpoints_alarm_without_rolling_back() -> None:
    rec = plan(hosting="serverless")
    assert "deploymentConfig" not in rec.one(ENDPOINT).inputs
    alarms = rec.by_type(ALARM)
    assert len(alarms) == 3
    assert all(a.inputs["alarmDescription"].endswith(").") for a in alarms)
    assert not rec.by_type(TARGET)
