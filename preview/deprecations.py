"""Deprecated arguments and resources, reported whichever form the program uses.

The provider SDKs warn about a deprecated argument only in ``<Resource>Args.__init__``
(``pulumi.log.warn("<arg> is deprecated: ...")``): a program passing the same argument
as a keyword never builds the Args object and never sees the warning. Other
deprecations are written only in docstrings (``iam.Role.inline_policies``,
``gcp.container.Registry``). Both are invisible to a plan that counts warnings.

This module reads the SDK's own texts instead of keeping a hand list: the
``pulumi.log.warn`` calls in each Args class's ``__init__`` and the docstrings of its
properties (and of the resource class) that say "deprecated". Each class is scanned
once (cached), nested argument types included, and a recorded resource is checked by
the engine names of its inputs, so the keyword and the Args form report the same.
"""

from __future__ import annotations

import collections.abc
import functools
import inspect
import re
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi import _types

from .shapes import resource_class

_LOG_WARN = re.compile(r'pulumi\.log\.warn\("""(?P<name>\w+) is deprecated: (?P<text>.*?)"""\)')
_ARGUMENT_DOC = re.compile(
    r"^(\*\*)?Deprecated\b|^\([^)]*\bDeprecated\)|"
    r"(?i:\b(this|the)\s+(\S+\s+)?(argument|field|property|attribute|parameter|option)"
    r"\s+(is|has been)\s+deprecated\b)"
)
_RESOURCE_NOTE = re.compile(r"(?i)\b(is|has been)\s+deprecated\b")
_CLASS_WARNED = re.compile(r'warnings\.warn\("""')
_ARGUMENT_NOTE = re.compile(r"The `(?P<name>\w+)` argument is deprecated\.(?P<text>[^\n]*)")


@dataclass(frozen=True)
class Deprecations:
    """What one Args class deprecates: messages by engine name, and the nested input
    types (by engine name) that deprecate something themselves."""

    messages: Mapping[str, str]
    nested: Mapping[str, type]


def _docstring_note(doc: str | None, *, resource: bool = False) -> str | None:
    """The line of a docstring that says the documented thing is deprecated, without
    markdown quote and warning markers; ``None`` when none does. An argument's line must
    start with "Deprecated" (or "(..., Deprecated)") or say "this argument/field/...
    is deprecated": a line listing a deprecated *value* ("Valid values: X (deprecated)")
    is not a deprecated argument. A resource's first paragraph may say "X is deprecated"."""
    for line in (doc or "").splitlines():
        text = line.strip().lstrip(">").strip()
        text = re.sub(r"^\*\*Warning\*\*:\s*", "", text)
        if text.startswith(":param"):
            continue
        pattern = _RESOURCE_NOTE if resource else _ARGUMENT_DOC
        if pattern.search(text):
            return text.replace("`", "")
    return None


def _item_type(typ: Any) -> Any:
    """``T`` of ``Sequence[T]`` / ``Mapping[str, T]``, else ``typ``."""
    origin = typing.get_origin(typ)
    if origin in (list, dict, collections.abc.Sequence, collections.abc.Mapping):
        args = typing.get_args(typ)
        return _types.unwrap_type(args[-1]) if args else typ
    return typ


@functools.cache
def scan(args_cls: type) -> Deprecations:
    """The deprecations an Args class (an ``@pulumi.input_type``) declares."""
    if not _types.is_input_type(args_cls):
        return Deprecations({}, {})
    names = _types.input_type_py_to_pulumi_names(args_cls)
    messages: dict[str, str] = {}
    try:
        source = inspect.getsource(args_cls.__init__)
    except (OSError, TypeError):
        source = ""
    for match in _LOG_WARN.finditer(source):
        engine = names.get(match["name"])
        if engine is not None:
            messages[engine] = f"{match['name']} is deprecated: {match['text']}"
    for python_name, engine in names.items():
        if engine in messages:
            continue
        prop = inspect.getattr_static(args_cls, python_name, None)
        getter = prop.fget if isinstance(prop, property) else None
        note = _docstring_note(getter.__doc__ if getter else None)
        if note is not None:
            messages[engine] = f"{python_name} is deprecated: {note}"
    nested: dict[str, type] = {}
    try:
        types = _types.input_type_types(args_cls)
    except Exception:  # a type hint that does not resolve: no nested scan
        types = {}
    for engine, typ in types.items():
        inner = _item_type(typ)
        if inner is not args_cls and isinstance(inner, type) and _deprecates(inner):
            nested[engine] = inner
    return Deprecations(messages, nested)


@functools.cache
def _deprecates(args_cls: type, depth: int = 0) -> bool:
    """Whether ``args_cls`` or a type below it deprecates anything (bounded depth)."""
    if depth > 6 or not _types.is_input_type(args_cls):
        return False
    found = scan_flat(args_cls)
    if found:
        return True
    try:
        types = _types.input_type_types(args_cls)
    except Exception:
        return False
    return any(
        isinstance(inner, type) and inner is not args_cls and _deprecates(inner, depth + 1)
        for inner in (_item_type(t) for t in types.values())
    )


@functools.cache
def scan_flat(args_cls: type) -> bool:
    """Whether the Args class itself (not its nested types) deprecates an argument."""
    try:
        source = inspect.getsource(args_cls.__init__)
    except (OSError, TypeError):
        source = ""
    if _LOG_WARN.search(source):
        return True
    for _, prop in inspect.getmembers_static(args_cls):
        if isinstance(prop, property) and _docstring_note(prop.fget.__doc__ if prop.fget else None):
            return True
    return False


def _class_source(token: str) -> str:
    cls = resource_class(token)
    if cls is None:
        return ""
    try:
        return inspect.getsource(cls)
    except (OSError, TypeError):
        return ""


@functools.cache
def resource_note(token: str) -> str | None:
    """A docstring-only deprecation of the resource class itself: the first paragraph
    of its constructor's docstring says so (a class deprecated with ``warnings.warn`` is
    reported by the SDK already)."""
    source = _class_source(token)
    head, _, rest = source.partition("def __init__(")
    if not rest or _CLASS_WARNED.search(head):
        return None
    docstring = rest.split('"""', 2)
    if len(docstring) < 3:
        return None
    first = docstring[1].strip().split("\n\n", 1)[0]
    return _docstring_note(first, resource=True)


@functools.cache
def resource_argument_notes(token: str) -> dict[str, str]:
    """Arguments the resource's documentation calls deprecated ("The `x` argument is
    deprecated. ..."), by engine name. The text may use the singular Terraform name of
    a list argument (``inline_policy`` for ``inline_policies``)."""
    args_cls = _args_class(token)
    if args_cls is None:
        return {}
    names = _types.input_type_py_to_pulumi_names(args_cls)
    found: dict[str, str] = {}
    for match in _ARGUMENT_NOTE.finditer(_class_source(token)):
        name = match["name"]
        for candidate in (name, f"{name}s", f"{name[:-1]}ies"):
            if candidate in names:
                text = match["text"].strip().replace("`", "")
                found[names[candidate]] = f"{candidate} is deprecated: {text}"
                break
    return found


@functools.cache
def _args_class(token: str) -> type | None:
    cls = resource_class(token)
    if cls is None:
        return None
    module = inspect.getmodule(cls)
    found = getattr(module, f"{cls.__name__}Args", None)
    return found if isinstance(found, type) else None


def _walk(value: Any, args_cls: type, where: str, out: list[tuple[str, str]]) -> None:
    found = scan(args_cls)
    if not isinstance(value, Mapping):
        return
    for engine, message in found.messages.items():
        if value.get(engine) is not None:
            out.append((where, message))
    for engine, inner in found.nested.items():
        child = value.get(engine)
        if isinstance(child, list):
            items = child
        elif isinstance(child, Mapping):
            # The object itself, or a map of them (Mapping[str, T]).
            items = [child, *(v for v in child.values() if isinstance(v, Mapping))]
        else:
            items = []
        for item in items:
            _walk(item, inner, where, out)


def deprecation_warnings(resources: Iterable[Any]) -> tuple[list[str], set[str]]:
    """Warnings for the deprecated resources and arguments among recorded
    ``resources`` (anything with ``type``, ``name`` and engine-named ``inputs``):
    ``"<type> '<name>': <argument> is deprecated: <the SDK's text>"``. Also returns the
    bare SDK texts covered, so the caller can drop the SDK's own unattributed copy."""
    messages: list[str] = []
    bare: set[str] = set()
    for resource in resources:
        note = resource_note(resource.type)
        if note is not None:
            messages.append(f"{resource.type} {resource.name!r} is deprecated: {note}")
        args_cls = _args_class(resource.type)
        if args_cls is None:
            continue
        inputs = resource.inputs if isinstance(resource.inputs, Mapping) else {}
        found: list[tuple[str, str]] = [
            (resource.name, message)
            for engine, message in resource_argument_notes(resource.type).items()
            if inputs.get(engine) is not None
        ]
        if not _deprecates(args_cls) and not found:
            continue
        _walk(resource.inputs, args_cls, resource.name, found)
        for _, message in found:
            bare.add(message)
            messages.append(f"{resource.type} {resource.name!r}: {message}")
    return sorted(set(messages)), bare
