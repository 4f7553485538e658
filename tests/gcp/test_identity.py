"""ServiceAccount: no keys, member grants only, refused roles and members."""

from __future__ import annotations

import pulumi
import pytest
from gcp_plan import PROJECT, Recording, plan
from mlops_components.gcp import ResourceGrant, ServiceAccount, ServiceAccountArgs
from mlops_components.gcp.identity import checked_member

ACCOUNT = "gcp:serviceaccount/account:Account"
PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"
BUCKET_MEMBER = "gcp:storage/bucketIAMMember:BucketIAMMember"
REPO_MEMBER = "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember"
KEY_MEMBER = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
SA_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember"
EMAIL = f"mlops-dev-trainer@{PROJECT}.iam.gserviceaccount.com"


def run(**overrides: object) -> Recording:
    args = ServiceAccountArgs(account_id="mlops-dev-trainer", display_name="Training jobs")
    for key, value in overrides.items():
        setattr(args, key, value)

    def program() -> None:
        ServiceAccount("trainer", args)

    return plan(program)


def test_account_has_no_keys_and_no_grants_by_default() -> None:
    rec = run()
    component = rec.one("mlops:gcp:ServiceAccount", "trainer")
    assert [(r.type, r.name) for r in rec.children_of(component.urn)] == [(ACCOUNT, "trainer")]
    account = rec.one(ACCOUNT)
    assert account.inputs["accountId"] == "mlops-dev-trainer"
    assert account.inputs["displayName"] == "Training jobs"
    assert account.outputs["email"] == EMAIL
    assert not [r for r in rec.resources if r.type.startswith("gcp:serviceaccount/key")]
    assert not [r for r in rec.resources if "IAMPolicy" in r.type or "IAMBinding" in r.type]
    assert rec.warnings == []


def test_project_roles_are_member_grants_named_after_the_role() -> None:
    rec = run(project_roles=["roles/aiplatform.user", "roles/logging.logWriter"])
    grants = {r.name: r for r in rec.by_type(PROJECT_MEMBER)}
    assert sorted(grants) == ["trainer-aiplatform-user", "trainer-logging-logwriter"]
    for grant in grants.values():
        assert grant.inputs["project"] == PROJECT
        assert grant.inputs["member"] == f"serviceAccount:{EMAIL}"
    assert grants["trainer-aiplatform-user"].inputs["role"] == "roles/aiplatform.user"


def test_resource_grants_use_each_resource_s_member_resource() -> None:
    rec = run(
        resource_grants={
            "data-read": ResourceGrant("bucket", "data-bucket", "roles/storage.objectViewer"),
            "images": ResourceGrant(
                "repository",
                "projects/p/locations/europe-west4/repositories/images",
                "roles/artifactregistry.reader",
            ),
            "key": ResourceGrant(
                "crypto_key",
                "projects/p/locations/europe-west4/keyRings/r/cryptoKeys/k",
                "roles/cloudkms.cryptoKeyEncrypterDecrypter",
            ),
            "act-as": ResourceGrant(
                "service_account",
                f"projects/{PROJECT}/serviceAccounts/runner@{PROJECT}.iam.gserviceaccount.com",
                "roles/iam.serviceAccountUser",
            ),
        }
    )
    member = f"serviceAccount:{EMAIL}"
    bucket = rec.one(BUCKET_MEMBER, "trainer-data-read")
    assert bucket.inputs == {
        "bucket": "data-bucket",
        "member": member,
        "role": "roles/storage.objectViewer",
    }
    assert rec.one(REPO_MEMBER, "trainer-images").inputs["repository"].endswith("/images")
    assert rec.one(KEY_MEMBER, "trainer-key").inputs["member"] == member
    assert rec.one(SA_MEMBER, "trainer-act-as").inputs["role"] == "roles/iam.serviceAccountUser"


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"account_id": "short"}, "account_id"),
        ({"account_id": "Trainer-Account"}, "account_id"),
        ({"account_id": "a" * 31}, "account_id"),
        ({"account_id": "trainer-"}, "account_id"),
        ({"display_name": " "}, "display_name"),
        ({"project_roles": ["roles/owner"]}, r"project_roles\[0\].*basic role"),
        ({"project_roles": ["roles/viewer", "roles/editor"]}, r"project_roles\[1\]"),
        ({"project_roles": ["roles/iam.serviceAccountKeyAdmin"]}, "keys are never used"),
        ({"project_roles": ["storage.admin"]}, "not a role name"),
        (
            {"resource_grants": {"b": ResourceGrant("bucket", "x", "roles/editor")}},
            r"resource_grants\['b'\].role",
        ),
        (
            {"resource_grants": {"Bad Key": ResourceGrant("bucket", "x", "roles/storage.admin")}},
            r"resource_grants\['Bad Key'\]",
        ),
    ],
)
def test_bad_arguments_are_named(overrides: dict[str, object], argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        run(**overrides)


@pytest.mark.parametrize("member", ["allUsers", "allAuthenticatedUsers", "someone@example.com"])
def test_public_and_malformed_members_are_refused(member: str) -> None:
    with pytest.raises(pulumi.InputPropertyError, match="never granted"):
        checked_member("member")(member)


def test_identity_members_pass() -> None:
    assert checked_member("m")(f"serviceAccount:{EMAIL}") == f"serviceAccount:{EMAIL}"
