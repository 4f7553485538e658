"""``StackBudget`` (Azure): a consumption budget on the stack's resource group that
e-mails the addresses and the foundation's action group, and a cost anomaly alert (a
Cost Management *InsightAlert* scheduled action).

Anomaly alerts exist only at subscription scope ("Insight Alerts are only available on
subscription scope", Cost Management REST reference, scheduled actions): the alert
watches the daily anomaly view by resource group of the stack's subscription, so it
also reports anomalies of other resource groups there. A budget takes at most five
notifications (``BudgetSettings`` checks it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import consumption, costmanagement

from ..naming import child
from ..settings.budget import BudgetSettings

BUDGET_START = "2026-12-01T00:00:00Z"
"""First month the budget counts: the first of a month on or after 2017-06-01; a past
month is accepted, and the budget runs ten years from it (the API's default end)."""
ANOMALY_SCHEDULE = ("2026-12-01T00:00:00Z", "2031-12-01T00:00:00Z")
"""Start and end of the daily anomaly check (the API requires both)."""
THRESHOLD_TYPES = {"actual": "Actual", "forecast": "Forecasted"}
ANOMALY_VIEW = "ms:DailyAnomalyByResourceGroup"
"""Cost Management's built-in view that anomaly alerts evaluate."""


@dataclass
class StackBudgetArgs:
    settings: BudgetSettings
    name_prefix: str
    resource_group_id: pulumi.Input[str]
    """``/subscriptions/<id>/resourceGroups/<name>``: the budget's scope."""
    action_group_ids: Sequence[pulumi.Input[str]] = ()
    """Action groups notified beside the e-mail addresses."""


def subscription_scope(resource_group_id: str) -> str:
    """``subscriptions/<id>`` from a resource group id."""
    parts = resource_group_id.strip("/").split("/")
    if len(parts) < 2 or parts[0].lower() != "subscriptions":
        raise ValueError(f"not a resource group id: {resource_group_id!r}")
    return f"subscriptions/{parts[1]}"


def notifications(
    settings: BudgetSettings, action_group_ids: Sequence[pulumi.Input[str]]
) -> dict[str, consumption.NotificationArgs]:
    """``actual-80``, ``forecasted-100``, ...: one per threshold."""
    return {
        f"{THRESHOLD_TYPES[kind].lower()}-{threshold:g}": consumption.NotificationArgs(
            enabled=True,
            operator="GreaterThan",
            threshold=threshold,
            threshold_type=THRESHOLD_TYPES[kind],
            contact_emails=list(settings.emails),
            contact_groups=list(action_group_ids),
        )
        for kind, threshold in settings.thresholds()
    }


class StackBudget(pulumi.ComponentResource):
    """``<name>`` budget and ``<name>-anomalies`` alert."""

    def __init__(
        self, name: str, args: StackBudgetArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:azure:StackBudget", name, None, opts)
        here = pulumi.ResourceOptions(parent=self)
        settings = args.settings
        self.budget = consumption.Budget(
            name,
            scope=args.resource_group_id,
            budget_name=f"{args.name_prefix}-monthly-cost",
            amount=settings.amount_usd,
            category="Cost",
            time_grain="Monthly",
            time_period=consumption.BudgetTimePeriodArgs(start_date=BUDGET_START),
            notifications=notifications(settings, args.action_group_ids),
            opts=here,
        )
        scope = pulumi.Output.from_input(args.resource_group_id).apply(subscription_scope)
        self.anomaly_alert = costmanagement.ScheduledActionByScope(
            child(name, "anomalies"),
            scope=scope,
            name=f"{args.name_prefix}-cost-anomalies",
            kind="InsightAlert",
            display_name=f"{args.name_prefix} cost anomalies",
            status="Enabled",
            view_id=scope.apply(
                lambda s: f"/{s}/providers/Microsoft.CostManagement/views/{ANOMALY_VIEW}"
            ),
            notification=costmanagement.NotificationPropertiesArgs(
                to=list(settings.emails),
                subject=f"Cost anomaly in {args.name_prefix}",
            ),
            schedule=costmanagement.SchedulePropertiesArgs(
                frequency="Daily", start_date=ANOMALY_SCHEDULE[0], end_date=ANOMALY_SCHEDULE[1]
            ),
            opts=here,
        )
        self.budget_name = self.budget.name
        self.register_outputs({"budget_name": self.budget_name})
