"""Read the settings tree from Pulumi config and report every problem at once."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, get_args

import pulumi
from pydantic import BaseModel, ValidationError

from .stack import StackSettings

NAMESPACE = "mlops-iac"


class SettingsError(pulumi.RunError):
    """Invalid stack settings. A ``RunError`` so that the Pulumi CLI prints the message
    without a traceback; ``mlops-iac plan`` exits 2 with it."""


def load_settings(config: Mapping[str, Any] | None = None) -> StackSettings:
    """Build the settings tree from the ``mlops-iac:*`` keys of ``config``.

    ``config`` is Pulumi's flat map (``"mlops-iac:region" -> "eu-west-1"``); structured
    values arrive as JSON strings, as the CLI passes them. By default the running
    program's config is read. Raises ``SettingsError`` listing every problem.
    """
    if config is None:
        config = _program_config()
    raw: dict[str, Any] = {}
    prefix = f"{NAMESPACE}:"
    for key, value in config.items():
        if key.startswith(prefix):
            raw[key[len(prefix) :]] = _decode(value)
    try:
        return StackSettings.model_validate(raw)
    except ValidationError as exc:
        raise SettingsError(format_errors(exc)) from None


def _program_config() -> dict[str, Any]:
    from pulumi.runtime import config as runtime_config

    merged = dict(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    return merged


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def format_errors(exc: ValidationError) -> str:
    """One message, one line per problem: the config path and what is allowed."""
    lines = [f"invalid stack configuration ({exc.error_count()} problem(s)):"]
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        path = f"{NAMESPACE}:" + ".".join(loc) if loc else f"{NAMESPACE}"
        lines.append(f"  - {path}: {_describe(err, loc)}")
    return "\n".join(lines)


def _describe(err: Any, loc: list[str]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        return f"unknown key; allowed keys: {', '.join(allowed)}" if allowed else "unknown key"
    if kind == "missing":
        return "required key is missing"
    msg = err["msg"].removeprefix("Value error, ")
    if kind == "enum":
        return f"{msg} (got {err['input']!r})"
    return f"{msg} (got {err['input']!r})" if not isinstance(err["input"], dict) else msg


def _allowed_keys(loc: list[str]) -> list[str]:
    """The field names of the model found at ``loc`` in the settings tree."""
    model: type[BaseModel] | None = StackSettings
    for part in loc:
        if model is None or part.isdigit():
            continue
        field = model.model_fields.get(part)
        model = _model_of(field.annotation) if field else None
    return sorted(model.model_fields) if model else []


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found:
            return found
    return None
