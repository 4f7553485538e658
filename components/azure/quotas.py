"""Azure quota families of a declared capacity (see ``mlops_components.quotas``).

VMs and scale sets (usage ``vm``: AKS node pools) count vCPUs per VM family
(``standardNCASv3_T4Family``); Spot capacity counts in the regional
``lowPriorityCores`` instead. Azure Machine Learning compute clusters (usage
``aml-compute``) count in the workspace's own quotas, reported with the suffix
`` (Azure Machine Learning)``. Sizes outside ``data/quotas.json`` (general-purpose sizes)
count against no accelerator quota. Azure has no per-subscription quota request resource,
so each family is checked against ``QuotaSettings.declared`` at plan time.
"""

from __future__ import annotations

import re
from typing import Any

from ..data import packaged_json
from ..quotas import QuotaTarget
from ..registry import Capacity

USAGES = ("vm", "aml-compute")
AML_SUFFIX = " (Azure Machine Learning)"
_VCPUS = re.compile(r"^Standard_[A-Z]+(?P<vcpus>\d+)")


def _data() -> dict[str, Any]:
    return packaged_json("mlops_components.azure", "quotas.json")


def vcpus(size: str) -> int:
    """vCPUs of a VM size by Azure's naming (``Standard_NC24ads_A100_v4`` -> 24)."""
    match = _VCPUS.match(size)
    if match is None:
        raise ValueError(f"{size!r} is not an Azure VM size name such as Standard_NC4as_T4_v3")
    return int(match["vcpus"])


def targets(capacity: Capacity) -> list[QuotaTarget]:
    """The quota families one VM of ``capacity`` counts against."""
    if capacity.usage not in USAGES:
        raise ValueError(
            f"{capacity.source}: usage {capacity.usage!r} does not run on Azure; use "
            f"{', '.join(USAGES)}"
        )
    data = _data()
    family = data["families"].get(capacity.machine_type)
    if family is None:
        return []
    if capacity.spot:
        family = data["low_priority_family"]
    suffix = AML_SUFFIX if capacity.usage == "aml-compute" else ""
    return [
        QuotaTarget(
            family + suffix,
            "vCPUs",
            vcpus(capacity.machine_type),
            None,
            data["sources"][2 if suffix else (1 if capacity.spot else 0)],
        )
    ]
