"""encrypted_log_group: the one place retention and encryption of log groups are set."""

from __future__ import annotations

import pulumi
import pytest
from mlops_components.aws import encrypted_log_group
from mlops_preview.runner import Recording, run_program
from support import ACCOUNT_ID, TAGS

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
KEY_ARN = f"arn:aws:kms:eu-west-1:{ACCOUNT_ID}:key/0b7e5c1e-1f3a-4f3e-9d7a-5d1c2f3a4b5c"


def plan(**kwargs: object) -> Recording:
    def program() -> None:
        options: dict = {
            "log_group_name": None,
            "retention_days": 30,
            "kms_key_arn": KEY_ARN,
            "tags": TAGS,
        } | kwargs
        encrypted_log_group("endpoint-logs", **options)

    return run_program(program)


def test_named_encrypted_group_with_retention() -> None:
    rec = plan(log_group_name="/aws/sagemaker/Endpoints/churn", retention_days=90)
    group = rec.one(LOG_GROUP, "endpoint-logs")
    assert group.inputs["name"] == "/aws/sagemaker/Endpoints/churn"
    assert group.inputs["retentionInDays"] == 90
    assert group.inputs["kmsKeyId"] == KEY_ARN
    assert group.inputs["tags"] == TAGS


def test_auto_named_group_without_key() -> None:
    group = plan(kms_key_arn=None).one(LOG_GROUP)
    assert "name" not in group.inputs  # the provider auto-names it
    assert group.outputs["name"].startswith("endpoint-logs-")
    assert "kmsKeyId" not in group.inputs
    assert group.inputs["retentionInDays"] == 30


def test_parent_comes_from_the_options() -> None:
    def program() -> None:
        parent = pulumi.ComponentResource("test:index:Owner", "owner")
        encrypted_log_group(
            "owner-logs",
            log_group_name=None,
            retention_days=7,
            kms_key_arn=None,
            tags=TAGS,
            opts=pulumi.ResourceOptions(parent=parent),
        )

    rec = run_program(program)
    assert rec.one(LOG_GROUP).parent == rec.one("test:index:Owner").urn


@pytest.mark.parametrize("days", [0, 2, 10, 4000])
def test_retention_outside_cloudwatch_values_is_refused(days: int) -> None:
    with pytest.raises(ValueError, match="retention_days must be one of"):
        plan(retention_days=days)
