"""The rule model: one rule per function, registered with its metadata, turned into the
``pulumi_policy`` policy objects that both the policy packs and the offline evaluator run.

A rule is a plain generator. A resource rule receives the SDK's
:class:`~pulumi_policy.ResourceValidationArgs` and its resolved config and yields one
message per violation; a stack rule receives :class:`~pulumi_policy.StackValidationArgs`
and yields ``(message, urn)`` pairs. :func:`resource_rule` and :func:`stack_rule`
register the function together with the metadata the pack, the listing and the docs
need (category, severity, default enforcement, remediation, references, config schema).

**Unknown values fail closed.** During ``pulumi preview`` a property that depends on a
not-yet-created resource is an *unknown*; reading it through the SDK's proxy raises
:class:`~pulumi_policy.proxy.UnknownValueError`, which the SDK turns into an *advisory*
diagnostic, i.e. a mandatory rule silently stops blocking. The adapter here catches it
and reports a violation at the policy's own level instead ("... can't be known during
preview; the rule cannot prove compliance"). Presence checks use :func:`is_set`, which
counts an unknown as set (an unknown ARN is still an ARN). Every rule's config accepts
``failOnUnknown: false`` to opt back into the SDK behaviour for that rule.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any, Literal

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError, _DictProxy, _is_unknown, _ListProxy

from . import documents

NAME_PATTERN = re.compile(r"^(aws|azure|gcp|all)-[a-z0-9]+(-[a-z0-9]+)+$")

FAIL_ON_UNKNOWN = "failOnUnknown"
"""Config property every rule accepts; ``false`` lets unknowns downgrade to advisory."""

_FAIL_ON_UNKNOWN_SCHEMA: dict[str, Any] = {
    "type": "boolean",
    "default": True,
    "description": (
        "Report a violation when a value the rule needs is unknown during preview "
        "(fail closed). false restores the SDK default: an advisory 'can't be known' note."
    ),
}


class Category(StrEnum):
    """Security and cost rules ship in separate packs so a team can adopt one alone."""

    SECURITY = "security"
    COST = "cost"


ResourceCheck = Callable[[ResourceValidationArgs, Mapping[str, Any]], Iterable[str]]
StackCheck = Callable[[StackValidationArgs, Mapping[str, Any]], Iterable[tuple[str, str | None]]]


@dataclass(frozen=True)
class Rule:
    """One guardrail and everything a reader, a pack and the evaluator need to know."""

    name: str
    description: str
    category: Category
    severity: Severity
    enforcement: EnforcementLevel
    remediation: str
    references: tuple[str, ...]
    resource_types: tuple[str, ...]
    kind: Literal["resource", "stack"]
    check: Callable[..., Iterable[Any]]
    config_schema: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    rationale: str = ""
    module: str = ""
    _policy: list[Policy] = field(default_factory=list, repr=False, compare=False)

    @property
    def cloud(self) -> str:
        return self.name.split("-", 1)[0]

    @property
    def defaults(self) -> dict[str, Any]:
        """Config values the CLI fills in from the schema when the config file is silent."""
        schema = self.full_schema
        return {key: spec["default"] for key, spec in schema.items() if "default" in spec}

    @property
    def full_schema(self) -> dict[str, Mapping[str, Any]]:
        return {**self.config_schema, FAIL_ON_UNKNOWN: _FAIL_ON_UNKNOWN_SCHEMA}

    @property
    def policy(self) -> Policy:
        """The one policy object for this rule, shared by the packs and the evaluator."""
        if not self._policy:
            self._policy.append(_build_policy(self))
        return self._policy[0]


_REGISTRY: dict[str, Rule] = {}


def registered_rules() -> list[Rule]:
    """Every rule registered so far, in registration order."""
    return list(_REGISTRY.values())


def _register(rule: Rule) -> None:
    if rule.name in _REGISTRY:
        raise ValueError(f"duplicate rule name {rule.name!r}")
    if not NAME_PATTERN.match(rule.name):
        raise ValueError(f"rule name {rule.name!r} does not match {NAME_PATTERN.pattern}")
    _REGISTRY[rule.name] = rule


def _docstring(fn: Callable[..., Any]) -> str:
    doc = fn.__doc__ or ""
    return " ".join(doc.split())


def _rule_decorator(kind: Literal["resource", "stack"], **meta: Any) -> Callable[[Any], Any]:
    """Register the decorated check as a rule of ``kind`` with its metadata."""

    def decorate(fn: Callable[..., Iterable[Any]]) -> Callable[..., Iterable[Any]]:
        _register(
            Rule(
                name=meta["name"],
                description=meta["description"],
                category=meta["category"],
                severity=meta["severity"],
                enforcement=meta["enforcement"],
                remediation=meta["remediation"],
                references=tuple(meta["references"]),
                resource_types=tuple(meta["resource_types"]),
                kind=kind,
                check=fn,
                config_schema=dict(meta.get("config_schema") or {}),
                rationale=_docstring(fn),
                module=fn.__module__,
            )
        )
        return fn

    return decorate


def resource_rule(
    *,
    name: str,
    description: str,
    category: Category,
    severity: Severity,
    enforcement: EnforcementLevel,
    remediation: str,
    references: Sequence[str],
    resource_types: Sequence[str],
    config_schema: Mapping[str, Mapping[str, Any]] | None = None,
) -> Callable[[ResourceCheck], ResourceCheck]:
    """Register a resource rule; the function yields one message per violation."""
    return _rule_decorator("resource", **locals())


def stack_rule(
    *,
    name: str,
    description: str,
    category: Category,
    severity: Severity,
    enforcement: EnforcementLevel,
    remediation: str,
    references: Sequence[str],
    resource_types: Sequence[str],
    config_schema: Mapping[str, Mapping[str, Any]] | None = None,
) -> Callable[[StackCheck], StackCheck]:
    """Register a stack rule; the function yields ``(message, urn or None)`` pairs."""
    return _rule_decorator("stack", **locals())


# ---------------------------------------------------------------------------------------
# Adapters: rule -> pulumi_policy policy object
# ---------------------------------------------------------------------------------------


def resolved_config(rule: Rule, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Schema defaults overlaid with the configured values (what the CLI sends)."""
    config = rule.defaults
    config.update(dict(given or {}))
    return config


def unknown_message(error: UnknownValueError) -> str:
    return (
        f"{error.message}; the rule cannot prove compliance, so it fails closed. "
        f"Create the dependency first, or set {FAIL_ON_UNKNOWN}=false for this policy to "
        "accept an advisory note instead."
    )


def _build_policy(rule: Rule) -> Policy:
    schema = PolicyConfigSchema(
        properties={key: dict(value) for key, value in rule.full_schema.items()}
    )
    common: dict[str, Any] = {
        "name": rule.name,
        "description": rule.description,
        "enforcement_level": rule.enforcement,
        "config_schema": schema,
        "severity": rule.severity,
        "tags": [rule.category.value, rule.cloud],
        "remediation_steps": rule.remediation,
    }
    if rule.kind == "resource":
        return ResourceValidationPolicy(validate=_resource_validate(rule), **common)
    return StackValidationPolicy(validate=_stack_validate(rule), **common)


def _resource_validate(rule: Rule) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    types = frozenset(rule.resource_types)  # empty: every type

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if types and args.resource_type not in types:
            return
        config = resolved_config(rule, args.get_config())
        try:
            for message in rule.check(args, config):
                report_violation(message, None)
        except UnknownValueError as error:
            if not config.get(FAIL_ON_UNKNOWN, True):
                raise
            report_violation(unknown_message(error), None)

    return validate


def _stack_validate(rule: Rule) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        config = resolved_config(rule, args.get_config())
        try:
            for message, urn in rule.check(args, config):
                report_violation(message, urn)
        except UnknownValueError as error:
            if not config.get(FAIL_ON_UNKNOWN, True):
                raise
            report_violation(unknown_message(error), None)

    return validate


# ---------------------------------------------------------------------------------------
# Helpers for reading engine properties (camelCase, numbers as floats, unknown sentinels)
# ---------------------------------------------------------------------------------------


def raw(value: Any) -> Any:
    """The container behind an SDK proxy, without the unknown check (plain values as-is)."""
    if isinstance(value, (_DictProxy, _ListProxy)):
        return value["__target"]
    return value


def is_unknown(value: Any) -> bool:
    return _is_unknown(value)


def is_set(container: Any, key: str) -> bool:
    """True when ``key`` holds a non-empty value or an unknown (which will be a value)."""
    if not isinstance(container, Mapping):
        return False
    value = raw(container).get(key)
    if _is_unknown(value):
        return True
    if value is None:
        return False
    if isinstance(value, (str, Sequence, Mapping)):
        return len(value) > 0
    return True


def dig(container: Any, *path: str | int) -> Any:
    """Follow a path of keys and indexes; ``None`` when any step is missing.

    Reading through SDK proxies raises ``UnknownValueError`` on an unknown step, which the
    adapter turns into a fail-closed violation."""
    current = container
    for step in path:
        if isinstance(step, int):
            if not isinstance(current, Sequence) or isinstance(current, str):
                return None
            if step >= len(current):
                return None
            current = current[step]
        else:
            if not isinstance(current, Mapping):
                return None
            current = current.get(step)
        if current is None:
            return None
    return current


def items(value: Any) -> list[Any]:
    """A list property as a list (``[]`` when unset); elements are read eagerly."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        return [value]
    return [value[i] for i in range(len(value))]


def truthy(value: Any) -> bool:
    """Booleans arrive as bools, but some providers pass "true"/"false" strings."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def document(value: Any) -> Any:
    """A JSON document property (IAM/S3/KMS policies, container definitions): parsed.

    Strings are parsed once per process and text (several rules read the same policy
    document of a resource; :func:`parsed_json`), so the result is shared: read it, never
    modify it. Mappings and lists are converted to plain data. Raises ``ValueError`` when
    a string is not JSON."""
    if isinstance(value, str):
        return parsed_json(value)
    return plain(value)


@lru_cache(maxsize=1024)
def parsed_json(text: str) -> Any:
    """``json.loads(text)``, cached: the parsed document is shared, so callers must not
    modify it. Invalid JSON raises ``ValueError`` every time (errors are not cached)."""
    return json.loads(text)


def wildcard_principals(value: Any, field: str = "policy") -> Iterator[str]:
    """Violations of a JSON policy property (bucket, key, repository or trust policy)
    that lets anyone in: one per ``Allow`` statement for principal ``*`` that no
    condition scopes to an organisation, account or source. ``Deny`` statements for
    ``*`` (like a TLS-only deny) are fine. Invalid JSON is a violation too: it cannot be
    checked."""
    if value in (None, ""):
        return
    try:
        doc = document(value)
    except ValueError:
        yield f"{field} is not valid JSON, so it cannot be checked."
        return
    for index, stmt in enumerate(documents.statements(doc)):
        if (
            documents.allows(stmt)
            and documents.has_wildcard_principal(stmt)
            and not documents.scoped_by_condition(stmt)
        ):
            yield (
                f"{field} statement {stmt.get('Sid', index)} allows principal '*' "
                "without a scoping condition."
            )


def plain(value: Any) -> Any:
    """Deep-copy through SDK proxies to plain dicts and lists (raising on unknowns)."""
    if isinstance(value, Mapping):
        return {key: plain(value[key]) for key in value}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [plain(value[i]) for i in range(len(value))]
    return value


def matches_any(value: str, patterns: Iterable[str]) -> bool:
    """Shell-style match (``ml.m5.*``) against any pattern, case-sensitive."""
    return any(fnmatch.fnmatchcase(value, pattern) for pattern in patterns)


def number(value: Any) -> float | None:
    """Engine numbers arrive as floats (and sometimes as strings); ``None`` when unset."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def fmt_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def string_list_schema(description: str, default: Sequence[str]) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string"},
        "default": list(default),
        "description": description,
    }
