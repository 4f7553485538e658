"""The set of taggable AWS resource types, derived from the installed ``pulumi_aws`` SDK.

A type is taggable when its ``*Args`` input class has a ``tags`` input that is a map of
strings (``Mapping[str, ...]``). Resources with list-shaped tags (``aws:autoscaling/group``
takes ``[{key, value, propagateAtLaunch}]``) are left out: their tags are not
cost-allocation tags on the resource itself.

The result ships as ``data/aws-taggable-types.json`` so policies never import the 270 MB
SDK at runtime. Regenerate after upgrading ``pulumi-aws``::

    python -m mlops_policies.aws.taggable --write

``tests/policies`` fails when the file and the installed SDK disagree."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import util
from pathlib import Path

from .. import sdkscan

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "aws-taggable-types.json"

_TOKEN = re.compile(r"super\(\w+, __self__\)\.__init__\(\s*'(aws:[^']+)'")
_ARGS_CLASS = re.compile(r"^class (\w+Args):\n(.*?)(?=^class |\Z)", re.S | re.M)
_TAGS_INPUT = re.compile(r"^\s+tags: Optional\[pulumi\.Input\[Mapping\[str,", re.M)


def _sdk_root() -> Path:
    spec = util.find_spec("pulumi_aws")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pulumi_aws is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _taggable_token(source: str) -> str | None:
    token = _TOKEN.search(source)
    if token is None:
        return None
    for match in _ARGS_CLASS.finditer(source):
        name, body = match.group(1), match.group(2)
        if name.startswith("_") or name.endswith("StateArgs"):
            continue
        init = body.split('\n        """', 1)[0]
        if re.search(
            r"^\s+tags: pulumi\.Input\[Optional\[Mapping\[str,", init, re.M
        ) or _TAGS_INPUT.search(init):
            return token.group(1)
    return None


def generate() -> list[str]:
    """Scan the installed SDK's resource modules; sorted type tokens."""
    tokens: set[str] = set()
    for path in sorted(_sdk_root().glob("*/*.py")):
        if path.name.startswith("_") or path.name.startswith("get_"):
            continue
        source = path.read_text(encoding="utf-8")
        if "pulumi.CustomResource" not in source:
            continue
        token = _taggable_token(source)
        if token is not None:
            tokens.add(token)
    return sorted(tokens)


@cache
def taggable_types() -> frozenset[str]:
    """The shipped set (read once per process)."""
    return frozenset(json.loads(DATA_FILE.read_text(encoding="utf-8"))["types"])


SDK_DISTRIBUTION = "pulumi-aws"


def render() -> str:
    return sdkscan.render(SDK_DISTRIBUTION, generate)


def main(argv: list[str] | None = None) -> int:
    description = __doc__.splitlines()[0] if __doc__ else None
    return sdkscan.generator_main(description, DATA_FILE, SDK_DISTRIBUTION, generate, argv)


if __name__ == "__main__":
    raise SystemExit(main())
