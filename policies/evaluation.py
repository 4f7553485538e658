"""Offline evaluation: run the packs' policies over recorded resources, the way
``pulumi preview --policy-pack ... --policy-pack-config ...`` would.

The same policy objects the packs serve (``Rule.policy``) are called through their
``validate`` with SDK argument objects built like the SDK's analyzer server builds them:
properties go through a protobuf ``Struct`` round trip (so numbers become floats) and the
SDK's unknown-checking proxy. Config is reconciled like the CLI's
``ReconcilePolicyPackConfig``: schema defaults and each policy's default level, then
``all``, then per-policy entries (a string level or an object with ``enforcementLevel``
and properties merged over the defaults), then validated against each policy's schema.
``remediate`` runs as ``mandatory`` (these policies only validate); ``disabled`` skips.

:func:`evaluate` shows each resource only to the policies indexed under its type and
converts it once (:class:`PolicyIndex`); :func:`evaluate_unindexed` sends every resource
to every policy, as the engine drives the analyzer, and is the reference the indexed
evaluator is tested against (same violations, same order).

Unknown values during preview are passed as the SDK's sentinels
(``pulumi_policy.proxy.UNKNOWN_*_VALUE``); secrets arrive as the string ``"[secret]"``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from .framework import Rule
from .registry import all_rules, pack_of

CONFIG_DIR = Path(__file__).resolve().parent / "config"
ENVIRONMENTS = ("dev", "staging", "prod")
_LEVELS = {level.value: level for level in EnforcementLevel}


@dataclass(frozen=True)
class Violation:
    """One reported violation; ``urn`` is ``None`` for a stack-wide finding."""

    policy: str
    pack: str
    enforcement: str
    severity: str
    urn: str | None
    message: str
    remediation: str

    @property
    def mandatory(self) -> bool:
        return self.enforcement == EnforcementLevel.MANDATORY.value

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class EvaluationResult:
    """``evaluated`` counts the resources analysed; violations keep report order."""

    evaluated: int
    violations: list[Violation] = field(default_factory=list)

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.mandatory]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if not v.mandatory]

    def to_dict(self) -> dict[str, Any]:
        return {"evaluated": self.evaluated, "violations": [v.to_dict() for v in self.violations]}


class PolicyConfigError(ValueError):
    """The policy config is malformed or fails a policy's config schema (the CLI stops
    with "validating policy config" in the same cases)."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("invalid policy config:\n" + "\n".join(f"  {e}" for e in self.errors))


@dataclass(frozen=True)
class ResolvedPolicy:
    rule: Rule
    enforcement: EnforcementLevel
    config: dict[str, Any]


# ---------------------------------------------------------------------------------------
# Config
# ---------------------------------------------------------------------------------------


def config_path_for(environment: str) -> Path:
    """The packaged ``config/<environment>.json``."""
    path = CONFIG_DIR / f"{environment}.json"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in CONFIG_DIR.glob("*.json")))
        raise FileNotFoundError(
            f"no policy config for environment {environment!r} (known: {known})"
        )
    return path


def load_policy_config(path: str | Path) -> dict[str, Any]:
    """Read a ``--policy-pack-config`` file (an empty file is an empty config)."""
    text = Path(path).read_text(encoding="utf-8")
    if not text.strip():
        return {}
    data = json.loads(text)
    if not isinstance(data, dict):
        raise PolicyConfigError([f"{path}: the top level must be a JSON object"])
    return data


def _parse_entries(
    config: Mapping[str, Any],
) -> tuple[dict[str, tuple[EnforcementLevel | None, dict[str, Any]]], list[str]]:
    entries: dict[str, tuple[EnforcementLevel | None, dict[str, Any]]] = {}
    errors: list[str] = []
    for key, value in config.items():
        if key == "environments":  # ESC environment references, resolved by the CLI
            continue
        if isinstance(value, str):
            if value not in _LEVELS:
                errors.append(f"{key}: {value!r} is not a valid enforcement level")
                continue
            entries[key] = (_LEVELS[value], {})
        elif isinstance(value, Mapping):
            props = dict(value)
            level_value = props.pop("enforcementLevel", None)
            level = None
            if level_value is not None:
                if not isinstance(level_value, str) or level_value not in _LEVELS:
                    errors.append(f"{key}: {level_value!r} is not a valid enforcement level")
                    continue
                level = _LEVELS[level_value]
            entries[key] = (level, props)
        else:
            errors.append(f"{key}: must be a string or an object")
    return entries, errors


def resolve_config(
    policy_config: Mapping[str, Any] | None, rules: Sequence[Rule] | None = None
) -> dict[str, ResolvedPolicy]:
    """Each rule's enforcement level and config as the CLI would send them."""
    rules = list(rules) if rules is not None else all_rules()
    entries, errors = _parse_entries(policy_config or {})
    levels = {rule.name: rule.enforcement for rule in rules}
    props = {rule.name: rule.defaults for rule in rules}
    all_level = entries.get("all", (None, {}))[0]
    if all_level is not None:
        levels = dict.fromkeys(levels, all_level)
    for name, (level, given) in entries.items():
        if name not in levels:
            continue  # the CLI keeps entries for other packs' policies and ignores them
        if level is not None:
            levels[name] = level
        props[name].update(given)
    for rule in rules:
        errors.extend(f"{rule.name}: {e}" for e in _validate(rule.full_schema, props[rule.name]))
    if errors:
        raise PolicyConfigError(errors)
    return {
        rule.name: ResolvedPolicy(rule, levels[rule.name], as_engine_values(props[rule.name]))
        for rule in rules
    }


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _validate(schema: Mapping[str, Mapping[str, Any]], values: Mapping[str, Any]) -> list[str]:
    """The JSON Schema subset the rules' schemas use (type, items.type, enum, minimum,
    maximum), checked the way gojsonschema reports it."""
    errors: list[str] = []
    for key, value in values.items():
        spec = schema.get(key)
        if spec is None:
            continue  # additional properties are allowed by the CLI's schema
        errors.extend(_validate_value(key, spec, value))
    return errors


def _type_ok(expected: str, value: Any) -> bool:
    if expected == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if expected == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return isinstance(value, _JSON_TYPES[expected])


def _validate_value(key: str, spec: Mapping[str, Any], value: Any) -> list[str]:
    expected = spec.get("type")
    if expected and not _type_ok(str(expected), value):
        return [f"{key}: Invalid type. Expected: {expected}, given: {type(value).__name__}"]
    errors: list[str] = []
    if "enum" in spec and value not in spec["enum"]:
        errors.append(f"{key}: must be one of {spec['enum']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in spec and value < spec["minimum"]:
            errors.append(f"{key}: Must be greater than or equal to {spec['minimum']}")
        if "maximum" in spec and value > spec["maximum"]:
            errors.append(f"{key}: Must be less than or equal to {spec['maximum']}")
    if isinstance(value, list) and isinstance(spec.get("items"), Mapping):
        for index, element in enumerate(value):
            errors.extend(_validate_value(f"{key}.{index}", spec["items"], element))
    return errors


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def as_engine_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """What a value looks like after the gRPC trip to the analyzer (numbers as floats)."""
    struct = struct_pb2.Struct()
    struct.update(_jsonable(values))
    return json_format.MessageToDict(struct)


# ---------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------


def resource_options(resource: Mapping[str, Any]) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=bool(resource.get("protect")),
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=resource.get("parent") or None,
    )


def _provider_urn(reference: Any) -> str | None:
    if not isinstance(reference, str) or not reference:
        return None
    return reference.rsplit("::", 1)[0] if reference.count("::") > 3 else reference


def _provider(
    resource: Mapping[str, Any],
    by_urn: Mapping[str, Mapping[str, Any]],
    view: _EngineView | None = None,
) -> PolicyProviderResource | None:
    urn = _provider_urn(resource.get("provider"))
    if urn is None:
        return None
    found = by_urn.get(urn) or by_urn.get(str(resource.get("provider")))
    if found is not None:
        return PolicyProviderResource(
            str(found["type"]),
            view.props(found)
            if view is not None
            else unknown_checking_proxy(as_engine_values(found.get("inputs") or {})),
            str(found["urn"]),
            str(found["name"]),
        )
    parts = urn.split("::")
    return PolicyProviderResource(
        parts[2] if len(parts) > 3 else "", unknown_checking_proxy({}), urn, parts[-1]
    )


def _level(level: EnforcementLevel) -> EnforcementLevel:
    return EnforcementLevel.MANDATORY if level is EnforcementLevel.REMEDIATE else level


class _Reporter:
    """Turns the policies' ``report_violation`` calls into :class:`Violation` records."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []

    def collector(self, entry: ResolvedPolicy, default_urn: str | None):
        level = _level(entry.enforcement).value
        rule = entry.rule
        pack = pack_of(rule)

        def report_violation(message: str, urn: str | None = None) -> None:
            self.violations.append(
                Violation(
                    policy=rule.name,
                    pack=pack,
                    enforcement=level,
                    severity=rule.severity.value,
                    urn=urn or default_urn,
                    message=message,
                    remediation=rule.remediation,
                )
            )

        return report_violation

    def sdk_downgrade(
        self, entry: ResolvedPolicy, urn: str | None, error: UnknownValueError
    ) -> None:
        """What the SDK reports when a policy lets an unknown escape (``failOnUnknown``
        false): an advisory "can't run policy" note."""
        self.violations.append(
            Violation(
                policy=entry.rule.name,
                pack=pack_of(entry.rule),
                enforcement=EnforcementLevel.ADVISORY.value,
                severity=entry.rule.severity.value,
                urn=urn,
                message=f"can't run policy '{entry.rule.name}' during preview: {error.message}",
                remediation=entry.rule.remediation,
            )
        )


def _active(policy_config: Mapping[str, Any] | None) -> list[ResolvedPolicy]:
    """The enabled policies in registry order (sorted by name): the report order."""
    resolved = resolve_config(policy_config)
    return [e for e in resolved.values() if e.enforcement is not EnforcementLevel.DISABLED]


class PolicyIndex:
    """The enabled resource policies indexed by resource type, built once per evaluation.

    A resource rule declares the types it checks (``Rule.resource_types``; an empty list
    means every type). The analyzer sends every resource to every policy and each policy
    returns at once for a type it does not check; indexing skips those calls, so a
    resource costs only the rules written for its type. ``for_type`` keeps the registry
    order, so the violations come out in the same order as without the index."""

    def __init__(self, active: Sequence[ResolvedPolicy]) -> None:
        resource = [e for e in active if isinstance(e.rule.policy, ResourceValidationPolicy)]
        self.stack = [e for e in active if isinstance(e.rule.policy, StackValidationPolicy)]
        self._position = {id(e): i for i, e in enumerate(resource)}
        self.untyped = [e for e in resource if not e.rule.resource_types]
        self.by_type: dict[str, list[ResolvedPolicy]] = {}
        for entry in resource:
            for type_ in entry.rule.resource_types:
                self.by_type.setdefault(type_, []).append(entry)
        self._merged: dict[str, list[ResolvedPolicy]] = {}

    def for_type(self, resource_type: str) -> list[ResolvedPolicy]:
        """The policies that check ``resource_type``, in registry order."""
        found = self._merged.get(resource_type)
        if found is None:
            typed = self.by_type.get(resource_type, [])
            found = sorted(
                {id(e): e for e in [*typed, *self.untyped]}.values(),
                key=lambda e: self._position[id(e)],
            )
            self._merged[resource_type] = found
        return found


class _EngineView:
    """Each resource's engine-shaped values, computed once per evaluation and shared by
    every policy that reads them (resource policies, stack policies, provider lookups)."""

    def __init__(self, resources: Sequence[Mapping[str, Any]]) -> None:
        self.resources = resources
        self.by_urn = {str(r["urn"]): r for r in resources}
        self._values: dict[int, dict[str, Any]] = {}
        self._providers: dict[str, PolicyProviderResource | None] = {}

    def values(self, resource: Mapping[str, Any]) -> dict[str, Any]:
        key = id(resource)
        found = self._values.get(key)
        if found is None:
            found = as_engine_values(resource.get("inputs") or {})
            self._values[key] = found
        return found

    def props(self, resource: Mapping[str, Any]) -> Any:
        return unknown_checking_proxy(self.values(resource))

    def provider(self, resource: Mapping[str, Any]) -> PolicyProviderResource | None:
        reference = str(resource.get("provider") or "")
        if reference not in self._providers:
            self._providers[reference] = _provider(resource, self.by_urn, self)
        return self._providers[reference]


def evaluate(
    resources: Sequence[Mapping[str, Any]],
    policy_config: Mapping[str, Any] | None,
    *,
    project: str = "mlops-iac",
    stack: str = "dev",
) -> EvaluationResult:
    """Run every enabled policy of both packs over ``resources`` (mappings with ``urn,
    type, name, parent, dependencies, provider, custom, protect, retain_on_delete,
    inputs``). ``project`` and ``stack`` become the stack tags ``pulumi:project`` and
    ``pulumi:stack`` that policies see.

    The result is exactly what :func:`evaluate_unindexed` (the analyzer's way: every
    policy sees every resource) reports, in the same order, at a fraction of the cost:
    each resource is converted to engine values once and shown only to the policies
    indexed under its type (:class:`PolicyIndex`); the stack policies share one list of
    stack resources."""
    index = PolicyIndex(_active(policy_config))
    stack_tags = {"pulumi:project": project, "pulumi:stack": stack}
    view = _EngineView(resources)
    report = _Reporter()

    for resource in resources:
        entries = index.for_type(str(resource["type"]))
        if not entries:
            continue
        urn = str(resource["urn"])
        props = view.props(resource)
        provider = view.provider(resource)
        options = resource_options(resource)
        for entry in entries:
            policy = entry.rule.policy
            assert isinstance(policy, ResourceValidationPolicy)
            args = ResourceValidationArgs(
                str(resource["type"]),
                props,
                urn,
                str(resource["name"]),
                options,
                provider,
                entry.config,
                stack_tags,
            )
            try:
                policy.validate(args, report.collector(entry, urn))
            except UnknownValueError as error:
                report.sdk_downgrade(entry, urn, error)

    if index.stack:
        shared = stack_resources(resources, view.by_urn, view)
        for entry in index.stack:
            policy = entry.rule.policy
            assert isinstance(policy, StackValidationPolicy)
            args = StackValidationArgs(shared, entry.config, stack_tags)
            try:
                policy.validate(args, report.collector(entry, None))
            except UnknownValueError as error:
                report.sdk_downgrade(entry, None, error)

    return EvaluationResult(evaluated=len(resources), violations=report.violations)


def evaluate_unindexed(
    resources: Sequence[Mapping[str, Any]],
    policy_config: Mapping[str, Any] | None,
    *,
    project: str = "mlops-iac",
    stack: str = "dev",
) -> EvaluationResult:
    """The reference evaluation, as the engine drives the analyzer: every enabled
    resource policy receives every resource, each call with freshly converted values,
    and each stack policy its own freshly built list of stack resources. Kept as the
    oracle :func:`evaluate` is tested against and as the benchmark's baseline."""
    active = _active(policy_config)
    stack_tags = {"pulumi:project": project, "pulumi:stack": stack}
    by_urn = {str(r["urn"]): r for r in resources}
    report = _Reporter()
    resource_policies = [e for e in active if isinstance(e.rule.policy, ResourceValidationPolicy)]
    stack_policies = [e for e in active if isinstance(e.rule.policy, StackValidationPolicy)]

    for resource in resources:
        urn = str(resource["urn"])
        provider = _provider(resource, by_urn)
        for entry in resource_policies:
            policy = entry.rule.policy
            assert isinstance(policy, ResourceValidationPolicy)
            args = ResourceValidationArgs(
                str(resource["type"]),
                unknown_checking_proxy(as_engine_values(resource.get("inputs") or {})),
                urn,
                str(resource["name"]),
                resource_options(resource),
                provider,
                entry.config,
                stack_tags,
            )
            try:
                policy.validate(args, report.collector(entry, urn))
            except UnknownValueError as error:
                report.sdk_downgrade(entry, urn, error)

    for entry in stack_policies:
        policy = entry.rule.policy
        assert isinstance(policy, StackValidationPolicy)
        args = StackValidationArgs(stack_resources(resources, by_urn), entry.config, stack_tags)
        try:
            policy.validate(args, report.collector(entry, None))
        except UnknownValueError as error:
            report.sdk_downgrade(entry, None, error)

    return EvaluationResult(evaluated=len(resources), violations=report.violations)


def stack_resources(
    resources: Sequence[Mapping[str, Any]],
    by_urn: Mapping[str, Mapping[str, Any]],
    view: _EngineView | None = None,
) -> list[PolicyResource]:
    """PolicyResources linked to their parents and dependencies, as AnalyzeStack builds
    them (``view`` shares the engine values already converted for resource policies)."""
    built: dict[str, PolicyResource] = {}
    for resource in resources:
        urn = str(resource["urn"])
        built[urn] = PolicyResource(
            str(resource["type"]),
            view.props(resource)
            if view is not None
            else unknown_checking_proxy(as_engine_values(resource.get("inputs") or {})),
            urn,
            str(resource["name"]),
            resource_options(resource),
            view.provider(resource) if view is not None else _provider(resource, by_urn),
            None,
            [],
            {},
        )
    for resource in resources:
        target = built[str(resource["urn"])]
        parent = resource.get("parent")
        if parent and parent in built:
            target.parent = built[parent]
        target.dependencies = [built[d] for d in resource.get("dependencies") or [] if d in built]
        for prop, urns in (resource.get("property_dependencies") or {}).items():
            target.property_dependencies[prop] = [built[d] for d in urns if d in built]
    return list(built.values())
