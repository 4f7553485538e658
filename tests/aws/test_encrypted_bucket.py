"""EncryptedBucket: children, encryption, public access, TLS-only policy, lifecycle,
retention."""

from __future__ import annotations

import pulumi
import pytest
from mlops_components.aws import EncryptedBucket, EncryptedBucketArgs
from mlops_components.settings import LifecycleSettings, Retention
from mlops_preview.recorder import RecordedResource
from mlops_preview.runner import Recording, run_program
from support import ACCOUNT_ID, TAGS, assert_tagged, document, statement

KEY_ARN = f"arn:aws:kms:eu-west-1:{ACCOUNT_ID}:key/0b7e5c1e-1f3a-4f3e-9d7a-5d1c2f3a4b5c"
READER = f"arn:aws:iam::{ACCOUNT_ID}:role/staging-deployer"
BUCKET = "aws:s3/bucket:Bucket"
CHILDREN = [
    (BUCKET, "data"),
    ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "data-lifecycle"),
    ("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "data-ownership"),
    ("aws:s3/bucketPolicy:BucketPolicy", "data-policy"),
    ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "data-public-access"),
    (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "data-encryption",
    ),
    ("aws:s3/bucketVersioning:BucketVersioning", "data-versioning"),
]


def plan(name: str = "data", **overrides: object) -> Recording:
    def program() -> None:
        args = EncryptedBucketArgs(kms_key_arn=KEY_ARN, tags=TAGS)
        for key, value in overrides.items():
            setattr(args, key, value)
        EncryptedBucket(name, args)

    return run_program(program)


def one(rec: Recording, suffix: str) -> RecordedResource:
    return rec.one(next(t for t, n in CHILDREN if n == f"data{suffix}"))


def test_children_types_names_and_parent() -> None:
    rec = plan()
    component = rec.one("mlops:aws:EncryptedBucket", "data")
    children = rec.children_of(component.urn)
    assert sorted((r.type, r.name) for r in children) == sorted(CHILDREN)
    assert len(rec.resources) == 1 + len(CHILDREN)  # the component and its children only
    assert_tagged(rec, component)
    assert rec.warnings == []  # no deprecated (V2) resources


def test_configuration_children_target_the_bucket() -> None:
    rec = plan()
    bucket_id = rec.one(BUCKET).id
    for token, name in CHILDREN[1:]:
        assert rec.one(token, name).inputs["bucket"] == bucket_id


def test_sse_kms_with_bucket_key() -> None:
    encryption = one(plan(), "-encryption")
    assert encryption.inputs["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {
                "sseAlgorithm": "aws:kms",
                "kmsMasterKeyId": KEY_ARN,
            },
            "bucketKeyEnabled": True,
        }
    ]


def test_versioning_public_access_and_ownership() -> None:
    rec = plan()
    assert one(rec, "-versioning").inputs["versioningConfiguration"] == {"status": "Enabled"}
    block = one(rec, "-public-access").inputs
    for flag in (
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
    ):
        assert block[flag] is True, flag
    assert one(rec, "-ownership").inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_policy_is_tls_only_and_waits_for_public_access_block() -> None:
    rec = plan()
    arn = rec.one(BUCKET).outputs["arn"]
    policy = one(rec, "-policy")
    doc = document(policy)
    assert statement(doc, "DenyInsecureTransport") == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    non_kms = statement(doc, "DenyNonKmsEncryption")
    assert non_kms["Effect"] == "Deny"
    assert non_kms["Condition"] == {
        "StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}
    }
    assert all(s["Effect"] == "Deny" for s in doc["Statement"])  # no grants by default
    assert one(rec, "-public-access").urn in policy.dependencies


def test_read_principals_get_read_only_access_to_their_prefix() -> None:
    rec = plan(read_principals=[READER], read_prefix="models/")
    arn = rec.one(BUCKET).outputs["arn"]
    doc = document(one(rec, "-policy"))
    assert statement(doc, "ReadObjects") == {
        "Sid": "ReadObjects",
        "Effect": "Allow",
        "Principal": {"AWS": [READER]},
        "Action": ["s3:GetObject", "s3:GetObjectVersion"],
        "Resource": f"{arn}/models/*",
    }
    # Readers fetch known keys (a package names its model.tar.gz); no listing.
    assert [s["Sid"] for s in doc["Statement"]] == [
        "DenyInsecureTransport",
        "DenyNonKmsEncryption",
        "ReadObjects",
    ]


def test_default_lifecycle_rule() -> None:
    rec = plan()
    lifecycle = one(rec, "-lifecycle")
    assert lifecycle.inputs["rules"] == [
        {
            "id": "tiering",
            "status": "Enabled",
            "filter": {"prefix": ""},
            "transitions": [
                {"days": 30, "storageClass": "STANDARD_IA"},
                {"days": 90, "storageClass": "GLACIER_IR"},
            ],
            "expiration": {"expiredObjectDeleteMarker": True},
            "noncurrentVersionExpiration": {"noncurrentDays": 90},
            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
        }
    ]
    # Noncurrent-version rules need versioning first.
    assert one(rec, "-versioning").urn in lifecycle.dependencies


def test_lifecycle_rules_follow_settings_and_expire_per_prefix_only() -> None:
    settings = LifecycleSettings.model_validate(
        {
            "infrequent_access_after_days": None,
            "archive_after_days": 120,
            "expire": [
                {"prefix": "runs/", "after_days": 14},
                {"prefix": "raw/2024/", "after_days": 400},
            ],
            "noncurrent_expire_after_days": 30,
            "abort_incomplete_multipart_after_days": 3,
        }
    )
    tiering, runs, raw = one(plan(lifecycle=settings), "-lifecycle").inputs["rules"]
    assert tiering["filter"] == {"prefix": ""}
    assert tiering["transitions"] == [{"days": 120, "storageClass": "GLACIER_IR"}]
    # The whole-bucket rule never expires current objects.
    assert tiering["expiration"] == {"expiredObjectDeleteMarker": True}
    assert tiering["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    assert tiering["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 3}
    assert runs == {
        "id": "expire-runs",
        "status": "Enabled",
        "filter": {"prefix": "runs/"},
        "expiration": {"days": 14},
    }
    assert raw["id"] == "expire-raw-2024"
    assert raw["filter"] == {"prefix": "raw/2024/"}
    assert raw["expiration"] == {"days": 400}

    no_tiering = LifecycleSettings.model_validate(
        {"infrequent_access_after_days": None, "archive_after_days": None}
    )
    (rule,) = one(plan(lifecycle=no_tiering), "-lifecycle").inputs["rules"]
    assert "transitions" not in rule


@pytest.mark.parametrize("prefix", ["models/", "models/v1/", "mod/"])
def test_expiry_of_a_kept_prefix_is_refused(prefix: str) -> None:
    settings = LifecycleSettings.model_validate({"expire": [{"prefix": prefix, "after_days": 30}]})
    if prefix == "mod/":
        plan(lifecycle=settings, kept_prefixes=("models/",))  # no overlap: accepted
        return
    with pytest.raises(ValueError, match=f"{prefix} would expire objects under a kept prefix"):
        plan(lifecycle=settings, kept_prefixes=("models/",))


@pytest.mark.parametrize(
    ("expire", "message"),
    [
        ([{"prefix": "", "after_days": 30}], "String should match pattern"),
        ([{"prefix": "runs", "after_days": 30}], "String should match pattern"),
        (
            [{"prefix": "runs/", "after_days": 30}, {"prefix": "runs/a/", "after_days": 9}],
            "overlaps another expire rule",
        ),
    ],
)
def test_expiry_rules_name_a_folder_each(expire: list[dict[str, object]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LifecycleSettings.model_validate({"expire": expire})


def test_destroyable_bucket_is_force_destroyed_and_not_retained() -> None:
    rec = plan()
    assert rec.one(BUCKET).inputs["forceDestroy"] is True
    for token, name in CHILDREN:
        resource = rec.one(token, name)
        assert (resource.protect, resource.retain_on_delete) == (False, False), name


def test_protected_bucket_and_its_configuration_are_protected_and_retained() -> None:
    rec = plan(retention=Retention.PROTECTED)
    assert rec.one(BUCKET).inputs["forceDestroy"] is False
    for token, name in CHILDREN:
        resource = rec.one(token, name)
        assert (resource.protect, resource.retain_on_delete) == (True, True), name


def test_invalid_logical_name_is_refused() -> None:
    with pytest.raises(ValueError, match="name: 'Data_Bucket'"):
        plan("Data_Bucket")


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"kms_key_arn": "alias/aws/s3"}, "kms_key_arn"),
        ({"read_principals": [READER, "*"]}, "read_principals[1]"),
        ({"read_principals": ["arn:aws:s3:::other"]}, "read_principals[0]"),
    ],
)
def test_invalid_wiring_inputs_are_refused(overrides: dict, path: str) -> None:
    with pytest.raises(pulumi.InputPropertyError) as err:
        plan(**overrides)
    assert err.value.property_path == path
