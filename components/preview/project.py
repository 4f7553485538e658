"""Read a Pulumi project and a stack's config the way the Pulumi CLI does.

The CLI hands a Python program its config as a flat map of strings: ``<namespace>:<key>``
to a scalar rendered as text, or to compact JSON for lists and objects. Project defaults
from ``Pulumi.yaml`` apply first, the stack file overrides them, and a key declared
without a default must be set by the stack. ``secure:`` values cannot be decrypted
without the stack's secrets provider, so the plan passes ``"[secret]"`` and marks the
key secret, which keeps ``Config.require_secret`` working and the value out of reports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SECRET_PLACEHOLDER = "[secret]"
PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
_DECLARATION_KEYS = {"type", "description", "default", "secret", "items", "value"}


class PlanError(Exception):
    """Bad project or stack config, or a program that failed: the short message is
    what ``mlops-iac plan`` prints (exit code 2)."""


@dataclass(frozen=True)
class Project:
    """What ``Pulumi.yaml`` says about running the program."""

    name: str
    root: Path
    main: Path
    """The program file to execute (``__main__.py`` when ``main`` is a folder)."""
    stack_config_dir: Path
    defaults: dict[str, Any] = field(default_factory=dict)
    """Namespaced config defaults, as YAML values (not yet rendered to strings)."""
    required: tuple[str, ...] = ()
    """Namespaced keys declared without a default: every stack must set them."""

    def stack_file(self, stack: str) -> Path:
        """``Pulumi.<stack>.yaml``; an ``org/project/stack`` name uses its last part."""
        return self.stack_config_dir / f"Pulumi.{stack.split('/')[-1]}.yaml"

    def stacks(self) -> list[str]:
        """Names of the stacks that have a config file, sorted (``Pulumi.<stack>.lookups.yaml``
        holds a stack's offline lookup answers, not a stack)."""
        return sorted(
            p.name[len("Pulumi.") : -len(".yaml")]
            for p in self.stack_config_dir.glob("Pulumi.*.yaml")
            if not p.name.endswith(".lookups.yaml")
        )


@dataclass(frozen=True)
class StackConfig:
    """A stack's config as the program receives it."""

    values: dict[str, str]
    secret_keys: tuple[str, ...]
    notes: tuple[str, ...] = ()
    """Things the offline plan could not reproduce (shown as warnings)."""


def find_project_root(start: Path) -> Path:
    """The first of ``start`` and its parents that holds ``Pulumi.yaml``."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if any((directory / name).is_file() for name in PROJECT_FILES):
            return directory
    raise PlanError(f"no Pulumi.yaml in {start} or any parent directory (use --program DIR)")


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PlanError(f"{path}: invalid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PlanError(f"{path}: expected a mapping at the top level")
    return data


def _namespaced(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def load_project(project_dir: Path) -> Project:
    """Parse ``Pulumi.yaml`` in ``project_dir``: name, ``main``, ``stackConfigDir`` and
    the ``config:`` block (typed declarations or bare values)."""
    root = project_dir.resolve()
    path = next((root / n for n in PROJECT_FILES if (root / n).is_file()), None)
    if path is None:
        raise PlanError(f"no Pulumi.yaml in {root}")
    data = _read_yaml(path)
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise PlanError(f"{path}: 'name' is missing")

    main = root / str(data.get("main") or ".")
    if main.is_dir():
        main = main / "__main__.py"
    if not main.is_file():
        raise PlanError(f"{path}: program not found: {main}")
    stack_dir = root / str(data.get("stackConfigDir") or ".")

    defaults: dict[str, Any] = {}
    required: list[str] = []
    for key, spec in (data.get("config") or {}).items():
        full = _namespaced(str(key), name)
        if isinstance(spec, dict) and spec and set(spec) <= _DECLARATION_KEYS:
            if "value" in spec:
                defaults[full] = spec["value"]
            elif "default" in spec:
                defaults[full] = spec["default"]
            else:
                required.append(full)
        else:
            defaults[full] = spec
    return Project(name, root, main, stack_dir, defaults, tuple(sorted(required)))


def render_value(value: Any) -> str:
    """A YAML config value as the CLI passes it: scalars as text (booleans lower-case),
    lists and objects as compact JSON with sorted keys."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return str(value)


def _redact_secure(value: Any) -> tuple[Any, bool]:
    """Replace ``{secure: ...}`` (at any depth) with the placeholder; report whether any was."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        found = False
        out: dict[str, Any] = {}
        for k, v in value.items():
            out[k], hit = _redact_secure(v)
            found = found or hit
        return out, found
    if isinstance(value, list):
        items = [_redact_secure(v) for v in value]
        return [v for v, _ in items], any(hit for _, hit in items)
    return value, False


def load_stack_config(project: Project, stack: str) -> StackConfig:
    """Merge the project's defaults with ``Pulumi.<stack>.yaml``. Raises ``PlanError``
    when the stack file is missing (naming the expected path and the stacks that exist)
    or when keys declared without a default are not set (all of them at once)."""
    path = project.stack_file(stack)
    if not path.is_file():
        existing = project.stacks()
        found = ", ".join(existing) if existing else "none"
        raise PlanError(
            f"stack {stack!r} has no config file: expected {path} (stacks found: {found})"
        )
    data = _read_yaml(path)
    merged: dict[str, Any] = dict(project.defaults)
    secret_keys: set[str] = set()
    for key, value in (data.get("config") or {}).items():
        full = _namespaced(str(key), project.name)
        redacted, secret = _redact_secure(value)
        merged[full] = redacted
        if secret:
            secret_keys.add(full)

    missing = [key for key in project.required if key not in merged]
    if missing:
        lines = "\n".join(f"  - {key}" for key in missing)
        raise PlanError(f"stack {stack!r} is missing required configuration ({path}):\n{lines}")

    notes: list[str] = []
    if data.get("environment"):
        notes.append(
            f"{path.name} imports Pulumi ESC environments; their values are not available "
            "offline and are left out of the plan"
        )
    values = {key: render_value(merged[key]) for key in sorted(merged)}
    return StackConfig(values, tuple(sorted(secret_keys)), tuple(notes))
