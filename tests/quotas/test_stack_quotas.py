"""The project's stacks: every stack's plan reports its accelerator capacity next to its
quota, and none exceeds it; the SageMaker CI/CD architecture declares its jobs and
endpoint (the endpoint at its ceiling plus a blue/green fleet)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from mlops_preview.quotas import quotas_json, quotas_markdown
from mlops_preview.runner import Recording, plan_stack

ROOT = Path(__file__).resolve().parents[2]
STACKS = sorted(
    p.name.removeprefix("Pulumi.").removesuffix(".yaml")
    for p in (ROOT / "stacks").glob("Pulumi.*.yaml")
)


@cache
def planned(stack: str) -> Recording:
    return plan_stack(ROOT, stack)


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_reports_its_quotas_and_none_is_exceeded(stack: str) -> None:
    rec = planned(stack)
    report = quotas_json(rec)
    assert report["exceeded"] == 0
    for line in report["lines"]:
        assert line["quota"] is not None, line
        assert line["reachable"] <= line["quota"], line
    assert quotas_markdown(rec)[0] == "## Accelerator quotas"


def test_aws_prod_declares_sagemaker_jobs_and_the_blue_green_endpoint() -> None:
    lines = {line["family"]: line for line in quotas_json(planned("aws-prod"))["lines"]}
    endpoint = lines["ml.m5.xlarge for endpoint usage"]
    # max_instances 6 plus a new fleet of 6 during a blue/green deployment.
    assert (endpoint["reachable"], endpoint["declared"], endpoint["status"]) == (12, 12, "within")
    assert endpoint["sources"] == ["architectures.sagemaker_cicd.endpoint"]
    assert lines["ml.m5.2xlarge for training job usage"]["sources"] == [
        "architectures.sagemaker_cicd.pipeline.training"
    ]


def test_aws_dev_trains_on_spot_and_its_serverless_endpoint_needs_no_instances() -> None:
    families = {line["family"] for line in quotas_json(planned("aws-dev"))["lines"]}
    assert families == {
        # The EKS GPU pool (container_mlops): Spot g-class vCPUs.
        "All G and VT Spot Instance Requests",
        "ml.m5.large for spot training job usage",
        "ml.t3.medium for processing job usage",
    }


def test_gcp_stacks_request_gpu_and_tpu_quota() -> None:
    for stack in ("gcp-dev", "gcp-staging", "gcp-prod"):
        units = {line["unit"] for line in quotas_json(planned(stack))["lines"]}
        assert units == {"GPUs", "TPU chips"}, stack
