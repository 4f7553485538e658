"""The Google Cloud resource rules of the Vertex AI and hybrid architectures: one
compliant resource per rule, then one changed field per case with the expected
message. ``test_policy_registry.py`` counts ``GCP_CASES`` with the other cases."""

from __future__ import annotations

from typing import Any

import pytest
from mlops_policies.testing import DELETE, patched, resource_messages
from test_policy_resource_rules import Case

KEY = "projects/p/locations/europe-west4/keyRings/r/cryptoKeys/k"
SA = "serviceAccount:runner@p.iam.gserviceaccount.com"
DEPLOY_SA = "serviceAccount:mlops-dev-deploy@p.iam.gserviceaccount.com"
LABELS = {"project": "mlops-iac", "environment": "dev", "owner": "ml", "cost-centre": "cc-1"}

BUCKET = "gcp:storage/bucket:Bucket"
BUCKET_OK = {
    "location": "europe-west4",
    "uniformBucketLevelAccess": True,
    "publicAccessPrevention": "enforced",
    "encryption": {"defaultKmsKeyName": KEY},
    "lifecycleRules": [{"action": {"type": "Delete"}, "condition": {"age": 30.0}}],
    "labels": LABELS,
}
DATASET = "gcp:bigquery/dataset:Dataset"
DATASET_OK = {
    "datasetId": "ml",
    "defaultEncryptionConfiguration": {"kmsKeyName": KEY},
    "accesses": [{"role": "READER", "groupByEmail": "ml@example.com"}],
    "labels": LABELS,
}
REPOSITORY = "gcp:artifactregistry/repository:Repository"
REPOSITORY_OK = {
    "repositoryId": "images",
    "format": "DOCKER",
    "kmsKeyName": KEY,
    "cleanupPolicies": [{"id": "keep", "action": "KEEP", "mostRecentVersions": {"keepCount": 5.0}}],
    "cleanupPolicyDryRun": False,
    "labels": LABELS,
}
ENDPOINT = "gcp:vertex/aiEndpoint:AiEndpoint"
ENDPOINT_OK = {
    "name": "1234567890",
    "displayName": "models",
    "location": "europe-west4",
    "encryptionSpec": {"kmsKeyName": KEY},
    "privateServiceConnectConfig": {
        "enablePrivateServiceConnect": True,
        "projectAllowlists": ["p"],
    },
    "labels": LABELS,
}
POOL = "gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool"
POOL_OK = {
    "name": "serving",
    "dedicatedResources": {
        "machineSpec": {"machineType": "n1-standard-2"},
        "minReplicaCount": 1.0,
        "maxReplicaCount": 2.0,
    },
}
WORKBENCH = "gcp:workbench/instance:Instance"
WORKBENCH_OK = {
    "location": "europe-west4-a",
    "gceSetup": {
        "disablePublicIp": True,
        "shieldedInstanceConfig": {"enableSecureBoot": True, "enableIntegrityMonitoring": True},
        "metadata": {"idle-timeout-seconds": "3600"},
    },
    "labels": LABELS,
}
JOB = "gcp:cloudscheduler/job:Job"
JOB_OK = {
    "schedule": "0 3 * * 1",
    "httpTarget": {
        "uri": "https://europe-west4-aiplatform.googleapis.com/v1/projects/p/locations/europe-west4/pipelineJobs",
        "httpMethod": "POST",
        "oauthToken": {"serviceAccountEmail": "runner@p.iam.gserviceaccount.com"},
    },
}
PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"

GCP_CASES: dict[str, list[Case]] = {
    "gcp-storage-bucket-require-uniform-access": [
        Case(
            BUCKET,
            BUCKET_OK,
            [({"uniformBucketLevelAccess": False}, "uniformBucketLevelAccess is not true.")],
        )
    ],
    "gcp-storage-bucket-require-public-access-prevention": [
        Case(
            BUCKET,
            BUCKET_OK,
            [
                ({"publicAccessPrevention": "inherited"}, "publicAccessPrevention is inherited"),
                ({"publicAccessPrevention": DELETE}, "unset (inherited)"),
            ],
        )
    ],
    "gcp-storage-bucket-require-cmek": [
        Case(BUCKET, BUCKET_OK, [({"encryption": DELETE}, "defaultKmsKeyName is not set")])
    ],
    "gcp-storage-bucket-require-lifecycle": [
        Case(
            BUCKET,
            BUCKET_OK,
            [({"lifecycleRules": []}, "no lifecycleRules")],
            also_compliant=[{"lifecycleRules": DELETE, "autoclass": {"enabled": True}}],
        )
    ],
    "gcp-bigquery-dataset-require-cmek": [
        Case(
            DATASET,
            DATASET_OK,
            [({"defaultEncryptionConfiguration": DELETE}, "kmsKeyName is not set")],
        )
    ],
    "gcp-bigquery-dataset-disallow-public-access": [
        Case(
            DATASET,
            DATASET_OK,
            [
                (
                    {"accesses.0.specialGroup": "allAuthenticatedUsers"},
                    "specialGroup is allAuthenticatedUsers",
                ),
                ({"accesses.0.iamMember": "allUsers"}, "accesses[0].iamMember is allUsers"),
            ],
            also_compliant=[{"accesses.0.specialGroup": "projectReaders"}],
        )
    ],
    "gcp-kms-crypto-key-require-rotation": [
        Case(
            "gcp:kms/cryptoKey:CryptoKey",
            {
                "keyRing": "r",
                "purpose": "ENCRYPT_DECRYPT",
                "rotationPeriod": "7776000s",
                "labels": LABELS,
            },
            [
                ({"rotationPeriod": "31536000s"}, "rotationPeriod is 365 days; at most 90"),
                ({"rotationPeriod": DELETE}, "rotationPeriod is not set."),
            ],
            also_compliant=[{"purpose": "ASYMMETRIC_SIGN", "rotationPeriod": DELETE}],
        )
    ],
    "gcp-artifactregistry-repository-require-cmek": [
        Case(
            REPOSITORY,
            REPOSITORY_OK,
            [({"kmsKeyName": DELETE}, "kmsKeyName is not set.")],
            also_compliant=[{"kmsKeyName": DELETE, "mode": "REMOTE_REPOSITORY"}],
        )
    ],
    "gcp-artifactregistry-repository-require-cleanup-policy": [
        Case(
            REPOSITORY,
            REPOSITORY_OK,
            [
                ({"cleanupPolicies": DELETE}, "cleanupPolicies is empty."),
                ({"cleanupPolicyDryRun": True}, "delete nothing"),
            ],
        )
    ],
    "gcp-iam-member-disallow-public": [
        Case(
            "gcp:storage/bucketIAMMember:BucketIAMMember",
            {"bucket": "b", "role": "roles/storage.objectViewer", "member": SA},
            [
                ({"member": "allUsers"}, "member allUsers is public."),
                ({"member": "allAuthenticatedUsers"}, "member allAuthenticatedUsers is public."),
                (
                    {
                        "__type__": "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
                        "member": "allUsers",
                    },
                    "member allUsers is public.",
                ),
            ],
        ),
        Case(
            "gcp:artifactregistry/repositoryIamBinding:RepositoryIamBinding",
            {"repository": "r", "role": "roles/artifactregistry.reader", "members": [SA]},
            [({"members.0": "allUsers"}, "member allUsers is public.")],
        ),
    ],
    "gcp-serviceaccount-key-disallow": [
        # The account itself is fine; any key of it is the violation.
        Case(
            "gcp:serviceaccount/account:Account",
            {"accountId": "runner"},
            [
                (
                    {"__type__": "gcp:serviceaccount/key:Key", "serviceAccountId": "runner"},
                    "a user-managed service account key is created.",
                )
            ],
        )
    ],
    "gcp-project-iam-disallow-basic-roles": [
        Case(
            PROJECT_MEMBER,
            {"project": "p", "role": "roles/aiplatform.user", "member": SA},
            [({"role": "roles/editor"}, "role roles/editor is a basic role.")],
        )
    ],
    "gcp-project-iam-disallow-impersonation-roles": [
        Case(
            PROJECT_MEMBER,
            {"project": "p", "role": "roles/aiplatform.user", "member": "user:a@example.com"},
            [
                ({"role": "roles/iam.serviceAccountUser"}, "granted on the whole project"),
                ({"role": "roles/iam.serviceAccountTokenCreator"}, "granted on the whole project"),
            ],
        )
    ],
    "gcp-project-iam-disallow-service-account-admin": [
        Case(
            PROJECT_MEMBER,
            {"project": "p", "role": "roles/aiplatform.user", "member": SA},
            [({"role": "roles/storage.admin"}, "gets roles/storage.admin")],
            also_compliant=[{"role": "roles/storage.admin", "member": "group:admins@example.com"}],
        ),
        # The environment's config names the CI deploy account: it may hold admin
        # roles; a workload account (or a look-alike in another prefix) still may not.
        Case(
            PROJECT_MEMBER,
            {"project": "p", "role": "roles/container.admin", "member": DEPLOY_SA},
            [
                ({"member": SA}, "runner@p.iam.gserviceaccount.com gets roles/container.admin"),
                (
                    {"member": "serviceAccount:mlops-prod-deploy@p.iam.gserviceaccount.com"},
                    "mlops-prod-deploy@p.iam.gserviceaccount.com gets roles/container.admin",
                ),
            ],
            config={"allowedDeployAccounts": ["mlops-dev-deploy@*.iam.gserviceaccount.com"]},
        ),
    ],
    "gcp-iam-workload-identity-provider-require-attribute-condition": [
        Case(
            "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
            {
                "workloadIdentityPoolId": "pool",
                "workloadIdentityPoolProviderId": "dc1",
                "attributeCondition": "assertion.sub.startsWith('system:serviceaccount:ml-serving:')",
                "oidc": {"issuerUri": "https://k8s.example.com"},
            },
            [({"attributeCondition": DELETE}, "attributeCondition is not set.")],
        )
    ],
    "gcp-vertex-endpoint-require-cmek": [
        Case(ENDPOINT, ENDPOINT_OK, [({"encryptionSpec": DELETE}, "kmsKeyName is not set.")])
    ],
    "gcp-vertex-endpoint-require-private": [
        Case(
            ENDPOINT,
            ENDPOINT_OK,
            [({"privateServiceConnectConfig.enablePrivateServiceConnect": False}, "neither")],
            also_compliant=[
                {
                    "privateServiceConnectConfig": DELETE,
                    "network": "projects/123/global/networks/ml",
                }
            ],
        )
    ],
    "gcp-vertex-metadata-store-require-cmek": [
        Case(
            "gcp:vertex/aiMetadataStore:AiMetadataStore",
            {"name": "default", "encryptionSpec": {"kmsKeyName": KEY}},
            [({"encryptionSpec.kmsKeyName": DELETE}, "kmsKeyName is not set.")],
        )
    ],
    "gcp-vertex-tensorboard-require-cmek": [
        Case(
            "gcp:vertex/aiTensorboard:AiTensorboard",
            {"displayName": "tb", "encryptionSpec": {"kmsKeyName": KEY}, "labels": LABELS},
            [({"encryptionSpec": DELETE}, "kmsKeyName is not set.")],
        )
    ],
    "gcp-vertex-deployment-pool-cap-min-replicas": [
        Case(
            POOL,
            POOL_OK,
            [({"dedicatedResources.minReplicaCount": 3.0}, "minReplicaCount is 3; at most 2")],
            config={"maxMinReplicas": 2},
        )
    ],
    "gcp-vertex-deployment-pool-require-allowed-machine": [
        Case(
            POOL,
            POOL_OK,
            [
                (
                    {"dedicatedResources.machineSpec.machineType": "m1-ultramem-40"},
                    "machine type m1-ultramem-40",
                ),
                (
                    {"dedicatedResources.machineSpec.acceleratorType": "NVIDIA_TESLA_A100"},
                    "accelerator NVIDIA_TESLA_A100 is not allowed",
                ),
            ],
            also_compliant=[
                {
                    "dedicatedResources.machineSpec": {
                        "machineType": "g2-standard-4",
                        "acceleratorType": "NVIDIA_L4",
                        "acceleratorCount": 1.0,
                    }
                }
            ],
            config={
                "allowedMachineTypes": ["n1-standard-*"],
                "allowedAcceleratorTypes": ["NVIDIA_L4"],
            },
        )
    ],
    "gcp-workbench-instance-disallow-public-ip": [
        Case(
            WORKBENCH,
            WORKBENCH_OK,
            [({"gceSetup.disablePublicIp": False}, "disablePublicIp is not true.")],
        )
    ],
    "gcp-workbench-instance-require-shielded-vm": [
        Case(
            WORKBENCH,
            WORKBENCH_OK,
            [
                (
                    {"gceSetup.shieldedInstanceConfig.enableSecureBoot": False},
                    "enableSecureBoot not true",
                )
            ],
        )
    ],
    "gcp-workbench-instance-require-idle-shutdown": [
        Case(
            WORKBENCH,
            WORKBENCH_OK,
            [
                ({"gceSetup.metadata": {}}, "'idle-timeout-seconds'] is not set."),
                (
                    {"gceSetup.metadata.idle-timeout-seconds": "86400"},
                    "after 1440 minutes; at most 180",
                ),
            ],
        )
    ],
    "gcp-cloudscheduler-job-require-authenticated-https": [
        Case(
            JOB,
            JOB_OK,
            [
                ({"httpTarget.oauthToken": DELETE}, "neither oauthToken nor oidcToken"),
                (
                    {
                        "httpTarget.oauthToken": DELETE,
                        "httpTarget.oidcToken": {
                            "serviceAccountEmail": "a@p.iam.gserviceaccount.com"
                        },
                    },
                    "Google APIs take oauthToken",
                ),
                ({"httpTarget.uri": "http://example.com/run"}, "is not https"),
            ],
            also_compliant=[
                {
                    "httpTarget.uri": "https://run.example.com/",
                    "httpTarget.oauthToken": DELETE,
                    "httpTarget.oidcToken": {"serviceAccountEmail": "a@p.iam.gserviceaccount.com"},
                }
            ],
        )
    ],
    "gcp-gkehub-membership-require-workload-identity": [
        Case(
            "gcp:gkehub/membership:Membership",
            {
                "membershipId": "dc1",
                "authority": {"issuer": "https://k8s.example.com"},
                "labels": LABELS,
            },
            [
                ({"authority": DELETE}, "authority.issuer is not set."),
                ({"authority.issuer": "http://k8s.example.com"}, "is not https"),
            ],
        )
    ],
}


def _apply(case: Case, change: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    change = dict(change)
    resource_type = change.pop("__type__", case.resource_type)
    return resource_type, patched(case.compliant, change)


PARAMS = [
    pytest.param(rule, case, id=f"{rule}[{index}]")
    for rule, cases in GCP_CASES.items()
    for index, case in enumerate(cases)
]


@pytest.mark.parametrize(("rule", "case"), PARAMS)
def test_compliant_resource_passes(rule: str, case: Case) -> None:
    assert resource_messages(rule, case.resource_type, case.compliant, case.config) == []
    for change in case.also_compliant:
        resource_type, props = _apply(case, change)
        assert resource_messages(rule, resource_type, props, case.config) == [], change


@pytest.mark.parametrize(("rule", "case"), PARAMS)
def test_each_changed_field_is_reported(rule: str, case: Case) -> None:
    for change, expected in case.violations:
        resource_type, props = _apply(case, change)
        messages = resource_messages(rule, resource_type, props, case.config)
        assert len(messages) == 1, (change, messages)
        assert expected in messages[0], (change, messages)


def test_at_least_twenty_two_rules_for_the_vertex_and_hybrid_services() -> None:
    assert len(GCP_CASES) >= 22
