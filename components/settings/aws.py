"""Settings of the AWS building blocks and of the SageMaker CI/CD architecture."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum
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


def _sagemaker_instance_type(use: str) -> AfterValidator:
    """Accept exactly the values of the SageMaker API enum for ``use`` (botocore's
    service model, via ``mlops_components.aws.facts``); the error names the enum and
    a few close valid values."""

    def check(value: str) -> str:
        # Imported when used: the aws package's __init__ imports the components,
        # which import these settings.
        from ..aws import facts

        return facts.check_instance_type(value, facts.InstanceUse(use))

    return AfterValidator(check)


EndpointInstanceType = Annotated[str, _sagemaker_instance_type("endpoint")]
"""A ``ProductionVariantInstanceType`` (real-time endpoints), e.g. ``ml.m5.large``."""
TrainingInstanceType = Annotated[str, _sagemaker_instance_type("training")]
"""A ``TrainingInstanceType`` (``ResourceConfig``), e.g. ``ml.m5.xlarge``, ``ml.g5.2xlarge``."""
ProcessingInstanceType = Annotated[str, _sagemaker_instance_type("processing")]
"""A ``ProcessingInstanceType`` (processing jobs and Model Monitor), e.g. ``ml.t3.medium``."""


def _ecr_registry_of_a_region(value: str) -> str:
    """The registry host ``<account>.dkr.ecr.<region>.<suffix>`` names an AWS region and
    that region's partition DNS suffix (``amazonaws.com``, ``amazonaws.com.cn`` ...)."""
    from ..aws import facts  # imported when used, as above

    _, _, _, region, suffix = value.split("/", 1)[0].split(".", 4)
    facts.check_region(region)
    expected = facts.dns_suffix(region)
    if suffix != expected:
        raise ValueError(f"ECR registries in {region} end in .{expected}, not .{suffix}")
    return value


def _arn_of_a_region(value: str) -> str:
    """A regional ARN ``arn:<partition>:<service>:<region>:...`` names a known AWS region
    and that region's partition (``aws-cn`` for ``cn-north-1`` ...)."""
    from ..aws import facts  # imported when used, as above

    _, partition, _, region, _ = value.split(":", 4)
    facts.check_region(region)
    expected = facts.partition_of(region).name
    if partition != expected:
        raise ValueError(f"ARNs in {region} start with arn:{expected}:, not arn:{partition}:")
    return value


def check_references_in(references: list[tuple[str, str]], region: str) -> None:
    """Raises ``ValueError`` naming every ``(setting path, region)`` outside ``region``:
    images, packages, keys and secrets an architecture uses must be in its region."""
    elsewhere = [f"{path} ({where})" for path, where in references if where != region]
    if elsewhere:
        raise ValueError(
            f"in region {region}, these must be in {region} too: {', '.join(elsewhere)}"
        )


RegionalArn = AfterValidator(_arn_of_a_region)
"""Checks the region and partition of an ARN whose shape a ``pattern`` already fixed."""

ImageUri = Annotated[
    str,
    StringConstraints(pattern=r"^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.[a-z0-9.-]+/[^\s]+$"),
    AfterValidator(_ecr_registry_of_a_region),
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
    instance_type: ProcessingInstanceType = "ml.m5.large"
    instance_count: int = Field(default=1, ge=1, le=20)
    volume_size_gb: int = Field(default=30, ge=1, le=16384)
    max_runtime_seconds: int = Field(default=3600, ge=60, le=432000)


class TrainingStepSettings(Strict):
    """The SageMaker Training step."""

    image_uri: ImageUri
    instance_type: TrainingInstanceType = "ml.m5.xlarge"
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

    @field_validator("capacity")
    @classmethod
    def _capacity_offered(cls, value: CapacityStrategy) -> CapacityStrategy:
        # SageMaker training plans (reserved capacity) are not wired into the pipeline.
        if value is CapacityStrategy.RESERVED:
            raise ValueError(
                "the SageMaker training step offers capacity spot_first or on_demand; "
                "reserved is not supported yet"
            )
        return value

    @property
    def stopping_condition(self) -> dict[str, int]:
        """The job's ``StoppingCondition``: ``MaxRuntimeInSeconds`` and, with spot
        capacity, ``MaxWaitTimeInSeconds`` (default twice the runtime)."""
        stopping = {"MaxRuntimeInSeconds": self.max_runtime_seconds}
        if self.capacity is CapacityStrategy.SPOT_FIRST:
            stopping["MaxWaitTimeInSeconds"] = self.max_wait_seconds or 2 * self.max_runtime_seconds
        return stopping

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
    inference_instance_types: list[EndpointInstanceType] = Field(
        default_factory=lambda: ["ml.m5.large"],
        min_length=1,
        description="Real-time endpoint instance types a registered model declares it can be "
        "served on (SupportedRealtimeInferenceInstanceTypes); those that batch transform "
        "also accepts are declared for it too (SupportedTransformInstanceTypes).",
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
    connection_arn: Annotated[str, RegionalArn] = Field(
        pattern=r"^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection/[0-9a-f-]+$",
        description="An existing, authorised AWS CodeConnections connection to GitHub.",
    )
    target_stack: str = Field(
        pattern=r"^[a-z0-9-]+$", description="Stack whose endpoint serves the approved model."
    )
    branch: str = Field(default="main", description="Base branch of the pull request.")
    token_secret_arn: Annotated[str, RegionalArn] = Field(
        pattern=r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$",
        description="Secrets Manager secret holding a GitHub token limited to this "
        "repository's contents and pull requests; read at build time, never stored in state.",
    )


MODEL_PACKAGE_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):sagemaker:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"model-package/(?P<group>[A-Za-z0-9](-*[A-Za-z0-9]){0,62})/(?P<version>[1-9]\d*)$"
)
"""A versioned model package ARN (DescribeModelPackage API: ``ModelPackageArn``)."""

KMS_KEY_ARN = r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]{36}$"
S3_BUCKET_NAME = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"


@dataclass(frozen=True)
class ModelPackageArn:
    """The parts of a model package version ARN."""

    arn: str
    partition: str
    region: str
    account: str
    group: str
    version: int

    @classmethod
    def parse(cls, arn: str) -> ModelPackageArn:
        """Raises ``ValueError`` when ``arn`` is not a versioned model package ARN."""
        match = MODEL_PACKAGE_ARN.match(arn)
        if match is None:
            raise ValueError(
                f"{arn!r} is not a model package version ARN "
                "(arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>)"
            )
        return cls(
            arn,
            match["partition"],
            match["region"],
            match["account"],
            match["group"],
            int(match["version"]),
        )


class ModelSource(Strict):
    """Where a model package registered by **another stack** keeps its artifacts.

    A stack that serves a package from another account's registry (staging and prod
    serving what dev trained) reads ``models/`` of that registry's artifacts bucket and
    decrypts with its key. Both sides need a grant (AWS KMS guide, "Allowing users in
    other accounts to use a KMS key"; S3 guide, cross-account object access): the
    producer's ``registry.consumer_account_ids`` lists this account, and this stack's
    model role gets exactly ``s3:GetObject`` on ``<artifacts_bucket>/models/*`` and
    ``kms:Decrypt`` on ``kms_key_arn``. Take both values from the producing stack's
    outputs (``sagemaker_artifacts_bucket``, ``sagemaker_kms_key_arn``).
    """

    artifacts_bucket: str = Field(
        pattern=S3_BUCKET_NAME, description="Artifacts bucket name of the producing stack."
    )
    kms_key_arn: Annotated[str, RegionalArn] = Field(
        pattern=KMS_KEY_ARN, description="KMS key ARN (not an alias) of the producing stack."
    )


class TrafficRouting(StrEnum):
    """How a blue/green deployment shifts traffic (TrafficRoutingConfig API).

    - ``canary``: ``canary_percent`` of the new fleet's instances (at least one, at most
      half) take traffic first for ``bake_minutes``; then the rest.
    - ``all_at_once``: all traffic moves at once, then the old fleet is kept for
      ``bake_minutes`` so an alarm can still roll back. For fleets of one instance,
      where a canary is impossible.
    """

    CANARY = "canary"
    ALL_AT_ONCE = "all_at_once"


TERMINATION_WAIT_SECONDS = 300
"""The old fleet stays up this long after the last traffic shift (BlueGreenUpdatePolicy
``TerminationWaitInSeconds``, 0-3600): alarms can still roll back during it."""

PROVISIONING_ALLOWANCE_SECONDS = 900
"""Time allowed for SageMaker to launch the new fleet before traffic shifts."""

PROVIDER_WAIT_SECONDS = 3600
"""pulumi-aws waits at most 60 minutes for an updated endpoint to be ``InService``
(terraform-provider-aws ``waitEndpointInService``); a deployment that takes longer fails
the update while SageMaker carries on."""

DEPLOYMENT_MARGIN_SECONDS = 300
"""Slack kept below the provider's wait: a large or GPU fleet can take longer to launch
than ``PROVISIONING_ALLOWANCE_SECONDS``."""


class EndpointSettings(Strict):
    """Real-time endpoint serving the approved model package named here.

    A promotion is a reviewed change of ``model_package_arn``. With no package named
    yet, no model or endpoint is created.

    With ``instances`` hosting every deployment is blue/green: SageMaker launches a new
    fleet of ``deployment_instance_count`` instances, shifts traffic per
    ``traffic_routing`` while the rollback alarms watch, and terminates the old fleet
    ``TERMINATION_WAIT_SECONDS`` after the last shift. The whole deployment must finish
    within the provider's 60-minute wait, so ``bake_minutes`` is bounded by it.
    """

    model_package_arn: Annotated[str, RegionalArn] | None = Field(
        default=None,
        pattern=MODEL_PACKAGE_ARN.pattern,
        description="Approved model package version to serve.",
    )
    model_source: ModelSource | None = Field(
        default=None,
        description="Artifacts bucket and key of the stack that registered the package; "
        "required when the package is not in this stack's own registry.",
    )
    hosting: EndpointHosting = EndpointHosting.INSTANCES
    instance_type: EndpointInstanceType = "ml.m5.large"
    min_instances: int = Field(
        default=2, ge=1, le=100, description="Autoscaling floor; 2+ spreads instances across zones."
    )
    max_instances: int = Field(default=4, ge=1, le=100, description="Autoscaling ceiling.")
    deployment_instance_count: int | None = Field(
        default=None,
        ge=1,
        le=100,
        description="Instances a new fleet starts with on every deployment; null: "
        "max_instances. pulumi-aws cannot ask UpdateEndpoint to keep the current count "
        "(RetainAllVariantProperties), so a new fleet starts at this count rather than "
        "at the floor, and a promotion at peak load is not under-provisioned; autoscaling "
        "scales it in afterwards.",
    )
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
    traffic_routing: TrafficRouting = TrafficRouting.CANARY
    canary_percent: int = Field(
        default=10,
        ge=1,
        le=50,
        description="Share of the new fleet's instances that take traffic first "
        "(rounded down, at least one instance, at most half the fleet).",
    )
    bake_minutes: int = Field(
        default=10,
        ge=0,
        description="Minutes each traffic step is watched by the rollback alarms.",
    )
    latency_alarm_ms: int = Field(
        default=500,
        ge=1,
        description="Average model latency (ms) that raises an alarm and rolls back.",
    )
    error_alarm_count: int = Field(
        default=5, ge=1, description="5xx errors per minute that raise an alarm and roll back."
    )

    @property
    def fleet_size(self) -> int:
        """Instances of a newly deployed fleet."""
        return self.deployment_instance_count or self.max_instances

    @property
    def canary_instances(self) -> int:
        return max(1, self.fleet_size * self.canary_percent // 100)

    @property
    def deployment_timeout_seconds(self) -> int:
        """BlueGreenUpdatePolicy ``MaximumExecutionTimeoutInSeconds``: larger than the
        waits it contains, as the API requires."""
        return max(
            600, self.bake_minutes * 60 + TERMINATION_WAIT_SECONDS + PROVISIONING_ALLOWANCE_SECONDS
        )

    @field_validator("hosting")
    @classmethod
    def _hosting_offered(cls, value: EndpointHosting) -> EndpointHosting:
        # Scale to zero needs inference components with managed instance scaling, which
        # the SageMaker endpoint block does not build yet.
        if value is EndpointHosting.SCALE_TO_ZERO:
            raise ValueError(
                "the SageMaker endpoint offers hosting serverless or instances; "
                "scale_to_zero is not supported yet"
            )
        return value

    @model_validator(mode="after")
    def _deployable(self) -> Self:
        if self.max_instances < self.min_instances:
            raise ValueError("max_instances must be >= min_instances")
        if self.hosting is not EndpointHosting.INSTANCES:
            return self
        if not self.min_instances <= self.fleet_size <= self.max_instances:
            raise ValueError(
                f"deployment_instance_count must be between min_instances "
                f"({self.min_instances}) and max_instances ({self.max_instances})"
            )
        if self.traffic_routing is TrafficRouting.CANARY and self.instance_type.startswith(
            "ml.inf1."
        ):
            raise ValueError(
                "deployment guardrails do not support Inf1 instances: SageMaker deploys them "
                'all at once without baking (developer guide, "Exclusions" of deployment '
                "guardrails); use traffic_routing: all_at_once"
            )
        if self.traffic_routing is TrafficRouting.CANARY and 2 * self.canary_instances > (
            self.fleet_size
        ):
            raise ValueError(
                f"a canary of {self.canary_instances} instance(s) on a fleet of "
                f"{self.fleet_size} exceeds half the fleet, which SageMaker refuses "
                "(TrafficRoutingConfig.CanarySize); use traffic_routing: all_at_once or a "
                "fleet of at least 2 instances"
            )
        longest = (
            PROVIDER_WAIT_SECONDS
            - TERMINATION_WAIT_SECONDS
            - PROVISIONING_ALLOWANCE_SECONDS
            - DEPLOYMENT_MARGIN_SECONDS
        ) // 60
        if self.bake_minutes > longest:
            raise ValueError(
                f"bake_minutes must be at most {longest}: launching the new fleet "
                f"({PROVISIONING_ALLOWANCE_SECONDS // 60} min), baking, the "
                f"{TERMINATION_WAIT_SECONDS // 60}-minute termination wait and a "
                f"{DEPLOYMENT_MARGIN_SECONDS // 60}-minute margin must finish within the "
                "60 minutes pulumi-aws waits for an endpoint update"
            )
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


ARTIFACT_PREFIXES: dict[str, str] = {
    "code/": "kept: the scripts pipeline steps run",
    "models/": "kept: model.tar.gz of every training job; registered packages (and the "
    "stacks serving them) load these at every scale-out",
    "reports/": "kept: evaluation reports that registered packages cite as model metrics",
    "runs/": "scratch: per-execution splits and spot checkpoints (expired by default)",
    "data-capture/": "captured endpoint requests and responses",
    "feature-store/": "Feature Store offline store",
    "mlflow/": "MLflow experiment artifacts",
    "monitoring/": "Model Monitor reports",
}
"""The layout of the artifacts bucket, by prefix; ``kept`` prefixes never expire."""

KEPT_ARTIFACT_PREFIXES = tuple(
    p for p, role in ARTIFACT_PREFIXES.items() if role.startswith("kept")
)


def _default_artifacts_lifecycle() -> LifecycleSettings:
    from .common import ExpiryRule

    return LifecycleSettings(expire=[ExpiryRule(prefix="runs/", after_days=30)])


class SageMakerCiCdSettings(Strict):
    """Reference architecture 1: S3 -> SageMaker Pipelines -> Model Registry ->
    endpoint -> monitoring, with promotion by reviewed config change."""

    enabled: bool = True
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    data_lifecycle: LifecycleSettings = Field(
        default_factory=LifecycleSettings,
        description="Tiering and expiry of the data bucket (input data under "
        "pipeline.input_data_prefix).",
    )
    artifacts_lifecycle: LifecycleSettings = Field(
        default_factory=_default_artifacts_lifecycle,
        description="Tiering and expiry of the artifacts bucket. Default: `runs/` "
        "(scratch) expires after 30 days; code/, models/ and reports/ never expire.",
    )
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
        kept = self.artifacts_lifecycle.expired_prefixes_overlapping(KEPT_ARTIFACT_PREFIXES)
        if kept:
            raise ValueError(
                f"artifacts_lifecycle.expire: {', '.join(kept)} would expire artifacts that "
                f"registered model packages use; only these prefixes may expire: "
                f"{', '.join(p for p in ARTIFACT_PREFIXES if p not in KEPT_ARTIFACT_PREFIXES)}"
            )
        return self

    def regional_references(self) -> list[tuple[str, str]]:
        """``(setting path, region)`` of everything this architecture uses that lives in
        one region: container images (SageMaker pulls only from ECR in the job's or
        endpoint's region), the served model package and its source key (CreateModel
        takes a package of the endpoint's region)."""
        p = self.pipeline
        found = [
            ("pipeline.preprocessing.image_uri", p.preprocessing.image_uri),
            ("pipeline.training.image_uri", p.training.image_uri),
            ("pipeline.evaluation.image_uri", p.evaluation.image_uri),
            ("pipeline.inference_image_uri", p.inference_image_uri),
        ]
        regions = [(path, uri.split(".")[3]) for path, uri in found]
        if self.monitoring.model_monitor_image_uri is not None:
            regions.append(
                (
                    "monitoring.model_monitor_image_uri",
                    self.monitoring.model_monitor_image_uri.split(".")[3],
                )
            )
        endpoint = self.endpoint
        if endpoint.model_package_arn is not None:
            regions.append(("endpoint.model_package_arn", endpoint.model_package_arn.split(":")[3]))
        if endpoint.model_source is not None:
            regions.append(
                (
                    "endpoint.model_source.kms_key_arn",
                    endpoint.model_source.kms_key_arn.split(":")[3],
                )
            )
        return regions

    def check_region(self, region: str) -> None:
        """Raises ``ValueError`` naming every regional reference outside ``region``."""
        check_references_in(self.regional_references(), region)

    def model_group_name(self, name_prefix: str) -> str:
        """The model package group this architecture registers into."""
        return f"{name_prefix}-models"

    def check_model_source(self, name_prefix: str) -> None:
        """The served package's source: this stack's registry (no ``model_source``) or
        another one (``model_source`` required). Raises ``ValueError``."""
        endpoint = self.endpoint
        if endpoint.model_package_arn is None:
            if endpoint.model_source is not None:
                raise ValueError("endpoint.model_source needs endpoint.model_package_arn")
            return
        package = ModelPackageArn.parse(endpoint.model_package_arn)
        own = package.group == self.model_group_name(name_prefix)
        if own and endpoint.model_source is not None:
            raise ValueError(
                f"endpoint.model_source: the package is in this stack's own registry "
                f"({package.group}); remove model_source"
            )
        if not own and endpoint.model_source is None:
            raise ValueError(
                f"endpoint.model_source is required: the package is in registry "
                f"{package.group} of account {package.account}, not this stack's "
                f"{self.model_group_name(name_prefix)}; give that stack's artifacts bucket "
                "and KMS key (its outputs sagemaker_artifacts_bucket, sagemaker_kms_key_arn)"
            )
        source = endpoint.model_source
        if source is not None:
            key_parts = source.kms_key_arn.split(":")
            if (key_parts[3], key_parts[4]) != (package.region, package.account):
                raise ValueError(
                    f"endpoint.model_source.kms_key_arn is in {key_parts[3]}/{key_parts[4]} "
                    f"but the package is in {package.region}/{package.account}"
                )
