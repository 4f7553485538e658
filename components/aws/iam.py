"""A least-privilege IAM role for one AWS service, with inline policies that are
checked against a denylist of over-broad and privilege-escalating grants."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from .. import naming
from .kms import SERVICE_PRINCIPAL
from .names import check_auto_name


class Statement(TypedDict):
    """One IAM policy statement. ``Resource`` (and ``Condition`` values) may hold
    Outputs such as ARNs; ``Action`` must be known at construction so the denylist
    can be checked before anything is deployed."""

    Effect: Literal["Allow", "Deny"]
    Action: list[str]
    Resource: pulumi.Input[str] | Sequence[pulumi.Input[str]]
    Sid: NotRequired[str]
    Condition: NotRequired[Mapping[str, Mapping[str, Any]]]


def allow(
    sid: str,
    actions: Sequence[str],
    resources: Sequence[pulumi.Input[str]],
    condition: Mapping[str, Mapping[str, Any]] | None = None,
) -> Statement:
    """An ``Allow`` statement; the one way callers write them, so each reads as one line
    of intent (``allow("ReadData", ["s3:GetObject"], [bucket_arn])``)."""
    statement: Statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": list(actions),
        "Resource": list(resources),
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


ESCALATION_ACTIONS = (
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:UpdateAssumeRolePolicy",
    "iam:AddUserToGroup",
    "iam:CreateRole",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
)
"""The denylist: actions that let a role widen its own or another identity's
permissions (Rhino Security Labs, "AWS IAM Privilege Escalation - Methods and
Mitigation"; Checkov CKV_AWS_286). An Allow statement whose action pattern
matches any of these (``iam:Put*``, ``iam:*``, ``*``) is refused whatever its resource.
Roles that need them belong in a separately reviewed stack, not in a building block.
Besides this list, ScopedRole refuses ``*`` as an action, ``<service>:*`` on resource
``*``, and ``iam:PassRole`` on resource ``*``."""

ALLOWED_KEYS = frozenset({"Sid", "Effect", "Action", "Resource", "Condition"})
POLICY_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
MAX_SESSION_RANGE = (3600, 43200)


@dataclass
class ScopedRoleArgs:
    service_principals: Sequence[str]
    """The only principals trusted to assume the role, e.g. ``sagemaker.amazonaws.com``."""
    policies: Mapping[str, pulumi.Input[Sequence[Statement]]]
    """Inline policies by short name; each becomes a ``RolePolicy`` named
    ``<name>-<key>``. Statements are checked against the denylist above."""
    tags: Mapping[str, str]
    """Already-merged tags (``tags.merge_tags``), set on the role."""
    description: str = ""
    source_account_condition: bool = True
    """Trust only requests made for this account's resources (``aws:SourceAccount``),
    against the confused-deputy problem. Turn off only for a service that does not send
    the key."""
    max_session_duration: int = 3600
    """Seconds a session lasts, 3600-43200. One hour: long jobs refresh credentials."""
    session_tags: Mapping[str, str] | None = None
    """EKS Pod Identity (``pods.eks.amazonaws.com``): trust ``sts:TagSession`` too (the
    service tags each session) and only sessions carrying these tags, e.g.
    ``{"eks-cluster-name": ..., "kubernetes-namespace": ..., "kubernetes-service-account":
    ...}`` as ``aws:RequestTag/<key>`` conditions, so no other cluster, namespace or
    service account can use the role (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html)."""


def statement_violations(path: str, statements: Any) -> list[str]:
    """Problems of ``statements`` as ``"<path>[i]: <reason>"`` lines.

    At construction, statements and resources that are still Outputs are skipped (an
    Output is never equal to ``*``); the check runs again on resolved values inside
    ``apply``, where a violation is a ``pulumi.InputPropertyError``.
    """
    if isinstance(statements, pulumi.Output):
        return []
    if not isinstance(statements, Sequence) or isinstance(statements, str):
        return [f"{path}: must be a list of statements"]
    problems: list[str] = []
    for i, statement in enumerate(statements):
        where = f"{path}[{i}]"
        if isinstance(statement, pulumi.Output):
            continue  # checked once resolved
        if not isinstance(statement, Mapping):
            problems.append(f"{where}: must be a statement mapping")
            continue
        extra = sorted(set(statement) - ALLOWED_KEYS)
        if extra:
            problems.append(
                f"{where}: keys {', '.join(extra)} are not allowed (NotAction/NotResource "
                "grant by exclusion; Principal belongs in trust policies)"
            )
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            problems.append(f"{where}.Effect: must be 'Allow' or 'Deny', got {effect!r}")
        actions = _as_list(statement.get("Action"))
        resources = _as_list(statement.get("Resource"))
        if not actions:
            problems.append(f"{where}.Action: at least one action is required")
        if not resources:
            problems.append(f"{where}.Resource: at least one resource is required")
        if effect != "Allow":
            continue
        if not all(isinstance(a, str) for a in actions):
            problems.append(f"{where}.Action: actions must be plain strings")
            continue
        any_resource = "*" in resources
        for action in actions:
            problems += [f"{where}.Action: {r}" for r in _action_violations(action, any_resource)]
    return problems


def _action_violations(action: str, any_resource: bool) -> list[str]:
    service, _, verb = action.partition(":")
    if action == "*" or service == "*":
        return [f"{action!r} grants every action of every service"]
    escalations = [a for a in ESCALATION_ACTIONS if fnmatch.fnmatchcase(a.lower(), action.lower())]
    if escalations:
        return [f"{action!r} allows privilege escalation ({', '.join(escalations)})"]
    if verb == "*" and any_resource:
        return [f"{action!r} on resource '*' grants a whole service; name the resources"]
    if any_resource and fnmatch.fnmatchcase("iam:passrole", action.lower()):
        return [f"{action!r} on resource '*' lets the role hand any role to a service"]
    return []


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | pulumi.Output):
        return [value]
    return list(value)


def trust_policy(
    service_principals: Sequence[str],
    account_id: str | None,
    *,
    session_tags: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``sts:AssumeRole`` for the listed services only, for this account's resources
    when ``account_id`` is given; with ``session_tags`` also ``sts:TagSession``, for
    sessions tagged with exactly those values."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": sorted(service_principals)},
        "Action": "sts:AssumeRole",
    }
    equals: dict[str, str] = {}
    if account_id is not None:
        equals["aws:SourceAccount"] = account_id
    if session_tags is not None:
        statement["Action"] = ["sts:AssumeRole", "sts:TagSession"]
        equals.update({f"aws:RequestTag/{k}": v for k, v in sorted(session_tags.items())})
    if equals:
        statement["Condition"] = {"StringEquals": equals}
    return {"Version": "2012-10-17", "Statement": [statement]}


class ScopedRole(pulumi.ComponentResource):
    """An IAM role that only the named AWS services can assume, with one inline policy
    per concern. Inline (not managed) policies live and die with the role, so nothing
    else can attach them."""

    role: aws.iam.Role
    role_arn: pulumi.Output[str]
    role_name: pulumi.Output[str]
    policies: dict[str, aws.iam.RolePolicy]

    def __init__(
        self, name: str, args: ScopedRoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:aws:ScopedRole", name, None, opts)
        _validate(args)

        principals = list(args.service_principals)
        if args.source_account_condition:
            identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
            assume_role_policy: pulumi.Input[str] = identity.account_id.apply(
                lambda account: json.dumps(
                    trust_policy(principals, account, session_tags=args.session_tags)
                )
            )
        else:
            assume_role_policy = json.dumps(
                trust_policy(principals, None, session_tags=args.session_tags)
            )

        self.role = aws.iam.Role(
            check_auto_name("iam-role", naming.child(name)),
            assume_role_policy=assume_role_policy,
            description=args.description or None,
            max_session_duration=args.max_session_duration,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.policies = {
            key: aws.iam.RolePolicy(
                check_auto_name("iam-role-policy", naming.child(name, key)),
                role=self.role.id,
                policy=_policy_document(f"policies[{key!r}]", statements),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for key, statements in args.policies.items()
        }
        # The ARN carries the policies as dependencies: whatever is given the role (a
        # SageMaker model, domain or job, a flow log) is created after its permissions
        # and deleted before them. Otherwise `pulumi destroy` may delete the policy
        # first, and the service can no longer release the network interfaces it made
        # in the stack's subnets (hashicorp/terraform-provider-aws#9495, maintainer's
        # advice on DependencyViolation at subnet deletion).
        self.role_arn = pulumi.Output.all(
            self.role.arn, *[p.id for p in self.policies.values()]
        ).apply(lambda values: values[0])
        self.role_name = self.role.name
        self.register_outputs({"role_arn": self.role_arn, "role_name": self.role_name})


def _policy_document(
    path: str, statements: pulumi.Input[Sequence[Statement]]
) -> pulumi.Output[str]:
    """Resolve Outputs inside the statements, check them again, serialise."""

    def _dump(resolved: Any) -> str:
        problems = statement_violations(path, resolved)
        if problems:
            raise pulumi.InputPropertyError(path, "; ".join(problems))
        return json.dumps({"Version": "2012-10-17", "Statement": list(resolved)})

    return pulumi.Output.from_input(statements).apply(_dump)


def _validate(args: ScopedRoleArgs) -> None:
    problems: list[str] = []
    if isinstance(args.service_principals, str) or not args.service_principals:
        problems.append("service_principals: at least one service principal is required")
    else:
        for i, principal in enumerate(args.service_principals):
            if not SERVICE_PRINCIPAL.match(principal):
                problems.append(
                    f"service_principals[{i}]: {principal!r} is not an AWS service principal"
                )
    low, high = MAX_SESSION_RANGE
    if not low <= args.max_session_duration <= high:
        problems.append(f"max_session_duration: must be {low}-{high} seconds")
    for key, statements in args.policies.items():
        if not POLICY_KEY.match(key):
            problems.append(f"policies[{key!r}]: key must be letters, digits and hyphens")
        problems += statement_violations(f"policies[{key!r}]", statements)
    if problems:
        raise ValueError("invalid ScopedRoleArgs:\n  - " + "\n  - ".join(problems))
