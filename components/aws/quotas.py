"""AWS quota families of a declared capacity (see ``mlops_components.quotas``).

EC2 instances (usage ``vm``: EKS node groups, ECS container instances) of the
accelerated series count vCPUs in one quota per instance-class group, On-Demand and
Spot apart (``Running On-Demand G and VT instances``, ``All G and VT Spot Instance
Requests``); instances of the other series count against no accelerator quota.
SageMaker training, processing and endpoints count instances per type and usage
(``ml.g5.xlarge for endpoint usage``; managed spot training its own
``... for spot training job usage``). Data and sources: ``data/quotas.json``.
"""

from __future__ import annotations

import re
from typing import Any

from ..data import packaged_json
from ..quotas import QuotaTarget
from ..registry import Capacity
from . import facts

SAGEMAKER_USAGES = ("sagemaker-training", "sagemaker-processing", "sagemaker-endpoint")
_MULTIPLE = re.compile(r"^(?P<n>\d+)xlarge$")


def _data() -> dict[str, Any]:
    return packaged_json("mlops_components.aws", "quotas.json")


def vcpus(instance_type: str) -> int:
    """vCPUs of an EC2 instance type (``g5.2xlarge`` -> 8) by EC2's size naming, or
    from the data's list for sizes the rule does not cover; ``ValueError`` otherwise."""
    data = _data()["vcpus"]
    name = instance_type.removeprefix(facts.ML_PREFIX)
    if name in data["types"]:
        return int(data["types"][name])
    size = name.rsplit(".", 1)[-1]
    if size in data["sizes"]:
        return int(data["sizes"][size])
    match = _MULTIPLE.match(size)
    if match:
        return 4 * int(match["n"])
    raise ValueError(f"no vCPU count known for {instance_type}; add it to aws/data/quotas.json")


def targets(capacity: Capacity) -> list[QuotaTarget]:
    """The quota families one instance of ``capacity`` counts against."""
    data = _data()
    if capacity.usage == "vm":
        series = facts.series(capacity.machine_type)
        for group in data["ec2"]["groups"]:
            if series in group["series"]:
                pick = group["spot" if capacity.spot else "on_demand"]
                request = (
                    {"service_code": "ec2", "quota_code": pick["code"]} if pick["code"] else None
                )
                return [
                    QuotaTarget(
                        pick["name"],
                        "vCPUs",
                        vcpus(capacity.machine_type),
                        request,
                        data["ec2"]["source"],
                    )
                ]
        return []
    if capacity.usage in SAGEMAKER_USAGES:
        sagemaker = data["sagemaker"]
        usage = capacity.usage
        if usage == "sagemaker-training" and capacity.spot:
            usage = "sagemaker-training-spot"
        name = sagemaker["usages"][usage].format(type=capacity.machine_type)
        code = sagemaker["codes"].get(name)
        request = {"service_code": "sagemaker", "quota_code": code} if code else None
        return [QuotaTarget(name, "instances", 1, request, sagemaker["source"])]
    if capacity.usage == "fargate":
        # Fargate tasks have no accelerators: they count against no accelerator quota.
        return []
    raise ValueError(
        f"{capacity.source}: usage {capacity.usage!r} does not run on AWS; use vm, "
        f"fargate, {', '.join(SAGEMAKER_USAGES)}"
    )
