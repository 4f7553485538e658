"""Compute cost rules: instance-type allowlists per environment (accelerated types only
where configured), GPU node groups that scale to zero on Spot, scale-to-zero endpoints
outside prod, and caps on accelerators per endpoint and node group.

Allowlists take shell-style patterns (``ml.m5.*``). Accelerated types (GPU, Gaudi,
Inferentia, Trainium: the series ``p``, ``g``, ``gr``, ``dl``, ``inf``, ``trn`` that
``mlops_components.aws.facts`` lists, SageMaker ``ml.`` or EC2 names) must match ``allowedAcceleratedInstanceTypes``, which is empty by default, so a
GPU appears only in the environments whose config names it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import (
    Category,
    dig,
    fmt_number,
    is_set,
    items,
    matches_any,
    number,
    parsed_json,
    resource_rule,
    string_list_schema,
)
from ..instances import accelerator_count, is_accelerated
from .sagemaker import DATA_QUALITY_JOB, ENDPOINT_CONFIG, MONITORING_SCHEDULE, NOTEBOOK, PIPELINE

EC2_INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"

COST = Category.COST
MANDATORY = EnforcementLevel.MANDATORY

SAGEMAKER_CPU_TYPES = [
    "ml.t3.*",
    "ml.m5.*",
    "ml.m6i.*",
    "ml.m7i.*",
    "ml.c5.*",
    "ml.c6i.*",
    "ml.c7i.*",
    "ml.r5.*",
]
EC2_CPU_TYPES = [
    "t3.*",
    "t3a.*",
    "t4g.*",
    "m5.*",
    "m6i.*",
    "m7i.*",
    "m6g.*",
    "m7g.*",
    "c6i.*",
    "c7g.*",
    "r6i.*",
]
EKS_DEFAULT_INSTANCE_TYPE = "t3.medium"
ACCELERATED_AMI_MARKERS = ("NVIDIA", "NEURON", "GPU")


def _allowlist_schema(cpu_default: list[str]) -> dict[str, Any]:
    return {
        "allowedInstanceTypes": string_list_schema(
            "Accepted CPU instance-type patterns.", cpu_default
        ),
        "allowedAcceleratedInstanceTypes": string_list_schema(
            "Accepted GPU/Inferentia/Trainium instance-type patterns (empty: none).", []
        ),
    }


def _disallowed(instance_type: str, config: Mapping[str, Any]) -> str | None:
    if is_accelerated(instance_type):
        if not matches_any(instance_type, config["allowedAcceleratedInstanceTypes"]):
            return f"accelerated instance type {instance_type} is not allowed in this environment"
        return None
    if not matches_any(instance_type, config["allowedInstanceTypes"]):
        return f"instance type {instance_type} is not in the allowlist"
    return None


def _pipeline_instance_types(definition: Any) -> list[tuple[str, str]]:
    """(step path, instance type) for every ``InstanceType`` in a pipeline definition,
    resolving ``{"Get": "Parameters.X"}`` to the parameter's default value."""
    if isinstance(definition, str):
        definition = parsed_json(definition)
    if not isinstance(definition, Mapping):
        return []
    defaults = {
        str(p.get("Name")): p.get("DefaultValue")
        for p in definition.get("Parameters") or []
        if isinstance(p, Mapping)
    }
    found: list[tuple[str, str]] = []

    def resolve(value: Any) -> Any:
        if isinstance(value, Mapping) and isinstance(value.get("Get"), str):
            reference = value["Get"]
            if reference.startswith("Parameters."):
                return defaults.get(reference.removeprefix("Parameters."))
        return value

    def walk(node: Any, path: str) -> None:
        if isinstance(node, Mapping):
            step = node.get("Name") if "Type" in node and "Name" in node else None
            here = f"step {step}" if step else path
            for key, value in node.items():
                if key == "InstanceType":
                    resolved = resolve(value)
                    if isinstance(resolved, str):
                        found.append((here, resolved))
                else:
                    walk(value, here)
        elif isinstance(node, list):
            for element in node:
                walk(element, path)

    walk(definition.get("Steps") or [], "pipeline")
    return found


@resource_rule(
    name="aws-sagemaker-require-allowed-instance-type",
    description="SageMaker notebooks, endpoints, monitoring jobs and pipeline steps must use instance types allowed in the environment.",
    category=COST,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation=(
        "Pick a type from the environment's allowlist, or add the type (GPU types to "
        "allowedAcceleratedInstanceTypes) in policies/config/<env>.json after review."
    ),
    references=[
        "none (project rule: no public control limits SageMaker instance types; the managed instance-type rule covers EC2 only)"
    ],
    resource_types=[NOTEBOOK, ENDPOINT_CONFIG, DATA_QUALITY_JOB, MONITORING_SCHEDULE, PIPELINE],
    config_schema=_allowlist_schema(SAGEMAKER_CPU_TYPES),
)
def sagemaker_instance_types(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """Instance choice is the biggest cost lever in ML: an ml.p4d.24xlarge costs about
    100x an ml.m5.xlarge. Pipeline definitions are parsed so training and processing
    steps are covered too; parameterised types are checked at their default value."""
    props = args.props
    found: list[tuple[str, str]] = []
    if args.resource_type == NOTEBOOK:
        found.append(("notebook", str(props.get("instanceType") or "")))
    elif args.resource_type == ENDPOINT_CONFIG:
        for variant in items(props.get("productionVariants")) + items(
            props.get("shadowProductionVariants")
        ):
            if is_set(variant, "serverlessConfig") or not variant.get("instanceType"):
                continue
            found.append(
                (f"variant {variant.get('variantName') or '?'}", str(variant["instanceType"]))
            )
    elif args.resource_type == DATA_QUALITY_JOB:
        found.append(
            ("job", str(dig(props, "jobResources", "clusterConfig", "instanceType") or ""))
        )
    elif args.resource_type == MONITORING_SCHEDULE:
        value = dig(
            props,
            "monitoringScheduleConfig",
            "monitoringJobDefinition",
            "monitoringResources",
            "clusterConfig",
            "instanceType",
        )
        if value:
            found.append(("schedule job", str(value)))
    else:
        definition = props.get("pipelineDefinition")
        if definition:
            try:
                found.extend(_pipeline_instance_types(definition))
            except ValueError:
                yield "pipelineDefinition is not valid JSON, so its instance types cannot be checked."
    for where, instance_type in found:
        if not instance_type:
            continue
        problem = _disallowed(instance_type, config)
        if problem:
            yield f"{where}: {problem}."


@resource_rule(
    name="aws-ec2-require-allowed-instance-type",
    description="EC2 instances, launch templates and EKS node groups must use instance types allowed in the environment.",
    category=COST,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Pick a type from the allowlist, or extend allowedInstanceTypes / allowedAcceleratedInstanceTypes for the environment.",
    references=["AWS Config desired-instance-type"],
    resource_types=[EC2_INSTANCE, LAUNCH_TEMPLATE, NODE_GROUP],
    config_schema=_allowlist_schema(EC2_CPU_TYPES),
)
def ec2_instance_types(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Node groups pick the most expensive line of an EKS bill; EKS defaults to
    t3.medium when instanceTypes is unset."""
    if args.resource_type == NODE_GROUP:
        types = [str(t) for t in items(args.props.get("instanceTypes"))]
        if not types and not is_set(args.props, "launchTemplate"):
            types = [EKS_DEFAULT_INSTANCE_TYPE]
    else:
        value = args.props.get("instanceType")
        types = [str(value)] if value else []
    for instance_type in types:
        problem = _disallowed(instance_type, config)
        if problem:
            yield f"{problem}."


def node_group_accelerated(props: Mapping[str, Any]) -> bool:
    """GPU, Inferentia or Trainium: by AMI type or by instance type."""
    ami = str(props.get("amiType") or "").upper()
    if any(marker in ami for marker in ACCELERATED_AMI_MARKERS):
        return True
    return any(is_accelerated(str(t)) for t in items(props.get("instanceTypes")))


@resource_rule(
    name="aws-eks-node-group-gpu-require-scale-to-zero",
    description="Accelerated (GPU/Inferentia/Trainium) EKS node groups must be able to scale to zero nodes.",
    category=COST,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set scaling_config.min_size=0 and let the cluster autoscaler or Karpenter add nodes for pending GPU pods.",
    references=[
        "none (project rule: no public control requires accelerated node groups to scale to zero)"
    ],
    resource_types=[NODE_GROUP],
)
def gpu_scale_to_zero(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """An idle GPU node costs as much as a busy one; minSize above zero pays for GPUs
    around the clock."""
    if not node_group_accelerated(args.props):
        return
    minimum = number(dig(args.props, "scalingConfig", "minSize"))
    if minimum is None or minimum > 0:
        yield f"scalingConfig.minSize is {fmt_number(minimum) if minimum is not None else 'unset'}; set 0."


@resource_rule(
    name="aws-eks-node-group-gpu-require-spot",
    description="Accelerated EKS node groups must use Spot capacity outside production.",
    category=COST,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set capacity_type='SPOT' and list several instance types to widen the Spot pools.",
    references=[
        "none (project rule: no public control requires Spot capacity for accelerated node groups)"
    ],
    resource_types=[NODE_GROUP],
)
def gpu_spot(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Spot GPUs cost 60-90 % less and dev/staging training and batch inference
    tolerate interruption. Disabled in prod, where serving needs On-Demand capacity."""
    if not node_group_accelerated(args.props):
        return
    capacity = args.props.get("capacityType")
    if capacity != "SPOT":
        yield f"capacityType is {capacity or 'unset (ON_DEMAND)'}; set 'SPOT'."


def _accelerator_schema(default_cap: int) -> dict[str, Any]:
    return {
        "maxAccelerators": {
            "type": "number",
            "minimum": 0,
            "default": default_cap,
            "description": "Most accelerators (GPUs or Neuron chips) one endpoint or node group may reach at full scale.",
        },
        "acceleratorCounts": {
            "type": "object",
            "default": {},
            "description": 'Extra or overriding accelerators-per-instance entries, e.g. {"g7.xlarge": 1}.',
        },
    }


@resource_rule(
    name="aws-eks-node-group-cap-accelerators",
    description="An EKS node group's maximum size times accelerators per node must stay within the environment's cap.",
    category=COST,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Lower scaling_config.max_size or choose a smaller instance type; raise maxAccelerators in the config after review.",
    references=["none (project rule: no public control caps the accelerators of a node group)"],
    resource_types=[NODE_GROUP],
    config_schema=_accelerator_schema(8),
)
def node_group_accelerator_cap(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """The autoscaler will use every node it is allowed; the cap bounds the worst-case
    hourly bill of a runaway job."""
    types = [str(t) for t in items(args.props.get("instanceTypes"))]
    per_node = [accelerator_count(t, config["acceleratorCounts"]) for t in types]
    unknown = [t for t, n in zip(types, per_node, strict=True) if n is None]
    if unknown:
        yield f"accelerator count of {', '.join(unknown)} is unknown; add it to acceleratorCounts."
        return
    most = max([n for n in per_node if n is not None], default=0)
    if most == 0:
        return
    size = number(dig(args.props, "scalingConfig", "maxSize")) or 0.0
    total = size * most
    cap = float(config["maxAccelerators"])
    if total > cap:
        yield f"maxSize {fmt_number(size)} x {most} accelerators = {fmt_number(total)}; the cap is {fmt_number(cap)}."


@resource_rule(
    name="aws-sagemaker-endpoint-config-cap-accelerators",
    description="A SageMaker endpoint's instances times accelerators per instance must stay within the environment's cap.",
    category=COST,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Lower the instance counts (or managed scaling maximum) or pick a smaller type; raise maxAccelerators after review.",
    references=[
        "none (project rule: no public control caps the accelerators of a SageMaker endpoint)"
    ],
    resource_types=[ENDPOINT_CONFIG],
    config_schema=_accelerator_schema(8),
)
def endpoint_accelerator_cap(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """Counts each variant at its largest size (managed instance scaling maximum, else
    the initial count). Auto Scaling targets registered separately are not visible here."""
    total = 0.0
    parts: list[str] = []
    for variant in items(args.props.get("productionVariants")) + items(
        args.props.get("shadowProductionVariants")
    ):
        instance_type = variant.get("instanceType")
        if is_set(variant, "serverlessConfig") or not instance_type:
            continue
        per_instance = accelerator_count(str(instance_type), config["acceleratorCounts"])
        if per_instance is None:
            yield f"accelerator count of {instance_type} is unknown; add it to acceleratorCounts."
            return
        if per_instance == 0:
            continue
        count = number(variant.get("initialInstanceCount")) or 0.0
        scaling = variant.get("managedInstanceScaling")
        if isinstance(scaling, Mapping) and scaling.get("status") == "ENABLED":
            count = max(count, number(scaling.get("maxInstanceCount")) or 0.0)
        total += count * per_instance
        parts.append(f"{fmt_number(count)} x {instance_type} ({per_instance})")
    cap = float(config["maxAccelerators"])
    if total > cap:
        yield f"{' + '.join(parts)} = {fmt_number(total)} accelerators; the cap is {fmt_number(cap)}."


@resource_rule(
    name="aws-sagemaker-endpoint-config-require-scale-to-zero",
    description="Non-production SageMaker endpoints must be serverless or scale to zero instances.",
    category=COST,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation=(
        "Use serverless_config for dev, or managed_instance_scaling={'status': 'ENABLED', "
        "'min_instance_count': 0, ...} with inference components; keep initial_instance_count <= 1."
    ),
    references=[
        "none (project rule: no public control requires non-production SageMaker endpoints to scale to zero)"
    ],
    resource_types=[ENDPOINT_CONFIG],
    config_schema={
        "maxInitialInstances": {
            "type": "number",
            "minimum": 0,
            "default": 1,
            "description": "Most instances a variant may start with.",
        }
    },
)
def endpoint_scale_to_zero(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """A real-time endpoint bills every hour it exists, used or not; test endpoints sit
    idle most of the day. Disabled in prod (availability rules apply there); advisory in
    staging, which mirrors prod hosting (instances in the VPC) to test it."""
    limit = float(config["maxInitialInstances"])
    for variant in items(args.props.get("productionVariants")):
        if is_set(variant, "serverlessConfig"):
            continue
        name = variant.get("variantName") or variant.get("instanceType") or "variant"
        scaling = variant.get("managedInstanceScaling")
        scales_to_zero = (
            isinstance(scaling, Mapping)
            and scaling.get("status") == "ENABLED"
            and number(scaling.get("minInstanceCount")) == 0
        )
        if not scales_to_zero:
            yield f"variant {name} is neither serverless nor scales to zero (managedInstanceScaling.minInstanceCount 0)."
        count = number(variant.get("initialInstanceCount"))
        if count is not None and count > limit:
            yield f"variant {name} starts {fmt_number(count)} instances; at most {fmt_number(limit)} allowed."
