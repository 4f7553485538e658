"""Azure ML on Kubernetes (architectures 5 and 6): the ``Microsoft.AzureML.Kubernetes``
cluster extension's inference router (TLS, no public load balancer on AKS) and the
Kubernetes compute's instance types (bounded resources, GPU count per pod).

Extension settings are strings (``"True"``/``"False"``), compared case-insensitively as
the extension reads them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, dig, fmt_number, number, resource_rule

EXTENSION = "azure-native:kubernetesconfiguration:Extension"
COMPUTE = "azure-native:machinelearningservices:Compute"
AZUREML_EXTENSION = "microsoft.azureml.kubernetes"
AKS_PROVIDER = "Microsoft.ContainerService"


def _azureml_settings(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
    if str(args.props.get("extensionType") or "").lower() != AZUREML_EXTENSION:
        return None
    settings = args.props.get("configurationSettings")
    return settings if isinstance(settings, Mapping) else {}


def _on(value: Any) -> bool:
    return str(value).strip().lower() == "true"


@resource_rule(
    name="azure-azureml-extension-disallow-insecure-inference",
    description="The AzureML extension's inference router must serve HTTPS, not plain HTTP.",
    category=Category.SECURITY,
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Set sslSecret (a Kubernetes secret with cert.pem and key.pem in the azureml "
        "namespace) and sslCname, and allowInsecureConnections 'False'."
    ),
    references=[
        "none (project rule: no Azure Policy built-in audits the AzureML extension's settings)"
    ],
    resource_types=[EXTENSION],
)
def insecure_inference(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Plain HTTP exposes scoring requests, their data and the callers' tokens to
    anyone on the network path."""
    settings = _azureml_settings(args)
    if settings is None or not _on(settings.get("enableInference")):
        return
    if _on(settings.get("allowInsecureConnections")):
        yield "allowInsecureConnections is True: the inference router serves plain HTTP."
    elif not settings.get("sslSecret"):
        yield "inference is enabled without sslSecret (no certificate for the router)."


@resource_rule(
    name="azure-azureml-extension-require-internal-load-balancer",
    description="On AKS, an AzureML inference router of type LoadBalancer must use an internal load balancer.",
    category=Category.SECURITY,
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Set internalLoadBalancerProvider 'azure' (private IP in the cluster's subnet), or "
        "inferenceRouterServiceType 'ClusterIP' behind your own ingress."
    ),
    references=[
        "none (project rule: no Azure Policy built-in audits the AzureML extension's settings)"
    ],
    resource_types=[EXTENSION],
)
def internal_load_balancer(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """Without the internal provider, AKS gives the router a public IP: every model
    endpoint of the cluster is on the internet."""
    settings = _azureml_settings(args)
    if settings is None or args.props.get("clusterRp") != AKS_PROVIDER:
        return
    if not _on(settings.get("enableInference")):
        return
    kind = str(settings.get("inferenceRouterServiceType") or "LoadBalancer")
    if kind.lower() == "loadbalancer" and settings.get("internalLoadBalancerProvider") != "azure":
        yield "inferenceRouterServiceType LoadBalancer without internalLoadBalancerProvider 'azure' gets a public IP."


@resource_rule(
    name="azure-ml-kubernetes-compute-require-instance-limits",
    description="Every instance type of an Azure ML Kubernetes compute must set CPU and memory limits, with GPUs per pod within the cap.",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Give each properties.instanceTypes entry resources.limits cpu and memory (and "
        "nvidia.com/gpu at most maxGpusPerInstance); name a defaultInstanceType."
    ),
    references=["none (project rule: no public control checks Azure ML Kubernetes instance types)"],
    resource_types=[COMPUTE],
    config_schema={
        "maxGpusPerInstance": {
            "type": "number",
            "minimum": 0,
            "default": 8,
            "description": "Most nvidia.com/gpu one job or deployment pod may ask for.",
        }
    },
)
def instance_limits(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Without limits a job takes a whole node (or several); without a default
    instance type, jobs get the extension's built-in default with no limits."""
    properties = args.props.get("properties")
    if dig(properties, "computeType") != "Kubernetes":
        return
    inner = dig(properties, "properties")
    types = dig(inner, "instanceTypes")
    if not isinstance(types, Mapping) or not types:
        yield "properties.properties.instanceTypes is empty (jobs run without limits)."
        return
    if dig(inner, "defaultInstanceType") not in types:
        yield "properties.properties.defaultInstanceType does not name one of its instance types."
    cap = float(config["maxGpusPerInstance"])
    for name, schema in sorted(types.items()):
        limits = dig(schema, "resources", "limits")
        missing = [k for k in ("cpu", "memory") if not dig(limits, k)]
        if missing:
            yield f"instance type {name} has no {' or '.join(missing)} limit."
        gpus = number(dig(limits, "nvidia.com/gpu")) or 0.0
        if gpus > cap:
            yield f"instance type {name} asks for {fmt_number(gpus)} GPUs; the cap is {fmt_number(cap)}."
