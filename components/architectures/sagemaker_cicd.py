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

import pulumi
import pulumi_aws as aws

from ..aws import sagemaker_access as access
from ..aws.alarm_topic import AlarmTopic, alarm_topic
from ..aws.arns import AccountArns
from ..aws.bucket import EncryptedBucket, EncryptedBucketArgs
from ..aws.iam import ScopedRole, ScopedRoleArgs, Statement
from ..aws.kms import KmsKey, KmsKeyArgs
from ..aws.names import fixed_name
from ..aws.network import PrivateNetwork, PrivateNetworkArgs
from ..aws.promotion import ModelPromotion, ModelPromotionArgs
from ..aws.sagemaker_endpoint import RealtimeEndpoint, RealtimeEndpointArgs, rollback_alarm_names
from ..naming import child, physical
from ..registry import Capacity, Deployment, Outputs
from ..retention import is_protected, stateful_options
from ..settings import (
    CapacityStrategy,
    Cloud,
    EndpointHosting,
    Retention,
    SageMakerCiCdSettings,
)
from ..settings.aws import KEPT_ARTIFACT_PREFIXES
from ..tags import merge_tags
from .sagemaker_pipeline import PipelineRefs, pipeline_definition

TOKEN = "mlops:aws:SageMakerCiCd"


@dataclass
class SageMakerCiCdArgs:
    """Inputs of ``SageMakerCiCd``.

    ``name_prefix`` starts every physical name that must be fixed in advance
    (pipeline, model package group, endpoint, alarms, KMS alias); keep it unique per
    account and region, e.g. ``mlops-dev`` (two architectures with one prefix in one
    program are an error naming both). ``tags`` are the merged tags for every child.
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
    alarms: AlarmTopic
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
        self._name, self._prefix, self._retention = name, args.name_prefix, args.retention
        self._tags = dict(args.tags)
        self._here = pulumi.ResourceOptions(parent=self)
        self._arns = AccountArns(self)
        s.check_model_source(args.name_prefix)

        self._storage(s, args.region)
        self.network = PrivateNetwork(
            child(name, "network"),
            PrivateNetworkArgs(
                settings=s.network,
                tags=self._tags,
                region=args.region,
                kms_key_arn=self.key.key_arn,
                log_retention_days=s.monitoring.log_retention_days,
            ),
            opts=self._here,
        )
        self._registry(s)
        resources = access.StackResources(
            arns=self._arns,
            key_arn=self.key.key_arn,
            data_bucket_arn=self.data_bucket.bucket_arn,
            artifacts_bucket_arn=self.artifacts_bucket.bucket_arn,
            vpc_id=self.network.vpc_id,
            model_group_name=self.model_package_group_name,
        )
        self._roles(s, resources)
        self._pipeline(s)
        self._alarms(s)
        self.promotion = self._promotion(s)
        self.endpoint = self._endpoint(s)
        self.endpoint_name = self.endpoint.endpoint_name if self.endpoint else None
        self.monitoring_schedule = self._model_monitor(name, s, self._tags, self._here)
        self.studio_domain = self._studio(name, s, self._tags, self._here)
        self.feature_group = self._feature_group(name, s, self._tags, self._here)
        self.mlflow_tracking_server = self._mlflow(name, s, resources)

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

    # -- blocks ----------------------------------------------------------------------

    def _shared_retention(self, s: SageMakerCiCdSettings) -> Retention:
        """Retention of what other stacks serve from: the registry, the artifacts bucket
        and the key. With consumer accounts they are protected whatever the stack's own
        retention, so destroying a development stack cannot delete the models staging
        and prod load at every scale-out (destroy it with ``--exclude-protected``)."""
        return Retention.PROTECTED if s.registry.consumer_account_ids else self._retention

    def _storage(self, s: SageMakerCiCdSettings, region: str) -> None:
        """The stack key and the data and artifacts buckets. Consumer accounts get the
        producer side of the cross-account grant: decrypt through S3, read ``models/``."""
        consumers = s.registry.consumer_account_ids
        self.key = KmsKey(
            child(self._name, "key"),
            KmsKeyArgs(
                description=f"{self._prefix}: SageMaker data, artifacts, logs and alarms",
                tags=self._tags,
                retention=self._shared_retention(s),
                alias_name=physical(self._prefix, "sagemaker"),
                # CloudWatch alarms publish to the encrypted alarm topic.
                service_principals=["cloudwatch.amazonaws.com"],
                reader_account_ids=consumers,
                log_group_region=region,
            ),
            opts=self._here,
        )
        self.kms_key_arn = self.key.key_arn
        self.data_bucket = EncryptedBucket(
            child(self._name, "data"),
            EncryptedBucketArgs(
                kms_key_arn=self.key.key_arn,
                tags=self._tags,
                retention=self._retention,
                lifecycle=s.data_lifecycle,
            ),
            opts=self._here,
        )
        self.artifacts_bucket = EncryptedBucket(
            child(self._name, "artifacts"),
            EncryptedBucketArgs(
                kms_key_arn=self.key.key_arn,
                tags=self._tags,
                retention=self._shared_retention(s),
                lifecycle=s.artifacts_lifecycle,
                kept_prefixes=KEPT_ARTIFACT_PREFIXES,
                read_principals=[self._arns.account_root(a) for a in consumers],
                read_prefix="models/",
            ),
            opts=self._here,
        )
        self.data_bucket_name = self.data_bucket.bucket_name
        self.artifacts_bucket_name = self.artifacts_bucket.bucket_name

    def _registry(self, s: SageMakerCiCdSettings) -> None:
        """The model package group and, for consumer accounts, its resource policy."""
        self.model_package_group = aws.sagemaker.ModelPackageGroup(
            child(self._name, "models"),
            model_package_group_name=fixed_name(
                "sagemaker-model-package-group",
                s.model_group_name(self._prefix),
                owner=child(self._name, "models"),
            ),
            model_package_group_description=f"Models trained by the {self._prefix} pipeline",
            tags=self._tags,
            opts=stateful_options(self._shared_retention(s), self),
        )
        self.model_package_group_name = self.model_package_group.model_package_group_name
        self.model_package_group_policy = None
        consumers = s.registry.consumer_account_ids
        if consumers:
            self.model_package_group_policy = aws.sagemaker.ModelPackageGroupPolicy(
                child(self._name, "models-policy"),
                model_package_group_name=self.model_package_group_name,
                resource_policy=access.consumer_registry_policy(
                    self._arns, self.model_package_group_name, consumers
                ).apply(lambda doc: json.dumps(doc)),
                opts=self._here,
            )

    def _roles(self, s: SageMakerCiCdSettings, res: access.StackResources) -> None:
        mlflow = self._mlflow_name() if s.experiments.mlflow else None
        alarm_arns = [
            self._arns.regional("cloudwatch", f"alarm:{alarm}")
            for alarm in rollback_alarm_names(self._prefix, s.endpoint)
        ]
        self.job_role = self._role(
            "job",
            "Processing and training jobs: read data, write artifacts.",
            access.jobs(res, feature_store=s.feature_store.enabled, mlflow_server=mlflow),
            policy="jobs",
        )
        self.model_role = self._role(
            "model",
            "Endpoint models: read model artifacts only.",
            access.model(res, rollback_alarm_arns=alarm_arns, source=s.endpoint.model_source),
            policy="serve",
        )
        self.pipeline_role = self._role(
            "pipeline",
            "SageMaker Pipelines execution: starts jobs and registers models.",
            access.pipeline(res, self.job_role.role_arn),
        )

    def _pipeline(self, s: SageMakerCiCdSettings) -> None:
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
                allow_nan=False,  # settings refuse NaN; a second guard for the document
            )
        )
        pipeline_name = fixed_name(
            "sagemaker-pipeline", self._prefix, "pipeline", owner=child(self._name, "pipeline")
        )
        self.pipeline = aws.sagemaker.Pipeline(
            child(self._name, "pipeline"),
            pipeline_name=pipeline_name,
            pipeline_display_name=pipeline_name,
            pipeline_description="Preprocess, train, evaluate and register a model",
            pipeline_definition=definition,
            role_arn=self.pipeline_role.role_arn,
            parallelism_configuration={"max_parallel_execution_steps": 4},
            tags=self._tags,
            opts=self._here,
        )
        self.pipeline_name = self.pipeline.pipeline_name

    def _alarms(self, s: SageMakerCiCdSettings) -> None:
        """The alarm topic, and an alarm on failed pipeline executions (SageMaker
        Pipelines publishes ``ExecutionFailed`` per pipeline)."""
        self.alarms = alarm_topic(
            self._name,
            kms_key_arn=self.key.key_arn,
            emails=s.monitoring.alarm_emails,
            arns=self._arns,
            tags=self._tags,
            parent=self,
        )
        self.alarm_topic = self.alarms.topic
        self.alarm_subscriptions = self.alarms.subscriptions
        pipeline_name = physical(self._prefix, "pipeline")
        role = child(self._name, "pipeline-failed")
        self.pipeline_failed_alarm = aws.cloudwatch.MetricAlarm(
            role,
            name=fixed_name("cloudwatch-alarm", pipeline_name, "failed", owner=role),
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
            tags=self._tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.pipeline]),
        )

    def _promotion(self, s: SageMakerCiCdSettings) -> ModelPromotion | None:
        if s.promotion is None:
            return None
        return ModelPromotion(
            child(self._name, "promotion"),
            ModelPromotionArgs(
                settings=s.promotion,
                model_package_group_name=self.model_package_group_name,
                kms_key_arn=self.key.key_arn,
                artifacts_bucket_name=self.artifacts_bucket_name,
                tags=self._tags,
                log_retention_days=s.monitoring.log_retention_days,
            ),
            opts=self._here,
        )

    def _endpoint(self, s: SageMakerCiCdSettings) -> RealtimeEndpoint | None:
        if s.endpoint.model_package_arn is None:
            return None
        return RealtimeEndpoint(
            child(self._name, "endpoint"),
            RealtimeEndpointArgs(
                settings=s.endpoint,
                model_package_arn=s.endpoint.model_package_arn,
                name_prefix=self._prefix,
                execution_role_arn=self.model_role.role_arn,
                kms_key_arn=self.key.key_arn,
                subnet_ids=self.network.subnet_ids,
                security_group_ids=self.network.security_group_ids,
                capture_s3_uri=self.artifacts_bucket.bucket_name.apply(
                    lambda b: f"s3://{b}/data-capture"
                ),
                alarm_topic_arn=self.alarm_topic.arn,
                tags=self._tags,
                log_retention_days=s.monitoring.log_retention_days,
                retention=self._retention,
            ),
            opts=self._here,
        )

    # -- helpers ---------------------------------------------------------------------

    def _role(
        self, role: str, description: str, statements: list[Statement], *, policy: str | None = None
    ) -> ScopedRole:
        """A role ``<name>-<role>-role`` that only SageMaker can assume, with one inline
        policy ``<name>-<role>-role-<policy>`` (``policy`` defaults to ``role``)."""
        return ScopedRole(
            child(self._name, f"{role}-role"),
            ScopedRoleArgs(
                service_principals=["sagemaker.amazonaws.com"],
                description=description,
                tags=self._tags,
                policies={policy or role: statements},
            ),
            opts=self._here,
        )

    def _mlflow_name(self) -> str:
        return physical(self._prefix, "mlflow")

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
            domain_name=fixed_name(
                "sagemaker-domain", self._prefix, "studio", owner=child(name, "studio")
            ),
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
            retention_policy={
                "home_efs_file_system": "Retain" if is_protected(self._retention) else "Delete"
            },
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
            feature_group_name=fixed_name(
                "sagemaker-feature-group",
                self._prefix,
                "features",
                owner=child(name, "features"),
            ),
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
            opts=stateful_options(self._retention, self),
        )

    def _mlflow(
        self, name: str, s: SageMakerCiCdSettings, res: access.StackResources
    ) -> aws.sagemaker.MlflowTrackingServer | None:
        """Managed MLflow for experiment tracking; artifacts in the artifacts bucket under
        ``mlflow/``. The job role (jobs and Studio users) may use this server only."""
        if not s.experiments.mlflow:
            return None
        role = self._role(
            "mlflow",
            "MLflow tracking server: experiment artifacts only.",
            access.mlflow_server(res),
        )
        return aws.sagemaker.MlflowTrackingServer(
            child(name, "mlflow"),
            tracking_server_name=fixed_name(
                "sagemaker-mlflow-tracking-server",
                self._mlflow_name(),
                owner=child(name, "mlflow"),
            ),
            tracking_server_size=s.experiments.size,
            artifact_store_uri=self.artifacts_bucket.bucket_name.apply(
                lambda b: f"s3://{b}/mlflow"
            ),
            role_arn=role.role_arn,
            automatic_model_registration=False,
            tags=self._tags,
            opts=self._here,
        )


def deploy(deployment: Deployment, settings: SageMakerCiCdSettings) -> Outputs:
    """The registry's entry point: one ``SageMakerCiCd`` named ``sagemaker`` and the
    stack outputs other stacks and the cleanup script read."""
    from .sagemaker_cleanup import cleanup_outputs

    cicd = SageMakerCiCd(
        "sagemaker",
        SageMakerCiCdArgs(
            settings=settings,
            region=deployment.region,
            name_prefix=deployment.name_prefix,
            tags=merge_tags(deployment.tags, component="sagemaker-cicd"),
            retention=deployment.retention,
        ),
        opts=deployment.opts,
    )
    for entry in declared_capacity(settings, deployment.region, endpoint=cicd.endpoint is not None):
        deployment.declare_capacity(entry)
    return {
        "sagemaker_data_bucket": cicd.data_bucket_name,
        "sagemaker_artifacts_bucket": cicd.artifacts_bucket_name,
        "sagemaker_pipeline": cicd.pipeline_name,
        "sagemaker_model_package_group": cicd.model_package_group_name,
        "sagemaker_endpoint": cicd.endpoint_name,
        "sagemaker_kms_key_arn": cicd.kms_key_arn,
        **cleanup_outputs(cicd),
    }


def declared_capacity(
    settings: SageMakerCiCdSettings, region: str, *, endpoint: bool
) -> list[Capacity]:
    """What the pipeline's jobs and the endpoint can run at once, for the stack's quotas:
    each pipeline step's instances (training on Spot with ``spot_first``), and with
    ``instances`` or ``scale_to_zero`` hosting the endpoint's ceiling plus, during a
    blue/green deployment, the new fleet beside the old one. Serverless endpoints use no
    instance quota."""
    p = settings.pipeline
    source = "architectures.sagemaker_cicd"
    found = [
        Capacity(
            Cloud.AWS,
            region,
            "sagemaker-processing",
            step.instance_type,
            step.instance_count,
            False,
            source=f"{source}.pipeline.{key}",
        )
        for key, step in (("preprocessing", p.preprocessing), ("evaluation", p.evaluation))
    ]
    found.append(
        Capacity(
            Cloud.AWS,
            region,
            "sagemaker-training",
            p.training.instance_type,
            p.training.instance_count,
            p.training.capacity is CapacityStrategy.SPOT_FIRST,
            source=f"{source}.pipeline.training",
        )
    )
    e = settings.endpoint
    if endpoint and e.hosting is not EndpointHosting.SERVERLESS:
        blue_green = e.fleet_size if e.hosting is EndpointHosting.INSTANCES else 0
        found.append(
            Capacity(
                Cloud.AWS,
                region,
                "sagemaker-endpoint",
                e.instance_type,
                e.max_instances + blue_green,
                False,
                source=f"{source}.endpoint",
            )
        )
    return found
