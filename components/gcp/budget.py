"""``StackBudget`` (Google Cloud): a Cloud Billing budget on the stack's project with
actual and forecast thresholds, e-mailed through Cloud Monitoring channels and, when
set, published to a Pub/Sub topic.

Google Cloud has no cost-anomaly resource (no API, no Terraform or Pulumi resource:
hashicorp/terraform-provider-google#19864); anomalies show in the Billing console's
cost anomaly view. The forecast threshold is the closest alert a stack can create, and
the Pub/Sub topic is where an automated response (a function that scales a pool to
zero) subscribes. The budget filters on ``projects/<project number>``: the id is
rejected (terraform-provider-google#12196). The deploying identity needs
``roles/billing.costsManager`` on the billing account; with user credentials the
provider needs ``billing_project`` and ``user_project_override``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from ..naming import child
from ..settings.budget import BudgetSettings
from .log_sinks import AlertChannel, AlertChannelArgs

SPEND_BASIS = {"actual": "CURRENT_SPEND", "forecast": "FORECASTED_SPEND"}


@dataclass
class StackBudgetArgs:
    settings: BudgetSettings
    name_prefix: str
    project: str
    labels: Mapping[str, str]


def amount(usd: float) -> gcp.billing.BudgetAmountArgs:
    """``usd`` as whole units and nanos."""
    units = int(usd)
    return gcp.billing.BudgetAmountArgs(
        specified_amount=gcp.billing.BudgetAmountSpecifiedAmountArgs(
            currency_code="USD", units=str(units), nanos=round((usd - units) * 1e9)
        )
    )


def threshold_rules(settings: BudgetSettings) -> list[gcp.billing.BudgetThresholdRuleArgs]:
    """Percentages as the API's fractions (80 % -> 0.8)."""
    return [
        gcp.billing.BudgetThresholdRuleArgs(
            threshold_percent=threshold / 100, spend_basis=SPEND_BASIS[kind]
        )
        for kind, threshold in settings.thresholds()
    ]


class StackBudget(pulumi.ComponentResource):
    """``<name>`` budget and ``<name>-email-<n>`` channels."""

    def __init__(
        self, name: str, args: StackBudgetArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:StackBudget", name, None, opts)
        here = pulumi.ResourceOptions(parent=self)
        settings = args.settings
        gcp_settings = settings.gcp
        if gcp_settings is None:
            raise ValueError("budget.gcp: billing_account and project_number are required")
        self.channels = [
            AlertChannel(
                child(name, f"email-{index}"),
                AlertChannelArgs(
                    email=email,
                    labels=args.labels,
                    display_name=f"{args.name_prefix} budget ({email})",
                    project=args.project,
                ),
                opts=here,
            )
            for index, email in enumerate(settings.emails)
        ]
        self.budget = gcp.billing.Budget(
            name,
            billing_account=gcp_settings.billing_account,
            display_name=f"{args.name_prefix}-monthly-cost",
            amount=amount(settings.amount_usd),
            budget_filter=gcp.billing.BudgetBudgetFilterArgs(
                projects=[f"projects/{gcp_settings.project_number}"],
                calendar_period="MONTH",
                credit_types_treatment="INCLUDE_ALL_CREDITS",
            ),
            threshold_rules=threshold_rules(settings),
            all_updates_rule=gcp.billing.BudgetAllUpdatesRuleArgs(
                monitoring_notification_channels=[c.channel_id for c in self.channels],
                pubsub_topic=gcp_settings.pubsub_topic,
                schema_version="1.0" if gcp_settings.pubsub_topic else None,
                disable_default_iam_recipients=False,
            ),
            opts=here,
        )
        self.budget_name = self.budget.name
        self.register_outputs({"budget_name": self.budget_name})
