"""Read a Pulumi project and a stack's config the way the Pulumi CLI does, and refuse
what it refuses.

The CLI hands a Python program its config as a flat map of strings: ``<namespace>:<key>``
to a scalar rendered as text, or to compact JSON for lists and objects. Project values
and defaults from ``Pulumi.yaml`` apply where the stack file sets nothing, and a project
key declared without one must be set by the stack. ``secure:`` values cannot be
decrypted without the stack's secrets provider, so the plan passes ``"[secret]"`` and
marks the key secret, which keeps ``Config.require_secret`` working and the value out of
reports.

Every rule below is the CLI's, read in pulumi/pulumi (Go, 2026-08, commit 1b5949891b3c);
each function names the file it reproduces:

- ``sdk/go/common/encoding/marshal.go``: both files are YAML read with
  ``gopkg.in/yaml.v3``, so duplicate keys at any depth are errors and scalars resolve
  as YAML 1.2 (``goyaml.py`` has the decoder's rules).
- ``sdk/go/common/workspace/loaders.go``: ``LoadProjectBytes`` (validate, rewrite the
  short-hand config, ``Project.Validate``) and ``LoadProjectStackBytes`` (keys without a
  namespace belong to the project: ``stackConfigNamespacedWithProject``; empty values
  warn: ``checkForEmptyConfig``).
- ``sdk/go/common/workspace/project.go`` with its JSON schema ``project.json``:
  ``ValidateProject``, ``RewriteConfigPathIntoStackConfigDir``,
  ``RewriteShorthandConfigValues``, ``Project.Validate``, ``ValidateConfigValue``,
  ``InferFullTypeName``.
- ``sdk/go/common/resource/config/key.go``: ``ParseKey``.
- ``sdk/go/common/resource/config/object.go``: ``unmarshalObject``, ``isSecureValue``,
  ``MarshalString`` (how a value becomes the program's string; NaN cannot be stored).
- ``pkg/workspace/config.go``: ``mergeConfig`` (project values and defaults, missing
  keys) and ``validateStackConfigValue`` (``secret: true`` and declared types).

Where the CLI's behaviour is undefined the plan is stricter and says so: a stack file
that sets one key twice through two spellings (``environment`` and
``mlops-iac:environment``) is refused, where the CLI keeps whichever its map iteration
visits last.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from . import goyaml

SECRET_PLACEHOLDER = "[secret]"
PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
CONFIG_TYPES = ("string", "integer", "boolean", "array", "object")
"""``project.json``: ``simpleConfigType``."""
_DECLARATION_KEYS = frozenset({"type", "description", "items", "default", "value", "secret"})
"""``project.json``: ``configTypeDeclaration`` (``additionalProperties: false``)."""
_UNSET: Any = object()


class PlanError(Exception):
    """Bad project or stack config, or a program that failed: the short message is
    what ``mlops-iac plan`` prints (exit code 2)."""


@dataclass(frozen=True)
class ConfigDeclaration:
    """One entry of ``Pulumi.yaml``'s ``config:`` block after the CLI's short-hand
    rewrite (``RewriteShorthandConfigValues``)."""

    key: str
    """The namespaced key (``mlops-iac:region``)."""
    type: str | None = None
    items: dict[str, Any] | None = None
    secret: bool = False
    default: Any = _UNSET
    value: Any = _UNSET

    @property
    def full_type(self) -> str:
        """The type as the CLI names it in messages (``InferFullTypeName``)."""
        return _full_type_name(self.type or "", self.items)


@dataclass(frozen=True)
class Project:
    """What ``Pulumi.yaml`` says about running the program."""

    name: str
    root: Path
    main: Path
    """The program file to execute (``__main__.py`` when ``main`` is a folder)."""
    stack_config_dir: Path
    defaults: dict[str, Any] = field(default_factory=dict)
    """Namespaced config values and defaults, as YAML values (not yet rendered)."""
    required: tuple[str, ...] = ()
    """Keys of the project's namespace declared without a value or default: every
    stack must set them."""
    declarations: tuple[ConfigDeclaration, ...] = ()
    file: Path | None = None
    """The ``Pulumi.yaml`` read."""

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


def _refuse(path: Path, problems: list[str]) -> PlanError:
    """One error naming the file and listing every problem (each with its line or key)."""
    lines = "\n".join(f"  - {p}" for p in problems)
    return PlanError(
        f"{path}: the Pulumi CLI refuses this file ({len(problems)} problem(s)):\n{lines}"
    )


def _read(path: Path) -> goyaml.Document:
    """``readFileStripUTF8BOM`` then the ``yaml.v3`` decoding (``loaders.go``)."""
    text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    try:
        document = goyaml.load(text)
    except goyaml.DecodeError as exc:
        raise _refuse(path, [f"line {p.line}: {p.message}" for p in exc.problems]) from None
    except yaml.YAMLError as exc:
        raise PlanError(f"{path}: invalid YAML: {exc}") from None
    if document.data is not None and not isinstance(document.data, dict):
        # SimplifyMarshalledProject
        kind = type(document.data).__name__
        raise PlanError(f"{path}: expected a mapping at the top level, was {kind}")
    return document


# -- keys --------------------------------------------------------------------------------


def parse_key(raw: str, project: str) -> str:
    """The namespaced form of a config key, or ``ValueError`` with the CLI's message.

    ``key.go`` ``ParseKey``: ``<namespace>:<name>``, or the legacy
    ``<namespace>:config:<name>``; a key without a colon belongs to the project
    (``loaders.go`` ``stackConfigNamespacedWithProject``; ``config.go`` ``parseConfigKey``).
    """
    parts = raw.split(":")
    if len(parts) == 1:
        return f"{project}:{raw}"
    if len(parts) == 2:
        return raw
    if len(parts) == 3 and parts[1] == "config":
        return f"{parts[0]}:{parts[2]}"
    raise ValueError(
        f"could not parse {raw} as a configuration key "
        "(configuration keys should be of the form `<namespace>:<name>`)"
    )


def _is_project_key(project: str, key: str) -> bool:
    """``project.go`` ``configKeyIsNamespacedByProject``."""
    return ":" not in key or key.startswith(f"{project}:")


# -- types -------------------------------------------------------------------------------


def _full_type_name(type_name: str, items: dict[str, Any] | None) -> str:
    """``project.go`` ``InferFullTypeName``: ``array<array<integer>>``."""
    if items is not None:
        return f"array<{_full_type_name(str(items.get('type')), items.get('items'))}>"
    return type_name


def _atoi(text: str) -> bool:
    """Go's ``strconv.Atoi`` accepts it: optional sign, decimal digits, fits int64."""
    digits = text[1:] if text[:1] in "+-" else text
    return digits.isascii() and digits.isdigit() and -(2**63) <= int(text) < 2**63


def matches_type(type_name: str, items: dict[str, Any] | None, value: Any) -> bool:
    """``project.go`` ``ValidateConfigValue``. Scalars from a stack file arrive as their
    text, so ``integer`` accepts ``"42"`` and ``boolean`` the words ``"true"`` and
    ``"false"``; ``string`` accepts any scalar."""
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        if isinstance(value, float):
            return value == math.trunc(value) if math.isfinite(value) else math.isinf(value)
        return isinstance(value, str) and _atoi(value)
    if type_name == "boolean":
        return value in ("true", "false") if isinstance(value, str) else isinstance(value, bool)
    if type_name == "object":
        return isinstance(value, dict)
    if not isinstance(value, list) or items is None:
        return False
    return all(matches_type(str(items.get("type")), items.get("items"), v) for v in value)


def _items_problems(key: str, items: Any) -> list[str]:
    """``project.json``: ``configItemsType`` requires ``type``; an array needs ``items``."""
    if not isinstance(items, dict) or "type" not in items:
        return [f"config.{key}.items: must be an object with a 'type' attribute"]
    unknown = sorted(set(items) - {"type", "items"})
    if unknown:
        return [f"config.{key}.items: '{unknown[0]}' not allowed"]
    if items["type"] not in CONFIG_TYPES:
        return [f"config.{key}.items.type: must be one of {', '.join(CONFIG_TYPES)}"]
    if items["type"] == "array":
        if "items" not in items:
            return [f"config.{key}.items: an array must specify 'items'"]
        return _items_problems(key, items["items"])
    return []


# -- Pulumi.yaml ---------------------------------------------------------------------------


def _declaration(project: str, key: str, spec: Any) -> tuple[ConfigDeclaration | None, list[str]]:
    """One ``config:`` entry: the schema (``project.json``), the short-hand rewrite
    (``RewriteShorthandConfigValues``) and ``Project.Validate``'s rules."""
    full = f"{project}:{key}" if ":" not in key else key
    if ":" in key:
        try:
            full = parse_key(key, project)
        except ValueError as exc:
            return None, [f"config.{key}: {exc}"]
    own = _is_project_key(project, key)
    # Short-hand: a string, integer, boolean or array is a default for a project key
    # and a value for another namespace's key.
    if isinstance(spec, (str, bool, int, list)):
        if own:
            return ConfigDeclaration(full, default=spec), []
        return ConfigDeclaration(full, value=spec), []
    if not isinstance(spec, dict):
        return None, [
            f"config.{key}: must be a string, integer, boolean, array or a declaration "
            f"(type, description, default, value, secret, items), got {_yaml_kind(spec)}"
        ]
    unknown = sorted(set(spec) - _DECLARATION_KEYS)
    if unknown:
        allowed = ", ".join(sorted(_DECLARATION_KEYS))
        return None, [
            f"config.{key}: '{unknown[0]}' not allowed; the allowed attributes are {allowed}"
        ]
    problems: list[str] = []
    type_name = spec.get("type")
    if type_name is not None and type_name not in CONFIG_TYPES:
        problems.append(f"config.{key}.type: must be one of {', '.join(CONFIG_TYPES)}")
    if "secret" in spec and not isinstance(spec["secret"], bool):
        problems.append(f"config.{key}.secret: must be a boolean")
    if "description" in spec and not isinstance(spec["description"], str):
        problems.append(f"config.{key}.description: must be a string")
    items = spec.get("items")
    if items is not None:
        problems += _items_problems(key, items)
    if problems:
        return None, problems
    default = spec.get("default", _UNSET)
    value = spec.get("value", _UNSET)
    # A null default or value is no default or value (Go: ``Default != nil``).
    default = _UNSET if default is None else default
    value = _UNSET if value is None else value
    declaration = ConfigDeclaration(
        full,
        type=type_name,
        items=items,
        secret=bool(spec.get("secret", False)),
        default=default,
        value=value,
    )
    # Project.Validate
    if default is not _UNSET and value is not _UNSET:
        return None, [f"project config '{key}' cannot have both a 'default' and 'value' attribute"]
    if own:
        if type_name == "array" and items is None:
            return None, [
                f"The configuration key '{key}' declares an array but does not specify "
                "the underlying type via the 'items' attribute"
            ]
        if (
            type_name is not None
            and default is not _UNSET
            and not matches_type(type_name, items, default)
        ):
            return None, [
                f"The default value specified for configuration key '{key}' is not of "
                f"the expected type '{declaration.full_type}'"
            ]
    else:
        if type_name is not None:
            return None, [
                f"Configuration key '{key}' is not namespaced by the project and should "
                "not define a type"
            ]
        if default is not _UNSET:
            return None, [
                f"Configuration key '{key}' is not namespaced by the project and should not "
                "define a default value. Did you mean to use the 'value' attribute instead "
                "of 'default'?"
            ]
        if value is _UNSET:
            return None, [
                f"Configuration key '{key}' is namespaced and must provide an attribute 'value'"
            ]
    return declaration, []


def _yaml_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, float):
        return "a float"
    return type(value).__name__


def load_project(project_dir: Path) -> Project:
    """Parse ``Pulumi.yaml`` in ``project_dir`` as ``LoadProjectBytes`` does: ``name``,
    ``main``, ``stackConfigDir`` (or the legacy string ``config:``) and the ``config:``
    block. Raises ``PlanError`` listing every problem the CLI would refuse."""
    root = project_dir.resolve()
    path = next((root / n for n in PROJECT_FILES if (root / n).is_file()), None)
    if path is None:
        raise PlanError(f"no Pulumi.yaml in {root}")
    document = _read(path)
    data: dict[str, Any] = document.data or {}
    problems: list[str] = []

    def at(*keys: str | int) -> str:
        line = document.line_of(tuple(keys))
        return f"line {line}: " if line else ""

    name = data.get("name")
    if "name" not in data:
        raise _refuse(path, ["project is missing a 'name' attribute"])
    if not isinstance(name, str) or not name:
        raise _refuse(path, [f"{at('name')}project is missing a non-empty string 'name' attribute"])

    config = data.get("config")
    stack_dir_value = data.get("stackConfigDir")
    if isinstance(config, str):  # RewriteConfigPathIntoStackConfigDir
        if "stackConfigDir" in data:
            raise _refuse(
                path,
                [
                    f"{at('config')}Should not use both config and stackConfigDir to define "
                    "the stack directory. Use only stackConfigDir instead."
                ],
            )
        stack_dir_value, config = config, None
    if config is not None and not isinstance(config, dict):
        raise _refuse(path, [f"{at('config')}config: must be a mapping of keys to declarations"])

    declarations: list[ConfigDeclaration] = []
    for key, spec in (config or {}).items():
        declaration, found = _declaration(name, str(key), spec)
        problems += [f"{at('config', key)}{p}" for p in found]
        if declaration is not None:
            declarations.append(declaration)
    for declaration in declarations:
        for default in (declaration.default, declaration.value):
            if default is not _UNSET and _has_nan(default):
                problems.append(
                    f"{at('config')}{declaration.key}: json: unsupported value: "
                    f"{_nan_text(default)} (the CLI cannot store it)"
                )
    if problems:
        raise _refuse(path, problems)

    main = root / str(data.get("main") or ".")
    if main.is_dir():
        main = main / "__main__.py"
    if not main.is_file():
        raise PlanError(f"{path}: program not found: {main}")
    stack_dir = root / str(stack_dir_value or ".")

    defaults: dict[str, Any] = {}
    required: list[str] = []
    for d in declarations:
        if d.value is not _UNSET:
            defaults[d.key] = d.value
        elif d.default is not _UNSET:
            defaults[d.key] = d.default
        elif d.key.split(":", 1)[0] == name:
            required.append(d.key)
    return Project(
        name,
        root,
        main,
        stack_dir,
        defaults,
        tuple(sorted(required)),
        tuple(declarations),
        path,
    )


# -- values --------------------------------------------------------------------------------


def _go_float(value: float) -> str:
    """A float as Go's ``encoding/json`` writes it: shortest digits, positional between
    1e-6 and 1e21 (``5.0`` is ``5``), else exponent form (``1e-7``, ``1e+21``)."""
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    exact = Decimal(repr(value))
    if 1e-6 <= abs(value) < 1e21:
        text = format(exact, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    sign, digits, exponent = exact.normalize().as_tuple()
    assert isinstance(exponent, int)
    mantissa = "".join(map(str, digits))
    power = exponent + len(digits) - 1
    body = mantissa[0] + (f".{mantissa[1:]}" if len(mantissa) > 1 else "")
    suffix = f"e-{-power}" if power < 0 else f"e+{power:02d}"
    return ("-" if sign else "") + body + suffix


def _go_string(value: str) -> str:
    """A JSON string as Go writes it: UTF-8 kept, ``<``, ``>``, ``&``, U+2028 and
    U+2029 escaped."""
    text = json.dumps(value, ensure_ascii=False)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def _go_json(value: Any) -> str:
    """Compact JSON as Go's ``json.Marshal`` writes a config object (sorted keys)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, str):
        return _go_string(value)
    if isinstance(value, list):
        return "[" + ",".join(_go_json(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(f"{_go_string(k)}:{_go_json(v)}" for k, v in pairs) + "}"
    raise TypeError(f"unexpected config value {value!r}")


def render_value(value: Any) -> str:
    """A YAML config value as the CLI passes it (``object.go`` ``MarshalString``):
    strings as they are, other scalars as JSON text (booleans lower-case), lists and
    objects as compact JSON with sorted keys. ``null`` is an empty string."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return _go_json(value)


def _walk(
    value: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, (*path, i))


def _has_nan(value: Any) -> bool:
    return any(isinstance(v, float) and not math.isfinite(v) for _, v in _walk(value))


def _nan_text(value: Any) -> str:
    bad = next(v for _, v in _walk(value) if isinstance(v, float) and not math.isfinite(v))
    return "NaN" if math.isnan(bad) else ("+Inf" if bad > 0 else "-Inf")


def _is_secure(value: Any) -> bool:
    """``object.go`` ``isSecureValue``: a mapping whose only key is ``secure``, a string."""
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("secure"), str)


def _redact_secure(value: Any) -> tuple[Any, bool]:
    """Replace ``{secure: ...}`` (at any depth) with the placeholder; report whether any was."""
    if _is_secure(value):
        return SECRET_PLACEHOLDER, True
    if isinstance(value, dict):
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


def _content(value: Any) -> Any:
    """What ``validateStackConfigValue`` type-checks: a scalar's text, or the decoded
    JSON of a list or object (numbers decode as floats)."""
    if isinstance(value, (dict, list)):
        return json.loads(_go_json(value))
    return render_value(value)


# -- Pulumi.<stack>.yaml -------------------------------------------------------------------


def load_stack_config(project: Project, stack: str) -> StackConfig:
    """Merge the project's values and defaults with ``Pulumi.<stack>.yaml`` as
    ``pulumi preview`` does, refusing what it refuses: duplicate keys, keys it cannot
    parse, values it cannot store (NaN, infinities), keys of the project's namespace
    declared without a default but not set, values that are not of their declared
    ``type``, and plain values for keys declared ``secret: true``. Raises ``PlanError``
    naming the file and each key (with its line), all problems at once. A missing stack
    file is refused too, naming the expected path and the stacks that exist."""
    path = project.stack_file(stack)
    if not path.is_file():
        existing = project.stacks()
        found = ", ".join(existing) if existing else "none"
        raise PlanError(
            f"stack {stack!r} has no config file: expected {path} (stacks found: {found})"
        )
    document = _read(path)
    data: dict[str, Any] = document.data or {}
    config = data.get("config")
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise _refuse(path, [f"line {document.line_of(('config',))}: config: must be a mapping"])

    problems: list[str] = []
    notes: list[str] = []
    stack_values: dict[str, Any] = {}
    secure_keys: set[str] = set()
    first: dict[str, tuple[str, int | None]] = {}
    empty: list[str] = []

    for raw_key, raw_value in config.items():
        raw_key = str(raw_key)
        line = document.line_of(("config", raw_key))
        where = f"line {line}: " if line else ""
        try:
            key = parse_key(raw_key, project.name)
        except ValueError as exc:
            problems.append(f"{where}{exc}")
            continue
        if key in first:
            other, other_line = first[key]
            problems.append(
                f"{where}{raw_key!r} sets {key}, already set as {other!r} at line {other_line} "
                "(the Pulumi CLI would keep one of them at random)"
            )
            continue
        first[key] = (raw_key, line)
        if raw_value is None:  # checkForEmptyConfig: treated as "" for now
            empty.append(raw_key)
            raw_value = ""
        if _has_nan(raw_value):
            bad = next(
                p for p, v in _walk(raw_value) if isinstance(v, float) and not math.isfinite(v)
            )
            bad_line = document.line_of(("config", raw_key, *bad)) or line
            problems.append(
                f"line {bad_line}: {key}: json: unsupported value: {_nan_text(raw_value)} "
                "(the CLI cannot store it; quote it if it is text)"
            )
            continue
        value, secure = _redact_secure(raw_value)
        stack_values[key] = value
        if secure:
            secure_keys.add(key)
    if empty:
        names = " and ".join(f'"{k}"' for k in empty)
        notes.append(
            f"{path.name}: no value for configuration key(s) {names}; the CLI treats this as "
            'an empty string `""` today and as `null` in a future version'
        )

    merged: dict[str, Any] = {**project.defaults, **stack_values}
    missing = [key for key in project.required if key not in merged]
    problems += [
        f"{key}: required (Pulumi.yaml declares it without a default), not set" for key in missing
    ]
    lines = {key: line for key, (_, line) in first.items()}
    problems += _declared_problems(project, stack, lines, stack_values, secure_keys, notes)
    if problems:
        raise _refuse(path, problems)

    if data.get("environment"):
        notes.append(
            f"{path.name} imports Pulumi ESC environments; their values are not available "
            "offline and are left out of the plan"
        )
    values = {key: render_value(merged[key]) for key in sorted(merged)}
    return StackConfig(values, tuple(sorted(secure_keys)), tuple(notes))


def _declared_problems(
    project: Project,
    stack: str,
    lines: dict[str, int | None],
    stack_values: dict[str, Any],
    secure_keys: set[str],
    notes: list[str],
) -> list[str]:
    """``config.go`` ``validateStackConfigValue`` for each typed declaration: a
    ``secret: true`` key must be encrypted, and the value must be of the declared type.
    Project defaults count as set values, as in ``mergeConfig``."""
    problems: list[str] = []
    for declaration in sorted(project.declarations, key=lambda d: d.key):
        if declaration.type is None:  # IsExplicitlyTyped
            continue
        key = declaration.key
        on_stack = key in stack_values
        if on_stack:
            value = stack_values[key]
        elif declaration.value is not _UNSET:
            value = declaration.value
        elif declaration.default is not _UNSET:
            value = declaration.default
        else:
            continue  # reported as missing
        line = lines.get(key) if on_stack else None
        where = f"{key} (line {line})" if line else key
        secure = key in secure_keys
        if declaration.secret and not secure:
            origin = "" if on_stack else " (its default from Pulumi.yaml is plain text)"
            problems.append(
                f"{where}: must be encrypted as it's secret (Pulumi.yaml declares secret: "
                f"true){origin}; set it with `pulumi config set --secret`"
            )
            continue
        if secure:
            if declaration.type != "string":
                notes.append(
                    f"{key} is a secure value: its declared type {declaration.full_type!r} "
                    "is checked by the CLI after decryption, not offline"
                )
            continue
        if not matches_type(declaration.type, declaration.items, _content(value)):
            problems.append(
                f"{where}: must be of type '{declaration.full_type}' (declared in Pulumi.yaml; "
                f"stack {stack!r})"
            )
    return problems
