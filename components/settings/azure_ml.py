"""Settings of architecture 4, Azure ML with Azure DevOps (``mlops:azure:AzureMlDevOps``).

Imports pydantic and the vocabulary only (no Azure SDK), so a stack file is validated
before any SDK is imported. Every default is the secure and cheap choice; each field's
description says what it does.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import Field, StringConstraints, field_validator, model_validator

from ..vocabulary import (
    AcceleratorPool,
    CapacityStrategy,
    EndpointHosting,
    EndpointScaling,
    ScalingMetric,
    Strict,
    allowed,
)
from .clouds import UUID

VmSize = Annotated[str, StringConstraints(pattern=r"^Standard_[A-Za-z0-9_]+$")]
"""An Azure VM size as the ML APIs take it, e.g. ``Standard_DS3_v2``."""

REGISTRY_ID = re.compile(
    r"^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\w.()]+/providers/"
    r"Microsoft\.MachineLearningServices/registries/(?P<name>[a-zA-Z0-9][a-zA-Z0-9_-]{2,32})$"
)
"""The ARM id of an Azure ML registry (names: 3-33 letters, digits, ``-`` and ``_``)."""

MODEL_ASSET = re.compile(
    r"^azureml://registries/[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}/models/[A-Za-z0-9][\w.-]{0,254}"
    r"/versions/[\w.-]{1,64}$"
)
"""A model version in an Azure ML registry, as deployments reference it
(https://learn.microsoft.com/azure/machine-learning/how-to-share-models-pipelines-across-workspaces-with-registries)."""

SLOTS = ("blue", "green")
"""The two deployment slots of the online endpoint."""

Slot = Literal["blue", "green"]


class OutboundIsolation(StrEnum):
    """Outbound mode of the workspace's managed virtual network (permanent: Azure
    refuses to switch managed network isolation off once on, and the mode is fixed
    with it; see ``traps-azure-gcp`` #6).

    - ``allow_internet_outbound``: computes reach the internet; Azure resources of the
      workspace through private endpoints. No firewall cost.
    - ``allow_only_approved_outbound``: computes reach only the workspace's resources
      and the outbound rules you approve (service tags, private endpoints; FQDN rules
      add a billed Azure Firewall).
    """

    ALLOW_INTERNET_OUTBOUND = "allow_internet_outbound"
    ALLOW_ONLY_APPROVED_OUTBOUND = "allow_only_approved_outbound"


class EndpointAuth(StrEnum):
    """How clients authenticate to the online endpoint.

    - ``aad_token``: Microsoft Entra tokens; access is an Azure role, nothing to rotate.
    - ``key``: static keys the endpoint issues; anyone holding one can call it.
    """

    AAD_TOKEN = "aad_token"
    KEY = "key"


class ComputeClusterSettings(Strict):
    """The AML compute cluster the pipelines run on: no node while idle."""

    vm_size: VmSize = Field(
        default="Standard_DS3_v2", description="VM size of the nodes (4 vCPU, 14 GiB)."
    )
    max_nodes: int = Field(default=4, ge=1, le=100, description="Autoscaling ceiling.")
    capacity: CapacityStrategy = Field(
        default=CapacityStrategy.SPOT_FIRST,
        description="spot_first: low-priority nodes (pre-emptible, much cheaper); "
        "on_demand: dedicated nodes. reserved is not offered for AML clusters.",
    )

    @field_validator("capacity")
    @classmethod
    def _offered(cls, value: CapacityStrategy) -> CapacityStrategy:
        if value is CapacityStrategy.RESERVED:
            raise ValueError(
                "capacity: AML compute clusters are bought as spot_first or on_demand; "
                "reserved capacity applies to AKS pools"
            )
        return value


class AssignedUserSettings(Strict):
    """The one Entra ID user a personal compute instance belongs to (Azure ML's
    ``personalComputeInstanceSettings.assignedUser``)."""

    object_id: str = Field(
        pattern=UUID,
        description="The user's Entra object id (`az ad user show --id <upn> --query id`).",
    )
    tenant_id: str = Field(
        pattern=UUID, description="The user's Entra tenant id (`az account show --query tenantId`)."
    )


class ComputeInstanceSettings(Strict):
    """A personal development VM (Jupyter, VS Code) in the workspace, assigned to one
    user: only that user can open it (application sharing is personal)."""

    enabled: bool = Field(
        default=False, description="Create it; off by default (a VM bills while it runs)."
    )
    vm_size: VmSize = Field(default="Standard_DS11_v2", description="2 vCPU, 14 GiB.")
    idle_minutes_before_shutdown: int = Field(
        default=60,
        ge=15,
        le=4320,
        description="Minutes without activity after which the instance stops (Azure: "
        "15 minutes to 3 days). It never stops by itself without this.",
    )
    assigned_user: AssignedUserSettings | None = Field(
        default=None,
        description="The user the instance is created for (object id and tenant id); "
        "required when `enabled`: without it the instance belongs to the identity that "
        "deploys the stack (the CI identity), which no person can sign in as.",
    )

    @model_validator(mode="after")
    def _user_when_enabled(self) -> Self:
        if self.enabled and self.assigned_user is None:
            raise ValueError(
                "compute_instance.assigned_user: required when the instance is enabled "
                "(object_id and tenant_id of the Entra user it belongs to)"
            )
        return self


class RegistrySettings(Strict):
    """The Azure ML registry that models are promoted through (dev -> staging -> prod).
    One stack creates it; the others adopt it by id."""

    existing_id: str | None = Field(
        default=None,
        description="ARM id of a registry another stack created: adopt it instead of "
        "creating one. null: this stack creates the registry.",
    )
    name: str | None = Field(
        default=None,
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$",
        description="Name of the registry this stack creates (default `<prefix>-models`); "
        "part of every model's asset id, so it never changes.",
    )
    replica_locations: list[str] = Field(
        default_factory=list,
        description="Further Azure locations the registry replicates to (a deployment "
        "in another location reads its models from the nearest replica).",
    )

    @model_validator(mode="after")
    def _one_way(self) -> Self:
        if self.existing_id is not None:
            if not REGISTRY_ID.match(self.existing_id):
                raise ValueError(
                    f"existing_id: {self.existing_id!r} is not the ARM id of an Azure ML "
                    "registry (/subscriptions/<id>/resourceGroups/<group>/providers/"
                    "Microsoft.MachineLearningServices/registries/<name>)"
                )
            if self.name is not None or self.replica_locations:
                raise ValueError(
                    "existing_id: an adopted registry takes no name or replica_locations "
                    "(those are create-time settings of the stack that owns it)"
                )
        return self

    @property
    def existing_name(self) -> str | None:
        found = REGISTRY_ID.match(self.existing_id or "")
        return found.group("name") if found else None


class DeploymentSlotSettings(Strict):
    """One managed online deployment (a slot of the blue/green pair)."""

    model: str = Field(
        description="The MLflow model version it serves, from the registry: "
        "`azureml://registries/<registry>/models/<name>/versions/<version>`. MLflow "
        "models deploy without a scoring script or environment."
    )
    instance_type: VmSize = Field(
        default="Standard_DS3_v2", description="VM size of each instance."
    )
    scaling: EndpointScaling = Field(
        default_factory=EndpointScaling,
        description="Instances between min_instances (also the count it starts with) "
        "and max_instances, scaled by Azure Monitor autoscale on cpu_utilization, "
        "gpu_utilization or invocations_per_instance (requests per minute per instance). "
        "Managed online deployments keep at least one instance: hosting instances only.",
    )

    @field_validator("model")
    @classmethod
    def _model(cls, value: str) -> str:
        if not MODEL_ASSET.match(value):
            raise ValueError(
                f"{value!r} is not a registry model version "
                "(azureml://registries/<registry>/models/<name>/versions/<version>)"
            )
        return value

    @field_validator("scaling")
    @classmethod
    def _scaling(cls, value: EndpointScaling) -> EndpointScaling:
        if value.hosting is not EndpointHosting.INSTANCES:
            raise ValueError(
                "hosting: managed online deployments run on dedicated instances "
                f"(instances); got {value.hosting.value}"
            )
        if value.metric is ScalingMetric.CONCURRENT_REQUESTS:
            raise ValueError(
                "metric: Azure Monitor autoscale of a deployment offers "
                f"{allowed(AUTOSCALE_METRICS)}; got concurrent_requests"
            )
        return value


AUTOSCALE_METRICS = (
    ScalingMetric.CPU_UTILIZATION,
    ScalingMetric.GPU_UTILIZATION,
    ScalingMetric.INVOCATIONS_PER_INSTANCE,
)


class OnlineEndpointSettings(Strict):
    """The managed online endpoint and its blue/green deployments.

    Traffic lives on the endpoint, deployments below it: a slot must exist (created
    by an earlier `pulumi up`) before it takes traffic. Promotion is two reviewed
    changes: add or update the idle slot with 0 %, then move `traffic` to it."""

    auth: EndpointAuth = Field(
        default=EndpointAuth.AAD_TOKEN, description="aad_token (default) or key."
    )
    blue: DeploymentSlotSettings | None = Field(default=None, description="Slot blue.")
    green: DeploymentSlotSettings | None = Field(default=None, description="Slot green.")
    traffic: dict[Slot, int] = Field(
        default_factory=dict,
        description="Percent of requests per slot, summing to 100 (or empty: no "
        "traffic, the state of a new endpoint). The reviewed promotion step.",
    )
    latency_alarm_ms: int = Field(
        default=1000, ge=10, le=60000, description="Alert when average latency exceeds it."
    )
    errors_alarm_per_minute: int = Field(
        default=5, ge=1, description="Alert when 5xx responses per minute exceed it."
    )

    @model_validator(mode="after")
    def _traffic(self) -> Self:
        for slot, share in self.traffic.items():
            if self.slot(slot) is None:
                raise ValueError(f"traffic.{slot}: slot {slot} is not configured")
            if not 0 <= share <= 100:
                raise ValueError(f"traffic.{slot}: {share} is not a percentage (0-100)")
        total = sum(self.traffic.values())
        if self.traffic and total != 100:
            raise ValueError(f"traffic: shares add up to {total}, not 100")
        return self

    def slot(self, name: str) -> DeploymentSlotSettings | None:
        return {"blue": self.blue, "green": self.green}[name]

    @property
    def slots(self) -> dict[str, DeploymentSlotSettings]:
        """The configured slots by name, blue first."""
        return {name: s for name in SLOTS if (s := self.slot(name)) is not None}


class GitHubFederation(Strict):
    """The GitHub Actions alternative to the Azure DevOps service connection: a
    federated credential on the same release identity."""

    repository: str = Field(pattern=r"^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", description="`owner/repo`.")
    environment: str = Field(
        pattern=r"^[A-Za-z0-9._-]{1,255}$",
        description="The GitHub environment whose jobs may sign in (subject "
        "`repo:<owner/repo>:environment:<environment>`); protect it with reviewers.",
    )


class DevOpsSettings(Strict):
    """Azure DevOps: a project-level service connection that signs in with workload
    identity federation (no secret) as the release identity, and the release pipeline
    defined by the YAML file in the repository."""

    enabled: bool = Field(default=True, description="false: no Azure DevOps objects.")
    organization_url: str = Field(
        pattern=r"^https://dev\.azure\.com/[A-Za-z0-9][A-Za-z0-9-]{0,49}/?$",
        description="`https://dev.azure.com/<organization>`; the provider signs in "
        "with AZDO_PERSONAL_ACCESS_TOKEN or its OIDC settings from the environment.",
    )
    project: str = Field(
        pattern=r"^[^/\\:*?\"<>|;#$+=\[\]{},.][^/\\:*?\"<>|;#$+=\[\]{}]{0,63}$",
        description="Name of the existing Azure DevOps project.",
    )
    repository: str = Field(
        pattern=r"^[^/\\]{1,64}$",
        description="Azure Repos Git repository (in the project) holding the pipeline YAML.",
    )
    branch: str = Field(default="main", description="Branch the release pipeline runs from.")
    yaml_path: str = Field(
        default=".azure-pipelines/azure-ml-release.yml",
        pattern=r"^[\w./-]+\.ya?ml$",
        description="Path of the release pipeline in the repository (write it with "
        "`release_pipeline_yaml`, see README).",
    )
    smoke_request: str = Field(
        default="tests/smoke-request.json",
        pattern=r"^[\w./-]+\.json$",
        description="Request (JSON, in the repository) the release sends to every slot "
        "before it moves traffic; a slot that fails it stops the release.",
    )
    agent_pool: str | None = Field(
        default=None,
        pattern=r"^[^\\/]{1,64}$",
        description="Self-hosted (or Managed DevOps) agent pool in a network that reaches "
        "the workspace; required when its public network access is disabled. null: "
        "Microsoft-hosted agents.",
    )
    github: GitHubFederation | None = Field(
        default=None,
        description="Also trust GitHub Actions jobs of this repository and environment.",
    )


class AzureMlDevOpsSettings(Strict):
    """Architecture 4: data sources -> Azure Storage -> Azure ML pipelines -> model
    registry -> Azure DevOps release -> Azure ML online endpoints, on the Azure
    foundation of the stack."""

    enabled: bool = Field(
        default=True,
        description="false: the section stays in the stack file but nothing is deployed.",
    )
    outbound: OutboundIsolation = Field(
        default=OutboundIsolation.ALLOW_ONLY_APPROVED_OUTBOUND,
        description="Managed network outbound mode; permanent (changing it is refused "
        "by Azure once the workspace exists).",
    )
    public_network_access: Literal["disabled", "enabled"] = Field(
        default="disabled",
        description="disabled (default): workspace, registry and online endpoint take no "
        "request from the internet; clients and release agents reach them from a "
        "network linked to the workspace (private endpoint) or the managed network. "
        "enabled: reachable from the internet, still only with Entra sign-in (the "
        "workspace API 2025-12-01 has no IP allowlist). Use enabled for dev only.",
    )
    customer_managed_key: bool = Field(
        default=False,
        description="Encrypt workspace metadata with the foundation's key (service-side "
        "encryption). Create-time only: changing it replaces the workspace.",
    )
    storage_sku: Literal["Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_GZRS"] = Field(
        default="Standard_LRS",
        description="Redundancy of the workspace's own (flat, non-HNS) storage account.",
    )
    idle_seconds_before_scale_down: int = Field(
        default=120,
        ge=60,
        le=3600,
        description="Seconds an idle cluster node lives before it is released.",
    )
    cpu_cluster: ComputeClusterSettings = Field(default_factory=ComputeClusterSettings)
    gpu_cluster: AcceleratorPool | None = Field(
        default=None,
        description="A GPU cluster for training (min_nodes must be 0); null: none.",
    )
    compute_instance: ComputeInstanceSettings = Field(default_factory=ComputeInstanceSettings)
    training_image: str = Field(
        default="mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest",
        pattern=r"^[a-z0-9.-]+(:\d+)?/[a-z0-9._/-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$",
        description="Base image of the pipeline environment `training`.",
    )
    registry: RegistrySettings = Field(default_factory=RegistrySettings)
    endpoint: OnlineEndpointSettings = Field(default_factory=OnlineEndpointSettings)
    devops: DevOpsSettings | None = Field(
        default=None, description="Azure DevOps objects; null: none."
    )

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        devops = self.devops
        if (
            devops is not None
            and devops.enabled
            and self.public_network_access == "disabled"
            and devops.agent_pool is None
        ):
            raise ValueError(
                "devops.agent_pool: the workspace takes no request from the internet, so "
                "Microsoft-hosted agents cannot release to it; name a self-hosted pool "
                "in a network that reaches it (or set public_network_access: enabled)"
            )
        return self

    @field_validator("gpu_cluster")
    @classmethod
    def _gpu(cls, value: AcceleratorPool | None) -> AcceleratorPool | None:
        if value is None:
            return None
        if value.min_nodes != 0:
            raise ValueError("min_nodes: AML clusters scale to zero here; set 0")
        if value.capacity is CapacityStrategy.RESERVED:
            raise ValueError("capacity: AML clusters take spot_first or on_demand")
        from ..azure.accelerators import machine_for

        machine_for(value, "gpu_cluster.accelerator")
        return value
