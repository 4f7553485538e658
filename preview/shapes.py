"""Output state in the shape the provider SDK declares, with nested computed values.

A provider returns a resource's whole state, including values nested inside blocks it
computes (an EKS cluster's ``identities[0].oidcs[0].issuer``, an AKS cluster's
``identityProfile.kubeletidentity.objectId``). Mocks that only echo inputs leave those
unknown, and every resource wired from them is recorded without that input, so no
policy can see it. They also echo an input in its input shape where the output has
another one: azure-native takes ``identity.userAssignedIdentities`` as a list of ids but
returns a map keyed by those ids, and the SDK fails to read a list where it expects a
map.

``Shapes`` fixes both with one mechanism driven by the SDK's type information: the
resource class's output property types (``pulumi._types.resource_types``) and the
``@pulumi.output_type`` classes below them (``output_type_types``).

* ``conform`` walks the echoed state along those types and turns a list of ids into the
  map the type declares (each value an object of the map's value type).
* ``fill`` follows a ``Rule``'s path through the types, creating each missing level in
  the shape the type gives (an object, a one-element list, a map entry) and sets the
  leaf. Rules are listed in ``RULES`` per type token (and per package for blocks every
  resource of a cloud shares, such as azure-native's ``identity``); the values are
  written by hand only where a policy reads them (principal ids, issuer URLs).

Path syntax: ``a.b`` an object field; ``a[]`` every element of a list (one is created
when the list is absent); ``a{}`` every value of an existing map; ``a{key}`` the map entry
``key`` (created when absent).
"""

from __future__ import annotations

import collections.abc
import importlib
import inspect
import keyword
import re
import sys
import threading
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi import _types

SDK_PACKAGES = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native", "gcp": "pulumi_gcp"}

_STEP = re.compile(r"^(?P<name>[A-Za-z0-9_]+)(?P<kind>\[\]|\{\}|\{(?P<key>[^}]+)\})?$")


@dataclass(frozen=True)
class Site:
    """Where a placeholder goes: the resource (``urn``, ``token``, whole ``state``) and
    the concrete path of the value (map keys and list indexes resolved)."""

    urn: str
    token: str
    path: tuple[str, ...]
    state: Mapping[str, Any]
    parent: Mapping[str, Any]
    """The object that holds the value (its siblings say what the value belongs to)."""


Value = Callable[[Site], Any]
Condition = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class Rule:
    """Set the value at ``path`` (when the state satisfies ``when``) unless the state
    has one already."""

    path: str
    value: Value
    when: Condition | None = None


def resource_class(token: str) -> type | None:
    """The SDK class of a resource type token (``aws:eks/cluster:Cluster`` ->
    ``pulumi_aws.eks.Cluster``), imported on demand; ``None`` when not found."""
    parts = token.split(":")
    if len(parts) != 3 or parts[0] not in SDK_PACKAGES:
        return None
    mod = sdk_module(parts[0], parts[1])
    cls = getattr(mod, parts[2], None) if mod is not None else None
    return cls if isinstance(cls, type) else None


def sdk_module(package: str, module: str) -> Any:
    """The SDK module of a token's package and module part (``aws``, ``lambda/function``
    -> ``pulumi_aws.lambda_``: a Python keyword gets the SDK's trailing underscore),
    imported on demand; ``None`` when not installed."""
    root, name = SDK_PACKAGES.get(package), module.split("/")[0]
    if root is None:
        return None
    if keyword.iskeyword(name):
        name += "_"
    module_name = root if name in ("", "index") else f"{root}.{name}"
    found = sys.modules.get(module_name)
    if found is None:
        try:
            found = importlib.import_module(module_name)
        except ImportError:
            return None
    return found


def input_names(token: str) -> frozenset[str]:
    """Engine names of a resource type's inputs, from the SDK's ``<Class>Args``
    (``azure-native:storage:StorageAccount`` -> ``accountName``, ``kind``, ...)."""
    parts = token.split(":")
    mod = sdk_module(parts[0], parts[1]) if len(parts) == 3 else None
    args = getattr(mod, f"{parts[2]}Args", None) if mod is not None else None
    if not isinstance(args, type):
        return frozenset()
    params = inspect.signature(args.__init__).parameters
    return frozenset(_camel(name) for name in params if name not in ("self", "__self__"))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _fields(typ: Any) -> dict[str, Any] | None:
    """Engine names -> types of an output type's properties, else ``None``."""
    if isinstance(typ, type) and _types.is_output_type(typ):
        return _types.output_type_types(typ)
    return None


def _is_mapping(typ: Any) -> bool:
    return typing.get_origin(typ) in (dict, collections.abc.Mapping)


def _is_sequence(typ: Any) -> bool:
    return typing.get_origin(typ) in (list, collections.abc.Sequence)


def _item(typ: Any) -> Any:
    args = typing.get_args(typ)
    return args[-1] if args else Any


class Shapes:
    """Output property types per token (cached) and the two passes over a state."""

    def __init__(self, rules: Mapping[str, list[Rule]]) -> None:
        self._rules = rules
        self._types: dict[str, dict[str, Any] | None] = {}
        self._lock = threading.Lock()

    def types(self, token: str) -> dict[str, Any] | None:
        """Engine name -> type of each output property of ``token``'s class."""
        with self._lock:
            if token in self._types:
                return self._types[token]
        cls = resource_class(token)
        found: dict[str, Any] | None = None
        if cls is not None:
            try:
                found = _types.resource_types(cls)
            except Exception:  # an SDK type hint that does not resolve: no shapes
                found = None
        with self._lock:
            self._types[token] = found
        return found

    def rules(self, token: str) -> list[Rule]:
        return [*self._rules.get(token.split(":")[0], []), *self._rules.get(token, [])]

    def applies(self, token: str) -> bool:
        """Whether ``token`` has rules (other resources keep their echoed state)."""
        return bool(self.rules(token))

    def shape(self, urn: str, token: str, state: dict[str, Any]) -> dict[str, Any]:
        """``state`` conformed to the output types, then with every rule's value set."""
        types = self.types(token)
        if types is None:
            return state
        for key, typ in types.items():
            if key in state:
                state[key] = conform(state[key], typ)
        for rule in self.rules(token):
            if rule.when is None or rule.when(state):
                _fill(state, types, _parse(rule.path), (), urn, token, state, rule.value)
        return state


def conform(value: Any, typ: Any) -> Any:
    """``value`` in the shape ``typ`` declares: a list of ids where a map is declared
    becomes a map keyed by those ids (each value an empty object of the map's value
    type, filled by the rules); objects, lists and maps are conformed member by member."""
    if value is None:
        return None
    if _is_mapping(typ):
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return {key: {} if _fields(_item(typ)) is not None else None for key in value}
        if isinstance(value, Mapping):
            return {k: conform(v, _item(typ)) for k, v in value.items()}
        return value
    if _is_sequence(typ) and isinstance(value, list):
        return [conform(v, _item(typ)) for v in value]
    fields = _fields(typ)
    if fields is not None and isinstance(value, Mapping):
        return {k: conform(v, fields[k]) if k in fields else v for k, v in value.items()}
    return value


def _parse(path: str) -> list[tuple[str, str, str | None]]:
    steps = []
    for part in path.split("."):
        match = _STEP.match(part)
        if match is None:
            raise ValueError(f"bad shape path {path!r} at {part!r}")
        steps.append((match["name"], match["kind"] or "", match["key"]))
    return steps


def _fill(
    holder: dict[str, Any],
    types: Mapping[str, Any],
    steps: list[tuple[str, str, str | None]],
    done: tuple[str, ...],
    urn: str,
    token: str,
    state: Mapping[str, Any],
    value: Value,
) -> None:
    (name, kind, key), rest = steps[0], steps[1:]
    typ = types.get(name)
    if typ is None:
        return  # the SDK does not declare it: nothing to fill
    here = (*done, name)
    if not kind:
        if not rest:
            if holder.get(name) is None:
                holder[name] = value(Site(urn, token, here, state, holder))
            return
        fields = _fields(typ)
        if fields is None:
            return
        child = holder.get(name)
        if child is None:
            child = holder[name] = {}
        if isinstance(child, dict):
            _fill(child, fields, rest, here, urn, token, state, value)
        return
    item = _item(typ)
    fields = _fields(item)
    if kind == "[]":
        if not _is_sequence(typ):
            return
        items = holder.get(name)
        if items is None:
            items = holder[name] = [{} if fields is not None else None]
        if not isinstance(items, list):
            return
        for index, element in enumerate(items):
            _descend(
                items, index, element, fields, rest, (*here, str(index)), urn, token, state, value
            )
        return
    if not _is_mapping(typ):
        return
    entries = holder.get(name)
    if entries is None and key is not None:
        entries = holder[name] = {}
    if not isinstance(entries, dict):
        return
    if key is not None:
        entries.setdefault(key, {} if fields is not None else None)
        keys = [key]
    else:
        keys = list(entries)
    for entry in keys:
        _descend(
            entries, entry, entries[entry], fields, rest, (*here, entry), urn, token, state, value
        )


def _descend(
    container: Any,
    index: Any,
    element: Any,
    fields: Mapping[str, Any] | None,
    rest: list[tuple[str, str, str | None]],
    here: tuple[str, ...],
    urn: str,
    token: str,
    state: Mapping[str, Any],
    value: Value,
) -> None:
    if not rest:
        if element is None:
            container[index] = value(Site(urn, token, here, state, {}))
        return
    if fields is None:
        return
    if element is None:
        element = container[index] = {}
    if isinstance(element, dict):
        _fill(element, fields, rest, here, urn, token, state, value)
