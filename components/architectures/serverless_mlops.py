"""Reference architecture 2: serverless MLOps.

S3 data -> EventBridge (new object under a prefix, or a schedule) -> Step Functions:
Lambda preprocessing -> SageMaker training -> Lambda validation -> model registration
(``PendingManualApproval``) -> an HTTP API whose Lambda calls a SageMaker serverless
endpoint. Self-contained: its own key, buckets, network, registry and alarm topic, with
names apart from ``sagemaker_cicd``'s, so a stack may enable both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..aws import sagemaker_access as access
from ..aws.alarm_topic import AlarmTopic, alarm_topic
from ..aws.alarms import AlarmSpec, metric_alarm
from ..aws.arns import AccountArns, objects
from ..aws.bucket import EncryptedBucket, EncryptedBucketArgs
from ..aws.capacity import capacity_for
from ..aws.http_api import STAGE, InferenceApi, InferenceApiArgs
from ..aws.iam import ScopedRole, ScopedRoleArgs, Statement, allow
from ..aws.kms import KmsKey, KmsKeyArgs
from ..aws.lambda_function import LambdaFunction, LambdaFunctionArgs, source_dir
from ..aws.names import fixed_name
from ..aws.network import PrivateNetwork, PrivateNetworkArgs
from ..aws.workflow import TrainingWorkflow, TrainingWorkflowArgs, job_name_prefix
from ..naming import child, physical
from ..registry import Capacity, Deployment, Outputs
from ..retention import stateful_options
from ..settings import Cloud, Retention
from ..settings.serverless import FunctionSettings, ServerlessMlopsSettings
from ..tags import merge_tags

TOKEN = "mlops:aws:ServerlessMlops"
FUNCTION_ROLES = ("processing", "validation", "inference")
VALIDATION_PERCENT = 20
"""Share of the rows the preprocessing function sets aside for validation."""

WORKFLOW_ALARMS = (
    AlarmSpec(
        "serverless-workflow-failed",
        "A run of the serverless training workflow failed.",
        "AWS/States",
        "ExecutionsFailed",
        1,
    ),
    AlarmSpec(
        "serverless-workflow-timed-out",
        "A run of the serverless training workflow timed out.",
        "AWS/States",
        "ExecutionsTimedOut",
        1,
    ),
)


def function_alarms(role: str) -> tuple[AlarmSpec, ...]:
    return (
        AlarmSpec(
            f"serverless-{role}-errors", f"The {role} function failed.", "AWS/Lambda", "Errors", 1
        ),
        AlarmSpec(
            f"serverless-{role}-throttles",
            f"Calls of the {role} function were throttled (reserved concurrency reached).",
            "AWS/Lambda",
            "Throttles",
            1,
        ),
    )


def api_alarms(latency_ms: int) -> tuple[AlarmSpec, ...]:
    return (
        AlarmSpec(
            "serverless-api-5xx", "The inference API answered 5xx.", "AWS/ApiGateway", "5xx", 1
        ),
        AlarmSpec(
            "serverless-api-latency",
            f"p99 latency of the inference API exceeded {latency_ms} ms.",
            "AWS/ApiGateway",
            "Latency",
            latency_ms,
            statistic="p99",
            comparison="GreaterThanThreshold",
            evaluation_periods=3,
        ),
    )


@dataclass
class ServerlessMlopsArgs:
    """Inputs of ``ServerlessMlops``; ``name_prefix`` starts every fixed name (KMS alias,
    registry, log group, alarms, training jobs)."""

    settings: ServerlessMlopsSettings
    region: str
    name_prefix: str
    tags: Mapping[str, str]
    retention: Retention = Retention.DESTROYABLE


class ServerlessMlops(pulumi.ComponentResource):
    """Event-driven training with Step Functions and Lambda, and a Lambda inference API."""

    key: KmsKey
    data_bucket: EncryptedBucket
    artifacts_bucket: EncryptedBucket
    network: PrivateNetwork
    model_package_group: aws.sagemaker.ModelPackageGroup
    training_role: ScopedRole
    functions: dict[str, LambdaFunction]
    workflow: TrainingWorkflow
    api: InferenceApi
    alarms: AlarmTopic
    metric_alarms: list[aws.cloudwatch.MetricAlarm]

    data_bucket_name: pulumi.Output[str]
    artifacts_bucket_name: pulumi.Output[str]
    state_machine_arn: pulumi.Output[str]
    model_package_group_name: pulumi.Output[str]
    api_url: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: ServerlessMlopsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TOKEN, name, None, opts)
        s = args.settings
        self._name, self._prefix = name, args.name_prefix
        self._tags = dict(args.tags)
        self._here = pulumi.ResourceOptions(parent=self)
        self._arns = AccountArns(self)
        self._retention_days = s.monitoring.log_retention_days

        self._storage(s, args)
        self.network = PrivateNetwork(
            child(name, "network"),
            PrivateNetworkArgs(
                settings=s.network,
                tags=self._tags,
                region=args.region,
                kms_key_arn=self.key.key_arn,
                log_retention_days=self._retention_days,
            ),
            opts=self._here,
        )
        self.model_package_group = aws.sagemaker.ModelPackageGroup(
            child(name, "models"),
            model_package_group_name=fixed_name(
                "sagemaker-model-package-group",
                self._prefix,
                "serverless-models",
                owner=child(name, "models"),
            ),
            model_package_group_description=f"Models trained by the {self._prefix} serverless workflow",
            tags=self._tags,
            opts=stateful_options(args.retention, self),
        )
        self.model_package_group_name = self.model_package_group.model_package_group_name
        self.training_role = ScopedRole(
            child(name, "training-role"),
            ScopedRoleArgs(
                service_principals=["sagemaker.amazonaws.com"],
                description="Serverless training jobs: read data, write artifacts.",
                tags=self._tags,
                policies={
                    "jobs": access.jobs(
                        access.StackResources(
                            arns=self._arns,
                            key_arn=self.key.key_arn,
                            data_bucket_arn=self.data_bucket.bucket_arn,
                            artifacts_bucket_arn=self.artifacts_bucket.bucket_arn,
                            vpc_id=self.network.vpc_id,
                            model_group_name=self.model_package_group_name,
                            image_uris=(s.training.image_uri, s.inference_image_uri),
                        ),
                        feature_store=False,
                        mlflow_server=None,
                    )
                },
            ),
            opts=self._here,
        )
        self.functions = self._functions(s)
        self.workflow = TrainingWorkflow(
            child(name, "workflow"),
            TrainingWorkflowArgs(
                settings=s,
                name_prefix=self._prefix,
                arns=self._arns,
                processing_function_arn=self.functions["processing"].function_arn,
                validation_function_arn=self.functions["validation"].function_arn,
                training_role_arn=self.training_role.role_arn,
                data_bucket_name=self.data_bucket_name,
                artifacts_bucket_name=self.artifacts_bucket_name,
                kms_key_arn=self.key.key_arn,
                model_package_group_name=self.model_package_group_name,
                subnet_ids=self.network.subnet_ids,
                security_group_ids=self.network.security_group_ids,
                tags=self._tags,
            ),
            opts=self._here,
        )
        self.state_machine_arn = self.workflow.state_machine_arn
        inference = self.functions["inference"]
        self.api = InferenceApi(
            child(name, "api"),
            InferenceApiArgs(
                settings=s.api,
                function_arn=inference.function_arn,
                function_name=inference.function_name,
                function_timeout_seconds=s.functions.inference.timeout_seconds,
                kms_key_arn=self.key.key_arn,
                tags=self._tags,
                log_retention_days=self._retention_days,
            ),
            opts=self._here,
        )
        self.api_url = self.api.url
        self._alarms(s)
        self.register_outputs(
            {
                "data_bucket_name": self.data_bucket_name,
                "artifacts_bucket_name": self.artifacts_bucket_name,
                "state_machine_arn": self.state_machine_arn,
                "model_package_group_name": self.model_package_group_name,
                "api_url": self.api_url,
                "kms_key_arn": self.kms_key_arn,
            }
        )

    def _storage(self, s: ServerlessMlopsSettings, args: ServerlessMlopsArgs) -> None:
        self.key = KmsKey(
            child(self._name, "key"),
            KmsKeyArgs(
                description=f"{self._prefix}: serverless MLOps data, functions, logs and alarms",
                tags=self._tags,
                retention=args.retention,
                alias_name=physical(self._prefix, "serverless"),
                service_principals=["cloudwatch.amazonaws.com"],
                log_group_region=args.region,
            ),
            opts=self._here,
        )
        self.kms_key_arn = self.key.key_arn
        self.data_bucket = EncryptedBucket(
            child(self._name, "data"),
            EncryptedBucketArgs(
                kms_key_arn=self.key.key_arn,
                tags=self._tags,
                retention=args.retention,
                lifecycle=s.data_lifecycle,
                eventbridge=True,
            ),
            opts=self._here,
        )
        self.artifacts_bucket = EncryptedBucket(
            child(self._name, "artifacts"),
            EncryptedBucketArgs(
                kms_key_arn=self.key.key_arn,
                tags=self._tags,
                retention=args.retention,
                lifecycle=s.artifacts_lifecycle,
                kept_prefixes=("models/",),
            ),
            opts=self._here,
        )
        self.data_bucket_name = self.data_bucket.bucket_name
        self.artifacts_bucket_name = self.artifacts_bucket.bucket_name

    def _functions(self, s: ServerlessMlopsSettings) -> dict[str, LambdaFunction]:
        jobs = self._arns.regional("sagemaker", f"training-job/{job_name_prefix(self._prefix)}-*")
        data, artifacts = self.data_bucket.bucket_arn, self.artifacts_bucket.bucket_arn
        v = s.validation
        endpoint = s.api.endpoint_name
        specs: dict[
            str, tuple[FunctionSettings, str, dict[str, pulumi.Input[str]], list[Statement]]
        ]
        specs = {
            "processing": (
                s.functions.processing,
                "Splits new data into train and validation sets for a training job.",
                {
                    "ARTIFACTS_BUCKET": self.artifacts_bucket_name,
                    "JOB_NAME_PREFIX": job_name_prefix(self._prefix),
                    "VALIDATION_PERCENT": str(VALIDATION_PERCENT),
                    "TRIGGER_SUFFIX": s.workflow.trigger_suffix or "",
                },
                [
                    allow("ListData", ["s3:ListBucket"], [data]),
                    allow("ReadData", ["s3:GetObject"], [objects(data)]),
                    allow("WriteRuns", ["s3:PutObject"], [objects(artifacts, "runs/")]),
                ],
            ),
            "validation": (
                s.functions.validation,
                "Compares the training job's final metric with the threshold.",
                {
                    "METRIC_NAME": v.metric_name,
                    "THRESHOLD": repr(v.threshold),
                    "COMPARISON": v.metric.comparison.value,
                },
                [allow("ReadTrainingJobs", ["sagemaker:DescribeTrainingJob"], [jobs])],
            ),
            "inference": (
                s.functions.inference,
                "Answers the inference API from the SageMaker serverless endpoint.",
                {"ENDPOINT_NAME": endpoint} if endpoint else {},
                [
                    allow(
                        "InvokeModelEndpoint",
                        ["sagemaker:InvokeEndpoint"],
                        [self._arns.regional("sagemaker", f"endpoint/{endpoint.lower()}")],
                    )
                ]
                if endpoint
                else [],
            ),
        }
        return {
            role: LambdaFunction(
                child(self._name, role),
                LambdaFunctionArgs(
                    settings=settings,
                    source_dir=source_dir(role),
                    description=description,
                    kms_key_arn=self.key.key_arn,
                    tags=self._tags,
                    log_retention_days=self._retention_days,
                    environment=environment,
                    statements=statements,
                ),
                opts=self._here,
            )
            for role, (settings, description, environment, statements) in specs.items()
        }

    def _alarms(self, s: ServerlessMlopsSettings) -> None:
        self.alarms = alarm_topic(
            self._name,
            kms_key_arn=self.key.key_arn,
            emails=s.monitoring.alarm_emails,
            arns=self._arns,
            tags=self._tags,
            parent=self,
        )
        topic = self.alarms.topic.arn
        groups: list[tuple[tuple[AlarmSpec, ...], Mapping[str, pulumi.Input[str]]]] = [
            (WORKFLOW_ALARMS, {"StateMachineArn": self.state_machine_arn}),
            *(
                (function_alarms(role), {"FunctionName": self.functions[role].function_name})
                for role in FUNCTION_ROLES
            ),
            (api_alarms(s.api.latency_alarm_ms), {"ApiId": self.api.api_id, "Stage": STAGE}),
        ]
        self.metric_alarms = [
            metric_alarm(
                child(self._name, spec.role.removeprefix("serverless-")),
                spec,
                name_prefix=self._prefix,
                dimensions=dimensions,
                topic_arn=topic,
                tags=self._tags,
                parent=self,
            )
            for specs, dimensions in groups
            for spec in specs
        ]


def deploy(deployment: Deployment, settings: ServerlessMlopsSettings) -> Outputs:
    """The registry's entry point: one ``ServerlessMlops`` named ``serverless``; declares
    the training job's capacity."""
    t = settings.training
    deployment.declare_capacity(
        Capacity(
            Cloud.AWS,
            deployment.region,
            "sagemaker-training",
            t.instance_type,
            t.instance_count,
            spot=capacity_for(t.capacity).managed_spot_training,
            source="architectures.serverless_mlops.training",
        )
    )
    serverless = ServerlessMlops(
        "serverless",
        ServerlessMlopsArgs(
            settings=settings,
            region=deployment.region,
            name_prefix=deployment.name_prefix,
            tags=merge_tags(deployment.tags, component="serverless-mlops"),
            retention=deployment.retention,
        ),
        opts=deployment.opts,
    )
    return {
        "serverless_data_bucket": serverless.data_bucket_name,
        "serverless_artifacts_bucket": serverless.artifacts_bucket_name,
        "serverless_state_machine_arn": serverless.state_machine_arn,
        "serverless_model_package_group": serverless.model_package_group_name,
        "serverless_api_url": serverless.api_url,
        "serverless_kms_key_arn": serverless.kms_key_arn,
    }
