"""GkeMlops (architecture 8) through the gcp-dev, gcp-staging and gcp-prod stacks: the
exact resources, the cluster's security settings, the GPU and TPU pools per capacity
mode, Dataflow, the serving objects and their kubeconfig, monitoring, the quota
preferences, and settings that fail before anything is registered."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pulumi
import pulumi_gcp as gcp
import pytest
import yaml
from mlops_components.gcp.gke_cluster import kubeconfig
from mlops_components.settings.gcp import GkeMlopsSettings
from mlops_preview.recorder import RecordedResource
from mlops_preview.runner import Recording, plan_stack, run_program
from pydantic import ValidationError
from support import subtree

ROOT = Path(__file__).resolve().parents[2]
POOL = "gcp:container/nodePool:NodePool"
CLUSTER = "gcp:container/cluster:Cluster"
PREFERENCE = "gcp:cloudquota/sQuotaPreference:SQuotaPreference"


@cache
def planned(stack: str) -> Recording:
    return plan_stack(ROOT, stack)


def gke(rec: Recording) -> list[RecordedResource]:
    (platform,) = rec.by_type("mlops:gcp:GkeMlops")
    return [r for r in subtree(rec, platform) if r.custom]


def pools(rec: Recording) -> dict[str, dict]:
    return {r.name.removeprefix("gke-cluster-"): r.inputs for r in rec.by_type(POOL)}


def test_dev_creates_exactly_the_gke_platform() -> None:
    rec = planned("gcp-dev")
    assert rec.warnings == []
    assert Counter(r.type for r in gke(rec)) == {
        "gcp:projects/service:Service": 2,
        "gcp:compute/subnetwork:Subnetwork": 1,
        "gcp:serviceaccount/account:Account": 3,
        "gcp:projects/iAMMember:IAMMember": 2,
        "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": 1,
        "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": 3,
        "gcp:container/cluster:Cluster": 1,
        "gcp:container/nodePool:NodePool": 3,
        "gcp:storage/bucketIAMMember:BucketIAMMember": 3,
        "gcp:compute/firewall:Firewall": 1,
        "gcp:serviceaccount/iAMMember:IAMMember": 1,
        "pulumi:providers:kubernetes": 1,
        "kubernetes:core/v1:Namespace": 1,
        "kubernetes:core/v1:ServiceAccount": 1,
        "kubernetes:apps/v1:Deployment": 1,
        "kubernetes:core/v1:Service": 1,
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": 1,
        "gcp:monitoring/dashboard:Dashboard": 1,
        "gcp:monitoring/alertPolicy:AlertPolicy": 4,
    }
    assert {r.inputs["service"] for r in rec.by_type("gcp:projects/service:Service")} >= {
        "container.googleapis.com",
        "dataflow.googleapis.com",
        "cloudquotas.googleapis.com",
    }
    # Dev has no Dataflow template yet: the infrastructure only.
    assert not rec.by_type("gcp:dataflow/flexTemplateJob:FlexTemplateJob")


@pytest.mark.parametrize(
    ("stack", "private_cidr", "protected", "channel"),
    [
        ("gcp-dev", "10.60.0.0/20", False, "REGULAR"),
        ("gcp-staging", "10.70.0.0/20", True, "REGULAR"),
        ("gcp-prod", "10.80.0.0/20", True, "STABLE"),
    ],
)
def test_cluster_is_private_and_hardened(stack, private_cidr, protected, channel) -> None:
    rec = planned(stack)
    (cluster,) = rec.by_type(CLUSTER)
    i = cluster.inputs
    assert i["name"] == f"mlops-{stack.split('-')[1]}-ml"
    assert i["privateClusterConfig"]["enablePrivateNodes"] is True
    assert i["privateClusterConfig"]["enablePrivateEndpoint"] is True
    assert i["controlPlaneEndpointsConfig"] == {"dnsEndpointConfig": {"allowExternalTraffic": True}}
    assert i["masterAuthorizedNetworksConfig"] == {
        "cidrBlocks": [{"cidrBlock": private_cidr, "displayName": "allowed-0"}],
        "gcpPublicCidrsAccessEnabled": False,
    }
    assert i["workloadIdentityConfig"] == {
        "workloadPool": f"ml-{stack.split('-')[1]}-123456.svc.id.goog"
    }
    assert i["enableShieldedNodes"] is True
    assert i["releaseChannel"] == {"channel": channel}
    assert i["datapathProvider"] == "ADVANCED_DATAPATH"
    assert i["monitoringConfig"]["managedPrometheus"] == {"enabled": True}
    assert i["databaseEncryption"]["state"] == "ENCRYPTED"
    assert i["databaseEncryption"]["keyName"].endswith(tuple("0123456789abcdef"))
    assert i["removeDefaultNodePool"] is True
    assert i["enableLegacyAbac"] is False
    assert i["masterAuth"] == {"clientCertificateConfig": {"issueClientCertificate": False}}
    # Retention decides deletion protection and protect together.
    assert (i["deletionProtection"], cluster.protect) == (protected, protected)
    # The secrets key grant names GKE's service agent and comes first.
    grant = rec.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "gke-cluster-secrets-key")
    assert grant.inputs["member"] == (
        "serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com"
    )
    assert grant.urn in cluster.dependencies


def test_dev_pools_scale_to_zero_on_spot_with_a_tpu_topology() -> None:
    found = pools(planned("gcp-dev"))
    assert set(found) == {"system", "l4", "v5e"}
    l4 = found["l4"]
    assert l4["autoscaling"] == {
        "totalMinNodeCount": 0.0,
        "totalMaxNodeCount": 2.0,
        "locationPolicy": "ANY",
    }
    assert l4["initialNodeCount"] == 0
    node = l4["nodeConfig"]
    assert node["machineType"] == "g2-standard-4"
    assert node["spot"] is True
    assert node["guestAccelerators"] == [
        {
            "type": "nvidia-l4",
            "count": 1.0,
            "gpuDriverInstallationConfig": {"gpuDriverVersion": "DEFAULT"},
        }
    ]
    assert node["taints"] == [
        {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"}
    ]
    assert node["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
    assert node["serviceAccount"] == "mlops-dev-gke-nodes@ml-dev-123456.iam.gserviceaccount.com"
    assert node["shieldedInstanceConfig"] == {
        "enableSecureBoot": True,
        "enableIntegrityMonitoring": True,
    }
    assert l4["upgradeSettings"] == {"strategy": "SURGE", "maxSurge": 0.0, "maxUnavailable": 1.0}
    assert "name" not in l4  # auto-named: a replacement creates the new pool first
    v5e = found["v5e"]
    assert v5e["nodeConfig"]["machineType"] == "ct5lp-hightpu-4t"
    assert v5e["placementPolicy"] == {"type": "COMPACT", "tpuTopology": "2x4"}
    assert v5e["nodeLocations"] == ["europe-west4-b"]
    assert v5e["nodeConfig"]["taints"] == [
        {"key": "google.com/tpu", "value": "present", "effect": "NO_SCHEDULE"}
    ]
    assert "guestAccelerators" not in v5e["nodeConfig"]
    system = found["system"]
    assert "spot" not in system["nodeConfig"] and system["autoscaling"]["totalMinNodeCount"] == 1.0


def test_prod_serves_on_demand_and_trains_through_queued_provisioning() -> None:
    found = pools(planned("gcp-prod"))
    assert set(found) == {"system", "serve", "train-gpu", "train-tpu"}
    serve, train, tpu = found["serve"], found["train-gpu"], found["train-tpu"]
    assert serve["autoscaling"]["totalMinNodeCount"] == 1.0
    assert "spot" not in serve["nodeConfig"] and "flexStart" not in serve["nodeConfig"]
    assert serve["management"] == {"autoRepair": True, "autoUpgrade": True}
    assert train["queuedProvisioning"] == {"enabled": True}
    assert train["nodeConfig"]["flexStart"] is True
    assert train["nodeConfig"]["machineType"] == "g2-standard-48"
    assert train["nodeConfig"]["reservationAffinity"] == {
        "consumeReservationType": "NO_RESERVATION"
    }
    assert train["autoscaling"]["totalMinNodeCount"] == 0.0
    assert train["autoscaling"]["locationPolicy"] == "ANY"
    # GKE creates flex-start and queued pools without auto-repair.
    assert train["management"] == {"autoRepair": False, "autoUpgrade": True}
    assert tpu["placementPolicy"] == {"type": "COMPACT", "tpuTopology": "2x4"}
    assert tpu["nodeConfig"]["spot"] is True


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        (
            "gcp-dev",
            {
                "PREEMPTIBLE-NVIDIA-L4-GPUS-per-project-region": "2",
                "PREEMPTIBLE-TPU-LITE-PODSLICE-V5-per-project-region": "8",
                "GPUS-ALL-REGIONS-per-project": "2",
            },
        ),
        (
            # Serving on demand; queued (flex-start) GPUs and Spot TPUs count as
            # preemptible; 25 % headroom, rounded up.
            "gcp-prod",
            {
                "NVIDIA-L4-GPUS-per-project-region": "5",
                "PREEMPTIBLE-NVIDIA-L4-GPUS-per-project-region": "10",
                "PREEMPTIBLE-TPU-LITE-PODSLICE-V5-per-project-region": "10",
                # Every GPU (12 reachable) also counts project-wide.
                "GPUS-ALL-REGIONS-per-project": "15",
            },
        ),
    ],
)
def test_quota_preferences_for_gpus_and_tpu_chips(stack: str, expected: dict[str, str]) -> None:
    rec = planned(stack)
    prefs = rec.by_type(PREFERENCE)
    assert {
        p.inputs["quotaId"]: p.inputs["quotaConfig"]["preferredValue"] for p in prefs
    } == expected
    for pref in prefs:
        assert pref.inputs["parent"] == f"projects/ml-{stack.split('-')[1]}-123456"
        global_quota = pref.inputs["quotaId"] == "GPUS-ALL-REGIONS-per-project"
        assert pref.inputs.get("dimensions", {}) == (
            {} if global_quota else {"region": "europe-west4"}
        )
    (block,) = rec.by_type("mlops:platform:AcceleratorQuotas")
    assert {line["status"] for line in block.inputs["lines"]} == {"requested"}


def planned_with(tmp_path: Path, stack: str, section: str, **changes: object) -> Recording:
    """``stack`` with ``changes`` merged into ``architectures.gke_mlops.<section>``."""
    import shutil

    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks")
    stack_file = tmp_path / "stacks" / f"Pulumi.{stack}.yaml"
    config = yaml.safe_load(stack_file.read_text(encoding="utf-8"))
    config["config"]["mlops-iac:architectures"]["gke_mlops"][section].update(changes)
    stack_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    return plan_stack(tmp_path, stack)


def test_dataflow_provisions_the_launch_infrastructure_and_no_job_by_default() -> None:
    """A Flex Template job resource re-launches a finished batch job on every update
    (hashicorp/terraform-provider-google#855): staging names a template but launches
    nothing; its worker may read the template spec and the template image."""
    rec = planned("gcp-staging")
    assert rec.by_type("gcp:dataflow/flexTemplateJob:FlexTemplateJob") == []
    assert rec.outputs.get("gke_dataflow_job_id") is None
    worker = "serviceAccount:mlops-staging-dataflow@ml-staging-123456.iam.gserviceaccount.com"
    template = rec.one(
        "gcp:storage/bucketIAMMember:BucketIAMMember", "gke-processing-worker-template"
    )
    assert (template.inputs["bucket"], template.inputs["role"], template.inputs["member"]) == (
        "ml-staging-123456-dataflow",
        "roles/storage.objectViewer",
        worker,
    )
    image = rec.one(
        "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
        "gke-processing-worker-template-image",
    )
    assert (image.inputs["role"], image.inputs["member"]) == (
        "roles/artifactregistry.reader",
        worker,
    )
    assert image.inputs["repository"] == rec.outputs["gcp_registry_id"]
    # Without a template there is nothing to read.
    dev = planned("gcp-dev")
    assert not [g for g in dev.resources if g.name.startswith("gke-processing-worker-template")]
    with pytest.raises(ValidationError, match="launch_job"):
        GkeMlopsSettings.model_validate({"dataflow": {"launch_job": True}})


def test_staging_runs_a_private_cmek_dataflow_job_when_asked(tmp_path: Path) -> None:
    rec = planned_with(tmp_path, "gcp-staging", "dataflow", launch_job=True)
    (job,) = rec.by_type("gcp:dataflow/flexTemplateJob:FlexTemplateJob")
    i = job.inputs
    assert i["containerSpecGcsPath"] == "gs://ml-staging-123456-dataflow/templates/features.json"
    assert i["ipConfiguration"] == "WORKER_IP_PRIVATE"
    assert (
        i["serviceAccountEmail"]
        == "mlops-staging-dataflow@ml-staging-123456.iam.gserviceaccount.com"
    )
    assert i["kmsKeyName"].startswith("projects/ml-staging-123456/locations/europe-west4/keyRings/")
    assert i["tempLocation"].endswith("/dataflow/temp") and i["stagingLocation"].endswith(
        "/dataflow/staging"
    )
    assert i["onDelete"] == "drain"
    assert i["subnetwork"].startswith("https://www.googleapis.com/compute/v1/projects/")
    assert "network" not in i
    assert i["parameters"] == {"input": "raw/", "output": "features/"}
    grants = {
        g.name: g.inputs["member"]
        for g in rec.by_type("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
        if g.name.startswith("gke-processing")
    }
    assert grants == {
        "gke-processing-dataflow-agent": "serviceAccount:service-123456789012@dataflow-service-producer-prod.iam.gserviceaccount.com",
        "gke-processing-compute-agent": "serviceAccount:service-123456789012@compute-system.iam.gserviceaccount.com",
    }
    assert all(
        urn in job.dependencies
        for urn in (rec.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", n).urn for n in grants)
    )
    firewall = rec.one("gcp:compute/firewall:Firewall", "gke-processing-workers")
    assert firewall.inputs["allows"] == [{"protocol": "tcp", "ports": ["12345-12346"]}]
    assert firewall.inputs["sourceTags"] == ["dataflow"] == firewall.inputs["targetTags"]


def test_staging_serves_on_the_gpu_pool_through_workload_identity() -> None:
    rec = planned("gcp-staging")
    ksa = rec.one("kubernetes:core/v1:ServiceAccount")
    assert ksa.inputs["metadata"]["annotations"] == {
        "iam.gke.io/gcp-service-account": "mlops-staging-gke-serving@ml-staging-123456.iam.gserviceaccount.com"
    }
    binding = rec.one("gcp:serviceaccount/iAMMember:IAMMember", "gke-serving-workload-identity")
    assert binding.inputs["role"] == "roles/iam.workloadIdentityUser"
    assert (
        binding.inputs["member"]
        == "serviceAccount:ml-staging-123456.svc.id.goog[serving/model-server]"
    )
    reader = rec.one("gcp:storage/bucketIAMMember:BucketIAMMember", "gke-serving-sa-models")
    assert reader.inputs["role"] == "roles/storage.objectViewer"
    spec = rec.one("kubernetes:apps/v1:Deployment").inputs["spec"]
    assert "replicas" not in spec  # the HPA owns the replica count
    pod = spec["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == (
        "europe-west4-docker.pkg.dev/ml-staging-123456/mlops-staging-images/model-server:1.4.0"
    )
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["nodeSelector"] == {"mlops-iac/pool": "l4"}
    assert pod["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
    ]
    namespace = rec.one("kubernetes:core/v1:Namespace").inputs["metadata"]
    assert namespace["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    hpa = rec.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").inputs["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (1, 2)
    assert rec.one("kubernetes:core/v1:Service").inputs["spec"]["type"] == "ClusterIP"


def test_prod_serving_stays_up_through_rollouts_and_node_upgrades() -> None:
    """Prod: two replicas at least, a PodDisruptionBudget that keeps one, rollouts that
    surge a replica, and the serving pool upgraded by surging a node; a single-replica
    server (staging, dev) gets no budget (it would block every node drain)."""
    rec = planned("gcp-prod")
    hpa = rec.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").inputs["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 4)
    pdb = rec.one("kubernetes:policy/v1:PodDisruptionBudget")
    assert pdb.inputs["metadata"]["namespace"] == "serving"
    assert pdb.inputs["spec"] == {
        "minAvailable": 1,
        "selector": {"matchLabels": {"app.kubernetes.io/name": "model-server"}},
    }
    spec = rec.one("kubernetes:apps/v1:Deployment").inputs["spec"]
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
    }
    found = pools(rec)
    assert found["serve"]["upgradeSettings"] == {
        "strategy": "SURGE",
        "maxSurge": 1.0,
        "maxUnavailable": 0.0,
    }
    assert found["train-gpu"]["upgradeSettings"]["maxSurge"] == 0.0
    staging = planned("gcp-staging")
    assert staging.by_type("kubernetes:policy/v1:PodDisruptionBudget") == []
    rolling = staging.one("kubernetes:apps/v1:Deployment").inputs["spec"]["strategy"]
    assert rolling["rollingUpdate"] == {"maxSurge": 0, "maxUnavailable": 1}


def test_kubeconfig_is_built_from_the_cluster_and_read_back() -> None:
    rec = planned("gcp-dev")
    provider = rec.one("pulumi:providers:kubernetes")
    assert provider.inputs["kubeconfig"] == "[secret]"
    # The builder's output parses as a kubeconfig with exec auth and the DNS endpoint.

    seen: list[str] = []

    def program() -> None:
        cluster = gcp.container.Cluster("c", location="europe-west4", deletion_protection=False)
        kubeconfig(cluster).apply(lambda text: seen.append(text))
        pulumi.export("ok", True)

    run_program(program, config={"gcp:project": "p-123456", "gcp:region": "europe-west4"})
    config = yaml.safe_load(seen[0])
    assert config["clusters"][0]["cluster"]["server"].endswith(".europe-west4.gke.goog")
    assert config["users"][0]["user"]["exec"]["command"] == "gke-gcloud-auth-plugin"
    assert "token" not in json.dumps(config)


def test_monitoring_alerts_on_idle_accelerators_and_serving_errors() -> None:
    rec = planned("gcp-dev")
    # gcp-dev also runs the Vertex architecture, whose alerts are vertex-alerts-*.
    alerts = {
        a.name: a.inputs
        for a in rec.by_type("gcp:monitoring/alertPolicy:AlertPolicy")
        if a.name.startswith("gke-")
    }
    assert set(alerts) == {
        "gke-monitoring-gpu-idle",
        "gke-monitoring-tpu-idle",
        "gke-monitoring-serving-restarts",
        "gke-monitoring-serving-unavailable",
    }
    gpu = alerts["gke-monitoring-gpu-idle"]["conditions"][0]["conditionThreshold"]
    assert "kubernetes.io/container/accelerator/duty_cycle" in gpu["filter"]
    assert (gpu["comparison"], gpu["thresholdValue"], gpu["duration"]) == (
        "COMPARISON_LT",
        10,
        "3600s",
    )
    channels = {a["notificationChannels"][0] for a in alerts.values()}
    assert len(channels) == 1
    dashboard = json.loads(rec.one("gcp:monitoring/dashboard:Dashboard").inputs["dashboardJson"])
    assert [t["widget"]["title"] for t in dashboard["mosaicLayout"]["tiles"]] == [
        "GPU duty cycle (%)",
        "TPU TensorCore utilisation (%)",
        "Model server restarts",
    ]


def test_capacity_is_declared_per_pool() -> None:
    rec = planned("gcp-dev")
    (block,) = rec.by_type("mlops:platform:AcceleratorQuotas")
    assert [
        (line["family"], line["reachable"], line["sources"]) for line in block.inputs["lines"]
    ] == [
        ("PREEMPTIBLE_NVIDIA_L4_GPUS", 2, ["architectures.gke_mlops.cluster.accelerator_pools.l4"]),
        (
            "PREEMPTIBLE_TPU_LITE_PODSLICE_V5",
            8,
            ["architectures.gke_mlops.cluster.accelerator_pools.v5e"],
        ),
        ("GPUS_ALL_REGIONS", 2, ["architectures.gke_mlops.cluster.accelerator_pools.l4"]),
    ]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {
                "cluster": {
                    "accelerator_pools": {
                        "v5e": {
                            "accelerator": "tpu-v5e",
                            "count": 4,
                            "tpu_topology": "2x4",
                            "max_nodes": 2,
                        }
                    }
                }
            },
            "zones: a multi-host 2x4 slice needs exactly one zone",
        ),
        (
            {
                "cluster": {
                    "accelerator_pools": {
                        "v5e": {
                            "accelerator": "tpu-v5e",
                            "count": 4,
                            "tpu_topology": "2x4",
                            "max_nodes": 4,
                            "zones": ["europe-west4-b"],
                        }
                    }
                }
            },
            "max_nodes: a GKE multi-host TPU node pool is one 2x4 slice of 2 nodes",
        ),
        (
            {"cluster": {"accelerator_pools": {"Big_Pool": {"accelerator": "nvidia-l4"}}}},
            "pool names are 1-20 lower-case letters",
        ),
        (
            {"serving": {"accelerator_pool": "missing"}},
            "serving.accelerator_pool: 'missing' is not one of cluster.accelerator_pools",
        ),
        (
            {"cluster": {"control_plane_cidr": "172.16.0.0/24"}},
            "the control plane's range is a /28",
        ),
        (
            {"cluster": {"pods_cidr": "10.60.0.0/14"}},
            "overlaps node_cidr",
        ),
        (
            {
                "cluster": {
                    "accelerator_pools": {
                        "r": {
                            "accelerator": "nvidia-l4",
                            "capacity": "reserved",
                            "scarce_capacity": "reservation",
                        }
                    }
                }
            },
            "reservations: scarce_capacity reservation names at least one",
        ),
    ],
)
def test_bad_settings_fail_naming_the_setting(settings: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        GkeMlopsSettings.model_validate(settings)
