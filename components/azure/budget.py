"""``StackBudget`` (Azure): a consumption budget on the stack's resource group that
e-mails the addresses and the foundation's action group, and a cost anomaly alert (a
Cost Management *InsightAlert* scheduled action).

Anomaly alerts exist only at subscription scope ("Insight Alerts are only available on
subscription scope", Cost Management REST reference, scheduled actions): the alert
watches the daily anomaly view by resource group of the stack's subscription, so it
also reports anomalies of other resource groups there. A budget takes at most five
notifications (``BudgetSettings`` checks it)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import consumption, costmanagement

from ..naming import child
from ..settings.budget import BudgetSettings

ANOMALY_ALERT_YEARS = 5
"""How long the daily anomaly check runs from its start (the API requires an end)."""
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
    start: datetime.date = field(default_factory=lambda: month_start(datetime.date.today()))
    """First month counted, and the anomaly check's start; set at the first deployment
    and then ignored (``ignore_changes``), so later runs do not try to move it."""


def month_start(today: datetime.date) -> datetime.date:
    """The first day of ``today``'s month: the Budgets API takes the first of a month,
    at most twelve months ahead and, in the past, only within the current time grain,
    so a fixed date would fail a later first deployment."""
    return today.replace(day=1)


def iso(day: datetime.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


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
            time_period=consumption.BudgetTimePeriodArgs(start_date=iso(args.start)),
            notifications=notifications(settings, args.action_group_ids),
            opts=pulumi.ResourceOptions.merge(
                here, pulumi.ResourceOptions(ignore_changes=["timePeriod"])
            ),
        )
        end = args.start.replace(year=args.start.year + ANOMALY_ALERT_YEARS)
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
                frequency="Daily", start_date=iso(args.start), end_date=iso(end)
            ),
            opts=pulumi.ResourceOptions.merge(
                here,
                pulumi.ResourceOptions(ignore_changes=["schedule.startDate", "schedule.endDate"]),
            ),
        )
        self.budget_name = self.budget.name
        self.register_outputs({"budget_name": self.budget_name})
