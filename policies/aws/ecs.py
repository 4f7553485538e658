"""ECS/Fargate rules (architecture 3's data processing): container hardening, logging
and no public IPs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, dig, document, items, resource_rule, string_list_schema, truthy

TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"

SECURITY = Category.SECURITY
MANDATORY = EnforcementLevel.MANDATORY
ROOT_USERS = ("", "root", "0", "0:0", "root:root")


def _containers(args: ResourceValidationArgs) -> Iterator[tuple[str, Mapping[str, Any]]]:
    value = args.props.get("containerDefinitions")
    if not value:
        return
    try:
        parsed = document(value)
    except ValueError:
        yield "(invalid JSON)", {"privileged": True}
        return
    for index, container in enumerate(parsed if isinstance(parsed, list) else []):
        if isinstance(container, Mapping):
            yield str(container.get("name") or index), container


@resource_rule(
    name="aws-ecs-task-definition-disallow-privileged",
    description="ECS containers must not run privileged.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Remove 'privileged': true from the container definition.",
    references=["FSBP ECS.4", "CKV_AWS_334"],
    resource_types=[TASK_DEFINITION],
)
def privileged(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A privileged container is root on the host with every device attached."""
    for name, container in _containers(args):
        if truthy(container.get("privileged")):
            yield f"container {name} is privileged."


@resource_rule(
    name="aws-ecs-task-definition-require-readonly-or-nonroot",
    description="ECS containers must use a read-only root filesystem or run as a non-root user.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set 'readonlyRootFilesystem': true (with scratch volumes for temp data) or 'user': '1000'.",
    references=["FSBP ECS.5", "CKV_AWS_336"],
    resource_types=[TASK_DEFINITION],
)
def readonly_or_nonroot(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Either control stops a compromised processing job from modifying its own image
    (installing tools, persisting); data jobs rarely need both relaxed."""
    for name, container in _containers(args):
        readonly = truthy(container.get("readonlyRootFilesystem"))
        user = str(container.get("user") or "")
        if not readonly and user in ROOT_USERS:
            yield f"container {name} has a writable root filesystem and runs as root."


@resource_rule(
    name="aws-ecs-task-definition-require-logging",
    description="ECS containers must send logs to a configured log driver (awslogs or FireLens).",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set logConfiguration={'logDriver': 'awslogs', 'options': {...log group, region, prefix...}}.",
    references=["FSBP ECS.9"],
    resource_types=[TASK_DEFINITION],
    config_schema={
        "allowedDrivers": string_list_schema("Accepted log drivers.", ["awslogs", "awsfirelens"])
    },
)
def container_logging(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Fargate keeps no container output; without a driver, job failures are invisible."""
    for name, container in _containers(args):
        driver = dig(container, "logConfiguration", "logDriver")
        if driver not in config["allowedDrivers"]:
            yield f"container {name} has log driver {driver or 'unset'}."


@resource_rule(
    name="aws-ecs-service-disallow-public-ip",
    description="ECS services must not assign public IP addresses to tasks.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set network_configuration.assign_public_ip=False and use private subnets with VPC endpoints or NAT.",
    references=["FSBP ECS.2", "CKV_AWS_333"],
    resource_types=[SERVICE],
)
def service_public_ip(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A public IP exposes every port the security group allows to the internet."""
    if truthy(dig(args.props, "networkConfiguration", "assignPublicIp")):
        yield "networkConfiguration.assignPublicIp is true."


CAPACITY_PROVIDERS = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"


def _strategies(args: ResourceValidationArgs) -> tuple[str, list[Any]]:
    """Where a resource names the capacity providers its tasks run on."""
    if args.resource_type == CAPACITY_PROVIDERS:
        return "defaultCapacityProviderStrategies", items(
            args.props.get("defaultCapacityProviderStrategies")
        )
    if args.resource_type == EVENT_TARGET:
        found = dig(args.props, "ecsTarget", "capacityProviderStrategies")
        return "ecsTarget.capacityProviderStrategies", items(found)
    return "capacityProviderStrategies", items(args.props.get("capacityProviderStrategies"))


@resource_rule(
    name="aws-ecs-disallow-fargate-spot",
    description="ECS tasks must not run on FARGATE_SPOT where interruptions are not acceptable (production).",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.ADVISORY,
    remediation="Use the FARGATE capacity provider (processing capacity: on_demand).",
    references=[
        "none (project rule: interruption-prone capacity is an environment choice, not a public control)"
    ],
    resource_types=[CAPACITY_PROVIDERS, SERVICE, EVENT_TARGET],
)
def fargate_spot(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Fargate Spot stops tasks with two minutes' notice when AWS needs the capacity
    back; a production run that must finish on time pays the On-Demand price. Disabled
    in dev and staging, mandatory in prod (policy config)."""
    path, strategies = _strategies(args)
    for strategy in strategies:
        if isinstance(strategy, Mapping) and strategy.get("capacityProvider") == "FARGATE_SPOT":
            yield f"{path} uses FARGATE_SPOT."
