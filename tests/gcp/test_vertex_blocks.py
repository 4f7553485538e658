"""The small pieces of the Vertex AI blocks that carry facts: numeric endpoint ids, the
pipeline-job request body, Vertex AI machine specs, and CmekKey.add_encrypter."""

from __future__ import annotations

import contextvars

import pytest
from mlops_components.gcp.names import VERTEX_ENDPOINT_ID, numeric_id
from mlops_components.gcp.pipeline_schedule import (
    check_pipeline_job,
    encoded_body,
    pipeline_job_body,
    template_uri,
)
from mlops_components.gcp.vertex_machines import machine_spec, vertex_accelerator_type
from mlops_components.naming import PhysicalNameError
from mlops_components.vocabulary import AcceleratorPool


def test_numeric_ids_are_stable_ten_digit_and_claimed() -> None:
    # Claims live in a context variable: run in a fresh context.
    contextvars.Context().run(_numeric_ids)


def _numeric_ids() -> None:
    first = numeric_id("mlops-dev/vertex-endpoint", owner="vertex-endpoint")
    assert VERTEX_ENDPOINT_ID.match(first) and len(first) == 10
    assert numeric_id("mlops-dev/vertex-endpoint", owner="vertex-endpoint") == first
    assert numeric_id("mlops-prod/vertex-endpoint", owner="other") != first
    with pytest.raises(PhysicalNameError):
        numeric_id("mlops-dev/vertex-endpoint", owner="someone-else")


def body() -> dict:
    return pipeline_job_body(
        display_name="training-scheduled",
        template=template_uri("europe-west4", "p", "repo", "training", "v1"),
        pipeline_root="gs://root/runs",
        service_account="runner@p.iam.gserviceaccount.com",
        kms_key_id="projects/p/locations/europe-west4/keyRings/r/cryptoKeys/k",
        parameters={"b": "2", "a": "1"},
        labels={"owner": "ml"},
    )


def test_pipeline_job_body_is_the_rest_shape() -> None:
    import base64
    import json

    built = body()
    assert built["templateUri"] == "https://europe-west4-kfp.pkg.dev/p/repo/training/v1"
    assert list(built["runtimeConfig"]["parameterValues"]) == ["a", "b"]
    assert json.loads(base64.b64decode(encoded_body(built))) == built


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pipelineRoot": "gs://x"}, "PipelineJob.pipelineRoot"),
        ({"runtimeConfig": {"parameterValue": {}}}, "RuntimeConfig.parameterValue"),
        ({"encryptionSpec": {"kmsKey": "k"}}, "EncryptionSpec.kmsKey"),
        ({"runtimeConfig": {"failurePolicy": "FAIL_FAST"}}, "not a FailurePolicy"),
        ({"runtimeConfig": {"parameterValues": {"n": 1}}}, "strings only"),
    ],
)
def test_unknown_fields_are_refused(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_pipeline_job({**body(), **change})


@pytest.mark.parametrize(
    ("compute", "vertex"),
    [
        ("nvidia-tesla-t4", "NVIDIA_TESLA_T4"),
        ("nvidia-l4", "NVIDIA_L4"),
        ("nvidia-tesla-a100", "NVIDIA_TESLA_A100"),
        ("nvidia-a100-80gb", "NVIDIA_A100_80GB"),
        ("nvidia-h100-80gb", "NVIDIA_H100_80GB"),
        ("nvidia-h200-141gb", "NVIDIA_H200_141GB"),
    ],
)
def test_vertex_accelerator_names(compute: str, vertex: str) -> None:
    assert vertex_accelerator_type(compute) == vertex


def test_machine_specs() -> None:
    assert machine_spec("n1-standard-4", None).rest() == {"machineType": "n1-standard-4"}
    l4 = machine_spec("ignored", AcceleratorPool(accelerator="nvidia-l4", count=1))
    assert l4.rest() == {
        "machineType": "g2-standard-4",
        "acceleratorType": "NVIDIA_L4",
        "acceleratorCount": 1,
    }
    with pytest.raises(ValueError, match="is a TPU"):
        machine_spec("x", AcceleratorPool(accelerator="tpu-v5e", count=1), "training.accelerator")
