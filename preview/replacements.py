"""Which input changes replace a resource, and which replacements lose something.

The providers' schemas mark replace-on-change properties (Terraform's ``ForceNew``,
surfaced by the bridged ``aws`` and ``gcp`` providers; ``x-ms-mutability`` without
``update`` and the URL path parameters in ``azure-native``), but the installed Python
SDKs do not carry the schema. ``REPLACED_BY`` is that knowledge for the resource types
the project creates or is about to create, as a documented table; a type that is not in
it is assumed to update in place, and the diff says so ("replacement unknown").

Sources, per type: the argument reference of the type's page in the Pulumi Registry and
the matching Terraform provider page ("Changing this forces a new resource"), e.g.
https://www.pulumi.com/registry/packages/aws/api-docs/sagemaker/endpointconfiguration/
and https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sagemaker_endpoint_configuration;
for Azure the REST API's resource URL (every path parameter names the resource) and the
service docs of properties fixed at creation (an AKS node pool's VM size:
https://learn.microsoft.com/azure/aks/resize-node-pool; an Azure ML online deployment's
instance type: https://learn.microsoft.com/azure/machine-learning/how-to-deploy-online-endpoints).
The SageMaker API has no update call for endpoint configurations, models and
monitoring job definitions, so every input but tags replaces them.

A replacement is a *hazard* (``hazards``) when the resource

- is protected (``protect``): ``pulumi up`` refuses to replace it and stops;
- holds state (``STATEFUL``): the replacement starts empty, the old data goes with the
  old resource unless it is retained, and then it is orphaned;
- keeps a fixed physical name (``FIXED_NAME`` set in its inputs and unchanged): the new
  resource cannot be created beside the old one under the same name, so it is deleted
  first (downtime), or the create fails. A replacement that also changes the name (the
  SageMaker endpoint's generation, ``components/aws/sagemaker_endpoint.py``) creates
  the new one first and is no hazard by its name. Some names are not reusable for a while after deletion (KMS key
  rings never, workload identity pools for 30 days, Key Vault names for the soft-delete
  period).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .paths import matches

EVERYTHING = "*"
"""Every input but the metadata ones (``METADATA``) replaces the resource."""
METADATA = ("tags", "tagsAll", "labels", "description", "displayName")

# Azure Resource Manager: the resource group, the location and the resource's own name
# are in the resource's URL or fixed at creation.
_ARM = ("resourceGroupName", "location")
_CHILD = ("resourceGroupName",)
"""A child resource (a subnet, a container, a key) has no location of its own."""

REPLACED_BY: Mapping[str, tuple[str, ...]] = {
    # -- AWS ------------------------------------------------------------------------
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": (EVERYTHING,),
    "aws:sagemaker/model:Model": (EVERYTHING,),
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": (EVERYTHING,),
    "aws:sagemaker/endpoint:Endpoint": ("name",),
    "aws:sagemaker/pipeline:Pipeline": ("pipelineName",),
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": ("name",),
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": ("modelPackageGroupName",),
    "aws:sagemaker/featureGroup:FeatureGroup": (
        "featureGroupName",
        "recordIdentifierFeatureName",
        "eventTimeFeatureName",
        "offlineStoreConfig",
        "onlineStoreConfig.enableOnlineStore",
        "onlineStoreConfig.securityConfig",
        "roleArn",
    ),
    "aws:sagemaker/domain:Domain": ("domainName", "authMode", "vpcId", "kmsKeyId"),
    "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer": ("trackingServerName",),
    "aws:s3/bucket:Bucket": ("bucket", "bucketPrefix", "objectLockEnabled"),
    "aws:s3/bucketNotification:BucketNotification": ("bucket",),
    # The bucket's settings resources are keyed by their bucket (``bucket``: ForceNew /
    # RequiresReplace in terraform-provider-aws internal/service/s3/bucket_*.go; "Changing
    # this forces a new resource" on each Registry page, e.g.
    # https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketversioning/).
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ("bucket",),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ("bucket",),
    "aws:s3/bucketPolicy:BucketPolicy": ("bucket",),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ("bucket",),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "bucket",
    ),
    "aws:s3/bucketVersioning:BucketVersioning": ("bucket",),
    "aws:lambda/function:Function": ("name", "packageType"),
    "aws:sfn/stateMachine:StateMachine": ("name", "namePrefix", "type"),
    "aws:sqs/queue:Queue": ("name", "namePrefix", "fifoQueue"),
    "aws:scheduler/schedule:Schedule": ("name", "namePrefix", "groupName"),
    # terraform-provider-aws internal/service/kms/key.go: customer_master_key_spec,
    # custom_key_store_id, key_usage, multi_region are ForceNew. The installed SDK has no
    # ``keySpec`` input (``customerMasterKeySpec`` is the key spec, not deprecated there).
    "aws:kms/key:Key": ("customerMasterKeySpec", "customKeyStoreId", "keyUsage", "multiRegion"),
    "aws:kms/alias:Alias": ("name", "namePrefix"),
    "aws:iam/role:Role": ("name", "namePrefix", "path"),
    "aws:iam/rolePolicy:RolePolicy": ("name", "namePrefix", "role"),
    # internal/service/iam/role_policy_attachment.go: role and policy_arn ForceNew (there
    # is no update: the attachment is detached and attached again).
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("role", "policyArn"),
    # internal/service/appautoscaling/target.go and policy.go: a target is keyed by
    # resource_id, scalable_dimension and service_namespace (ForceNew); a policy by those
    # and its name (ForceNew). min/max capacity and the policy's configuration update.
    "aws:appautoscaling/target:Target": ("resourceId", "scalableDimension", "serviceNamespace"),
    "aws:appautoscaling/policy:Policy": (
        "name",
        "resourceId",
        "scalableDimension",
        "serviceNamespace",
    ),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ("url",),
    "aws:cloudwatch/logGroup:LogGroup": ("name", "namePrefix", "logGroupClass"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("name",),
    "aws:cloudwatch/eventRule:EventRule": ("name", "namePrefix", "eventBusName"),
    "aws:sns/topic:Topic": ("name", "namePrefix", "fifoTopic"),
    "aws:ssm/parameter:Parameter": ("name",),
    "aws:codebuild/project:Project": ("name",),
    "aws:ecr/repository:Repository": ("name", "encryptionConfigurations"),
    "aws:ec2/vpc:Vpc": ("cidrBlock", "instanceTenancy"),
    "aws:ec2/subnet:Subnet": ("vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId"),
    "aws:ec2/securityGroup:SecurityGroup": ("name", "namePrefix", "vpcId", "description"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("vpcId", "serviceName", "vpcEndpointType"),
    "aws:eks/nodeGroup:NodeGroup": (
        "clusterName",
        "nodeGroupName",
        "nodeGroupNamePrefix",
        "nodeRoleArn",
        "subnetIds",
        "instanceTypes",
        "capacityType",
        "diskSize",
        "amiType",
        "remoteAccess",
    ),
    "aws:eks/cluster:Cluster": ("name", "roleArn", "encryptionConfig"),
    "aws:ecs/service:Service": ("name", "cluster", "launchType", "schedulingStrategy"),
    # ECS has no UpdateTaskDefinition: any change registers a new revision and the old
    # one is deregistered (internal/service/ecs/task_definition.go marks every argument
    # ForceNew; hashicorp/terraform-provider-aws issue 23726, pull request 11506 closed).
    "aws:ecs/taskDefinition:TaskDefinition": (EVERYTHING,),
    # internal/service/eks/addon.go: cluster_name and addon_name ForceNew; the version,
    # configuration values, role and pod identity associations go through UpdateAddon.
    "aws:eks/addon:Addon": ("clusterName", "addonName"),
    # -- Azure (azure-native) ---------------------------------------------------------
    "azure-native:resources:ResourceGroup": ("resourceGroupName", "location"),
    "azure-native:storage:StorageAccount": (*_ARM, "accountName", "kind"),
    "azure-native:storage:BlobContainer": (*_CHILD, "accountName", "containerName"),
    "azure-native:keyvault:Vault": (*_ARM, "vaultName", "properties.tenantId"),
    "azure-native:keyvault:Key": (*_CHILD, "vaultName", "keyName", "properties.kty"),
    "azure-native:containerregistry:Registry": (*_ARM, "registryName"),
    "azure-native:operationalinsights:Workspace": (*_ARM, "workspaceName"),
    "azure-native:applicationinsights:Component": (*_ARM, "resourceName"),
    "azure-native:managedidentity:UserAssignedIdentity": (*_ARM, "resourceName"),
    "azure-native:managedidentity:FederatedIdentityCredential": (
        *_CHILD,
        "resourceName",
        "federatedIdentityCredentialResourceName",
    ),
    "azure-native:authorization:RoleAssignment": (
        "scope",
        "roleAssignmentName",
        "principalId",
        "roleDefinitionId",
    ),
    "azure-native:network:VirtualNetwork": (*_ARM, "virtualNetworkName"),
    "azure-native:network:Subnet": (*_CHILD, "virtualNetworkName", "subnetName"),
    "azure-native:containerservice:ManagedCluster": (*_ARM, "resourceName", "dnsPrefix"),
    "azure-native:containerservice:AgentPool": (
        *_CHILD,
        "resourceName",
        "agentPoolName",
        "vmSize",
        "osDiskSizeGB",
        "osDiskType",
        "osType",
        "vnetSubnetID",
        "scaleSetPriority",
        "availabilityZones",
    ),
    "azure-native:machinelearningservices:Workspace": (*_ARM, "workspaceName"),
    "azure-native:machinelearningservices:Compute": (
        *_ARM,
        "workspaceName",
        "computeName",
        "properties.properties.vmSize",
        "properties.properties.vmPriority",
        "properties.properties.subnet",
    ),
    "azure-native:machinelearningservices:OnlineEndpoint": (
        *_ARM,
        "workspaceName",
        "endpointName",
        "properties.authMode",
    ),
    "azure-native:machinelearningservices:OnlineDeployment": (
        *_ARM,
        "workspaceName",
        "endpointName",
        "deploymentName",
        "properties.instanceType",
    ),
    # -- Google Cloud -----------------------------------------------------------------
    "gcp:storage/bucket:Bucket": ("name", "location", "project"),
    "gcp:kms/keyRing:KeyRing": ("name", "location", "project"),
    "gcp:kms/cryptoKey:CryptoKey": ("name", "keyRing", "purpose", "importOnly"),
    "gcp:artifactregistry/repository:Repository": (
        "repositoryId",
        "location",
        "project",
        "format",
        "kmsKeyName",
        "mode",
    ),
    "gcp:compute/network:Network": ("name", "project", "autoCreateSubnetworks"),
    "gcp:compute/subnetwork:Subnetwork": ("name", "network", "region", "project"),
    "gcp:compute/router:Router": ("name", "network", "region"),
    "gcp:compute/routerNat:RouterNat": ("name", "router", "region"),
    "gcp:compute/globalAddress:GlobalAddress": ("name", "address", "prefixLength", "network"),
    "gcp:compute/firewall:Firewall": ("name", "network", "direction"),
    "gcp:serviceaccount/account:Account": ("accountId", "project"),
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": ("bucketId", "location", "project"),
    "gcp:logging/projectSink:ProjectSink": ("name", "project"),
    "gcp:container/cluster:Cluster": ("name", "location", "project", "network"),
    "gcp:container/nodePool:NodePool": (
        "name",
        "namePrefix",
        "cluster",
        "location",
        "project",
        "nodeConfig.guestAccelerators",
        "nodeConfig.spot",
        "nodeConfig.preemptible",
        "placementPolicy",
    ),
    "gcp:vertex/aiEndpoint:AiEndpoint": (
        "name",
        "location",
        "project",
        "network",
        "encryptionSpec",
        "dedicatedEndpointEnabled",
    ),
    "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": ("workloadIdentityPoolId", "project"),
    "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": (
        "workloadIdentityPoolId",
        "workloadIdentityPoolProviderId",
        "project",
    ),
    "gcp:bigquery/dataset:Dataset": ("datasetId", "location", "project"),
    # Merged architectures' protected types (Azure ML registry, Vertex metadata and
    # TensorBoard): the ARM name and location; the provider's ForceNew fields (a metadata
    # store has no update method at all; a TensorBoard updates only names and labels).
    "azure-native:machinelearningservices:Registry": (*_ARM, "registryName"),
    "gcp:vertex/aiMetadataStore:AiMetadataStore": (EVERYTHING,),
    "gcp:vertex/aiTensorboard:AiTensorboard": ("region", "project", "encryptionSpec"),
}
"""Resource type -> input path patterns whose change replaces the resource."""

STATEFUL = frozenset(
    {
        "aws:s3/bucket:Bucket",
        "aws:kms/key:Key",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:ecr/repository:Repository",
        "aws:sagemaker/featureGroup:FeatureGroup",
        "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
        "aws:sagemaker/domain:Domain",
        "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer",
        "azure-native:storage:StorageAccount",
        "azure-native:storage:BlobContainer",
        "azure-native:keyvault:Vault",
        "azure-native:keyvault:Key",
        "azure-native:containerregistry:Registry",
        "azure-native:operationalinsights:Workspace",
        "azure-native:applicationinsights:Component",
        "azure-native:machinelearningservices:Workspace",
        "gcp:storage/bucket:Bucket",
        "gcp:kms/keyRing:KeyRing",
        "gcp:kms/cryptoKey:CryptoKey",
        "gcp:artifactregistry/repository:Repository",
        "gcp:logging/projectBucketConfig:ProjectBucketConfig",
        "gcp:bigquery/dataset:Dataset",
    }
)
"""Types whose replacement starts empty: data, keys, images, models, logs."""

FIXED_NAME: Mapping[str, str] = {
    "aws:sagemaker/endpoint:Endpoint": "name",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": "name",
    "aws:sagemaker/model:Model": "name",
    "aws:sagemaker/pipeline:Pipeline": "pipelineName",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": "modelPackageGroupName",
    "aws:sagemaker/featureGroup:FeatureGroup": "featureGroupName",
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": "name",
    "aws:sagemaker/mlflowTrackingServer:MlflowTrackingServer": "trackingServerName",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:kms/alias:Alias": "name",
    "aws:iam/role:Role": "name",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "name",
    "aws:sns/topic:Topic": "name",
    "aws:ssm/parameter:Parameter": "name",
    "aws:codebuild/project:Project": "name",
    "aws:ecr/repository:Repository": "name",
    "aws:eks/nodeGroup:NodeGroup": "nodeGroupName",
    "aws:lambda/function:Function": "name",
    "azure-native:storage:StorageAccount": "accountName",
    "azure-native:keyvault:Vault": "vaultName",
    "azure-native:containerregistry:Registry": "registryName",
    "azure-native:containerservice:AgentPool": "agentPoolName",
    "azure-native:machinelearningservices:Workspace": "workspaceName",
    "azure-native:machinelearningservices:Compute": "computeName",
    "azure-native:machinelearningservices:OnlineEndpoint": "endpointName",
    "azure-native:machinelearningservices:OnlineDeployment": "deploymentName",
    "gcp:storage/bucket:Bucket": "name",
    "gcp:kms/keyRing:KeyRing": "name",
    "gcp:kms/cryptoKey:CryptoKey": "name",
    "gcp:artifactregistry/repository:Repository": "repositoryId",
    "gcp:container/nodePool:NodePool": "name",
    "gcp:serviceaccount/account:Account": "accountId",
    "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": "workloadIdentityPoolId",
}
"""Type -> the input that holds its physical name, when the program may fix it."""

PROVIDER_PLACEMENT: Mapping[str, tuple[str, ...]] = {
    "pulumi:providers:aws": ("region",),
    "pulumi:providers:azure-native": ("location", "subscriptionId"),
    "pulumi:providers:gcp": ("project", "region"),
}
"""Provider inputs that move every resource of the provider: a change replaces them all."""


def known(type_token: str) -> bool:
    """Whether the table knows the type's replace-on-change inputs."""
    return type_token in REPLACED_BY or type_token in PROVIDER_PLACEMENT


def replacing(type_token: str, path: str) -> bool:
    """Whether a change of ``path`` replaces a ``type_token`` resource."""
    patterns = REPLACED_BY.get(type_token) or PROVIDER_PLACEMENT.get(type_token, ())
    if EVERYTHING in patterns:
        return not any(matches(meta, path) for meta in METADATA)
    return any(matches(pattern, path) for pattern in patterns)


def hazards(base: Mapping[str, Any], head: Mapping[str, Any] | None = None) -> list[str]:
    """Why replacing (``head`` given) or removing (``head`` ``None``) the plan-JSON
    resource ``base`` is dangerous."""
    found: list[str] = []
    if base.get("protect"):
        found.append("protected: `pulumi up` refuses to replace or delete it")
    if base["type"] in STATEFUL:
        kept = "kept outside the stack (retain_on_delete)"
        if head is None:
            found.append(
                f"stateful: {kept}"
                if base.get("retain_on_delete")
                else "stateful: deleted with its data"
            )
        else:
            found.append(
                f"stateful: the old one is {kept} and the new one starts empty"
                if base.get("retain_on_delete")
                else "stateful: the old one is deleted with its data"
            )
    name_input = FIXED_NAME.get(base["type"])
    name = base.get("inputs", {}).get(name_input) if name_input else None
    kept = head is not None and head.get("inputs", {}).get(name_input) == name
    if isinstance(name, str) and kept:
        found.append(
            f"fixed name `{name}` kept: the old one must be deleted before the new one "
            "is created (downtime), else the create fails on the name"
        )
    return found
