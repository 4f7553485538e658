"""Input paths: one flat name per leaf value of a resource's inputs.

A resource's inputs (plan JSON, ``docs/plan-json.md``) are nested objects and lists.
The diff, the decision table and the replacement table all name one leaf the same way:

- object keys are joined with ``.``: ``scalingConfig.maxSize``;
- list items are ``[<index>]``, or ``[<Name>]`` when every item of the list is an
  object with a string ``Name`` (SageMaker pipeline steps, so that inserting a step does
  not renumber the others): ``pipelineDefinition.Steps[Train]``, or
  ``[<cloud>/<region>/<family>]`` when every item is an object with those strings (the
  accelerator quota lines: a new line does not shift the others):
  ``lines[aws/eu-west-1/ml.g5.xlarge for endpoint usage].maximum``;
- a string that holds a JSON object (a pipeline definition, a policy document) is
  parsed and walked as if it were nested: ``pipelineDefinition.Steps[Train].Arguments``.

A *pattern* is a path with ``*`` for any one key or item: ``productionVariants[*].instanceType``,
``pipelineDefinition.Steps[*].Arguments.ResourceConfig.InstanceType``. A pattern also
matches every leaf below the path it names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any


def parsed_json(value: str) -> Any | None:
    """The object or list a JSON string holds, else ``None``."""
    text = value.lstrip()
    if not text.startswith(("{", "[")):
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict | list) else None


IDENTITIES = (("Name",), ("cloud", "region", "family"))
"""The fields that name a list item, in order of preference."""


def _item_key(items: list[Any], index: int) -> str:
    for fields in IDENTITIES:
        if not all(
            isinstance(i, dict) and all(isinstance(i.get(f), str) for f in fields) for i in items
        ):
            continue
        names = ["/".join(i[f] for f in fields) for i in items]
        if len(set(names)) == len(names) and not any("]" in n for n in names):
            return f"[{names[index]}]"
    return f"[{index}]"


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf of ``value`` with its path; an empty object or list is a leaf."""
    if isinstance(value, str) and (parsed := parsed_json(value)) is not None:
        value = parsed
    if isinstance(value, dict) and value:
        for key in sorted(value):
            yield from leaves(value[key], f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}{_item_key(value, index)}")
    else:
        yield path, value


def flatten(value: Any) -> dict[str, Any]:
    """``leaves`` as a dict."""
    return dict(leaves(value))


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\[\*\]|\*)", pattern)
    wild = {"[*]": "\\[[^\\]]*\\]", "*": "[^.\\[\\]]+"}
    body = "".join(wild.get(part, re.escape(part)) for part in parts)
    return re.compile(f"^{body}(?:$|[.\\[])")


def matches(pattern: str, path: str) -> bool:
    """Whether ``path`` is the leaf ``pattern`` names or lies below it."""
    return _regex(pattern).match(path) is not None


def root(path: str) -> str:
    """The top-level input of a path: ``scalingConfig.maxSize`` -> ``scalingConfig``."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]
