"""Accelerator quotas as code: from the capacity a stack can scale to, to the quota each
cloud counts it against, and the blocks that request or check it.

Every architecture declares its capacity (``registry.Capacity``: machine type, maximum
machines, spot or not, usage). Each cloud's ``<cloud>/quotas.py`` maps one capacity to
the quota families it consumes (``QuotaTarget``) from a documented data file:

- Google Cloud: GPUs per family and region (``NVIDIA_L4_GPUS``, Spot VMs count against
  the ``PREEMPTIBLE_`` variant), TPU chips per version (``TPU_LITE_PODSLICE_V5``), and
  Vertex AI's own custom-training and online-prediction GPU quotas.
- AWS: EC2 vCPUs per instance-class group (``Running On-Demand G and VT instances``
  and its Spot counterpart) and SageMaker instances per type and usage
  (``ml.g5.xlarge for endpoint usage``).
- Azure: vCPUs per VM family (``standardNCASv3_T4Family``) and the regional
  ``lowPriorityCores`` that Spot and low-priority capacity share.

``quota_lines`` sums the reachable units per cloud, region and family and sets each
line's quota: what the stack requests (``mlops-iac:quotas.request``, plus headroom)
where the cloud has a request resource for the family, else the limit the stack
declares. ``AcceleratorQuotas`` (created by ``platform.deploy`` after the last
architecture, one per cloud) records the lines as its inputs, which the plan's quota
report and the ``<cloud>-stack-accelerator-quota`` cost rules read, and creates the
requests as its children.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from .registry import Capacity
from .settings.base import Cloud
from .settings.quotas import QuotaSettings

TOKEN = "mlops:platform:AcceleratorQuotas"
"""The type of the component whose inputs hold a stack's quota lines (one per cloud)."""

REQUESTED = "requested"
WITHIN = "within"
EXCEEDED = "exceeded"
UNDECLARED = "undeclared"
STATUSES = (REQUESTED, WITHIN, EXCEEDED, UNDECLARED)
"""``requested``: the stack requests at least what it can reach; ``within``: the
declared limit covers it; ``exceeded``: the declared limit is lower; ``undeclared``:
neither requested nor declared (the plan cannot tell)."""


@dataclass(frozen=True)
class QuotaTarget:
    """One quota family that one machine of a capacity counts against."""

    family: str
    """The family's name in reports and in ``QuotaSettings.declared``."""
    unit: str
    """``GPUs``, ``TPU chips``, ``vCPUs`` or ``instances``."""
    per_machine: int
    """Units one machine consumes."""
    request: Mapping[str, Any] | None
    """What identifies the quota to a request resource (Google Cloud ``service``,
    ``quota_id``, ``dimensions``; AWS ``service_code``, ``quota_code``); ``None`` where
    the cloud has no request resource or the identity is not documented."""
    source: str
    """Where the mapping is documented."""
    region: str | None = None
    """A project-wide quota's location (``global``); ``None``: the capacity's region."""


@dataclass(frozen=True)
class QuotaLine:
    """What a stack can reach in one quota family of one region, next to its quota."""

    cloud: str
    region: str
    family: str
    unit: str
    reachable: int
    requested: int | None
    declared: int | None
    request: Mapping[str, Any] | None = None
    sources: tuple[str, ...] = field(default_factory=tuple)
    """The capacity declarations behind the line (``architectures.<key>.<setting>``)."""
    reference: str = ""

    @property
    def quota(self) -> int | None:
        return self.requested if self.requested is not None else self.declared

    @property
    def status(self) -> str:
        if self.requested is not None:
            return REQUESTED if self.requested >= self.reachable else EXCEEDED
        if self.declared is None:
            return UNDECLARED
        return WITHIN if self.declared >= self.reachable else EXCEEDED

    def to_json(self) -> dict[str, Any]:
        return {
            "cloud": self.cloud,
            "region": self.region,
            "family": self.family,
            "unit": self.unit,
            "reachable": self.reachable,
            "requested": self.requested,
            "declared": self.declared,
            "quota": self.quota,
            "status": self.status,
            "request": dict(self.request) if self.request is not None else None,
            "sources": list(self.sources),
            "reference": self.reference,
        }


Translator = Callable[[Capacity], list[QuotaTarget]]

TRANSLATORS: Mapping[Cloud, str] = {
    Cloud.AWS: "mlops_components.aws.quotas:targets",
    Cloud.AZURE: "mlops_components.azure.quotas:targets",
    Cloud.GCP: "mlops_components.gcp.quotas:targets",
}
"""Each cloud's mapping (data only, no cloud SDK import)."""

REQUESTERS: Mapping[Cloud, str] = {
    Cloud.AWS: "mlops_components.aws.quota_requests:requests",
    Cloud.GCP: "mlops_components.gcp.quota_requests:requests",
}
"""Each cloud's request resources, ``requests(name, lines, settings, scope, parent)``
(imports the cloud's SDK); Azure has none."""


def _load(path: str) -> Any:
    module, _, function = path.partition(":")
    return getattr(importlib.import_module(module), function)


def targets(capacity: Capacity) -> list[QuotaTarget]:
    """The quota families one capacity counts against."""
    translate: Translator = _load(TRANSLATORS[capacity.cloud])
    return translate(capacity)


def with_headroom(value: int, percent: int) -> int:
    """``value`` plus ``percent`` per cent, rounded up."""
    return math.ceil(value * (100 + percent) / 100)


def requested_value(reachable: int, settings: QuotaSettings, declared: int | None) -> int:
    """The reachable value plus headroom, never below the declared limit: a Google Cloud
    quota preference sets an absolute value, so asking below the current limit would
    lower it (Cloud Quotas refuses only a decrease below usage or by more than its safety
    margin, ``QUOTA_DECREASE_BELOW_USAGE`` / ``QUOTA_DECREASE_PERCENTAGE_TOO_HIGH``,
    which the requests never ignore)."""
    return max(with_headroom(reachable, settings.headroom_percent), declared or 0)


def quota_lines(capacity: Iterable[Capacity], settings: QuotaSettings) -> list[QuotaLine]:
    """One line per cloud, region and family, sorted; ``ValueError`` naming the
    capacity's source when a machine type has no known quota family."""
    reachable: dict[tuple[str, str, str], int] = {}
    found: dict[tuple[str, str, str], QuotaTarget] = {}
    sources: dict[tuple[str, str, str], list[str]] = {}
    for entry in capacity:
        for target in targets(entry):
            key = (entry.cloud.value, target.region or entry.region, target.family)
            reachable[key] = reachable.get(key, 0) + entry.maximum * target.per_machine
            found.setdefault(key, target)
            if entry.source and entry.source not in sources.setdefault(key, []):
                sources[key].append(entry.source)
    lines = []
    for key in sorted(reachable):
        cloud, region, family = key
        target = found[key]
        can_request = settings.request and target.request is not None
        lines.append(
            QuotaLine(
                cloud=cloud,
                region=region,
                family=family,
                unit=target.unit,
                reachable=reachable[key],
                requested=(
                    requested_value(reachable[key], settings, settings.declared.get(family))
                    if can_request
                    else None
                ),
                declared=settings.declared.get(family),
                request=target.request,
                sources=tuple(sources.get(key, ())),
                reference=target.source,
            )
        )
    return lines


class AcceleratorQuotas(pulumi.ComponentResource):
    """The quota lines of one cloud of a stack, recorded as the component's inputs
    (``lines``), and one request child per requested line (Google Cloud
    ``cloudquota.SQuotaPreference``, AWS ``servicequotas.ServiceQuota``)."""

    def __init__(
        self,
        name: str,
        cloud: Cloud,
        lines: Sequence[QuotaLine],
        settings: QuotaSettings,
        scope: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``scope``: Google Cloud's project id (the preferences' parent)."""
        super().__init__(
            TOKEN, name, {"cloud": cloud.value, "lines": [line.to_json() for line in lines]}, opts
        )
        self.quota_lines: list[QuotaLine] = list(lines)
        requested = [line for line in lines if line.requested is not None]
        self.quota_requests: list[pulumi.CustomResource] = (
            _load(REQUESTERS[cloud])(name, requested, settings, scope, self) if requested else []
        )
        self.register_outputs({"lines": [line.to_json() for line in lines]})
