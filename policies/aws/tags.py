"""Cost-allocation tags on every taggable AWS resource."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, raw, resource_rule, string_list_schema
from ..tagging import REQUIRED_KEYS, present, provider_map
from .taggable import taggable_types

REQUIRED_TAGS = REQUIRED_KEYS


def _default_tags(args: ResourceValidationArgs) -> dict[str, Any]:
    """The provider's ``defaultTags.tags`` (providers may carry nested config as JSON)."""
    return provider_map(args, "defaultTags", "tags")


@resource_rule(
    name="aws-resource-require-cost-allocation-tags",
    description="Every taggable AWS resource must carry the cost-allocation tags.",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Pass the tags explicitly (the components merge them from stack settings) or set the "
        "AWS provider's default_tags; activate the keys as cost-allocation tags in Billing."
    ),
    references=["AWS Config required-tags"],
    resource_types=sorted(taggable_types()),
    config_schema={
        "requiredTags": string_list_schema(
            "Tag keys every resource needs (non-empty values).", REQUIRED_TAGS
        )
    },
)
def cost_allocation_tags(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Untagged spend cannot be charged back to a team or model, and cost anomaly alerts
    cannot say whose it is. Tags come from the resource's own ``tags`` (or ``tagsAll``)
    merged over the provider's ``defaultTags``; an unknown tag map fails closed."""
    tags: dict[str, Any] = _default_tags(args)
    computed = raw(args.props).get("tagsAll")
    if isinstance(computed, Mapping):
        tags.update(raw(computed))
    value = args.props.get("tags")  # an unknown tag map fails closed
    if isinstance(value, Mapping):
        tags.update(raw(value))
    missing = [key for key in config["requiredTags"] if not present(tags.get(key))]
    if missing:
        yield f"missing or empty tags: {', '.join(missing)}."
