"""Values the offline plan cannot know, treated as ``pulumi preview`` treats them.

``pulumi preview`` leaves a computed output it cannot know yet *unknown*: ``apply``
callbacks on it do not run, and an input built from it is shown as unknown. The plan
runs the program as a preview (``dry_run``), so an output the mocks do not fill is
unknown in the same way, never ``None``, and the recorder writes inputs built from it
as ``"[unknown]"``. ``unknown_paths`` lists where.

A lookup (invoke) that neither the stack's lookups file nor the built-in mocks answer
cannot be asked of a cloud either. Its result is unknown, as an output-form call whose
arguments are unknown is in a real preview:

* the output form (``aws.ec2.get_vpc_output(...)``) resolves to an unknown ``Output``:
  its callbacks are skipped and what is built from it is ``"[unknown]"``;
* the plain form (``aws.ec2.get_vpc(...)``) must return an object the program can read
  at once, so it gets one shaped by the function's result type, every leaf
  ``"[unknown]"`` (strings), ``0``, ``False``, a one-element list or an empty map.

Either way the plan warns, naming the lookup and the file that would answer it
(``Unanswered``; see ``lookups.py`` for the file's format).

Invokes ``pulumi preview`` does not make get the same unknown answer, without asking
anything and without a warning (``Recorder.Invoke``): those with an unknown argument
anywhere, and output-form calls depending on a resource the program creates, except
``OFFLINE_FUNCTIONS``. Resources read with ``get`` (and stack references) keep their id;
their other outputs come from the lookups token ``read:<type>`` or are unknown.
"""

from __future__ import annotations

import collections.abc
import contextlib
import contextvars
import importlib
import re
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi.runtime
from pulumi import _types
from pulumi.output import Unknown
from pulumi.runtime import rpc

from .shapes import SDK_PACKAGES

UNKNOWN = "[unknown]"
"""What a value unknown at plan time is written as."""


class SecretUnknown(str):
    """A secret value that is also unknown: written ``"[secret]"`` like every secret,
    but listed by ``unknown_paths`` (that a value is not known yet reveals nothing of
    it; ``pulumi preview`` shows it as a computed secret)."""


SECRET_UNKNOWN = SecretUnknown("[secret]")

READ_PREFIX = "read:"
"""Prefix of the lookups token answering a read resource: ``read:<type token>``."""

OFFLINE_FUNCTIONS = frozenset(
    {
        "aws:iam/getPolicyDocument:getPolicyDocument",
        "aws:index/getCallerIdentity:getCallerIdentity",
        "aws:index/getRegion:getRegion",
        "aws:index/getPartition:getPartition",
        "aws:index/getAvailabilityZones:getAvailabilityZones",
        "gcp:organizations/getClientConfig:getClientConfig",
        "gcp:compute/getZones:getZones",
        "azure-native:authorization:getClientConfig",
    }
)
"""Functions whose answer needs nothing the program creates: rendered by the provider
itself (policy documents) or read from its configuration and credentials (account,
region, partition, zones, client config). The plan answers them even when an
output-form call depends on resources pending creation, once their arguments are known
(see ``Recorder.Invoke``)."""

_OUTPUT_FORM: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "mlops_output_form_invoke", default=False
)


@dataclass(frozen=True)
class Unanswered:
    """A lookup the plan answered as unknown: its token and arguments (engine names)."""

    token: str
    args: Mapping[str, Any]


def read_token(type_: str) -> str:
    """The lookups token answering reads of ``type_`` (``read:aws:ec2/vpc:Vpc``)."""
    return f"{READ_PREFIX}{type_}"


def answered_offline(token: str) -> bool:
    """Whether ``token`` is one of ``OFFLINE_FUNCTIONS``."""
    return token in OFFLINE_FUNCTIONS


def contains_unknowns(value: Any) -> bool:
    """Whether an unknown (``pulumi.output.Unknown`` or the wire sentinel) is anywhere
    inside deserialized ``value``, lists and mappings included."""
    if isinstance(value, Unknown) or (isinstance(value, str) and value == rpc.UNKNOWN):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknowns(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknowns(v) for v in value)
    return False


def output_form() -> bool:
    """Whether the invoke being served was made through an ``*_output`` function."""
    return _OUTPUT_FORM.get()


def _flagged(function: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        # The SDK starts the invoke as a task, which copies the context as it is now.
        token = _OUTPUT_FORM.set(True)
        try:
            return function(*args, **kwargs)
        finally:
            _OUTPUT_FORM.reset(token)

    return call


@contextlib.contextmanager
def output_form_flagged() -> Iterator[None]:
    """For one run: mark invokes made through ``pulumi.runtime.invoke_output`` (and
    ``invoke_output_single``), which the provider SDKs' ``*_output`` functions call."""
    names = ("invoke_output", "invoke_output_single")
    originals = {name: getattr(pulumi.runtime, name) for name in names}
    for name, original in originals.items():
        setattr(pulumi.runtime, name, _flagged(original))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(pulumi.runtime, name, original)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def result_type(token: str) -> type | None:
    """The SDK's result type of a function (``aws:ec2/getVpc:getVpc`` ->
    ``pulumi_aws.ec2.GetVpcResult``); ``None`` when the SDK or the type is not found."""
    parts = token.split(":")
    if len(parts) != 3 or parts[0] not in SDK_PACKAGES:
        return None
    package, module, function = SDK_PACKAGES[parts[0]], parts[1].split("/")[0], parts[2]
    module_name = package if module in ("", "index") else f"{package}.{module}"
    try:
        mod = importlib.import_module(module_name)
    except ImportError:
        return None
    found = getattr(mod, f"{function[:1].upper()}{function[1:]}Result", None)
    if not isinstance(found, type) or not callable(getattr(mod, _snake(function), None)):
        return None
    return found


def _fields(typ: Any) -> dict[str, Any] | None:
    """Engine name -> type of an output type's properties (function results are output
    types too), else ``None``."""
    if isinstance(typ, type) and _types.is_output_type(typ):
        return _types.output_type_types(typ)
    return None


def placeholder(typ: Any, depth: int = 0) -> Any:
    """An unknown value in the shape ``typ`` declares (see the module docstring)."""
    origin = typing.get_origin(typ)
    if origin is typing.Union or type(typ).__name__ == "UnionType":
        options = [t for t in typing.get_args(typ) if t is not type(None)]
        return placeholder(options[0], depth) if options else UNKNOWN
    if origin in (list, collections.abc.Sequence):
        args = typing.get_args(typ)
        return [placeholder(args[0] if args else str, depth + 1)] if depth < 4 else []
    if origin in (dict, collections.abc.Mapping) or typ is dict:
        return {}
    if typ is bool:
        return False
    if typ in (int, float):
        return 0
    fields = _fields(typ) if depth < 4 else None
    if fields is not None:
        return {name: placeholder(t, depth + 1) for name, t in sorted(fields.items())}
    return UNKNOWN


def unknown_result(token: str) -> dict[str, Any]:
    """The plain-form answer to an unanswered lookup: ``placeholder`` of its result
    type (``{}`` when the SDK has no result type for ``token``)."""
    found = result_type(token)
    shaped = placeholder(found) if found is not None else None
    return shaped if isinstance(shaped, dict) else {}


def unknown_paths(value: Any, path: str = "") -> Iterator[str]:
    """Paths (``a.b[0].c``) of every ``"[unknown]"`` inside ``value``, in order."""
    if value == UNKNOWN or isinstance(value, SecretUnknown):
        yield path
    elif isinstance(value, Mapping):
        for key in sorted(value):
            yield from unknown_paths(value[key], f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unknown_paths(item, f"{path}[{index}]")
