"""VertexMlops (architecture 7) under mocks, through the gcp-dev, gcp-staging and
gcp-prod stacks: exact resources, names, wiring, encryption, privacy, capacity and the
scheduler's request body."""

from __future__ import annotations

import base64
import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from mlops_components.architectures.vertex_mlops import SERVICES
from mlops_components.gcp.pipeline_schedule import check_pipeline_job
from mlops_components.settings.gcp import VertexEndpointSettings, VertexMlopsSettings
from mlops_preview.runner import Recording, plan_stack
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parents[2]
KEY_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter"


@cache
def planned(stack: str) -> Recording:
    return plan_stack(ROOT, stack)


def subtree(rec: Recording, name: str = "vertex") -> list:
    (root,) = [r for r in rec.by_type("mlops:gcp:VertexMlops") if r.name == name]
    found, todo = [], [root.urn]
    while todo:
        for child in rec.children_of(todo.pop()):
            found.append(child)
            todo.append(child.urn)
    return [r for r in found if r.custom]


def test_dev_creates_exactly_the_architecture() -> None:
    rec = planned("gcp-dev")
    assert rec.warnings == []
    assert Counter(r.type for r in subtree(rec)) == {
        "gcp:projects/service:Service": len(SERVICES),
        "gcp:bigquery/dataset:Dataset": 1,
        "gcp:artifactregistry/repository:Repository": 1,
        "gcp:vertex/aiMetadataStore:AiMetadataStore": 1,
        "gcp:vertex/aiTensorboard:AiTensorboard": 1,
        "gcp:vertex/aiEndpoint:AiEndpoint": 1,
        "gcp:cloudscheduler/job:Job": 1,
        "gcp:monitoring/alertPolicy:AlertPolicy": 4,
        "gcp:serviceaccount/account:Account": 2,
        "gcp:projects/iAMMember:IAMMember": 6,
        "gcp:bigquery/datasetIamMember:DatasetIamMember": 3,
        "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": 4,
        "gcp:serviceaccount/iAMMember:IAMMember": 2,
        "gcp:storage/bucketIAMMember:BucketIAMMember": 2,
    }
    assert {r.inputs["service"] for r in rec.by_type("gcp:projects/service:Service")} >= set(
        SERVICES
    )
    assert "gcp:workbench/instance:Instance" not in {r.type for r in rec.resources}
    assert "gcp:serviceaccount/key:Key" not in {r.type for r in rec.resources}


def test_vertex_and_bigquery_get_the_foundation_key_before_their_resources() -> None:
    rec = planned("gcp-dev")
    key_id = rec.outputs["gcp_kms_key_id"]
    grants = {g.name: g for g in rec.by_type("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")}
    vertex, bigquery = grants["gcp-key-aiplatform"], grants["gcp-key-bigquery"]
    assert vertex.inputs["role"] == bigquery.inputs["role"] == KEY_ROLE
    assert vertex.inputs["member"].endswith("@gcp-sa-aiplatform.iam.gserviceaccount.com")
    assert "bigquery-encryption" in bigquery.inputs["member"]
    for token in (
        "gcp:vertex/aiEndpoint:AiEndpoint",
        "gcp:vertex/aiMetadataStore:AiMetadataStore",
        "gcp:vertex/aiTensorboard:AiTensorboard",
    ):
        resource = rec.one(token)
        assert resource.inputs["encryptionSpec"] == {"kmsKeyName": key_id}, token
        assert vertex.urn in resource.dependencies, token
    dataset = rec.one("gcp:bigquery/dataset:Dataset")
    assert dataset.inputs["defaultEncryptionConfiguration"] == {"kmsKeyName": key_id}
    assert bigquery.urn in dataset.dependencies
    assert dataset.inputs["datasetId"] == "mlops_dev_ml"
    assert dataset.inputs["deleteContentsOnDestroy"] is True
    templates = rec.one("gcp:artifactregistry/repository:Repository", "vertex-pipelines")
    assert templates.inputs["format"] == "KFP"
    assert templates.inputs["kmsKeyName"] == key_id
    assert "dockerConfig" not in templates.inputs
    assert rec.outputs["vertex_pipeline_templates_url"] == (
        "europe-west4-kfp.pkg.dev/ml-dev-123456/mlops-dev-pipelines"
    )


def test_endpoint_has_a_numeric_name_and_its_pool_scales_from_settings() -> None:
    dev, prod = planned("gcp-dev"), planned("gcp-prod")
    endpoint = dev.one("gcp:vertex/aiEndpoint:AiEndpoint")
    assert endpoint.inputs["name"].isdigit() and len(endpoint.inputs["name"]) == 10
    assert endpoint.inputs["name"] == dev.outputs["vertex_endpoint_id"]
    # dev: public endpoint (advisory), prod: Private Service Connect to the project
    assert "privateServiceConnectConfig" not in endpoint.inputs
    assert endpoint.inputs["predictRequestResponseLoggingConfig"] == {
        "enabled": True,
        "samplingRate": 0.1,
        "bigqueryDestination": {"outputUri": "bq://ml-dev-123456.mlops_dev_ml.prediction_logs"},
    }
    private = prod.one("gcp:vertex/aiEndpoint:AiEndpoint")
    # Vertex AI creates the consumer endpoint (forwarding rule) in the foundation's VPC:
    # without it a private endpoint has no address to call.
    assert private.inputs["privateServiceConnectConfig"] == {
        "enablePrivateServiceConnect": True,
        "projectAllowlists": ["ml-prod-123456"],
        "pscAutomationConfigs": [
            {"projectId": "ml-prod-123456", "network": prod.outputs["gcp_network_id"]}
        ],
    }
    assert "network" not in private.inputs
    assert private.inputs["name"] != endpoint.inputs["name"]
    # A custom serving container cannot be co-hosted: no shared pool by default; the
    # deploy step gives the model dedicated resources from the endpoint settings.
    assert prod.by_type("gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool") == []
    assert prod.outputs.get("vertex_deployment_pool") is None
    params = pipeline_parameters(prod)
    assert {k: v for k, v in params.items() if k.startswith("serving_") and "account" not in k} == {
        "serving_image_repository": prod.outputs["gcp_registry_url"],
        "serving_machine_type": "n1-standard-4",
        "serving_min_replicas": "2",
        "serving_max_replicas": "6",
    }


def pipeline_parameters(rec: Recording) -> dict:
    job = rec.one("gcp:cloudscheduler/job:Job", "vertex-schedule")
    return json.loads(base64.b64decode(job.inputs["httpTarget"]["body"]))["runtimeConfig"][
        "parameterValues"
    ]


def test_a_shared_pool_is_an_option_for_prebuilt_containers_protected_in_prod(
    tmp_path: Path,
) -> None:
    import shutil

    import yaml

    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks")
    stack_file = tmp_path / "stacks" / "Pulumi.gcp-prod.yaml"
    config = yaml.safe_load(stack_file.read_text(encoding="utf-8"))
    config["config"]["mlops-iac:architectures"]["vertex_mlops"]["endpoint"]["shared_pool"] = True
    stack_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    prod = plan_stack(tmp_path, "gcp-prod")
    pool = prod.one("gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool")
    assert pool.inputs["name"] == "mlops-prod-serving"
    assert pool.protect and pool.retain_on_delete
    assert pool.inputs["deletionPolicy"] == "PREVENT"
    assert pool.inputs["dedicatedResources"] == {
        "machineSpec": {"machineType": "n1-standard-4"},
        "minReplicaCount": 2,
        "maxReplicaCount": 6,
        "autoscalingMetricSpecs": [
            {
                "metricName": "aiplatform.googleapis.com/prediction/online/cpu/utilization",
                "target": 60,
            }
        ],
    }
    assert prod.outputs["vertex_deployment_pool"] == pool.outputs.get("id", pool.id)
    assert not any(k.startswith("serving_machine") for k in pipeline_parameters(prod))


def test_staging_serves_on_a_t4_and_declares_the_capacity() -> None:
    rec = planned("gcp-staging")
    params = pipeline_parameters(rec)
    assert (
        params["serving_machine_type"],
        params["serving_accelerator_type"],
        params["serving_accelerator_count"],
    ) == ("n1-standard-4", "NVIDIA_TESLA_T4", "1")
    workbench = rec.one("gcp:workbench/instance:Instance")
    setup = workbench.inputs["gceSetup"]
    assert setup["disablePublicIp"] is True
    assert setup["metadata"] == {"idle-timeout-seconds": "3600"}
    assert setup["serviceAccounts"] == [{"email": rec.outputs["gcp_training_email"]}]
    assert workbench.inputs["location"] == "europe-west4-a"


def test_stateful_resources_are_protected_in_prod_only() -> None:
    stateful = (
        "gcp:vertex/aiEndpoint:AiEndpoint",
        "gcp:vertex/aiMetadataStore:AiMetadataStore",
        "gcp:vertex/aiTensorboard:AiTensorboard",
        "gcp:bigquery/dataset:Dataset",
    )
    prod, dev = planned("gcp-prod"), planned("gcp-dev")
    for token in stateful:
        assert prod.one(token).protect and prod.one(token).retain_on_delete, token
        assert prod.one(token).inputs["deletionPolicy"] == "PREVENT", token
        assert not dev.one(token).protect, token
        assert dev.one(token).inputs["deletionPolicy"] == "DELETE", token
    # The metadata store is Vertex AI's `default` one: a fixed name whose replacement
    # (a key change) would delete every lineage record; prod refuses it.
    assert prod.one("gcp:vertex/aiMetadataStore:AiMetadataStore").inputs["name"] == "default"


def test_scheduler_posts_a_valid_pipeline_job_as_the_runner() -> None:
    rec = planned("gcp-dev")
    job = rec.one("gcp:cloudscheduler/job:Job")
    assert job.inputs["name"] == "mlops-dev-training"
    assert job.inputs["schedule"] == "0 3 * * 1"
    assert job.inputs["paused"] is True
    target = job.inputs["httpTarget"]
    assert target["uri"] == (
        "https://europe-west4-aiplatform.googleapis.com/v1/projects/ml-dev-123456"
        "/locations/europe-west4/pipelineJobs"
    )
    runner = rec.outputs["gcp_pipeline_runner_email"]
    assert target["oauthToken"] == {
        "serviceAccountEmail": runner,
        "scope": "https://www.googleapis.com/auth/cloud-platform",
    }
    body = json.loads(base64.b64decode(target["body"]))
    check_pipeline_job(body)
    assert body["templateUri"] == (
        "https://europe-west4-kfp.pkg.dev/ml-dev-123456/mlops-dev-pipelines/training/latest"
    )
    assert body["serviceAccount"] == runner
    assert body["encryptionSpec"] == {"kmsKeyName": rec.outputs["gcp_kms_key_id"]}
    assert body["runtimeConfig"]["gcsOutputDirectory"] == rec.outputs["gcp_pipeline_root"] + "/runs"
    assert body["runtimeConfig"]["parameterValues"] == {
        "bigquery_dataset": "bq://ml-dev-123456.mlops_dev_ml",
        "data_bucket": rec.outputs["gcp_data_bucket"],
        "serving_image_repository": rec.outputs["gcp_registry_url"],
        "tensorboard": rec.outputs["vertex_tensorboard_id"],
        "training_machine_type": "n1-standard-4",
        "training_replica_count": "1",
        "training_scheduling_strategy": "SPOT",
        "training_service_account": rec.outputs["gcp_training_email"],
        "serving_service_account": rec.outputs["vertex_serving_email"],
        "serving_machine_type": "n1-standard-2",
        "serving_min_replicas": "1",
        "serving_max_replicas": "1",
    }
    # The deploy step deploys models as the serving account: the runner may act as
    # that account only (a binding on the account, not on the project).
    serving = rec.one(
        "gcp:serviceaccount/iAMMember:IAMMember", "vertex-runner-serving-grants-act-as-serving"
    )
    assert serving.inputs["role"] == "roles/iam.serviceAccountUser"
    assert serving.inputs["member"] == f"serviceAccount:{runner}"
    assert (
        serving.inputs["serviceAccountId"]
        == rec.one("gcp:serviceaccount/account:Account", "vertex-serving").outputs["name"]
    )
    # The runner may submit as itself and create Vertex AI jobs; nothing project-wide
    # lets it act as other accounts.
    acts = rec.one("gcp:serviceaccount/iAMMember:IAMMember", "vertex-runner-grants-act-as-self")
    assert acts.inputs["role"] == "roles/iam.serviceAccountUser"
    assert acts.inputs["member"] == f"serviceAccount:{runner}"
    project_roles = {
        (m.inputs["role"], m.inputs["member"])
        for m in rec.by_type("gcp:projects/iAMMember:IAMMember")
    }
    assert ("roles/aiplatform.user", f"serviceAccount:{runner}") in project_roles
    assert not {r for r, _ in project_roles} & {
        "roles/owner",
        "roles/editor",
        "roles/iam.serviceAccountUser",
        "roles/iam.serviceAccountTokenCreator",
    }


def test_alerts_watch_the_endpoint_and_the_pipelines() -> None:
    rec = planned("gcp-dev")
    # gcp-dev also runs the GKE architecture, whose alerts are gke-monitoring-*.
    policies = {
        p.name: p
        for p in rec.by_type("gcp:monitoring/alertPolicy:AlertPolicy")
        if p.name.startswith("vertex-")
    }
    assert set(policies) == {
        "vertex-alerts-latency",
        "vertex-alerts-errors",
        "vertex-alerts-pipeline-failed",
        "vertex-alerts-schedule-failed",
    }
    channels = json.loads(json.dumps(rec.outputs["gcp_alert_channel_ids"]))
    endpoint_id = rec.outputs["vertex_endpoint_id"]
    for policy in policies.values():
        assert policy.inputs["notificationChannels"] == channels
    latency = policies["vertex-alerts-latency"].inputs["conditions"][0]["conditionThreshold"]
    assert f'resource.labels.endpoint_id="{endpoint_id}"' in latency["filter"]
    assert latency["thresholdValue"] == 500
    assert latency["aggregations"][0]["perSeriesAligner"] == "ALIGN_PERCENTILE_99"
    failed = policies["vertex-alerts-pipeline-failed"].inputs
    assert "conditionMatchedLog" in failed["conditions"][0]
    assert failed["alertStrategy"] == {"notificationRateLimit": {"period": "300s"}}


def test_capacity_is_declared_for_prediction_and_training() -> None:
    import pulumi
    from mlops_components.architectures import gcp_foundation, hybrid_tf_mlops, vertex_mlops
    from mlops_components.registry import Capacity, Deployment
    from mlops_components.settings import Cloud, Retention
    from mlops_components.settings.gcp import GcpFoundationSettings, HybridTfMlopsSettings
    from mlops_preview.runner import run_program

    deployment = Deployment(
        name_prefix="mlops-test",
        region="europe-west4",
        tags={"owner": "ml"},
        retention=Retention.DESTROYABLE,
        opts=pulumi.ResourceOptions(),
    )
    endpoint = {
        "accelerator": {"accelerator": "nvidia-l4", "count": 1, "max_nodes": 1},
        "scaling": {
            "min_instances": 1,
            "max_instances": 3,
            "metric": "gpu_utilization",
            "target_value": 50,
        },
    }
    settings = VertexMlopsSettings.model_validate(
        {"endpoint": endpoint, "training": {"replicas": 4, "capacity": "on_demand"}}
    )
    hybrid = HybridTfMlopsSettings.model_validate(
        {"clusters": [{"membership_id": "onprem-dc1", "issuer_url": "https://k8s.example.com"}]}
    )

    def program() -> None:
        gcp_foundation.deploy(deployment, GcpFoundationSettings())
        vertex_mlops.deploy(deployment, settings)
        hybrid_tf_mlops.deploy(deployment, hybrid)

    rec = run_program(
        program,
        config={"gcp:project": "mlops-gcp-test", "gcp:region": "europe-west4"},
        region="europe-west4",
    )
    assert rec.warnings == []
    assert deployment.capacity == [
        Capacity(
            Cloud.GCP,
            "europe-west4",
            "vertex-prediction",
            "g2-standard-4",
            3,
            False,
            accelerator="nvidia-l4",
            accelerator_count=1,
            source="architectures.vertex_mlops.endpoint",
        ),
        Capacity(
            Cloud.GCP,
            "europe-west4",
            "vertex-training",
            "n1-standard-8",
            4,
            False,
            source="architectures.vertex_mlops.training",
        ),
        Capacity(
            Cloud.GCP,
            "europe-west4",
            "vertex-training",
            "n1-standard-8",
            1,
            True,
            source="architectures.hybrid_tf_mlops.training",
        ),
    ]


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ({"scaling": {"hosting": "scale_to_zero", "min_instances": 0}}, "hosting instances"),
        ({"scaling": {"metric": "invocations_per_instance"}}, "Vertex AI scales on"),
        ({"scaling": {"metric": "gpu_utilization", "target_value": 60}}, "needs an accelerator"),
        ({"accelerator": {"accelerator": "tpu-v5e"}}, None),
    ],
)
def test_bad_endpoint_settings_fail_naming_the_key(endpoint: dict, message: str | None) -> None:
    if message is None:
        # TPUs pass the settings model and are refused when the machine is chosen.
        from mlops_components.gcp.vertex_machines import machine_spec

        settings = VertexEndpointSettings.model_validate(endpoint)
        with pytest.raises(ValueError, match=r"endpoint\.accelerator: Vertex AI machine specs"):
            machine_spec(settings.machine_type, settings.accelerator, "endpoint.accelerator")
        return
    with pytest.raises(ValidationError, match=message):
        VertexEndpointSettings.model_validate(endpoint)
