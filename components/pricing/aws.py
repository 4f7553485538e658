"""Pricers for AWS resource types (``aws:*``), by the inputs of pulumi-aws v7.

Quirks: an interface VPC endpoint bills per AZ (one network interface per subnet); a NAT
gateway per gateway (one per AZ when each AZ has its own); EKS bills its control plane
whether nodes run or not; a SageMaker real-time endpoint bills every instance-hour
(scale-to-zero only with managed instance scaling to 0); serverless inference, Lambda,
Step Functions, pipelines and storage bill only by use."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..aws import facts
from .estimate import (
    BUDGET_AMOUNTS,
    Quote,
    Resource,
    Stack,
    flat,
    free,
    number,
    optional_number,
    pricer,
)

ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
SCALING_TARGET = "aws:appautoscaling/target:Target"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
EKS_DEFAULT_INSTANCE_TYPE = "t3.medium"
"""What EKS launches when a node group names no instance type (EKS API reference)."""


def _instances(quote: Quote, service: str, instance_type: str, low: float, high: float) -> None:
    """``low``..``high`` instances of a type, with the accelerators of those at ``low``."""
    quote.scaled(service, instance_type, low, high)
    per_instance = facts.accelerator_count(instance_type.removeprefix("ml."))
    quote.accelerators(low * (per_instance or 0))


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value or [] if isinstance(v, Mapping)] if isinstance(value, list) else []


# -- SageMaker -----------------------------------------------------------------------


def _endpoint_names(config: Resource, stack: Stack) -> list[str]:
    """Names of the endpoints that serve ``config``: by config name, else the endpoints
    created beside it (same parent component; config names are often auto-generated)."""
    config_name = config.inputs.get("name")
    names = []
    for endpoint in stack.of_type(ENDPOINT):
        same = config_name is not None and endpoint.inputs.get("endpointConfigName") == config_name
        if same or (config_name is None and endpoint.parent == config.parent):
            name = endpoint.inputs.get("name")
            if isinstance(name, str):
                names.append(name)
    return names


def _scaling_target(stack: Stack, resource_ids: set[str]) -> Resource | None:
    for target in stack.of_type(SCALING_TARGET):
        if target.inputs.get("resourceId") in resource_ids:
            return target
    return None


@pricer(ENDPOINT_CONFIG)
def sagemaker_endpoint_config(resource: Resource, stack: Stack, quote: Quote) -> None:
    """Instance variants: baseline at the scaling minimum (managed instance scaling, else
    the Application Auto Scaling target, else the initial count), maximum at the scaling
    maximum. Serverless variants: usage per second at their memory size, plus their
    provisioned concurrency around the clock."""
    endpoints = _endpoint_names(resource, stack)
    variants = _items(resource.inputs.get("productionVariants")) + _items(
        resource.inputs.get("shadowProductionVariants")
    )
    for variant in variants:
        serverless = variant.get("serverlessConfig")
        if isinstance(serverless, Mapping):
            memory = int(number(serverless.get("memorySizeInMb")))
            sku = f"serverless-{memory}mb"
            quote.per_use("sagemaker-serverless", sku, f"serverless inference at {memory} MB")
            provisioned = number(serverless.get("provisionedConcurrency"))
            if provisioned:
                quote.always_on("sagemaker-serverless", f"provisioned-{memory}mb", provisioned)
            continue
        instance_type = str(variant.get("instanceType") or "")
        if not instance_type:
            continue
        initial = number(variant.get("initialInstanceCount"), 1.0)
        low = high = initial
        managed = variant.get("managedInstanceScaling")
        target = _scaling_target(
            stack, {f"endpoint/{e}/variant/{variant.get('variantName')}" for e in endpoints}
        )
        if isinstance(managed, Mapping) and managed.get("status") == "ENABLED":
            low = number(managed.get("minInstanceCount"))
            high = number(managed.get("maxInstanceCount"), initial)
        elif target is not None:
            low = number(target.inputs.get("minCapacity"), initial)
            high = number(target.inputs.get("maxCapacity"), initial)
        _instances(quote, "sagemaker-hosting", instance_type, low, max(low, high))
        if low > 0:
            quote.note(f"{instance_type} cannot scale below {low:g} instance(s)")


@pricer("aws:sagemaker/notebookInstance:NotebookInstance")
def sagemaker_notebook(resource: Resource, stack: Stack, quote: Quote) -> None:
    """Billed per hour while running; counted as always on (stopping it is a user action)."""
    instance_type = str(resource.inputs.get("instanceType") or "")
    _instances(quote, "sagemaker-notebook", instance_type, 1, 1)


def _parameter_defaults(definition: Mapping[str, Any]) -> dict[str, Any]:
    return {str(p.get("Name")): p.get("DefaultValue") for p in _items(definition.get("Parameters"))}


STEP_RESOURCES = {
    "Processing": ("sagemaker-processing", ("ProcessingResources", "ClusterConfig")),
    "Training": ("sagemaker-training", ("ResourceConfig",)),
    "Transform": ("sagemaker-batch-transform", ("TransformResources",)),
}


@pricer("aws:sagemaker/pipeline:Pipeline")
def sagemaker_pipeline(resource: Resource, stack: Stack, quote: Quote) -> None:
    """Each processing, training and transform step bills per instance-hour while it runs:
    usage at the step's instance type (parameters at their default value)."""
    text = resource.inputs.get("pipelineDefinition")
    try:
        definition = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        definition = {}
    defaults = _parameter_defaults(definition) if isinstance(definition, Mapping) else {}
    for step in _items(definition.get("Steps") if isinstance(definition, Mapping) else None):
        kind = STEP_RESOURCES.get(str(step.get("Type")))
        if kind is None:
            continue
        service, path = kind
        node: Any = step.get("Arguments") or {}
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if not isinstance(node, Mapping):
            continue
        instance_type = node.get("InstanceType")
        if isinstance(instance_type, Mapping) and isinstance(instance_type.get("Get"), str):
            instance_type = defaults.get(instance_type["Get"].removeprefix("Parameters."))
        if isinstance(instance_type, str):
            quote.per_use(service, instance_type, f"step {step.get('Name')} per instance-hour")


@pricer("aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer")
def sagemaker_mlflow(resource: Resource, stack: Stack, quote: Quote) -> None:
    """A tracking server bills per hour from creation to deletion, by size."""
    size = str(resource.inputs.get("trackingServerSize") or "Small")
    quote.always_on("sagemaker-mlflow", size.lower())


@pricer(
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule",
)
def sagemaker_monitoring(resource: Resource, stack: Stack, quote: Quote) -> None:
    """Monitoring jobs bill per instance-hour at processing prices while they run."""
    inputs = resource.inputs
    cluster = (inputs.get("jobResources") or {}).get("clusterConfig")
    if cluster is None:
        job = (inputs.get("monitoringScheduleConfig") or {}).get("monitoringJobDefinition") or {}
        cluster = (job.get("monitoringResources") or {}).get("clusterConfig")
    instance_type = (cluster or {}).get("instanceType")
    if isinstance(instance_type, str):
        quote.per_use("sagemaker-processing", instance_type, "monitoring job per instance-hour")
    else:
        quote.note("runs on the job definition it names")


@pricer("aws:sagemaker/featureGroup:FeatureGroup")
def sagemaker_feature_group(resource: Resource, stack: Stack, quote: Quote) -> None:
    """The offline store is S3 storage; the online store bills per read/write and GB."""
    if resource.inputs.get("onlineStoreConfig"):
        quote.per_use("sagemaker-feature-store", "online-storage", "online store storage")
    if resource.inputs.get("offlineStoreConfig"):
        quote.per_use("s3", "STANDARD", "offline store data in S3")


# -- Compute -------------------------------------------------------------------------


@pricer("aws:eks/cluster:Cluster")
def eks_cluster(resource: Resource, stack: Stack, quote: Quote) -> None:
    """The control plane bills per hour, nodes or not (standard support)."""
    quote.always_on("eks", "cluster-standard-support")
    quote.note("a Kubernetes version in extended support bills cluster-extended-support instead")


@pricer("aws:eks/nodeGroup:NodeGroup")
def eks_node_group(resource: Resource, stack: Stack, quote: Quote) -> None:
    """Nodes at scalingConfig min (baseline) and max, priced at the first instance type
    on demand; Spot capacity is noted, not discounted."""
    types = [str(t) for t in resource.inputs.get("instanceTypes") or []] or [
        EKS_DEFAULT_INSTANCE_TYPE
    ]
    scaling = resource.inputs.get("scalingConfig") or {}
    low = number(scaling.get("minSize"))
    high = number(scaling.get("maxSize"), low)
    _instances(quote, "ec2", types[0], low, high)
    if resource.inputs.get("capacityType") == "SPOT":
        quote.note("Spot capacity: priced on demand; Spot runs up to 90 % below")


@pricer("aws:ec2/instance:Instance")
def ec2_instance(resource: Resource, stack: Stack, quote: Quote) -> None:
    _instances(quote, "ec2", str(resource.inputs.get("instanceType") or ""), 1, 1)


def _task_definition(service: Resource, stack: Stack) -> Resource | None:
    reference = str(service.inputs.get("taskDefinition") or "")
    for task in stack.of_type(TASK_DEFINITION):
        family = task.inputs.get("family")
        if isinstance(family, str) and (
            reference == family or f":task-definition/{family}:" in reference
        ):
            return task
    siblings = [t for t in stack.of_type(TASK_DEFINITION) if t.parent == service.parent]
    return siblings[0] if len(siblings) == 1 else None


@pricer("aws:ecs/service:Service")
def ecs_service(resource: Resource, stack: Stack, quote: Quote) -> None:
    """Fargate tasks: vCPU-hours and GB-hours of the task definition, desiredCount at
    baseline (0 for a service that scales to zero) and the autoscaling maximum."""
    if resource.inputs.get("launchType") not in (None, "FARGATE") and not resource.inputs.get(
        "capacityProviderStrategies"
    ):
        quote.note("EC2 launch type: billed through its instances")
        return
    task = _task_definition(resource, stack)
    if task is None:
        quote.missing.append("task definition of the service")
        return
    cpu = number(task.inputs.get("cpu")) / 1024
    memory = number(task.inputs.get("memory")) / 1024
    desired = number(resource.inputs.get("desiredCount"), 1.0)
    cluster = str(resource.inputs.get("cluster") or "").rsplit("/", 1)[-1]
    name = resource.inputs.get("name")
    target = _scaling_target(stack, {f"service/{cluster}/{name}"}) if name else None
    low = number(target.inputs.get("minCapacity"), desired) if target else desired
    high = number(target.inputs.get("maxCapacity"), desired) if target else desired
    quote.scaled("fargate", "vcpu", low * cpu, high * cpu)
    quote.scaled("fargate", "memory", low * memory, high * memory)


def _services_of(task: Resource, stack: Stack) -> list[Resource]:
    return [
        s for s in stack.of_type("aws:ecs/service:Service") if _task_definition(s, stack) is task
    ]


@pricer(TASK_DEFINITION)
def ecs_task_definition(resource: Resource, stack: Stack, quote: Quote) -> None:
    """A task definition run by an ECS service is billed through the service. One run
    otherwise (by an EventBridge rule or Scheduler target, ``RunTask``) bills Fargate
    vCPU-hours and GB-hours while a task runs: plus usage, per run-hour of its cpu and
    memory at the catalogue's Fargate unit prices."""
    if _services_of(resource, stack):
        quote.note("billed through the ECS service that runs it")
        return
    if "FARGATE" not in (resource.inputs.get("requiresCompatibilities") or []):
        quote.note("EC2 launch type: billed through its instances")
        return
    cpu = number(resource.inputs.get("cpu")) / 1024
    memory = number(resource.inputs.get("memory")) / 1024
    quote.per_use("fargate", "vcpu", f"{cpu:g} vCPU per task run-hour")
    quote.per_use("fargate", "memory", f"{memory:g} GB of memory per task run-hour")
    quote.note("run on a schedule or on demand: billed per second while a task runs")


@pricer("aws:ec2/flowLog:FlowLog")
def flow_log(resource: Resource, stack: Stack, quote: Quote) -> None:
    """Flow logs are vended logs: delivery bills per GB ingested at the vended-logs price
    of the destination (CloudWatch Logs or S3), never free. Unpriced while the catalogue
    has no vended-logs price for the region."""
    destination = str(resource.inputs.get("logDestinationType") or "cloud-watch-logs")
    sku = (
        "vended-logs-ingestion"
        if destination == "cloud-watch-logs"
        else f"vended-logs-{destination}"
    )
    quote.per_use("cloudwatch", sku, "flow log data delivered (vended logs)")


@pricer("aws:sfn/stateMachine:StateMachine")
def state_machine(resource: Resource, stack: Stack, quote: Quote) -> None:
    if resource.inputs.get("type") == "EXPRESS":
        quote.per_use("stepfunctions", "express-requests", "express executions")
    else:
        quote.per_use("stepfunctions", "standard-transitions", "state transitions")


@pricer("aws:codebuild/project:Project")
def codebuild_project(resource: Resource, stack: Stack, quote: Quote) -> None:
    compute = str((resource.inputs.get("environment") or {}).get("computeType") or "")
    quote.per_use("codebuild", compute, "build minutes")


# -- Network, keys, storage, logs ----------------------------------------------------


@pricer("aws:ec2/vpcEndpoint:VpcEndpoint")
def vpc_endpoint(resource: Resource, stack: Stack, quote: Quote) -> None:
    """Gateway endpoints (S3, DynamoDB) are free; interface endpoints bill per AZ-hour:
    one per subnet."""
    kind = resource.inputs.get("vpcEndpointType") or "Gateway"
    if kind == "Gateway":
        quote.note("gateway endpoints have no charge")
        return
    zones = max(1, len(resource.inputs.get("subnetIds") or []))
    quote.always_on("privatelink", "interface-endpoint", zones)
    quote.per_use("privatelink", "interface-endpoint-data", "data processed")
    quote.note(f"{kind} endpoint in {zones} AZ(s)")


@pricer("aws:lb/loadBalancer:LoadBalancer")
def load_balancer(resource: Resource, stack: Stack, quote: Quote) -> None:
    kind = str(resource.inputs.get("loadBalancerType") or "application")
    quote.always_on("elb", kind)
    quote.per_use("elb", f"{kind}-lcu", "capacity units")


@pricer("aws:ssm/parameter:Parameter")
def ssm_parameter(resource: Resource, stack: Stack, quote: Quote) -> None:
    if resource.inputs.get("tier") in ("Advanced", "Intelligent-Tiering"):
        quote.always_on("ssm", "advanced-parameter")
    else:
        quote.note("standard parameters have no charge")


flat(
    "aws:lambda/function:Function",
    usage=(
        ("lambda", "requests", "invocations"),
        ("lambda", "duration-x86", "duration at the configured memory"),
    ),
)
flat(
    "aws:apigateway/restApi:RestApi", usage=(("apigateway", "rest-requests", "REST API requests"),)
)
flat("aws:apigatewayv2/api:Api", usage=(("apigateway", "http-requests", "HTTP API requests"),))
flat(
    "aws:ec2/natGateway:NatGateway",
    always=(("vpc", "nat-gateway"),),
    usage=(("vpc", "nat-gateway-data", "data processed"),),
)
flat("aws:ec2/eip:Eip", always=(("vpc", "public-ipv4"),))
flat(
    "aws:kms/key:Key",
    always=(("kms", "customer-managed-key"),),
    usage=(("kms", "requests", "API requests"),),
)
flat(
    "aws:s3/bucket:Bucket",
    usage=(("s3", "STANDARD", "data stored (S3 Standard; lifecycle rules move it down)"),),
)
flat("aws:ecr/repository:Repository", usage=(("ecr", "storage", "images stored"),))
flat(
    "aws:cloudwatch/logGroup:LogGroup",
    usage=(
        ("cloudwatch", "logs-ingestion", "log data ingested"),
        ("cloudwatch", "logs-storage", "log data retained"),
    ),
)
flat("aws:cloudwatch/metricAlarm:MetricAlarm", always=(("cloudwatch", "alarm-standard"),))
flat("aws:sns/topic:Topic", usage=(("sns", "requests", "publishes"),))
flat("aws:sqs/queue:Queue", usage=(("sqs", "standard-requests", "requests"),))
flat("aws:scheduler/schedule:Schedule", usage=(("scheduler", "invocations", "invocations"),))

BUDGET_AMOUNTS["aws:budgets/budget:Budget"] = lambda inputs: optional_number(
    inputs.get("limitAmount")
)

free(
    "no charge for the resource itself",
    "aws:iam/role:Role",
    "aws:autoscaling/tag:Tag",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/instanceProfile:InstanceProfile",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/route:Route",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketNotification:BucketNotification",
    "aws:kms/alias:Alias",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
    "aws:appautoscaling/target:Target",
    "aws:appautoscaling/policy:Policy",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "aws:lambda/permission:Permission",
    "aws:apigateway/deployment:Deployment",
    "aws:apigateway/stage:Stage",
    "aws:apigateway/resource:Resource",
    "aws:apigateway/method:Method",
    "aws:apigateway/integration:Integration",
    "aws:apigatewayv2/stage:Stage",
    "aws:apigatewayv2/route:Route",
    "aws:apigatewayv2/integration:Integration",
    "aws:apigatewayv2/authorizer:Authorizer",
    "aws:apigatewayv2/apiMapping:ApiMapping",
    "aws:apigatewayv2/domainName:DomainName",
    "aws:eks/accessEntry:AccessEntry",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    "aws:eks/addon:Addon",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    "aws:ecs/cluster:Cluster",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
    "aws:lb/targetGroup:TargetGroup",
    "aws:lb/listener:Listener",
    "aws:servicequotas/serviceQuota:ServiceQuota",
)
free(
    "billed through the resources that use it",
    "aws:sagemaker/model:Model",
    "aws:sagemaker/endpoint:Endpoint",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
    "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy",
)
free(
    "Studio itself is free; its apps bill per instance-hour while running (usage)",
    "aws:sagemaker/domain:Domain",
    "aws:sagemaker/userProfile:UserProfile",
)
free(
    "AWS Budgets without actions and Cost Anomaly Detection have no charge",
    "aws:budgets/budget:Budget",
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor",
    "aws:costexplorer/anomalySubscription:AnomalySubscription",
)

free(
    "billed through the repositories it fills (images stored)",
    "aws:ecr/pullThroughCacheRule:PullThroughCacheRule",
)
