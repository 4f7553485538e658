"""HybridTfMlops (architecture 9) under mocks, through the gcp-hybrid stack and through
settings that serve on an existing GKE cluster."""

from __future__ import annotations

import base64
import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from mlops_components.settings.gcp import HybridTfMlopsSettings
from mlops_preview.recorder import RecordedResource
from mlops_preview.runner import Recording, plan_stack
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parents[2]
POOL = "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/mlops-hybrid-onprem/attribute.namespace/ml-serving"


@cache
def hybrid() -> Recording:
    return plan_stack(ROOT, "gcp-hybrid")


def own(rec: Recording, token: str) -> list[RecordedResource]:
    """The architecture's resources of ``token`` (the stack's CI identity, ``ci-*``, has
    a workload identity pool and provider of its own)."""
    return [r for r in rec.by_type(token) if r.name.startswith("hybrid-")]


def test_clusters_join_the_fleet_with_their_issuers() -> None:
    rec = hybrid()
    assert rec.warnings == []
    memberships = {m.name: m.inputs for m in rec.by_type("gcp:gkehub/membership:Membership")}
    assert memberships.keys() == {"hybrid-onprem-dc1", "hybrid-onprem-dc2"}
    dc1 = memberships["hybrid-onprem-dc1"]
    assert dc1["membershipId"] == "onprem-dc1"
    assert dc1["location"] == "global"
    assert dc1["authority"] == {"issuer": "https://k8s-dc1.example.com"}
    assert "endpoint" not in dc1
    # gcp-hybrid is a prod stack: memberships and federation ids are protected
    # (a deleted pool id stays taken for 30 days).
    for token in (
        "gcp:gkehub/membership:Membership",
        "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
        "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
    ):
        assert all(r.protect and r.retain_on_delete for r in own(rec, token)), token


def test_federation_trusts_only_the_serving_namespace_and_grants_read_only() -> None:
    rec = hybrid()
    (pool,) = own(rec, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool")
    assert pool.inputs["workloadIdentityPoolId"] == "mlops-hybrid-onprem"
    providers = own(rec, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider")
    assert sorted(p.inputs["oidc"]["issuerUri"] for p in providers) == [
        "https://k8s-dc1.example.com",
        "https://k8s-dc2.example.com",
    ]
    for provider in providers:
        assert provider.inputs["attributeCondition"] == (
            "assertion.sub.startsWith('system:serviceaccount:ml-serving:')"
        )
        assert provider.inputs["attributeMapping"]["attribute.namespace"] == (
            "assertion['kubernetes.io']['namespace']"
        )
    assert rec.outputs["hybrid_principal_set"] == POOL
    granted = {
        (r.type.split(":")[1], r.inputs["role"])
        for r in rec.resources
        if r.custom and r.inputs.get("member") == POOL
    }
    assert granted == {
        ("storage/bucketIAMMember", "roles/storage.objectViewer"),
        ("artifactregistry/repositoryIamMember", "roles/artifactregistry.reader"),
        ("projects/iAMMember", "roles/aiplatform.viewer"),
    }
    assert rec.outputs["hybrid_serving_member"] == POOL


def test_tensorflow_training_is_scheduled_in_vertex_ai() -> None:
    rec = hybrid()
    job = rec.one("gcp:cloudscheduler/job:Job")
    assert job.inputs["name"] == "mlops-hybrid-tf-tf-training"
    body = json.loads(base64.b64decode(job.inputs["httpTarget"]["body"]))
    assert body["templateUri"].endswith("/mlops-hybrid-tf-pipelines/tf-training/latest")
    parameters = body["runtimeConfig"]["parameterValues"]
    assert parameters["training_image"] == (
        "europe-docker.pkg.dev/vertex-ai/training/tf-cpu.2-17.py310:latest"
    )
    assert parameters["serving_target"] == "attached"
    assert Counter(r.type for r in rec.resources if r.type.startswith("gcp:vertex")) == {}


def test_serving_on_gke_registers_the_cluster_and_grants_its_namespace(tmp_path: Path) -> None:
    import shutil

    import yaml

    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks")
    stack_file = tmp_path / "stacks" / "Pulumi.gcp-hybrid.yaml"
    config = yaml.safe_load(stack_file.read_text(encoding="utf-8"))
    section = config["config"]["mlops-iac:architectures"]["hybrid_tf_mlops"]
    section["serving"] = "gke"
    section["gke_cluster_id"] = "projects/ml-hybrid-123456/locations/europe-west4/clusters/serving"
    stack_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    rec = plan_stack(tmp_path, "gcp-hybrid")
    gke = rec.one("gcp:gkehub/membership:Membership", "hybrid-serving")
    cluster = "projects/ml-hybrid-123456/locations/europe-west4/clusters/serving"
    assert gke.inputs["endpoint"] == {
        "gkeCluster": {"resourceLink": f"//container.googleapis.com/{cluster}"}
    }
    assert gke.inputs["authority"] == {"issuer": f"https://container.googleapis.com/v1/{cluster}"}
    member = (
        "principalSet://iam.googleapis.com/projects/123456789012/locations/global/"
        "workloadIdentityPools/ml-hybrid-123456.svc.id.goog/namespace/ml-serving"
    )
    assert rec.outputs["hybrid_serving_member"] == member
    roles = {
        r.inputs["role"] for r in rec.resources if r.custom and r.inputs.get("member") == member
    }
    assert roles == {
        "roles/storage.objectViewer",
        "roles/artifactregistry.reader",
        "roles/aiplatform.viewer",
    }
    # The GKE cluster is not a federation provider: it uses GKE's own workload pool.
    providers = own(rec, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider")
    assert len(providers) == 2


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"clusters": []}, "at least 1 item"),
        ({"serving": "gke"}, "gke_cluster_id: serving gke needs"),
        ({"gke_cluster_id": "projects/p/locations/l/clusters/c"}, "only with serving gke"),
        ({"clusters": [{"membership_id": "onprem-a1", "issuer_url": "http://x"}]}, "issuer_url"),
        ({"clusters": [{"membership_id": "dc1", "issuer_url": "https://x"}]}, "membership_id"),
        ({"clusters": [{"membership_id": "gcp-dc1", "issuer_url": "https://x"}]}, "membership_id"),
    ],
)
def test_bad_settings_fail_naming_the_key(settings: dict, message: str) -> None:
    base = {"clusters": [{"membership_id": "onprem-dc1", "issuer_url": "https://k8s.example.com"}]}
    with pytest.raises(ValidationError, match=message):
        HybridTfMlopsSettings.model_validate({**base, **settings})


def test_each_cluster_trusts_its_own_namespace_and_may_carry_its_keys(tmp_path: Path) -> None:
    import shutil

    import yaml

    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks")
    stack_file = tmp_path / "stacks" / "Pulumi.gcp-hybrid.yaml"
    config = yaml.safe_load(stack_file.read_text(encoding="utf-8"))
    dc2 = config["config"]["mlops-iac:architectures"]["hybrid_tf_mlops"]["clusters"][1]
    jwks = json.dumps({"keys": [{"kty": "RSA", "kid": "dc2", "n": "AQAB", "e": "AQAB"}]})
    dc2.update(serving_namespace="models", jwks_json=jwks)
    stack_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    rec = plan_stack(tmp_path, "gcp-hybrid")
    providers = {
        p.inputs["workloadIdentityPoolProviderId"]: p.inputs
        for p in rec.by_type("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider")
        if p.name.startswith("hybrid-federation")
    }
    assert providers["onprem-dc1"]["attributeCondition"] == (
        "assertion.sub.startsWith('system:serviceaccount:ml-serving:')"
    )
    assert providers["onprem-dc1"]["oidc"] == {"issuerUri": "https://k8s-dc1.example.com"}
    assert providers["onprem-dc2"]["attributeCondition"] == (
        "assertion.sub.startsWith('system:serviceaccount:models:')"
    )
    assert providers["onprem-dc2"]["oidc"] == {
        "issuerUri": "https://k8s-dc2.example.com",
        "jwksJson": jwks,
    }
    models_set = POOL.removesuffix("ml-serving") + "models"
    granted = {
        (r.inputs["member"], r.inputs["role"])
        for r in rec.resources
        if r.custom and r.name.startswith("hybrid-federation-") and "role" in r.inputs
    }
    for member in (POOL, models_set):
        assert {
            (member, "roles/storage.objectViewer"),
            (member, "roles/artifactregistry.reader"),
            (member, "roles/aiplatform.viewer"),
        } <= granted
    # The first cluster's namespace keeps its grants' names (no replacement).
    assert (
        rec.one("gcp:projects/iAMMember:IAMMember", "hybrid-federation-models").inputs["member"]
        == POOL
    )
    assert rec.outputs["hybrid_principal_set"] == POOL
    with pytest.raises(ValidationError, match="jwks_json"):
        HybridTfMlopsSettings.model_validate(
            {
                "clusters": [
                    {"membership_id": "dc01", "issuer_url": "https://x", "jwks_json": '{"k": 1}'}
                ]
            }
        )
