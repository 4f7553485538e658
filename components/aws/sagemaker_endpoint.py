"""A SageMaker real-time endpoint serving one approved model package.

Instances hosting: the model runs with network isolation in private subnets; the
endpoint configuration encrypts storage and captured data with KMS; Application Auto
Scaling tracks invocations per instance; updates are blue/green with canary traffic
shifting and roll back automatically when an alarm fires during the bake period.

Serverless hosting (development): scales to zero and bills per request. AWS does not
support VPC configuration, network isolation, data capture, canary shifting or
Application Auto Scaling for it, so none of those are set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..naming import child
from ..settings import EndpointHosting, EndpointSettings
from .facts import has_local_storage
from .logs import encrypted_log_group

VARIANT = "primary"


@dataclass
class RealtimeEndpointArgs:
    settings: EndpointSettings
    model_package_arn: str
    endpoint_name: str
    execution_role_arn: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[str]]
    security_group_ids: pulumi.Input[Sequence[str]]
    capture_s3_uri: pulumi.Input[str]
    alarm_topic_arn: pulumi.Input[str]
    tags: Mapping[str, str]
    log_retention_days: int = 30


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

    def __init__(
        self, name: str, args: RealtimeEndpointArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:aws:RealtimeEndpoint", name, None, opts)
        s = args.settings
        instances = s.hosting is EndpointHosting.INSTANCES
        tags = dict(args.tags)
        here = pulumi.ResourceOptions(parent=self)

        # SageMaker creates this group on first log line; creating it first sets
        # retention and encryption instead of "never expire, AWS-managed key".
        self.log_group = encrypted_log_group(
            child(name, "logs"),
            log_group_name=f"/aws/sagemaker/Endpoints/{args.endpoint_name}",
            retention_days=args.log_retention_days,
            kms_key_arn=args.kms_key_arn,
            tags=tags,
            opts=here,
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
            opts=here,
        )

        variant: aws.sagemaker.EndpointConfigurationProductionVariantArgsDict = {
            "variant_name": VARIANT,
            "model_name": self.model.name,
        }
        if instances:
            variant.update(
                instance_type=s.instance_type,
                initial_instance_count=s.min_instances,
                initial_variant_weight=1,
            )
        else:
            variant["serverless_config"] = {
                "memory_size_in_mb": s.serverless_memory_mb,
                "max_concurrency": s.serverless_max_concurrency,
            }
        capture: aws.sagemaker.EndpointConfigurationDataCaptureConfigArgsDict | None = None
        if instances and s.data_capture_percent > 0:
            capture = {
                "enable_capture": True,
                "initial_sampling_percentage": s.data_capture_percent,
                "destination_s3_uri": args.capture_s3_uri,
                "kms_key_id": args.kms_key_arn,
                "capture_options": [{"capture_mode": "Input"}, {"capture_mode": "Output"}],
                "capture_content_type_header": {"csv_content_types": ["text/csv"]},
            }
        self.endpoint_configuration = aws.sagemaker.EndpointConfiguration(
            child(name, "config"),
            production_variants=[variant],
            kms_key_arn=(
                None if instances and has_local_storage(s.instance_type) else args.kms_key_arn
            ),
            data_capture_config=capture,
            tags=tags,
            opts=here,
        )

        self.alarms = self._alarms(name, args, here)

        deployment: aws.sagemaker.EndpointDeploymentConfigArgsDict | None = None
        if instances:
            deployment = {
                "blue_green_update_policy": {
                    "traffic_routing_configuration": {
                        "type": "CANARY",
                        "canary_size": {"type": "CAPACITY_PERCENT", "value": s.canary_percent},
                        "wait_interval_in_seconds": s.bake_minutes * 60,
                    },
                    "termination_wait_in_seconds": 300,
                    "maximum_execution_timeout_in_seconds": 3600,
                },
                "auto_rollback_configuration": {
                    "alarms": [{"alarm_name": alarm.name} for alarm in self.alarms.values()]
                },
            }
        self.endpoint = aws.sagemaker.Endpoint(
            name,
            name=args.endpoint_name,
            endpoint_config_name=self.endpoint_configuration.name,
            deployment_config=deployment,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.log_group]),
        )

        self.scaling_target = None
        self.scaling_policy = None
        if instances:
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

        self.endpoint_name = self.endpoint.name
        self.endpoint_arn = self.endpoint.arn
        self.register_outputs(
            {"endpoint_name": self.endpoint_name, "endpoint_arn": self.endpoint_arn}
        )

    def _alarms(
        self, name: str, args: RealtimeEndpointArgs, opts: pulumi.ResourceOptions
    ) -> dict[str, aws.cloudwatch.MetricAlarm]:
        """5xx errors, model latency and model invocation errors, per minute.

        Alarm names are fixed (not auto-named) because the endpoint's rollback
        configuration refers to them, and they must exist before the endpoint.
        """
        s = args.settings
        specs = {
            "5xx": ("Invocation5XXErrors", "Sum", s.error_alarm_count, 1),
            "latency": ("ModelLatency", "Average", s.latency_alarm_ms * 1000, 3),
            "model-errors": ("InvocationModelErrors", "Sum", s.error_alarm_count, 1),
        }
        alarms = {}
        for role, (metric, statistic, threshold, periods) in specs.items():
            alarms[role] = aws.cloudwatch.MetricAlarm(
                child(name, role),
                name=f"{args.endpoint_name}-{role}",
                alarm_description=f"{metric} of endpoint {args.endpoint_name} "
                f"({statistic} >= {threshold} over {periods} minute(s)); "
                "rolls back a deployment in progress.",
                namespace="AWS/SageMaker",
                metric_name=metric,
                dimensions={"EndpointName": args.endpoint_name, "VariantName": VARIANT},
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
