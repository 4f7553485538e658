"""LogBucket and AlertChannel."""

from __future__ import annotations

import pytest
from gcp_plan import LABELS, PROJECT, REGION, Recording, assert_labelled, plan
from mlops_components.gcp import (
    AlertChannel,
    AlertChannelArgs,
    CmekKey,
    CmekKeyArgs,
    LogBucket,
    LogBucketArgs,
)
from mlops_components.settings import Retention

BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
SINK = "gcp:logging/projectSink:ProjectSink"
CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"


def run_bucket(*, cmek: bool = False, **overrides: object) -> Recording:
    def program() -> None:
        args = LogBucketArgs(location=REGION)
        if cmek:
            key = CmekKey(
                "key",
                CmekKeyArgs(
                    location=REGION, labels=LABELS, encrypter_services=["logging.googleapis.com"]
                ),
            )
            args.kms_key_id = key.key_id
            args.kms_key_grants = [key.grant("logging.googleapis.com")]
        for name, value in overrides.items():
            setattr(args, name, value)
        LogBucket("ml-logs", args)

    return plan(program)


def test_log_bucket_keeps_30_days_unlocked_without_sink() -> None:
    rec = run_bucket()
    component = rec.one("mlops:gcp:LogBucket", "ml-logs")
    assert [(r.type, r.name) for r in rec.children_of(component.urn)] == [(BUCKET, "ml-logs")]
    bucket = rec.one(BUCKET)
    assert bucket.inputs == {
        "bucketId": "ml-logs",
        "deletionPolicy": "DELETE",
        "location": REGION,
        "locked": False,
        "project": PROJECT,
        "retentionDays": 30,
    }
    assert (bucket.protect, bucket.retain_on_delete) == (False, False)
    assert rec.warnings == []


def test_protected_log_bucket() -> None:
    bucket = run_bucket(retention=Retention.PROTECTED, retention_days=400).one(BUCKET)
    assert bucket.inputs["deletionPolicy"] == "PREVENT"
    assert bucket.inputs["retentionDays"] == 400
    assert (bucket.protect, bucket.retain_on_delete) == (True, True)


def test_cmek_log_bucket_waits_for_logging_s_grant() -> None:
    rec = run_bucket(cmek=True)
    bucket = rec.one(BUCKET)
    assert bucket.inputs["cmekSettings"] == {
        "kmsKeyName": rec.one("gcp:kms/cryptoKey:CryptoKey").id
    }
    grant = rec.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "key-logging")
    assert grant.urn in bucket.dependencies


def test_sink_routes_the_filter_into_the_bucket() -> None:
    query = 'resource.type="aiplatform.googleapis.com/Endpoint"'
    rec = run_bucket(sink_filter=query)
    sink, bucket = rec.one(SINK, "ml-logs-sink"), rec.one(BUCKET)
    assert sink.inputs["destination"] == (
        f"logging.googleapis.com/projects/{PROJECT}/locations/{REGION}/buckets/ml-logs"
    )
    assert sink.inputs["filter"] == query
    assert sink.inputs["uniqueWriterIdentity"] is True
    assert bucket.urn in sink.dependencies


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"bucket_id": "_Default"}, "bucket_id"),
        ({"retention_days": 0}, "retention_days"),
        ({"retention_days": 3651}, "retention_days"),
        ({"location": "Europe"}, "location"),
        ({"kms_key_id": "projects/p/locations/l/keyRings/r/cryptoKeys/k"}, "kms_key_grants"),
        ({"sink_filter": " "}, "sink_filter"),
    ],
)
def test_bad_bucket_arguments_are_named(overrides: dict[str, object], argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        run_bucket(**overrides)


def run_channel(**overrides: object) -> Recording:
    args = AlertChannelArgs(email="ml-oncall@example.com", labels=LABELS)
    for name, value in overrides.items():
        setattr(args, name, value)

    def program() -> None:
        AlertChannel("oncall", args)

    return plan(program)


def test_email_channel_with_labels_as_user_labels() -> None:
    rec = run_channel()
    component = rec.one("mlops:gcp:AlertChannel", "oncall")
    channel = rec.one(CHANNEL)
    assert channel.name == "oncall"
    assert channel.inputs["type"] == "email"
    assert channel.inputs["labels"] == {"email_address": "ml-oncall@example.com"}
    assert channel.inputs["displayName"] == "oncall (e-mail)"
    assert channel.inputs["enabled"] is True
    assert_labelled(rec, component)


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [({"email": "not-an-address"}, "email"), ({"labels": {"x": "Y"}}, "labels")],
)
def test_bad_channel_arguments_are_named(overrides: dict[str, object], argument: str) -> None:
    with pytest.raises(ValueError, match=argument):
        run_channel(**overrides)
