"""All GCP blocks in one program, as the ``gcp-dev`` stack will compose them: every
required input is recorded (service agents, key ids) and nothing warns."""

from __future__ import annotations

import pulumi
from gcp_plan import LABELS, REGION, plan
from mlops_components.gcp import (
    AlertChannel,
    AlertChannelArgs,
    CmekKey,
    CmekKeyArgs,
    ContainerRegistry,
    ContainerRegistryArgs,
    DataBucket,
    DataBucketArgs,
    LogBucket,
    LogBucketArgs,
    PrivateNetwork,
    PrivateNetworkArgs,
    ProjectServices,
    ResourceGrant,
    ServiceAccount,
    ServiceAccountArgs,
    identity,
    kms,
    log_sinks,
    network,
    registry,
    storage,
)

AGENTS = ["storage.googleapis.com", "artifactregistry.googleapis.com", "logging.googleapis.com"]


def program() -> None:
    apis = ProjectServices(
        "apis",
        [
            *kms.SERVICES,
            *storage.SERVICES,
            *registry.SERVICES,
            *network.SERVICES,
            *identity.SERVICES,
            *log_sinks.SERVICES,
        ],
    )
    after_apis = pulumi.ResourceOptions(depends_on=[apis])
    key = CmekKey(
        "key", CmekKeyArgs(location=REGION, labels=LABELS, encrypter_services=AGENTS), after_apis
    )
    bucket = DataBucket(
        "data",
        DataBucketArgs(
            location=REGION,
            kms_key_id=key.key_id,
            kms_key_grants=[key.grant("storage.googleapis.com")],
            labels=LABELS,
        ),
        after_apis,
    )
    repo = ContainerRegistry(
        "images",
        ContainerRegistryArgs(
            location=REGION,
            kms_key_id=key.key_id,
            kms_key_grants=[key.grant("artifactregistry.googleapis.com")],
            labels=LABELS,
        ),
        after_apis,
    )
    LogBucket(
        "ml-logs",
        LogBucketArgs(
            location=REGION,
            kms_key_id=key.key_id,
            kms_key_grants=[key.grant("logging.googleapis.com")],
            sink_filter='resource.type="aiplatform.googleapis.com/Endpoint"',
        ),
        after_apis,
    )
    ServiceAccount(
        "trainer",
        ServiceAccountArgs(
            account_id="mlops-dev-trainer",
            display_name="Training jobs",
            project_roles=["roles/aiplatform.user"],
            resource_grants={
                "data": ResourceGrant("bucket", bucket.bucket_name, "roles/storage.objectUser"),
                "images": ResourceGrant(
                    "repository", repo.repository_id, "roles/artifactregistry.reader"
                ),
            },
        ),
        after_apis,
    )
    PrivateNetwork("ml", PrivateNetworkArgs(region=REGION, labels=LABELS), after_apis)
    AlertChannel("oncall", AlertChannelArgs(email="ml@example.com", labels=LABELS), after_apis)


REQUIRED = {
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": ("cryptoKeyId", "role", "member"),
    "gcp:storage/bucketIAMMember:BucketIAMMember": ("bucket", "role", "member"),
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": (
        "repository",
        "role",
        "member",
    ),
    "gcp:projects/iAMMember:IAMMember": ("project", "role", "member"),
    "gcp:storage/bucket:Bucket": ("location", "encryption"),
    "gcp:artifactregistry/repository:Repository": ("repositoryId", "format", "kmsKeyName"),
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": ("project", "bucketId", "cmekSettings"),
    "gcp:logging/projectSink:ProjectSink": ("destination", "filter"),
}


def test_every_dependent_input_is_recorded_and_nothing_warns() -> None:
    rec = plan(program)
    assert rec.warnings == []
    seen = set()
    for resource in rec.resources:
        for key in REQUIRED.get(resource.type, ()):
            assert resource.inputs.get(key) not in (None, "", "[unknown]"), (
                f"{resource.type} {resource.name}: {key}"
            )
        seen.add(resource.type)
    assert set(REQUIRED) <= seen
    services = {r.inputs["service"] for r in rec.by_type("gcp:projects/service:Service")}
    assert services == {
        "artifactregistry.googleapis.com",
        "cloudkms.googleapis.com",
        "cloudresourcemanager.googleapis.com",
        "compute.googleapis.com",
        "iam.googleapis.com",
        "logging.googleapis.com",
        "monitoring.googleapis.com",
        "storage.googleapis.com",
    }
