"""Validation: compare the training job's final metric with the threshold.

Input: ``{"job_name": ...}``. Reads ``FinalMetricDataList`` of the job
(DescribeTrainingJob) and returns ``{"passed": bool, "metric": name, "value": number}``;
the workflow registers the model only when ``passed``. A job that did not report the
metric raises ``MetricMissing`` (the workflow fails).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from typing import Any

COMPARISONS = ("greater_or_equal", "less_or_equal")
"""``MetricComparison`` values of the settings."""


class MetricMissing(Exception):
    """The training job reported no value for the metric."""


def passes(value: float, threshold: float, comparison: str) -> bool:
    """Whether ``value`` is on the good side of ``threshold``; NaN never passes."""
    if comparison not in COMPARISONS:
        raise ValueError(f"comparison must be one of {COMPARISONS}, got {comparison!r}")
    if math.isnan(value):
        return False
    return value >= threshold if comparison == "greater_or_equal" else value <= threshold


def final_metric(metrics: Iterable[Mapping[str, Any]], name: str) -> float:
    """The value of ``name`` in a ``FinalMetricDataList``."""
    for metric in metrics:
        if metric.get("MetricName") == name:
            return float(metric["Value"])
    raise MetricMissing(f"the training job reported no final value for {name}")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    import boto3  # the Lambda runtime's

    name = os.environ["METRIC_NAME"]
    job = boto3.client("sagemaker").describe_training_job(TrainingJobName=event["job_name"])
    value = final_metric(job.get("FinalMetricDataList", []), name)
    passed = passes(value, float(os.environ["THRESHOLD"]), os.environ["COMPARISON"])
    return {"passed": passed, "metric": name, "value": value}
