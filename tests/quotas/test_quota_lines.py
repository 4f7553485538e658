"""Accelerator quotas from synthetic capacity lists: the families each cloud counts a
machine against, the units, the sums per family and region, headroom, and the status of
each line; then the quota block under the plan mocks (Google Cloud quota preferences,
AWS Service Quotas requests, Azure declared only) and the plan report's section."""

from __future__ import annotations

import json

import pulumi
import pytest
from mlops_components import quotas
from mlops_components.aws.quotas import vcpus as aws_vcpus
from mlops_components.azure.quotas import vcpus as azure_vcpus
from mlops_components.quotas import AcceleratorQuotas, QuotaLine, quota_lines, with_headroom
from mlops_components.registry import Capacity
from mlops_components.settings import Cloud
from mlops_components.settings.quotas import QuotaSettings
from mlops_preview.quotas import QUOTAS_TYPE, quotas_json, quotas_markdown
from mlops_preview.runner import run_program
from pydantic import ValidationError

GCP = "europe-west4"
AWS = "eu-west-1"
AZURE = "westeurope"


def gcp(machine: str, maximum: int, spot: bool, **extra: object) -> Capacity:
    return Capacity(Cloud.GCP, GCP, "vm", machine, maximum, spot, source=f"s.{machine}", **extra)  # type: ignore[arg-type]


def by_family(lines: list[QuotaLine]) -> dict[str, QuotaLine]:
    return {line.family: line for line in lines}


def test_gcp_gpus_and_tpu_chips_per_family_with_spot_apart() -> None:
    lines = by_family(
        quota_lines(
            [
                gcp("g2-standard-4", 2, True),  # 1 L4 each, Spot
                gcp("g2-standard-24", 3, True),  # 2 L4 each, Spot
                gcp("g2-standard-4", 4, False),  # 1 L4 each, on demand
                gcp("ct5lp-hightpu-4t", 2, True),  # 4 v5e chips each
                gcp("n1-standard-4", 5, False, accelerator="nvidia-tesla-t4", accelerator_count=1),
                gcp("e2-standard-4", 10, False),  # no accelerator: no line
            ],
            QuotaSettings(),
        )
    )
    assert {f: (line.unit, line.reachable) for f, line in lines.items()} == {
        "PREEMPTIBLE_NVIDIA_L4_GPUS": ("GPUs", 8),
        "NVIDIA_L4_GPUS": ("GPUs", 4),
        "PREEMPTIBLE_TPU_LITE_PODSLICE_V5": ("TPU chips", 8),
        "NVIDIA_T4_GPUS": ("GPUs", 5),
        # Every Compute Engine GPU also counts project-wide (a new project has 0).
        "GPUS_ALL_REGIONS": ("GPUs", 17),
    }
    everywhere = lines["GPUS_ALL_REGIONS"]
    assert everywhere.region == "global"
    assert everywhere.request == {
        "service": "compute.googleapis.com",
        "quota_id": "GPUS-ALL-REGIONS-per-project",
        "dimensions": {},
    }
    l4 = lines["PREEMPTIBLE_NVIDIA_L4_GPUS"]
    assert l4.request == {
        "service": "compute.googleapis.com",
        "quota_id": "PREEMPTIBLE-NVIDIA-L4-GPUS-per-project-region",
        "dimensions": {"region": GCP},
    }
    assert l4.sources == ("s.g2-standard-4", "s.g2-standard-24")
    assert all(line.status == quotas.UNDECLARED for line in lines.values())


def test_gcp_h100_uses_the_per_family_quota_with_its_dimension() -> None:
    line, everywhere = quota_lines([gcp("a3-highgpu-8g", 2, False)], QuotaSettings(request=True))
    assert (everywhere.family, everywhere.requested) == ("GPUS_ALL_REGIONS", 16)
    assert (line.family, line.reachable, line.requested) == ("NVIDIA_H100_GPUS", 16, 16)
    assert line.request == {
        "service": "compute.googleapis.com",
        "quota_id": "GPUS-PER-GPU-FAMILY-per-project-region",
        "dimensions": {"region": GCP, "gpu_family": "NVIDIA_H100"},
    }


def test_vertex_usages_count_in_vertex_quotas_and_are_never_requested() -> None:
    (line,) = quota_lines(
        [Capacity(Cloud.GCP, GCP, "vertex-training", "g2-standard-4", 3, True, source="v")],
        QuotaSettings(
            request=True, declared={"custom_model_training_preemptible_nvidia_l4_gpus": 2}
        ),
    )
    assert (line.family, line.reachable, line.requested, line.declared) == (
        "custom_model_training_preemptible_nvidia_l4_gpus",
        3,
        None,
        2,
    )
    assert line.status == quotas.EXCEEDED


@pytest.mark.parametrize(
    ("settings", "requested", "declared", "status"),
    [
        (QuotaSettings(), None, None, quotas.UNDECLARED),
        (QuotaSettings(declared={"NVIDIA_L4_GPUS": 10}), None, 10, quotas.WITHIN),
        (QuotaSettings(declared={"NVIDIA_L4_GPUS": 9}), None, 9, quotas.EXCEEDED),
        (QuotaSettings(request=True), 10, None, quotas.REQUESTED),
        (QuotaSettings(request=True, headroom_percent=25), 13, None, quotas.REQUESTED),
        (QuotaSettings(request=True, declared={"NVIDIA_L4_GPUS": 1}), 10, 1, quotas.REQUESTED),
    ],
)
def test_status_of_a_line(settings: QuotaSettings, requested, declared, status) -> None:
    line, _all_regions = quota_lines([gcp("g2-standard-4", 10, False)], settings)
    assert (line.requested, line.declared, line.status) == (requested, declared, status)


def test_headroom_rounds_up() -> None:
    assert [with_headroom(v, 25) for v in (0, 1, 4, 10)] == [0, 2, 5, 13]


def test_aws_ec2_vcpus_per_group_and_sagemaker_instances_per_type_and_usage() -> None:
    capacity = [
        Capacity(Cloud.AWS, AWS, "vm", "g5.2xlarge", 3, False, source="a"),
        Capacity(Cloud.AWS, AWS, "vm", "g6.12xlarge", 1, True, source="b"),
        Capacity(Cloud.AWS, AWS, "vm", "p5.48xlarge", 1, False, source="c"),
        Capacity(Cloud.AWS, AWS, "vm", "m5.large", 9, False, source="cpu"),
        Capacity(Cloud.AWS, AWS, "sagemaker-endpoint", "ml.g5.xlarge", 4, False, source="e"),
        Capacity(Cloud.AWS, AWS, "sagemaker-training", "ml.m5.xlarge", 2, True, source="t"),
    ]
    lines = by_family(quota_lines(capacity, QuotaSettings(request=True)))
    assert {f: (line.unit, line.reachable, line.requested) for f, line in lines.items()} == {
        "Running On-Demand G and VT instances": ("vCPUs", 24, 24),
        "All G and VT Spot Instance Requests": ("vCPUs", 48, 48),
        "Running On-Demand P instances": ("vCPUs", 192, 192),
        "ml.g5.xlarge for endpoint usage": ("instances", 4, 4),
        # No documented quota code: reported, never requested.
        "ml.m5.xlarge for spot training job usage": ("instances", 2, None),
    }
    assert lines["Running On-Demand G and VT instances"].request == {
        "service_code": "ec2",
        "quota_code": "L-DB2E81BA",
    }
    assert lines["ml.g5.xlarge for endpoint usage"].request == {
        "service_code": "sagemaker",
        "quota_code": "L-1928E07B",
    }


@pytest.mark.parametrize(
    ("instance_type", "expected"),
    [
        ("g5.xlarge", 4),
        ("ml.g5.2xlarge", 8),
        ("p4d.24xlarge", 96),
        ("t3.medium", 2),
        ("g4dn.metal", 96),
    ],
)
def test_aws_vcpus_by_size(instance_type: str, expected: int) -> None:
    assert aws_vcpus(instance_type) == expected


def test_aws_unknown_size_fails_naming_the_data_file() -> None:
    with pytest.raises(ValueError, match=r"quotas\.json"):
        aws_vcpus("p5e.metal")


def test_azure_vcpus_per_family_and_low_priority_for_spot() -> None:
    capacity = [
        Capacity(Cloud.AZURE, AZURE, "vm", "Standard_NC4as_T4_v3", 3, False, source="a"),
        Capacity(Cloud.AZURE, AZURE, "vm", "Standard_NC64as_T4_v3", 1, False, source="b"),
        Capacity(Cloud.AZURE, AZURE, "vm", "Standard_NC24ads_A100_v4", 2, True, source="c"),
        Capacity(
            Cloud.AZURE, AZURE, "aml-compute", "Standard_NC24ads_A100_v4", 2, False, source="d"
        ),
        Capacity(Cloud.AZURE, AZURE, "vm", "Standard_D4s_v5", 5, False, source="cpu"),
    ]
    settings = QuotaSettings(request=True, declared={"standardNCASv3_T4Family": 64})
    lines = by_family(quota_lines(capacity, settings))
    assert {
        f: (line.reachable, line.requested, line.declared, line.status) for f, line in lines.items()
    } == {
        "standardNCASv3_T4Family": (76, None, 64, quotas.EXCEEDED),
        "lowPriorityCores": (48, None, None, quotas.UNDECLARED),
        "StandardNCADSA100v4Family (Azure Machine Learning)": (48, None, None, quotas.UNDECLARED),
    }
    assert azure_vcpus("Standard_ND96isr_H100_v5") == 96


def test_an_accelerated_machine_outside_the_catalogue_must_name_its_accelerator() -> None:
    with pytest.raises(ValueError, match=r"s\.g2-standard-8: g2-standard-8 carries accelerators"):
        quota_lines([gcp("g2-standard-8", 1, False)], QuotaSettings())
    line, _all_regions = quota_lines(
        [gcp("g2-standard-8", 2, False, accelerator="nvidia-l4", accelerator_count=1)],
        QuotaSettings(),
    )
    assert (line.family, line.reachable) == ("NVIDIA_L4_GPUS", 2)


def test_unknown_usage_names_the_capacity_source() -> None:
    with pytest.raises(
        ValueError, match=r"s\.x: usage 'sagemaker-endpoint' does not run on Google"
    ):
        quota_lines(
            [
                Capacity(
                    Cloud.GCP, GCP, "sagemaker-endpoint", "g2-standard-4", 1, False, source="s.x"
                )
            ],
            QuotaSettings(),
        )


def test_settings_refuse_negative_limits_and_big_headroom() -> None:
    with pytest.raises(ValidationError, match="NVIDIA_L4_GPUS: a quota limit is >= 0"):
        QuotaSettings(declared={"NVIDIA_L4_GPUS": -1})
    with pytest.raises(ValidationError, match="headroom_percent"):
        QuotaSettings(headroom_percent=101)


def _program(cloud: Cloud, lines: list[QuotaLine], settings: QuotaSettings) -> None:
    AcceleratorQuotas(f"quotas-{cloud.value}", cloud, lines, settings, scope="ml-dev-123456")


def test_gcp_block_creates_one_preference_per_requested_line() -> None:
    settings = QuotaSettings(request=True, contact_email="ml@example.com")
    lines = quota_lines([gcp("g2-standard-4", 2, True), gcp("ct5lp-hightpu-4t", 2, True)], settings)
    rec = run_program(
        lambda: _program(Cloud.GCP, lines, settings),
        config={"gcp:project": "ml-dev-123456", "gcp:region": GCP},
        region=GCP,
    )
    (block,) = rec.by_type(QUOTAS_TYPE)
    assert [line["family"] for line in block.inputs["lines"]] == [
        "PREEMPTIBLE_NVIDIA_L4_GPUS",
        "PREEMPTIBLE_TPU_LITE_PODSLICE_V5",
        "GPUS_ALL_REGIONS",
    ]
    prefs = {
        p.name: p.inputs for p in rec.by_type("gcp:cloudquota/sQuotaPreference:SQuotaPreference")
    }
    assert prefs["quotas-gcp-preemptible-nvidia-l4-gpus-europe-west4"] == {
        "parent": "projects/ml-dev-123456",
        "name": "compute_googleapis_com-PREEMPTIBLE-NVIDIA-L4-GPUS-per-project-region_europe-west4",
        "service": "compute.googleapis.com",
        "quotaId": "PREEMPTIBLE-NVIDIA-L4-GPUS-per-project-region",
        "dimensions": {"region": GCP},
        "quotaConfig": {"preferredValue": "2"},
        "contactEmail": "ml@example.com",
        "justification": (
            "mlops-iac: node pools and jobs of this project can scale to 2 GPUs of "
            "PREEMPTIBLE_NVIDIA_L4_GPUS in europe-west4 (s.g2-standard-4)"
        ),
    }
    everywhere = prefs["quotas-gcp-gpus-all-regions-global"]
    assert (everywhere["name"], everywhere["quotaId"], everywhere["quotaConfig"]) == (
        "compute_googleapis_com-GPUS-ALL-REGIONS-per-project",
        "GPUS-ALL-REGIONS-per-project",
        {"preferredValue": "2"},
    )
    assert "dimensions" not in everywhere or everywhere["dimensions"] == {}
    tpu = prefs["quotas-gcp-preemptible-tpu-lite-podslice-v5-europe-west4"]
    assert (tpu["quotaId"], tpu["quotaConfig"]) == (
        "PREEMPTIBLE-TPU-LITE-PODSLICE-V5-per-project-region",
        {"preferredValue": "8"},
    )
    # The Cloud Quotas API is switched on before any preference.
    (api,) = rec.by_type("gcp:projects/service:Service")
    assert api.inputs["service"] == "cloudquotas.googleapis.com"
    assert api.inputs["disableOnDestroy"] is False


def test_aws_block_requests_only_lines_with_a_quota_code() -> None:
    settings = QuotaSettings(request=True, headroom_percent=10)
    lines = quota_lines(
        [
            Capacity(Cloud.AWS, AWS, "vm", "g5.xlarge", 5, True, source="a"),
            Capacity(Cloud.AWS, AWS, "sagemaker-processing", "ml.m5.large", 1, False, source="p"),
        ],
        settings,
    )
    rec = run_program(lambda: _program(Cloud.AWS, lines, settings), region=AWS)
    (request,) = rec.by_type("aws:servicequotas/serviceQuota:ServiceQuota")
    assert request.inputs == {
        "serviceCode": "ec2",
        "quotaCode": "L-3819A6DF",
        "value": 22.0,
        "region": AWS,
    }


def test_azure_block_only_records_declared_lines() -> None:
    settings = QuotaSettings(request=True, declared={"lowPriorityCores": 8})
    lines = quota_lines(
        [Capacity(Cloud.AZURE, AZURE, "vm", "Standard_NC4as_T4_v3", 3, True, source="a")], settings
    )
    rec = run_program(lambda: _program(Cloud.AZURE, lines, settings), region=AZURE)
    assert [r.type for r in rec.resources if r.custom] == []
    report = quotas_json(rec)
    assert report == {
        "lines": [
            {
                "cloud": "azure",
                "region": AZURE,
                "family": "lowPriorityCores",
                "unit": "vCPUs",
                "reachable": 12,
                "requested": None,
                "declared": 8,
                "quota": 8,
                "status": "exceeded",
                "sources": ["a"],
            }
        ],
        "exceeded": 1,
    }
    assert quotas_markdown(rec) == [
        "## Accelerator quotas",
        "",
        "| Cloud | Region | Family | Unit | Reachable | Requested | Declared | Status |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | --- |",
        "| azure | westeurope | `lowPriorityCores` | vCPUs | 12 |  | 8 | **exceeded** |",
        "",
    ]
    json.dumps(report)  # JSON-ready


def test_the_preview_reads_the_components_token() -> None:
    assert QUOTAS_TYPE == quotas.TOKEN
    assert isinstance(pulumi.ComponentResource, type)


def test_a_request_never_asks_below_the_declared_limit() -> None:
    """A quota preference sets an absolute value: below the project's current limit it
    would lower the quota."""
    settings = QuotaSettings(
        request=True, headroom_percent=25, declared={"NVIDIA_L4_GPUS": 16, "GPUS_ALL_REGIONS": 2}
    )
    lines = by_family(quota_lines([gcp("g2-standard-4", 4, False)], settings))
    assert lines["NVIDIA_L4_GPUS"].requested == 16  # declared 16 > 4 + 25 %
    assert lines["GPUS_ALL_REGIONS"].requested == 5  # 4 + 25 % > declared 2
