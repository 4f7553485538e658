"""Preprocessing: split the new CSV object(s) into train and validation sets for the
training job, and name the job.

Input (from the EventBridge rule or the schedule): ``{"bucket": ..., "key": ...}`` where
``key`` is one object, a batch marker (with ``TRIGGER_SUFFIX``: its folder is
processed) or, from the schedule, a prefix. Output: ``job_name`` and the S3
prefixes of the ``train`` and ``validation`` channels under
``s3://$ARTIFACTS_BUCKET/runs/<job_name>/``. Rows go to validation by a hash of their
content, so a re-run splits the same data the same way. Sized for data that fits the
function's memory; larger data belongs in a SageMaker Processing job.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
import urllib.parse
from collections.abc import Iterable
from typing import Any

JOB_NAME_LIMIT = 63
"""CreateTrainingJob ``TrainingJobName``: 1-63 characters."""
SUFFIX_LENGTH = 22
"""``-<yyyymmddhhmmss>-<6 hex>`` appended to the prefix."""


def job_name(prefix: str, now: float, token: str) -> str:
    """``<prefix>-<UTC timestamp>-<token>``: unique, sortable, at most 63 characters."""
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(now))
    name = f"{prefix}-{stamp}-{token[:6]}"
    if len(name) > JOB_NAME_LIMIT:
        raise ValueError(f"job name prefix {prefix!r} is too long")
    return name


def is_validation(row: str, percent: int) -> bool:
    """Whether ``row`` belongs to the validation set (``percent`` of rows, stably)."""
    digest = hashlib.sha256(row.encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


def split_rows(rows: Iterable[str], percent: int) -> tuple[list[str], list[str]]:
    """``(train, validation)``: non-empty rows split by ``is_validation``."""
    train: list[str] = []
    validation: list[str] = []
    for row in rows:
        if row.strip():
            (validation if is_validation(row, percent) else train).append(row)
    return train, validation


def read_object(s3: Any, bucket: str, key: str) -> str:
    """The object's text. A key as S3 event notifications write it (URL-encoded, ``+``
    for spaces) is tried decoded when the literal key does not exist."""
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    except s3.exceptions.NoSuchKey:
        decoded = urllib.parse.unquote_plus(key)
        if decoded == key:
            raise
        return s3.get_object(Bucket=bucket, Key=decoded)["Body"].read().decode("utf-8")


def batch_folder(key: str, suffix: str) -> str:
    """With a trigger suffix, the object that started the run is a batch marker
    (``incoming/2026-11-30/_SUCCESS``): the run processes its folder
    (``incoming/2026-11-30/``), markers excluded. Otherwise the key as given."""
    if suffix and key.endswith(suffix) and not key.endswith("/"):
        return key[: key.rfind("/") + 1]
    return key


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    import boto3  # the Lambda runtime's

    s3 = boto3.client("s3")
    artifacts = os.environ["ARTIFACTS_BUCKET"]
    percent = int(os.environ.get("VALIDATION_PERCENT", "20"))
    name = job_name(os.environ["JOB_NAME_PREFIX"], time.time(), secrets.token_hex(3))
    bucket, key = event["bucket"], event["key"]
    suffix = os.environ.get("TRIGGER_SUFFIX", "")
    key = batch_folder(key, suffix)
    keys = [key]
    if key.endswith("/"):
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key)
        keys = [
            o["Key"]
            for page in pages
            for o in page.get("Contents", [])
            if o["Size"] and not (suffix and o["Key"].endswith(suffix))
        ]
    rows: list[str] = []
    for k in keys:
        rows += read_object(s3, bucket, k).splitlines()
    train, validation = split_rows(rows, percent)
    if not train or not validation:
        raise ValueError(f"s3://{bucket}/{key}: too few rows for a train/validation split")
    run = f"runs/{name}"
    for channel, data in (("train", train), ("validation", validation)):
        s3.put_object(
            Bucket=artifacts, Key=f"{run}/{channel}/data.csv", Body="\n".join(data).encode()
        )
    return {
        "job_name": name,
        "train_uri": f"s3://{artifacts}/{run}/train/",
        "validation_uri": f"s3://{artifacts}/{run}/validation/",
        "checkpoint_uri": f"s3://{artifacts}/{run}/checkpoints/",
    }
