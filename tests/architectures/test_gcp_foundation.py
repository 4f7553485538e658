"""GcpFoundation under mocks: the exact resource set, names, wiring, security settings
and labels, through the ``gcp-dev`` stack and through a program with other settings."""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml
from mlops_components.architectures.gcp_foundation import (
    SERVICES,
    GcpFoundation,
    GcpFoundationArgs,
)
from mlops_components.settings import Retention
from mlops_components.settings.gcp import GcpFoundationSettings
from mlops_policies.gcp.labelable import labelable_types
from mlops_preview.runner import Recording, plan_stack, run_program
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "ml-dev-123456"
REGION = "europe-west4"
LABELS = {
    "component": "gcp-foundation",
    "cost-centre": "cc-4711",
    "environment": "dev",
    "managed-by": "pulumi",
    "owner": "ml-platform",
    "project": "mlops-iac",
}


@cache
def dev() -> Recording:
    """The ``gcp-dev`` stack with its foundation only (the stack file also enables the
    Vertex AI architecture, tested in ``test_vertex_mlops.py``)."""
    copy = Path(tempfile.mkdtemp(prefix="gcp-foundation-"))
    shutil.copy(ROOT / "Pulumi.yaml", copy / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", copy / "stacks")
    stack_file = copy / "stacks" / "Pulumi.gcp-dev.yaml"
    config = yaml.safe_load(stack_file.read_text(encoding="utf-8"))
    architectures = config["config"]["mlops-iac:architectures"]
    config["config"]["mlops-iac:architectures"] = {
        "gcp_foundation": architectures["gcp_foundation"]
    }
    config["config"].pop("mlops-iac:ci", None)  # tests/test_ci_identity.py covers it
    stack_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    return plan_stack(copy, "gcp-dev")


def custom(rec: Recording) -> list:
    """The stack's cloud resources except its budget block (tests/budgets covers it)."""
    budget = {r.urn for r in rec.resources if r.type == "mlops:gcp:StackBudget"}
    budget |= {r.urn for r in rec.resources if r.parent in budget}
    return [
        r
        for r in rec.resources
        if r.custom and not r.type.startswith("pulumi:providers:") and r.parent not in budget
    ]


def test_dev_creates_exactly_the_foundation() -> None:
    rec = dev()
    assert rec.warnings == []
    assert Counter(r.type for r in custom(rec)) == {
        "gcp:projects/service:Service": 8,
        "gcp:kms/keyRing:KeyRing": 1,
        "gcp:kms/cryptoKey:CryptoKey": 1,
        "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": 3,
        "gcp:projects/serviceIdentity:ServiceIdentity": 1,
        "gcp:storage/bucket:Bucket": 2,
        "gcp:artifactregistry/repository:Repository": 1,
        "gcp:compute/network:Network": 1,
        "gcp:compute/subnetwork:Subnetwork": 1,
        "gcp:compute/firewall:Firewall": 1,
        "gcp:logging/projectBucketConfig:ProjectBucketConfig": 1,
        "gcp:monitoring/notificationChannel:NotificationChannel": 1,
        "gcp:serviceaccount/account:Account": 2,
        "gcp:projects/iAMMember:IAMMember": 4,
        "gcp:storage/bucketIAMMember:BucketIAMMember": 4,
        "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": 2,
        "gcp:serviceaccount/iAMMember:IAMMember": 1,
    }
    (foundation,) = rec.by_type("mlops:gcp:Foundation")
    assert foundation.name == "gcp"
    assert {r.name for r in rec.children_of(foundation.urn)} == {
        "gcp-apis",
        "gcp-key",
        "gcp-data",
        "gcp-pipeline-root",
        "gcp-images",
        "gcp-network",
        "gcp-logs",
        "gcp-training",
        "gcp-pipelines",
        "gcp-alerts-0",
    }
    assert {r.inputs["service"] for r in rec.by_type("gcp:projects/service:Service")} == set(
        SERVICES
    )


def test_every_resource_uses_the_stacks_project_and_region_through_its_provider() -> None:
    rec = dev()
    provider = rec.one("pulumi:providers:gcp", "gcp")
    assert provider.inputs["project"] == PROJECT
    assert provider.inputs["region"] == REGION
    assert all(r.provider and r.provider.startswith(provider.urn) for r in custom(rec))
    # Inputs read from lookups (client config) name the stack's project too.
    for token in ("gcp:projects/iAMMember:IAMMember",):
        assert {r.inputs["project"] for r in rec.by_type(token)} == {PROJECT}
    assert rec.one("gcp:logging/projectBucketConfig:ProjectBucketConfig").inputs["project"] == (
        PROJECT
    )
    assert rec.outputs["gcp_registry_url"] == (
        f"{REGION}-docker.pkg.dev/{PROJECT}/mlops-dev-images"
    )
    assert rec.outputs["gcp_pipeline_runner_email"] == (
        f"mlops-dev-pipelines@{PROJECT}.iam.gserviceaccount.com"
    )
    assert rec.outputs["gcp_training_email"] == (
        f"mlops-dev-training@{PROJECT}.iam.gserviceaccount.com"
    )
    assert {k for k in rec.outputs if k.startswith("gcp_")} == {
        "gcp_kms_key_id",
        "gcp_data_bucket",
        "gcp_pipeline_root_bucket",
        "gcp_pipeline_root",
        "gcp_registry_id",
        "gcp_registry_url",
        "gcp_network_id",
        "gcp_subnet_id",
        "gcp_log_bucket_id",
        "gcp_pipeline_runner_email",
        "gcp_training_email",
        "gcp_alert_channel_ids",
    }


def test_every_labelable_resource_carries_the_labels() -> None:
    rec = dev()
    types = labelable_types()
    labelled = [r for r in custom(rec) if r.type in types]
    assert {r.type for r in labelled} == {
        "gcp:kms/cryptoKey:CryptoKey",
        "gcp:storage/bucket:Bucket",
        "gcp:artifactregistry/repository:Repository",
    }
    for resource in labelled:
        assert resource.inputs[types[resource.type]] == LABELS, resource.name
    (channel,) = [
        r for r in custom(rec) if r.type == "gcp:monitoring/notificationChannel:NotificationChannel"
    ]
    assert channel.inputs["userLabels"] == LABELS
    assert channel.inputs["labels"] == {"email_address": "ml-platform-dev@example.com"}


def test_everything_is_encrypted_with_the_key_after_its_grants() -> None:
    rec = dev()
    key = rec.one("gcp:kms/cryptoKey:CryptoKey")
    assert key.inputs["rotationPeriod"] == "7776000s"
    assert key.inputs["destroyScheduledDuration"] == "604800s"
    key_id = rec.outputs["gcp_kms_key_id"]
    grants = {g.name: g for g in rec.by_type("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")}
    assert set(grants) == {"gcp-key-storage", "gcp-key-artifactregistry", "gcp-key-logging"}
    for grant in grants.values():
        assert grant.inputs["cryptoKeyId"] == key_id
        assert grant.inputs["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
        assert grant.inputs["member"].startswith("serviceAccount:service-"), grant.name
    for bucket in rec.by_type("gcp:storage/bucket:Bucket"):
        assert bucket.inputs["encryption"] == {"defaultKmsKeyName": key_id}
        assert grants["gcp-key-storage"].urn in bucket.dependencies
        assert bucket.inputs["uniformBucketLevelAccess"] is True
        assert bucket.inputs["publicAccessPrevention"] == "enforced"
        assert bucket.inputs["forceDestroy"] is True
        assert bucket.inputs["location"] == REGION
    repository = rec.one("gcp:artifactregistry/repository:Repository")
    assert repository.inputs["kmsKeyName"] == key_id
    assert repository.inputs["repositoryId"] == "mlops-dev-images"
    assert grants["gcp-key-artifactregistry"].urn in repository.dependencies
    assert [p["id"] for p in repository.inputs["cleanupPolicies"]] == [
        "keep-recent-versions",
        "delete-untagged",
    ]
    assert repository.inputs["cleanupPolicies"][0]["mostRecentVersions"] == {"keepCount": 5}
    assert repository.inputs["cleanupPolicies"][1]["condition"]["olderThan"] == "259200s"
    logs = rec.one("gcp:logging/projectBucketConfig:ProjectBucketConfig")
    assert logs.inputs["cmekSettings"] == {"kmsKeyName": key_id}
    assert logs.inputs["bucketId"] == "mlops-dev-logs"
    assert logs.inputs["retentionDays"] == 30
    assert logs.inputs["locked"] is False
    assert grants["gcp-key-logging"].urn in logs.dependencies


def test_dev_lifecycles_come_from_the_stack_file() -> None:
    rec = dev()
    data = rec.one("gcp:storage/bucket:Bucket", "gcp-data").inputs["lifecycleRules"]
    assert [(r["action"]["type"], r["condition"].get("age")) for r in data] == [
        ("SetStorageClass", 30),
        ("Delete", 90),
        ("AbortIncompleteMultipartUpload", 7),
    ]
    assert data[1]["condition"]["matchesPrefixes"] == ["raw/"]
    root = rec.one("gcp:storage/bucket:Bucket", "gcp-pipeline-root").inputs["lifecycleRules"]
    assert [(r["action"]["type"], r["condition"].get("age")) for r in root] == [
        ("Delete", 14),
        ("AbortIncompleteMultipartUpload", 7),
    ]


def test_service_accounts_have_least_privilege_and_no_keys() -> None:
    rec = dev()
    types = {r.type for r in rec.resources}
    assert "gcp:serviceaccount/key:Key" not in types
    accounts = {
        a.name: a.inputs["accountId"] for a in rec.by_type("gcp:serviceaccount/account:Account")
    }
    assert accounts == {
        "gcp-pipelines": "mlops-dev-pipelines",
        "gcp-training": "mlops-dev-training",
    }
    roles = sorted(
        (r.name, r.inputs["role"])
        for token in (
            "gcp:projects/iAMMember:IAMMember",
            "gcp:storage/bucketIAMMember:BucketIAMMember",
            "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
            "gcp:serviceaccount/iAMMember:IAMMember",
        )
        for r in rec.by_type(token)
    )
    assert roles == [
        ("gcp-pipelines-act-as-training", "roles/iam.serviceAccountUser"),
        ("gcp-pipelines-data", "roles/storage.objectViewer"),
        ("gcp-pipelines-images", "roles/artifactregistry.reader"),
        ("gcp-pipelines-logging-logwriter", "roles/logging.logWriter"),
        ("gcp-pipelines-monitoring-metricwriter", "roles/monitoring.metricWriter"),
        ("gcp-pipelines-pipeline-root", "roles/storage.objectUser"),
        ("gcp-training-data", "roles/storage.objectViewer"),
        ("gcp-training-images", "roles/artifactregistry.reader"),
        ("gcp-training-logging-logwriter", "roles/logging.logWriter"),
        ("gcp-training-monitoring-metricwriter", "roles/monitoring.metricWriter"),
        ("gcp-training-pipeline-root", "roles/storage.objectUser"),
    ]
    act_as = rec.one("gcp:serviceaccount/iAMMember:IAMMember")
    assert act_as.inputs["serviceAccountId"] == (
        f"projects/{PROJECT}/serviceAccounts/mlops-dev-training@{PROJECT}.iam.gserviceaccount.com"
    )
    assert act_as.inputs["member"] == (
        f"serviceAccount:mlops-dev-pipelines@{PROJECT}.iam.gserviceaccount.com"
    )


def test_dev_network_is_private_without_nat() -> None:
    rec = dev()
    subnet = rec.one("gcp:compute/subnetwork:Subnetwork")
    assert subnet.inputs["ipCidrRange"] == "10.50.0.0/20"
    assert subnet.inputs["privateIpGoogleAccess"] is True
    assert subnet.inputs["logConfig"]["flowSampling"] == 0.1
    assert subnet.inputs["region"] == REGION
    assert not rec.by_type("gcp:compute/routerNat:RouterNat")
    assert not rec.by_type("gcp:compute/router:Router")
    assert rec.one("gcp:compute/network:Network").inputs["autoCreateSubnetworks"] is False


def test_no_recorded_input_is_missing_and_no_policy_fails() -> None:
    from mlops_preview.guardrails import evaluate_guardrails
    from mlops_preview.report import environment_of

    rec = dev()
    missing = [
        f"{r.type} {r.name}: {key}"
        for r in rec.resources
        for key, deps in r.property_dependencies.items()
        if deps and key not in r.inputs
    ]
    assert missing == []
    report = evaluate_guardrails(rec, None, environment_of(rec))
    assert report.mandatory == []


def _program(settings: GcpFoundationSettings, retention: Retention) -> Recording:
    def program() -> None:
        GcpFoundation(
            "gcp",
            GcpFoundationArgs(
                settings=settings,
                region=REGION,
                name_prefix="mlops-test",
                labels=LABELS,
                retention=retention,
            ),
        )

    return run_program(program, config={"gcp:project": PROJECT, "gcp:region": REGION})


def test_defaults_protected_with_nat_and_no_alert_channel() -> None:
    rec = _program(GcpFoundationSettings(cloud_nat=True), Retention.PROTECTED)
    assert rec.warnings == []
    assert not rec.by_type("gcp:monitoring/notificationChannel:NotificationChannel")
    nat = rec.one("gcp:compute/routerNat:RouterNat")
    assert nat.inputs["sourceSubnetworkIpRangesToNat"] == "LIST_OF_SUBNETWORKS"
    for token in (
        "gcp:storage/bucket:Bucket",
        "gcp:kms/cryptoKey:CryptoKey",
        "gcp:artifactregistry/repository:Repository",
        "gcp:logging/projectBucketConfig:ProjectBucketConfig",
    ):
        for resource in rec.by_type(token):
            assert resource.protect and resource.retain_on_delete, resource.name
            assert resource.inputs["deletionPolicy"] == "PREVENT", resource.name
    data = rec.one("gcp:storage/bucket:Bucket", "gcp-data").inputs
    assert data["versioning"] == {"enabled": True}
    assert [r["action"]["type"] for r in data["lifecycleRules"]] == [
        "SetStorageClass",
        "SetStorageClass",
        "Delete",
        "AbortIncompleteMultipartUpload",
    ]
    assert (
        rec.one("gcp:logging/projectBucketConfig:ProjectBucketConfig").inputs["bucketId"]
        == "mlops-test-logs"
    )


def test_long_prefixes_still_give_valid_account_ids() -> None:
    prefix = "a-very-long-platform-prefix-x1"  # 30 characters

    def program() -> None:
        GcpFoundation(
            "gcp",
            GcpFoundationArgs(
                settings=GcpFoundationSettings(), region=REGION, name_prefix=prefix, labels=LABELS
            ),
        )

    rec = run_program(program, config={"gcp:project": PROJECT, "gcp:region": REGION})
    ids = [a.inputs["accountId"] for a in rec.by_type("gcp:serviceaccount/account:Account")]
    assert len(ids) == 2 and len(set(ids)) == 2
    assert all(6 <= len(i) <= 30 for i in ids)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("subnet_cidr", "8.8.8.0/24", "is not a private range"),
        ("subnet_cidr", "10.50.0.1/20", "host bits"),
        ("subnet_cidr", "10.50.0.0/30", "smaller than /29"),
        ("log_retention_days", 0, "greater than or equal to 1"),
        ("log_retention_days", 3651, "less than or equal to 3650"),
        ("key_rotation_days", 365, "less than or equal to 90"),
        ("alert_emails", ["a@example.com", "A@example.com"], "listed twice"),
        ("alert_emails", ["not-an-address"], "email"),
        ("cloud_nats", True, "Extra inputs are not permitted"),
    ],
)
def test_bad_settings_name_the_setting(field: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        GcpFoundationSettings.model_validate({field: value})
    text = str(raised.value)
    assert field in text
    assert message in text


def test_the_component_token_is_stable() -> None:
    rec = _program(GcpFoundationSettings(), Retention.DESTROYABLE)
    assert rec.one("mlops:gcp:Foundation").name == "gcp"
