"""The settings a reviewer decides on, per resource type: the decision table.

A pull-request reviewer of an infrastructure change asks few questions: where does it
run (region), on what (instance / machine types, accelerators) and how many (counts,
autoscaling ranges), how is it hosted (instances, serverless, spot), how long is data and
how well is it kept (retention, protection, deletion), and who can reach it (network
exposure). ``DECISIONS`` names, for every resource type the project creates or is about
to create on the three clouds, the inputs that answer them; the Markdown plan and diff
show those and fold the rest.

Keys are the engine's type tokens and input paths (``preview/paths.py``: camelCase
engine property names, ``[*]`` for any list item, JSON strings walked as objects), as a
plan JSON holds them (``docs/plan-json.md``). Besides this table, every resource's
``protect`` flag is a decision (``resource_decisions``; the plan report shows it on the
stateful types, ``replacements.STATEFUL``, since every child inherits it).

The property names come from each type's page in the Pulumi Registry
(https://www.pulumi.com/registry/packages/aws/api-docs/, .../azure-native/api-docs/,
.../gcp/api-docs/); SageMaker pipeline step arguments from the SageMaker API reference
(CreateTrainingJob ``ResourceConfig``, ``StoppingCondition``; CreateProcessingJob
``ProcessingResources``), which the pipeline definition passes through unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .paths import leaves, matches

REGION = "region"
MACHINE = "machine type"
COUNT = "count"
SCALING = "autoscaling"
ACCELERATOR = "accelerators"
HOSTING = "hosting"
RUNTIME = "run time"
RETENTION = "retention"
PROTECTION = "protection"
EXPOSURE = "network exposure"
CATEGORIES = (
    REGION,
    MACHINE,
    COUNT,
    SCALING,
    ACCELERATOR,
    HOSTING,
    RUNTIME,
    RETENTION,
    PROTECTION,
    EXPOSURE,
)
"""The kinds of decision, in the order a report lists them."""

_STEP = "pipelineDefinition.Steps[*].Arguments"
_AML = "properties.properties"

DECISIONS: Mapping[str, tuple[tuple[str, str], ...]] = {
    # -- AWS ------------------------------------------------------------------------
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": (
        ("productionVariants[*].instanceType", MACHINE),
        ("productionVariants[*].initialInstanceCount", COUNT),
        ("productionVariants[*].acceleratorType", ACCELERATOR),
        ("productionVariants[*].serverlessConfig", HOSTING),
        ("shadowProductionVariants[*].instanceType", MACHINE),
        ("dataCaptureConfig.initialSamplingPercentage", RETENTION),
    ),
    "aws:sagemaker/endpoint:Endpoint": (
        ("deploymentConfig.blueGreenUpdatePolicy.trafficRoutingConfiguration", HOSTING),
    ),
    "aws:appautoscaling/target:Target": (
        ("minCapacity", SCALING),
        ("maxCapacity", SCALING),
    ),
    "aws:sagemaker/pipeline:Pipeline": (
        (f"{_STEP}.ResourceConfig.InstanceType", MACHINE),
        (f"{_STEP}.ResourceConfig.InstanceCount", COUNT),
        (f"{_STEP}.ProcessingResources.ClusterConfig.InstanceType", MACHINE),
        (f"{_STEP}.ProcessingResources.ClusterConfig.InstanceCount", COUNT),
        (f"{_STEP}.StoppingCondition.MaxRuntimeInSeconds", RUNTIME),
        (f"{_STEP}.StoppingCondition.MaxWaitTimeInSeconds", RUNTIME),
        (f"{_STEP}.EnableManagedSpotTraining", HOSTING),
        (f"{_STEP}.NetworkConfig.EnableNetworkIsolation", EXPOSURE),
    ),
    "aws:sagemaker/domain:Domain": (("appNetworkAccessType", EXPOSURE),),
    "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer": (("trackingServerSize", MACHINE),),
    "aws:sagemaker/featureGroup:FeatureGroup": (
        ("onlineStoreConfig.ttlDuration", RETENTION),
        ("onlineStoreConfig.storageType", HOSTING),
    ),
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": (
        ("jobResources.clusterConfig.instanceType", MACHINE),
        ("jobResources.clusterConfig.instanceCount", COUNT),
    ),
    "aws:eks/nodeGroup:NodeGroup": (
        ("instanceTypes", MACHINE),
        ("amiType", ACCELERATOR),
        ("capacityType", HOSTING),
        ("scalingConfig.desiredSize", COUNT),
        ("scalingConfig.minSize", SCALING),
        ("scalingConfig.maxSize", SCALING),
        ("taints", ACCELERATOR),
    ),
    "aws:eks/cluster:Cluster": (
        ("vpcConfig.endpointPublicAccess", EXPOSURE),
        ("vpcConfig.publicAccessCidrs", EXPOSURE),
    ),
    "aws:ecs/service:Service": (
        ("desiredCount", COUNT),
        ("launchType", HOSTING),
        ("capacityProviderStrategies", HOSTING),
        ("networkConfiguration.assignPublicIp", EXPOSURE),
    ),
    "aws:ecs/taskDefinition:TaskDefinition": (
        ("cpu", MACHINE),
        ("memory", MACHINE),
        ("runtimePlatform", MACHINE),
    ),
    "aws:lambda/function:Function": (
        ("memorySize", MACHINE),
        ("architectures", MACHINE),
        ("timeout", RUNTIME),
        ("reservedConcurrentExecutions", SCALING),
    ),
    "aws:lambda/functionUrl:FunctionUrl": (("authorizationType", EXPOSURE),),
    "aws:apigateway/restApi:RestApi": (("endpointConfiguration", EXPOSURE),),
    "aws:apigatewayv2/api:Api": (("disableExecuteApiEndpoint", EXPOSURE),),
    "aws:s3/bucket:Bucket": (
        ("forceDestroy", PROTECTION),
        ("objectLockEnabled", PROTECTION),
    ),
    "aws:s3/bucketVersioning:BucketVersioning": (("versioningConfiguration.status", PROTECTION),),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (
        ("rules[*].expiration", RETENTION),
        ("rules[*].noncurrentVersionExpiration", RETENTION),
        ("rules[*].transitions", RETENTION),
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (
        ("blockPublicAcls", EXPOSURE),
        ("blockPublicPolicy", EXPOSURE),
        ("ignorePublicAcls", EXPOSURE),
        ("restrictPublicBuckets", EXPOSURE),
    ),
    "aws:kms/key:Key": (
        ("deletionWindowInDays", PROTECTION),
        ("enableKeyRotation", PROTECTION),
    ),
    "aws:cloudwatch/logGroup:LogGroup": (("retentionInDays", RETENTION),),
    "aws:ecr/repository:Repository": (("imageTagMutability", PROTECTION),),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": (("policy", RETENTION),),
    "aws:ec2/subnet:Subnet": (("mapPublicIpOnLaunch", EXPOSURE),),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        ("cidrIpv4", EXPOSURE),
        ("cidrIpv6", EXPOSURE),
    ),
    "aws:iam/role:Role": (("assumeRolePolicy.Statement[*].Condition", EXPOSURE),),
    # -- Azure ----------------------------------------------------------------------
    "azure-native:containerservice:ManagedCluster": (
        ("location", REGION),
        ("agentPoolProfiles[*].vmSize", MACHINE),
        ("agentPoolProfiles[*].count", COUNT),
        ("agentPoolProfiles[*].minCount", SCALING),
        ("agentPoolProfiles[*].maxCount", SCALING),
        ("agentPoolProfiles[*].enableAutoScaling", SCALING),
        ("apiServerAccessProfile.enablePrivateCluster", EXPOSURE),
        ("apiServerAccessProfile.authorizedIPRanges", EXPOSURE),
        ("publicNetworkAccess", EXPOSURE),
    ),
    "azure-native:containerservice:AgentPool": (
        ("vmSize", MACHINE),
        ("count", COUNT),
        ("minCount", SCALING),
        ("maxCount", SCALING),
        ("enableAutoScaling", SCALING),
        ("scaleSetPriority", HOSTING),
        ("spotMaxPrice", HOSTING),
        ("nodeTaints", ACCELERATOR),
        ("gpuProfile", ACCELERATOR),
        ("mode", HOSTING),
    ),
    "azure-native:machinelearningservices:Compute": (
        ("location", REGION),
        (f"{_AML}.vmSize", MACHINE),
        (f"{_AML}.vmPriority", HOSTING),
        (f"{_AML}.scaleSettings.minNodeCount", SCALING),
        (f"{_AML}.scaleSettings.maxNodeCount", SCALING),
        (f"{_AML}.scaleSettings.nodeIdleTimeBeforeScaleDown", SCALING),
        (f"{_AML}.remoteLoginPortPublicAccess", EXPOSURE),
        (f"{_AML}.enableNodePublicIp", EXPOSURE),
    ),
    "azure-native:machinelearningservices:OnlineDeployment": (
        ("properties.instanceType", MACHINE),
        ("properties.scaleSettings", SCALING),
        ("sku.capacity", COUNT),
        ("properties.egressPublicNetworkAccess", EXPOSURE),
    ),
    "azure-native:machinelearningservices:OnlineEndpoint": (
        ("properties.publicNetworkAccess", EXPOSURE),
        ("properties.traffic", HOSTING),
    ),
    "azure-native:machinelearningservices:Workspace": (
        ("location", REGION),
        ("publicNetworkAccess", EXPOSURE),
        ("managedNetwork.isolationMode", EXPOSURE),
    ),
    "azure-native:storage:StorageAccount": (
        ("location", REGION),
        ("sku.name", PROTECTION),
        ("publicNetworkAccess", EXPOSURE),
        ("allowBlobPublicAccess", EXPOSURE),
        ("networkRuleSet.defaultAction", EXPOSURE),
    ),
    "azure-native:storage:BlobServiceProperties": (
        ("deleteRetentionPolicy", RETENTION),
        ("containerDeleteRetentionPolicy", RETENTION),
        ("isVersioningEnabled", PROTECTION),
    ),
    "azure-native:storage:ManagementPolicy": (("policy.rules", RETENTION),),
    "azure-native:keyvault:Vault": (
        ("location", REGION),
        ("properties.enablePurgeProtection", PROTECTION),
        ("properties.softDeleteRetentionInDays", RETENTION),
        ("properties.publicNetworkAccess", EXPOSURE),
        ("properties.networkAcls.defaultAction", EXPOSURE),
    ),
    "azure-native:containerregistry:Registry": (
        ("location", REGION),
        ("sku.name", HOSTING),
        ("publicNetworkAccess", EXPOSURE),
        ("policies.retentionPolicy", RETENTION),
    ),
    "azure-native:operationalinsights:Workspace": (
        ("location", REGION),
        ("retentionInDays", RETENTION),
        ("workspaceCapping.dailyQuotaGb", RETENTION),
    ),
    "azure-native:web:WebApp": (("publicNetworkAccess", EXPOSURE),),
    "azure-native:network:VirtualNetwork": (("location", REGION),),
    # -- Google Cloud ---------------------------------------------------------------
    "gcp:container/cluster:Cluster": (
        ("location", REGION),
        ("privateClusterConfig.enablePrivateEndpoint", EXPOSURE),
        ("privateClusterConfig.enablePrivateNodes", EXPOSURE),
        ("masterAuthorizedNetworksConfig", EXPOSURE),
        ("clusterAutoscaling.resourceLimits", SCALING),
    ),
    "gcp:container/nodePool:NodePool": (
        ("location", REGION),
        ("nodeConfig.machineType", MACHINE),
        ("nodeConfig.guestAccelerators", ACCELERATOR),
        ("nodeConfig.spot", HOSTING),
        ("nodeConfig.preemptible", HOSTING),
        ("nodeCount", COUNT),
        ("initialNodeCount", COUNT),
        ("autoscaling.minNodeCount", SCALING),
        ("autoscaling.maxNodeCount", SCALING),
        ("autoscaling.totalMinNodeCount", SCALING),
        ("autoscaling.totalMaxNodeCount", SCALING),
        ("placementPolicy.tpuTopology", ACCELERATOR),
    ),
    "gcp:vertex/aiEndpoint:AiEndpoint": (
        ("location", REGION),
        ("network", EXPOSURE),
        ("dedicatedEndpointEnabled", EXPOSURE),
        ("privateServiceConnectConfig", EXPOSURE),
    ),
    "gcp:vertex/aiEndpointWithModelGardenDeployment:AiEndpointWithModelGardenDeployment": (
        ("location", REGION),
        ("deployConfig.dedicatedResources.machineSpec", MACHINE),
        ("deployConfig.dedicatedResources.minReplicaCount", SCALING),
        ("deployConfig.dedicatedResources.maxReplicaCount", SCALING),
    ),
    "gcp:cloudfunctionsv2/function:Function": (
        ("location", REGION),
        ("serviceConfig.availableMemory", MACHINE),
        ("serviceConfig.maxInstanceCount", SCALING),
        ("serviceConfig.minInstanceCount", SCALING),
        ("serviceConfig.ingressSettings", EXPOSURE),
    ),
    "gcp:storage/bucket:Bucket": (
        ("location", REGION),
        ("storageClass", RETENTION),
        ("retentionPolicy", RETENTION),
        ("softDeletePolicy.retentionDurationSeconds", RETENTION),
        ("lifecycleRules", RETENTION),
        ("forceDestroy", PROTECTION),
        ("versioning.enabled", PROTECTION),
        ("publicAccessPrevention", EXPOSURE),
        ("uniformBucketLevelAccess", EXPOSURE),
    ),
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": (
        ("location", REGION),
        ("retentionDays", RETENTION),
        ("locked", PROTECTION),
    ),
    "gcp:kms/cryptoKey:CryptoKey": (
        ("rotationPeriod", PROTECTION),
        ("destroyScheduledDuration", PROTECTION),
    ),
    "gcp:kms/keyRing:KeyRing": (("location", REGION),),
    "gcp:artifactregistry/repository:Repository": (
        ("location", REGION),
        ("cleanupPolicies", RETENTION),
        ("cleanupPolicyDryRun", RETENTION),
    ),
    "gcp:compute/subnetwork:Subnetwork": (
        ("region", REGION),
        ("privateIpGoogleAccess", EXPOSURE),
    ),
    "gcp:compute/firewall:Firewall": (
        ("sourceRanges", EXPOSURE),
        ("allows", EXPOSURE),
    ),
    "gcp:compute/routerNat:RouterNat": (("region", REGION),),
    "gcp:bigquery/dataset:Dataset": (
        ("location", REGION),
        ("defaultTableExpirationMs", RETENTION),
        ("deleteContentsOnDestroy", PROTECTION),
    ),
    "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": (
        ("attributeCondition", EXPOSURE),
    ),
    # -- Providers: where everything of the stack runs -------------------------------
    "pulumi:providers:aws": (("region", REGION),),
    "pulumi:providers:azure-native": (("location", REGION),),
    "pulumi:providers:gcp": (("region", REGION), ("project", REGION)),
}
"""Resource type -> (input path pattern, category) of each decision it carries."""

PROTECT = "protect"
"""The pseudo input path of a resource's ``protect`` flag (a ``PROTECTION`` decision)."""


@dataclass(frozen=True)
class Decision:
    """One decided value of one resource."""

    category: str
    path: str
    value: Any


def category_of(type_token: str, path: str) -> str | None:
    """The category of the decision ``path`` of a ``type_token`` resource, if it is one."""
    if path == PROTECT:
        return PROTECTION
    for pattern, category in DECISIONS.get(type_token, ()):
        if matches(pattern, path):
            return category
    return None


def resource_decisions(resource: Mapping[str, Any]) -> Iterator[Decision]:
    """The decisions of one plan-JSON resource: its protect flag when set, then every
    leaf of its inputs that the table names, in input order."""
    if resource.get("protect"):
        yield Decision(PROTECTION, PROTECT, True)
    for path, value in leaves(resource.get("inputs", {})):
        category = category_of(resource["type"], path)
        if category is not None:
            yield Decision(category, path, value)
