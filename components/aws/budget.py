"""``StackBudget`` (AWS): a monthly cost budget on the stack's cost-allocation tags with
actual and forecast e-mail notifications, and Cost Anomaly Detection (a monitor on the
stack's ``environment`` tag with a daily e-mail subscription).

Budgets and Cost Explorer only see user tags that are *activated* as cost-allocation
tags in the payer account's Billing console (``project``, ``environment``); until then
the budget counts nothing. Both services are global (no region argument) and free for
budgets without actions."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..naming import child
from ..settings.budget import BudgetSettings

TAG_KEYS = ("project", "environment")
"""Platform tags (``tags.platform_tags``) that single out the stack in cost data."""
NOTIFICATION_TYPES = {"actual": "ACTUAL", "forecast": "FORECASTED"}
BUDGET_NAME = "{prefix}-monthly-cost"
"""The budget's fixed name (unique per account); the CI deploy role is scoped to it."""
ANOMALY_TAG = "environment"
"""A cost-allocation-tag anomaly monitor watches one tag key."""


@dataclass
class StackBudgetArgs:
    settings: BudgetSettings
    name_prefix: str
    """Starts the budget's and the monitor's names (unique per account)."""
    tags: Mapping[str, str]
    """Platform tags; the budget filters on ``TAG_KEYS`` of them."""


def budget_notifications(settings: BudgetSettings) -> list[aws.budgets.BudgetNotificationArgs]:
    """One notification per threshold: ``ACTUAL`` then ``FORECASTED``, in percent."""
    return [
        aws.budgets.BudgetNotificationArgs(
            comparison_operator="GREATER_THAN",
            notification_type=NOTIFICATION_TYPES[kind],
            threshold=threshold,
            threshold_type="PERCENTAGE",
            subscriber_email_addresses=list(settings.emails),
        )
        for kind, threshold in settings.thresholds()
    ]


class StackBudget(pulumi.ComponentResource):
    """``<name>`` budget, ``<name>-anomalies`` monitor, ``<name>-anomaly-alerts``
    subscription."""

    def __init__(
        self, name: str, args: StackBudgetArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:aws:StackBudget", name, None, opts)
        here = pulumi.ResourceOptions(parent=self)
        settings = args.settings
        tags = dict(args.tags)
        self.budget = aws.budgets.Budget(
            name,
            name=BUDGET_NAME.format(prefix=args.name_prefix),
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=f"{settings.amount_usd:.2f}",
            limit_unit="USD",
            filter_expression=aws.budgets.BudgetFilterExpressionArgs(
                ands=[
                    aws.budgets.BudgetFilterExpressionAndArgs(
                        tags=aws.budgets.BudgetFilterExpressionAndTagsArgs(
                            key=key, values=[tags[key]], match_options=["EQUALS"]
                        )
                    )
                    for key in TAG_KEYS
                ]
            ),
            notifications=budget_notifications(settings),
            tags=tags,
            # The name is fixed: a replacement must delete the old budget first.
            opts=pulumi.ResourceOptions.merge(
                here, pulumi.ResourceOptions(delete_before_replace=True)
            ),
        )
        self.monitor = aws.costexplorer.AnomalyMonitor(
            child(name, "anomalies"),
            name=f"{args.name_prefix}-cost-anomalies",
            monitor_type="CUSTOM",
            monitor_specification=json.dumps(
                {
                    "Tags": {
                        "Key": ANOMALY_TAG,
                        "Values": [tags[ANOMALY_TAG]],
                        "MatchOptions": ["EQUALS"],
                    }
                }
            ),
            tags=tags,
            opts=here,
        )
        self.subscription = aws.costexplorer.AnomalySubscription(
            child(name, "anomaly-alerts"),
            name=f"{args.name_prefix}-cost-anomaly-alerts",
            frequency="DAILY",
            monitor_arn_lists=[self.monitor.arn],
            subscribers=[
                aws.costexplorer.AnomalySubscriptionSubscriberArgs(type="EMAIL", address=email)
                for email in settings.emails
            ],
            threshold_expression=aws.costexplorer.AnomalySubscriptionThresholdExpressionArgs(
                dimension=aws.costexplorer.AnomalySubscriptionThresholdExpressionDimensionArgs(
                    key="ANOMALY_TOTAL_IMPACT_ABSOLUTE",
                    match_options=["GREATER_THAN_OR_EQUAL"],
                    values=[f"{settings.anomaly_threshold_usd:g}"],
                )
            ),
            tags=tags,
            opts=here,
        )
        self.budget_name = self.budget.name
        self.monitor_arn = self.monitor.arn
        self.register_outputs({"budget_name": self.budget_name, "monitor_arn": self.monitor_arn})
