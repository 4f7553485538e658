"""Architecture 8, GKE-based MLOps on the Google Cloud foundation.

Cloud Storage (the foundation's data bucket) -> Dataflow processing (Flex Template
job, worker account, CMEK, private workers) -> GKE training (GPU and TPU node pools
that scale from zero) -> Artifact Registry (the foundation's Docker repository) ->
GKE serving (Workload Identity, Deployment, Service, HPA) -> Cloud Monitoring (dashboard,
accelerator-idle and serving alerts to the foundation's channels).

Each accelerator pool declares its capacity (max nodes x chips per node), which the
stack's quota block requests or checks (``mlops_components.quotas``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from .. import naming
from ..gcp import dataflow, gke_cluster
from ..gcp.dataflow import DataflowProcessing, DataflowProcessingArgs
from ..gcp.gke_cluster import GkeCluster, GkeClusterArgs
from ..gcp.gke_monitoring import GkeMonitoring, GkeMonitoringArgs
from ..gcp.gke_serving import GkeServing, GkeServingArgs
from ..gcp.names import check_name, fixed_name
from ..gcp.services import ProjectServices
from ..registry import Capacity, Deployment, Outputs
from ..settings import Cloud, Retention
from ..settings.base import Environment
from ..settings.gcp import GkeMlopsSettings
from ..tags import merge_tags
from .gcp_foundation import GcpFoundation

TOKEN = "mlops:gcp:GkeMlops"
COMPUTE_URL = "https://www.googleapis.com/compute/v1/"
"""Prefix that turns a subnet id (``projects/<p>/regions/<r>/subnetworks/<s>``) into the
URL Dataflow's ``subnetwork`` takes."""
SERVICES = tuple(sorted({*gke_cluster.SERVICES, *dataflow.SERVICES}))
"""The APIs this architecture adds to the foundation's."""


@dataclass
class GkeMlopsArgs:
    settings: GkeMlopsSettings
    foundation: GcpFoundation
    region: str
    name_prefix: str
    labels: Mapping[str, str]
    retention: Retention = Retention.DESTROYABLE


class GkeMlops(pulumi.ComponentResource):
    """The GKE platform (see the module doc)."""

    services: ProjectServices
    cluster: GkeCluster
    processing: DataflowProcessing | None
    serving: GkeServing | None
    monitoring: GkeMonitoring

    def __init__(
        self, name: str, args: GkeMlopsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TOKEN, name, None, opts)
        s, f, prefix, labels = args.settings, args.foundation, args.name_prefix, args.labels
        self.services = ProjectServices(
            naming.child(name, "apis"), SERVICES, opts=pulumi.ResourceOptions(parent=self)
        )
        after_apis = pulumi.ResourceOptions(parent=self, depends_on=[self.services])
        cluster_name = check_name("gke-cluster", naming.physical(prefix, "ml", max_length=40))
        self.cluster = GkeCluster(
            naming.child(name, "cluster"),
            GkeClusterArgs(
                settings=s.cluster,
                region=args.region,
                cluster_name=cluster_name,
                node_account_id=fixed_name(
                    "service-account", prefix, "gke-nodes", owner=naming.child(name, "nodes")
                ),
                network_id=f.network_id,
                kms_key_id=f.kms_key_id,
                registry_id=f.registry_id,
                labels=labels,
                retention=args.retention,
                serving_pool=s.serving.accelerator_pool if s.serving.enabled else None,
            ),
            after_apis,
        )
        self.processing = None
        if s.dataflow.enabled:
            self.processing = DataflowProcessing(
                naming.child(name, "processing"),
                DataflowProcessingArgs(
                    settings=s.dataflow,
                    region=args.region,
                    worker_account_id=fixed_name(
                        "service-account", prefix, "dataflow", owner=naming.child(name, "dataflow")
                    ),
                    job_name=naming.physical(prefix, "processing"),
                    network_id=f.network_id,
                    subnetwork_url=f.subnet_id.apply(lambda i: f"{COMPUTE_URL}{i}"),
                    kms_key_id=f.kms_key_id,
                    data_bucket=f.data_bucket_name,
                    pipeline_root_bucket=f.pipeline_root_bucket_name,
                    registry_id=f.registry_id,
                    labels=labels,
                ),
                after_apis,
            )
        self.serving = None
        if s.serving.enabled:
            self.serving = GkeServing(
                naming.child(name, "serving"),
                GkeServingArgs(
                    settings=s.serving,
                    kubeconfig=self.cluster.kubeconfig,
                    workload_pool=self.cluster.workload_pool,
                    account_id=fixed_name(
                        "service-account",
                        prefix,
                        "gke-serving",
                        owner=naming.child(name, "serving"),
                    ),
                    image_repository=f.registry_url,
                    model_bucket=f.pipeline_root_bucket_name,
                    labels=labels,
                    gpu_pool=s.serving.accelerator_pool,
                    # Prod only: staging's single Spot replica stays cheap.
                    highly_available=labels.get("environment") == Environment.PROD,
                    depends_on=[self.cluster.system_pool, *self.cluster.pools.values()],
                ),
                after_apis,
            )
        pools = s.cluster.accelerator_pools.values()
        self.monitoring = GkeMonitoring(
            naming.child(name, "monitoring"),
            GkeMonitoringArgs(
                settings=s.monitoring,
                cluster_name=cluster_name,
                namespace=s.serving.namespace if s.serving.enabled else None,
                has_gpus=any(not p.is_tpu for p in pools),
                has_tpus=any(p.is_tpu for p in pools),
                channels=f.alert_channel_ids,
                labels=dict(labels),
            ),
            after_apis,
        )
        self.register_outputs({"cluster_name": self.cluster.cluster_name})


def deploy(deployment: Deployment, settings: GkeMlopsSettings) -> Outputs:
    """The registry's entry point: one ``GkeMlops`` named ``gke`` on the foundation."""
    foundation = deployment.take("gcp_foundation", GcpFoundation)
    platform = GkeMlops(
        "gke",
        GkeMlopsArgs(
            settings=settings,
            foundation=foundation,
            region=deployment.region,
            name_prefix=deployment.name_prefix,
            labels=merge_tags(deployment.tags, component="gke-mlops"),
            retention=deployment.retention,
        ),
        opts=deployment.opts,
    )
    for entry in pool_capacity(settings, platform, deployment.region):
        deployment.declare_capacity(entry)
    processing = platform.processing
    serving = platform.serving
    return {
        "gke_cluster_name": platform.cluster.cluster_name,
        "gke_cluster_id": platform.cluster.cluster_id,
        "gke_dataflow_worker_email": processing.worker_email if processing else None,
        "gke_dataflow_temp_location": processing.temp_location if processing else None,
        "gke_dataflow_job_id": processing.job_id if processing else None,
        "gke_serving_account_email": serving.account_email if serving else None,
    }


def pool_capacity(settings: GkeMlopsSettings, platform: GkeMlops, region: str) -> list[Capacity]:
    """One capacity per accelerator pool: its machine type up to ``max_nodes``."""
    found = []
    for key, plan in platform.cluster.plans.items():
        pool = settings.cluster.accelerator_pools[key]
        found.append(
            Capacity(
                cloud=Cloud.GCP,
                region=region,
                usage="vm",
                machine_type=plan.machine.machine_type,
                maximum=pool.max_nodes,
                # Flex-start (and queued) VMs count against the preemptible quota.
                spot=plan.capacity.spot or plan.capacity.flex_start,
                accelerator=plan.machine.accelerator_type if plan.machine.attached else None,
                accelerator_count=pool.count if plan.machine.attached else 0,
                source=f"architectures.gke_mlops.cluster.accelerator_pools.{key}",
            )
        )
    return found
