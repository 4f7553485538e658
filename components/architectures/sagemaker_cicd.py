"""Reference architecture 1: SageMaker CI/CD.

data sources -> S3 -> SageMaker Pipelines (processing, training, evaluation) -> Model
Registry -> endpoint deployment -> monitoring.

The endpoint serves the model package named in the stack's settings, so promoting a
model is a reviewed change of one line in a stack file (``ModelPromotion`` opens that
pull request when a package is approved).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from ..aws.bucket import EncryptedBucket, EncryptedBucketArgs
from ..aws.iam import ScopedRole, ScopedRoleArgs, Statement, allow
from ..aws.kms import KmsKey, KmsKeyArgs
from ..aws.network import PrivateNetwork, PrivateNetworkArgs
from ..aws.promotion import ModelPromotion, ModelPromotionArgs
from ..aws.sagemaker_endpoint import RealtimeEndpoint, RealtimeEndpointArgs
from ..naming import child, physical
from ..settings import Retention, SageMakerCiCdSettings
from .sagemaker_pipeline import PipelineRefs, pipeline_definition

TOKEN = "mlops:aws:SageMakerCiCd"


@dataclass
class SageMakerCiCdArgs:
    """Inputs of ``SageMakerCiCd``.

    ``name_prefix`` starts every physical name that must be fixed in advance
    (pipeline, model package group, endpoint, alarms); keep it unique per account and
    region, e.g. ``mlops-dev``. ``tags`` are the merged tags for every child.
    """

    settings: SageMakerCiCdSettings
    region: str
    name_prefix: str
    tags: Mapping[str, str]
    retention: Retention = Retention.DESTROYABLE


class SageMakerCiCd(pulumi.ComponentResource):
    """SageMaker Pipelines, Model Registry, promotion and a monitored real-time endpoint."""

    key: KmsKey
    data_bucket: EncryptedBucket
    artifacts_bucket: EncryptedBucket
    network: PrivateNetwork
    pipeline_role: ScopedRole
    job_role: ScopedRole
    model_role: ScopedRole
    model_package_group: aws.sagemaker.ModelPackageGroup
    model_package_group_policy: aws.sagemaker.ModelPackageGroupPolicy | None
    pipeline: aws.sagemaker.Pipeline
    alarm_topic: aws.sns.Topic
    alarm_subscriptions: list[aws.sns.TopicSubscription]
    pipeline_failed_alarm: aws.cloudwatch.MetricAlarm
    promotion: ModelPromotion | None
    endpoint: RealtimeEndpoint | None
    monitoring_schedule: aws.sagemaker.MonitoringSchedule | None
    studio_domain: aws.sagemaker.Domain | None
    feature_group: aws.sagemaker.FeatureGroup | None
    mlflow_tracking_server: aws.sagemaker.MlflowTrackingServer | None

    data_bucket_name: pulumi.Output[str]
    artifacts_bucket_name: pulumi.Output[str]
    pipeline_name: pulumi.Output[str]
    model_package_group_name: pulumi.Output[str]
    endpoint_name: pulumi.Output[str] | None
    kms_key_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: SageMakerCiCdArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TOKEN, name, None, opts)
        s = args.settings
        tags = dict(args.tags)
        here = pulumi.ResourceOptions(parent=self)
        protected = args.retention is Retention.PROTECTED
        stateful = pulumi.ResourceOptions(
            parent=self, protect=protected, retain_on_delete=protected
        )
        retention_days = s.monitoring.log_retention_days
        prefix = args.name_prefix
        self._prefix = prefix
        self._protected = protected
        self._invoke = pulumi.InvokeOutputOptions(parent=self)
        self._region = aws.get_region_output(opts=self._invoke).region
        self._arn_parts = pulumi.Output.all(
            aws.get_partition_output(opts=self._invoke).partition,
            aws.get_caller_identity_output(opts=self._invoke).account_id,
        )

        # -- storage and encryption ------------------------------------------------
        self.key = KmsKey(
            child(name, "key"),
            KmsKeyArgs(
                description=f"{prefix}: SageMaker data, artifacts, logs and alarms",
                tags=tags,
                retention=args.retention,
                # CloudWatch alarms publish to the encrypted alarm topic.
                service_principals=["cloudwatch.amazonaws.com"],
                reader_account_ids=s.registry.consumer_account_ids,
                log_group_region=args.region,
            ),
            opts=here,
        )
        self.kms_key_arn = self.key.key_arn
        self.data_bucket = EncryptedBucket(
            child(name, "data"),
            EncryptedBucketArgs(
                kms_key_arn=self.key.key_arn,
                tags=tags,
                retention=args.retention,
                lifecycle=s.data_lifecycle,
            ),
            opts=here,
        )
        self.artifacts_bucket = EncryptedBucket(
            child(name, "artifacts"),
            EncryptedBucketArgs(
                kms_key_arn=self.key.key_arn,
                tags=tags,
                retention=args.retention,
                lifecycle=s.data_lifecycle,
                read_principals=[
                    self._arn(lambda p, _a, acct=acct: f"arn:{p}:iam::{acct}:root")
                    for acct in s.registry.consumer_account_ids
                ],
            ),
            opts=here,
        )
        self.data_bucket_name = self.data_bucket.bucket_name
        self.artifacts_bucket_name = self.artifacts_bucket.bucket_name

        self.network = PrivateNetwork(
            child(name, "network"),
            PrivateNetworkArgs(
                settings=s.network,
                tags=tags,
                region=args.region,
                kms_key_arn=self.key.key_arn,
                log_retention_days=retention_days,
            ),
            opts=here,
        )

        # -- model registry ----------------------------------------------------------
        group_name = physical(prefix, "models")
        self.model_package_group = aws.sagemaker.ModelPackageGroup(
            child(name, "models"),
            model_package_group_name=group_name,
            model_package_group_description=f"Models trained by the {prefix} pipeline",
            tags=tags,
            opts=stateful,
        )
        self.model_package_group_name = self.model_package_group.model_package_group_name
        self.model_package_group_policy = None
        if s.registry.consumer_account_ids:
            self.model_package_group_policy = aws.sagemaker.ModelPackageGroupPolicy(
                child(name, "models-policy"),
                model_package_group_name=self.model_package_group.model_package_group_name,
                resource_policy=self._consumer_policy(s.registry.consumer_account_ids),
                opts=here,
            )

        # -- roles -------------------------------------------------------------------
        self.job_role = self._job_role(name, tags, here)
        self.model_role = self._model_role(name, tags, here)
        self.pipeline_role = self._pipeline_role(name, tags, here)

        # -- pipeline ------------------------------------------------------------------
        definition = pulumi.Output.all(
            self.data_bucket.bucket_name,
            self.artifacts_bucket.bucket_name,
            self.job_role.role_arn,
            self.key.key_arn,
            self.model_package_group.model_package_group_name,
            self.network.subnet_ids,
            self.network.security_group_ids,
        ).apply(
            lambda v: json.dumps(
                pipeline_definition(
                    s.pipeline,
                    PipelineRefs(
                        data_bucket=v[0],
                        artifacts_bucket=v[1],
                        job_role_arn=v[2],
                        kms_key_arn=v[3],
                        model_package_group=v[4],
                        subnet_ids=tuple(v[5]),
                        security_group_ids=tuple(v[6]),
                    ),
                ),
                sort_keys=True,
            )
        )
        pipeline_name = physical(prefix, "pipeline")
        self.pipeline = aws.sagemaker.Pipeline(
            child(name, "pipeline"),
            pipeline_name=pipeline_name,
            pipeline_display_name=pipeline_name,
            pipeline_description="Preprocess, train, evaluate and register a model",
            pipeline_definition=definition,
            role_arn=self.pipeline_role.role_arn,
            parallelism_configuration={"max_parallel_execution_steps": 4},
            tags=tags,
            opts=here,
        )
        self.pipeline_name = self.pipeline.pipeline_name

        # -- alarms ------------------------------------------------------------------
        self.alarm_topic = aws.sns.Topic(
            child(name, "alarms"),
            kms_master_key_id=self.key.key_arn,
            tags=tags,
            opts=here,
        )
        aws.sns.TopicPolicy(
            child(name, "alarms-policy"),
            arn=self.alarm_topic.arn,
            policy=pulumi.Output.all(self.alarm_topic.arn, self._arn_parts).apply(
                lambda v: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "CloudWatchAlarms",
                                "Effect": "Allow",
                                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                                "Action": "sns:Publish",
                                "Resource": v[0],
                                "Condition": {"StringEquals": {"aws:SourceAccount": v[1][1]}},
                            }
                        ],
                    }
                )
            ),
            opts=here,
        )

        self.alarm_subscriptions = [
            aws.sns.TopicSubscription(
                child(name, f"alarms-{physical(email)}"),
                topic=self.alarm_topic.arn,
                protocol="email",
                endpoint=email,
                opts=here,
            )
            for email in s.monitoring.alarm_emails
        ]

        # A failed training run is news: SageMaker Pipelines publishes execution metrics
        # per pipeline, and the alarm tells the topic's subscribers.
        self.pipeline_failed_alarm = aws.cloudwatch.MetricAlarm(
            child(name, "pipeline-failed"),
            name=f"{pipeline_name}-failed",
            alarm_description=f"An execution of pipeline {pipeline_name} failed.",
            namespace="AWS/Sagemaker/ModelBuildingPipeline",
            metric_name="ExecutionFailed",
            dimensions={"PipelineName": pipeline_name},
            statistic="Sum",
            period=300,
            evaluation_periods=1,
            threshold=1,
            comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data="notBreaching",
            alarm_actions=[self.alarm_topic.arn],
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.pipeline]),
        )

        # -- promotion and serving -----------------------------------------------------
        self.promotion = None
        if s.promotion is not None:
            self.promotion = ModelPromotion(
                child(name, "promotion"),
                ModelPromotionArgs(
                    settings=s.promotion,
                    model_package_group_name=self.model_package_group.model_package_group_name,
                    kms_key_arn=self.key.key_arn,
                    tags=tags,
                    log_retention_days=retention_days,
                ),
                opts=here,
            )

        self.endpoint = None
        self.endpoint_name = None
        if s.endpoint.model_package_arn is not None:
            self.endpoint = RealtimeEndpoint(
                child(name, "endpoint"),
                RealtimeEndpointArgs(
                    settings=s.endpoint,
                    model_package_arn=s.endpoint.model_package_arn,
                    endpoint_name=physical(prefix, "endpoint"),
                    execution_role_arn=self.model_role.role_arn,
                    kms_key_arn=self.key.key_arn,
                    subnet_ids=self.network.subnet_ids,
                    security_group_ids=self.network.security_group_ids,
                    capture_s3_uri=self.artifacts_bucket.bucket_name.apply(
                        lambda b: f"s3://{b}/data-capture"
                    ),
                    alarm_topic_arn=self.alarm_topic.arn,
                    tags=tags,
                    log_retention_days=retention_days,
                ),
                opts=here,
            )
            self.endpoint_name = self.endpoint.endpoint_name

        self.monitoring_schedule = self._model_monitor(name, s, tags, here)
        self.studio_domain = self._studio(name, s, tags, here)
        self.feature_group = self._feature_group(name, s, tags, here)
        self.mlflow_tracking_server = self._mlflow(name, s, tags, here)

        self.register_outputs(
            {
                "data_bucket_name": self.data_bucket_name,
                "artifacts_bucket_name": self.artifacts_bucket_name,
                "pipeline_name": self.pipeline_name,
                "model_package_group_name": self.model_package_group_name,
                "endpoint_name": self.endpoint_name,
                "kms_key_arn": self.kms_key_arn,
            }
        )

    # -- helpers ---------------------------------------------------------------------

    def _arn(self, build: Any) -> pulumi.Output[str]:
        """An ARN from ``build(partition, account)``."""
        return self._arn_parts.apply(lambda v: build(v[0], v[1]))

    def _region_arn(self, service: str, resource: pulumi.Input[str]) -> pulumi.Output[str]:
        return pulumi.Output.all(self._arn_parts, self._region, resource).apply(
            lambda v: f"arn:{v[0][0]}:{service}:{v[1]}:{v[0][1]}:{v[2]}"
        )

    def _consumer_policy(self, accounts: list[str]) -> pulumi.Output[str]:
        group = self.model_package_group.model_package_group_name
        return pulumi.Output.all(self._arn_parts, self._region, group).apply(
            lambda v: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "ConsumersReadModelPackages",
                            "Effect": "Allow",
                            "Principal": {
                                "AWS": [f"arn:{v[0][0]}:iam::{a}:root" for a in accounts]
                            },
                            "Action": [
                                "sagemaker:DescribeModelPackage",
                                "sagemaker:ListModelPackages",
                                "sagemaker:DescribeModelPackageGroup",
                            ],
                            "Resource": [
                                f"arn:{v[0][0]}:sagemaker:{v[1]}:{v[0][1]}:model-package-group/{v[2]}",
                                f"arn:{v[0][0]}:sagemaker:{v[1]}:{v[0][1]}:model-package/{v[2]}/*",
                            ],
                        }
                    ],
                }
            )
        )

    def _role(
        self,
        name: str,
        role: str,
        description: str,
        statements: list[Statement],
        tags: dict[str, str],
        opts: pulumi.ResourceOptions,
        *,
        service: str = "sagemaker.amazonaws.com",
        policy: str | None = None,
    ) -> ScopedRole:
        """A role ``<name>-<role>-role`` that only ``service`` can assume, with one inline
        policy ``<name>-<role>-role-<policy>`` (``policy`` defaults to ``role``)."""
        return ScopedRole(
            child(name, f"{role}-role"),
            ScopedRoleArgs(
                service_principals=[service],
                description=description,
                tags=tags,
                policies={policy or role: statements},
            ),
            opts=opts,
        )

    def _network_statements(self) -> list[Statement]:
        """What SageMaker needs to place jobs and models in the private subnets.
        Describe calls cannot be scoped to resources; ENI changes are scoped to the
        stack's VPC."""
        vpc_arn = pulumi.Output.all(self._arn_parts, self.network.vpc_id).apply(
            lambda v: f"arn:{v[0][0]}:ec2:*:{v[0][1]}:vpc/{v[1]}"
        )
        describe = ["Vpcs", "Subnets", "SecurityGroups", "DhcpOptions", "NetworkInterfaces"]
        change = [
            "CreateNetworkInterface",
            "CreateNetworkInterfacePermission",
            "DeleteNetworkInterface",
            "DeleteNetworkInterfacePermission",
        ]
        return [
            allow("DescribeNetwork", [f"ec2:Describe{d}" for d in describe], ["*"]),
            allow(
                "NetworkInterfacesInStackVpc",
                [f"ec2:{c}" for c in change],
                ["*"],
                {"ArnEquals": {"ec2:Vpc": vpc_arn}},
            ),
        ]

    def _key_statement(self, *actions: str) -> Statement:
        return allow(
            "StackKey",
            actions or ("kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"),
            [self.key.key_arn],
        )

    def _runtime_statements(self) -> list[Statement]:
        """Logs, metrics, image pulls and the stack key: every SageMaker role needs them."""
        return [
            allow(
                "Logs",
                ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                [self._region_arn("logs", "log-group:/aws/sagemaker/*")],
            ),
            allow(
                "Metrics",
                ["cloudwatch:PutMetricData"],
                ["*"],
                {"StringLike": {"cloudwatch:namespace": ["aws/sagemaker/*", "/aws/sagemaker/*"]}},
            ),
            # GetAuthorizationToken has no resource-level permissions.
            allow("PullImagesToken", ["ecr:GetAuthorizationToken"], ["*"]),
            allow(
                "PullImages",
                [
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchCheckLayerAvailability",
                ],
                ["arn:aws:ecr:*:*:repository/*"],
            ),
            self._key_statement(),
        ]

    def _job_role(
        self, name: str, tags: dict[str, str], opts: pulumi.ResourceOptions
    ) -> ScopedRole:
        """Processing and training jobs: read data, read and write artifacts."""
        data, artifacts = self.data_bucket.bucket_arn, self.artifacts_bucket.bucket_arn
        return self._role(
            name,
            "job",
            "Processing and training jobs: read data, write artifacts.",
            [
                allow("ReadData", ["s3:GetObject", "s3:ListBucket"], [data, _objects(data)]),
                allow(
                    "ReadWriteArtifacts",
                    ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:AbortMultipartUpload"],
                    [artifacts, _objects(artifacts)],
                ),
                *self._runtime_statements(),
                *self._network_statements(),
            ],
            tags,
            opts,
            policy="jobs",
        )

    def _model_role(
        self, name: str, tags: dict[str, str], opts: pulumi.ResourceOptions
    ) -> ScopedRole:
        """Endpoint models: read model artifacts, write captured requests."""
        artifacts = self.artifacts_bucket.bucket_arn
        return self._role(
            name,
            "model",
            "Endpoint models: read model artifacts only.",
            [
                allow("ReadModelArtifacts", ["s3:GetObject"], [_objects(artifacts)]),
                allow("WriteDataCapture", ["s3:PutObject"], [_objects(artifacts, "data-capture/")]),
                *self._runtime_statements(),
                *self._network_statements(),
            ],
            tags,
            opts,
            policy="serve",
        )

    def _pipeline_role(
        self, name: str, tags: dict[str, str], opts: pulumi.ResourceOptions
    ) -> ScopedRole:
        """Runs the pipeline: starts jobs with the job role, registers model packages."""
        group = self.model_package_group.model_package_group_name
        jobs = ["Create", "Describe", "Stop"]
        return self._role(
            name,
            "pipeline",
            "SageMaker Pipelines execution: starts jobs and registers models.",
            [
                allow(
                    "RunJobs",
                    [
                        f"sagemaker:{verb}{kind}Job"
                        for kind in ("Processing", "Training")
                        for verb in jobs
                    ]
                    + ["sagemaker:AddTags"],
                    [
                        self._region_arn("sagemaker", "processing-job/*"),
                        self._region_arn("sagemaker", "training-job/*"),
                    ],
                ),
                allow(
                    "RegisterModels",
                    [
                        "sagemaker:CreateModelPackage",
                        "sagemaker:DescribeModelPackage",
                        "sagemaker:DescribeModelPackageGroup",
                        "sagemaker:AddTags",
                    ],
                    [
                        self._region_arn(
                            "sagemaker", group.apply(lambda g: f"model-package-group/{g}")
                        ),
                        self._region_arn(
                            "sagemaker", group.apply(lambda g: f"model-package/{g}/*")
                        ),
                    ],
                ),
                allow(
                    "PassJobRole",
                    ["iam:PassRole"],
                    [self.job_role.role_arn],
                    {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
                ),
                allow(
                    "ReadEvaluationReports",
                    ["s3:GetObject"],
                    [_objects(self.artifacts_bucket.bucket_arn, "runs/")],
                ),
                self._key_statement(),
            ],
            tags,
            opts,
        )

    def _model_monitor(
        self,
        name: str,
        s: SageMakerCiCdSettings,
        tags: dict[str, str],
        opts: pulumi.ResourceOptions,
    ) -> aws.sagemaker.MonitoringSchedule | None:
        """Hourly data-quality monitoring of captured requests. Opt-in: Model Monitor is
        closed to new AWS customers; data capture and alarms work without it."""
        image = s.monitoring.model_monitor_image_uri
        if not s.monitoring.model_monitor or self.endpoint is None or image is None:
            return None
        artifacts = self.artifacts_bucket.bucket_name
        definition = aws.sagemaker.DataQualityJobDefinition(
            child(name, "data-quality"),
            role_arn=self.job_role.role_arn,
            data_quality_app_specification={"image_uri": image},
            data_quality_job_input={
                "endpoint_input": {
                    "endpoint_name": self.endpoint.endpoint_name,
                    "local_path": "/opt/ml/processing/input",
                }
            },
            data_quality_job_output_config={
                "kms_key_id": self.key.key_arn,
                "monitoring_outputs": {
                    "s3_output": {
                        "s3_uri": artifacts.apply(lambda b: f"s3://{b}/monitoring/data-quality"),
                        "local_path": "/opt/ml/processing/output",
                    }
                },
            },
            job_resources={
                "cluster_config": {
                    "instance_count": 1,
                    "instance_type": "ml.m5.large",
                    "volume_size_in_gb": 20,
                    "volume_kms_key_id": self.key.key_arn,
                }
            },
            network_config={
                "enable_network_isolation": True,
                "enable_inter_container_traffic_encryption": True,
                "vpc_config": {
                    "subnets": self.network.subnet_ids,
                    "security_group_ids": self.network.security_group_ids,
                },
            },
            stopping_condition={"max_runtime_in_seconds": 1800},
            tags=tags,
            opts=opts,
        )
        return aws.sagemaker.MonitoringSchedule(
            child(name, "data-quality-schedule"),
            monitoring_schedule_config={
                "monitoring_type": "DataQuality",
                "monitoring_job_definition_name": definition.name,
                "schedule_config": {"schedule_expression": "cron(0 * ? * * *)"},
            },
            tags=tags,
            opts=opts,
        )

    def _studio(
        self,
        name: str,
        s: SageMakerCiCdSettings,
        tags: dict[str, str],
        opts: pulumi.ResourceOptions,
    ) -> aws.sagemaker.Domain | None:
        """Studio in VPC-only mode (no direct internet), encrypted, with idle shutdown
        of JupyterLab apps so forgotten notebooks stop billing."""
        if not s.studio.enabled:
            return None
        idle = s.studio.idle_timeout_minutes
        return aws.sagemaker.Domain(
            child(name, "studio"),
            domain_name=physical(self._prefix, "studio"),
            auth_mode="IAM",
            vpc_id=self.network.vpc_id,
            subnet_ids=self.network.subnet_ids,
            app_network_access_type="VpcOnly",
            kms_key_id=self.key.key_arn,
            default_user_settings={
                "execution_role": self.job_role.role_arn,
                "security_groups": self.network.security_group_ids,
                "jupyter_lab_app_settings": {
                    "app_lifecycle_management": {
                        "idle_settings": {
                            "lifecycle_management": "ENABLED",
                            "idle_timeout_in_minutes": idle,
                            "min_idle_timeout_in_minutes": 60,
                            "max_idle_timeout_in_minutes": max(idle, 60),
                        }
                    }
                },
            },
            domain_settings={"security_group_ids": self.network.security_group_ids},
            retention_policy={"home_efs_file_system": "Retain" if self._protected else "Delete"},
            tags=tags,
            opts=opts,
        )

    def _feature_group(
        self,
        name: str,
        s: SageMakerCiCdSettings,
        tags: dict[str, str],
        opts: pulumi.ResourceOptions,
    ) -> aws.sagemaker.FeatureGroup | None:
        """A feature group whose online and offline stores use the stack key."""
        fs = s.feature_store
        if not fs.enabled:
            return None
        return aws.sagemaker.FeatureGroup(
            child(name, "features"),
            feature_group_name=physical(self._prefix, "features"),
            record_identifier_feature_name=fs.record_identifier,
            event_time_feature_name=fs.event_time,
            role_arn=self.job_role.role_arn,
            feature_definitions=[
                {"feature_name": f.name, "feature_type": f.type} for f in fs.features
            ],
            offline_store_config={
                "s3_storage_config": {
                    "s3_uri": self.artifacts_bucket.bucket_name.apply(
                        lambda b: f"s3://{b}/feature-store"
                    ),
                    "kms_key_id": self.key.key_arn,
                },
                "disable_glue_table_creation": True,
            },
            online_store_config=(
                {"enable_online_store": True, "security_config": {"kms_key_id": self.key.key_arn}}
                if fs.online
                else None
            ),
            tags=tags,
            opts=pulumi.ResourceOptions.merge(
                opts,
                pulumi.ResourceOptions(protect=self._protected, retain_on_delete=self._protected),
            ),
        )

    def _mlflow(
        self,
        name: str,
        s: SageMakerCiCdSettings,
        tags: dict[str, str],
        opts: pulumi.ResourceOptions,
    ) -> aws.sagemaker.MlflowTrackingServer | None:
        """Managed MLflow for experiment tracking; artifacts in the artifacts bucket."""
        if not s.experiments.mlflow:
            return None
        artifacts = self.artifacts_bucket.bucket_arn
        role = self._role(
            name,
            "mlflow",
            "MLflow tracking server: experiment artifacts only.",
            [
                allow(
                    "ExperimentArtifacts",
                    ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                    [artifacts, _objects(artifacts, "mlflow/")],
                ),
                self._key_statement("kms:Decrypt", "kms:GenerateDataKey"),
            ],
            tags,
            opts,
        )
        return aws.sagemaker.MlflowTrackingServer(
            child(name, "mlflow"),
            tracking_server_name=physical(self._prefix, "mlflow"),
            tracking_server_size=s.experiments.size,
            artifact_store_uri=self.artifacts_bucket.bucket_name.apply(
                lambda b: f"s3://{b}/mlflow"
            ),
            role_arn=role.role_arn,
            automatic_model_registration=False,
            tags=tags,
            opts=opts,
        )


def _objects(bucket_arn: pulumi.Output[str], prefix: str = "") -> pulumi.Output[str]:
    """The ARN of the objects under ``prefix`` in a bucket."""
    return bucket_arn.apply(lambda arn: f"{arn}/{prefix}*")
