"""Helpers for testing rules the way the analyzer runs them: through the rule's policy
object, with engine-shaped properties (numbers as floats, the SDK's unknown proxy).

Tests start from one compliant resource and change one field per case::

    base = {"directInternetAccess": "Disabled", ...}
    assert resource_messages(rule, NOTEBOOK, base) == []
    assert resource_messages(rule, NOTEBOOK, patched(base, {"directInternetAccess": "Enabled"}))
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    PolicyProviderResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import unknown_checking_proxy

from .evaluation import as_engine_values, resource_options, stack_resources
from .registry import rule_named

DELETE = object()
"""Patch value that removes the key."""


def patched(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``base`` with dotted paths (``a.b.0.c``) set or, with
    :data:`DELETE`, removed."""
    result = copy.deepcopy(dict(base))
    for path, value in changes.items():
        steps = path.split(".")
        node: Any = result
        for step in steps[:-1]:
            key: Any = int(step) if isinstance(node, list) else step
            if not isinstance(node, list) and key not in node:
                node[key] = {}
            node = node[key]
        last: Any = int(steps[-1]) if isinstance(node, list) else steps[-1]
        if value is DELETE:
            if isinstance(node, list):
                del node[last]
            else:
                node.pop(last, None)
        else:
            node[last] = copy.deepcopy(value)
    return result


def resource_messages(
    rule: str,
    resource_type: str,
    props: Mapping[str, Any],
    config: Mapping[str, Any] | None = None,
    *,
    provider_props: Mapping[str, Any] | None = None,
) -> list[str]:
    """Messages a resource rule reports for one resource (config overlays the defaults);
    ``provider_props`` configure the default provider of the resource's package
    (``pulumi:providers:aws``, ``azure-native``, ``gcp``)."""
    policy = rule_named(rule).policy
    assert isinstance(policy, ResourceValidationPolicy)
    package = resource_type.split(":", 1)[0]
    provider = (
        PolicyProviderResource(
            f"pulumi:providers:{package}",
            unknown_checking_proxy(as_engine_values(provider_props)),
            f"urn:pulumi:test::test::pulumi:providers:{package}::default",
            "default",
        )
        if provider_props is not None
        else None
    )
    messages: list[str] = []
    args = ResourceValidationArgs(
        resource_type,
        unknown_checking_proxy(as_engine_values(props)),
        f"urn:pulumi:test::test::{resource_type}::subject",
        "subject",
        resource_options({}),
        provider,
        as_engine_values(config or {}),
        {},
    )
    policy.validate(args, lambda message, urn=None: messages.append(message))
    return messages


@dataclass
class Res:
    """A resource for stack-rule tests; ``urn`` derives from type and name."""

    type: str
    name: str
    inputs: dict[str, Any] = field(default_factory=dict)
    dependencies: list[str] = field(default_factory=list)

    @property
    def urn(self) -> str:
        return f"urn:pulumi:test::test::{self.type}::{self.name}"

    def as_mapping(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": None,
            "dependencies": list(self.dependencies),
            "provider": None,
            "custom": True,
            "protect": False,
            "retain_on_delete": False,
            "inputs": self.inputs,
        }


def stack_messages(
    rule: str, resources: Sequence[Res | Mapping[str, Any]], config: Mapping[str, Any] | None = None
) -> list[tuple[str, str | None]]:
    """``(message, urn)`` pairs a stack rule reports for the given resources."""
    policy = rule_named(rule).policy
    assert isinstance(policy, StackValidationPolicy)
    mappings = [r.as_mapping() if isinstance(r, Res) else dict(r) for r in resources]
    by_urn = {m["urn"]: m for m in mappings}
    found: list[tuple[str, str | None]] = []
    args = StackValidationArgs(
        stack_resources(mappings, by_urn), as_engine_values(config or {}), {}
    )
    policy.validate(args, lambda message, urn=None: found.append((message, urn)))
    return found
