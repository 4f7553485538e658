"""A SageMaker real-time endpoint serving one approved model package.

Instances hosting: the model runs with network isolation in private subnets; the
endpoint configuration encrypts storage and captured data with KMS; Application Auto
Scaling tracks invocations per instance; updates are blue/green with canary (or
all-at-once) traffic shifting and roll back automatically when an alarm fires.

Serverless hosting (development): scales to zero and bills per request. AWS does not
support VPC configuration, network isolation, data capture, blue/green traffic
shifting or Application Auto Scaling for it, so none of those are set.

How each change behaves (the hazards are pinned in ``tests/aws/test_realtime_endpoint.py``):

- **Promotion** (a new ``model_package_arn``) and **scaling** (min/max/targets): a new
  model and endpoint configuration, then ``UpdateEndpoint`` on the same endpoint: a
  blue/green deployment guarded by the rollback alarms. Auto scaling allows a changed
  model on a registered variant ("Update endpoints that use auto scaling", SageMaker
  developer guide).
- **Resize** (``instance_type``) and **hosting switch**: AWS refuses ``UpdateEndpoint``
  while the variant is registered with Application Auto Scaling and the instance type
  changes, and pulumi-aws replaces an endpoint whose ``auto_rollback_configuration``
  changes (it is ForceNew). A Pulumi update cannot deregister the scalable target
  *before* updating the endpoint it depends on. So the endpoint's physical name carries
  a **generation**: a short hash of the properties that cannot change in place
  (hosting, instance type, variant, rollback alarm set). Changing one gives a new
  endpoint name: Pulumi creates the new endpoint (and its scalable target and alarms)
  beside the old one, then deletes the old (deletion deregisters its target). No
  update is refused, nothing is deleted first, and the endpoint name changes. The old
  endpoint is deleted at the end of the same update, so clients must not hard-code the
  name: they read the SSM parameter ``/<name_prefix>/sagemaker/endpoint-name`` (updated
  in place to the new name before the old endpoint goes) or the stack output.
- **Rollback**: when an alarm rolls a deployment back, SageMaker keeps serving the old
  configuration and model; the provider fails the update on ``RollingBack`` (current
  terraform-provider-aws waits on Creating/Updating/SystemUpdating only; its pull request
  49020 adds RollingBack) or, in older versions, records it as done (issues 48997,
  46663). Models and endpoint configurations are therefore ``retain_on_delete``:
  replacing them in Pulumi never deletes what may still serve. They cost nothing;
  ``docs/destroy.md`` lists how to remove old ones.
- **Logs**: SageMaker writes to ``/aws/sagemaker/Endpoints/<endpoint name>``, so a new
  generation gets a new log group and the old one is deleted with the old endpoint.
  With ``retention: protected`` the log groups are ``retain_on_delete``: the old
  generation's logs stay in CloudWatch until their retention expires them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..naming import child, claim, physical
from ..retention import kept_options
from ..settings import EndpointHosting, EndpointSettings
from ..settings.aws import TERMINATION_WAIT_SECONDS, TrafficRouting
from ..vocabulary import Retention
from .facts import has_local_storage
from .logs import encrypted_log_group
from .names import check_name, fixed_name

VARIANT = "primary"
ALARMS = ("5xx", "latency", "model-errors")
"""The rollback alarms, by role; their set is part of the endpoint's generation."""


def generation(settings: EndpointSettings) -> str:
    """Six hex digits that change exactly when the endpoint cannot be updated in place:
    hosting, instance type (instances only), variant name or rollback alarm set."""
    instances = settings.hosting is EndpointHosting.INSTANCES
    identity = [
        settings.hosting.value,
        settings.instance_type if instances else "-",
        VARIANT,
        ",".join(ALARMS),
    ]
    return hashlib.sha256("|".join(identity).encode()).hexdigest()[:6]


def endpoint_name(name_prefix: str, settings: EndpointSettings) -> str:
    """The endpoint's physical name: ``<name_prefix>-endpoint-<generation>``."""
    return physical(name_prefix, "endpoint", generation(settings))


def rollback_alarm_names(name_prefix: str, settings: EndpointSettings) -> list[str]:
    """Physical names of the rollback alarms (none for serverless hosting), known before
    the endpoint exists so that roles can be scoped to them."""
    if settings.hosting is not EndpointHosting.INSTANCES:
        return []
    return [f"{endpoint_name(name_prefix, settings)}-{role}" for role in ALARMS]


@dataclass
class RealtimeEndpointArgs:
    settings: EndpointSettings
    model_package_arn: str
    name_prefix: str
    """Starts the endpoint name: ``<name_prefix>-endpoint-<generation>``."""
    execution_role_arn: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[str]]
    security_group_ids: pulumi.Input[Sequence[str]]
    capture_s3_uri: pulumi.Input[str]
    alarm_topic_arn: pulumi.Input[str]
    tags: Mapping[str, str]
    log_retention_days: int = 30
    retention: Retention = Retention.DESTROYABLE
    """``protected``: a replaced generation's log group stays (``retain_on_delete``)."""


class RealtimeEndpoint(pulumi.ComponentResource):
    """Model, endpoint configuration, endpoint, alarms and autoscaling."""

    model: aws.sagemaker.Model
    endpoint_configuration: aws.sagemaker.EndpointConfiguration
    endpoint: aws.sagemaker.Endpoint
    alarms: dict[str, aws.cloudwatch.MetricAlarm]
    scaling_target: aws.appautoscaling.Target | None
    scaling_policy: aws.appautoscaling.Policy | None
    log_group: aws.cloudwatch.LogGroup
    endpoint_name: pulumi.Output[str]
    endpoint_arn: pulumi.Output[str]
    name_parameter: aws.ssm.Parameter
    """``/<name_prefix>/sagemaker/endpoint-name``: the current endpoint name, for clients."""
    alarm_names: list[str]
    """Physical names of the rollback alarms (empty for serverless hosting, whose alarms
    only notify)."""

    def __init__(
        self, name: str, args: RealtimeEndpointArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:aws:RealtimeEndpoint", name, None, opts)
        s = args.settings
        instances = s.hosting is EndpointHosting.INSTANCES
        tags = dict(args.tags)
        here = pulumi.ResourceOptions(parent=self)
        physical_name = fixed_name(
            "sagemaker-endpoint", args.name_prefix, "endpoint", generation(s), owner=child(name)
        )
        # What may still serve after a rollback is never deleted by a replacement.
        serving = pulumi.ResourceOptions(parent=self, retain_on_delete=True if instances else None)

        # SageMaker creates this group on first log line; creating it first sets
        # retention and encryption instead of "never expire, AWS-managed key".
        self.log_group = encrypted_log_group(
            child(name, "logs"),
            log_group_name=claim(
                "cloudwatch-log-group",
                check_name("cloudwatch-log-group", f"/aws/sagemaker/Endpoints/{physical_name}"),
                child(name, "logs"),
            ),
            retention_days=args.log_retention_days,
            kms_key_arn=args.kms_key_arn,
            tags=tags,
            opts=kept_options(args.retention, self),
        )

        self.model = aws.sagemaker.Model(
            child(name, "model"),
            execution_role_arn=args.execution_role_arn,
            primary_container={"model_package_name": args.model_package_arn},
            enable_network_isolation=instances,
            vpc_config=(
                {"subnets": args.subnet_ids, "security_group_ids": args.security_group_ids}
                if instances
                else None
            ),
            tags=tags,
            opts=serving,
        )
        self.endpoint_configuration = aws.sagemaker.EndpointConfiguration(
            child(name, "config"),
            production_variants=[self._variant(s)],
            kms_key_arn=(
                None if instances and has_local_storage(s.instance_type) else args.kms_key_arn
            ),
            data_capture_config=self._capture(s, args) if instances else None,
            tags=tags,
            opts=serving,
        )

        # Alarms watch every endpoint; with instances they also roll deployments back.
        self.alarms = self._alarms(name, args, physical_name, here)
        self.alarm_names = rollback_alarm_names(args.name_prefix, s)
        self.endpoint = aws.sagemaker.Endpoint(
            name,
            name=physical_name,
            endpoint_config_name=self.endpoint_configuration.name,
            deployment_config=self._deployment(s) if instances else None,
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[self.log_group, *self.alarms.values()]
            ),
        )

        self.scaling_target = None
        self.scaling_policy = None
        if instances:
            self._autoscaling(name, s, tags)

        parameter = f"/{args.name_prefix}/sagemaker/endpoint-name"
        self.name_parameter = aws.ssm.Parameter(
            child(name, "name-parameter"),
            name=claim(
                "ssm-parameter",
                check_name("ssm-parameter", parameter),
                child(name, "name-parameter"),
            ),
            description="Name of the current endpoint generation; clients resolve it here.",
            type="String",
            insecure_value=self.endpoint.name,  # a name, not a secret: shown in previews
            tags=tags,
            opts=here,
        )
        self.endpoint_name = self.endpoint.name
        self.endpoint_arn = self.endpoint.arn
        self.register_outputs(
            {"endpoint_name": self.endpoint_name, "endpoint_arn": self.endpoint_arn}
        )

    def _variant(
        self, s: EndpointSettings
    ) -> aws.sagemaker.EndpointConfigurationProductionVariantArgsDict:
        variant: aws.sagemaker.EndpointConfigurationProductionVariantArgsDict = {
            "variant_name": VARIANT,
            "model_name": self.model.name,
        }
        if s.hosting is EndpointHosting.INSTANCES:
            variant.update(
                instance_type=s.instance_type,
                initial_instance_count=s.fleet_size,
                initial_variant_weight=1,
            )
        else:
            variant["serverless_config"] = {
                "memory_size_in_mb": s.serverless_memory_mb,
                "max_concurrency": s.serverless_max_concurrency,
            }
        return variant

    @staticmethod
    def _capture(
        s: EndpointSettings, args: RealtimeEndpointArgs
    ) -> aws.sagemaker.EndpointConfigurationDataCaptureConfigArgsDict | None:
        if s.data_capture_percent == 0:
            return None
        return {
            "enable_capture": True,
            "initial_sampling_percentage": s.data_capture_percent,
            "destination_s3_uri": args.capture_s3_uri,
            "kms_key_id": args.kms_key_arn,
            "capture_options": [{"capture_mode": "Input"}, {"capture_mode": "Output"}],
            "capture_content_type_header": {"csv_content_types": ["text/csv"]},
        }

    def _deployment(self, s: EndpointSettings) -> aws.sagemaker.EndpointDeploymentConfigArgsDict:
        """Blue/green with the rollback alarms; timings derived from the settings
        (validated there against the API ranges and the provider's 60-minute wait)."""
        routing: aws.sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyTrafficRoutingConfigurationArgsDict = {
            "type": "CANARY" if s.traffic_routing is TrafficRouting.CANARY else "ALL_AT_ONCE",
            "wait_interval_in_seconds": s.bake_minutes * 60,
        }
        if s.traffic_routing is TrafficRouting.CANARY:
            routing["canary_size"] = {"type": "INSTANCE_COUNT", "value": s.canary_instances}
        return {
            "blue_green_update_policy": {
                "traffic_routing_configuration": routing,
                "termination_wait_in_seconds": TERMINATION_WAIT_SECONDS,
                "maximum_execution_timeout_in_seconds": s.deployment_timeout_seconds,
            },
            "auto_rollback_configuration": {
                "alarms": [{"alarm_name": alarm} for alarm in self.alarm_names]
            },
        }

    def _autoscaling(self, name: str, s: EndpointSettings, tags: dict[str, str]) -> None:
        here = pulumi.ResourceOptions(parent=self)
        self.scaling_target = aws.appautoscaling.Target(
            child(name, "scaling"),
            service_namespace="sagemaker",
            scalable_dimension="sagemaker:variant:DesiredInstanceCount",
            resource_id=self.endpoint.name.apply(lambda n: f"endpoint/{n}/variant/{VARIANT}"),
            min_capacity=s.min_instances,
            max_capacity=s.max_instances,
            tags=tags,
            opts=here,
        )
        self.scaling_policy = aws.appautoscaling.Policy(
            child(name, "scaling-policy"),
            policy_type="TargetTrackingScaling",
            service_namespace=self.scaling_target.service_namespace,
            scalable_dimension=self.scaling_target.scalable_dimension,
            resource_id=self.scaling_target.resource_id,
            target_tracking_scaling_policy_configuration={
                "target_value": s.target_invocations_per_instance,
                "predefined_metric_specification": {
                    "predefined_metric_type": "SageMakerVariantInvocationsPerInstance"
                },
                # Scale out fast on load, in slowly to avoid flapping.
                "scale_in_cooldown": 300,
                "scale_out_cooldown": 60,
            },
            opts=here,
        )

    @staticmethod
    def _alarms(
        name: str, args: RealtimeEndpointArgs, endpoint_name: str, opts: pulumi.ResourceOptions
    ) -> dict[str, aws.cloudwatch.MetricAlarm]:
        """5xx errors, model latency and model invocation errors, per minute.

        Alarm names are fixed (not auto-named) because the endpoint's rollback
        configuration refers to them, and they must exist before the endpoint.
        """
        s = args.settings
        rollback = s.hosting is EndpointHosting.INSTANCES
        specs = {
            "5xx": ("Invocation5XXErrors", "Sum", s.error_alarm_count, 1),
            "latency": ("ModelLatency", "Average", s.latency_alarm_ms * 1000, 3),
            "model-errors": ("InvocationModelErrors", "Sum", s.error_alarm_count, 1),
        }
        alarms = {}
        for role in ALARMS:
            metric, statistic, threshold, periods = specs[role]
            alarms[role] = aws.cloudwatch.MetricAlarm(
                child(name, role),
                name=fixed_name("cloudwatch-alarm", endpoint_name, role, owner=child(name, role)),
                alarm_description=f"{metric} of endpoint {endpoint_name} "
                f"({statistic} >= {threshold} over {periods} minute(s))"
                + ("; rolls back a deployment in progress." if rollback else "."),
                namespace="AWS/SageMaker",
                metric_name=metric,
                dimensions={"EndpointName": endpoint_name, "VariantName": VARIANT},
                statistic=statistic,
                period=60,
                evaluation_periods=periods,
                threshold=threshold,
                comparison_operator="GreaterThanOrEqualToThreshold",
                treat_missing_data="notBreaching",
                alarm_actions=[args.alarm_topic_arn],
                ok_actions=[args.alarm_topic_arn],
                tags=dict(args.tags),
                opts=opts,
            )
        return alarms
