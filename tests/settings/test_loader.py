"""The settings tree: defaults, stack files and the one-message error report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from mlops_components.settings import (
    CapacityStrategy,
    Cloud,
    EndpointHosting,
    Environment,
    Retention,
    SettingsError,
    load_settings,
)

STACKS = Path(__file__).resolve().parents[2] / "stacks"


def stack_config(stack: str) -> dict[str, str]:
    """A stack file's config as the CLI passes it: structured values as JSON strings."""
    raw = yaml.safe_load((STACKS / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}


def minimal(**overrides: object) -> dict[str, str]:
    config: dict[str, object] = {
        "mlops-iac:environment": "dev",
        "mlops-iac:cloud": "aws",
        "mlops-iac:region": "eu-west-1",
        "mlops-iac:tags": {"owner": "ml-platform", "cost_centre": "cc-1"},
    }
    config.update(overrides)
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}


def test_minimal_settings_apply_documented_defaults() -> None:
    settings = load_settings(minimal())
    assert settings.environment is Environment.DEV
    assert settings.retention is Retention.DESTROYABLE
    assert settings.architectures.sagemaker_cicd is None
    assert settings.tags.extra == {}


@pytest.mark.parametrize("stack", ["aws-dev", "aws-staging", "aws-prod"])
def test_every_stack_file_is_valid(stack: str) -> None:
    settings = load_settings(stack_config(stack))
    assert settings.environment.value == stack.removeprefix("aws-")
    assert settings.architectures.sagemaker_cicd is not None


def test_stacks_choose_strategies_per_environment() -> None:
    dev = load_settings(stack_config("aws-dev")).architectures.sagemaker_cicd
    prod_settings = load_settings(stack_config("aws-prod"))
    prod = prod_settings.architectures.sagemaker_cicd
    assert dev is not None and prod is not None
    assert dev.endpoint.hosting is EndpointHosting.SERVERLESS
    assert dev.pipeline.training.capacity is CapacityStrategy.SPOT_FIRST
    assert prod.endpoint.hosting is EndpointHosting.INSTANCES
    assert prod.endpoint.min_instances >= 2
    assert prod.network.availability_zones >= 2
    assert prod_settings.retention is Retention.PROTECTED


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    config = minimal(
        **{
            "mlops-iac:environment": "prd",
            "mlops-iac:tags": {"owner": "ml-platform", "costcentre": "x"},
            "mlops-iac:architectures": {
                "sagemaker_cicd": {"pipelin": {}, "endpoint": {"min_instances": 0}}
            },
        }
    )
    with pytest.raises(SettingsError) as caught:
        load_settings(config)
    lines = str(caught.value).splitlines()
    assert lines[0] == "invalid stack configuration (6 problem(s)):"
    message = "\n".join(lines)
    assert (
        "mlops-iac:environment: Input should be 'dev', 'staging' or 'prod' (got 'prd')" in message
    )
    assert (
        "mlops-iac:tags.costcentre: unknown key; allowed keys: cost_centre, extra, owner" in message
    )
    assert "mlops-iac:tags.cost_centre: required key is missing" in message
    assert "mlops-iac:architectures.sagemaker_cicd.pipelin: unknown key; allowed keys:" in message
    assert "mlops-iac:architectures.sagemaker_cicd.pipeline: required key is missing" in message
    assert (
        "mlops-iac:architectures.sagemaker_cicd.endpoint.min_instances: "
        "Input should be greater than or equal to 1 (got 0)" in message
    )


def test_misspelled_top_level_key_is_named() -> None:
    with pytest.raises(
        SettingsError, match=r"mlops-iac:retension: unknown key; allowed keys: .*retention"
    ):
        load_settings(minimal(**{"mlops-iac:retension": "protected"}))


def test_other_namespaces_are_ignored() -> None:
    settings = load_settings(minimal(**{"aws:region": "us-east-1"}))
    assert settings.region == "eu-west-1"


def test_an_architecture_needs_its_clouds_provider_settings() -> None:
    config = stack_config("aws-dev")
    config["mlops-iac:cloud"] = "gcp"
    config["mlops-iac:region"] = "europe-west4"
    with pytest.raises(
        SettingsError,
        match=r"architectures\.sagemaker_cicd runs on aws: add mlops-iac:aws with its region",
    ):
        load_settings(config)
    # A GCP-first stack may run the AWS architecture with an aws section.
    config["mlops-iac:gcp"] = json.dumps({"project": "ml-dev-123456", "region": "europe-west4"})
    config["mlops-iac:aws"] = json.dumps({"region": "eu-west-1"})
    settings = load_settings(config)
    assert settings.region_of(Cloud.AWS) == "eu-west-1"
    assert settings.region_of(Cloud.GCP) == "europe-west4"


def test_region_must_belong_to_the_cloud() -> None:
    with pytest.raises(SettingsError, match="mlops-iac:region: 'westeurope' is not an AWS region"):
        load_settings(minimal(**{"mlops-iac:region": "westeurope"}))


def test_adopting_a_network_forbids_create_time_settings() -> None:
    config = stack_config("aws-dev")
    arch = json.loads(config["mlops-iac:architectures"])
    arch["sagemaker_cicd"]["network"] = {
        "vpc_id": "vpc-0123456789abcdef0",
        "subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        "security_group_ids": ["sg-0123456789abcdef0"],
        "availability_zones": 3,
    }
    config["mlops-iac:architectures"] = json.dumps(arch)
    with pytest.raises(
        SettingsError, match="vpc_id adopts an existing network; remove availability_zones"
    ):
        load_settings(config)


def test_log_retention_must_be_a_cloudwatch_value() -> None:
    config = stack_config("aws-dev")
    arch = json.loads(config["mlops-iac:architectures"])
    arch["sagemaker_cicd"]["monitoring"] = {"log_retention_days": 10}
    config["mlops-iac:architectures"] = json.dumps(arch)
    with pytest.raises(SettingsError, match="log_retention_days must be one of 1, 3, 5, 7, 14, 30"):
        load_settings(config)


def test_lifecycle_transitions_must_be_ordered() -> None:
    config = stack_config("aws-dev")
    arch = json.loads(config["mlops-iac:architectures"])
    arch["sagemaker_cicd"]["data_lifecycle"] = {
        "infrequent_access_after_days": 60,
        "archive_after_days": 70,
    }
    config["mlops-iac:architectures"] = json.dumps(arch)
    with pytest.raises(SettingsError, match="archive_after_days must be at least 30 days after"):
        load_settings(config)


@pytest.mark.parametrize(
    ("section", "value", "message"),
    [
        (
            "gcp",
            {"project": "ml-dev-123456", "region": "europe-west99"},
            "'europe-west99' is not a region name of gcp",
        ),
        ("aws", {"region": "eu-wset-1"}, "'eu-wset-1' is not an AWS region"),
        ("azure", {"location": "West Europe"}, "'West Europe' is not a region name of azure"),
    ],
)
def test_provider_sections_get_the_primary_regions_check(
    section: str, value: dict[str, str], message: str
) -> None:
    config = stack_config("aws-dev")
    config[f"mlops-iac:{section}"] = json.dumps(value)
    with pytest.raises(SettingsError) as raised:
        load_settings(config)
    assert f"mlops-iac:{section}." in str(raised.value)
    assert message in str(raised.value)
