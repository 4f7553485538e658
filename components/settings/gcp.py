"""Settings of the Google Cloud foundation (``architectures.gcp_foundation``).

The foundation is the base every Google Cloud architecture shares (APIs, customer key,
buckets, service accounts, Artifact Registry, network, logs and alerts); see
``components/architectures/README.md``. Every default is the secure and cheap choice.
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, EmailStr, Field, field_validator, model_validator

from ..vocabulary import (
    AcceleratorPool,
    CapacityStrategy,
    EndpointHosting,
    EndpointScaling,
    NetworkAccess,
    NetworkAccessMode,
    ScalingMetric,
    ScarceCapacity,
    allowed,
)
from .base import Strict
from .common import LifecycleSettings

MAX_LOG_RETENTION_DAYS = 3650
"""Cloud Logging keeps logs in a user-defined bucket 1-3,650 days
(https://cloud.google.com/logging/docs/buckets#custom-retention)."""


def _subnet_cidr(value: str) -> str:
    """A subnet's primary range: a network address (no host bits) inside RFC 1918, /8 to
    /29 (https://cloud.google.com/vpc/docs/subnets#valid-ranges: the smallest IPv4
    subnet is /29)."""
    try:
        network = ipaddress.IPv4Network(value)
    except ValueError:
        raise ValueError(
            "is not an IPv4 network with its host bits zero, e.g. 10.50.0.0/20"
        ) from None
    if "/" not in value:
        raise ValueError("needs a prefix length, e.g. 10.50.0.0/20")
    private = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
    if not any(network.subnet_of(ipaddress.IPv4Network(r)) for r in private):
        raise ValueError(
            "is not a private range: use part of 10.0.0.0/8, 172.16.0.0/12 or "
            "192.168.0.0/16 (RFC 1918)"
        )
    if network.prefixlen > 29:
        raise ValueError("is smaller than /29, the smallest subnet Google Cloud allows")
    return str(network)


SubnetCidr = Annotated[str, AfterValidator(_subnet_cidr)]


class GcpFoundationSettings(Strict):
    """The Google Cloud base of a stack: project APIs, a rotated customer-managed key,
    a data bucket and a pipeline-root bucket, placeholder service accounts (pipeline
    runner, training) without keys, a Docker repository, a private network, a log
    bucket and alert e-mails. Architectures of issue 10 extend it."""

    enabled: bool = Field(
        default=True,
        description="false: the section stays in the stack file but nothing is deployed.",
    )
    subnet_cidr: SubnetCidr = Field(
        default="10.50.0.0/20",
        description="Primary range of the one `workloads` subnet (RFC 1918; default a "
        "/20, 4,096 addresses). The subnet has Private Google Access and flow logs.",
    )
    cloud_nat: bool = Field(
        default=False,
        description="false (default): no Cloud Router or NAT; workloads reach Google APIs "
        "through Private Google Access only and nothing else on the internet. true: a "
        "router and NAT for the subnet (billed per hour and GB) for package mirrors and "
        "model hubs.",
    )
    flow_log_sampling: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Share of the subnet's flows logged (0-1]; flow logs are billed per "
        "GB ingested in Cloud Logging.",
    )
    key_rotation_days: int = Field(
        default=90,
        ge=2,
        le=90,
        description="Days between new primary versions of the customer-managed key "
        "(2-90; the CIS Google Cloud benchmark asks for at most 90). Old versions stay "
        "enabled, so earlier data still decrypts.",
    )
    data_lifecycle: LifecycleSettings = Field(
        default_factory=LifecycleSettings,
        description="Tiering and per-prefix expiry of the data bucket (default: nearline "
        "after 30 days, coldline after 90, nothing expired).",
    )
    pipeline_root_lifecycle: LifecycleSettings = Field(
        default_factory=LifecycleSettings,
        description="Tiering and per-prefix expiry of the pipeline-root bucket, where "
        "pipeline runs write their artifacts (same defaults as the data bucket).",
    )
    image_keep_recent_versions: int = Field(
        default=10,
        ge=1,
        description="Versions of each image the Docker repository keeps whatever their age.",
    )
    image_delete_untagged_after_days: int = Field(
        default=7,
        ge=1,
        description="Days after which untagged image versions are deleted (unless among "
        "the kept recent versions). Tagged versions are never deleted.",
    )
    log_retention_days: int = Field(
        default=30,
        ge=1,
        le=MAX_LOG_RETENTION_DAYS,
        description="Days the foundation's log bucket keeps logs (1-3650; 30 is Cloud "
        "Logging's free retention, longer is billed per GB and month).",
    )
    alert_emails: list[EmailStr] = Field(
        default_factory=list,
        description="One Cloud Monitoring e-mail notification channel per address, for "
        "the architectures' alert policies; empty (default): no channel.",
    )

    @field_validator("alert_emails")
    @classmethod
    def _distinct(cls, emails: list[str]) -> list[str]:
        seen = {e.lower() for e in emails}
        if len(seen) != len(emails):
            raise ValueError("an address is listed twice")
        return emails


# -- Vertex AI end-to-end (architecture 7) and hybrid TensorFlow (architecture 9) -------

VERTEX_SCALING_METRICS = {
    ScalingMetric.CPU_UTILIZATION: "aiplatform.googleapis.com/prediction/online/cpu/utilization",
    ScalingMetric.GPU_UTILIZATION: (
        "aiplatform.googleapis.com/prediction/online/accelerator/duty_cycle"
    ),
}
"""The autoscaling metrics Vertex AI online prediction takes
(``DedicatedResources.autoscalingMetricSpecs[].metricName``, pulumi-gcp docs of
``AiDeploymentResourcePool``: "Supported metrics: ... accelerator/duty_cycle ...
cpu/utilization"); both are percentages."""

MACHINE_TYPE = r"^[a-z][a-z0-9]*-[a-z0-9]+(-[a-z0-9]+)*$"
"""A Compute Engine machine type name (``n1-standard-4``, ``g2-standard-8``)."""

CRON = r"^\S+ \S+ \S+ \S+ \S+$"
"""A unix-cron schedule of five fields, Cloud Scheduler's format
(https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules)."""

KFP_PACKAGE = r"^[a-z][a-z0-9-]{0,62}$"
"""A KFP package name in Artifact Registry: the pipeline's name, as `kfp` uploads it."""


class VertexTrainingSettings(Strict):
    """The machines a training step of the pipeline asks Vertex AI Training for. They
    are runtime parameters of the scheduled pipeline run (the pipeline reads them) and
    the capacity declared for quotas (usage ``vertex-training``).

    Defaults: one ``n1-standard-8`` CPU replica, bought as Spot (Vertex AI
    ``scheduling.strategy`` ``SPOT``): the cheapest capacity; a run may wait or be
    preempted and must checkpoint."""

    machine_type: str = Field(
        default="n1-standard-8",
        pattern=MACHINE_TYPE,
        description="Machine type of CPU training replicas (ignored with `accelerator`, "
        "whose machine type comes from the accelerator data).",
    )
    replicas: int = Field(default=1, ge=1, le=64, description="Replicas of one training job.")
    accelerator: AcceleratorPool | None = Field(
        default=None,
        description="GPUs or TPUs per replica (vendor-neutral name and count); `max_nodes` "
        "is unused (the job has `replicas`). Null: CPU only.",
    )
    capacity: CapacityStrategy = Field(
        default=CapacityStrategy.SPOT_FIRST,
        description="spot_first (Vertex AI Spot, default) or on_demand.",
    )

    @field_validator("capacity")
    @classmethod
    def _offered(cls, value: CapacityStrategy) -> CapacityStrategy:
        if value is CapacityStrategy.RESERVED:
            raise ValueError("Vertex AI training takes spot_first or on_demand")
        return value


class PipelineScheduleSettings(Strict):
    """When and what the Cloud Scheduler job submits to Vertex AI Pipelines.

    The compiled pipeline (KFP IR YAML) is pushed by CI (``kfp`` ``RegistryClient``)
    into the stack's KFP repository in Artifact Registry; the job asks Vertex AI to run
    the version with ``template_tag``. The ``pipelineJobs.create`` API takes a template
    only from Artifact Registry (``PipelineJob.templateUri``), not from a bucket."""

    pipeline_name: str = Field(
        default="training",
        pattern=KFP_PACKAGE,
        description="Package name of the pipeline in the KFP repository.",
    )
    template_tag: str = Field(
        default="latest",
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$",
        description="Tag (or `sha256:` version) of the template to run; `latest` follows "
        "what CI last uploaded, a fixed tag pins a reviewed version.",
    )
    cron: str = Field(
        default="0 3 * * 1",
        pattern=CRON,
        description="unix-cron schedule (default: Mondays 03:00).",
    )
    time_zone: str = Field(default="Etc/UTC", description="tz database name of the schedule.")
    paused: bool = Field(
        default=False, description="true: the job exists but submits nothing (a paused job)."
    )
    parameters: dict[str, str] = Field(
        default_factory=dict,
        description="Further runtime parameters of the pipeline (strings), merged under "
        "the ones the stack owns (training machine, image, data location).",
    )
    retries: int = Field(
        default=1, ge=0, le=5, description="Retries of a failed submission (not of the run)."
    )


class VertexEndpointSettings(Strict):
    """The Vertex AI endpoint and the dedicated machines models deployed to it share.

    Defaults: a private (Private Service Connect) endpoint, one to two ``n1-standard-2``
    replicas scaled on CPU utilisation at 60 %, request-response logging of 10 % of
    requests to BigQuery, no model monitoring."""

    access: NetworkAccessMode = Field(
        default=NetworkAccessMode.PRIVATE,
        description="private: a Private Service Connect endpoint reachable only from "
        "allowed projects' networks; public: the shared public endpoint (IAM still "
        "required for every call).",
    )
    machine_type: str = Field(
        default="n1-standard-2",
        pattern=MACHINE_TYPE,
        description="Machine type of CPU replicas (ignored with `accelerator`).",
    )
    accelerator: AcceleratorPool | None = Field(
        default=None, description="GPUs per replica; null: CPU only."
    )
    scaling: EndpointScaling = Field(
        default_factory=lambda: EndpointScaling(
            metric=ScalingMetric.CPU_UTILIZATION, target_value=60
        ),
        description="Replicas between min_instances (>= 1: Vertex AI keeps at least one "
        "replica) and max_instances, on cpu_utilization or gpu_utilization.",
    )
    request_logging_rate: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="Share of prediction requests and responses logged to the BigQuery "
        "dataset; 0 turns logging off.",
    )
    model_monitoring: bool = Field(
        default=False,
        description="true: a Cloud Monitoring alert on request-response log volume and "
        "the model-monitoring service enabled; the monitoring job itself is runtime "
        "(it needs a deployed model).",
    )
    shared_pool: bool = Field(
        default=False,
        description="false (default): models are deployed with dedicated resources (the "
        "pipeline's deploy step reads the machine, accelerator and replica bounds as "
        "`serving_*` parameters), which custom serving containers need. true: a "
        "deployment resource pool the models share (co-hosting), for Vertex AI prebuilt "
        "containers only: co-hosting does not run custom containers.",
    )
    latency_alert_ms: int = Field(
        default=500, ge=1, description="99th percentile latency (ms) that raises an alert."
    )
    error_alert_rate: float = Field(
        default=1, gt=0, description="Errors per second (5-minute mean) that raise an alert."
    )

    @field_validator("scaling")
    @classmethod
    def _vertex_scaling(cls, scaling: EndpointScaling) -> EndpointScaling:
        if scaling.hosting is not EndpointHosting.INSTANCES:
            raise ValueError(
                "hosting: Vertex AI dedicated resources take hosting instances "
                f"(at least one replica); got {scaling.hosting.value}"
            )
        if scaling.metric not in VERTEX_SCALING_METRICS:
            raise ValueError(
                f"metric: Vertex AI scales on {allowed(VERTEX_SCALING_METRICS)}; "
                f"got {scaling.metric.value}"
            )
        return scaling

    @model_validator(mode="after")
    def _gpu_metric(self) -> Self:
        if self.scaling.metric is ScalingMetric.GPU_UTILIZATION and self.accelerator is None:
            raise ValueError("scaling.metric: gpu_utilization needs an accelerator")
        return self


class WorkbenchSettings(Strict):
    """A Vertex AI Workbench instance for interactive work: no public IP, the stack's
    subnet, the training service account, idle shutdown."""

    enabled: bool = Field(default=False, description="false (default): no instance.")
    machine_type: str = Field(default="e2-standard-4", pattern=MACHINE_TYPE)
    zone_suffix: str = Field(
        default="a", pattern=r"^[a-z]$", description="Zone of the instance: <region>-<suffix>."
    )
    idle_shutdown_minutes: int = Field(
        default=60,
        ge=10,
        le=1440,
        description="Minutes of idleness after which the instance stops (metadata "
        "`idle-timeout-seconds`), so a forgotten notebook does not bill around the clock.",
    )
    owners: list[EmailStr] = Field(
        default_factory=list,
        description="Users who may open the instance (single-user access); empty: anyone "
        "with the training service account's `iam.serviceAccountUser`.",
    )


class BigQuerySettings(Strict):
    """The BigQuery dataset for training data and prediction logs, encrypted with the
    foundation's key."""

    table_expiration_days: int | None = Field(
        default=None,
        ge=1,
        description="Default expiry of new tables (days); null: tables are kept.",
    )
    time_travel_hours: int = Field(
        default=168,
        ge=48,
        le=168,
        description="Time-travel window (48-168 hours, in steps of 24).",
    )

    @field_validator("time_travel_hours")
    @classmethod
    def _days(cls, value: int) -> int:
        if value % 24:
            raise ValueError("must be a multiple of 24 hours")
        return value


class VertexMlopsSettings(Strict):
    """Architecture 7, Vertex AI end-to-end: BigQuery and Cloud Storage data, Vertex AI
    Pipelines run on a schedule, Vertex AI Training, the Model Registry and a Vertex AI
    endpoint, on the Google Cloud foundation."""

    enabled: bool = Field(default=True, description="false: nothing is deployed.")
    bigquery: BigQuerySettings = Field(default_factory=BigQuerySettings)
    tensorboard: bool = Field(
        default=True, description="A CMEK-encrypted Vertex AI TensorBoard for experiments."
    )
    training: VertexTrainingSettings = Field(default_factory=VertexTrainingSettings)
    schedule: PipelineScheduleSettings = Field(default_factory=PipelineScheduleSettings)
    endpoint: VertexEndpointSettings = Field(default_factory=VertexEndpointSettings)
    workbench: WorkbenchSettings = Field(default_factory=WorkbenchSettings)
    ci_principal: str | None = Field(
        default=None,
        pattern=r"^principal(Set)?://iam\.googleapis\.com/.+$",
        description="Workload Identity Federation principal of the CI system that pushes "
        "images and pipeline templates (e.g. a GitHub repository's principalSet); it may "
        "impersonate the CI service account. Null: no impersonation grant.",
    )


ServingTarget = Literal["gke", "attached"]


class FleetClusterSettings(Strict):
    """An existing on-premises or other-cloud Kubernetes cluster that joins the fleet.

    The membership names the cluster's OIDC issuer (``authority``), so fleet Workload
    Identity works for it; the Connect agent is installed on the cluster out of band
    (``gcloud container fleet memberships register`` or the attached-clusters manifest),
    and an existing membership is adopted with ``pulumi import``."""

    membership_id: str = Field(
        pattern=r"^[a-z][-a-z0-9]{2,30}[a-z0-9]$",
        description="Membership id in the fleet and id of the cluster's workload identity "
        "provider: 4-32 lower-case letters, digits and hyphens, starting with a letter, "
        "not with `gcp-` (the provider id's rule, the narrower of the two).",
    )
    issuer_url: str = Field(
        pattern=r"^https://\S+$",
        description="The cluster's service-account token issuer (OIDC discovery URL).",
    )

    @field_validator("jwks_json")
    @classmethod
    def _key_set(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                document = json.loads(value)
            except ValueError as error:
                raise ValueError(f"not JSON ({error})") from None
            if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
                raise ValueError("a JSON Web Key Set is an object with a 'keys' list")
        return value

    @field_validator("membership_id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value.startswith("gcp-"):
            raise ValueError("must not start with 'gcp-' (reserved for Google)")
        return value

    serving_namespace: str = Field(
        default="ml-serving",
        pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
        description="Namespace whose Kubernetes service accounts may read models and images.",
    )
    jwks_json: str | None = Field(
        default=None,
        min_length=2,
        description="The issuer's JSON Web Key Set (`kubectl get --raw /openid/v1/jwks`), "
        "for an issuer Google cannot reach over the internet; null: Google fetches the "
        "keys from `issuer_url`. Update it when the cluster rotates its signing keys.",
    )


class HybridTfMlopsSettings(Strict):
    """Architecture 9, hybrid TensorFlow: on-premises and other-cloud clusters in a
    fleet, Workload Identity Federation from them, training in Vertex AI Pipelines with
    TensorFlow containers, serving on GKE or on an attached cluster."""

    enabled: bool = Field(default=True, description="false: nothing is deployed.")
    clusters: list[FleetClusterSettings] = Field(
        min_length=1, description="The clusters that join the fleet."
    )
    serving: ServingTarget = Field(
        default="attached",
        description="attached: models are served on the first fleet cluster; gke: on the "
        "existing GKE cluster `gke_cluster_id`.",
    )
    gke_cluster_id: str | None = Field(
        default=None,
        pattern=r"^projects/[^/]+/locations/[^/]+/clusters/[a-z]([-a-z0-9]*[a-z0-9])?$",
        description="Existing GKE cluster serving the models (serving gke): "
        "projects/<p>/locations/<l>/clusters/<c>.",
    )
    gke_namespace: str = Field(default="ml-serving", pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    training: VertexTrainingSettings = Field(default_factory=VertexTrainingSettings)
    training_image: str = Field(
        default="europe-docker.pkg.dev/vertex-ai/training/tf-cpu.2-17.py310:latest",
        pattern=r"^[a-z0-9.-]+(:[0-9]+)?/\S+$",
        description="Container image of the training step: a Vertex AI prebuilt "
        "TensorFlow training container (Deep Learning Containers carry TensorFlow; "
        "the product name TensorFlow Enterprise is not used).",
    )
    schedule: PipelineScheduleSettings = Field(default_factory=PipelineScheduleSettings)

    @model_validator(mode="after")
    def _target(self) -> Self:
        if self.serving == "gke" and self.gke_cluster_id is None:
            raise ValueError("gke_cluster_id: serving gke needs the existing cluster's id")
        if self.serving == "attached" and self.gke_cluster_id is not None:
            raise ValueError("gke_cluster_id: only with serving gke")
        ids = [c.membership_id for c in self.clusters]
        if len(set(ids)) != len(ids):
            raise ValueError("clusters: a membership_id is listed twice")
        return self


# -- architecture 8: GKE-based MLOps ---------------------------------------------------

GKE_POOL_NAME = r"^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$"
"""A pool key: 1-20 lower-case letters, digits and hyphens (it ends the node pool's
name ``<cluster>-<key>``, and GKE allows 40 characters)."""
ZONE = r"^[a-z]+-[a-z]+\d-[a-z]$"
"""A Compute Engine zone (``europe-west4-a``)."""


class GkeAcceleratorPoolSettings(AcceleratorPool):
    """A GKE node pool of GPUs or TPUs (see ``AcceleratorPool`` for the shape and
    capacity; ``gcp/node_pools.py`` for the arguments each choice sets)."""

    zones: list[Annotated[str, Field(pattern=ZONE)]] = Field(
        default_factory=list,
        description="Zones of the pool's nodes; empty: the cluster's zones. A multi-host "
        "TPU slice needs exactly one zone (its chips are linked in one place).",
    )
    reservations: list[str] = Field(
        default_factory=list,
        description="With capacity reserved / scarce_capacity reservation: the names of "
        "the Compute Engine reservations the nodes consume (SPECIFIC_RESERVATION).",
    )
    disk_size_gb: int = Field(
        default=100, ge=50, le=65536, description="Boot disk per node, GB (pd-balanced)."
    )

    @model_validator(mode="after")
    def _placement(self) -> Self:
        if self.is_multi_host and len(self.zones) != 1:
            raise ValueError(
                f"zones: a multi-host {self.tpu_topology} slice needs exactly one zone "
                f"(got {self.zones or 'the cluster default'})"
            )
        if self.is_multi_host and self.max_nodes != self.nodes_per_slice:
            raise ValueError(
                f"max_nodes: a GKE multi-host TPU node pool is one {self.tpu_topology} slice "
                f"of {self.nodes_per_slice} nodes, created and removed whole; use max_nodes "
                f"{self.nodes_per_slice} and another pool for another slice"
            )
        reserved = self.scarce_capacity is ScarceCapacity.RESERVATION
        if reserved and not self.reservations:
            raise ValueError("reservations: scarce_capacity reservation names at least one")
        if self.reservations and not reserved:
            raise ValueError("reservations: only scarce_capacity reservation consumes them")
        return self


class GkeClusterSettings(Strict):
    """The GKE Standard cluster: private nodes, Workload Identity, Shielded nodes,
    Dataplane V2, managed Prometheus, secrets encrypted with the foundation's key."""

    release_channel: Literal["RAPID", "REGULAR", "STABLE"] = Field(
        default="REGULAR",
        description="Upgrade cadence; GKE upgrades control plane and nodes within it.",
    )
    control_plane: NetworkAccess = Field(
        default_factory=NetworkAccess,
        description="private (default): the control plane has only its private endpoint, "
        "reached from the VPC. public: a public endpoint that accepts only "
        "`allowed_cidrs` (master authorized networks).",
    )
    control_plane_cidr: str = Field(
        default="172.16.0.0/28",
        description="The /28 the control plane's private endpoint uses (RFC 1918, unused "
        "elsewhere in the VPC).",
    )
    zones: list[Annotated[str, Field(pattern=ZONE)]] = Field(
        default_factory=list,
        description="Zones of the regional cluster's nodes; empty: GKE picks three.",
    )
    node_cidr: SubnetCidr = Field(
        default="10.60.0.0/20", description="Primary range of the cluster's own subnet."
    )
    pods_cidr: SubnetCidr = Field(
        default="10.64.0.0/14", description="Secondary range for Pod IPs (VPC-native)."
    )
    services_cidr: SubnetCidr = Field(
        default="10.68.0.0/20", description="Secondary range for Service IPs."
    )
    system_machine_type: str = Field(
        default="e2-standard-4",
        pattern=r"^[a-z0-9]+-[a-z0-9-]+$",
        description="Machine type of the system pool (kube-system, serving CPUs).",
    )
    system_min_nodes: int = Field(
        default=1, ge=1, description="System pool floor across all zones."
    )
    system_max_nodes: int = Field(default=3, ge=1, description="System pool ceiling.")
    gpu_driver_version: Literal["DEFAULT", "LATEST", "INSTALLATION_DISABLED"] = Field(
        default="DEFAULT",
        description="The NVIDIA driver GKE installs on GPU nodes. Changing it replaces "
        "every GPU pool (hashicorp/terraform-provider-google#23248): choose it before "
        "the first deploy. INSTALLATION_DISABLED: the NVIDIA GPU Operator installs it.",
    )
    accelerator_pools: dict[str, GkeAcceleratorPoolSettings] = Field(
        default_factory=dict,
        description="GPU and TPU node pools by short name (the node pool is "
        "`<cluster>-<name>`); none by default.",
    )

    @field_validator("accelerator_pools")
    @classmethod
    def _pool_names(
        cls, pools: dict[str, GkeAcceleratorPoolSettings]
    ) -> dict[str, GkeAcceleratorPoolSettings]:
        for key in pools:
            if not re.match(GKE_POOL_NAME, key):
                raise ValueError(
                    f"{key!r}: pool names are 1-20 lower-case letters, digits and hyphens"
                )
        return pools

    @field_validator("control_plane_cidr")
    @classmethod
    def _master_cidr(cls, value: str) -> str:
        checked = _subnet_cidr(value)
        if ipaddress.IPv4Network(checked).prefixlen != 28:
            raise ValueError("the control plane's range is a /28")
        return checked

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.system_max_nodes < self.system_min_nodes:
            raise ValueError("system_max_nodes must be >= system_min_nodes")
        ranges = {
            "node_cidr": self.node_cidr,
            "pods_cidr": self.pods_cidr,
            "services_cidr": self.services_cidr,
            "control_plane_cidr": self.control_plane_cidr,
        }
        seen: list[tuple[str, ipaddress.IPv4Network]] = []
        for key, cidr in ranges.items():
            net = ipaddress.IPv4Network(cidr)
            for other, other_net in seen:
                if net.overlaps(other_net):
                    raise ValueError(f"{key}: {cidr} overlaps {other}")
            seen.append((key, net))
        return self


class DataflowSettings(Strict):
    """Dataflow processing: the infrastructure a Flex Template job runs on (worker
    service account, staging and temp locations in the data bucket, the private subnet,
    CMEK), and the job itself once its template exists."""

    enabled: bool = Field(default=True, description="false: no Dataflow resources.")
    template_path: str | None = Field(
        default=None,
        pattern=r"^gs://[a-z0-9][a-z0-9._-]+/.+\.json$",
        description="gs:// path of a built Flex Template spec: the worker service account "
        "may read its bucket (and the foundation's Docker repository, where the template "
        "image lives). None (default): no template yet.",
    )
    launch_job: bool = Field(
        default=False,
        description="true: the stack also runs `template_path` as a Flex Template job. "
        "Pulumi then re-launches the job on every update that finds it finished (a done "
        "batch job is recreated, hashicorp/terraform-provider-google#855): use it for a "
        "long-running streaming job only. false (default): only the launch "
        "infrastructure; jobs are launched by `gcloud dataflow flex-template run` or an "
        "orchestrator.",
    )
    parameters: dict[str, str] = Field(
        default_factory=dict, description="The template's parameters."
    )
    machine_type: str = Field(
        default="n2-standard-2", description="Worker machine type (CPU processing)."
    )
    max_workers: int = Field(default=4, ge=1, le=1000, description="Autoscaling ceiling.")

    @model_validator(mode="after")
    def _launchable(self) -> Self:
        if self.launch_job and self.template_path is None:
            raise ValueError("launch_job: needs template_path (the Flex Template to run)")
        return self


class GkeServingSettings(Strict):
    """Model serving on the cluster: a namespace, a Kubernetes service account bound
    through Workload Identity to a Google service account that reads the model bucket,
    and a Deployment, Service (internal) and HorizontalPodAutoscaler."""

    enabled: bool = Field(default=True, description="false: no serving objects.")
    image: str = Field(
        default="model-server:latest",
        pattern=r"^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+|@sha256:[0-9a-f]{64})$",
        description="Image in the foundation's Docker repository, `<name>:<tag>` or "
        "`<name>@sha256:<digest>`; pin a tag or digest outside dev.",
    )
    namespace: str = Field(default="serving", pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
    port: int = Field(default=8080, ge=1, le=65535, description="The container's port.")
    accelerator_pool: str | None = Field(
        default=None,
        description="Name of the GPU pool the model runs on (GPU request, toleration and "
        "node selector); None: CPU serving on the system pool.",
    )
    gpus_per_replica: int = Field(default=1, ge=1, le=8)
    cpu: str = Field(default="1", pattern=r"^\d+(\.\d+)?m?$")
    memory: str = Field(default="2Gi", pattern=r"^\d+(Mi|Gi)$")
    min_replicas: int = Field(default=1, ge=1, le=100)
    max_replicas: int = Field(default=3, ge=1, le=100)
    target_cpu_percent: int = Field(default=70, ge=1, le=100)

    @model_validator(mode="after")
    def _replicas(self) -> Self:
        if self.max_replicas < self.min_replicas:
            raise ValueError("max_replicas must be >= min_replicas")
        return self


class GkeMonitoringSettings(Strict):
    """Cloud Monitoring for the platform: a dashboard and alert policies."""

    error_ratio: float = Field(
        default=0.05,
        gt=0,
        le=1,
        description="Alert when this share of the serving load balancer's requests fail "
        "(5xx) over 5 minutes.",
    )
    idle_accelerator_percent: int = Field(
        default=10,
        ge=1,
        le=100,
        description="Alert when accelerator nodes run below this utilisation (GPU duty "
        "cycle, TPU TensorCore) for `idle_minutes`: paid-for chips doing nothing.",
    )
    idle_minutes: int = Field(default=60, ge=5, le=1440)


class GkeMlopsSettings(Strict):
    """Architecture 8, GKE-based MLOps: Cloud Storage -> Dataflow -> GKE training ->
    Artifact Registry -> GKE serving -> Cloud Monitoring, on the Google Cloud foundation
    (``architectures.gcp_foundation``)."""

    enabled: bool = Field(default=True, description="false: nothing is deployed.")
    cluster: GkeClusterSettings = Field(default_factory=GkeClusterSettings)
    dataflow: DataflowSettings = Field(default_factory=DataflowSettings)
    serving: GkeServingSettings = Field(default_factory=GkeServingSettings)
    monitoring: GkeMonitoringSettings = Field(default_factory=GkeMonitoringSettings)

    @model_validator(mode="after")
    def _serving_pool(self) -> Self:
        pool = self.serving.accelerator_pool
        if self.serving.enabled and pool is not None:
            found = self.cluster.accelerator_pools.get(pool)
            if found is None:
                raise ValueError(
                    f"serving.accelerator_pool: {pool!r} is not one of cluster."
                    f"accelerator_pools ({', '.join(self.cluster.accelerator_pools) or 'none'})"
                )
            if found.is_tpu:
                raise ValueError(
                    f"serving.accelerator_pool: {pool!r} is a TPU pool; serving requests GPUs"
                )
            if self.serving.gpus_per_replica > found.count:
                raise ValueError(
                    f"serving.gpus_per_replica: {self.serving.gpus_per_replica} exceeds the "
                    f"{found.count} GPUs per node of pool {pool!r}"
                )
        return self
