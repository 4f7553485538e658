"""Stack-level checks of where a served model package comes from, and the name prefix."""

from __future__ import annotations

import json

import pytest
import yaml
from mlops_components.settings import SettingsError, load_settings
from test_loader import STACKS


def stack(name: str, **changes: object) -> dict[str, str]:
    raw = yaml.safe_load((STACKS / f"Pulumi.{name}.yaml").read_text())["config"]
    raw.update({f"mlops-iac:{k}": v for k, v in changes.items()})
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}


def sagemaker(name: str) -> dict:
    return yaml.safe_load((STACKS / f"Pulumi.{name}.yaml").read_text())["config"][
        "mlops-iac:architectures"
    ]


def test_a_package_from_another_registry_needs_its_source() -> None:
    architectures = sagemaker("aws-staging")
    del architectures["sagemaker_cicd"]["endpoint"]["model_source"]
    with pytest.raises(SettingsError) as raised:
        load_settings(stack("aws-staging", architectures=architectures))
    message = str(raised.value)
    assert "architectures.sagemaker_cicd.endpoint.model_source is required" in message
    assert "mlops-dev-models of account 111111111111" in message


def test_the_prefix_decides_which_registry_is_the_stacks_own() -> None:
    # aws-staging renamed to mlops-dev would own the dev registry: model_source is then wrong.
    with pytest.raises(SettingsError, match="remove model_source"):
        load_settings(stack("aws-staging", name_prefix="mlops-dev"))
    assert load_settings(stack("aws-dev")).prefix == "mlops-dev"
    # Under another prefix, dev's own package would come from a foreign registry.
    with pytest.raises(SettingsError, match="not this stack's team-a-dev-models"):
        load_settings(stack("aws-dev", name_prefix="team-a-dev"))


@pytest.mark.parametrize("prefix", ["Mlops", "a", "x" * 33, "mlops-", "mlops_dev"])
def test_name_prefix_must_fit_every_derived_name(prefix: str) -> None:
    with pytest.raises(SettingsError, match="mlops-iac:name_prefix"):
        load_settings(stack("aws-dev", name_prefix=prefix))


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        (
            "arn:aws:sagemaker:eu-wset-1:111111111111:model-package/mlops-dev-models/1",
            "'eu-wset-1' is not an AWS region",
        ),
        (
            "arn:aws:sagemaker:cn-north-1:111111111111:model-package/mlops-dev-models/1",
            "ARNs in cn-north-1 start with arn:aws-cn:",
        ),
    ],
)
def test_arn_settings_name_a_real_region_of_their_partition(arn: str, message: str) -> None:
    architectures = sagemaker("aws-dev")
    architectures["sagemaker_cicd"]["endpoint"]["model_package_arn"] = arn
    with pytest.raises(SettingsError) as raised:
        load_settings(stack("aws-dev", architectures=architectures))
    assert "mlops-iac:architectures.sagemaker_cicd.endpoint.model_package_arn" in str(raised.value)
    assert message in str(raised.value)


def test_everything_regional_must_be_in_the_stacks_region() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(stack("aws-prod", region="us-east-1"))
    message = str(raised.value)
    for path in (
        "pipeline.training.image_uri (eu-west-1)",
        "pipeline.inference_image_uri (eu-west-1)",
        "endpoint.model_package_arn (eu-west-1)",
        "endpoint.model_source.kms_key_arn (eu-west-1)",
    ):
        assert path in message
    assert "in region us-east-1, these must be in us-east-1 too" in message
