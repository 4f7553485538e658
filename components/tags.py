"""The one place where tags are decided.

Precedence, lowest to highest (a later layer wins on the same key):

1. **platform tags** from the stack settings: ``project``, ``environment``, ``owner``,
   ``cost-centre``, ``managed-by`` and ``tags.extra``;
2. **caller overrides** passed to a component (``tags=``);
3. **owned tags** that the component sets about itself (``component``), and the
   platform keys ``project``, ``environment`` and ``managed-by``, which no caller can
   replace: cost reports and policies rely on them.

Tags are passed explicitly to every taggable child (transforms do not run under mocks,
so tagging by transform would be invisible to the offline preview and to tests); on
AWS the provider's ``default_tags`` carries the platform tags as well.
"""

from __future__ import annotations

from collections.abc import Mapping

from .settings import StackSettings

PROJECT = "mlops-iac"
RESERVED_KEYS = ("project", "environment", "managed-by", "component")


def platform_tags(settings: StackSettings) -> dict[str, str]:
    """The stack-wide cost-allocation tags (layer 1)."""
    tags = dict(settings.tags.extra)
    tags.update(
        {
            "project": PROJECT,
            "environment": settings.environment.value,
            "owner": settings.tags.owner,
            "cost-centre": settings.tags.cost_centre,
            "managed-by": "pulumi",
        }
    )
    return tags


def merge_tags(
    platform: Mapping[str, str],
    overrides: Mapping[str, str] | None = None,
    component: str | None = None,
) -> dict[str, str]:
    """Apply the precedence rule above; returns a new dict with sorted keys."""
    merged = dict(platform)
    for key, value in (overrides or {}).items():
        if key in RESERVED_KEYS and key in platform:
            continue
        merged[key] = value
    if component is not None:
        merged["component"] = component
    return dict(sorted(merged.items()))
