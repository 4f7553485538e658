"""YAML as the Pulumi CLI reads it: the Go decoder ``gopkg.in/yaml.v3``, not PyYAML.

The CLI reads ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` through
``sdk/go/common/encoding/marshal.go`` (``yamlMarshaler``), which is ``yaml.v3``. Three of
its rules differ from PyYAML's defaults and change what a program is given or whether
it runs at all:

- **Duplicate mapping keys are an error** at any depth (``decode.go``, ``mapping()``:
  ``line N: mapping key "k" already defined at line M``; every duplicate in the document
  is reported). PyYAML keeps the last value silently.
- **Scalars resolve as YAML 1.2** (``resolve.go``, ``resolve()``): only
  ``true/True/TRUE/false/False/FALSE`` are booleans (``yes``, ``on``, ``no`` stay
  strings), ``1e3`` is a float, ``0o17`` and ``017`` are octal integers, ``1_000`` is an
  integer, an unquoted date or timestamp becomes a Go ``time.Time`` (which the config
  layer later renders with ``time.Time.String()``, ``config/object.go``).
- **Keys must be strings** once decoded: ``workspace.SimplifyMarshalledValue``
  (``sdk/go/common/workspace/project.go``) fails with ``expected only string keys`` for
  ``1:``, ``true:`` or ``~:`` keys anywhere in either file.

``load`` returns the data with those types plus the line of every mapping key, so callers
can name ``file:line`` in their messages. Values keep Python types: ``int``, ``float``,
``bool``, ``None``, ``str`` (dates and timestamps as the CLI's string), ``list``,
``dict``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]
"""Keys and list indexes from the document root to a value."""

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"

# resolve.go: the words looked up before anything else.
_WORDS: dict[str, str] = {
    **dict.fromkeys(("true", "True", "TRUE", "false", "False", "FALSE"), _BOOL),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), _NULL),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), _FLOAT),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), _FLOAT),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), _FLOAT),
    "<<": _MERGE,
}
_SPECIAL_FLOATS = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
# resolve.go: yamlStyleFloat, and strconv.ParseFloat for values starting with ".".
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")
# strconv.ParseInt(s, 0, 64): sign, then 0x / 0o / 0b / leading-0 octal / decimal.
_GO_INT = re.compile(
    r"(?P<sign>[+-]?)(?:0[xX](?P<hex>[0-9a-fA-F]+)|0[oO](?P<oct>[0-7]+)|0[bB](?P<bin>[01]+)"
    r"|(?P<loct>0[0-7]*)|(?P<dec>[1-9][0-9]*))"
)
# resolve.go: parseTimestamp (allowedTimestampFormats), after its "YYYY-" quick check.
_TIMESTAMP_FORMS = (
    re.compile(
        r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})[Tt](?P<H>\d{1,2}):(?P<M>\d{1,2}):"
        r"(?P<S>\d{1,2})(?:\.(?P<f>\d+))?(?P<z>Z|[+-]\d{2}:\d{2})"
    ),
    re.compile(
        r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2}) (?P<H>\d{1,2}):(?P<M>\d{1,2}):"
        r"(?P<S>\d{1,2})(?:\.(?P<f>\d+))?"
    ),
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
)
_INT64 = (-(2**63), 2**63 - 1)
_UINT64_MAX = 2**64 - 1


def _go_int(text: str) -> int | None:
    """``strconv.ParseInt(text, 0, 64)``, falling back to ``ParseUint``; ``None`` if
    neither accepts it (``resolve.go`` then tries a float)."""
    m = _GO_INT.fullmatch(text)
    if not m:
        return None
    if m["hex"]:
        value = int(m["hex"], 16)
    elif m["oct"]:
        value = int(m["oct"], 8)
    elif m["bin"]:
        value = int(m["bin"], 2)
    elif m["loct"]:
        value = int(m["loct"], 8)
    else:
        value = int(m["dec"])
    if m["sign"] == "-":
        value = -value
    if _INT64[0] <= value <= _INT64[1] or 0 <= value <= _UINT64_MAX:
        return value
    return None


def _timestamp(text: str) -> str | None:
    """An unquoted timestamp as the CLI passes it: ``time.Time.String()`` of the parsed
    value (``config/object.go``, ``unmarshalObject``), e.g. ``2026-01-02 00:00:00 +0000
    UTC``. ``None`` if ``time.Parse`` would reject it (then it is not a timestamp)."""
    for form in _TIMESTAMP_FORMS:
        m = form.fullmatch(text)
        if not m:
            continue
        parts = m.groupdict()
        try:
            moment = dt.datetime(
                int(parts["y"]),
                int(parts["m"]),
                int(parts["d"]),
                int(parts.get("H") or 0),
                int(parts.get("M") or 0),
                int(parts.get("S") or 0),
            )
        except ValueError:
            return None
        fraction = (parts.get("f") or "")[:9].rstrip("0")
        zone = parts.get("z") or "Z"
        stamp = moment.strftime("%Y-%m-%d %H:%M:%S") + (f".{fraction}" if fraction else "")
        if zone == "Z":
            return f"{stamp} +0000 UTC"
        # A fixed offset gets a fabricated zone named after the offset.
        offset = zone.replace(":", "")
        return f"{stamp} {offset} {offset}"
    return None


def resolve_plain(value: str) -> str:
    """The tag ``yaml.v3`` gives a plain (unquoted) scalar: ``resolve.go``'s ``resolve``."""
    if value in _WORDS:
        return _WORDS[value]
    hint = value[0]
    if hint == ".":
        return _FLOAT if _DOT_FLOAT.fullmatch(value) else _STR
    if hint.isdigit() or hint in "+-":
        if _timestamp(value) is not None:
            return _TIMESTAMP
        plain = value.replace("_", "")
        if _go_int(plain) is not None:
            return _INT
        if _YAML_STYLE_FLOAT.fullmatch(plain):
            return _FLOAT
    return _STR


class _Loader(yaml.SafeLoader):
    """PyYAML's parser with ``yaml.v3``'s scalar resolution and constructors."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return resolve_plain(value)
        return super().resolve(kind, value, implicit)


def _scalar(loader: _Loader, node: yaml.Node) -> str:
    value = loader.construct_scalar(node)  # type: ignore[arg-type]
    return str(value)


def _construct_int(loader: _Loader, node: yaml.Node) -> int | float:
    text = _scalar(loader, node)
    value = _go_int(text.replace("_", ""))
    if value is None:
        raise yaml.constructor.ConstructorError(
            None, None, f"cannot decode `{text}` as a !!int", node.start_mark
        )
    return value


def _construct_float(loader: _Loader, node: yaml.Node) -> float:
    text = _scalar(loader, node)
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    whole = _go_int(text.replace("_", ""))
    if whole is not None:  # an explicit !!float on an integer
        return float(whole)
    try:
        return float(text.replace("_", ""))
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, f"cannot decode `{text}` as a !!float", node.start_mark
        ) from None


def _construct_bool(loader: _Loader, node: yaml.Node) -> bool:
    return _scalar(loader, node) in ("true", "True", "TRUE")


def _construct_null(loader: _Loader, node: yaml.Node) -> None:
    return None


def _construct_timestamp(loader: _Loader, node: yaml.Node) -> str:
    text = _scalar(loader, node)
    return _timestamp(text) or text


def _construct_other(loader: _Loader, node: yaml.Node) -> Any:
    """Unknown tags (``!ref x``): ``yaml.v3`` decodes the node by its kind."""
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return _scalar(loader, node)


_Loader.add_constructor(_INT, _construct_int)
_Loader.add_constructor(_FLOAT, _construct_float)
_Loader.add_constructor(_BOOL, _construct_bool)
_Loader.add_constructor(_NULL, _construct_null)
_Loader.add_constructor(_TIMESTAMP, _construct_timestamp)
# None: the fallback for tags without a constructor (PyYAML API; its stubs say str).
_Loader.add_constructor(None, _construct_other)  # pyright: ignore[reportArgumentType]


@dataclass(frozen=True)
class Problem:
    """Something ``yaml.v3`` or the CLI's decoding refuses, at a 1-based line."""

    line: int
    message: str


@dataclass(frozen=True)
class Document:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    """1-based line of each mapping key (and list item), by its path."""

    def line_of(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


class DecodeError(Exception):
    """The document is refused; ``problems`` lists every finding with its line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"line {p.line}: {p.message}" for p in problems))
        self.problems = problems


def _walk(
    node: yaml.Node,
    path: Path,
    lines: dict[Path, int],
    problems: list[Problem],
    seen: set[int],
) -> None:
    """Collect duplicate keys (``decode.go``: same node kind and same text) and non-string
    keys (``SimplifyMarshalledValue``), and record the line of every key. A node reached
    again through an alias is checked once."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.setdefault((*path, i), item.start_mark.line + 1)
            _walk(item, (*path, i), lines, problems, seen)
        return
    if not isinstance(node, yaml.MappingNode):
        return
    first: dict[tuple[type, str], int] = {}
    for key, value in node.value:
        line = key.start_mark.line + 1
        if isinstance(key, yaml.ScalarNode):
            earlier = first.get((type(key), key.value))
            if earlier is not None:
                problems.append(
                    Problem(line, f'mapping key "{key.value}" already defined at line {earlier}')
                )
            else:
                first[(type(key), key.value)] = line
            if key.tag == _MERGE:
                _walk(value, path, lines, problems, seen)
                continue
            if key.tag != _STR:
                problems.append(
                    Problem(line, f"expected only string keys, got '{key.value}' ({key.tag[18:]})")
                )
                continue
            lines.setdefault((*path, key.value), line)
            _walk(value, (*path, key.value), lines, problems, seen)
        else:
            problems.append(Problem(line, "expected only string keys, got a collection"))


def load(text: str) -> Document:
    """Decode one YAML document as the CLI does. Raises ``yaml.YAMLError`` for syntax
    errors and ``DecodeError`` for what ``yaml.v3`` and the CLI refuse."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Document(None)
        lines: dict[Path, int] = {}
        problems: list[Problem] = []
        _walk(node, (), lines, problems, set())
        if problems:
            raise DecodeError(sorted(problems, key=lambda p: p.line))
        return Document(loader.construct_document(node), lines)
    finally:
        loader.dispose()
