"""Cloud Monitoring for the GKE platform: one dashboard and alert policies.

- Accelerators idle: GPU duty cycle (``kubernetes.io/container/accelerator/duty_cycle``)
  or TPU TensorCore utilisation (``kubernetes.io/container/accelerator/tensorcore_utilization``)
  averaged over the cluster below ``idle_accelerator_percent`` for ``idle_minutes``:
  accelerators are billed by the hour whether they compute or not
  (https://cloud.google.com/monitoring/api/metrics_kubernetes). Only for the kinds of
  accelerator the cluster has.
- Serving errors: model-server containers restarting (``restart_count`` rising) and, from
  managed Prometheus' kube-state metrics, Deployment replicas unavailable for 5 minutes.
- Every policy notifies the foundation's e-mail channels.
The dashboard is built as data and serialised with ``json.dumps``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_gcp as gcp

from .. import naming
from ..settings.gcp import GkeMonitoringSettings

GPU_METRIC = "kubernetes.io/container/accelerator/duty_cycle"
TPU_METRIC = "kubernetes.io/container/accelerator/tensorcore_utilization"
RESTART_METRIC = "kubernetes.io/container/restart_count"


@dataclass
class GkeMonitoringArgs:
    settings: GkeMonitoringSettings
    cluster_name: str
    namespace: str | None
    """The serving namespace; ``None``: no serving alerts."""
    has_gpus: bool
    has_tpus: bool
    channels: Sequence[pulumi.Input[str]]
    labels: dict[str, str]


def _filter(metric: str, cluster: str, namespace: str | None = None) -> str:
    parts = [
        f'metric.type = "{metric}"',
        'resource.type = "k8s_container"',
        f'resource.label.cluster_name = "{cluster}"',
    ]
    if namespace is not None:
        parts.append(f'resource.label.namespace_name = "{namespace}"')
    return " AND ".join(parts)


def idle_condition(
    name: str, metric: str, cluster: str, s: GkeMonitoringSettings
) -> dict[str, Any]:
    return {
        "display_name": name,
        "condition_threshold": {
            "filter": _filter(metric, cluster),
            "comparison": "COMPARISON_LT",
            "threshold_value": s.idle_accelerator_percent,
            "duration": f"{s.idle_minutes * 60}s",
            "aggregations": [
                {
                    "alignment_period": "300s",
                    "per_series_aligner": "ALIGN_MEAN",
                    "cross_series_reducer": "REDUCE_MEAN",
                    "group_by_fields": ["resource.label.cluster_name"],
                }
            ],
        },
    }


def dashboard(cluster: str, namespace: str | None, has_gpus: bool, has_tpus: bool) -> str:
    """The dashboard's JSON (``projects.dashboards`` format)."""
    charts: list[tuple[str, str]] = []
    if has_gpus:
        charts.append(("GPU duty cycle (%)", GPU_METRIC))
    if has_tpus:
        charts.append(("TPU TensorCore utilisation (%)", TPU_METRIC))
    if namespace is not None:
        charts.append(("Model server restarts", RESTART_METRIC))
    tiles = [
        {
            "xPos": (i % 2) * 24,
            "yPos": (i // 2) * 16,
            "width": 24,
            "height": 16,
            "widget": {
                "title": title,
                "xyChart": {
                    "dataSets": [
                        {
                            "timeSeriesQuery": {
                                "timeSeriesFilter": {
                                    "filter": _filter(
                                        metric,
                                        cluster,
                                        namespace if metric == RESTART_METRIC else None,
                                    ),
                                    "aggregation": {
                                        "alignmentPeriod": "60s",
                                        "perSeriesAligner": "ALIGN_MEAN",
                                    },
                                }
                            },
                            "plotType": "LINE",
                        }
                    ]
                },
            },
        }
        for i, (title, metric) in enumerate(charts)
    ]
    return json.dumps(
        {"displayName": f"{cluster} ML platform", "mosaicLayout": {"columns": 48, "tiles": tiles}},
        sort_keys=True,
    )


class GkeMonitoring(pulumi.ComponentResource):
    dashboard: gcp.monitoring.Dashboard
    alerts: dict[str, gcp.monitoring.AlertPolicy]

    def __init__(
        self, name: str, args: GkeMonitoringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:GkeMonitoring", name, None, opts)
        s = args.settings
        cluster = args.cluster_name
        child = pulumi.ResourceOptions(parent=self)
        self.dashboard = gcp.monitoring.Dashboard(
            naming.child(name, "dashboard"),
            dashboard_json=dashboard(cluster, args.namespace, args.has_gpus, args.has_tpus),
            opts=child,
        )
        conditions: dict[str, dict[str, Any]] = {}
        if args.has_gpus:
            conditions["gpu-idle"] = idle_condition("GPUs idle", GPU_METRIC, cluster, s)
        if args.has_tpus:
            conditions["tpu-idle"] = idle_condition("TPUs idle", TPU_METRIC, cluster, s)
        if args.namespace is not None:
            conditions["serving-restarts"] = {
                "display_name": "Model server restarting",
                "condition_threshold": {
                    "filter": _filter(RESTART_METRIC, cluster, args.namespace),
                    "comparison": "COMPARISON_GT",
                    "threshold_value": 0,
                    "duration": "0s",
                    "aggregations": [
                        {
                            "alignment_period": "300s",
                            "per_series_aligner": "ALIGN_DELTA",
                            "cross_series_reducer": "REDUCE_SUM",
                        }
                    ],
                },
            }
            conditions["serving-unavailable"] = {
                "display_name": "Model server replicas unavailable",
                "condition_prometheus_query_language": {
                    "query": (
                        f'sum(kube_deployment_status_replicas_unavailable{{cluster="{cluster}",'
                        f'namespace="{args.namespace}"}}) > 0'
                    ),
                    "duration": "300s",
                },
            }
        self.alerts = {
            key: gcp.monitoring.AlertPolicy(
                naming.child(name, key),
                display_name=f"{cluster}: {condition['display_name']}",
                combiner="OR",
                conditions=[condition],  # type: ignore[list-item]
                notification_channels=list(args.channels),
                severity="WARNING",
                user_labels=dict(args.labels),
                opts=child,
            )
            for key, condition in conditions.items()
        }
        self.register_outputs({"dashboard_id": self.dashboard.id})
