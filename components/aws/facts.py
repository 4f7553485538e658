"""AWS facts in one place: valid SageMaker instance types per API, partitions and
regions, local instance storage and accelerators per instance type.

Settings, components and policies all ask this module; none keeps its own regex or
table. Each fact comes from a maintained source:

- **Instance types per API** -- botocore's SageMaker service model (the API's own
  enums, updated with every botocore release). Which enum applies is read from the
  structure member that takes the type, so a renamed shape cannot go unnoticed:

  ==========  ======================================  =============================
  use         API member                              enum shape
  ==========  ======================================  =============================
  endpoint    ``ProductionVariant.InstanceType``      ProductionVariantInstanceType
  training    ``ResourceConfig.InstanceType``         TrainingInstanceType
  processing  ``ProcessingClusterConfig.InstanceType``  ProcessingInstanceType
  monitoring  ``MonitoringClusterConfig.InstanceType``  ProcessingInstanceType
  transform   ``TransformResources.InstanceType``     TransformInstanceType
  notebook    ``CreateNotebookInstance InstanceType``  InstanceType
  studio_app  ``ResourceSpec.InstanceType``           AppInstanceType
  ==========  ======================================  =============================

  A model package's ``SupportedRealtimeInferenceInstanceTypes`` takes endpoint types
  and ``SupportedTransformInstanceTypes`` transform types.
- **Partitions and regions** -- botocore's ``partitions.json`` (the partition data of
  the AWS SDKs' endpoint rules): each partition's DNS suffix and its regions. Pseudo
  regions such as ``aws-global`` do not match their partition's ``regionRegex`` and
  are left out.
- **Local instance storage** -- no library carries it: ``data/sagemaker-instance-storage.json``
  lists every instance family found in the enums above as instance store, EBS-only or
  not an EC2 instance, with its sources (SageMaker API reference on ``VolumeKmsKeyId``
  / ``KmsKeyId``, EC2 instance store volume limits) and the date checked. SageMaker
  refuses a customer KMS key for local storage (hardware-encrypted), so callers omit
  ``VolumeKmsKeyId`` / ``KmsKeyId`` when :func:`has_local_storage` is true.
- **Accelerators per instance** -- no library carries them either:
  ``data/instance-accelerators.json`` (EC2 accelerated computing specifications,
  SageMaker pricing), used by the cost policies and the cost estimate.

``tests/aws/test_facts.py`` fails when a botocore upgrade brings an instance family
that the data files do not classify, instead of letting code guess.

Dependencies: botocore and the standard library only; no Pulumi import. Components
never import policies; the policy library (``mlops_policies``) may import this module
for now, so that both read the same facts. Should the policies become a package of
their own, this module moves with the data to a package both depend on.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import botocore
import botocore.loaders
import botocore.session

from ..data import packaged_json

ML_PREFIX = "ml."
_FAMILY = re.compile(r"^(?P<series>[a-z]+)(?P<generation>\d+)(?P<attributes>[a-z]*)(-[a-z0-9]+)?$")


class InstanceUse(StrEnum):
    """Where a SageMaker instance type is used; each use has its own API enum."""

    ENDPOINT = "endpoint"
    TRAINING = "training"
    PROCESSING = "processing"
    MONITORING = "monitoring"
    TRANSFORM = "transform"
    NOTEBOOK = "notebook"
    STUDIO_APP = "studio_app"


_API_MEMBERS: dict[InstanceUse, tuple[str, str]] = {
    InstanceUse.ENDPOINT: ("ProductionVariant", "InstanceType"),
    InstanceUse.TRAINING: ("ResourceConfig", "InstanceType"),
    InstanceUse.PROCESSING: ("ProcessingClusterConfig", "InstanceType"),
    InstanceUse.MONITORING: ("MonitoringClusterConfig", "InstanceType"),
    InstanceUse.TRANSFORM: ("TransformResources", "InstanceType"),
    InstanceUse.NOTEBOOK: ("CreateNotebookInstanceInput", "InstanceType"),
    InstanceUse.STUDIO_APP: ("ResourceSpec", "InstanceType"),
}
"""The API structure member that takes the instance type, per use."""


def botocore_version() -> str:
    """The botocore release whose models the facts come from (for messages)."""
    return botocore.__version__


# -- SageMaker instance types --------------------------------------------------------


@functools.cache
def _sagemaker_model() -> Any:
    return botocore.session.Session().get_service_model("sagemaker")


def instance_type_shape(use: InstanceUse) -> str:
    """Name of the API enum for ``use``, e.g. ``ProductionVariantInstanceType``."""
    structure, member = _API_MEMBERS[use]
    return _sagemaker_model().shape_for(structure).members[member].name


@functools.cache
def sagemaker_instance_types(use: InstanceUse) -> frozenset[str]:
    """Every instance type the SageMaker API accepts for ``use`` (``ml.m5.large`` ...)."""
    structure, member = _API_MEMBERS[use]
    shape = _sagemaker_model().shape_for(structure).members[member]
    values = frozenset(shape.enum or ())
    if not values:
        raise RuntimeError(f"botocore {botocore_version()}: {shape.name} lists no values")
    return values


def close_matches(value: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` candidates resembling ``value``, best first (for error messages).

    Sizes of the same family come first, then spelling neighbours, so ``ml.m5.huge``
    suggests other ``ml.m5`` sizes and ``eu-wset-1`` suggests ``eu-west-1``.
    """
    pool = sorted(set(candidates))
    best = difflib.get_close_matches(value, pool, n=n, cutoff=0.6)
    if value.startswith(ML_PREFIX):
        same_family = [c for c in pool if family(c) == family(value)]
        ranked = difflib.get_close_matches(value, same_family, n=n, cutoff=0.0)
        best = ranked + [c for c in best if c not in ranked]
    return best[:n] or difflib.get_close_matches(value, pool, n=n, cutoff=0.3)


def check_instance_type(value: str, use: InstanceUse) -> str:
    """``value`` if the SageMaker API accepts it for ``use``; else ``ValueError``
    naming the API enum and a few close valid values."""
    valid = sagemaker_instance_types(use)
    if value in valid:
        return value
    message = f"{value!r} is not a SageMaker {instance_type_shape(use)}"
    suggestions = close_matches(value, valid)
    if suggestions:
        message += f"; did you mean {', '.join(suggestions)}?"
    raise ValueError(message + f" (botocore {botocore_version()})")


# -- partitions and regions ----------------------------------------------------------


@dataclass(frozen=True)
class Partition:
    """An AWS partition: ``aws``, ``aws-cn``, ``aws-us-gov`` ..."""

    name: str
    dns_suffix: str
    regions: frozenset[str]


@functools.cache
def partitions() -> Mapping[str, Partition]:
    """Every AWS partition with its DNS suffix and regions, from botocore."""
    data = botocore.loaders.create_loader().load_data("partitions")
    found: dict[str, Partition] = {}
    for entry in data["partitions"]:
        pattern = re.compile(entry["regionRegex"])
        regions = frozenset(r for r in entry["regions"] if pattern.match(r))
        found[entry["id"]] = Partition(entry["id"], entry["outputs"]["dnsSuffix"], regions)
    return found


@functools.cache
def regions() -> frozenset[str]:
    """Every AWS region of every partition (``eu-west-1``, ``cn-north-1`` ...)."""
    return frozenset(r for p in partitions().values() for r in p.regions)


def is_region(region: str) -> bool:
    return region in regions()


def partition_of(region: str) -> Partition:
    """The partition of a known region; ``ValueError`` (with suggestions) otherwise."""
    check_region(region)
    return next(p for p in partitions().values() if region in p.regions)


def dns_suffix(region: str) -> str:
    """``amazonaws.com``, ``amazonaws.com.cn`` ... for a known region."""
    return partition_of(region).dns_suffix


def check_region(region: str) -> str:
    """``region`` if it is an AWS region; else ``ValueError`` with close region names."""
    if is_region(region):
        return region
    message = f"{region!r} is not an AWS region"
    suggestions = close_matches(region, regions())
    if suggestions:
        message += f"; did you mean {', '.join(suggestions)}?"
    raise ValueError(message + f" (regions known to botocore {botocore_version()})")


# -- instance families, storage and accelerators -------------------------------------


def family(instance_type: str) -> str:
    """``ml.g5.2xlarge`` -> ``g5``; ``p6-b200.48xlarge`` -> ``p6-b200``."""
    return instance_type.removeprefix(ML_PREFIX).split(".", 1)[0]


def series(instance_type: str) -> str:
    """The series letters of the family: ``g4dn`` -> ``g``, ``trn1`` -> ``trn``,
    ``gr6`` -> ``gr`` (EC2 instance type naming conventions)."""
    match = _FAMILY.match(family(instance_type))
    return match.group("series") if match else family(instance_type)


def has_instance_store_attribute(family_name: str) -> bool:
    """EC2's naming rule: the attribute letter ``d`` marks instance store volumes
    (``c5d``, ``m6gd``, ``g4dn``, ``p4de``)."""
    match = _FAMILY.match(family_name)
    return bool(match and "d" in match.group("attributes"))


def _data(name: str) -> dict[str, Any]:
    return packaged_json("mlops_components.aws", name)


@functools.cache
def instance_storage() -> Mapping[str, str]:
    """Family -> ``"instance_store"``, ``"ebs_only"`` or ``"not_ec2"``, from
    ``data/sagemaker-instance-storage.json``."""
    data = _data("sagemaker-instance-storage.json")
    classified: dict[str, str] = {}
    for kind in ("instance_store", "ebs_only", "not_ec2"):
        for name in data[kind]:
            if name in classified:
                raise ValueError(f"instance family {name} is listed twice in the storage data")
            classified[name] = kind
    return classified


def local_storage_families() -> frozenset[str]:
    """Families with local NVMe instance storage (``g5``, ``m5d``, ``p4d`` ...)."""
    return frozenset(f for f, kind in instance_storage().items() if kind == "instance_store")


def has_local_storage(instance_type: str) -> bool:
    """Whether the type has local NVMe instance storage, on which SageMaker refuses a
    customer KMS key (``VolumeKmsKeyId``, endpoint ``KmsKeyId``). Accepts ``ml.`` and
    EC2 names. An unclassified family counts as EBS-backed: the key is then sent and a
    wrong guess fails loudly at the API instead of silently dropping encryption."""
    return instance_storage().get(family(instance_type)) == "instance_store"


@functools.cache
def accelerated_series() -> frozenset[str]:
    """Series whose instances carry accelerators: ``p``, ``g``, ``gr``, ``inf``, ``trn``, ``dl``."""
    return frozenset(_data("instance-accelerators.json")["accelerated_series"])


@functools.cache
def accelerator_counts() -> Mapping[str, int]:
    """Accelerators per EC2 instance type name (no ``ml.`` prefix), from
    ``data/instance-accelerators.json``."""
    counts = _data("instance-accelerators.json")["counts"]
    return {name: int(count) for name, count in counts.items()}


def is_accelerated(instance_type: str) -> bool:
    """GPU, Gaudi, Inferentia and Trainium types, SageMaker (``ml.g5.xlarge``) or EC2."""
    return series(instance_type) in accelerated_series()


def accelerator_count(instance_type: str) -> int | None:
    """Accelerators per instance: 0 for types without accelerators, ``None`` for an
    accelerated type missing from the data (callers fail closed)."""
    count = accelerator_counts().get(instance_type.removeprefix(ML_PREFIX))
    if count is not None:
        return count
    return None if is_accelerated(instance_type) else 0


def cluster_config(
    instance_type: str, count: int, volume_gb: int, kms_key_arn: str
) -> dict[str, Any]:
    """``ProcessingClusterConfig`` / ``ResourceConfig`` of a SageMaker job. Instance
    types with local NVMe storage encrypt it in hardware, and the API refuses a
    ``VolumeKmsKeyId`` for them ("You can't request a VolumeKmsKeyId when using an
    instance type with local storage": API_ResourceConfig, API_ProcessingClusterConfig),
    so it is omitted."""
    cluster: dict[str, Any] = {
        "InstanceType": instance_type,
        "InstanceCount": count,
        "VolumeSizeInGB": volume_gb,
    }
    if not has_local_storage(instance_type):
        cluster["VolumeKmsKeyId"] = kms_key_arn
    return cluster
