"""A managed online endpoint with blue/green deployments, Azure Monitor autoscale per
deployment, and its alerts.

**Blue/green and the order of operations.** Traffic is a property of the endpoint
(``properties.traffic``); deployments are children of the endpoint and need it to exist
(``endpoint_name`` is a path parameter), and Azure refuses traffic that names a
deployment that does not exist yet. So the endpoint never depends on its deployments,
every deployment depends on the endpoint, and a promotion is two reviewed changes:

1. add (or change) the idle slot with ``traffic`` unchanged: Pulumi creates or updates
   that deployment only;
2. move ``traffic`` to it: Pulumi updates the endpoint only (one PUT), the deployments
   are untouched (``tests/architectures/test_azure_ml_devops.py`` pins both).

A new endpoint starts with empty traffic; removing a slot is safe in one change
(Pulumi updates the endpoint before it deletes the deployment). The release pipeline
applies the same switch with ``az ml online-endpoint update --traffic`` for a canary;
the next ``pulumi up`` sets the reviewed value again.

**Instance count.** A deployment's count is ``sku.capacity`` (the SDK's
``ManagedOnlineDeploymentArgs`` has none); it starts at ``min_instances`` and then
belongs to the autoscale setting, so ``sku.capacity`` is in ``ignore_changes`` (Pulumi
would otherwise undo every scale action). Managed deployments keep at least one
instance.

**Instance type.** Azure ML cannot change a deployment's ``instance_type`` in place, so
that property replaces the deployment; its name (the slot) is fixed, so the old one is
deleted first, and Azure refuses to delete a deployment that carries traffic. The
procedure (which cannot be checked offline: the plan does not see the deployed
traffic) is: move ``traffic`` off the slot in one reviewed change, then change its
``instance_type`` in the next (README "Azure ML with Azure DevOps").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import machinelearningservices as ml
from pulumi_azure_native import monitor

from .. import naming
from ..vocabulary import EndpointScaling, ScalingMetric
from .names import check_name

AUTH_MODES = {"aad_token": ml.EndpointAuthMode.AAD_TOKEN, "key": ml.EndpointAuthMode.KEY}

DEPLOYMENT_METRICS = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments"
ENDPOINT_METRICS = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
WORKSPACE_METRICS = "Microsoft.MachineLearningServices/workspaces"
METRICS_SOURCE = (
    "https://learn.microsoft.com/azure/azure-monitor/reference/supported-metrics/"
    "microsoft-machinelearningservices-workspaces-onlineendpoints-deployments-metrics"
)

SCALING_METRICS: dict[ScalingMetric, tuple[str, str, bool]] = {
    ScalingMetric.CPU_UTILIZATION: ("CpuUtilizationPercentage", DEPLOYMENT_METRICS, False),
    ScalingMetric.GPU_UTILIZATION: ("GpuUtilizationPercentage", DEPLOYMENT_METRICS, False),
    ScalingMetric.INVOCATIONS_PER_INSTANCE: ("RequestsPerMinute", ENDPOINT_METRICS, True),
}
"""Vocabulary metric -> (Azure Monitor metric, namespace, divided per instance).
Requests per minute are an endpoint metric split by the ``deployment`` dimension
(``METRICS_SOURCE`` and its endpoint counterpart)."""

DEPLOYMENT_REPLACE_ON_CHANGES = ["properties.instanceType"]
"""Deployment properties Azure ML refuses to change in place."""
DEPLOYMENT_IGNORE_CHANGES = ["sku.capacity"]
"""The instance count belongs to the autoscale setting after creation."""

SCALE_IN_FRACTION = 0.5
"""Scale in when the metric falls below half the target (hysteresis, so one instance
more or less does not flip the decision back)."""


@dataclass
class SlotSpec:
    """One deployment slot."""

    model: str
    instance_type: str
    scaling: EndpointScaling


@dataclass
class OnlineEndpointArgs:
    resource_group_name: pulumi.Input[str]
    location: str
    tags: Mapping[str, str]
    workspace_name: pulumi.Input[str]
    workspace_id: pulumi.Input[str]
    endpoint_name: str
    """Unique per Azure region (3-32 characters): ``<prefix>-online``."""
    auth: str = "aad_token"
    public_network_access: bool = False
    slots: Mapping[str, SlotSpec] = field(default_factory=dict)
    traffic: Mapping[str, int] = field(default_factory=dict)
    action_group_id: pulumi.Input[str] | None = None
    latency_alarm_ms: int = 1000
    errors_alarm_per_minute: int = 5


class OnlineEndpoint(pulumi.ComponentResource):
    """The endpoint, one ``OnlineDeployment`` per slot, one autoscale setting per
    deployment and alerts on latency, 5xx responses, deployment capacity and failed
    pipeline jobs of the workspace."""

    endpoint: ml.OnlineEndpoint
    deployments: dict[str, ml.OnlineDeployment]
    autoscale: dict[str, monitor.AutoscaleSetting]
    alerts: dict[str, monitor.MetricAlert]
    endpoint_id: pulumi.Output[str]
    endpoint_name: pulumi.Output[str]
    scoring_uri: pulumi.Output[str]

    def __init__(
        self, name: str, args: OnlineEndpointArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:azure:OnlineEndpoint", name, None, opts)
        unknown = sorted(set(args.traffic) - set(args.slots))
        if unknown:
            raise ValueError(f"traffic: {', '.join(unknown)} are not slots of the endpoint")
        tags = dict(args.tags)
        self.endpoint = ml.OnlineEndpoint(
            naming.child(name),
            endpoint_name=check_name("ml-online-endpoint", args.endpoint_name),
            location=args.location,
            tags=tags,
            identity={"type": ml.ManagedServiceIdentityType.SYSTEM_ASSIGNED},
            properties=ml.OnlineEndpointPropertiesArgs(
                auth_mode=AUTH_MODES[args.auth],
                public_network_access=(
                    ml.PublicNetworkAccessType.ENABLED
                    if args.public_network_access
                    else ml.PublicNetworkAccessType.DISABLED
                ),
                traffic=dict(args.traffic),
            ),
            resource_group_name=args.resource_group_name,
            workspace_name=args.workspace_name,
            opts=pulumi.ResourceOptions(parent=self),
        )
        endpoint_name = self.endpoint.name
        self.deployments = {}
        self.autoscale = {}
        for slot, spec in args.slots.items():
            deployment = ml.OnlineDeployment(
                naming.child(name, slot),
                deployment_name=check_name("ml-online-deployment", slot),
                endpoint_name=endpoint_name,
                location=args.location,
                tags=tags,
                sku={"name": "Default", "capacity": spec.scaling.min_instances},
                properties=ml.ManagedOnlineDeploymentArgs(
                    endpoint_compute_type="Managed",
                    model=spec.model,
                    instance_type=spec.instance_type,
                    app_insights_enabled=True,
                    # Legacy network isolation flag (the SDK defaults it to Enabled);
                    # outbound is the managed network's, so it is sent closed.
                    egress_public_network_access=ml.EgressPublicNetworkAccessType.DISABLED,
                    scale_settings=ml.DefaultScaleSettingsArgs(scale_type="Default"),
                ),
                resource_group_name=args.resource_group_name,
                workspace_name=args.workspace_name,
                opts=deployment_options(self),
            )
            self.deployments[slot] = deployment
            self.autoscale[slot] = _autoscale(
                naming.child(name, f"{slot}-autoscale"),
                deployment=deployment,
                endpoint=self.endpoint,
                slot=slot,
                scaling=spec.scaling,
                args=args,
                parent=self,
            )
        self.alerts = self._alerts(name, args)
        self.endpoint_id = self.endpoint.id
        self.endpoint_name = endpoint_name
        self.scoring_uri = self.endpoint.properties.apply(lambda p: p.scoring_uri or "")
        self.register_outputs(
            {
                "endpoint_id": self.endpoint_id,
                "endpoint_name": self.endpoint_name,
                "scoring_uri": self.scoring_uri,
            }
        )

    def _alerts(self, name: str, args: OnlineEndpointArgs) -> dict[str, monitor.MetricAlert]:
        endpoint_id = self.endpoint.id
        alerts = {
            "latency": _alert(
                naming.child(name, "latency-alert"),
                args=args,
                scope=endpoint_id,
                namespace=ENDPOINT_METRICS,
                metric="RequestLatency",
                aggregation="Average",
                threshold=args.latency_alarm_ms,
                description="Average request latency (ms) of the endpoint above the limit.",
                parent=self,
            ),
            "errors": _alert(
                naming.child(name, "errors-alert"),
                args=args,
                scope=endpoint_id,
                namespace=ENDPOINT_METRICS,
                metric="RequestsPerMinute",
                aggregation="Total",
                threshold=args.errors_alarm_per_minute,
                dimensions=[{"name": "statusCodeClass", "operator": "Include", "values": ["5xx"]}],
                description="5xx responses per minute of the endpoint above the limit.",
                parent=self,
            ),
            "failed-jobs": _alert(
                naming.child(name, "failed-jobs-alert"),
                args=args,
                scope=args.workspace_id,
                namespace=WORKSPACE_METRICS,
                metric="Failed Runs",
                aggregation="Total",
                threshold=0,
                window="PT15M",
                description="A pipeline job (run) of the workspace failed.",
                parent=self,
            ),
        }
        for slot, deployment in self.deployments.items():
            floor = args.slots[slot].scaling.min_instances
            alerts[f"{slot}-health"] = _alert(
                naming.child(name, f"{slot}-health-alert"),
                args=args,
                scope=deployment.id,
                namespace=DEPLOYMENT_METRICS,
                metric="DeploymentCapacity",
                aggregation="Minimum",
                operator="LessThan",
                threshold=floor,
                description=f"Deployment {slot} has fewer healthy instances than its floor.",
                parent=self,
            )
        return alerts


def deployment_options(parent: pulumi.Resource) -> pulumi.ResourceOptions:
    """A deployment's options: a new instance type replaces it, deleting the old one
    first (the slot name is fixed); the count is the autoscaler's."""
    return pulumi.ResourceOptions(
        parent=parent,
        ignore_changes=list(DEPLOYMENT_IGNORE_CHANGES),
        replace_on_changes=list(DEPLOYMENT_REPLACE_ON_CHANGES),
        delete_before_replace=True,
    )


def _autoscale(
    logical_name: str,
    *,
    deployment: ml.OnlineDeployment,
    endpoint: ml.OnlineEndpoint,
    slot: str,
    scaling: EndpointScaling,
    args: OnlineEndpointArgs,
    parent: pulumi.Resource,
) -> monitor.AutoscaleSetting:
    """Azure Monitor autoscale on the deployment: out above the target, in below half
    of it, with the vocabulary's cooldowns."""
    metric, namespace, per_instance = SCALING_METRICS[scaling.metric]
    source = endpoint.id if namespace == ENDPOINT_METRICS else deployment.id
    dimensions: list[monitor.ScaleRuleMetricDimensionArgsDict] = (
        [{"dimension_name": "deployment", "operator": "Equals", "values": [slot]}]
        if namespace == ENDPOINT_METRICS
        else []
    )

    def rule(
        direction: str, operator: str, threshold: float, cooldown: int
    ) -> monitor.ScaleRuleArgsDict:
        return {
            "metric_trigger": {
                "metric_name": metric,
                "metric_namespace": namespace,
                "metric_resource_uri": source,
                "dimensions": dimensions,
                "divide_per_instance": per_instance,
                "operator": monitor.ComparisonOperationType(operator),
                "statistic": monitor.MetricStatisticType.AVERAGE,
                "threshold": threshold,
                "time_aggregation": monitor.TimeAggregationType.AVERAGE,
                "time_grain": "PT1M",
                "time_window": "PT5M",
            },
            "scale_action": {
                "direction": monitor.ScaleDirection(direction),
                "type": monitor.ScaleType.CHANGE_COUNT,
                "value": "1",
                "cooldown": f"PT{max(cooldown, 60)}S",
            },
        }

    return monitor.AutoscaleSetting(
        logical_name,
        resource_group_name=args.resource_group_name,
        location=args.location,
        tags=dict(args.tags),
        enabled=True,
        target_resource_uri=deployment.id,
        profiles=[
            {
                "name": "default",
                "capacity": {
                    "minimum": str(scaling.min_instances),
                    "maximum": str(scaling.max_instances),
                    "default": str(scaling.min_instances),
                },
                "rules": [
                    rule(
                        "Increase",
                        "GreaterThan",
                        scaling.target_value,
                        scaling.scale_out_cooldown_seconds,
                    ),
                    rule(
                        "Decrease",
                        "LessThan",
                        scaling.target_value * SCALE_IN_FRACTION,
                        scaling.scale_in_cooldown_seconds,
                    ),
                ],
            }
        ],
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _alert(
    logical_name: str,
    *,
    args: OnlineEndpointArgs,
    scope: pulumi.Input[str],
    namespace: str,
    metric: str,
    aggregation: str,
    threshold: float,
    description: str,
    parent: pulumi.Resource,
    operator: str = "GreaterThan",
    window: str = "PT5M",
    dimensions: list[monitor.MetricDimensionArgsDict] | None = None,
) -> monitor.MetricAlert:
    """A static-threshold metric alert on one resource, to the action group if any."""
    # ``criteria`` is a union of three criteria types: the Args classes (not dicts) make
    # the SDK send camelCase names and the ``odata.type`` discriminator.
    criterion = monitor.MetricCriteriaArgs(
        criterion_type="StaticThresholdCriterion",
        name=metric.replace(" ", ""),
        metric_name=metric,
        metric_namespace=namespace,
        operator=operator,
        threshold=threshold,
        time_aggregation=aggregation,
        dimensions=[monitor.MetricDimensionArgs(**d) for d in dimensions] if dimensions else None,
    )
    return monitor.MetricAlert(
        logical_name,
        resource_group_name=args.resource_group_name,
        location="global",
        tags=dict(args.tags),
        description=description,
        enabled=True,
        severity=2,
        scopes=[scope],
        evaluation_frequency="PT1M",
        window_size=window,
        auto_mitigate=True,
        criteria=monitor.MetricAlertSingleResourceMultipleMetricCriteriaArgs(
            odata_type="Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
            all_of=[criterion],
        ),
        actions=[{"action_group_id": args.action_group_id}] if args.action_group_id else [],
        opts=pulumi.ResourceOptions(parent=parent),
    )
