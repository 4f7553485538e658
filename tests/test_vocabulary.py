"""The cloud-neutral vocabulary: SDK-free, every rule a table test, every error naming
the setting and the allowed values."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from mlops_components import settings, vocabulary
from mlops_components.aws import accelerators as aws_accelerators
from mlops_components.azure import accelerators as azure_accelerators
from mlops_components.gcp import accelerators as gcp_accelerators
from mlops_components.settings import base, common
from mlops_components.vocabulary import (
    ACCELERATORS,
    Accelerator,
    AcceleratorPool,
    CapacityStrategy,
    EndpointHosting,
    EndpointScaling,
    LifecycleSettings,
    NetworkAccess,
    NetworkAccessMode,
    Retention,
    ScarceCapacity,
    parse_topology,
)
from pydantic import ValidationError

CLOUD_SDKS = ("pulumi_aws", "pulumi_azure_native", "pulumi_gcp", "botocore", "boto3")


def loaded_after_import(*modules: str) -> list[str]:
    code = (
        "import json, sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + f"print(json.dumps(sorted(m for m in {CLOUD_SDKS!r} if m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out)


def test_importing_the_vocabulary_loads_no_cloud_sdk_nor_pulumi() -> None:
    code = (
        "import sys, mlops_components.vocabulary\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{(*CLOUD_SDKS, 'pulumi')!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("cloud", ["azure", "gcp"])
def test_azure_and_gcp_mappings_load_no_cloud_sdk(cloud: str) -> None:
    mods = [
        f"mlops_components.{cloud}.{m}"
        for m in ("accelerators", "capacity", "lifecycle", "names", "retention")
    ]
    assert loaded_after_import(*mods) == []


def test_settings_reexport_the_same_objects() -> None:
    assert base.Strict is vocabulary.Strict
    assert settings.Retention is base.Retention is vocabulary.Retention
    assert settings.CapacityStrategy is vocabulary.CapacityStrategy
    assert settings.EndpointHosting is vocabulary.EndpointHosting
    assert settings.LifecycleSettings is common.LifecycleSettings is LifecycleSettings
    assert common.S3Prefix is vocabulary.ObjectPrefix


def test_strict_models_forbid_unknown_keys() -> None:
    with pytest.raises(ValidationError, match=r"extra_forbidden|Extra inputs"):
        NetworkAccess.model_validate({"mode": "private", "allowlist": []})


@pytest.mark.parametrize(
    ("enum", "values"),
    [
        (Retention, ["destroyable", "protected"]),
        (CapacityStrategy, ["spot_first", "on_demand", "reserved"]),
        (EndpointHosting, ["serverless", "instances", "scale_to_zero"]),
        (ScarceCapacity, ["none", "reservation", "queued", "flex_start", "capacity_block"]),
        (NetworkAccessMode, ["private", "public"]),
    ],
)
def test_enum_values_are_the_stack_file_words(enum: type, values: list[str]) -> None:
    assert [e.value for e in enum] == values  # type: ignore[attr-defined]


# -- accelerator pools ---------------------------------------------------------------------


def pool(**kwargs: object) -> AcceleratorPool:
    return AcceleratorPool.model_validate(kwargs)


def test_pool_defaults_scale_from_zero_on_spot() -> None:
    p = pool(accelerator="nvidia-l4")
    assert (p.count, p.min_nodes, p.max_nodes) == (1, 0, 1)
    assert p.capacity is CapacityStrategy.SPOT_FIRST
    assert p.scarce_capacity is ScarceCapacity.NONE
    assert (p.slice_chips, p.nodes_per_slice, p.is_multi_host, p.is_tpu) == (1, 1, False, False)


@pytest.mark.parametrize(
    ("kwargs", "chips", "nodes"),
    [
        ({"accelerator": "tpu-v5e", "count": 4, "tpu_topology": "2x2"}, 4, 1),
        ({"accelerator": "tpu-v5e", "count": 8, "tpu_topology": "2x4"}, 8, 1),
        ({"accelerator": "tpu-v5e", "count": 4, "tpu_topology": "4x4", "max_nodes": 4}, 16, 4),
        ({"accelerator": "tpu-v6e", "count": 4, "tpu_topology": "8x8", "max_nodes": 32}, 64, 16),
        ({"accelerator": "tpu-v5p", "count": 4, "tpu_topology": "2x2x1"}, 4, 1),
        ({"accelerator": "tpu-v5p", "count": 4, "tpu_topology": "2x2x2", "max_nodes": 2}, 8, 2),
        ({"accelerator": "tpu-v6e", "count": 1}, 1, 1),
        ({"accelerator": "nvidia-h100-80gb", "count": 8, "max_nodes": 3}, 8, 1),
    ],
)
def test_valid_pools(kwargs: dict[str, object], chips: int, nodes: int) -> None:
    p = pool(**kwargs)
    assert (p.slice_chips, p.nodes_per_slice) == (chips, nodes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"accelerator": "nvidia-h200", "count": 4},
            "count: nvidia-h200 nodes have 8 chips; got 4",
        ),
        (
            {"accelerator": "nvidia-t4", "count": 3},
            "count: nvidia-t4 nodes have 1, 2, 4, 8 chips; got 3",
        ),
        (
            {"accelerator": "nvidia-l4", "tpu_topology": "2x2"},
            "tpu_topology: only TPU accelerators take a topology; nvidia-l4 is a GPU",
        ),
        (
            {"accelerator": "tpu-v5e", "count": 4, "tpu_topology": "2x2x1"},
            r"tpu_topology: tpu-v5e slices are 2-dimensional \(AxB\)",
        ),
        (
            {"accelerator": "tpu-v5p", "count": 4, "tpu_topology": "2x2"},
            r"tpu_topology: tpu-v5p slices are 3-dimensional \(AxBxC\)",
        ),
        (
            {"accelerator": "tpu-v5e", "count": 4, "tpu_topology": "3x3"},
            "tpu_topology: tpu-v5e offers 1x1, 2x2, 2x4, 4x4, 4x8, 8x8, 8x16, 16x16",
        ),
        (
            {"accelerator": "tpu-v6e", "count": 8, "tpu_topology": "2x2"},
            "tpu_topology: a 2x2 slice has 4 chips, which 8 chips per node",
        ),
        (
            {"accelerator": "tpu-v6e", "count": 8, "tpu_topology": "4x4", "max_nodes": 2},
            "count: a multi-host tpu-v6e slice .* uses nodes of 4 chips; got count 8",
        ),
        (
            {"accelerator": "tpu-v5e", "count": 4, "tpu_topology": "4x4", "max_nodes": 6},
            "max_nodes: a 4x4 slice of tpu-v5e spans 4 nodes .* multiple of 4",
        ),
        (
            {"accelerator": "tpu-v5e", "tpu_topology": "2x"},
            "tpu_topology: '2x' is not a topology like 2x4 or 2x2x1",
        ),
        (
            {"accelerator": "nvidia-l4", "min_nodes": 3, "max_nodes": 2},
            r"max_nodes \(2\) must be >= min_nodes \(3\)",
        ),
        (
            {"accelerator": "nvidia-l4", "capacity": "reserved"},
            "scarce_capacity: capacity reserved .* use capacity_block, reservation",
        ),
        (
            {"accelerator": "nvidia-l4", "capacity": "on_demand", "scarce_capacity": "reservation"},
            "capacity: scarce_capacity reservation .* set capacity: reserved",
        ),
        (
            {"accelerator": "nvidia-l4", "scarce_capacity": "queued"},
            "scarce_capacity: queued .* allowed with spot_first: none",
        ),
        (
            {
                "accelerator": "nvidia-l4",
                "capacity": "on_demand",
                "scarce_capacity": "flex_start",
                "min_nodes": 1,
            },
            "min_nodes: scarce_capacity flex_start .* scale from 0",
        ),
        ({"accelerator": "nvidia-x1"}, "accelerator"),
    ],
)
def test_invalid_pools_name_the_setting_and_allowed_values(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        pool(**kwargs)


@pytest.mark.parametrize("text", ["0x2", "2x", "x", "2*2", "02x2", ""])
def test_parse_topology_refuses_malformed(text: str) -> None:
    with pytest.raises(ValueError, match="is not a topology"):
        parse_topology(text)


def test_vocabulary_counts_are_exactly_what_the_clouds_offer() -> None:
    """The neutral count table is the union of the three clouds' machine shapes, and
    every accelerator is offered by at least one cloud."""
    for accelerator, spec in ACCELERATORS.items():
        counts: set[int] = set()
        for module in (aws_accelerators, azure_accelerators, gcp_accelerators):
            counts |= set(module.machines().get(accelerator, {}))
        assert sorted(counts) == list(spec.counts), accelerator
    assert set(ACCELERATORS) == set(Accelerator)


# -- endpoints ---------------------------------------------------------------------------


def test_endpoint_scaling_defaults() -> None:
    s = EndpointScaling()
    assert (s.hosting, s.min_instances, s.max_instances) == (EndpointHosting.INSTANCES, 1, 2)
    assert (s.metric.value, s.target_value) == ("invocations_per_instance", 1000)
    assert (s.scale_out_cooldown_seconds, s.scale_in_cooldown_seconds) == (60, 300)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_instances": 0}, "min_instances: hosting instances keeps at least 1"),
        ({"hosting": "scale_to_zero"}, "min_instances: hosting scale_to_zero has a floor of 0"),
        ({"min_instances": 3, "max_instances": 2}, r"max_instances \(2\) must be >= min_instances"),
        (
            {"metric": "gpu_utilization", "target_value": 150},
            "target_value: gpu_utilization is a percentage",
        ),
        ({"hosting": "dedicated"}, "hosting"),
    ],
)
def test_endpoint_scaling_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        EndpointScaling.model_validate(kwargs)


def test_scale_to_zero_from_zero() -> None:
    s = EndpointScaling.model_validate({"hosting": "scale_to_zero", "min_instances": 0})
    assert s.min_instances == 0


# -- network access -------------------------------------------------------------------------


def test_network_access_defaults_to_private() -> None:
    assert NetworkAccess().mode is NetworkAccessMode.PRIVATE
    assert NetworkAccess().allowed_cidrs == []


def test_public_access_normalises_cidrs() -> None:
    access = NetworkAccess.model_validate(
        {"mode": "public", "allowed_cidrs": ["203.0.113.0/24", "2001:DB8::/32"]}
    )
    assert access.allowed_cidrs == ["203.0.113.0/24", "2001:db8::/32"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "public"}, "allowed_cidrs: mode public needs at least one CIDR"),
        ({"mode": "private", "allowed_cidrs": ["10.0.0.0/8"]}, "allowed_cidrs: only mode public"),
        (
            {"mode": "public", "allowed_cidrs": ["10.0.0.1/8"]},
            r"allowed_cidrs\[0\]: .*host bits set",
        ),
        ({"mode": "public", "allowed_cidrs": ["banana"]}, r"allowed_cidrs\[0\]"),
        (
            {"mode": "public", "allowed_cidrs": ["0.0.0.0/0"]},
            r"allowed_cidrs\[0\]: 0.0.0.0/0 allows every",
        ),
        ({"mode": "public", "allowed_cidrs": ["::/0"]}, r"allowed_cidrs\[0\]: ::/0 allows every"),
        (
            {"mode": "public", "allowed_cidrs": ["10.0.0.0/8", "10.0.0.0/8"]},
            r"allowed_cidrs\[1\]: 10.0.0.0/8 is listed twice",
        ),
    ],
)
def test_network_access_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        NetworkAccess.model_validate(kwargs)


# -- lifecycle --------------------------------------------------------------------------------


def test_lifecycle_accepts_the_former_key() -> None:
    old = LifecycleSettings.model_validate({"infrequent_access_after_days": 45})
    assert old.cool_after_days == old.infrequent_access_after_days == 45
    assert LifecycleSettings.model_validate({"cool_after_days": 45}) == old


def test_lifecycle_refuses_both_spellings_at_once() -> None:
    with pytest.raises(ValidationError, match="infrequent_access_after_days"):
        LifecycleSettings.model_validate(
            {"cool_after_days": 30, "infrequent_access_after_days": 40}
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"cool_after_days": 60, "archive_after_days": 70},
            "at least 30 days after cool_after_days",
        ),
        ({"cool_after_days": 10}, "greater than or equal to 30"),
        (
            {
                "expire": [
                    {"prefix": "runs/", "after_days": 3},
                    {"prefix": "runs/a/", "after_days": 3},
                ]
            },
            r"expire\[1\].prefix 'runs/a/' overlaps",
        ),
        ({"expire": [{"prefix": "runs", "after_days": 3}]}, "pattern"),
    ],
)
def test_lifecycle_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        LifecycleSettings.model_validate(kwargs)
