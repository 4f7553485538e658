"""Cost-allocation tags on every taggable Azure resource."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, raw, resource_rule, string_list_schema
from ..tagging import REQUIRED_KEYS, present
from .taggable import taggable_types


@resource_rule(
    name="azure-resource-require-cost-allocation-tags",
    description="Every taggable Azure resource must carry the cost-allocation tags.",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Pass the tags explicitly on every resource (the components merge them from stack "
        "settings; Azure Native has no provider default tags), then enable the keys for "
        "cost allocation in Cost Management."
    ),
    references=[
        "none (project rule: Azure Policy's required-tag built-ins act at deployment time, "
        "this rule checks the program before it)"
    ],
    resource_types=sorted(taggable_types()),
    config_schema={
        "requiredTags": string_list_schema(
            "Tag keys every resource needs (non-empty values).", REQUIRED_KEYS
        )
    },
)
def cost_allocation_tags(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Untagged spend cannot be charged back to a team or model in Cost Management, and
    tags do not flow from a resource group to its resources. Azure Native has no provider
    default tags, so the resource's own ``tags`` must carry every key; an unknown tag map
    fails closed."""
    value = args.props.get("tags")  # an unknown tag map fails closed
    tags = dict(raw(value)) if isinstance(value, Mapping) else {}
    missing = [key for key in config["requiredTags"] if not present(tags.get(key))]
    if missing:
        yield f"missing or empty tags: {', '.join(missing)}."
