"""The serverless workflow's ASL and the permissions derived from it, as plain data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mlops_components.aws.workflow import job_name_prefix, object_created_pattern
from mlops_components.aws.workflow_definition import (
    WorkflowRefs,
    state_machine_definition,
    state_machine_statements,
)
from mlops_components.settings.serverless import ServerlessMlopsSettings
from support import asl_problems

IMAGE = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"
REFS = WorkflowRefs(
    partition="aws-cn",
    region="cn-north-1",
    account_id="123456789012",
    processing_function_arn="arn:aws-cn:lambda:cn-north-1:123456789012:function:p",
    validation_function_arn="arn:aws-cn:lambda:cn-north-1:123456789012:function:v",
    training_role_arn="arn:aws-cn:iam::123456789012:role/train",
    artifacts_bucket="artifacts",
    kms_key_arn="arn:aws-cn:kms:cn-north-1:123456789012:key/k",
    model_package_group="mlops-cn-serverless-models",
    job_name_prefix=job_name_prefix("mlops-cn"),
    subnet_ids=("subnet-1",),
    security_group_ids=("sg-1",),
)


def settings(**overrides: Any) -> ServerlessMlopsSettings:
    return ServerlessMlopsSettings.model_validate(
        {
            "training": {"image_uri": IMAGE},
            "inference_image_uri": IMAGE,
            "api": {"authorization": "iam"},
            **overrides,
        }
    )


def transitions(definition: dict[str, Any]) -> set[tuple[str, str]]:
    found = set()
    for name, state in definition["States"].items():
        targets = [state.get("Next"), state.get("Default")]
        targets += [c["Next"] for c in state.get("Choices", []) + state.get("Catch", [])]
        found |= {(name, t) for t in targets if t}
    return found


def test_states_run_in_order_and_every_task_fails_into_workflow_failed() -> None:
    definition = state_machine_definition(settings(), REFS)
    assert transitions(definition) == {
        ("Preprocess", "Train"),
        ("Train", "Validate"),
        ("Validate", "CheckMetric"),
        ("CheckMetric", "RegisterModel"),
        ("CheckMetric", "MetricBelowThreshold"),
        *{(t, "WorkflowFailed") for t in ("Preprocess", "Train", "Validate", "RegisterModel")},
    }
    assert definition["States"]["RegisterModel"]["End"] is True
    # Service integrations in the partition's own ARNs.
    assert definition["States"]["Train"]["Resource"] == (
        "arn:aws-cn:states:::sagemaker:createTrainingJob.sync"
    )
    assert asl_problems(json.dumps(definition)) == ""


def test_lower_is_better_metrics_fail_above_the_threshold() -> None:
    s = settings(validation={"metric_name": "validation:rmse", "threshold": 0.3})
    fail = state_machine_definition(s, REFS)["States"]["MetricBelowThreshold"]
    assert fail["Cause"] == "validation:rmse is not less_or_equal 0.3"


def test_no_retries_leave_the_catch_in_place() -> None:
    definition = state_machine_definition(settings(workflow={"retry_attempts": 0}), REFS)
    for name in ("Preprocess", "Train", "Validate", "RegisterModel"):
        assert definition["States"][name]["Retry"] == []
        assert definition["States"][name]["Catch"][0]["Next"] == "WorkflowFailed"
    assert asl_problems(json.dumps(definition)) == ""


def test_statements_follow_the_states() -> None:
    definition = state_machine_definition(settings(), REFS)
    statements = state_machine_statements(definition, REFS)
    assert [s["Sid"] for s in statements] == [
        "InvokeFunctions",
        "RunTrainingJobs",
        "TrainingJobEvents",
        "PassTrainingRole",
        "TrainingKey",
        "RegisterModels",
    ]
    assert statements[0]["Resource"] == [REFS.processing_function_arn, REFS.validation_function_arn]
    assert statements[1]["Resource"] == [
        "arn:aws-cn:sagemaker:cn-north-1:123456789012:training-job/mlops-cn-sls-*"
    ]
    # Dropping a state drops its permissions.
    del definition["States"]["RegisterModel"]
    assert "RegisterModels" not in [s["Sid"] for s in state_machine_statements(definition, REFS)]


def test_an_unknown_task_resource_has_no_permissions_to_guess() -> None:
    definition = state_machine_definition(settings(), REFS)
    definition["States"]["Preprocess"]["Resource"] = "arn:aws-cn:states:::sqs:sendMessage"
    with pytest.raises(ValueError, match="sqs:sendMessage"):
        state_machine_statements(definition, REFS)


def test_object_created_pattern_names_bucket_and_prefix() -> None:
    assert object_created_pattern("data", "incoming/") == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": ["data"]}, "object": {"key": [{"prefix": "incoming/"}]}},
    }


def test_a_trigger_suffix_matches_prefix_and_suffix_in_one_wildcard() -> None:
    """Filters of one field match if ANY does: a prefix and a suffix filter side by side
    would start runs for every object; one wildcard needs both."""
    pattern = object_created_pattern("data", "in*coming/", "_SUCCESS")
    assert pattern["detail"]["object"] == {"key": [{"wildcard": "in\\*coming/*_SUCCESS"}]}
