"""The set of taggable Azure resource types, derived from the installed
``pulumi_azure_native`` SDK.

A type is taggable when its ``*Args`` input class has a ``tags`` input that is a map of
strings: the ARM ``tags`` property of a tracked resource. Azure Native has no provider
default tags, so the tags a policy sees are the resource's own.

The result ships as ``data/azure-taggable-types.json`` so policies never import the
360 MB SDK at runtime. Regenerate after upgrading ``pulumi-azure-native``::

    python -m mlops_policies.azure.taggable --write

``tests/policies`` fails when the file and the installed SDK disagree (and skips when
the SDK is not installed)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from .. import sdkscan

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "azure-taggable-types.json"
SDK_MODULE = "pulumi_azure_native"
SDK_DISTRIBUTION = "pulumi-azure-native"


def generate() -> list[str]:
    """Scan the installed SDK's resource modules; sorted type tokens."""
    tokens: set[str] = set()
    for _, source in sdkscan.resource_modules(SDK_MODULE):
        token = sdkscan.type_token(source, "azure-native")
        if token is not None and "tags" in sdkscan.input_maps(source):
            tokens.add(token)
    return sorted(tokens)


@cache
def taggable_types() -> frozenset[str]:
    """The shipped set (read once per process)."""
    return frozenset(json.loads(DATA_FILE.read_text(encoding="utf-8"))["types"])


def render() -> str:
    return sdkscan.render(SDK_DISTRIBUTION, generate)


def main(argv: list[str] | None = None) -> int:
    description = __doc__.splitlines()[0] if __doc__ else None
    return sdkscan.generator_main(description, DATA_FILE, SDK_DISTRIBUTION, generate, argv)


if __name__ == "__main__":
    raise SystemExit(main())
