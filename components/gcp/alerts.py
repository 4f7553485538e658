"""Cloud Monitoring alert policies sent to notification channels: metric thresholds and
log matches, one ``monitoring.AlertPolicy`` each."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from pulumi_gcp.monitoring import AlertPolicyConditionArgsDict

from .. import naming
from ._common import label_problems, raise_problems

SERVICES = ("monitoring.googleapis.com", "logging.googleapis.com")

KEY = re.compile(r"^[a-z][a-z0-9-]{0,39}$")

LOG_ALERT_RATE_LIMIT = "300s"
"""Log-match alerts notify at most once per this period (required for log-based alert
policies: https://cloud.google.com/monitoring/alerts/log-based-alerts)."""


@dataclass(frozen=True)
class ThresholdAlert:
    """A metric that stays above ``threshold`` for ``duration_seconds``."""

    title: str
    filter: str
    """Monitoring filter: ``metric.type``, ``resource.type`` and labels."""
    aligner: str
    """``ALIGN_RATE``, ``ALIGN_PERCENTILE_99``, ``ALIGN_SUM`` ..."""
    threshold: float
    reducer: str = "REDUCE_NONE"
    alignment_seconds: int = 300
    duration_seconds: int = 300


@dataclass(frozen=True)
class LogAlert:
    """A log entry matching ``filter`` (Logging query language)."""

    title: str
    filter: str


Alert = ThresholdAlert | LogAlert


def condition(alert: Alert) -> AlertPolicyConditionArgsDict:
    if isinstance(alert, LogAlert):
        return {"display_name": alert.title, "condition_matched_log": {"filter": alert.filter}}
    return {
        "display_name": alert.title,
        "condition_threshold": {
            "filter": alert.filter,
            "comparison": "COMPARISON_GT",
            "threshold_value": alert.threshold,
            "duration": f"{alert.duration_seconds}s",
            "aggregations": [
                {
                    "alignment_period": f"{alert.alignment_seconds}s",
                    "per_series_aligner": alert.aligner,
                    "cross_series_reducer": alert.reducer,
                }
            ],
        },
    }


@dataclass
class AlertPoliciesArgs:
    alerts: Mapping[str, Alert]
    """Keyed by a short stable name that names the child (``<name>-<key>``)."""
    channels: Sequence[pulumi.Input[str]]
    """Notification channel ids (``AlertChannel.channel_id``); empty: the policies only
    show in the console."""
    labels: Mapping[str, str]


class AlertPolicies(pulumi.ComponentResource):
    policies: dict[str, gcp.monitoring.AlertPolicy]

    def __init__(
        self, name: str, args: AlertPoliciesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:AlertPolicies", name, None, opts)
        problems = label_problems(args.labels)
        problems += [
            f"alerts[{k!r}]: keys are 1-40 lower-case letters"
            for k in args.alerts
            if not KEY.match(k)
        ]
        raise_problems("AlertPoliciesArgs", problems)
        self.policies = {}
        for key, alert in args.alerts.items():
            log = isinstance(alert, LogAlert)
            self.policies[key] = gcp.monitoring.AlertPolicy(
                naming.child(name, key),
                display_name=alert.title,
                combiner="OR",
                conditions=[condition(alert)],
                notification_channels=list(args.channels),
                alert_strategy=(
                    {"notification_rate_limit": {"period": LOG_ALERT_RATE_LIMIT}} if log else None
                ),
                severity="ERROR",
                user_labels=dict(args.labels),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"policies": sorted(self.policies)})
