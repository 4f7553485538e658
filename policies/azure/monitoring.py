"""Application Insights and Log Analytics rules: telemetry accepted only from Entra
ID-authenticated senders."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, dig, resource_rule, truthy

APP_INSIGHTS = "azure-native:applicationinsights:Component"
LOG_ANALYTICS = "azure-native:operationalinsights:Workspace"


@resource_rule(
    name="azure-appinsights-disallow-local-auth",
    description="Application Insights components must accept only Entra ID-authenticated "
    "ingestion.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set disable_local_auth=True; senders use an identity with Monitoring "
    "Metrics Publisher.",
    references=["Azure Policy 199d5677-e4d9-4264-9465-efe1839c06bd"],
    resource_types=[APP_INSIGHTS],
)
def app_insights_local_auth(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """The instrumentation key is public in every client; with local auth anyone holding
    it can write (and poison) telemetry."""
    if not truthy(args.props.get("disableLocalAuth")):
        yield "disableLocalAuth is not true; set it to true."


@resource_rule(
    name="azure-log-analytics-disallow-local-auth",
    description="Log Analytics workspaces must accept only Entra ID-authenticated ingestion.",
    category=Category.SECURITY,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Set features.disable_local_auth=True.",
    references=["Azure Policy e15effd4-2278-4c65-a0da-4d6f6d1890e2"],
    resource_types=[LOG_ANALYTICS],
)
def log_analytics_local_auth(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """Workspace keys let any holder send logs and are shared by every agent."""
    if not truthy(dig(args.props, "features", "disableLocalAuth")):
        yield "features.disableLocalAuth is not true; set it to true."
