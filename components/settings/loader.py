"""Read the settings tree from Pulumi config and report every problem at once.

No setting is a secret. Settings become resource names, tags, environment variables
and pipeline documents, all stored and shown in plain text; credentials stay in AWS
Secrets Manager (or the cloud's vault) and settings name them by ARN
(``promotion.token_secret_arn``). A ``secure:`` value under ``mlops-iac:`` is therefore
an error naming its config path, under the Pulumi CLI (which tells the program which
keys are secret) as in the offline plan. A top-level field typed ``SecretStr`` would be
the one exception; there is none today.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from typing import Any, get_args

import pulumi
from pydantic import BaseModel, SecretStr, ValidationError

from .stack import StackSettings

NAMESPACE = "mlops-iac"
UNDECRYPTED = "[secret]"
"""What stands in for a secret that cannot be decrypted: the offline plan passes it for
each ``secure:`` value (``preview.project.SECRET_PLACEHOLDER``), at its place inside
structured values, so the loader can name the exact path of each one."""


class SettingsError(pulumi.RunError):
    """Invalid stack settings. A ``RunError`` so that the Pulumi CLI prints the message
    without a traceback; ``mlops-iac plan`` exits 2 with it."""


def load_settings(
    config: Mapping[str, Any] | None = None, secret_keys: Collection[str] | None = None
) -> StackSettings:
    """Build the settings tree from the ``mlops-iac:*`` keys of ``config``.

    ``config`` is Pulumi's flat map (``"mlops-iac:region" -> "eu-west-1"``); structured
    values arrive as JSON strings, as the CLI passes them. ``secret_keys`` are the keys
    the CLI marks secret (any ``secure:`` value inside a key makes the whole key
    secret). By default the running program's config and secret keys are read.
    Raises ``SettingsError`` listing every problem, with its config path; values under
    a secret key are never echoed.
    """
    if config is None:
        config = _program_config()
        if secret_keys is None:
            secret_keys = _program_secret_keys(config)
    raw: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in config.items():
        namespace, _, name = key.partition(":")
        if namespace == NAMESPACE:
            raw[name] = _decode(value)
        elif _resembles(namespace, NAMESPACE):
            problems.append(
                f"{key}: namespace {namespace!r} is not {NAMESPACE!r}, so this setting "
                f"would be ignored; did you mean {NAMESPACE}:{name}?"
            )
    secret = {k.partition(":")[2] for k in secret_keys or () if k.startswith(f"{NAMESPACE}:")}
    secret &= set(raw)
    for name in sorted(secret):
        if _may_be_secret(name):
            continue
        places = list(_placeholders(raw[name], ()))
        if not places:
            # Under the CLI the value arrives decrypted: keep it out of validation so
            # that no message can echo it.
            hint = " (a `secure:` value anywhere in it makes the whole key secret)"
            raw[name] = UNDECRYPTED
            problems.append(f"{_path([name])}: {_NOT_SECRET}{hint if _structured(name) else ''}")
            continue
        problems += [f"{_path([name, *where])}: {_NOT_SECRET}" for where in places]
    settings: StackSettings | None = None
    try:
        settings = StackSettings.model_validate(raw)
    except ValidationError as exc:
        problems += _error_lines(exc, secret)
    if problems or settings is None:
        header = f"invalid stack configuration ({len(problems)} problem(s)):"
        raise SettingsError("\n".join([header, *(f"  - {p}" for p in problems)]))
    return settings


_NOT_SECRET = (
    "must not be a secret: settings end up in resource names, tags and pipeline documents "
    "in plain text, so give the value without `secure:` (credentials stay in Secrets "
    "Manager; settings name them by ARN)"
)


def _structured(name: str) -> bool:
    """Whether the top-level setting ``name`` holds an object or a list."""
    field = StackSettings.model_fields.get(name)
    return field is not None and _model_of(field.annotation) is not None


def _placeholders(value: Any, where: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    if value == UNDECRYPTED:
        yield where
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _placeholders(v, (*where, str(k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _placeholders(v, (*where, str(i)))


def _may_be_secret(name: str) -> bool:
    """Only a top-level field typed ``SecretStr`` may hold a secret (the CLI marks whole
    top-level keys secret, so nothing finer can be allowed)."""
    field = StackSettings.model_fields.get(name)
    return field is not None and SecretStr in (field.annotation, *get_args(field.annotation))


def _resembles(namespace: str, wanted: str) -> bool:
    """A likely misspelling of ``wanted`` (case-insensitive edit distance of at most 2,
    as the Pulumi CLI suggests keys), but not ``wanted`` itself."""
    a, b = namespace.lower(), wanted.lower()
    if namespace == wanted or abs(len(a) - len(b)) > 2:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] <= 2


def _program_config() -> dict[str, Any]:
    from pulumi.runtime import config as runtime_config

    merged = dict(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    return merged


def _program_secret_keys(config: Mapping[str, Any]) -> set[str]:
    """The keys the CLI marks secret: ``pulumi-language-python-exec`` hands
    ``PULUMI_CONFIG_SECRET_KEYS`` to ``set_all_config``; the offline plan does the same."""
    from pulumi.runtime import config as runtime_config

    keys = set(runtime_config.get_config_secret_keys_env())
    keys.update(k for k in config if runtime_config.is_config_secret(k))
    return keys


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def format_errors(exc: ValidationError) -> str:
    """One message, one line per problem: the config path and what is allowed."""
    lines = _error_lines(exc, set())
    return "\n".join([f"invalid stack configuration ({len(lines)} problem(s)):", *lines])


def _path(loc: list[str]) -> str:
    return f"{NAMESPACE}:" + ".".join(loc) if loc else NAMESPACE


def _error_lines(exc: ValidationError, secret: set[str]) -> list[str]:
    """``path: problem`` per error. Under a secret key the value is never shown, and
    errors about the placeholder of a secret are left out (the secret is reported)."""
    lines: list[str] = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        hidden = bool(loc) and loc[0] in secret
        if err.get("input") == UNDECRYPTED or UNDECRYPTED in err["msg"]:
            continue
        lines.append(f"{_path(loc)}: {_describe(err, loc, show_input=not hidden)}")
    return lines


def _describe(err: Any, loc: list[str], *, show_input: bool = True) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        return f"unknown key; allowed keys: {', '.join(allowed)}" if allowed else "unknown key"
    if kind == "missing":
        return "required key is missing"
    msg = err["msg"].removeprefix("Value error, ")
    if not show_input or isinstance(err["input"], dict):
        return msg
    return f"{msg} (got {err['input']!r})"


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
