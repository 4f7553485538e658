"""Reading a Pulumi Python SDK's generated source for facts the policies ship as data
(which resource types take tags or labels), so that policies never import the SDKs
(hundreds of MB each) at runtime and the data can be regenerated after an upgrade.

Every generated resource module names its type token in the ``super().__init__`` call
of its resource class and declares its inputs as the parameters of its ``*Args``
class's ``__init__``; those two facts are all the scanners read."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterator
from importlib import metadata, util
from pathlib import Path
from typing import Any

_ARGS_CLASS = re.compile(r"^class (\w+Args):\n(.*?)(?=^class |\Z)", re.S | re.M)
_MAP_OF_STRINGS = re.compile(
    r"^\s+(\w+): pulumi\.Input\[(?:Optional\[)?Mapping\[str, pulumi\.Input\[(?:_builtins\.)?str\]\]",
    re.M,
)


def sdk_root(module: str) -> Path:
    """The installed SDK package's folder; ``RuntimeError`` when it is not installed."""
    spec = util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"{module} is not installed; install the SDK of that cloud to regenerate its data"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def sdk_version(distribution: str) -> str:
    return metadata.version(distribution)


def resource_modules(module: str) -> Iterator[tuple[Path, str]]:
    """``(path, source)`` of every generated resource module (``<service>/<resource>.py``,
    not invokes or helpers)."""
    for path in sorted(sdk_root(module).glob("*/*.py")):
        if path.name.startswith(("_", "get_", "list_")):
            continue
        source = path.read_text(encoding="utf-8")
        if "pulumi.CustomResource" in source:
            yield path, source


def type_token(source: str, prefix: str) -> str | None:
    """The type token (``azure-native:storage:StorageAccount``) of a resource module."""
    match = re.search(
        r"super\(\w+, __self__\)\.__init__\(\s*'(" + re.escape(prefix) + r":[^']+)'", source
    )
    return match.group(1) if match else None


def input_maps(source: str) -> list[str]:
    """The ``Mapping[str, str]`` inputs of the module's ``*Args`` classes (snake_case
    names as declared), excluding the ``*StateArgs`` lookup classes."""
    found: list[str] = []
    for match in _ARGS_CLASS.finditer(source):
        name, body = match.group(1), match.group(2)
        if name.startswith("_") or name.endswith("StateArgs"):
            continue
        init = body.split('\n        """', 1)[0]
        found += [n for n in _MAP_OF_STRINGS.findall(init) if n not in found]
    return found


def camel(name: str) -> str:
    """The engine's property name for a Python input name (``resource_labels`` ->
    ``resourceLabels``)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def render(distribution: str, generate: Callable[[], Any]) -> str:
    """A type-data file's text: the SDK version it was read from and ``generate()``."""
    payload = {distribution: sdk_version(distribution), "types": generate()}
    return json.dumps(payload, indent=1) + "\n"


def generator_main(
    description: str | None,
    data_file: Path,
    distribution: str,
    generate: Callable[[], Any],
    argv: list[str] | None = None,
) -> int:
    """The command line of a type-data generator: print the file, or ``--write`` it."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--write", action="store_true", help=f"write {data_file.name} instead of printing"
    )
    options = parser.parse_args(argv)
    text = render(distribution, generate)
    if options.write:
        data_file.write_text(text, encoding="utf-8")
        print(f"wrote {len(json.loads(text)['types'])} types to {data_file}")
    else:
        sys.stdout.write(text)
    return 0
