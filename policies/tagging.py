"""What the three clouds' cost-allocation rules share: the required keys, what counts
as a value, and reading a map from the provider's configuration.

AWS and Azure call them tags, Google Cloud calls them labels; the keys are the same
(``project``, ``environment``, ``owner``, ``cost-centre`` are valid as both: GCP label
keys allow lowercase letters, digits, ``_`` and ``-``). Where the map comes from differs
per cloud: AWS merges the provider's ``defaultTags`` (and the computed ``tagsAll``),
Google Cloud the provider's ``defaultLabels`` (and the computed ``pulumiLabels`` /
``effectiveLabels``), Azure Native has no provider default."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from .framework import is_unknown, raw

REQUIRED_KEYS = ["project", "environment", "owner", "cost-centre"]
"""The cost-allocation keys every rule requires by default (policy config overrides)."""


def present(value: Any) -> bool:
    """A value that is unknown during preview will be a value; empty is not."""
    return is_unknown(value) or bool(str(value or "").strip())


def _decoded(value: Any) -> Any:
    """Providers may carry nested config as JSON text."""
    if isinstance(value, str) and not is_unknown(value):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def provider_map(args: ResourceValidationArgs, *path: str) -> dict[str, Any]:
    """The map at ``path`` in the resource's provider configuration (``defaultTags``,
    ``tags`` for AWS; ``defaultLabels`` for GCP); empty when unset or unreadable."""
    provider = args.provider
    if provider is None:
        return {}
    value: Any = provider.props
    for step in path:
        value = _decoded(raw(value).get(step)) if isinstance(value, Mapping) else None
        if value is None:
            return {}
    return dict(raw(value)) if isinstance(value, Mapping) else {}
