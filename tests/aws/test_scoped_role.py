"""ScopedRole: trust policy, one inline policy per concern, and every refusal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from mlops_components.aws import ESCALATION_ACTIONS, ScopedRole, ScopedRoleArgs, Statement
from mlops_preview.runner import Recording, run_program
from support import ACCOUNT_ID, TAGS, assert_tagged, document

ROLE = "aws:iam/role:Role"
POLICY = "aws:iam/rolePolicy:RolePolicy"
BUCKET_ARN = "arn:aws:s3:::mlops-data-1234567"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/sagemaker-execution"


def plan(policies: dict[str, Any], **overrides: Any) -> Recording:
    def program() -> None:
        resolved: dict[str, Any] = {k: v() if callable(v) else v for k, v in policies.items()}
        args = ScopedRoleArgs(
            service_principals=["sagemaker.amazonaws.com"], policies=resolved, tags=TAGS
        )
        for key, value in overrides.items():
            setattr(args, key, value)
        ScopedRole("job", args)

    return run_program(program)


def allow(actions: Sequence[str], resource: Any) -> list[Statement]:
    return [{"Effect": "Allow", "Action": list(actions), "Resource": resource}]


def test_role_and_one_policy_per_key() -> None:
    read = allow(["s3:GetObject"], [f"{BUCKET_ARN}/*"])
    rec = plan({"s3": read, "kms": allow(["kms:Decrypt"], "arn:aws:kms:eu-west-1:1:key/k")})
    component = rec.one("mlops:aws:ScopedRole", "job")
    children = rec.children_of(component.urn)
    assert sorted((r.type, r.name) for r in children) == [
        (ROLE, "job"),
        (POLICY, "job-kms"),
        (POLICY, "job-s3"),
    ]
    role = rec.one(ROLE)
    assert role.inputs["maxSessionDuration"] == 3600
    for policy in rec.by_type(POLICY):
        assert policy.inputs["role"] == role.id
    assert document(rec.one(POLICY, "job-s3")) == {"Version": "2012-10-17", "Statement": read}
    assert_tagged(rec, component)
    assert rec.warnings == []


def test_trust_policy_names_only_the_services_for_this_account() -> None:
    rec = plan({}, service_principals=["sagemaker.amazonaws.com", "events.amazonaws.com"])
    assert document(rec.one(ROLE), "assumeRolePolicy") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["events.amazonaws.com", "sagemaker.amazonaws.com"]},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}},
            }
        ],
    }
    assert rec.by_type(POLICY) == []


def test_trust_policy_without_source_account_condition() -> None:
    rec = plan({}, source_account_condition=False, max_session_duration=7200)
    (trust,) = document(rec.one(ROLE), "assumeRolePolicy")["Statement"]
    assert "Condition" not in trust
    assert trust["Principal"] == {"Service": ["sagemaker.amazonaws.com"]}
    assert rec.one(ROLE).inputs["maxSessionDuration"] == 7200


def test_pod_identity_trust_tags_sessions_and_names_them() -> None:
    tags = {
        "eks-cluster-name": "c",
        "kubernetes-namespace": "ns",
        "kubernetes-service-account": "sa",
    }
    rec = plan(
        {},
        service_principals=["pods.eks.amazonaws.com"],
        source_account_condition=False,
        session_tags=tags,
    )
    (trust,) = document(rec.one(ROLE), "assumeRolePolicy")["Statement"]
    assert trust == {
        "Effect": "Allow",
        "Principal": {"Service": ["pods.eks.amazonaws.com"]},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
        "Condition": {
            "StringEquals": {
                "aws:RequestTag/eks-cluster-name": "c",
                "aws:RequestTag/kubernetes-namespace": "ns",
                "aws:RequestTag/kubernetes-service-account": "sa",
            }
        },
    }


def test_outputs_inside_statements_are_resolved() -> None:
    statements = lambda: allow(  # noqa: E731 - built inside the program
        ["s3:GetObject"], [pulumi.Output.from_input(BUCKET_ARN).apply(lambda a: f"{a}/*")]
    )
    rec = plan({"read": statements})
    assert document(rec.one(POLICY))["Statement"][0]["Resource"] == [f"{BUCKET_ARN}/*"]


@pytest.mark.parametrize(
    "statements",
    [
        allow(["s3:*"], [BUCKET_ARN, f"{BUCKET_ARN}/*"]),  # a whole service on named resources
        allow(["iam:PassRole"], [ROLE_ARN]),
        allow(["s3:Get*"], "*"),
        [{"Effect": "Deny", "Action": ["*"], "Resource": "*"}],  # denies may be broad
    ],
    ids=["service-star-on-named", "passrole-named", "read-wildcard", "deny-star"],
)
def test_scoped_statements_are_accepted(statements: list[Statement]) -> None:
    rec = plan({"ok": statements})
    assert json.loads(rec.one(POLICY).inputs["policy"])["Statement"] == statements


REFUSED: list[tuple[str, list[Any], str]] = [
    ("star-action", allow(["*"], [BUCKET_ARN]), "grants every action of every service"),
    ("star-service", allow(["*:Get*"], [BUCKET_ARN]), "grants every action of every service"),
    ("service-star-on-star", allow(["s3:*"], "*"), "grants a whole service"),
    ("service-star-in-list", allow(["sagemaker:*"], [BUCKET_ARN, "*"]), "grants a whole service"),
    ("iam-star", allow(["iam:*"], [ROLE_ARN]), "privilege escalation"),
    ("passrole-star", allow(["iam:PassRole"], "*"), "hand any role"),
    ("passrole-pattern-star", allow(["iam:Pass*"], "*"), "hand any role"),
    ("put-pattern", allow(["iam:Put*"], [ROLE_ARN]), "privilege escalation"),
    (
        "not-action",
        [{"Effect": "Allow", "NotAction": ["s3:DeleteObject"], "Resource": "*"}],
        "NotAction",
    ),
    ("no-resource", [{"Effect": "Allow", "Action": ["s3:GetObject"]}], "Resource"),
    ("bad-effect", [{"Effect": "allow", "Action": ["s3:GetObject"], "Resource": "*"}], "Effect"),
] + [
    (action, allow([action], [ROLE_ARN]), f"privilege escalation ({action})")
    for action in ESCALATION_ACTIONS
]


@pytest.mark.parametrize(
    ("statements", "reason"), [(s, r) for _, s, r in REFUSED], ids=[i for i, _, _ in REFUSED]
)
def test_refused_statements_fail_at_construction(statements: list[Any], reason: str) -> None:
    with pytest.raises(ValueError, match=r"policies\['bad'\]\[0\]") as err:
        plan({"bad": statements})
    assert reason in str(err.value)


@pytest.mark.parametrize(
    ("statements", "reason"),
    [(s, r) for _, s, r in REFUSED[:8]],
    ids=[i for i, _, _ in REFUSED[:8]],
)
def test_refused_statements_behind_outputs_fail_once_resolved(
    statements: list[Any], reason: str
) -> None:
    with pytest.raises(pulumi.InputPropertyError) as err:
        plan({"bad": lambda: pulumi.Output.from_input(statements)})
    assert err.value.property_path == "policies['bad']"
    assert reason in err.value.reason


def test_star_resource_behind_an_output_fails_once_resolved() -> None:
    with pytest.raises(pulumi.InputPropertyError, match="grants a whole service"):
        plan({"bad": lambda: allow(["s3:*"], [pulumi.Output.from_input("*")])})


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValueError) as err:
        plan(
            {"a": allow(["iam:CreateAccessKey"], "*"), "b_c": allow(["s3:*"], "*")},
            service_principals=["*"],
            max_session_duration=60,
        )
    message = str(err.value)
    for part in (
        "service_principals[0]",
        "max_session_duration",
        "policies['a'][0]",
        "policies['b_c']: key",
        "policies['b_c'][0]",
    ):
        assert part in message


def test_allow_builds_a_statement() -> None:
    from mlops_components.aws import allow

    assert allow("Read", ("s3:GetObject",), ["arn:aws:s3:::b/*"]) == {
        "Sid": "Read",
        "Effect": "Allow",
        "Action": ["s3:GetObject"],
        "Resource": ["arn:aws:s3:::b/*"],
    }
    condition = {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert allow("Put", ["s3:PutObject"], ["*"], condition)["Condition"] == condition


def test_consumers_of_the_role_depend_on_its_policies() -> None:
    """Created after the permissions they need, deleted before them."""

    def program() -> None:
        role = ScopedRole(
            "flow-logs",
            ScopedRoleArgs(
                service_principals=["vpc-flow-logs.amazonaws.com"],
                tags=TAGS,
                policies={
                    "deliver": allow(["logs:PutLogEvents"], ["arn:aws:logs:eu-west-1:1:*"]),
                    "describe": allow(["logs:DescribeLogGroups"], ["*"]),
                },
            ),
        )
        aws.ec2.FlowLog(
            "flow-log",
            vpc_id="vpc-0a1b2c3d4e5f60718",
            traffic_type="ALL",
            log_destination="arn:aws:logs:eu-west-1:1:log-group:x",
            iam_role_arn=role.role_arn,
        )

    rec = run_program(program)
    flow_log = rec.one("aws:ec2/flowLog:FlowLog")
    assert sorted(flow_log.property_dependencies["iamRoleArn"]) == sorted(
        [rec.one(ROLE).urn, *(p.urn for p in rec.by_type(POLICY))]
    )
    assert flow_log.inputs["iamRoleArn"] == rec.one(ROLE).outputs["arn"]
