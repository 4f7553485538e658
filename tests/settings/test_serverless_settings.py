"""ServerlessMlopsSettings: defaults as behaviour, and bad input refused with its key."""

from __future__ import annotations

from typing import Any

import pytest
from mlops_components.settings.serverless import ServerlessMlopsSettings
from pydantic import ValidationError

IMAGE = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"
JWT = {"jwt_issuer": "https://issuer.example.com", "jwt_audiences": ["a"]}


def parse(**overrides: Any) -> ServerlessMlopsSettings:
    return ServerlessMlopsSettings.model_validate(
        {"training": {"image_uri": IMAGE}, "inference_image_uri": IMAGE, "api": JWT, **overrides}
    )


def test_defaults() -> None:
    s = parse()
    assert s.training.instance_type == "ml.m5.xlarge"
    assert s.training.capacity.value == "spot_first"
    assert s.validation.metric.comparison.value == "greater_or_equal"
    assert (s.validation.metric.minimum, s.validation.metric.maximum) == (0.0, 1.0)
    assert s.workflow.input_prefix == "incoming/"
    assert s.workflow.schedule is None and s.workflow.log_execution_data is False
    f = s.functions
    assert (f.processing.memory_mb, f.processing.timeout_seconds) == (1024, 300)
    assert (f.inference.timeout_seconds, f.inference.reserved_concurrency) == (29, 10)
    assert {f.processing.architecture, f.validation.architecture} == {"arm64"}
    assert s.execution_timeout == s.state_timeouts_total == 360 + 30600 + 120 + 300


def error(**overrides: Any) -> str:
    with pytest.raises(ValidationError) as raised:
        parse(**overrides)
    return str(raised.value)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"api": {"authorization": "jwt"}}, "jwt needs jwt_issuer and jwt_audiences"),
        ({"api": {"authorization": "iam", **JWT}}, "apply to authorization jwt only"),
        ({"functions": {"inference": {"timeout_seconds": 60}}}, "less than or equal to 30"),
        ({"functions": {"processing": {"memory_mb": 64}}}, "greater than or equal to 128"),
        ({"functions": {"processing": {"architecture": "arm"}}}, "'arm64' or 'x86_64'"),
        ({"validation": {"threshold": 1.5}}, "threshold must lie in"),
        ({"validation": {"metric_name": "validation:custom"}}, "metric.comparison"),
        ({"workflow": {"input_prefix": "incoming"}}, "input_prefix"),
        ({"workflow": {"schedule": "every day"}}, "schedule"),
        ({"workflow": {"execution_timeout_seconds": 600}}, "at least 31380"),
        ({"training": {"image_uri": IMAGE, "instance_type": "ml.m5.huge"}}, "instance_type"),
        (
            {"monitoring": {"model_monitor": True, "model_monitor_image_uri": IMAGE}},
            "model_monitor",
        ),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_input_names_the_key(overrides: dict[str, Any], message: str) -> None:
    assert message in error(**overrides)


def test_secrets_are_references_with_reference_names() -> None:
    arn = "arn:aws:ssm:eu-west-1:111111111111:parameter/mlops/token"
    s = parse(functions={"inference": {"secret_arns": {"API_TOKEN_SECRET_ARN": arn}}})
    assert s.functions.inference.secret_arns == {"API_TOKEN_SECRET_ARN": arn}
    assert "secret_arns" in error(functions={"inference": {"secret_arns": {"API_TOKEN": arn}}})
    assert "secret_arns" in error(
        functions={"inference": {"secret_arns": {"API_TOKEN_SECRET_ARN": "hunter2"}}}
    )


def test_regional_references_must_be_in_the_stack_region() -> None:
    other = IMAGE.replace("eu-west-1", "us-east-1")
    s = parse(
        inference_image_uri=other,
        functions={
            "validation": {
                "secret_arns": {
                    "KEY_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:111111111111:secret:k-Ab12Cd"
                }
            }
        },
    )
    with pytest.raises(ValueError) as raised:
        s.check_region("eu-west-1")
    assert str(raised.value) == (
        "in region eu-west-1, these must be in eu-west-1 too: inference_image_uri "
        "(us-east-1), functions.validation.secret_arns.KEY_SECRET_ARN (us-east-1)"
    )
    parse().check_region("eu-west-1")


def test_stack_settings_name_the_architecture_of_a_regional_mismatch() -> None:
    from mlops_components.settings import StackSettings

    section = {"training": {"image_uri": IMAGE}, "inference_image_uri": IMAGE, "api": JWT}
    stack = {
        "environment": "dev",
        "cloud": "aws",
        "region": "eu-north-1",
        "tags": {"owner": "ml", "cost_centre": "cc-1"},
        "architectures": {"serverless_mlops": section},
    }
    with pytest.raises(ValidationError, match=r"architectures\.serverless_mlops: in region"):
        StackSettings.model_validate(stack)
    stack["region"] = "eu-west-1"
    assert StackSettings.model_validate(stack).architectures.serverless_mlops is not None
