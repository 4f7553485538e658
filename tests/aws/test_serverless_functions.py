"""The Lambda handlers shipped with the serverless architecture, as plain Python: job
names, the train/validation split, the metric gate and the inference responses."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pulumi
import pytest
from mlops_components.aws.functions.inference import handler as inference
from mlops_components.aws.functions.processing import handler as processing
from mlops_components.aws.functions.validation import handler as validation
from mlops_components.aws.lambda_function import handler_archive, source_dir


def test_job_names_are_unique_sortable_and_fit_the_api() -> None:
    name = processing.job_name("mlops-prod-sls", 1_700_000_000, "a1b2c3d4")
    assert name == "mlops-prod-sls-20231114221320-a1b2c3"
    assert len(processing.job_name("p" * 41, 0, "abcdef")) == 63
    with pytest.raises(ValueError, match="too long"):
        processing.job_name("p" * 42, 0, "abcdef")


def test_split_is_stable_and_roughly_the_asked_share() -> None:
    rows = [f"{i},{i % 7},{i * 3}" for i in range(2000)]
    train, held_out = processing.split_rows([*rows, "", "  "], 20)
    assert len(train) + len(held_out) == 2000  # blank lines dropped
    assert 300 < len(held_out) < 500
    assert processing.split_rows(rows, 20) == (train, held_out)  # same data, same split
    assert processing.split_rows(rows, 0)[1] == []


@pytest.mark.parametrize(
    ("value", "threshold", "comparison", "passed"),
    [
        (0.81, 0.8, "greater_or_equal", True),
        (0.8, 0.8, "greater_or_equal", True),
        (0.79, 0.8, "greater_or_equal", False),
        (0.2, 0.3, "less_or_equal", True),
        (0.31, 0.3, "less_or_equal", False),
        (float("nan"), 0.3, "less_or_equal", False),
        (float("nan"), 0.3, "greater_or_equal", False),
    ],
)
def test_metric_gate(value: float, threshold: float, comparison: str, passed: bool) -> None:
    assert validation.passes(value, threshold, comparison) is passed


def test_metric_gate_refuses_unknown_comparisons() -> None:
    with pytest.raises(ValueError, match="greater_or_equal"):
        validation.passes(1.0, 0.5, ">=")


def test_final_metric_is_read_from_the_training_job() -> None:
    metrics = [
        {"MetricName": "train:auc", "Value": 0.99},
        {"MetricName": "validation:auc", "Value": 0.83},
    ]
    assert validation.final_metric(metrics, "validation:auc") == 0.83
    with pytest.raises(validation.MetricMissing, match="validation:rmse"):
        validation.final_metric(metrics, "validation:rmse")


def test_validation_handler_reports_the_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    class SageMaker:
        def describe_training_job(self, TrainingJobName: str) -> dict:
            assert TrainingJobName == "job-1"
            return {"FinalMetricDataList": [{"MetricName": "validation:auc", "Value": 0.64}]}

    import boto3

    monkeypatch.setattr(boto3, "client", lambda service: SageMaker())
    monkeypatch.setenv("METRIC_NAME", "validation:auc")
    monkeypatch.setenv("THRESHOLD", "0.7")
    monkeypatch.setenv("COMPARISON", "greater_or_equal")
    assert validation.handler({"job_name": "job-1"}, None) == {
        "passed": False,
        "metric": "validation:auc",
        "value": 0.64,
    }


def test_inference_without_endpoint_answers_503(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENDPOINT_NAME", raising=False)
    answer = inference.handler({"body": "1,2,3"}, None)
    assert answer["statusCode"] == 503
    assert json.loads(answer["body"]) == {"message": "no model endpoint is configured"}


def test_inference_checks_the_body_and_forwards_csv(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict] = []

    class Body:
        def read(self) -> bytes:
            return b"0.93"

    class Runtime:
        def invoke_endpoint(self, **request: object) -> dict:
            calls.append(request)
            return {"Body": Body(), "ContentType": "text/csv"}

    import boto3

    monkeypatch.setattr(boto3, "client", lambda service: Runtime())
    monkeypatch.setenv("ENDPOINT_NAME", "mlops-dev-serverless")
    assert inference.handler({"body": ""}, None)["statusCode"] == 400
    big = base64.b64encode(b"x" * (inference.MAX_BODY_BYTES + 1)).decode()
    assert inference.handler({"body": big, "isBase64Encoded": True}, None)["statusCode"] == 413
    answer = inference.handler({"body": "1,2,3"}, None)
    assert answer == {"statusCode": 200, "headers": {"content-type": "text/csv"}, "body": "0.93"}
    assert calls == [
        {
            "EndpointName": "mlops-dev-serverless",
            "ContentType": "text/csv",
            "Accept": "text/csv",
            "Body": b"1,2,3",
        }
    ]


@pytest.mark.parametrize("role", ["processing", "validation", "inference"])
def test_each_function_ships_its_handler_alone(role: str) -> None:
    archive = handler_archive(source_dir(role))
    assert isinstance(archive, pulumi.AssetArchive)
    assert list(archive.assets) == ["handler.py"]
    # Content only: the state never records this checkout's path.
    (asset,) = archive.assets.values()
    assert isinstance(asset, pulumi.StringAsset)
    assert asset.text == (source_dir(role) / "handler.py").read_text()
    # The handler imports only the standard library and the runtime's boto3.
    source = (source_dir(role) / "handler.py").read_text()
    imports = {
        line.split()[1].split(".")[0]
        for line in source.splitlines()
        if line.strip().startswith(("import ", "from "))
    }
    assert imports <= {
        "urllib",
        "__future__",
        "base64",
        "collections",
        "hashlib",
        "json",
        "math",
        "os",
        "secrets",
        "time",
        "typing",
        "boto3",
    }
    compile(source, "handler.py", "exec")


def test_a_folder_without_handler_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no handler\.py"):
        handler_archive(tmp_path)


class FakeS3:
    """The S3 calls the processing handler makes, on a dict of objects."""

    class exceptions:  # boto3's attribute name
        class NoSuchKey(Exception):
            """Raised for a key the fake bucket does not hold."""

    def __init__(self, objects: dict[tuple[str, str], bytes]) -> None:
        self.objects = objects

    def get_object(self, Bucket: str, Key: str) -> dict:
        if (Bucket, Key) not in self.objects:
            raise self.exceptions.NoSuchKey(Key)
        body = self.objects[(Bucket, Key)]

        class Body:
            def read(self) -> bytes:
                return body

        return {"Body": Body()}

    def put_object(self, Bucket: str, Key: str, Body: bytes) -> None:
        self.objects[(Bucket, Key)] = Body

    def get_paginator(self, operation: str):
        objects = self.objects

        class Paginator:
            def paginate(self, Bucket: str, Prefix: str):
                yield {
                    "Contents": [
                        {"Key": k, "Size": len(v)}
                        for (b, k), v in sorted(objects.items())
                        if b == Bucket and k.startswith(Prefix)
                    ]
                }

        return Paginator()


def test_processing_writes_both_channels_and_names_the_job(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import boto3

    rows = "\n".join(f"{i % 2},{i},{i * 2}" for i in range(200)).encode()
    s3 = FakeS3({("data", "incoming/day one.csv"): rows, ("data", "incoming/empty.csv"): b""})
    monkeypatch.setattr(boto3, "client", lambda service: s3)
    monkeypatch.setenv("ARTIFACTS_BUCKET", "artifacts")
    monkeypatch.setenv("JOB_NAME_PREFIX", "mlops-dev-sls")
    # The key as S3 notifications encode it; the object's real key has a space.
    result = processing.handler({"bucket": "data", "key": "incoming/day+one.csv"}, None)
    job = result["job_name"]
    assert job.startswith("mlops-dev-sls-") and len(job) == len("mlops-dev-sls") + 22
    assert result == {
        "job_name": job,
        "train_uri": f"s3://artifacts/runs/{job}/train/",
        "validation_uri": f"s3://artifacts/runs/{job}/validation/",
        "checkpoint_uri": f"s3://artifacts/runs/{job}/checkpoints/",
    }
    train = s3.objects[("artifacts", f"runs/{job}/train/data.csv")].decode().splitlines()
    held = s3.objects[("artifacts", f"runs/{job}/validation/data.csv")].decode().splitlines()
    assert sorted(train + held) == sorted(rows.decode().splitlines())
    # A scheduled run reads every non-empty object under the prefix.
    again = processing.handler({"bucket": "data", "key": "incoming/"}, None)
    assert again["job_name"] != job


def test_a_batch_marker_stands_for_its_folder() -> None:
    assert processing.batch_folder("incoming/2026-11-30/_SUCCESS", "_SUCCESS") == (
        "incoming/2026-11-30/"
    )
    assert processing.batch_folder("incoming/data.csv", "_SUCCESS") == "incoming/data.csv"
    assert processing.batch_folder("incoming/_SUCCESS", "") == "incoming/_SUCCESS"
