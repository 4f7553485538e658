"""Settings of the AWS building blocks and of the SageMaker CI/CD architecture."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    EmailStr,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ..naming import physical
from .base import CapacityStrategy, EndpointHosting, Strict
from .common import LifecycleSettings
from .evaluation import (
    METRIC_PATH_PATTERN,
    MetricSettings,
    complete_metric,
    metric_name,
)

AwsAccountId = Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
SageMakerInstanceType = Annotated[str, StringConstraints(pattern=r"^ml\.[a-z0-9-]+\.[a-z0-9]+$")]
"""A SageMaker instance type such as ``ml.m5.large`` or ``ml.g5.xlarge``."""
ImageUri = Annotated[
    str,
    StringConstraints(pattern=r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/[^\s]+$"),
]
"""A container image in ECR: SageMaker jobs only pull from ECR."""
SubnetId = Annotated[str, StringConstraints(pattern=r"^subnet-[0-9a-f]{8,17}$")]
SecurityGroupId = Annotated[str, StringConstraints(pattern=r"^sg-[0-9a-f]{8,17}$")]
EmailAddress = EmailStr
"""An e-mail address, checked by the ``email-validator`` package (syntax only, no DNS)."""
S3Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9!_.*'()/-]+[^/]$")]

LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
"""The only values CloudWatch Logs accepts for ``retention_in_days``."""

PRIVATE_RANGES = tuple(
    ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)
"""RFC 1918: the only ranges a private VPC should use."""


def _vpc_cidr(value: str) -> str:
    """A VPC CIDR: a network address (no host bits), inside RFC 1918, /16 to /24
    (AWS allows /16-/28; each created subnet is a quarter of the VPC, at least /26)."""
    if "/" not in value:
        raise ValueError("needs a prefix length, e.g. 10.40.0.0/16")
    try:
        interface = ipaddress.IPv4Interface(value)
    except ValueError:
        raise ValueError("is not an IPv4 network such as 10.40.0.0/16") from None
    network = interface.network
    if interface.ip != network.network_address:
        raise ValueError(f"has host bits set; did you mean {network}?")
    if not any(network.subnet_of(r) for r in PRIVATE_RANGES):
        raise ValueError(
            "is not a private range: use part of 10.0.0.0/8, 172.16.0.0/12 or "
            "192.168.0.0/16 (RFC 1918)"
        )
    if not 16 <= network.prefixlen <= 24:
        raise ValueError("the prefix must be /16 to /24")
    return str(network)


VpcCidr = Annotated[str, AfterValidator(_vpc_cidr)]
EndpointService = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)*$")]
"""A service of ``com.amazonaws.<region>.<service>``, e.g. ``sagemaker.api``."""

DEFAULT_INTERFACE_ENDPOINTS = (
    "sagemaker.api",
    "sagemaker.runtime",
    "sts",
    "logs",
    "ecr.api",
    "ecr.dkr",
)


class NetworkSettings(Strict):
    """Private network for SageMaker jobs, models and Studio.

    By default a VPC is created with one private subnet per availability zone, no
    internet gateway and no NAT gateway; AWS APIs are reached through VPC endpoints
    (S3 as a free gateway endpoint, the rest as interface endpoints), and VPC flow
    logs go to an encrypted log group. Pass ``vpc_id`` with ``subnet_ids`` and
    ``security_group_ids`` to adopt an existing network instead; create-time settings
    may then not be given.
    """

    vpc_id: str | None = Field(default=None, pattern=r"^vpc-[0-9a-f]{8,17}$")
    subnet_ids: list[SubnetId] = Field(default_factory=list)
    security_group_ids: list[SecurityGroupId] = Field(default_factory=list)
    cidr_block: VpcCidr = Field(
        default="10.40.0.0/16",
        description="CIDR of the created VPC: a private (RFC 1918) network, /16 to /24. "
        "Each subnet gets a quarter of it.",
    )
    availability_zones: int = Field(
        default=2, ge=2, le=4, description="Private subnets to create, one per availability zone."
    )
    interface_endpoints: list[EndpointService] = Field(
        default_factory=lambda: list(DEFAULT_INTERFACE_ENDPOINTS),
        description="AWS services reached through interface VPC endpoints "
        "(`com.amazonaws.<region>.<service>`), each once; S3 always has a (free) gateway "
        "endpoint instead. Each costs about $7/month per zone.",
    )
    flow_logs: bool = Field(default=True, description="Send VPC flow logs to CloudWatch Logs.")

    @field_validator("interface_endpoints")
    @classmethod
    def _endpoints_once(cls, services: list[str]) -> list[str]:
        problems = [
            f"[{i}] {service!r}: S3 is reached through the gateway endpoint"
            for i, service in enumerate(services)
            if service == "s3"
        ]
        problems += [
            f"[{i}] {service!r} is listed twice"
            for i, service in enumerate(services)
            if service in services[:i]
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return services

    @model_validator(mode="after")
    def _adopt_or_create(self) -> Self:
        if self.vpc_id is None:
            if self.subnet_ids or self.security_group_ids:
                raise ValueError("subnet_ids and security_group_ids need vpc_id")
            return self
        create_time = {"cidr_block", "availability_zones", "interface_endpoints", "flow_logs"}
        mixed = sorted(create_time & self.model_fields_set)
        if mixed:
            raise ValueError(f"vpc_id adopts an existing network; remove {', '.join(mixed)}")
        if len(self.subnet_ids) < 2:
            raise ValueError("an adopted network needs at least 2 subnet_ids in different zones")
        if not self.security_group_ids:
            raise ValueError("an adopted network needs security_group_ids")
        return self


class ProcessingStepSettings(Strict):
    """A SageMaker Processing step (data preparation or evaluation)."""

    image_uri: ImageUri
    script: S3Key = Field(description="Key of the script in the artifacts bucket.")
    instance_type: SageMakerInstanceType = "ml.m5.large"
    instance_count: int = Field(default=1, ge=1, le=20)
    volume_size_gb: int = Field(default=30, ge=1, le=16384)
    max_runtime_seconds: int = Field(default=3600, ge=60, le=432000)


class TrainingStepSettings(Strict):
    """The SageMaker Training step."""

    image_uri: ImageUri
    instance_type: SageMakerInstanceType = "ml.m5.xlarge"
    instance_count: int = Field(default=1, ge=1, le=100)
    volume_size_gb: int = Field(default=50, ge=1, le=16384)
    max_runtime_seconds: int = Field(
        default=14400, ge=60, le=2419200, description="Training is stopped after this many seconds."
    )
    capacity: CapacityStrategy = Field(
        default=CapacityStrategy.SPOT_FIRST,
        description="spot_first uses managed spot training with checkpoints in the "
        "artifacts bucket; on_demand never waits for capacity.",
    )
    max_wait_seconds: int | None = Field(
        default=None,
        ge=60,
        description="With spot capacity: total time including waiting for capacity. "
        "Defaults to twice max_runtime_seconds.",
    )
    hyperparameters: dict[str, str] = Field(
        default_factory=dict, description="Passed to the training image as is."
    )

    @model_validator(mode="after")
    def _wait_covers_runtime(self) -> Self:
        if self.max_wait_seconds is not None:
            if self.capacity is not CapacityStrategy.SPOT_FIRST:
                raise ValueError("max_wait_seconds applies only to capacity spot_first")
            if self.max_wait_seconds < self.max_runtime_seconds:
                raise ValueError("max_wait_seconds must be >= max_runtime_seconds")
        return self


class EvaluationStepSettings(ProcessingStepSettings):
    """Evaluation: a processing step that writes ``evaluation.json``; the pipeline
    registers the model only if the metric at ``metric_path`` compares with
    ``threshold`` as ``metric.comparison`` says (at least the threshold for AUC, at most
    for a loss)."""

    metric_path: str = Field(
        default="metrics.auc.value",
        pattern=METRIC_PATH_PATTERN,
        description="JSON path of the metric in evaluation.json.",
    )
    metric: MetricSettings = Field(
        default_factory=dict,
        validate_default=True,
        description="Which way the metric is better and its range; defaults from the "
        "metric's name (auc, accuracy, f1, precision, recall, mse, rmse, ...). Always "
        "complete after validation.",
    )
    threshold: float = Field(
        default=0.7,
        description="The value the metric is compared with; must lie within the metric's "
        "range (auc: 0 to 1).",
    )

    @field_validator("metric", mode="before")
    @classmethod
    def _metric_defaults(cls, value: Any, info: ValidationInfo) -> Any:
        return complete_metric(info.data.get("metric_path"), value)

    @field_validator("threshold")
    @classmethod
    def _threshold_in_range(cls, value: float, info: ValidationInfo) -> float:
        metric = info.data.get("metric")
        if isinstance(metric, MetricSettings) and not metric.contains(value):
            name = metric_name(info.data.get("metric_path") or "")
            raise ValueError(
                f"{name} lies in {metric.range_text()}, so threshold must be within that "
                "range (set metric.minimum / metric.maximum if the report uses another scale)"
            )
        return value


class PipelineSettings(Strict):
    """SageMaker Pipeline: processing -> training -> evaluation -> condition -> register."""

    preprocessing: ProcessingStepSettings
    training: TrainingStepSettings
    evaluation: EvaluationStepSettings
    inference_image_uri: ImageUri = Field(description="Serving image of registered models.")
    input_data_prefix: S3Key = Field(
        default="raw", description="Prefix of the input data in the data bucket."
    )
    inference_instance_types: list[SageMakerInstanceType] = Field(
        default_factory=lambda: ["ml.m5.large"],
        min_length=1,
        description="Instance types a registered model declares it can be served on.",
    )


class RegistrySettings(Strict):
    """Model package group that the pipeline registers models into."""

    consumer_account_ids: list[AwsAccountId] = Field(
        default_factory=list,
        description="Accounts (e.g. staging, prod) allowed to read and deploy model "
        "packages; when given, a resource policy grants them read access.",
    )


class PromotionSettings(Strict):
    """Promotion automation: approving a model package opens a reviewed config change.

    An EventBridge rule on the approval of a model package in this stack's group
    starts a CodeBuild project that writes the package ARN into the target stack's
    file (``endpoint.model_package_arn``), runs an offline plan and opens a pull
    request. Merging it deploys the model through the normal `pulumi up`.
    """

    repository: str = Field(
        pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", description="GitHub repository owner/name."
    )
    connection_arn: str = Field(
        pattern=r"^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection/[0-9a-f-]+$",
        description="An existing, authorised AWS CodeConnections connection to GitHub.",
    )
    target_stack: str = Field(
        pattern=r"^[a-z0-9-]+$", description="Stack whose endpoint serves the approved model."
    )
    branch: str = Field(default="main", description="Base branch of the pull request.")
    token_secret_arn: str = Field(
        pattern=r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$",
        description="Secrets Manager secret holding a GitHub token limited to this "
        "repository's contents and pull requests; read at build time, never stored in state.",
    )


class EndpointSettings(Strict):
    """Real-time endpoint serving the approved model package named here.

    A promotion is a reviewed change of ``model_package_arn``. With no package named
    yet, no model or endpoint is created.
    """

    model_package_arn: str | None = Field(
        default=None,
        pattern=r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package/[A-Za-z0-9-]+/\d+$",
        description="Approved model package version to serve.",
    )
    hosting: EndpointHosting = EndpointHosting.INSTANCES
    instance_type: SageMakerInstanceType = "ml.m5.large"
    min_instances: int = Field(
        default=2, ge=1, le=100, description="Autoscaling floor; 2+ spreads instances across zones."
    )
    max_instances: int = Field(default=4, ge=1, le=100, description="Autoscaling ceiling.")
    target_invocations_per_instance: int = Field(
        default=1000,
        ge=1,
        description="Target of SageMakerVariantInvocationsPerInstance per minute.",
    )
    serverless_memory_mb: Literal[1024, 2048, 3072, 4096, 5120, 6144] = 2048
    serverless_max_concurrency: int = Field(default=5, ge=1, le=200)
    data_capture_percent: int = Field(
        default=20, ge=0, le=100, description="Share of requests captured to S3; 0 disables."
    )
    canary_percent: int = Field(
        default=10, ge=1, le=50, description="Capacity that receives traffic first in a deployment."
    )
    bake_minutes: int = Field(
        default=10, ge=0, le=60, description="Minutes each traffic step is watched before the next."
    )
    latency_alarm_ms: int = Field(
        default=500,
        ge=1,
        description="Average model latency (ms) that raises an alarm and rolls back.",
    )
    error_alarm_count: int = Field(
        default=5, ge=1, description="5xx errors per minute that raise an alarm and roll back."
    )

    @model_validator(mode="after")
    def _scaling_range(self) -> Self:
        if self.max_instances < self.min_instances:
            raise ValueError("max_instances must be >= min_instances")
        return self


class MonitoringSettings(Strict):
    """Alarms and logs. Model Monitor is closed to new AWS customers, so its data
    quality schedule is opt-in; data capture plus CloudWatch alarms work for all."""

    model_monitor: bool = Field(default=False, description="Hourly Model Monitor data-quality job.")
    model_monitor_image_uri: ImageUri | None = Field(
        default=None,
        description="The region's sagemaker-model-monitor-analyzer image; needed with model_monitor.",
    )
    log_retention_days: int = Field(default=30, description="Retention of the stack's log groups.")
    alarm_emails: list[EmailAddress] = Field(
        default_factory=list,
        description="Addresses subscribed to the alarm topic; each must confirm the "
        "subscription from the mail AWS sends. Empty: subscribe chat or paging tools to "
        "the topic yourself.",
    )

    @field_validator("alarm_emails")
    @classmethod
    def _emails_once(cls, emails: list[str]) -> list[str]:
        # One subscription per address; its logical name is derived from the address
        # (naming.physical), so addresses differing only in case or punctuation would
        # collide as duplicate resources after others were registered.
        problems: list[str] = []
        for i, email in enumerate(emails):
            for j, earlier in enumerate(emails[:i]):
                if email.lower() == earlier.lower():
                    problems.append(f"[{i}] {email!r} is listed twice (see [{j}]; case is ignored)")
                    break
                if physical(email) == physical(earlier):
                    problems.append(
                        f"[{i}] {email!r} maps to the same subscription name as [{j}] "
                        f"{earlier!r} (names keep only letters and digits); subscribe one of "
                        "them to the alarm topic outside the stack"
                    )
                    break
        if problems:
            raise ValueError("; ".join(problems))
        return emails

    @model_validator(mode="after")
    def _retention_allowed(self) -> Self:
        if self.model_monitor and self.model_monitor_image_uri is None:
            raise ValueError("model_monitor needs model_monitor_image_uri")
        if self.log_retention_days not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"log_retention_days must be one of {', '.join(map(str, LOG_RETENTION_DAYS))}"
            )
        return self


class StudioSettings(Strict):
    """SageMaker Studio domain, VPC-only, with idle shutdown of JupyterLab apps."""

    enabled: bool = False
    idle_timeout_minutes: int = Field(default=60, ge=60, le=525600)


RESERVED_FEATURE_NAMES = ("is_deleted", "write_time", "api_invocation_time")
"""Columns Feature Store adds to every record; no feature may use these names."""


class FeatureDefinition(Strict):
    name: str = Field(pattern=r"^[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}$")
    type: Literal["Integral", "Fractional", "String"]


class FeatureStoreSettings(Strict):
    """An encrypted Feature Store feature group (online and offline store)."""

    enabled: bool = False
    record_identifier: str = "record_id"
    event_time: str = "event_time"
    features: list[FeatureDefinition] = Field(
        default_factory=lambda: [
            FeatureDefinition(name="record_id", type="String"),
            FeatureDefinition(name="event_time", type="String"),
        ]
    )
    online: bool = Field(
        default=True, description="Also keep an online store for low-latency reads."
    )

    @model_validator(mode="after")
    def _keys_defined(self) -> Self:
        names = {f.name for f in self.features}
        missing = [k for k in (self.record_identifier, self.event_time) if k not in names]
        if missing:
            raise ValueError(f"features must define {', '.join(missing)}")
        # CreateFeatureGroup refuses these at deploy time, after other resources exist.
        problems: list[str] = []
        seen: set[str] = set()
        for feature in self.features:
            if feature.name in RESERVED_FEATURE_NAMES:
                problems.append(f"feature name {feature.name!r} is reserved by Feature Store")
            if feature.name in seen:
                problems.append(f"feature {feature.name!r} is defined twice")
            seen.add(feature.name)
        event_time = next(f for f in self.features if f.name == self.event_time)
        if event_time.type not in ("String", "Fractional"):
            problems.append(
                f"event_time feature {self.event_time!r} must be of type String (ISO-8601) "
                "or Fractional (Unix seconds)"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


class ExperimentsSettings(Strict):
    """Experiment tracking with a SageMaker managed MLflow tracking server."""

    mlflow: bool = False
    size: Literal["Small", "Medium", "Large"] = "Small"


class SageMakerCiCdSettings(Strict):
    """Reference architecture 1: S3 -> SageMaker Pipelines -> Model Registry ->
    endpoint -> monitoring, with promotion by reviewed config change."""

    enabled: bool = True
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    data_lifecycle: LifecycleSettings = Field(default_factory=LifecycleSettings)
    pipeline: PipelineSettings
    registry: RegistrySettings = Field(default_factory=RegistrySettings)
    promotion: PromotionSettings | None = None
    endpoint: EndpointSettings = Field(default_factory=EndpointSettings)
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings)
    studio: StudioSettings = Field(default_factory=StudioSettings)
    feature_store: FeatureStoreSettings = Field(default_factory=FeatureStoreSettings)
    experiments: ExperimentsSettings = Field(default_factory=ExperimentsSettings)

    @model_validator(mode="after")
    def _serverless_limits(self) -> Self:
        if self.endpoint.hosting is EndpointHosting.SERVERLESS and self.monitoring.model_monitor:
            raise ValueError(
                "model_monitor needs endpoint.hosting instances (no data capture on serverless)"
            )
        return self
