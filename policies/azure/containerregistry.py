"""Container registry rules: Entra-only registries for model images."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, resource_rule

REGISTRY = "azure-native:containerregistry:Registry"


@resource_rule(
    name="azure-acr-disallow-admin-user",
    description="Container registries must have the local admin user disabled.",
    category=Category.SECURITY,
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set admin_user_enabled=False; pull with AcrPull granted to identities.",
    references=["Azure Policy dc921057-6b28-4fbe-9b83-f7bec05db6c2"],
    resource_types=[REGISTRY],
)
def admin_user(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """The admin user is one shared password with push rights to every repository."""
    if args.props.get("adminUserEnabled") is not False:
        yield "adminUserEnabled is not false; set it to false."
