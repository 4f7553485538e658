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

import argparse
import json
import re
import sys
from functools import cache
from importlib import util
from pathlib import Path

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


def sdk_version() -> str:
    from importlib.metadata import version

    return version("pulumi-aws")


def render() -> str:
    payload = {"pulumi-aws": sdk_version(), "types": generate()}
    return json.dumps(payload, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--write", action="store_true", help=f"write {DATA_FILE.name} instead of printing"
    )
    options = parser.parse_args(argv)
    text = render()
    if options.write:
        DATA_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {len(json.loads(text)['types'])} types to {DATA_FILE}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
