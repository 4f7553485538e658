"""IAM rules: no administrator or service-wide grants on every resource, no privilege
escalation actions on every resource, trust policies scoped to named principals, and no
policies attached straight to users."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from .. import documents
from ..framework import (
    Category,
    dig,
    document,
    items,
    resource_rule,
    string_list_schema,
    wildcard_principals,
)

POLICY_DOCUMENT_TYPES = (
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
    "aws:iam/role:Role",
)
ROLE = "aws:iam/role:Role"

SECURITY = Category.SECURITY
MANDATORY = EnforcementLevel.MANDATORY

# Actions that let a principal grant itself more permissions when allowed on every
# resource (Rhino Security Labs' escalation paths; Checkov CKV_AWS_286).
ESCALATION_ACTIONS = [
    "iam:AddUserToGroup",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreatePolicyVersion",
    "iam:PassRole",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:PutUserPolicy",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateLoginProfile",
    "sts:AssumeRole",
    "lambda:UpdateFunctionCode",
    "glue:UpdateDevEndpoint",
    "sagemaker:CreatePresignedNotebookInstanceUrl",
]


def _documents(args: ResourceValidationArgs) -> Iterator[tuple[str, Any]]:
    """(label, parsed document) for the permission documents a resource carries."""
    if args.resource_type == ROLE:
        for index, inline in enumerate(items(args.props.get("inlinePolicies"))):
            value = inline.get("policy") if isinstance(inline, Mapping) else None
            if value:
                yield f"inlinePolicies[{inline.get('name') or index}]", value
        return
    value = args.props.get("policy")
    if value:
        yield "policy", value


def _allow_statements(args: ResourceValidationArgs) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for label, value in _documents(args):
        try:
            doc = document(value)
        except ValueError:
            yield (
                label,
                {"Effect": "Allow", "Action": "*", "Resource": "*", "Sid": "(invalid JSON)"},
            )
            continue
        for index, stmt in enumerate(documents.statements(doc)):
            if documents.allows(stmt):
                yield f"{label} statement {stmt.get('Sid', index)}", stmt


@resource_rule(
    name="aws-iam-policy-disallow-full-admin",
    description="IAM policies must not allow every action on every resource.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="List the actions and resource ARNs the workload needs; use AWS managed job-function policies for humans.",
    references=["FSBP IAM.1", "CIS AWS Foundations v1.4.0 1.16", "CKV_AWS_62", "CKV_AWS_63"],
    resource_types=POLICY_DOCUMENT_TYPES,
)
def full_admin(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """'*' on '*' is account administrator; no pipeline or service role needs it."""
    for label, stmt in _allow_statements(args):
        if any(a in ("*", "*:*") for a in documents.actions(stmt)) and "*" in documents.resources(
            stmt
        ):
            yield f"{label} allows '*' on '*'."


@resource_rule(
    name="aws-iam-policy-disallow-service-wildcard",
    description="IAM policies must not allow every action of a service on every resource.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Replace 'service:*' with the needed actions, or scope the statement's Resource to ARNs.",
    references=["FSBP IAM.21", "CKV2_AWS_40"],
    resource_types=POLICY_DOCUMENT_TYPES,
    config_schema={
        "allowedServices": string_list_schema(
            "Services whose 'service:*' on '*' is accepted (e.g. 'cloudwatch').", []
        )
    },
)
def service_wildcard(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """'sagemaker:*' on '*' lets a training role delete every endpoint and read every
    model in the account: the blast radius of one compromised job."""
    allowed = {s.lower() for s in config["allowedServices"]}
    for label, stmt in _allow_statements(args):
        if "*" not in documents.resources(stmt):
            continue
        for action in documents.actions(stmt):
            service, _, verb = action.partition(":")
            if verb == "*" and service not in ("*", "") and service not in allowed:
                yield f"{label} allows '{action}' on '*'."


@resource_rule(
    name="aws-iam-policy-disallow-privilege-escalation",
    description="IAM policies must not allow privilege-escalation actions on every resource.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation=(
        "Scope iam:PassRole and the other listed actions to specific ARNs (e.g. the SageMaker "
        "execution role) and add an iam:PassedToService condition."
    ),
    references=["CKV_AWS_286", "CKV_AWS_289"],
    resource_types=POLICY_DOCUMENT_TYPES,
    config_schema={
        "actions": string_list_schema(
            "Actions treated as privilege escalation when allowed on '*'.", ESCALATION_ACTIONS
        )
    },
)
def privilege_escalation(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Each of these actions on '*' lets the holder attach or assume broader permissions
    than it was given (e.g. iam:PassRole of an admin role to a new SageMaker job)."""
    risky = {a.lower() for a in config["actions"]}
    for label, stmt in _allow_statements(args):
        if "*" not in documents.resources(stmt):
            continue
        granted = sorted({a for a in documents.actions(stmt) for r in risky if _covers(a, r)})
        if granted:
            yield f"{label} allows {', '.join(granted)} on '*'."


def _covers(granted: str, risky: str) -> bool:
    """Does a (possibly wildcarded) granted action include the risky action?"""
    if granted in ("*", "*:*"):
        return False  # reported by aws-iam-policy-disallow-full-admin
    if granted.endswith("*"):
        return risky.startswith(granted[:-1]) and not granted.endswith(":*")
    return granted == risky


@resource_rule(
    name="aws-iam-role-trust-disallow-wildcard-principal",
    description="IAM role trust policies must name the principals that may assume the role.",
    category=SECURITY,
    severity=Severity.CRITICAL,
    enforcement=MANDATORY,
    remediation=(
        "Trust a service principal (sagemaker.amazonaws.com), a role ARN or an OIDC provider "
        "with sub/aud conditions instead of '*'."
    ),
    references=["CKV_AWS_60"],
    resource_types=[ROLE],
)
def trust_wildcard(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A trust policy with '*' lets any AWS account assume the role."""
    yield from wildcard_principals(args.props.get("assumeRolePolicy"), "assumeRolePolicy")


@resource_rule(
    name="aws-iam-user-disallow-direct-policy",
    description="IAM policies must not be attached directly to IAM users.",
    category=SECURITY,
    severity=Severity.LOW,
    enforcement=MANDATORY,
    remediation="Grant permissions to roles (assumed through SSO or OIDC) or groups instead of users.",
    references=[
        "FSBP IAM.2",
        "CIS AWS Foundations v1.2.0 1.16",
        "PCP aws-iam-user-policy-attachment-only-attachment-through-groups",
        "CKV_AWS_40",
    ],
    resource_types=[
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    ],
)
def user_direct_policy(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Per-user grants drift and outlive people; long-lived user keys are the credential
    most often leaked from CI systems."""
    yield f"{args.resource_type.rsplit(':', 1)[-1]} attaches a policy directly to a user."


POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
POD_IDENTITY_TAGS = (
    "aws:RequestTag/kubernetes-namespace",
    "aws:RequestTag/kubernetes-service-account",
)


@resource_rule(
    name="aws-iam-role-pod-identity-require-scoped-trust",
    description="Roles EKS Pod Identity assumes must name the namespace and service account in their trust policy.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation=(
        "Add Condition StringEquals aws:RequestTag/kubernetes-namespace and "
        "aws:RequestTag/kubernetes-service-account (and eks-cluster-name) to the trust statement."
    ),
    references=["none (project rule: no public control checks Pod Identity trust conditions)"],
    resource_types=[ROLE],
)
def pod_identity_trust(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Without the session-tag conditions, any Pod Identity association in the account
    (any cluster, namespace or service account) can be given the role."""
    try:
        trust = document(args.props.get("assumeRolePolicy"))
    except ValueError:
        return
    statements = trust.get("Statement") if isinstance(trust, Mapping) else None
    for index, statement in enumerate(items(statements)):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        services = items(dig(statement, "Principal", "Service"))
        if POD_IDENTITY_PRINCIPAL not in services:
            continue
        conditions = statement.get("Condition")
        named = set()
        if isinstance(conditions, Mapping):
            for operator in ("StringEquals", "StringLike"):
                block = conditions.get(operator)
                if isinstance(block, Mapping):
                    named |= {key for key in block if key in POD_IDENTITY_TAGS}
        missing = [key for key in POD_IDENTITY_TAGS if key not in named]
        if missing:
            yield f"Statement[{index}] trusts {POD_IDENTITY_PRINCIPAL} without {', '.join(missing)}."
