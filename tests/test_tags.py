"""The tag precedence rule: platform < caller overrides < owned tags."""

from __future__ import annotations

from mlops_components.settings import load_settings
from mlops_components.tags import merge_tags, platform_tags


def settings():
    return load_settings(
        {
            "mlops-iac:environment": "staging",
            "mlops-iac:cloud": "aws",
            "mlops-iac:region": "eu-west-1",
            "mlops-iac:tags": '{"owner": "ml-platform", "cost_centre": "cc-1", '
            '"extra": {"team": "fraud", "environment": "sneaky"}}',
        }
    )


def test_platform_tags_carry_cost_allocation_keys() -> None:
    assert platform_tags(settings()) == {
        "cost-centre": "cc-1",
        "environment": "staging",
        "managed-by": "pulumi",
        "owner": "ml-platform",
        "project": "mlops-iac",
        "team": "fraud",
    }


def test_precedence_platform_then_overrides_then_owned() -> None:
    merged = merge_tags(
        platform_tags(settings()),
        {"team": "risk", "owner": "data-science", "environment": "prod", "component": "x"},
        component="sagemaker-cicd",
    )
    assert merged["team"] == "risk"  # caller overrides a platform default
    assert merged["owner"] == "data-science"
    assert merged["environment"] == "staging"  # reserved: callers cannot replace it
    assert merged["component"] == "sagemaker-cicd"  # owned by the component
    assert list(merged) == sorted(merged)
