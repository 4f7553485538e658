"""The labelable Google Cloud resource types and the input that carries each one's
labels, derived from the installed ``pulumi_gcp`` SDK.

A type is labelable when the provider manages its labels the way it manages
``default_labels``: the resource has the computed ``effective_labels`` output (every
label on the resource, including the provider's ``default_labels`` and labels set
outside Pulumi) and ``pulumi_labels`` (the provider's name for Terraform's
``terraform_labels``: the labels set on the resource merged over ``default_labels``).
Its labels input is ``labels``, except ``gcp:container/cluster:Cluster``, which takes
``resource_labels``. Types whose ``labels`` input is something else (a notification
channel's ``labels`` are its delivery settings) have no ``effective_labels`` and are left
out.

The result ships as ``data/gcp-labelable-types.json`` (type token -> the engine's
camelCase name of the labels input) so policies never import the 290 MB SDK at runtime.
Regenerate after upgrading ``pulumi-gcp``::

    python -m mlops_policies.gcp.labelable --write

``tests/policies`` fails when the file and the installed SDK disagree (and skips when
the SDK is not installed)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from .. import sdkscan

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "gcp-labelable-types.json"
SDK_MODULE = "pulumi_gcp"
SDK_DISTRIBUTION = "pulumi-gcp"

# The labels input when it is not ``labels`` (``namespace_labels`` of a GKE Hub scope or
# namespace are Kubernetes namespace labels, not resource labels).
_LABEL_INPUTS = ("labels", "resource_labels")


def generate() -> dict[str, str]:
    """Type token -> camelCase labels input, sorted by token."""
    found: dict[str, str] = {}
    for _, source in sdkscan.resource_modules(SDK_MODULE):
        if "effective_labels" not in source:
            continue
        token = sdkscan.type_token(source, "gcp")
        if token is None:
            continue
        maps = sdkscan.input_maps(source)
        for name in _LABEL_INPUTS:
            if name in maps:
                found[token] = sdkscan.camel(name)
                break
    return dict(sorted(found.items()))


@cache
def labelable_types() -> dict[str, str]:
    """The shipped table (read once per process): type token -> labels input."""
    return dict(json.loads(DATA_FILE.read_text(encoding="utf-8"))["types"])


def render() -> str:
    return sdkscan.render(SDK_DISTRIBUTION, generate)


def main(argv: list[str] | None = None) -> int:
    description = __doc__.splitlines()[0] if __doc__ else None
    return sdkscan.generator_main(description, DATA_FILE, SDK_DISTRIBUTION, generate, argv)


if __name__ == "__main__":
    raise SystemExit(main())
