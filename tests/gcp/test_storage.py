"""DataBucket: access, CMEK and its grant, lifecycle or Autoclass, retention."""

from __future__ import annotations

import pulumi
import pytest
from gcp_plan import LABELS, REGION, Recording, assert_labelled, plan
from mlops_components.gcp import CmekKey, CmekKeyArgs, DataBucket, DataBucketArgs
from mlops_components.settings import LifecycleSettings, Retention
from mlops_components.settings.common import ExpiryRule

BUCKET = "gcp:storage/bucket:Bucket"
MEMBER = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"


def run(*, cmek: bool = True, **overrides: object) -> Recording:
    def program() -> None:
        key = CmekKey(
            "key",
            CmekKeyArgs(
                location=REGION, labels=LABELS, encrypter_services=["storage.googleapis.com"]
            ),
        )
        args = DataBucketArgs(
            location=REGION,
            kms_key_id=key.key_id if cmek else None,
            kms_key_grants=[key.grant("storage.googleapis.com")] if cmek else [],
            labels=LABELS,
        )
        for name, value in overrides.items():
            setattr(args, name, value)
        DataBucket("data", args)

    return plan(program)


def test_one_private_bucket_encrypted_with_the_key_after_its_grant() -> None:
    rec = run()
    component = rec.one("mlops:gcp:DataBucket", "data")
    assert [(r.type, r.name) for r in rec.children_of(component.urn)] == [(BUCKET, "data")]
    bucket = rec.one(BUCKET)
    assert bucket.inputs["location"] == REGION
    assert bucket.inputs["storageClass"] == "STANDARD"
    assert bucket.inputs["uniformBucketLevelAccess"] is True
    assert bucket.inputs["publicAccessPrevention"] == "enforced"
    assert bucket.inputs["encryption"] == {
        "defaultKmsKeyName": rec.one("gcp:kms/cryptoKey:CryptoKey").id
    }
    grant = rec.one(MEMBER)
    assert grant.urn in bucket.dependencies
    assert_labelled(rec, component)
    assert bucket.outputs["url"].startswith("gs://data-")
    assert rec.warnings == []


def test_without_a_key_google_manages_encryption() -> None:
    assert "encryption" not in run(cmek=False).one(BUCKET).inputs


def test_default_lifecycle_tiers_and_aborts_uploads() -> None:
    bucket = run().one(BUCKET)
    assert bucket.inputs["lifecycleRules"] == [
        {
            "action": {"type": "SetStorageClass", "storageClass": "NEARLINE"},
            "condition": {"age": 30, "matchesStorageClasses": ["STANDARD"]},
        },
        {
            "action": {"type": "SetStorageClass", "storageClass": "COLDLINE"},
            "condition": {"age": 90, "matchesStorageClasses": ["STANDARD", "NEARLINE"]},
        },
        {"action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": 7}},
    ]
    assert "autoclass" not in bucket.inputs


def test_expiry_is_per_prefix_and_archive_class_is_settable() -> None:
    lifecycle = LifecycleSettings(
        infrequent_access_after_days=None,
        archive_after_days=180,
        expire=[ExpiryRule(prefix="runs/", after_days=14)],
    )
    rules = (
        run(lifecycle=lifecycle, archive_storage_class="ARCHIVE")
        .one(BUCKET)
        .inputs["lifecycleRules"]
    )
    assert rules[0] == {
        "action": {"type": "SetStorageClass", "storageClass": "ARCHIVE"},
        "condition": {"age": 180, "matchesStorageClasses": ["STANDARD", "NEARLINE"]},
    }
    assert rules[1] == {
        "action": {"type": "Delete"},
        "condition": {"age": 14, "matchesPrefixes": ["runs/"]},
    }
    assert len(rules) == 3


def test_autoclass_replaces_storage_class_rules() -> None:
    lifecycle = LifecycleSettings(infrequent_access_after_days=None, archive_after_days=None)
    bucket = run(lifecycle=lifecycle, autoclass="ARCHIVE").one(BUCKET)
    assert bucket.inputs["autoclass"] == {"enabled": True, "terminalStorageClass": "ARCHIVE"}
    assert all(r["action"]["type"] != "SetStorageClass" for r in bucket.inputs["lifecycleRules"])


def test_destroyable_bucket_is_emptied_on_delete_without_versions_or_soft_delete() -> None:
    bucket = run().one(BUCKET)
    assert bucket.inputs["forceDestroy"] is True
    assert bucket.inputs["deletionPolicy"] == "DELETE"
    assert bucket.inputs["versioning"] == {"enabled": False}
    assert bucket.inputs["softDeletePolicy"] == {"retentionDurationSeconds": 0}
    assert (bucket.protect, bucket.retain_on_delete) == (False, False)


def test_protected_bucket_keeps_versions_and_soft_deleted_objects() -> None:
    bucket = run(retention=Retention.PROTECTED).one(BUCKET)
    assert bucket.inputs["forceDestroy"] is False
    assert bucket.inputs["deletionPolicy"] == "PREVENT"
    assert bucket.inputs["versioning"] == {"enabled": True}
    assert bucket.inputs["softDeletePolicy"] == {"retentionDurationSeconds": 604800}
    assert (bucket.protect, bucket.retain_on_delete) == (True, True)
    assert {
        "action": {"type": "Delete"},
        "condition": {"daysSinceNoncurrentTime": 90, "withState": "ARCHIVED"},
    } in bucket.inputs["lifecycleRules"]


def test_a_key_in_another_location_is_refused() -> None:
    def program() -> None:
        key = CmekKey(
            "key",
            CmekKeyArgs(
                location=REGION, labels=LABELS, encrypter_services=["storage.googleapis.com"]
            ),
        )
        DataBucket(
            "data",
            DataBucketArgs(
                location="us-central1",
                kms_key_id=key.key_id,
                kms_key_grants=[key.grant("storage.googleapis.com")],
                labels=LABELS,
            ),
        )

    with pytest.raises(Exception, match=r"kms_key_id.*europe-west4.*us-central1") as caught:
        plan(program)
    assert isinstance(caught.value, pulumi.InputPropertyError)


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"kms_key_grants": []}, "kms_key_grants"),
        ({"autoclass": "NEARLINE"}, "lifecycle.infrequent_access_after_days"),
        ({"archive_storage_class": "GLACIER"}, "archive_storage_class"),
        ({"location": "Europe West 4"}, "location"),
        ({"labels": {"cost centre": "x"}}, "labels"),
        (
            {
                "lifecycle": LifecycleSettings(expire=[ExpiryRule(prefix="models/", after_days=3)]),
                "kept_prefixes": ["models/"],
            },
            "lifecycle.expire",
        ),
    ],
)
def test_bad_arguments_are_named(overrides: dict[str, object], argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        run(**overrides)


def test_a_multi_region_bucket_takes_a_key_from_the_matching_kms_multi_region() -> None:
    def program() -> None:
        key = CmekKey(
            "key",
            CmekKeyArgs(
                location="europe", labels=LABELS, encrypter_services=["storage.googleapis.com"]
            ),
        )
        DataBucket(
            "data",
            DataBucketArgs(
                location="EU",
                kms_key_id=key.key_id,
                kms_key_grants=[key.grant("storage.googleapis.com")],
                labels=LABELS,
            ),
        )

    bucket = plan(program).one(BUCKET)
    assert "/locations/europe/" in bucket.inputs["encryption"]["defaultKmsKeyName"]


def test_google_in_the_name_is_refused() -> None:
    def program() -> None:
        DataBucket(
            "google-data",
            DataBucketArgs(location=REGION, kms_key_id=None, labels=LABELS),
        )

    with pytest.raises(ValueError, match="name: 'google-data'"):
        plan(program)
