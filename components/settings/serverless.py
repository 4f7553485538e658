"""Settings of reference architecture 2, serverless MLOps on AWS: S3 data -> EventBridge
-> Step Functions (Lambda preprocessing -> SageMaker training -> Lambda validation ->
model registration) -> API Gateway inference API."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Field, StringConstraints, ValidationInfo, field_validator, model_validator

from .aws import (
    LOG_RETENTION_DAYS,
    ImageUri,
    MonitoringSettings,
    NetworkSettings,
    RegionalArn,
    TrainingStepSettings,
    check_references_in,
)
from .base import Strict
from .common import LifecycleSettings
from .evaluation import MetricSettings, complete_metric

SecretVariable = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{0,50}_SECRET_ARN$")]
"""An environment variable that carries a secret's ARN (never the secret itself)."""
SecretArn = Annotated[
    str,
    StringConstraints(
        pattern=r"^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+"
        r"|ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9/_.-]+)$"
    ),
    RegionalArn,
]
"""A Secrets Manager secret or SSM parameter (SecureString) ARN."""
SageMakerName = Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")]
S3Prefix = Annotated[str, StringConstraints(pattern=r"^([A-Za-z0-9!_.*'()-]+/)+$")]
TriggerSuffix = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9!_.'()-]{1,64}$")]
"""The end of an S3 key's last segment (``_SUCCESS``, ``manifest.json``): no ``/`` or
``*`` (the rule matches ``<input_prefix>*<suffix>`` with an EventBridge wildcard)."""
ScheduleExpression = Annotated[
    str,
    StringConstraints(pattern=r"^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$"),
]
"""EventBridge Scheduler's ``rate(...)`` or ``cron(...)`` (recurring schedules only)."""

LAMBDA_MEMORY_MB = (128, 10240)
LAMBDA_TIMEOUT_SECONDS = 900
"""Lambda's limits (Lambda developer guide, "Lambda quotas")."""


class FunctionSettings(Strict):
    """One Lambda function of the architecture. Code is the handler shipped in this
    repository (``functions/<role>/``) unless ``image_uri`` names a container image."""

    memory_mb: int = Field(
        default=512,
        ge=LAMBDA_MEMORY_MB[0],
        le=LAMBDA_MEMORY_MB[1],
        description="Memory in MB (CPU scales with it).",
    )
    timeout_seconds: int = Field(
        default=60, ge=1, le=LAMBDA_TIMEOUT_SECONDS, description="Lambda stops the call after this."
    )
    reserved_concurrency: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="Concurrent executions reserved for (and capped at) this function, so "
        "a burst cannot starve the account's other functions or run up cost.",
    )
    architecture: Literal["arm64", "x86_64"] = Field(
        default="arm64", description="arm64 (Graviton) costs about 20% less per GB-second."
    )
    image_uri: ImageUri | None = Field(
        default=None,
        description="A container image in ECR built for `architecture`; default: the "
        "handler source in the repository, zipped.",
    )
    secret_arns: dict[SecretVariable, SecretArn] = Field(
        default_factory=dict,
        description="Environment variables `<NAME>_SECRET_ARN` -> Secrets Manager secret or "
        "SSM parameter ARN; the function reads the value at runtime and its role may read "
        "exactly these. Secrets never go into the environment in plain text.",
    )


class ProcessingFunctionSettings(FunctionSettings):
    """The preprocessing function: reads and splits the data, so more memory and time."""

    memory_mb: int = Field(default=1024, ge=LAMBDA_MEMORY_MB[0], le=LAMBDA_MEMORY_MB[1])
    timeout_seconds: int = Field(default=300, ge=1, le=LAMBDA_TIMEOUT_SECONDS)


class InferenceFunctionSettings(FunctionSettings):
    """The inference function behind the HTTP API, whose integrations time out after
    30 s: a longer function timeout would only hide the API's."""

    timeout_seconds: int = Field(default=29, ge=1, le=30)
    reserved_concurrency: int = Field(default=10, ge=1, le=1000)


class FunctionsSettings(Strict):
    """The three functions: preprocessing, validation and inference."""

    processing: ProcessingFunctionSettings = Field(default_factory=ProcessingFunctionSettings)
    validation: FunctionSettings = Field(default_factory=FunctionSettings)
    inference: InferenceFunctionSettings = Field(default_factory=InferenceFunctionSettings)


class ValidationSettings(Strict):
    """The validation gate: the training job's final metric ``metric_name`` (its
    ``FinalMetricDataList``) compared with ``threshold`` as ``metric.comparison`` says."""

    metric_name: str = Field(
        default="validation:auc",
        pattern=r"^[A-Za-z0-9_:./-]{1,255}$",
        description="Name of a metric the training image reports (XGBoost: validation:auc).",
    )
    metric: MetricSettings = Field(
        default_factory=dict,
        validate_default=True,
        description="Direction and range; defaults from the name after the last ':' for "
        "well-known metrics (auc, rmse, ...).",
    )
    threshold: float = Field(default=0.7, description="Within the metric's range.")

    @field_validator("metric", mode="before")
    @classmethod
    def _metric_defaults(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.data.get("metric_name")
        return complete_metric(name.rsplit(":", 1)[-1] if name else None, value)

    @field_validator("threshold")
    @classmethod
    def _threshold_in_range(cls, value: float, info: ValidationInfo) -> float:
        metric = info.data.get("metric")
        if isinstance(metric, MetricSettings) and not metric.contains(value):
            raise ValueError(f"threshold must lie in {metric.range_text()}")
        return value


class WorkflowSettings(Strict):
    """What starts the workflow and how long it may run."""

    input_prefix: S3Prefix = Field(
        default="incoming/",
        description="A new object under this prefix of the data bucket starts a run.",
    )
    trigger_suffix: TriggerSuffix | None = Field(
        default=None,
        description="Only a new object whose key ends with this (a batch marker such as "
        "`_SUCCESS` or `manifest.json`, written after the batch's files) starts a run, "
        "which then processes the marker's folder: a bulk upload of N files starts one "
        "run, not N. null: every new object under input_prefix starts a run on that "
        "object.",
    )
    schedule: ScheduleExpression | None = Field(
        default=None,
        description="Also run on this EventBridge Scheduler schedule over the whole prefix; "
        "none: only new objects start runs.",
    )
    schedule_timezone: str = Field(default="UTC", description="Time zone of a cron schedule.")
    retry_attempts: int = Field(
        default=3, ge=0, le=10, description="Retries of a task on transient service errors."
    )
    log_execution_data: bool = Field(
        default=False,
        description="Log each state's input and output (useful in development; they may "
        "hold data paths and metrics). Execution events are always logged (level ALL).",
    )
    execution_timeout_seconds: int | None = Field(
        default=None,
        ge=60,
        description="The whole run stops after this; default: the sum of the states' "
        "timeouts. Never less than that sum.",
    )


class CustomDomainSettings(Strict):
    domain_name: str = Field(pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
    certificate_arn: Annotated[str, RegionalArn] = Field(
        pattern=r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$",
        description="An ACM certificate for domain_name in the stack's region.",
    )


class InferenceApiSettings(Strict):
    """The HTTP API in front of the inference function."""

    authorization: Literal["jwt", "iam"] = Field(
        default="jwt",
        description="jwt: a JWT authorizer (OIDC issuer and audiences); iam: SigV4-signed "
        "requests by principals with execute-api:Invoke.",
    )
    jwt_issuer: Annotated[str, StringConstraints(pattern=r"^https://[^\s]+$")] | None = None
    jwt_audiences: list[Annotated[str, StringConstraints(min_length=1)]] = Field(
        default_factory=list
    )
    throttling_burst_limit: int = Field(default=20, ge=0, le=5000)
    throttling_rate_limit: float = Field(default=10.0, ge=0, le=10000)
    endpoint_name: SageMakerName | None = Field(
        default=None,
        description="SageMaker serverless endpoint the inference function calls (e.g. "
        "one sagemaker_cicd serves with hosting serverless); none: it answers 503.",
    )
    latency_alarm_ms: int = Field(
        default=3000, ge=1, le=30000, description="Alarm when p99 latency exceeds this."
    )
    custom_domain: CustomDomainSettings | None = None

    @model_validator(mode="after")
    def _jwt_complete(self) -> Self:
        if self.authorization == "jwt" and (self.jwt_issuer is None or not self.jwt_audiences):
            raise ValueError("authorization jwt needs jwt_issuer and jwt_audiences")
        if self.authorization == "iam" and (self.jwt_issuer or self.jwt_audiences):
            raise ValueError("jwt_issuer and jwt_audiences apply to authorization jwt only")
        return self


class ServerlessMlopsSettings(Strict):
    """Reference architecture 2: S3 data -> EventBridge -> Step Functions (Lambda
    preprocessing, SageMaker training, Lambda validation, registration) -> HTTP API."""

    enabled: bool = True
    network: NetworkSettings = Field(
        default_factory=NetworkSettings,
        description="Private subnets of the training jobs (a VPC of its own by default, "
        "with the same endpoints as sagemaker_cicd's: image pulls, logs, STS).",
    )
    data_lifecycle: LifecycleSettings = Field(default_factory=LifecycleSettings)
    artifacts_lifecycle: LifecycleSettings = Field(default_factory=LifecycleSettings)
    training: TrainingStepSettings
    inference_image_uri: ImageUri = Field(description="Serving image of registered models.")
    validation: ValidationSettings = Field(default_factory=ValidationSettings)
    workflow: WorkflowSettings = Field(default_factory=WorkflowSettings)
    functions: FunctionsSettings = Field(default_factory=FunctionsSettings)
    api: InferenceApiSettings
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.monitoring.model_monitor:
            raise ValueError("monitoring.model_monitor applies to sagemaker_cicd endpoints only")
        if self.monitoring.log_retention_days not in LOG_RETENTION_DAYS:
            raise ValueError("monitoring.log_retention_days is not a CloudWatch retention")
        timeout = self.workflow.execution_timeout_seconds
        if timeout is not None and timeout < self.state_timeouts_total:
            raise ValueError(
                f"workflow.execution_timeout_seconds must be at least {self.state_timeouts_total} "
                "(the sum of the states' timeouts)"
            )
        return self

    @property
    def training_state_timeout(self) -> int:
        """The training job's own limit (max wait with spot, else max runtime) plus 30
        minutes for starting, downloading and uploading."""
        return max(self.training.stopping_condition.values()) + 1800

    def task_timeout(self, function: FunctionSettings) -> int:
        """A Lambda task's state timeout: the function's own plus a minute of retries."""
        return function.timeout_seconds + 60

    @property
    def state_timeouts_total(self) -> int:
        f = self.functions
        return (
            self.task_timeout(f.processing)
            + self.training_state_timeout
            + self.task_timeout(f.validation)
            + REGISTER_TIMEOUT_SECONDS
        )

    @property
    def execution_timeout(self) -> int:
        return self.workflow.execution_timeout_seconds or self.state_timeouts_total

    def regional_references(self) -> list[tuple[str, str]]:
        """``(setting path, region)`` of what must be in the stack's region: images
        (SageMaker and Lambda pull only from ECR in their own region), secrets and
        parameters the functions read, the custom domain's certificate."""
        found = [
            ("training.image_uri", self.training.image_uri.split(".")[3]),
            ("inference_image_uri", self.inference_image_uri.split(".")[3]),
        ]
        for role in ("processing", "validation", "inference"):
            function: FunctionSettings = getattr(self.functions, role)
            if function.image_uri is not None:
                found.append((f"functions.{role}.image_uri", function.image_uri.split(".")[3]))
            found += [
                (f"functions.{role}.secret_arns.{name}", arn.split(":")[3])
                for name, arn in function.secret_arns.items()
            ]
        if self.api.custom_domain is not None:
            certificate = self.api.custom_domain.certificate_arn
            found.append(("api.custom_domain.certificate_arn", certificate.split(":")[3]))
        return found

    def check_region(self, region: str) -> None:
        """Raises ``ValueError`` naming every regional reference outside ``region``."""
        check_references_in(self.regional_references(), region)


REGISTER_TIMEOUT_SECONDS = 300
"""State timeout of CreateModelPackage (a synchronous API call)."""
