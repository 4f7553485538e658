"""Stack-level matching of side resources (a bucket's policy, lifecycle, versioning; a
repository's lifecycle policy) to the resource they configure.

AWS provider v7 configures buckets through separate resources whose ``bucket`` input
names the bucket. During preview the bucket's name or id may be unknown, so matching goes
by what the engine records, strongest first: the side resource's property dependency on
``bucket``; its only dependency of the target type; the value of ``bucket`` equal to the
target's name, id or ARN."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from pulumi_policy import PolicyResource, StackValidationArgs

from .framework import is_unknown, raw


def of_type(args: StackValidationArgs, types: Iterable[str]) -> list[PolicyResource]:
    wanted = frozenset(types)
    return [r for r in args.resources if r.resource_type in wanted]


def _identifiers(target: PolicyResource) -> set[str]:
    props = raw(target.props)
    found = {target.urn}
    for key in ("bucket", "id", "arn", "name", "repository", "stageName"):
        value = props.get(key) if hasattr(props, "get") else None
        if isinstance(value, str) and value and not is_unknown(value):
            found.add(value)
    return found


def targets_of(
    side: PolicyResource, prop: str, target_types: frozenset[str], targets: Sequence[PolicyResource]
) -> list[PolicyResource]:
    """The targets a side resource configures (empty when it cannot be told)."""
    by_property = [
        r for r in side.property_dependencies.get(prop, []) if r.resource_type in target_types
    ]
    if by_property:
        return by_property
    by_dependency = [r for r in side.dependencies if r.resource_type in target_types]
    if len(by_dependency) == 1:
        return by_dependency
    value = raw(side.props).get(prop)
    if isinstance(value, str) and value and not is_unknown(value):
        matches = [t for t in targets if value in _identifiers(t)]
        if matches:
            return matches
    return []


def uncovered(
    args: StackValidationArgs,
    target_types: Iterable[str],
    side_types: Iterable[str],
    prop: str,
    side_ok: Callable[[PolicyResource], bool],
    inline_ok: Callable[[PolicyResource], bool] | None = None,
) -> Iterator[tuple[PolicyResource, list[PolicyResource]]]:
    """Yield ``(target, attached side resources)`` for every target with no compliant side
    resource (and no compliant inline setting)."""
    target_set = frozenset(target_types)
    targets = of_type(args, target_set)
    attached: dict[str, list[PolicyResource]] = {t.urn: [] for t in targets}
    for side in of_type(args, side_types):
        for target in targets_of(side, prop, target_set, targets):
            attached.setdefault(target.urn, []).append(side)
    for target in targets:
        sides = attached[target.urn]
        if inline_ok is not None and inline_ok(target):
            continue
        if any(side_ok(side) for side in sides):
            continue
        yield target, sides
