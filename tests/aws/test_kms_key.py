"""KmsKey: children, rotation, key policy, retention."""

from __future__ import annotations

import re

import pulumi
import pytest
from mlops_components.aws import KmsKey, KmsKeyArgs
from mlops_components.aws.kms import KEY_USE_ACTIONS
from mlops_components.settings import Retention
from mlops_preview.runner import Recording, run_program
from support import ACCOUNT_ID, TAGS, document, statement

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"


def plan(**overrides: object) -> Recording:
    args = KmsKeyArgs(description="ML data and artifacts", tags=TAGS)
    for key, value in overrides.items():
        setattr(args, key, value)

    def program() -> None:
        KmsKey("data", args)

    return run_program(program)


def test_children_are_one_key_and_its_alias() -> None:
    rec = plan()
    component = rec.one("mlops:aws:KmsKey", "data")
    children = rec.children_of(component.urn)
    assert sorted((r.type, r.name) for r in children) == [(ALIAS, "data-alias"), (KEY, "data")]
    key, alias = rec.one(KEY), rec.one(ALIAS)
    assert key.inputs["tags"] == TAGS
    assert key.inputs["description"] == "ML data and artifacts"
    assert alias.inputs["name"] == "alias/data"
    assert alias.inputs["targetKeyId"] == key.outputs["keyId"]
    assert rec.warnings == []


def test_rotation_is_yearly() -> None:
    key = plan().one(KEY)
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["rotationPeriodInDays"] == 365


def test_policy_delegates_to_account_and_has_no_star_principal() -> None:
    doc = document(plan().one(KEY))
    assert doc["Statement"] == [
        {
            "Sid": "AccountAdministration",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]


def test_reader_accounts_may_only_decrypt() -> None:
    doc = document(plan(reader_account_ids=["333333333333", "222222222222"]).one(KEY))
    assert statement(doc, "CrossAccountDecrypt") == {
        "Sid": "CrossAccountDecrypt",
        "Effect": "Allow",
        "Principal": {"AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]},
        "Action": ["kms:Decrypt", "kms:DescribeKey"],
        "Resource": "*",
        # Only through S3 in the key's region: consumers read model artifacts, nothing else.
        "Condition": {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}},
    }


def test_service_principals_and_logs_are_scoped_to_the_account() -> None:
    rec = plan(
        service_principals=["sns.amazonaws.com", "events.amazonaws.com"],
        log_group_region="eu-west-1",
    )
    doc = document(rec.one(KEY))
    for s in doc["Statement"]:
        principal = s["Principal"]
        assert principal != "*"
        assert "*" not in str(principal.get("AWS", "")) and "*" not in str(
            principal.get("Service", "")
        )
    services = statement(doc, "ServiceUseForThisAccount")
    assert services["Principal"] == {"Service": ["events.amazonaws.com", "sns.amazonaws.com"]}
    assert services["Action"] == list(KEY_USE_ACTIONS)
    assert services["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}
    logs = statement(doc, "CloudWatchLogsForThisAccount")
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs["Action"] == list(KEY_USE_ACTIONS)
    assert logs["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": (
                f"arn:aws:logs:eu-west-1:{ACCOUNT_ID}:log-group:*"
            )
        }
    }


def test_destroyable_key_is_deletable_after_seven_days() -> None:
    rec = plan()
    key = rec.one(KEY)
    assert key.inputs["deletionWindowInDays"] == 7
    for resource in (key, rec.one(ALIAS)):
        assert (resource.protect, resource.retain_on_delete) == (False, False)


def test_protected_key_and_alias_are_protected_and_retained() -> None:
    rec = plan(retention=Retention.PROTECTED)
    key = rec.one(KEY)
    assert key.inputs["deletionWindowInDays"] == 30
    for resource in (key, rec.one(ALIAS)):
        assert (resource.protect, resource.retain_on_delete) == (True, True)


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"service_principals": ["*"]}, "service_principals[0]"),
        ({"service_principals": [f"arn:aws:iam::{ACCOUNT_ID}:root"]}, "service_principals[0]"),
        ({"service_principals": ["sns.amazonaws.com"] * 2}, "service_principals: duplicates"),
        ({"description": " "}, "description"),
        ({"log_group_region": "moon-1"}, "log_group_region"),
        ({"reader_account_ids": ["1234"]}, "reader_account_ids[0]"),
    ],
)
def test_invalid_static_arguments_are_refused(overrides: dict, argument: str) -> None:
    with pytest.raises(ValueError, match=re.escape(argument)):
        plan(**overrides)


def test_invalid_region_output_is_refused_once_known() -> None:
    with pytest.raises(pulumi.InputPropertyError) as err:
        plan(log_group_region=pulumi.Output.from_input("nowhere"))
    assert err.value.property_path == "log_group_region"
