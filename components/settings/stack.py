"""The root of a stack's settings tree: everything under the ``mlops-iac:`` namespace."""

from __future__ import annotations

from typing import Self

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .aws import SageMakerCiCdSettings
from .azure import AksMlopsSettings, ArcHybridMlopsSettings, AzureFoundationSettings
from .azure_ml import AzureMlDevOpsSettings
from .base import Cloud, Environment, Retention, Strict
from .budget import BudgetSettings
from .ci import CiSettings
from .clouds import AwsCloudSettings, AzureCloudSettings, GcpCloudSettings, check_region
from .common import TagSettings
from .containers import ContainerMlopsSettings
from .gcp import (
    GcpFoundationSettings,
    GkeMlopsSettings,
    HybridTfMlopsSettings,
    VertexMlopsSettings,
)
from .quotas import QuotaSettings
from .serverless import ServerlessMlopsSettings

# AWS regions come from botocore's partition data (mlops_components.aws.facts).
NAME_PREFIX_PATTERN = r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$"


class ArchitecturesSettings(Strict):
    """Which reference architectures the stack deploys. A section that is absent (or
    has ``enabled: false``) deploys nothing."""

    sagemaker_cicd: SageMakerCiCdSettings | None = None
    azure_foundation: AzureFoundationSettings | None = None
    gcp_foundation: GcpFoundationSettings | None = None
    serverless_mlops: ServerlessMlopsSettings | None = None
    azure_ml_devops: AzureMlDevOpsSettings | None = None
    aks_mlops: AksMlopsSettings | None = None
    arc_hybrid_mlops: ArcHybridMlopsSettings | None = None
    vertex_mlops: VertexMlopsSettings | None = None
    hybrid_tf_mlops: HybridTfMlopsSettings | None = None
    gke_mlops: GkeMlopsSettings | None = None
    container_mlops: ContainerMlopsSettings | None = None


class StackSettings(Strict):
    """Settings of one stack, read from ``mlops-iac:*`` keys of its stack file."""

    environment: Environment = Field(description="dev, staging or prod; tags and policy config.")
    cloud: Cloud = Field(description="The cloud this stack deploys to.")
    region: str = Field(description="Region of every resource of the stack.")
    tags: TagSettings
    retention: Retention = Field(
        default=Retention.DESTROYABLE,
        description="destroyable lets stateful resources go with the stack; protected "
        "sets protect and retain_on_delete on buckets, keys and registries.",
    )
    name_prefix: str | None = Field(
        default=None,
        pattern=NAME_PREFIX_PATTERN,
        description="Starts every fixed physical name (registry, pipeline, endpoint, "
        "alarms, KMS alias); unique per account and region. Default: "
        "`mlops-<environment>`. 3-32 lower-case letters, digits and hyphens, so every "
        "name derived from it fits its service's limit.",
    )
    architectures: ArchitecturesSettings = Field(default_factory=ArchitecturesSettings)
    quotas: QuotaSettings = Field(
        default_factory=QuotaSettings,
        description="Accelerator quotas: request what the architectures can scale to, or "
        "declare the limits the account already has (checked at plan time).",
    )
    ci: CiSettings | None = Field(
        default=None,
        description="The keyless identity GitHub Actions deploys the stack with, on each "
        "cloud the stack uses (docs/ci.md); absent: none.",
    )
    aws: AwsCloudSettings | None = Field(
        default=None,
        description="AWS provider settings; for AWS architectures of a stack "
        "whose `cloud` is another one (default: `region` when `cloud` is aws).",
    )
    azure: AzureCloudSettings | None = Field(
        default=None,
        description="Azure provider settings (default: location `region` when `cloud` is azure).",
    )
    gcp: GcpCloudSettings | None = Field(
        default=None,
        description="Google Cloud provider settings; `project` is required "
        "for every stack with a GCP architecture.",
    )
    budget: BudgetSettings | None = Field(
        default=None,
        description="Monthly cost budget and anomaly alert on every cloud the stack uses "
        "(docs/cost.md). Absent: none is created, and the <cloud>-stack-require-budget "
        "policy rules fail the plan where they are mandatory.",
    )

    @property
    def prefix(self) -> str:
        """``name_prefix``, or ``mlops-<environment>``."""
        return self.name_prefix or f"mlops-{self.environment.value}"

    @field_validator("region")
    @classmethod
    def _region_of_cloud(cls, region: str, info: ValidationInfo) -> str:
        cloud = info.data.get("cloud")
        return region if cloud is None else check_region(cloud, region)

    def cloud_settings(
        self, cloud: Cloud
    ) -> AwsCloudSettings | AzureCloudSettings | GcpCloudSettings | None:
        """The provider settings of ``cloud``: its section, else (for the primary cloud
        of AWS and Azure) the one implied by ``region``; ``None`` when the stack has none."""
        section = {Cloud.AWS: self.aws, Cloud.AZURE: self.azure, Cloud.GCP: self.gcp}[cloud]
        if section is not None or cloud is not self.cloud:
            return section
        if cloud is Cloud.AWS:
            return AwsCloudSettings(region=self.region)
        if cloud is Cloud.AZURE:
            return AzureCloudSettings(location=self.region)
        return None

    def uses(self, cloud: Cloud) -> bool:
        """Whether an enabled architecture of the stack runs on ``cloud``."""
        from ..registry import REGISTRY  # the registry imports the settings models

        return any(
            spec.cloud is cloud
            and (arch := getattr(self.architectures, spec.key)) is not None
            and arch.enabled
            for spec in REGISTRY
        )

    def region_of(self, cloud: Cloud) -> str:
        """The region (Azure: location) of ``cloud``'s resources."""
        found = self.cloud_settings(cloud)
        if isinstance(found, AzureCloudSettings):
            return found.location
        if found is None:
            raise ValueError(f"the stack has no {cloud.value} settings")
        return found.region

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        from ..registry import REGISTRY  # the registry imports the settings models

        for spec in REGISTRY:
            if getattr(self.architectures, spec.key) is None:
                continue
            for needed in spec.requires:
                base = getattr(self.architectures, needed)
                if base is None or not base.enabled:
                    raise ValueError(
                        f"architectures.{spec.key} builds on architectures.{needed}: enable it too"
                    )
            if self.cloud_settings(spec.cloud) is None:
                section = {"gcp": "project and region", "azure": "location"}.get(
                    spec.cloud.value, "region"
                )
                raise ValueError(
                    f"architectures.{spec.key} runs on {spec.cloud.value}: add "
                    f"mlops-iac:{spec.cloud.value} with its {section}"
                )
        primary = {Cloud.AWS: self.aws, Cloud.AZURE: self.azure, Cloud.GCP: self.gcp}[self.cloud]
        if primary is not None:
            where = primary.location if isinstance(primary, AzureCloudSettings) else primary.region
            if where != self.region:
                raise ValueError(
                    f"{self.cloud.value} is the stack's cloud, so mlops-iac:{self.cloud.value} "
                    f"must use its region {self.region!r}, not {where!r}"
                )
        if self.budget is not None and self.budget.gcp is None and self.uses(Cloud.GCP):
            raise ValueError(
                "budget.gcp: the stack has Google Cloud architectures: set its "
                "billing_account and project_number"
            )
        sagemaker = self.architectures.sagemaker_cicd
        if sagemaker is not None:
            try:
                sagemaker.check_model_source(self.prefix)
                sagemaker.check_region(self.region_of(Cloud.AWS))
            except ValueError as exc:
                raise ValueError(f"architectures.sagemaker_cicd.{exc}") from None
        arc = self.architectures.arc_hybrid_mlops
        if arc is not None:
            try:
                arc.check_subscription(self.azure.subscription_id if self.azure else None)
            except ValueError as exc:
                raise ValueError(f"architectures.arc_hybrid_mlops.{exc}") from None
        serverless = self.architectures.serverless_mlops
        if serverless is not None:
            try:
                serverless.check_region(self.region_of(Cloud.AWS))
            except ValueError as exc:
                raise ValueError(f"architectures.serverless_mlops: {exc}") from None
        return self
