"""Answers for lookups (provider functions, "invokes") that the plan's mocks do not know.

``pulumi preview`` runs a program's lookups for real: ``aws.ec2.get_vpc(...)`` asks the
cloud with the stack's credentials (only an output-form call whose arguments are still
unknown is skipped). The offline plan has no cloud, so it answers a few lookups itself
(``PlanMocks``: caller identity, region, zones, IAM policy documents...) and takes every
other answer from the stack's *lookups file*, which ``mlops-iac plan`` reads and the
Pulumi CLI never does::

    # stacks/Pulumi.<stack>.lookups.yaml
    lookups:
      aws:ec2/getVpc:getVpc:            # the invoke token
        - args: {default: true}         # optional: answer only calls with these arguments
          result:                       # what the cloud would return (engine names)
            id: vpc-0a1b2c3d4e5f60718
            cidrBlock: 10.0.0.0/16

Entries are tried in order; an entry matches when every key under ``args`` equals the
call's argument of that name (other arguments are ignored; no ``args`` matches any
call). The first match answers, and answers from the file win over built-in mocks.
A Python file (``Pulumi.<stack>.lookups.py`` or ``--lookups FILE.py``) may answer
instead: it defines ``lookup(token, args)`` returning the result, or ``None`` to pass.
The format is documented in docs/offline-preview.md.
"""

from __future__ import annotations

import json
import re
import runpy
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .project import PlanError
from .unknowns import READ_PREFIX, result_type

STACK_REFERENCE = "pulumi:pulumi:StackReference"

__all__ = [
    "LOOKUP_SUFFIXES",
    "LookupHook",
    "Lookups",
    "LookupsError",
    "find_lookups_file",
    "load_lookups",
    "lookups_file",
    "result_fields",
    "unanswered_message",
]

LookupHook = Callable[[str, Mapping[str, Any]], Mapping[str, Any] | None]
"""``(token, args) -> result``: the answer to one invoke, or ``None`` when the hook has
none (then the built-in mocks answer, or the plan fails naming the token)."""

LOOKUP_SUFFIXES = (".yaml", ".yml", ".json", ".py")
"""Extensions of ``Pulumi.<stack>.lookups.<ext>``, in the order they are looked for."""

TOKEN_PATTERN = re.compile(r"^(read:)?[A-Za-z0-9_.-]+:[A-Za-z0-9_./-]*:[A-Za-z0-9_]+$")
"""An invoke token: ``<package>:<module>:<function>``, e.g. ``aws:ec2/getVpc:getVpc``;
or ``read:<type token>`` for resources read with ``get`` (``read:aws:ec2/vpc:Vpc``,
``read:pulumi:pulumi:StackReference``), answered with the resource's outputs."""

DOCS = "docs/offline-preview.md#lookups"


class LookupsError(PlanError):
    """An unreadable or invalid lookups file, or a hook that returned a non-mapping."""


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    args: dict[str, Any] | None = Field(
        default=None,
        description="Arguments the call must have (engine names, compared for equality); "
        "arguments not listed are ignored. Omitted: the entry answers any call.",
    )
    result: dict[str, Any] = Field(
        description="The function's result as the cloud would return it (engine names, "
        "e.g. ``cidrBlock``); the SDK turns it into the typed result the program reads."
    )


class _LookupsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lookups: dict[str, list[_Answer]] = Field(
        default_factory=dict,
        description="Invoke token -> answers, tried in order; a single answer may be "
        "written without the list.",
    )

    @field_validator("lookups", mode="before")
    @classmethod
    def _one_answer_is_a_list(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: [v] if isinstance(v, dict) else v for k, v in value.items()}
        return value


def _matches(expected: Any, actual: Any) -> bool:
    """``expected`` (from the file) equals ``actual`` (the call's argument); mappings
    compare key by key on the keys the file gives, so nested ``args`` may be partial."""
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(
            key in actual and _matches(value, actual[key]) for key, value in expected.items()
        )
    return expected == actual


class Lookups:
    """Answers read from a lookups file (or given as a mapping): callable as a
    ``LookupHook``."""

    def __init__(self, answers: Mapping[str, Any], source: Path | None = None) -> None:
        self.source = source
        where = str(source) if source else "lookups"
        problems = [
            f"lookups.{token}: not an invoke token (expected '<package>:<module>:<function>', "
            "e.g. 'aws:ec2/getVpc:getVpc', or 'read:<resource type>')"
            for token in (answers if isinstance(answers, Mapping) else {})
            if not TOKEN_PATTERN.match(str(token))
        ]
        try:
            self._answers = _LookupsFile.model_validate({"lookups": answers}).lookups
        except ValidationError as exc:
            problems += _problems(exc)
        if problems:
            lines = "\n".join(f"  - {problem}" for problem in problems)
            raise LookupsError(f"{where}: invalid lookups ({len(problems)} problem(s)):\n{lines}")

    @classmethod
    def from_file(cls, path: Path) -> Lookups:
        """Read a YAML or JSON lookups file (top-level key ``lookups``)."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise LookupsError(f"cannot read lookups file {path}: {exc.strerror}") from None
        try:
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (yaml.YAMLError, json.JSONDecodeError) as exc:
            raise LookupsError(f"{path}: invalid {path.suffix[1:].upper()}: {exc}") from None
        if data is None:
            data = {}
        if not isinstance(data, dict) or set(data) - {"lookups"}:
            raise LookupsError(
                f"{path}: expected a mapping with the single key 'lookups' (see {DOCS})"
            )
        return cls(data.get("lookups") or {}, source=path)

    @property
    def tokens(self) -> list[str]:
        """Tokens the file answers, sorted."""
        return sorted(self._answers)

    def __call__(self, token: str, args: Mapping[str, Any]) -> Mapping[str, Any] | None:
        for answer in self._answers.get(token, []):
            if answer.args is None or _matches(answer.args, args):
                return dict(answer.result)
        return None


def _problems(exc: ValidationError) -> list[str]:
    """One line per validation error: the key path, then what is wrong."""
    problems = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        problems.append(f"{path}: {msg}" if path else msg)
    return problems


def _python_hook(path: Path) -> LookupHook:
    """The ``lookup(token, args)`` function defined by the Python file at ``path``."""
    try:
        namespace = runpy.run_path(str(path), run_name="mlops_iac_lookups")
    except Exception as exc:
        raise LookupsError(f"{path}: {type(exc).__name__}: {exc}") from exc
    hook = namespace.get("lookup")
    if not callable(hook):
        raise LookupsError(f"{path}: defines no function lookup(token, args) (see {DOCS})")

    def checked(token: str, args: Mapping[str, Any]) -> Mapping[str, Any] | None:
        result = hook(token, args)
        if result is not None and not isinstance(result, Mapping):
            raise LookupsError(
                f"{path}: lookup({token!r}, ...) returned {type(result).__name__}; "
                "expected a mapping (the result) or None"
            )
        return result

    return checked


def load_lookups(path: Path) -> LookupHook:
    """The hook of a lookups file: YAML/JSON answers, or ``lookup`` of a ``.py`` file."""
    if path.suffix == ".py":
        return _python_hook(path)
    if path.suffix not in LOOKUP_SUFFIXES:
        raise LookupsError(f"{path}: a lookups file is .yaml, .yml, .json or .py (see {DOCS})")
    return Lookups.from_file(path)


def lookups_file(stack_config_dir: Path, stack: str, suffix: str = ".yaml") -> Path:
    """``<stackConfigDir>/Pulumi.<stack>.lookups<suffix>``: beside the stack's config file."""
    return stack_config_dir / f"Pulumi.{stack.split('/')[-1]}.lookups{suffix}"


def find_lookups_file(stack_config_dir: Path, stack: str) -> Path | None:
    """The stack's lookups file if there is one; two of them are an error."""
    found = [
        path
        for suffix in LOOKUP_SUFFIXES
        if (path := lookups_file(stack_config_dir, stack, suffix)).is_file()
    ]
    if len(found) > 1:
        raise LookupsError(
            f"stack {stack!r} has {len(found)} lookups files ({', '.join(map(str, found))}); "
            "keep one"
        )
    return found[0] if found else None


def result_fields(token: str) -> list[str] | None:
    """Engine names of the fields of a function's result (``aws:ec2/getVpc:getVpc`` ->
    ``arn``, ``cidrBlock``, ...), read from the provider SDK's result type; ``None``
    when the SDK or the type cannot be found."""
    found = result_type(token)
    if found is None:
        return None
    from pulumi import _types

    return sorted(_types.output_type_types(found)) if _types.is_output_type(found) else None


def _plain(value: Any) -> Any:
    """``value`` with only YAML/JSON types (anything else as its text)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _unread_message(token: str, args: Mapping[str, Any], shown_as: str) -> str:
    """The warning for a resource read (``get``, a stack reference) without an answer."""
    type_ = token.removeprefix(READ_PREFIX)
    what = "stack reference" if type_ == STACK_REFERENCE else f"resource {type_}"
    return (
        f"{what} {args.get('name')!r} reads id {args.get('id')!r} (`pulumi preview` reads "
        "its state from the cloud), so its outputs other than the id are unknown in this "
        f'plan and what is built from them shows "[unknown]". Answer {token} with '
        f"args: {{id: {args.get('id')}}} in {shown_as} (read by `mlops-iac plan` only, "
        f"never by the Pulumi CLI; see {DOCS})"
    )


def unanswered_message(token: str, args: Mapping[str, Any], *, exists: bool, shown_as: str) -> str:
    """The warning for a lookup answered as unknown, naming the file that would answer
    it (``shown_as``: the path as the user should read it)."""
    call = json.dumps(_plain(args), sort_keys=True)
    if token.startswith(READ_PREFIX):
        return _unread_message(token, args, shown_as)
    head = (
        f"lookup {token} with {call} has no offline answer (`pulumi preview` asks the "
        "cloud), so its result is unknown in this plan and what is built from it shows "
        '"[unknown]". '
    )
    note = f"(read by `mlops-iac plan` only, never by the Pulumi CLI; see {DOCS})"
    fields = result_fields(token)
    listing = f"; the result's fields (engine names): {', '.join(fields)}" if fields else ""
    if exists and shown_as.endswith(".py"):
        return f"{head}Return its result from lookup() in {shown_as} {note}{listing}"
    verb = "Add an entry for these arguments to" if exists else "Write the answer to"
    return f"{head}{verb} {shown_as} {note}{listing}"
