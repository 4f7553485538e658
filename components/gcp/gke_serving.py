"""Model serving on GKE, shaped like the EKS design: a namespace, a Kubernetes service
account bound through Workload Identity to a Google service account that reads the
model artifacts, and a Deployment, an internal Service and a HorizontalPodAutoscaler.

- The Kubernetes objects go through an explicit ``pulumi_kubernetes`` provider whose
  kubeconfig is built from the cluster's outputs (``GkeCluster.kubeconfig``): the
  DNS-based endpoint and ``gke-gcloud-auth-plugin``, so no static credential exists.
- The Google service account has ``roles/storage.objectViewer`` on the pipeline-root
  bucket (where training writes models) and nothing else; the Kubernetes service account
  ``<namespace>/model-server`` may act as it (``roles/iam.workloadIdentityUser`` for the
  member ``serviceAccount:<project>.svc.id.goog[<namespace>/model-server]``).
- The namespace enforces the ``restricted`` Pod Security Standard; the container runs
  as non-root with a read-only root filesystem, no privilege escalation, every capability
  dropped and the runtime's seccomp profile.
- On a GPU pool: ``nvidia.com/gpu`` requested (and limited) per replica, the pool's
  ``nvidia.com/gpu`` taint tolerated and the pool selected by its label.
- The Deployment leaves ``replicas`` to the HPA (CPU target), so an update never resets
  the scaled size.
- Highly available (prod, or ``min_replicas`` >= 2): at least two replicas, a
  PodDisruptionBudget (``minAvailable`` 1) so node upgrades and scale-downs never evict
  the last one, and rollouts that surge one replica and take none away. A single
  replica (dev) is down while it is rolled or its node is upgraded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from .. import naming
from ..settings.gcp import GkeServingSettings
from .identity import ResourceGrant, ServiceAccount, ServiceAccountArgs
from .node_pools import GPU_TAINT, POOL_LABEL

OBJECT_VIEWER = "roles/storage.objectViewer"
WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"
KSA_NAME = "model-server"
APP_LABEL = "app.kubernetes.io/name"


@dataclass
class GkeServingArgs:
    settings: GkeServingSettings
    kubeconfig: pulumi.Input[str]
    workload_pool: pulumi.Input[str]
    account_id: str
    image_repository: pulumi.Input[str]
    """The foundation's Docker repository URL (``<region>-docker.pkg.dev/<p>/<repo>``)."""
    model_bucket: pulumi.Input[str]
    labels: Mapping[str, str]
    gpu_pool: str | None = None
    """Key of the GPU pool the replicas run on; ``None``: CPU serving."""
    depends_on: list[pulumi.Resource] | None = None
    """What must exist before any Kubernetes object (the node pools)."""
    highly_available: bool = False
    """Prod: at least ``HA_MIN_REPLICAS`` replicas whatever ``min_replicas`` says."""


HA_MIN_REPLICAS = 2
"""The floor of a highly available server: one replica keeps serving while another is
rolled, evicted by a node upgrade or rescheduled."""


def replica_bounds(s: GkeServingSettings, highly_available: bool) -> tuple[int, int]:
    """The HPA's (min, max): the settings', raised to ``HA_MIN_REPLICAS`` when highly
    available."""
    low = max(s.min_replicas, HA_MIN_REPLICAS) if highly_available else s.min_replicas
    return low, max(s.max_replicas, low)


def container_spec(
    s: GkeServingSettings,
    image: pulumi.Input[str],
    model_uri: pulumi.Input[str],
    gpu: bool,
) -> k8s.core.v1.ContainerArgsDict:
    """The model server's container (plain data, so tests read it directly)."""
    requests: dict[str, pulumi.Input[str]] = {"cpu": s.cpu, "memory": s.memory}
    limits: dict[str, pulumi.Input[str]] = {"memory": s.memory}
    if gpu:
        requests["nvidia.com/gpu"] = str(s.gpus_per_replica)
        limits["nvidia.com/gpu"] = str(s.gpus_per_replica)
    return {
        "name": "model-server",
        "image": image,
        "ports": [{"name": "http", "container_port": s.port}],
        "env": [{"name": "MODEL_URI", "value": model_uri}],
        "resources": {"requests": requests, "limits": limits},
        "readiness_probe": {"tcp_socket": {"port": "http"}, "period_seconds": 10},
        "liveness_probe": {"tcp_socket": {"port": "http"}, "initial_delay_seconds": 30},
        "security_context": {
            "run_as_non_root": True,
            "allow_privilege_escalation": False,
            "read_only_root_filesystem": True,
            "capabilities": {"drop": ["ALL"]},
            "seccomp_profile": {"type": "RuntimeDefault"},
        },
    }


class GkeServing(pulumi.ComponentResource):
    provider: k8s.Provider
    account: ServiceAccount
    workload_identity: gcp.serviceaccount.IAMMember
    namespace: k8s.core.v1.Namespace
    service_account: k8s.core.v1.ServiceAccount
    deployment: k8s.apps.v1.Deployment
    service: k8s.core.v1.Service
    autoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler
    disruption_budget: k8s.policy.v1.PodDisruptionBudget | None
    account_email: pulumi.Output[str]

    def __init__(
        self, name: str, args: GkeServingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:GkeServing", name, None, opts)
        s = args.settings
        ns = s.namespace
        child = pulumi.ResourceOptions(parent=self)
        self.account = ServiceAccount(
            naming.child(name, "sa"),
            ServiceAccountArgs(
                account_id=args.account_id,
                display_name="GKE model serving (mlops-iac)",
                description=f"Acts for Kubernetes service account {ns}/{KSA_NAME}: reads models.",
                resource_grants={
                    "models": ResourceGrant("bucket", args.model_bucket, OBJECT_VIEWER)
                },
            ),
            child,
        )
        self.account_email = self.account.email
        self.workload_identity = gcp.serviceaccount.IAMMember(
            naming.child(name, "workload-identity"),
            service_account_id=self.account.account_name,
            role=WORKLOAD_IDENTITY_USER,
            member=pulumi.Output.from_input(args.workload_pool).apply(
                lambda pool: f"serviceAccount:{pool}[{ns}/{KSA_NAME}]"
            ),
            opts=child,
        )
        self.provider = k8s.Provider(
            naming.child(name, "k8s"),
            kubeconfig=args.kubeconfig,
            opts=pulumi.ResourceOptions(parent=self, depends_on=args.depends_on),
        )
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=self.provider)
        labels = {APP_LABEL: KSA_NAME, "app.kubernetes.io/managed-by": "pulumi"}
        self.namespace = k8s.core.v1.Namespace(
            naming.child(name, "namespace"),
            metadata={
                "name": ns,
                "labels": {
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/enforce-version": "latest",
                },
            },
            opts=k8s_opts,
        )
        in_ns = pulumi.ResourceOptions(
            parent=self, provider=self.provider, depends_on=[self.namespace]
        )
        self.service_account = k8s.core.v1.ServiceAccount(
            naming.child(name, "ksa"),
            metadata={
                "name": KSA_NAME,
                "namespace": ns,
                "labels": labels,
                "annotations": {"iam.gke.io/gcp-service-account": self.account.email},
            },
            automount_service_account_token=False,
            opts=in_ns,
        )
        image = pulumi.Output.concat(args.image_repository, "/", s.image)
        model_uri = pulumi.Output.concat("gs://", args.model_bucket, "/models/")
        gpu = args.gpu_pool is not None
        min_replicas, max_replicas = replica_bounds(s, args.highly_available)
        redundant = min_replicas >= HA_MIN_REPLICAS
        pod_spec: k8s.core.v1.PodSpecArgsDict = {
            "service_account_name": KSA_NAME,
            "automount_service_account_token": True,
            "security_context": {
                "run_as_non_root": True,
                "seccomp_profile": {"type": "RuntimeDefault"},
            },
            "containers": [container_spec(s, image, model_uri, gpu)],
        }
        if args.gpu_pool is not None:
            pod_spec["node_selector"] = {POOL_LABEL: args.gpu_pool}
            pod_spec["tolerations"] = [
                {"key": GPU_TAINT["key"], "operator": "Exists", "effect": "NoSchedule"}
            ]
        self.deployment = k8s.apps.v1.Deployment(
            naming.child(name, "deployment"),
            metadata={"name": KSA_NAME, "namespace": ns, "labels": labels},
            spec={
                "selector": {"match_labels": {APP_LABEL: KSA_NAME}},
                "template": {"metadata": {"labels": labels}, "spec": pod_spec},
                # A rollout surges one replica and takes none away. Only a single-replica
                # GPU server (dev) is replaced in place: a surge replica would need a
                # free GPU node beyond the pool's ceiling and its quota.
                "strategy": {
                    "type": "RollingUpdate",
                    "rolling_update": {
                        "max_surge": 0 if gpu and not redundant else 1,
                        "max_unavailable": 1 if gpu and not redundant else 0,
                    },
                },
            },
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=self.provider,
                depends_on=[self.namespace, self.service_account, self.workload_identity],
            ),
        )
        self.service = k8s.core.v1.Service(
            naming.child(name, "service"),
            metadata={"name": KSA_NAME, "namespace": ns, "labels": labels},
            spec={
                "type": "ClusterIP",
                "selector": {APP_LABEL: KSA_NAME},
                "ports": [{"name": "http", "port": 80, "target_port": "http"}],
            },
            opts=in_ns,
        )
        self.autoscaler = k8s.autoscaling.v2.HorizontalPodAutoscaler(
            naming.child(name, "hpa"),
            metadata={"name": KSA_NAME, "namespace": ns, "labels": labels},
            spec={
                "scale_target_ref": {
                    "api_version": "apps/v1",
                    "kind": "Deployment",
                    "name": KSA_NAME,
                },
                "min_replicas": min_replicas,
                "max_replicas": max_replicas,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {
                                "type": "Utilization",
                                "average_utilization": s.target_cpu_percent,
                            },
                        },
                    }
                ],
            },
            opts=in_ns,
        )
        self.disruption_budget = None
        if redundant:
            # Node upgrades and autoscaler scale-downs drain at most all but one replica.
            self.disruption_budget = k8s.policy.v1.PodDisruptionBudget(
                naming.child(name, "pdb"),
                metadata={"name": KSA_NAME, "namespace": ns, "labels": labels},
                spec={"min_available": 1, "selector": {"match_labels": {APP_LABEL: KSA_NAME}}},
                opts=in_ns,
            )
        self.register_outputs({"account_email": self.account_email, "namespace": ns})
