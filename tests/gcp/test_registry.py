"""ContainerRegistry: Docker format, CMEK after its grant, cleanup policies, retention."""

from __future__ import annotations

import pulumi
import pytest
from gcp_plan import LABELS, PROJECT, REGION, Recording, assert_labelled, plan
from mlops_components.gcp import CmekKey, CmekKeyArgs, ContainerRegistry, ContainerRegistryArgs
from mlops_components.settings import Retention

REPO = "gcp:artifactregistry/repository:Repository"
SERVICE = "artifactregistry.googleapis.com"


def run(*, cmek: bool = True, **overrides: object) -> Recording:
    def program() -> None:
        key = CmekKey(
            "key", CmekKeyArgs(location=REGION, labels=LABELS, encrypter_services=[SERVICE])
        )
        args = ContainerRegistryArgs(
            location=REGION,
            kms_key_id=key.key_id if cmek else None,
            kms_key_grants=[key.grant(SERVICE)] if cmek else [],
            labels=LABELS,
        )
        for name, value in overrides.items():
            setattr(args, name, value)
        registry = ContainerRegistry("images", args)
        pulumi.export("url", registry.repository_url)

    return plan(program)


def test_one_private_docker_repository_encrypted_after_the_agent_grant() -> None:
    rec = run()
    component = rec.one("mlops:gcp:ContainerRegistry", "images")
    assert [(r.type, r.name) for r in rec.children_of(component.urn)] == [(REPO, "images")]
    repo = rec.one(REPO)
    assert repo.inputs["repositoryId"] == "images"
    assert repo.inputs["location"] == REGION
    assert repo.inputs["format"] == "DOCKER"
    assert repo.inputs["mode"] == "STANDARD_REPOSITORY"
    assert repo.inputs["kmsKeyName"] == rec.one("gcp:kms/cryptoKey:CryptoKey").id
    grant = rec.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "key-artifactregistry")
    assert grant.urn in repo.dependencies
    assert_labelled(rec, component)
    assert rec.outputs["url"] == f"{REGION}-docker.pkg.dev/{PROJECT}/images"
    assert rec.warnings == []


def test_cleanup_keeps_ten_and_deletes_untagged_after_a_week_for_real() -> None:
    repo = run().one(REPO)
    assert repo.inputs["cleanupPolicyDryRun"] is False
    assert repo.inputs["cleanupPolicies"] == [
        {"id": "keep-recent-versions", "action": "KEEP", "mostRecentVersions": {"keepCount": 10}},
        {
            "id": "delete-untagged",
            "action": "DELETE",
            "condition": {"tagState": "UNTAGGED", "olderThan": "604800s"},
        },
    ]


def test_tags_are_immutable_and_scanning_follows_the_project() -> None:
    repo = run().one(REPO)
    assert repo.inputs["dockerConfig"] == {"immutableTags": True}
    assert repo.inputs["vulnerabilityScanningConfig"] == {"enablementConfig": "INHERITED"}
    repo = run(immutable_tags=False, vulnerability_scanning=False).one(REPO)
    assert repo.inputs["dockerConfig"] == {"immutableTags": False}
    assert repo.inputs["vulnerabilityScanningConfig"] == {"enablementConfig": "DISABLED"}


def test_retention() -> None:
    repo = run().one(REPO)
    assert repo.inputs["deletionPolicy"] == "DELETE"
    assert (repo.protect, repo.retain_on_delete) == (False, False)
    repo = run(retention=Retention.PROTECTED).one(REPO)
    assert repo.inputs["deletionPolicy"] == "PREVENT"
    assert (repo.protect, repo.retain_on_delete) == (True, True)


def test_google_managed_encryption_when_no_key() -> None:
    assert "kmsKeyName" not in run(cmek=False).one(REPO).inputs


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"kms_key_grants": []}, "kms_key_grants"),
        ({"repository_id": "Images"}, "repository_id"),
        ({"repository_id": "images-"}, "repository_id"),
        ({"location": "eu"}, "location"),
        ({"keep_recent_versions": 0}, "keep_recent_versions"),
        ({"delete_untagged_after_days": 0}, "delete_untagged_after_days"),
        ({"labels": {"a": "B"}}, "labels"),
    ],
)
def test_bad_arguments_are_named(overrides: dict[str, object], argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        run(**overrides)
