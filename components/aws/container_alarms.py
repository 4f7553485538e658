"""CloudWatch alarms of the container architecture, on Container Insights metrics
(``ContainerInsights`` namespace, published by the ``amazon-cloudwatch-observability``
add-on): nodes not ready, container restarts and, where GPU pools exist, GPU
utilisation. Metric names and dimensions: "Amazon EKS and Kubernetes Container
Insights with enhanced observability metrics",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-enhanced-EKS.html."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..naming import child
from .names import fixed_name

NAMESPACE = "ContainerInsights"


@dataclass(frozen=True)
class ContainerAlarm:
    role: str
    metric: str
    statistic: str
    threshold: float
    periods: int
    description: str


def container_alarms(restart_threshold: int, gpu_percent: int, gpus: bool) -> list[ContainerAlarm]:
    """The alarms: any node not ready for 5 minutes; ``restart_threshold`` container
    restarts in 5 minutes; with GPU pools, average GPU use at or above ``gpu_percent``
    for 15 minutes (the pools are saturated: raise max_nodes)."""
    alarms = [
        ContainerAlarm(
            "nodes-not-ready", "cluster_failed_node_count", "Maximum", 1, 1,
            "A node of the serving cluster has been failing a node condition (not Ready).",
        ),
        ContainerAlarm(
            "pod-restarts", "pod_number_of_container_restarts", "Sum", restart_threshold, 1,
            "Containers of the serving cluster keep restarting (crash loops, OOM kills).",
        ),
    ]  # fmt: skip
    if gpus:
        alarms.append(
            ContainerAlarm(
                "gpu-utilisation",
                "node_gpu_utilization",
                "Average",
                gpu_percent,
                3,
                "The GPU nodes are saturated; raise the pool's max_nodes.",
            )
        )
    return alarms


def create_alarms(
    name: str,
    *,
    cluster_name: str,
    alarms: list[ContainerAlarm],
    topic_arn: pulumi.Input[str],
    tags: Mapping[str, str],
    parent: pulumi.Resource,
) -> dict[str, aws.cloudwatch.MetricAlarm]:
    """One alarm per entry, ``<cluster>-<role>``, notifying ``topic_arn``. Missing data
    (a pool at zero nodes, no restarts reported) is not breaching."""
    found = {}
    for alarm in alarms:
        role = child(name, alarm.role)
        found[alarm.role] = aws.cloudwatch.MetricAlarm(
            role,
            name=fixed_name("cloudwatch-alarm", cluster_name, alarm.role, owner=role),
            alarm_description=alarm.description,
            namespace=NAMESPACE,
            metric_name=alarm.metric,
            dimensions={"ClusterName": cluster_name},
            statistic=alarm.statistic,
            period=300,
            evaluation_periods=alarm.periods,
            threshold=alarm.threshold,
            comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data="notBreaching",
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
            tags=dict(tags),
            opts=pulumi.ResourceOptions(parent=parent),
        )
    return found
