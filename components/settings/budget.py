"""The stack's budget: ``mlops-iac:budget``, one monthly cost budget and anomaly alert per
cloud the stack uses (``docs/cost.md``).

The amount is explicit, in USD per month: a Pulumi program cannot know the plan's
estimate, so ``mlops-iac plan`` checks instead that the amount covers the estimated
baseline with the environment's headroom (the ``<cloud>-stack-budget-covers-estimate``
rules) and prints the estimate to choose it from."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import EmailStr, Field, StringConstraints, field_validator, model_validator

from ..vocabulary import Strict

BillingAccount = Annotated[str, StringConstraints(pattern=r"^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$")]
"""A Cloud Billing account id, ``012345-6789AB-CDEF01`` (upper-case hex)."""
ProjectNumber = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{5,18}$")]
PubSubTopic = Annotated[
    str,
    StringConstraints(
        pattern=r"^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/topics/[A-Za-z][A-Za-z0-9_.~+%-]{2,254}$"
    ),
]
MAX_NOTIFICATIONS = 5
"""Notifications an Azure consumption budget accepts (AWS: 10; GCP: no limit)."""
Percent = Annotated[float, Field(gt=0, le=1000)]


class GcpBudgetSettings(Strict):
    """What a Google Cloud billing budget needs beyond the stack's project."""

    billing_account: BillingAccount = Field(
        description="Billing account the project is linked to; the deploying identity "
        "needs roles/billing.costsManager on it."
    )
    project_number: ProjectNumber = Field(
        description="The project's number (not its id): budget filters take "
        "`projects/<number>` and reject the id."
    )
    pubsub_topic: PubSubTopic | None = Field(
        default=None,
        description="Also publish every budget update to this topic "
        "(`projects/<id>/topics/<name>`) for automated responses. Default: e-mail only.",
    )


class BudgetSettings(Strict):
    """A monthly cost budget on the stack's resources, with notifications by e-mail, and
    a cost anomaly alert where the cloud has one (AWS, Azure)."""

    amount_usd: float = Field(
        gt=0,
        description="Monthly budget in USD for each cloud the stack uses. Choose it from "
        "the plan's cost section: it must cover the baseline estimate plus the "
        "environment's headroom (policy rule <cloud>-stack-budget-covers-estimate).",
    )
    emails: list[EmailStr] = Field(
        min_length=1,
        max_length=5,
        description="Who is told (1-5 addresses: GCP budgets take at most 5 channels, "
        "AWS notifications at most 10 subscribers).",
    )
    actual_thresholds_percent: list[Percent] = Field(
        default_factory=lambda: [50.0, 80.0, 100.0],
        min_length=1,
        description="Notify when actual spend passes these percentages of the amount.",
    )
    forecast_thresholds_percent: list[Percent] = Field(
        default_factory=lambda: [100.0],
        description="Notify when the month's forecast passes these percentages.",
    )
    anomaly_threshold_usd: float = Field(
        default=20.0,
        gt=0,
        description="AWS Cost Anomaly Detection: alert on anomalies whose total impact "
        "reaches this many USD (daily summary).",
    )
    gcp: GcpBudgetSettings | None = Field(
        default=None, description="Required when the stack has Google Cloud resources."
    )

    @field_validator("actual_thresholds_percent", "forecast_thresholds_percent")
    @classmethod
    def _distinct(cls, values: list[float]) -> list[float]:
        if len(set(values)) != len(values):
            raise ValueError("thresholds must be distinct")
        return sorted(values)

    def thresholds(self) -> list[tuple[str, float]]:
        """``("actual", 50.0)``, ..., ``("forecast", 100.0)``: every notification, actual
        spend first; each cloud's block maps the two kinds to its own words."""
        return [("actual", t) for t in self.actual_thresholds_percent] + [
            ("forecast", t) for t in self.forecast_thresholds_percent
        ]

    @model_validator(mode="after")
    def _at_most_five(self) -> Self:
        count = len(self.actual_thresholds_percent) + len(self.forecast_thresholds_percent)
        if count > MAX_NOTIFICATIONS:
            raise ValueError(
                f"actual_thresholds_percent and forecast_thresholds_percent: {count} "
                f"thresholds; an Azure budget takes at most {MAX_NOTIFICATIONS} notifications"
            )
        return self
