"""Log and metric sinks: a Log Analytics workspace, workspace-based Application Insights
and, when asked, an action group that e-mails alerts."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import applicationinsights, monitor, operationalinsights

from .. import naming
from ..retention import stateful_options
from ..settings import Retention

LOG_RETENTION_DAYS = 30
"""Default days logs stay queryable. The first 31 days of interactive retention are
included in the PerGB2018 ingestion price; longer costs per GB and month
(https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure)."""
RETENTION_RANGE = (30, 730)
"""Interactive retention a PerGB2018 workspace accepts."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SHORT_NAME_LENGTH = 12
"""An action group's short name (shown in e-mails and SMS) has at most 12 characters."""


@dataclass
class MonitoringArgs:
    resource_group_name: pulumi.Input[str]
    location: pulumi.Input[str]
    tags: Mapping[str, str]
    """Already-merged tags (``tags.merge_tags``), set on every child."""
    retention: Retention = Retention.DESTROYABLE
    """``protected``: Pulumi ``protect`` and ``retain_on_delete`` on the workspace and
    Application Insights (their data would go with them)."""
    retention_in_days: int = LOG_RETENTION_DAYS
    """Days logs and traces are kept (30-730)."""
    daily_quota_gb: float | None = None
    """Daily ingestion cap in GB; ingestion stops for the day when reached (data is
    lost, not delayed). ``None``: no cap."""
    alert_emails: Sequence[str] = ()
    """Addresses an action group e-mails alerts to (common alert schema); empty: no
    action group."""


class Monitoring(pulumi.ComponentResource):
    """Where the platform's logs, metrics and traces go.

    A Log Analytics workspace (pay per GB, ``PerGB2018``) that accepts only Entra ID
    authenticated ingestion and queries (local auth off) and lets users read only the
    logs of resources they can read; an Application Insights component stored in that
    workspace, also with local auth (instrumentation-key ingestion) off, so telemetry
    must be sent with a managed identity holding ``Monitoring Metrics Publisher``.
    """

    workspace: operationalinsights.Workspace
    app_insights: applicationinsights.Component
    action_group: monitor.ActionGroup | None
    workspace_id: pulumi.Output[str]
    workspace_name: pulumi.Output[str]
    workspace_customer_id: pulumi.Output[str]
    """The workspace GUID agents and queries use."""
    app_insights_id: pulumi.Output[str]
    app_insights_name: pulumi.Output[str]
    app_insights_connection_string: pulumi.Output[str]
    action_group_id: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:azure:Monitoring", name, None, opts)
        _validate(args)
        tags = dict(args.tags)
        self.workspace = operationalinsights.Workspace(
            naming.child(name),
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=tags,
            sku={"name": operationalinsights.WorkspaceSkuNameEnum.PER_GB2018},
            retention_in_days=args.retention_in_days,
            workspace_capping=(
                {"daily_quota_gb": args.daily_quota_gb} if args.daily_quota_gb is not None else None
            ),
            features={
                "disable_local_auth": True,
                "enable_log_access_using_only_resource_permissions": True,
            },
            opts=stateful_options(args.retention, self),
        )
        # ComponentArgs has ``resource_name`` (the component's name): keyword form only
        # (sdk-survey G1). Classic (non-workspace) Application Insights was retired on
        # 2024-02-29; ingestion mode LogAnalytics stores telemetry in the workspace.
        self.app_insights = applicationinsights.Component(
            naming.child(name, "appinsights"),
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=tags,
            kind="web",
            application_type=applicationinsights.ApplicationType.WEB,
            workspace_resource_id=self.workspace.id,
            ingestion_mode=applicationinsights.IngestionMode.LOG_ANALYTICS,
            disable_local_auth=True,
            disable_ip_masking=False,
            opts=stateful_options(args.retention, self),
        )
        self.action_group = None
        self.action_group_id = None
        if args.alert_emails:
            self.action_group = monitor.ActionGroup(
                naming.child(name, "alerts"),
                resource_group_name=args.resource_group_name,
                location="global",
                tags=tags,
                group_short_name=name[:SHORT_NAME_LENGTH],
                enabled=True,
                email_receivers=[
                    {
                        "name": f"email-{i}",
                        "email_address": address,
                        "use_common_alert_schema": True,
                    }
                    for i, address in enumerate(args.alert_emails)
                ],
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.action_group_id = self.action_group.id
        self.workspace_id = self.workspace.id
        self.workspace_name = self.workspace.name
        self.workspace_customer_id = self.workspace.customer_id
        self.app_insights_id = self.app_insights.id
        self.app_insights_name = self.app_insights.name
        self.app_insights_connection_string = self.app_insights.connection_string
        self.register_outputs(
            {
                "workspace_id": self.workspace_id,
                "workspace_name": self.workspace_name,
                "workspace_customer_id": self.workspace_customer_id,
                "app_insights_id": self.app_insights_id,
                "app_insights_name": self.app_insights_name,
                "action_group_id": self.action_group_id,
            }
        )


def _validate(args: MonitoringArgs) -> None:
    problems: list[str] = []
    low, high = RETENTION_RANGE
    if not low <= args.retention_in_days <= high:
        problems.append(f"retention_in_days: {args.retention_in_days} is not within {low}-{high}")
    if args.daily_quota_gb is not None and args.daily_quota_gb <= 0:
        problems.append(f"daily_quota_gb: {args.daily_quota_gb} must be positive (or null)")
    for i, address in enumerate(args.alert_emails):
        if not _EMAIL.match(address):
            problems.append(f"alert_emails[{i}]: {address!r} is not an e-mail address")
    if problems:
        raise ValueError("invalid MonitoringArgs:\n  - " + "\n  - ".join(problems))
