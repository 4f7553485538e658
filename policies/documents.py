"""Reading IAM-style JSON policy documents (IAM, S3 bucket, KMS key, ECR repository
policies): statements, principals, actions and resources, normalised to lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def statements(doc: Any) -> list[dict[str, Any]]:
    """The document's statements as a list (a single statement object is allowed)."""
    if not isinstance(doc, Mapping):
        return []
    stmt = doc.get("Statement")
    if isinstance(stmt, Mapping):
        return [dict(stmt)]
    if isinstance(stmt, list):
        return [dict(s) for s in stmt if isinstance(s, Mapping)]
    return []


def strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def allows(stmt: Mapping[str, Any]) -> bool:
    return str(stmt.get("Effect", "")).lower() == "allow"


def denies(stmt: Mapping[str, Any]) -> bool:
    return str(stmt.get("Effect", "")).lower() == "deny"


def actions(stmt: Mapping[str, Any]) -> list[str]:
    """Lower-cased actions; an Allow with ``NotAction`` grants everything else, so it
    counts as ``*``."""
    if "NotAction" in stmt and allows(stmt):
        return ["*"]
    return [a.lower() for a in strings(stmt.get("Action"))]


def resources(stmt: Mapping[str, Any]) -> list[str]:
    if "NotResource" in stmt and allows(stmt):
        return ["*"]
    return strings(stmt.get("Resource"))


def aws_principals(stmt: Mapping[str, Any]) -> list[str]:
    """Every principal value of a statement (``"*"`` for the anonymous principal)."""
    principal = stmt.get("Principal")
    if principal is None:
        return []
    if isinstance(principal, str):
        return [principal]
    if isinstance(principal, Mapping):
        found: list[str] = []
        for value in principal.values():
            found.extend(strings(value))
        return found
    return strings(principal)


def has_wildcard_principal(stmt: Mapping[str, Any]) -> bool:
    """``"*"``, ``{"AWS": "*"}`` or an Allow with ``NotPrincipal`` (everyone else)."""
    if "NotPrincipal" in stmt and allows(stmt):
        return True
    return "*" in aws_principals(stmt)


def has_condition(stmt: Mapping[str, Any]) -> bool:
    condition = stmt.get("Condition")
    return isinstance(condition, Mapping) and len(condition) > 0


def denies_insecure_transport(doc: Any) -> bool:
    """A Deny on ``aws:SecureTransport = false`` for every principal (FSBP S3.5)."""
    for stmt in statements(doc):
        if not denies(stmt):
            continue
        condition = stmt.get("Condition")
        if not isinstance(condition, Mapping):
            continue
        for operator, clauses in condition.items():
            if not str(operator).lower().startswith("bool") or not isinstance(clauses, Mapping):
                continue
            for key, value in clauses.items():
                if str(key).lower() == "aws:securetransport" and [
                    v.lower() for v in strings(value)
                ] == ["false"]:
                    return True
    return False


SCOPING_CONDITION_KEYS = frozenset(
    key.lower()
    for key in (
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceOrgID",
        "kms:CallerAccount",
    )
)


def scoped_by_condition(stmt: Mapping[str, Any]) -> bool:
    """True when a condition restricts *who* may use a wildcard-principal statement
    (organisation, account, principal ARN, source VPC/endpoint or source ARN)."""
    condition = stmt.get("Condition")
    if not isinstance(condition, Mapping):
        return False
    for clauses in condition.values():
        if isinstance(clauses, Mapping) and any(
            str(key).lower() in SCOPING_CONDITION_KEYS for key in clauses
        ):
            return True
    return False
