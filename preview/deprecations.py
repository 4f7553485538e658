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
import sys
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
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


@functools.cache
def _module_text(module_name: str) -> str:
    """Source text of an SDK module, read once (``inspect.getsource`` of a class
    tokenizes the file on every call: far too slow for the provider SDKs' modules)."""
    module = sys.modules.get(module_name)
    try:
        path = inspect.getsourcefile(module) if module is not None else None
    except TypeError:
        path = None
    if path is None:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""


def _class_text(cls: type) -> str:
    """The text of ``cls``'s body: from its ``class`` line to the next top-level
    ``class`` line of its module."""
    text = _module_text(cls.__module__)
    match = re.search(rf"^class {re.escape(cls.__name__)}\b.*$", text, re.MULTILINE)
    if match is None:
        return ""
    end = re.compile(r"^class ", re.MULTILINE).search(text, match.end())
    return text[match.start() : end.start() if end else len(text)]


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
def scan(args_cls: type) -> dict[str, str]:
    """The arguments an Args class (an ``@pulumi.input_type``) deprecates, by engine
    name: the ``pulumi.log.warn`` texts of its ``__init__``, then its properties'
    docstrings."""
    if not _types.is_input_type(args_cls):
        return {}
    names = _types.input_type_py_to_pulumi_names(args_cls)
    messages: dict[str, str] = {}
    for match in _LOG_WARN.finditer(_class_text(args_cls)):
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
    return messages


@functools.cache
def _input_types(args_cls: type) -> dict[str, Any]:
    """Engine name -> type of each argument (``{}`` when a hint does not resolve)."""
    try:
        return _types.input_type_types(args_cls)
    except Exception:
        return {}


def _class_source(token: str) -> str:
    cls = resource_class(token)
    return _class_text(cls) if cls is not None else ""


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


def _walk(value: Any, args_cls: type, where: str, out: list[tuple[str, str]], depth: int) -> None:
    """Deprecated arguments set in ``value`` (engine names) and, below each nested
    object the program set, in its own argument type (types are resolved only along
    the inputs present)."""
    if not isinstance(value, Mapping) or depth > 8:
        return
    messages = scan(args_cls)
    for key, item in value.items():
        if item is None:
            continue
        if key in messages:
            out.append((where, messages[key]))
        if not isinstance(item, (Mapping, list)):
            continue
        inner = _item_type(_input_types(args_cls).get(key))
        if not isinstance(inner, type) or not _types.is_input_type(inner):
            continue
        if isinstance(item, list):
            children = item
        elif _is_map_type(_input_types(args_cls).get(key)):
            children = list(item.values())
        else:
            children = [item]
        for child in children:
            _walk(child, inner, where, out, depth + 1)


def _is_map_type(typ: Any) -> bool:
    return typing.get_origin(typ) in (dict, collections.abc.Mapping)


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
        _walk(inputs, args_cls, resource.name, found, 0)
        for _, message in found:
            bare.add(message)
            messages.append(f"{resource.type} {resource.name!r}: {message}")
    return sorted(set(messages)), bare
