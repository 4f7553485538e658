"""Architecture 7, Vertex AI end-to-end, on the Google Cloud foundation.

data sources -> BigQuery / Cloud Storage -> Vertex AI Pipelines (scheduled) -> Vertex
AI Training -> Model Registry -> Vertex AI endpoint, with lineage in a CMEK metadata
store, experiments in a CMEK TensorBoard and alerts on latency, errors and failed runs.

Built on ``GcpFoundation`` (key, buckets, Docker repository, network, pipeline-runner
and training service accounts, alert channels): this architecture adds the APIs it
needs, grants Vertex AI and BigQuery the foundation's key, and creates the BigQuery
dataset, the KFP template repository, the serving and CI service accounts, the
metadata store and TensorBoard, the pipeline schedule, the endpoint with its
deployment resource pool, an optional Workbench instance and the alert policies.
Pipelines, training jobs, models and deployed models are runtime objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from .. import naming
from ..gcp import alerts, bigquery, pipeline_schedule, vertex_endpoint, workbench
from ..gcp.alerts import AlertPolicies, AlertPoliciesArgs, LogAlert, ThresholdAlert
from ..gcp.bigquery import Dataset, DatasetArgs
from ..gcp.identity import (
    MemberGrants,
    MemberGrantsArgs,
    ResourceGrant,
    ServiceAccount,
    ServiceAccountArgs,
)
from ..gcp.names import check_name, fixed_name, numeric_id
from ..gcp.pipeline_schedule import PipelineSchedule, PipelineScheduleArgs
from ..gcp.registry import ContainerRegistry, ContainerRegistryArgs
from ..gcp.services import ProjectServices
from ..gcp.vertex_endpoint import VertexEndpoint, VertexEndpointArgs
from ..gcp.vertex_machines import machine_spec
from ..gcp.vertex_metadata import VertexMetadata, VertexMetadataArgs
from ..gcp.workbench import Workbench, WorkbenchArgs
from ..registry import Capacity, Deployment, Outputs
from ..settings import Cloud, Retention
from ..settings.gcp import (
    VERTEX_SCALING_METRICS,
    VertexEndpointSettings,
    VertexMlopsSettings,
    VertexTrainingSettings,
)
from ..tags import merge_tags
from ..vocabulary import CapacityStrategy, NetworkAccessMode
from .gcp_foundation import (
    OBJECT_USER,
    OBJECT_VIEWER,
    REGISTRY_AGENT,
    REGISTRY_READER,
    SERVICE_ACCOUNT_USER,
    WORKLOAD_PROJECT_ROLES,
    GcpFoundation,
)
from .gcp_foundation import SERVICES as FOUNDATION_SERVICES

TOKEN = "mlops:gcp:VertexMlops"

VERTEX_AGENT = "aiplatform.googleapis.com"
BIGQUERY_AGENT = "bigquery.googleapis.com"

SERVICES = tuple(
    sorted(
        {
            *bigquery.SERVICES,
            *vertex_endpoint.SERVICES,
            *pipeline_schedule.SERVICES,
            *alerts.SERVICES,
        }
        - set(FOUNDATION_SERVICES)
    )
)
"""The APIs this architecture adds to the foundation's (Workbench's only when enabled);
the foundation's own are not managed twice."""

VERTEX_USER = "roles/aiplatform.user"
"""Create and run Vertex AI pipeline and training jobs, use the metadata store
(https://cloud.google.com/vertex-ai/docs/general/access-control#predefined-roles)."""
BIGQUERY_DATA_VIEWER = "roles/bigquery.dataViewer"
BIGQUERY_DATA_EDITOR = "roles/bigquery.dataEditor"
BIGQUERY_JOB_USER = "roles/bigquery.jobUser"
"""Read tables of one dataset; write them (Vertex AI's request-response logs); run
queries in the project (https://cloud.google.com/bigquery/docs/access-control)."""
REGISTRY_WRITER = "roles/artifactregistry.writer"
TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator"
"""The CI principal's right to impersonate the CI service account (and nothing else)."""

LATENCY_METRIC = "aiplatform.googleapis.com/prediction/online/prediction_latencies"
ERROR_METRIC = "aiplatform.googleapis.com/prediction/online/error_count"
"""Vertex AI endpoint metrics (https://cloud.google.com/monitoring/api/metrics_gcp_a_b#gcp-aiplatform)."""


def training_parameters(training: VertexTrainingSettings) -> dict[str, str]:
    """The runtime parameters a pipeline's training step reads: machine, accelerator,
    replicas and the Vertex AI scheduling strategy (``SPOT`` or ``STANDARD``)."""
    spec = machine_spec(training.machine_type, training.accelerator, "training.accelerator")
    strategy = "SPOT" if training.capacity is CapacityStrategy.SPOT_FIRST else "STANDARD"
    parameters = {
        "training_machine_type": spec.machine_type,
        "training_replica_count": str(training.replicas),
        "training_scheduling_strategy": strategy,
    }
    if spec.accelerator_type:
        parameters["training_accelerator_type"] = spec.accelerator_type
        parameters["training_accelerator_count"] = str(spec.accelerator_count)
    return parameters


def serving_parameters(endpoint: VertexEndpointSettings) -> dict[str, str]:
    """The dedicated resources the pipeline's deploy step gives a model (no shared pool:
    custom serving containers cannot be co-hosted): machine, accelerator and replica
    bounds from the endpoint settings."""
    spec = machine_spec(endpoint.machine_type, endpoint.accelerator, "endpoint.accelerator")
    parameters = {
        "serving_machine_type": spec.machine_type,
        "serving_min_replicas": str(endpoint.scaling.min_instances),
        "serving_max_replicas": str(endpoint.scaling.max_instances),
    }
    if spec.accelerator_type:
        parameters["serving_accelerator_type"] = spec.accelerator_type
        parameters["serving_accelerator_count"] = str(spec.accelerator_count)
    return parameters


def training_capacity(training: VertexTrainingSettings, region: str, source: str) -> Capacity:
    spec = machine_spec(training.machine_type, training.accelerator, "training.accelerator")
    return Capacity(
        Cloud.GCP,
        region,
        "vertex-training",
        spec.machine_type,
        training.replicas,
        training.capacity is CapacityStrategy.SPOT_FIRST,
        accelerator=spec.compute_accelerator_type,
        accelerator_count=spec.accelerator_count,
        source=source,
    )


@dataclass
class VertexMlopsArgs:
    settings: VertexMlopsSettings
    foundation: GcpFoundation
    region: str
    name_prefix: str
    labels: Mapping[str, str]
    retention: Retention = Retention.DESTROYABLE


class VertexMlops(pulumi.ComponentResource):
    """The Vertex AI end-to-end architecture (see the module doc)."""

    services: ProjectServices
    dataset: Dataset
    pipeline_templates: ContainerRegistry
    metadata: VertexMetadata
    serving: ServiceAccount
    ci: ServiceAccount
    schedule: PipelineSchedule
    endpoint: VertexEndpoint
    workbench: Workbench | None
    alerts: AlertPolicies

    def __init__(
        self, name: str, args: VertexMlopsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TOKEN, name, None, opts)
        s, f, region, labels = args.settings, args.foundation, args.region, args.labels
        prefix, retention = args.name_prefix, args.retention
        extra = set(workbench.SERVICES) - set(FOUNDATION_SERVICES) if s.workbench.enabled else set()
        services = sorted({*SERVICES, *extra})
        self.services = ProjectServices(
            naming.child(name, "apis"), services, opts=pulumi.ResourceOptions(parent=self)
        )
        after = pulumi.ResourceOptions(parent=self, depends_on=[self.services])
        project = gcp.organizations.get_client_config_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        ).project
        vertex_grant = f.key.add_encrypter(VERTEX_AGENT)
        bigquery_grant = f.key.add_encrypter(BIGQUERY_AGENT)

        self.dataset = Dataset(
            naming.child(name, "dataset"),
            DatasetArgs(
                dataset_id=naming.physical(prefix, "ml").replace("-", "_"),
                location=region,
                kms_key_id=f.kms_key_id,
                kms_key_grants=[bigquery_grant],
                labels=labels,
                retention=retention,
                table_expiration_days=s.bigquery.table_expiration_days,
                time_travel_hours=s.bigquery.time_travel_hours,
                description="Training data and prediction logs (mlops-iac)",
            ),
            after,
        )
        self.pipeline_templates = ContainerRegistry(
            naming.child(name, "pipelines"),
            ContainerRegistryArgs(
                location=region,
                kms_key_id=f.kms_key_id,
                kms_key_grants=[f.key.grant(REGISTRY_AGENT)],
                labels=labels,
                retention=retention,
                repository_id=check_name(
                    "artifact-registry-repository", naming.physical(prefix, "pipelines")
                ),
                format="KFP",
                description="Compiled Vertex AI pipeline templates (mlops-iac)",
            ),
            after,
        )
        self.metadata = VertexMetadata(
            naming.child(name, "metadata"),
            VertexMetadataArgs(
                region=region,
                kms_key_id=f.kms_key_id,
                kms_key_grants=[vertex_grant],
                labels=labels,
                tensorboard=s.tensorboard,
                retention=retention,
                display_name=f"{prefix} experiments",
            ),
            after,
        )

        dataset_id = self.dataset.dataset_id
        MemberGrants(
            naming.child(name, "runner-grants"),
            MemberGrantsArgs(
                member=f.pipeline_runner.member,
                project_roles=(VERTEX_USER, BIGQUERY_JOB_USER),
                resource_grants={
                    "dataset": ResourceGrant("dataset", dataset_id, BIGQUERY_DATA_VIEWER),
                    "templates": ResourceGrant(
                        "repository", self.pipeline_templates.repository_id, REGISTRY_READER
                    ),
                    # The scheduler submits runs as the runner itself.
                    "act-as-self": ResourceGrant(
                        "service_account", f.pipeline_runner.account_name, SERVICE_ACCOUNT_USER
                    ),
                },
            ),
            after,
        )
        MemberGrants(
            naming.child(name, "training-grants"),
            MemberGrantsArgs(
                member=f.trainer.member,
                project_roles=(VERTEX_USER, BIGQUERY_JOB_USER),
                resource_grants={
                    "dataset": ResourceGrant("dataset", dataset_id, BIGQUERY_DATA_VIEWER)
                },
            ),
            after,
        )
        MemberGrants(
            naming.child(name, "vertex-agent-grants"),
            MemberGrantsArgs(
                member=f.key.agents[VERTEX_AGENT],
                resource_grants={
                    "prediction-logs": ResourceGrant("dataset", dataset_id, BIGQUERY_DATA_EDITOR)
                },
            ),
            after,
        )
        self.serving = ServiceAccount(
            naming.child(name, "serving"),
            ServiceAccountArgs(
                account_id=fixed_name(
                    "service-account", prefix, "serving", owner=naming.child(name, "serving")
                ),
                display_name="Model serving (mlops-iac)",
                description="Runs deployed models: reads model artifacts and images.",
                project_roles=WORKLOAD_PROJECT_ROLES,
                resource_grants={
                    "pipeline-root": ResourceGrant(
                        "bucket", f.pipeline_root_bucket.bucket_name, OBJECT_VIEWER
                    ),
                    "images": ResourceGrant("repository", f.registry_id, REGISTRY_READER),
                },
            ),
            after,
        )
        # The pipeline's deploy step deploys models that run as the serving account:
        # the runner may act as that account only (a resource-level grant).
        MemberGrants(
            naming.child(name, "runner-serving-grants"),
            MemberGrantsArgs(
                member=f.pipeline_runner.member,
                resource_grants={
                    "act-as-serving": ResourceGrant(
                        "service_account", self.serving.account_name, SERVICE_ACCOUNT_USER
                    )
                },
            ),
            after,
        )
        ci_grants = {
            "images": ResourceGrant("repository", f.registry_id, REGISTRY_WRITER),
            "templates": ResourceGrant(
                "repository", self.pipeline_templates.repository_id, REGISTRY_WRITER
            ),
            "data": ResourceGrant("bucket", f.data_bucket.bucket_name, OBJECT_USER),
        }
        self.ci = ServiceAccount(
            naming.child(name, "ci"),
            ServiceAccountArgs(
                account_id=fixed_name(
                    "service-account", prefix, "ci", owner=naming.child(name, "ci")
                ),
                display_name="CI: images and pipeline templates (mlops-iac)",
                description="Pushes serving and pipeline images and pipeline templates.",
                resource_grants=ci_grants,
            ),
            after,
        )
        if s.ci_principal is not None:
            MemberGrants(
                naming.child(name, "ci-federation"),
                MemberGrantsArgs(
                    member=s.ci_principal,
                    resource_grants={
                        "impersonate": ResourceGrant(
                            "service_account", self.ci.account_name, TOKEN_CREATOR
                        )
                    },
                ),
                after,
            )

        job_name = fixed_name(
            "compute", prefix, s.schedule.pipeline_name, owner=naming.child(name, "schedule")
        )
        self.schedule = PipelineSchedule(
            naming.child(name, "schedule"),
            PipelineScheduleArgs.from_settings(
                s.schedule,
                job_name=job_name,
                region=region,
                project=project,
                repository=self.pipeline_templates.repository_name,
                pipeline_root=pulumi.Output.concat(f.pipeline_root, "/runs"),
                service_account_email=f.pipeline_runner_email,
                kms_key_id=f.kms_key_id,
                parameters={
                    **training_parameters(s.training),
                    "training_service_account": f.trainer_email,
                    "serving_service_account": self.serving.email,
                    "data_bucket": f.data_bucket_name,
                    "bigquery_dataset": self.dataset.bigquery_uri,
                    "serving_image_repository": f.registry_url,
                    "tensorboard": self.metadata.tensorboard_id or "",
                    **({} if s.endpoint.shared_pool else serving_parameters(s.endpoint)),
                },
                labels=labels,
            ),
            after,
        )

        e = s.endpoint
        endpoint_name = naming.child(name, "endpoint")
        endpoint_id = numeric_id(f"{prefix}/{endpoint_name}", owner=endpoint_name)
        self.endpoint = VertexEndpoint(
            endpoint_name,
            VertexEndpointArgs(
                endpoint_id=endpoint_id,
                pool_id=fixed_name("compute", prefix, "serving", owner=naming.child(name, "pool")),
                region=region,
                kms_key_id=f.kms_key_id,
                kms_key_grants=[vertex_grant],
                labels=labels,
                machine=machine_spec(e.machine_type, e.accelerator, "endpoint.accelerator"),
                min_replicas=e.scaling.min_instances,
                max_replicas=e.scaling.max_instances,
                metric_name=VERTEX_SCALING_METRICS[e.scaling.metric],
                target_percent=round(e.scaling.target_value),
                private_project_allowlist=(
                    [project] if e.access is NetworkAccessMode.PRIVATE else None
                ),
                # Vertex AI creates the PSC consumer endpoint in the foundation's VPC.
                psc_consumer=(project, f.network_id),
                request_log_table=pulumi.Output.concat(
                    self.dataset.bigquery_uri, ".prediction_logs"
                ),
                request_log_rate=e.request_logging_rate,
                shared_pool=e.shared_pool,
                retention=retention,
                display_name=f"{prefix} models",
            ),
            after,
        )

        self.workbench = None
        if s.workbench.enabled:
            self.workbench = Workbench(
                naming.child(name, "workbench"),
                WorkbenchArgs(
                    zone=f"{region}-{s.workbench.zone_suffix}",
                    network=f.network_id,
                    subnet=f.subnet_id,
                    service_account_email=f.trainer_email,
                    labels=labels,
                    machine_type=s.workbench.machine_type,
                    idle_shutdown_minutes=s.workbench.idle_shutdown_minutes,
                    owners=[str(o) for o in s.workbench.owners],
                ),
                after,
            )

        endpoint_filter = (
            f'resource.type="aiplatform.googleapis.com/Endpoint" AND '
            f'resource.labels.endpoint_id="{endpoint_id}"'
        )
        alert_set: dict[str, ThresholdAlert | LogAlert] = {
            "latency": ThresholdAlert(
                f"{prefix}: prediction latency p99 above {e.latency_alert_ms} ms",
                f'metric.type="{LATENCY_METRIC}" AND {endpoint_filter}',
                "ALIGN_PERCENTILE_99",
                e.latency_alert_ms,
                reducer="REDUCE_MAX",
            ),
            "errors": ThresholdAlert(
                f"{prefix}: prediction errors above {e.error_alert_rate:g}/s",
                f'metric.type="{ERROR_METRIC}" AND {endpoint_filter}',
                "ALIGN_RATE",
                e.error_alert_rate,
                reducer="REDUCE_SUM",
            ),
            "pipeline-failed": LogAlert(
                f"{prefix}: a pipeline run failed",
                'resource.type="aiplatform.googleapis.com/PipelineJob" AND severity>=ERROR',
            ),
            "schedule-failed": LogAlert(
                f"{prefix}: the pipeline schedule could not submit a run",
                f'resource.type="cloud_scheduler_job" AND resource.labels.job_id="{job_name}" '
                "AND severity>=ERROR",
            ),
        }
        if e.model_monitoring:
            alert_set["monitoring"] = LogAlert(
                f"{prefix}: model monitoring found skew or drift",
                'resource.type="aiplatform.googleapis.com/ModelDeploymentMonitoringJob" '
                "AND severity>=WARNING",
            )
        self.alerts = AlertPolicies(
            naming.child(name, "alerts"),
            AlertPoliciesArgs(alerts=alert_set, channels=f.alert_channel_ids, labels=labels),
            after,
        )
        self.register_outputs(
            {
                "endpoint_id": self.endpoint.endpoint_id,
                "metadata_store_id": self.metadata.metadata_store_id,
                "schedule_job_id": self.schedule.job_id,
            }
        )


def deploy(deployment: Deployment, settings: VertexMlopsSettings) -> Outputs:
    """The registry's entry point: ``VertexMlops`` named ``vertex`` on the stack's
    foundation, its capacity declared, and its flat outputs."""
    foundation = deployment.take("gcp_foundation", GcpFoundation)
    vertex = VertexMlops(
        "vertex",
        VertexMlopsArgs(
            settings=settings,
            foundation=foundation,
            region=deployment.region,
            name_prefix=deployment.name_prefix,
            labels=merge_tags(deployment.tags, component="vertex-mlops"),
            retention=deployment.retention,
        ),
        opts=deployment.opts,
    )
    e = settings.endpoint
    serving = machine_spec(e.machine_type, e.accelerator, "endpoint.accelerator")
    deployment.declare_capacity(
        Capacity(
            Cloud.GCP,
            deployment.region,
            "vertex-prediction",
            serving.machine_type,
            e.scaling.max_instances,
            False,
            accelerator=serving.compute_accelerator_type,
            accelerator_count=serving.accelerator_count,
            source="architectures.vertex_mlops.endpoint",
        )
    )
    deployment.declare_capacity(
        training_capacity(
            settings.training, deployment.region, "architectures.vertex_mlops.training"
        )
    )
    return {
        "vertex_endpoint_id": vertex.endpoint.endpoint_id,
        "vertex_endpoint_name": vertex.endpoint.endpoint_name,
        "vertex_deployment_pool": vertex.endpoint.pool_name,
        "vertex_metadata_store_id": vertex.metadata.metadata_store_id,
        "vertex_tensorboard_id": vertex.metadata.tensorboard_id,
        "vertex_dataset_id": vertex.dataset.dataset_id,
        "vertex_pipeline_templates_url": vertex.pipeline_templates.repository_url,
        "vertex_schedule_job_id": vertex.schedule.job_id,
        "vertex_serving_email": vertex.serving.email,
        "vertex_ci_email": vertex.ci.email,
        "vertex_workbench_id": vertex.workbench.instance_id if vertex.workbench else None,
    }
