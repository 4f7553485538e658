"""CloudWatch alarms that page the stack's encrypted alarm topic, built one way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .names import fixed_name


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm: ``metric`` of ``namespace`` over 5-minute periods."""

    role: str
    """Ends the logical and the physical name (``<prefix>-<role>``)."""
    description: str
    namespace: str
    metric: str
    threshold: float
    statistic: str = "Sum"
    """``Sum``/``Average``/``Maximum``..., or a percentile such as ``p99``."""
    comparison: str = "GreaterThanOrEqualToThreshold"
    evaluation_periods: int = 1


def metric_alarm(
    name: str,
    spec: AlarmSpec,
    *,
    name_prefix: str,
    dimensions: Mapping[str, pulumi.Input[str]],
    topic_arn: pulumi.Input[str],
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> aws.cloudwatch.MetricAlarm:
    """``<name>``: an alarm named ``<name_prefix>-<spec.role>`` (claimed, so two alarms
    of a stack cannot share a name) that notifies ``topic_arn`` when it fires and when it
    recovers. Missing data (no traffic, no runs) is not breaching."""
    percentile = spec.statistic.startswith("p")
    return aws.cloudwatch.MetricAlarm(
        name,
        name=fixed_name("cloudwatch-alarm", name_prefix, spec.role, owner=name, max_length=255),
        alarm_description=spec.description,
        namespace=spec.namespace,
        metric_name=spec.metric,
        dimensions=dict(dimensions),
        statistic=None if percentile else spec.statistic,
        extended_statistic=spec.statistic if percentile else None,
        period=300,
        evaluation_periods=spec.evaluation_periods,
        threshold=spec.threshold,
        comparison_operator=spec.comparison,
        treat_missing_data="notBreaching",
        alarm_actions=[topic_arn],
        ok_actions=[topic_arn],
        tags=dict(tags),
        opts=pulumi.ResourceOptions(parent=parent),
    )
