"""Mocks that answer like the clouds do, so an offline plan reads like a real preview.

Pulumi's stock mocks echo inputs back. A plan built on that has no ARNs, no ids in the
cloud's format and no auto-generated names, so policies and reviewers see values that
never occur in production. ``PlanMocks`` fills in the computed outputs a provider would
return, deterministically (hashes of the URN, never random numbers), so two plans of
the same program are byte-identical and diffs show only real changes.

Lookups (invokes) are answered first by the stack's lookups hook, if any (see
``lookups.py``), then by the built-in mocks below. An invoke neither answers raises
``UnmockedInvokeError`` instead of returning ``{}``: a silently empty result would let a
program take a code path it never takes in the cloud (STYLE rule 15).
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import re
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from .placeholders import (
    AZURE_TENANT_ID,
    aks_oidc_issuer,
    certificate_data,
    eks_endpoint,
    eks_oidc_issuer,
    gcp_service_agent,
    gke_dns_endpoint,
    guid,
)
from .shapes import Rule, Shapes, Site, input_names, resource_class

ACCOUNT_ID = "123456789012"
"""AWS account of every mocked ARN (the documentation account)."""

AZURE_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
AZURE_CLIENT_ID = "00000000-0000-0000-0000-000000000002"
AZURE_OBJECT_ID = "00000000-0000-0000-0000-000000000003"

DEFAULT_REGION = "eu-west-1"
DEFAULT_GCP_PROJECT = "mlops-iac-plan"
DEFAULT_GCP_REGION = "europe-west1"
"""Region of GCP resources and lookups when neither ``gcp:region`` nor the resource says."""
DEFAULT_AZURE_LOCATION = "westeurope"
GCP_PROJECT_NUMBER = "123456789012"

# Python package of each provider, to look up which outputs a resource class declares.
_SDK_PACKAGES = {"aws": "pulumi_aws", "azure-native": "pulumi_azure_native", "gcp": "pulumi_gcp"}

# EC2-style ids: the prefix the cloud uses, then 17 hex digits.
_AWS_ID_PREFIXES = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "sgrule-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/route:Route": "r-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
    "aws:ec2/instance:Instance": "i-",
    "aws:ec2/networkInterface:NetworkInterface": "eni-",
    "aws:ec2/networkAcl:NetworkAcl": "acl-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:efs/fileSystem:FileSystem": "fs-",
}

# Services whose ARNs have no region.
_AWS_GLOBAL_SERVICES = {"iam", "cloudfront", "route53", "organizations", "s3"}

# Modules whose ARN service differs from the Pulumi module name.
_AWS_ARN_SERVICES = {
    "cloudwatch": "cloudwatch",
    "sfn": "states",
    "cognito": "cognito-idp",
    "lb": "elasticloadbalancing",
    "alb": "elasticloadbalancing",
    "efs": "elasticfilesystem",
    "apigateway": "apigateway",
    "apigatewayv2": "apigateway",
}

# (service, resource type, separator) of ARNs that do not follow ``<type>/<name>``.
_AWS_ARN_SHAPES = {
    "aws:cloudwatch/logGroup:LogGroup": ("logs", "log-group", ":"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("cloudwatch", "alarm", ":"),
    "aws:lambda/function:Function": ("lambda", "function", ":"),
    "aws:sfn/stateMachine:StateMachine": ("states", "stateMachine", ":"),
    "aws:sns/topic:Topic": ("sns", "", ""),
    "aws:sqs/queue:Queue": ("sqs", "", ""),
}

_AZURE_NAMESPACES = {
    "resources": "Microsoft.Resources",
    "storage": "Microsoft.Storage",
    "machinelearningservices": "Microsoft.MachineLearningServices",
    "keyvault": "Microsoft.KeyVault",
    "containerregistry": "Microsoft.ContainerRegistry",
    "containerservice": "Microsoft.ContainerService",
    "applicationinsights": "Microsoft.Insights",
    "insights": "Microsoft.Insights",
    "monitor": "Microsoft.Insights",
    "operationalinsights": "Microsoft.OperationalInsights",
    "network": "Microsoft.Network",
    "authorization": "Microsoft.Authorization",
    "managedidentity": "Microsoft.ManagedIdentity",
    "compute": "Microsoft.Compute",
    "costmanagement": "Microsoft.CostManagement",
    "consumption": "Microsoft.Consumption",
    "datafactory": "Microsoft.DataFactory",
    "hybridcompute": "Microsoft.HybridCompute",
    "kubernetesconfiguration": "Microsoft.KubernetesConfiguration",
    "kubernetes": "Microsoft.Kubernetes",
    "web": "Microsoft.Web",
}

_AZURE_ID_PATHS = {
    "azure-native:keyvault:Key": "Microsoft.KeyVault/vaults/{vaultName}/keys/{keyName}",
    "azure-native:keyvault:Secret": "Microsoft.KeyVault/vaults/{vaultName}/secrets/{secretName}",
    "azure-native:network:Subnet": (
        "Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}"
    ),
    "azure-native:network:PrivateDnsZoneGroup": (
        "Microsoft.Network/privateEndpoints/{privateEndpointName}"
        "/privateDnsZoneGroups/{privateDnsZoneGroupName}"
    ),
    "azure-native:privatedns:PrivateZone": "Microsoft.Network/privateDnsZones/{privateZoneName}",
    "azure-native:privatedns:VirtualNetworkLink": (
        "Microsoft.Network/privateDnsZones/{privateZoneName}"
        "/virtualNetworkLinks/{virtualNetworkLinkName}"
    ),
    "azure-native:storage:BlobContainer": (
        "Microsoft.Storage/storageAccounts/{accountName}/blobServices/default"
        "/containers/{containerName}"
    ),
    "azure-native:storage:BlobServiceProperties": (
        "Microsoft.Storage/storageAccounts/{accountName}/blobServices/default"
    ),
    "azure-native:storage:ManagementPolicy": (
        "Microsoft.Storage/storageAccounts/{accountName}/managementPolicies/default"
    ),
    "azure-native:managedidentity:FederatedIdentityCredential": (
        "Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}"
        "/federatedIdentityCredentials/{federatedIdentityCredentialResourceName}"
    ),
    "azure-native:containerservice:AgentPool": (
        "Microsoft.ContainerService/managedClusters/{resourceName}/agentPools/{agentPoolName}"
    ),
    "azure-native:kubernetesconfiguration:Extension": (
        "{clusterRp}/{clusterResourceName}/{clusterName}"
        "/providers/Microsoft.KubernetesConfiguration/extensions/{extensionName}"
    ),
    "azure-native:machinelearningservices:Compute": (
        "Microsoft.MachineLearningServices/workspaces/{workspaceName}/computes/{computeName}"
    ),
    "azure-native:machinelearningservices:OnlineEndpoint": (
        "Microsoft.MachineLearningServices/workspaces/{workspaceName}"
        "/onlineEndpoints/{endpointName}"
    ),
    "azure-native:machinelearningservices:RegistryModelContainer": (
        "Microsoft.MachineLearningServices/registries/{registryName}/models/{modelName}"
    ),
}
"""ARM id templates (after ``/providers/``) of child resources, which sit below their
parent's id; their keys are the resource's inputs naming each level."""

_AZURE_ID_KEYS = {
    token: tuple(re.findall(r"{(\w+)}", path)) for token, path in _AZURE_ID_PATHS.items()
}

_GCP_GLOBAL_COMPUTE = {
    "gcp:compute/network:Network",
    "gcp:compute/firewall:Firewall",
    "gcp:compute/globalAddress:GlobalAddress",
    "gcp:compute/route:Route",
}
"""Compute Engine resources whose ids are ``projects/<p>/global/<kind>/<name>``."""
_GCP_REGIONAL_COMPUTE = {
    "gcp:compute/subnetwork:Subnetwork",
    "gcp:compute/router:Router",
    "gcp:compute/address:Address",
}
"""Compute Engine resources whose ids are ``projects/<p>/regions/<region>/<kind>/<name>``."""

_AZ_DIRECTIONS = {
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}


class UnmockedInvokeError(Exception):
    """A program called a provider function that neither the lookups hook nor
    ``PlanMocks`` answers. ``token`` and ``arguments`` (engine names) say which call."""

    def __init__(self, token: str, args: Mapping[str, Any]) -> None:
        self.token = token
        self.arguments = dict(args)
        shown = json.dumps(self.arguments, sort_keys=True, default=str)
        super().__init__(
            f"no mock for invoke {token!r} (args: {shown}): the offline plan has no "
            "built-in answer for this lookup; supply one in the stack's lookups file "
            "(docs/offline-preview.md#lookups)"
        )


def digest(text: str) -> str:
    """Hex SHA-256 of ``text``: the source of every generated id and suffix."""
    return hashlib.sha256(text.encode()).hexdigest()


def auto_name(name: str, urn: str) -> str:
    """Pulumi's auto-name shape (``name-`` + 7 hex digits), derived from the URN so
    every plan of the same program names things identically."""
    return f"{name}-{digest(urn)[:7]}"


def _uuid(seed: str) -> str:
    return str(uuid.UUID(digest(seed)[:32], version=4))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _kebab(text: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in text).lstrip("-")


def _plural(text: str) -> str:
    """The collection name of a type (``publicIPAddress`` -> ``publicIPAddresses``,
    ``registry`` -> ``registries``); a name ending in a single ``s`` (``redis``) is kept."""
    if text.endswith("y") and not text.endswith(("ay", "ey", "oy")):
        return text[:-1] + "ies"
    if text.endswith(("ss", "sh", "ch", "x", "z")):
        return text + "es"
    return text if text.endswith("s") else text + "s"


def _split_token(token: str) -> tuple[str, str, str]:
    """``aws:s3/bucket:Bucket`` -> (``aws``, ``s3``, ``Bucket``)."""
    parts = token.split(":")
    if len(parts) != 3:
        return parts[0], "", parts[-1]
    return parts[0], parts[1].split("/")[0], parts[2]


def zone_id_prefix(region: str) -> str:
    """AWS zone-id prefix of a region: ``eu-west-1`` -> ``euw1``, ``ap-southeast-2`` -> ``apse2``."""
    parts = region.split("-")
    if len(parts) < 3:
        return region.replace("-", "")
    area, direction, number = parts[0], "".join(parts[1:-1]), parts[-1]
    return f"{area}{_AZ_DIRECTIONS.get(direction, direction[:1])}{number}"


class _ClassIndex:
    """Which output properties a provider's resource class declares (``name``, ``arn``,
    ``bucket``...), so mocks add only outputs the real resource has. Cached per token;
    ``None`` when the class cannot be found (then the caller falls back to a default)."""

    def __init__(self) -> None:
        self._cache: dict[str, frozenset[str] | None] = {}
        self._lock = threading.Lock()

    def outputs(self, token: str) -> frozenset[str] | None:
        with self._lock:
            if token in self._cache:
                return self._cache[token]
        found = self._lookup(token)
        with self._lock:
            self._cache[token] = found
        return found

    @staticmethod
    def _lookup(token: str) -> frozenset[str] | None:
        cls = resource_class(token)
        if cls is None:
            return None
        return frozenset(
            attr for attr, value in inspect.getmembers_static(cls) if isinstance(value, property)
        )


@dataclass
class ProviderView:
    """What a provider (explicit, or the default one configured from the stack file)
    changes in the state of the resources it manages, read from its inputs."""

    package: str
    region: str | None = None
    default_tags: dict[str, Any] = dataclasses.field(default_factory=dict)
    default_labels: dict[str, Any] = dataclasses.field(default_factory=dict)
    project: str | None = None
    location: str | None = None
    subscription: str | None = None

    @classmethod
    def from_inputs(cls, package: str, inputs: Mapping[str, Any]) -> ProviderView:
        """``inputs`` as a provider receives them: engine names, nested values either
        as objects or as JSON text (how the engine passes structured stack config)."""
        tags = _json_object(inputs.get("defaultTags")).get("tags")
        return cls(
            package=package,
            region=_text(inputs.get("region")) or _text(inputs.get("location")),
            default_tags=_json_object(tags),
            default_labels=_json_object(inputs.get("defaultLabels")),
            project=_text(inputs.get("project")),
            location=_text(inputs.get("location")),
            subscription=_text(inputs.get("subscriptionId")),
        )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _json_object(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return dict(value) if isinstance(value, Mapping) else {}


def _system_assigned(path: str) -> Callable[[Mapping[str, Any]], bool]:
    """Whether the identity block at ``path`` asks for a system-assigned identity."""

    def check(state: Mapping[str, Any]) -> bool:
        block = state.get(path)
        return isinstance(block, Mapping) and "SystemAssigned" in str(block.get("type") or "")

    return check


def _present(key: str) -> Callable[[Mapping[str, Any]], bool]:
    """Whether the program set ``key`` (rules below it must not create the block)."""

    def check(state: Mapping[str, Any]) -> bool:
        return isinstance(state.get(key), Mapping)

    return check


def _oidc_enabled(state: Mapping[str, Any]) -> bool:
    profile = state.get("oidcIssuerProfile")
    return isinstance(profile, Mapping) and profile.get("enabled") is True


class PlanMocks(pulumi.runtime.Mocks):
    """Pulumi mocks with realistic computed outputs for AWS, Azure Native and GCP.

    ``region`` is the stack's AWS region: it goes into ARNs, availability zones and
    ``getRegion``; a resource's own ``region`` input or its provider's region wins, as
    in pulumi-aws v7. ``gcp_region`` and ``azure_location`` are the same for the other
    clouds. Providers (explicit ones, and the default ones the recorder configures from
    the stack file) apply their ``defaultTags`` / ``defaultLabels`` / ``location`` as the
    real providers do. ``lookups`` answers invokes before the built-in mocks.

    Nested computed outputs (OIDC issuers, identity blocks, kubelet identities) are set
    by ``shapes.Shapes`` along the SDK's output types, with the rules of ``_rules``.
    """

    def __init__(
        self,
        region: str = DEFAULT_REGION,
        *,
        gcp_project: str = DEFAULT_GCP_PROJECT,
        gcp_region: str = DEFAULT_GCP_REGION,
        azure_location: str = DEFAULT_AZURE_LOCATION,
        azure_subscription: str = AZURE_SUBSCRIPTION_ID,
        lookups: Callable[[str, Mapping[str, Any]], Mapping[str, Any] | None] | None = None,
    ) -> None:
        self.region = region
        self.lookups = lookups
        self.gcp_project = gcp_project
        self.gcp_region = gcp_region
        self.azure_location = azure_location
        self.azure_subscription = azure_subscription
        self._classes = _ClassIndex()
        self._providers: dict[str, ProviderView] = {}
        self._identities: dict[str, tuple[str, str]] = {}
        """Azure user-assigned identity id (lower case) -> (principal id, client id)."""
        self._group_locations: dict[str, str] = {}
        self.shapes = Shapes(self._rules())
        self._invokes: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
            "aws:index/getCallerIdentity:getCallerIdentity": self._aws_caller_identity,
            "aws:index/getRegion:getRegion": self._aws_region,
            "aws:index/getPartition:getPartition": self._aws_partition,
            "aws:index/getAvailabilityZones:getAvailabilityZones": self._aws_zones,
            "aws:iam/getPolicyDocument:getPolicyDocument": self._aws_policy_document,
            "gcp:organizations/getClientConfig:getClientConfig": self._gcp_client_config,
            "gcp:organizations/getProject:getProject": self._gcp_project,
            "gcp:compute/getZones:getZones": self._gcp_zones,
            "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": (
                self._gcp_storage_agent
            ),
            "gcp:bigquery/getDefaultServiceAccount:getDefaultServiceAccount": (
                self._gcp_bigquery_agent
            ),
            "gcp:logging/getProjectCmekSettings:getProjectCmekSettings": (self._gcp_logging_cmek),
            "gcp:container/getEngineVersions:getEngineVersions": self._gcp_engine_versions,
            "azure-native:authorization:getClientConfig": self._azure_client_config,
            "azuredevops:index/getProject:getProject": self._azdo_project,
            "azuredevops:index/getGitRepository:getGitRepository": self._azdo_repository,
        }

    # -- nested computed outputs -------------------------------------------------------

    def _rules(self) -> dict[str, list[Rule]]:
        """What each resource type computes below its top level (see ``shapes.py``)."""
        has_identity = _present("identity")
        identity_user = [
            Rule(
                "identity.userAssignedIdentities{}.principalId",
                self._assigned("principal"),
                has_identity,
            ),
            Rule(
                "identity.userAssignedIdentities{}.clientId", self._assigned("client"), has_identity
            ),
        ]
        system = _system_assigned("identity")
        return {
            # Every azure-native resource with a managed identity: the system-assigned
            # principal, and each user-assigned identity's ids keyed by its resource id.
            "azure-native": [
                Rule("identity.principalId", lambda s: guid(f"{s.urn}#principal"), system),
                Rule("identity.tenantId", lambda s: AZURE_TENANT_ID, system),
                *identity_user,
            ],
            "azure-native:containerservice:ManagedCluster": [
                Rule("oidcIssuerProfile.issuerURL", self._aks_issuer, _oidc_enabled),
                Rule("identityProfile{kubeletidentity}.resourceId", self._kubelet_id),
                Rule("identityProfile{kubeletidentity}.objectId", self._kubelet("principal")),
                Rule("identityProfile{kubeletidentity}.clientId", self._kubelet("client")),
            ],
            # Endpoints and keys Azure computes from a resource's name (the shapes ARM
            # returns, so outputs wired from them are recorded).
            "azure-native:storage:StorageAccount": [
                Rule(
                    f"primaryEndpoints.{service}",
                    lambda s, service=service: (
                        f"https://{s.state.get('accountName')}.{service}.core.windows.net/"
                    ),
                )
                for service in ("blob", "dfs", "file", "queue", "table", "web")
            ],
            "azure-native:containerregistry:Registry": [
                Rule("loginServer", lambda s: f"{s.state.get('registryName')}.azurecr.io"),
            ],
            "azure-native:applicationinsights:Component": [
                Rule("instrumentationKey", lambda s: guid(f"{s.urn}#ikey")),
                Rule("appId", lambda s: guid(f"{s.urn}#app")),
                Rule("connectionString", self._insights_connection),
            ],
            "azure-native:operationalinsights:Workspace": [
                Rule("customerId", lambda s: guid(f"{s.urn}#customer")),
            ],
            # A gateway endpoint's service prefix list (S3, DynamoDB): security group
            # rules allow egress to it.
            "aws:ec2/vpcEndpoint:VpcEndpoint": [
                Rule(
                    "prefixListId",
                    lambda s: f"pl-{digest(s.state.get('serviceName', '') + s.urn)[:8]}",
                    lambda state: state.get("vpcEndpointType") == "Gateway",
                ),
            ],
            "aws:eks/cluster:Cluster": [
                Rule(
                    "identities[].oidcs[].issuer",
                    lambda s: eks_oidc_issuer(self._region_in(s.state), s.urn),
                ),
                Rule("certificateAuthority.data", lambda s: certificate_data(s.urn)),
                Rule("endpoint", lambda s: eks_endpoint(self._region_in(s.state), s.urn)),
            ],
            # GKE: the control plane's endpoints (a kubeconfig is built from them).
            "gcp:container/cluster:Cluster": [
                Rule(
                    "controlPlaneEndpointsConfig.dnsEndpointConfig.endpoint",
                    lambda s: gke_dns_endpoint(self._gke_location(s.state), s.urn),
                ),
                Rule("masterAuth.clusterCaCertificate", lambda s: certificate_data(s.urn)),
                Rule("endpoint", lambda s: "172.16.0.2"),
            ],
            # Values the container architecture wires onwards: a node group's Auto
            # Scaling group (``eks-<node group>-<uuid>``, tagged for the autoscaler), a
            # launch template's version, a repository's URL (image references).
            "aws:eks/nodeGroup:NodeGroup": [
                Rule(
                    "resources[].autoscalingGroups[].name",
                    lambda s: f"eks-{s.urn.rsplit('::', 1)[-1]}-{_uuid(s.urn)}",
                ),
            ],
            "aws:ec2/launchTemplate:LaunchTemplate": [Rule("latestVersion", lambda s: 1)],
            "aws:ecr/repository:Repository": [
                Rule(
                    "repositoryUrl",
                    lambda s: (
                        f"{ACCOUNT_ID}.dkr.ecr.{self._region_in(s.state)}.amazonaws.com/"
                        f"{s.state.get('name')}"
                    ),
                ),
            ],
        }

    def _gke_location(self, state: Mapping[str, Any]) -> str:
        return _text(state.get("location")) or self.gcp_region

    def _insights_connection(self, site: Site) -> str:
        """Application Insights' connection string: its instrumentation key and the
        ingestion endpoint of its location."""
        location = _text(site.state.get("location")) or self.azure_location
        return (
            f"InstrumentationKey={guid(f'{site.urn}#ikey')};"
            f"IngestionEndpoint=https://{location}-0.in.applicationinsights.azure.com/;"
            f"ApplicationId={guid(f'{site.urn}#app')}"
        )

    def _region_in(self, state: Mapping[str, Any]) -> str:
        return _text(state.get("region")) or self.region

    def _identity_ids(self, resource_id: str, seed: str) -> tuple[str, str]:
        known = self._identities.get(resource_id.lower())
        return known or (guid(f"{seed}#principal"), guid(f"{seed}#client"))

    def _assigned(self, which: str) -> Callable[[Site], str]:
        def value(site: Site) -> str:
            principal, client = self._identity_ids(site.path[-2], site.path[-2])
            return principal if which == "principal" else client

        return value

    def _aks_issuer(self, site: Site) -> str:
        location = _text(site.state.get("location")) or self.azure_location
        return aks_oidc_issuer(location, site.urn)

    def _kubelet_id(self, site: Site) -> str:
        """AKS creates the kubelet identity ``<cluster>-agentpool`` in the node resource
        group (``MC_<group>_<cluster>_<location>`` unless ``nodeResourceGroup`` names one)."""
        state = site.state
        cluster = _text(state.get("resourceName")) or _text(state.get("name")) or "cluster"
        group = _text(state.get("resourceGroupName")) or "group"
        location = _text(state.get("location")) or self.azure_location
        nodes = _text(state.get("nodeResourceGroup")) or f"MC_{group}_{cluster}_{location}"
        return (
            f"/subscriptions/{self.azure_subscription}/resourceGroups/{nodes}/providers/"
            f"Microsoft.ManagedIdentity/userAssignedIdentities/{cluster}-agentpool"
        )

    def _kubelet(self, which: str) -> Callable[[Site], str]:
        def value(site: Site) -> str:
            resource_id = str(site.parent.get("resourceId") or "")
            principal, client = self._identity_ids(resource_id, f"{site.urn}#kubelet")
            return principal if which == "principal" else client

        return value

    # -- resources -------------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        """Stock entry point; without a URN the type and name stand in for it."""
        return self.new_resource_at(f"{args.typ}::{args.name}", args)

    def new_resource_at(self, urn: str, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        """Id and output state of the resource at ``urn``: inputs plus what the
        provider would compute. Components get no id and echo their inputs."""
        inputs = dict(args.inputs)
        if args.custom is False:
            return "", inputs
        pkg = args.typ.split(":")[0]
        if pkg == "pulumi" and args.typ.startswith("pulumi:providers:"):
            return self._provider(urn, args.typ, inputs)
        if args.resource_id:
            return args.resource_id, inputs
        if pkg == "aws":
            resource_id, state = self._aws(urn, args, inputs)
        elif pkg == "azure-native":
            resource_id, state = self._azure(urn, args, inputs)
        elif pkg == "gcp":
            resource_id, state = self._gcp(urn, args, inputs)
        elif pkg == "azuredevops":
            return self._azdo(urn, args, inputs)
        else:
            return f"{args.name}-{digest(urn)[:8]}", inputs
        if pkg == "azure-native" or self.shapes.applies(args.typ):
            state = self.shapes.shape(urn, args.typ, state)
        return resource_id, state

    def _provider(self, urn: str, typ: str, inputs: dict) -> tuple[str, dict]:
        provider_id = _uuid(urn)
        self._providers[provider_id] = ProviderView.from_inputs(typ.split(":")[-1], inputs)
        return provider_id, inputs

    def provider_of(self, args: pulumi.runtime.MockResourceArgs) -> ProviderView | None:
        """The provider managing the resource (``None`` without one: plain mocks)."""
        if not args.provider:
            return None
        return self._providers.get(args.provider.rsplit("::", 1)[-1])

    def _region_of(self, args: pulumi.runtime.MockResourceArgs, inputs: Mapping[str, Any]) -> str:
        region = inputs.get("region")
        if isinstance(region, str) and region:
            return region
        provider = self.provider_of(args)
        return (provider.region if provider else None) or self.region

    def _aws(
        self, urn: str, args: pulumi.runtime.MockResourceArgs, inputs: dict
    ) -> tuple[str, dict]:
        typ = args.typ
        _, module, cls_name = _split_token(typ)
        declared = self._classes.outputs(typ)
        region = self._region_of(args, inputs)
        hexed = digest(urn)
        state = dict(inputs)

        name_key = (
            "bucket" if declared and "bucket" in declared and "name" not in declared else "name"
        )
        if declared is not None and name_key in declared and not state.get(name_key):
            state[name_key] = auto_name(args.name, urn)
        physical = state.get(name_key) if isinstance(state.get(name_key), str) else None

        if typ == "aws:kms/key:Key":
            resource_id = _uuid(urn)
            state.setdefault("keyId", resource_id)
        elif typ == "aws:sagemaker/domain:Domain":
            # Domain ids are "d-" and 12 lower-case alphanumerics; SageMaker creates the
            # domain's home EFS file system itself.
            resource_id = "d-" + hexed[:12]
            state.setdefault("homeEfsFileSystemId", "fs-" + hexed[12:29])
        elif typ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            # The provider's id is its ARN, which ends in the URL without its scheme.
            physical = str(inputs.get("url", "")).removeprefix("https://")
            resource_id = self._aws_arn(typ, module, cls_name, region, physical)
        elif typ == "aws:apigatewayv2/api:Api":
            # API ids are 10 lower-case alphanumerics; the endpoint and the execute-api
            # ARN (what Lambda permissions name) derive from the id.
            resource_id = hexed[:10]
            state.setdefault(
                "apiEndpoint", f"https://{resource_id}.execute-api.{region}.amazonaws.com"
            )
            state.setdefault(
                "executionArn", f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{resource_id}"
            )
            state.setdefault("arn", f"arn:aws:apigateway:{region}::/apis/{resource_id}")
        elif typ in _AWS_ID_PREFIXES:
            resource_id = _AWS_ID_PREFIXES[typ] + hexed[:17]
        elif physical:
            resource_id = physical
        else:
            resource_id = f"{args.name}-{hexed[:8]}"

        if declared is None or "arn" in declared:
            state.setdefault(
                "arn", self._aws_arn(typ, module, cls_name, region, physical or resource_id)
            )
        if declared is not None and "region" in declared:
            state.setdefault("region", region)
        if declared is not None and "tagsAll" not in state and "tags_all" in declared:
            # The provider's default tags under the resource's own (pulumi-aws tagsAll).
            provider = self.provider_of(args)
            defaults = provider.default_tags if provider else {}
            state["tagsAll"] = {**defaults, **dict(state.get("tags") or {})}
        if typ == "aws:iam/role:Role":
            state.setdefault("uniqueId", "AROA" + hexed[:17].upper())
        if typ == "aws:s3/bucket:Bucket":
            bucket = state.get("bucket")
            state.setdefault("bucketDomainName", f"{bucket}.s3.amazonaws.com")
            state.setdefault("bucketRegionalDomainName", f"{bucket}.s3.{region}.amazonaws.com")
        return resource_id, state

    @staticmethod
    def _aws_arn(typ: str, module: str, cls_name: str, region: str, name: str) -> str:
        if typ in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
            return f"arn:aws:s3:::{name}"
        if typ == "aws:kms/key:Key":
            return f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/{name}"
        if typ == "aws:kms/alias:Alias":
            return f"arn:aws:kms:{region}:{ACCOUNT_ID}:{name}"
        if typ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            # Named after the issuer's host, one per account and URL (IAM API reference).
            return f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{name}"
        if typ in _AWS_ARN_SHAPES:
            service, kind, sep = _AWS_ARN_SHAPES[typ]
            resource = f"{kind}{sep}{name}" if kind else name
            return f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{resource}"
        service = _AWS_ARN_SERVICES.get(module, module)
        arn_region = "" if service in _AWS_GLOBAL_SERVICES else region
        return f"arn:aws:{service}:{arn_region}:{ACCOUNT_ID}:{_kebab(cls_name)}/{name}"

    def _azure(
        self, urn: str, args: pulumi.runtime.MockResourceArgs, inputs: dict
    ) -> tuple[str, dict]:
        _, module, cls_name = _split_token(args.typ)
        declared = self._classes.outputs(args.typ)
        provider = self.provider_of(args)
        state = dict(inputs)
        name_key = self._azure_name_key(cls_name, inputs, input_names(args.typ))
        name = state.get(name_key) if name_key else None
        if not isinstance(name, str) or not name:
            name = auto_name(args.name, urn)
            if name_key:
                state[name_key] = name
        state.setdefault("name", name)
        namespace = _AZURE_NAMESPACES.get(module, f"Microsoft.{module.capitalize()}")
        kind = _plural(_lower_first(cls_name))
        state.setdefault("type", f"{namespace}/{kind}")
        group = inputs.get("resourceGroupName")
        if declared is not None and "location" in declared and not _text(state.get("location")):
            # The provider's location, else the resource group's (azure-native's default).
            state["location"] = (
                (provider.location if provider else None)
                or (self._group_locations.get(group) if isinstance(group, str) else None)
                or self.azure_location
            )
        sub = (provider.subscription if provider else None) or self.azure_subscription
        subscription = f"/subscriptions/{sub}"
        if args.typ == "azure-native:resources:ResourceGroup":
            self._group_locations[name] = str(state.get("location") or self.azure_location)
            return f"{subscription}/resourceGroups/{name}", state
        scope = f"{subscription}/resourceGroups/{group}" if isinstance(group, str) else subscription
        resource_id = f"{scope}/providers/{namespace}/{kind}/{name}"
        if args.typ == "azure-native:authorization:RoleAssignment" and _text(inputs.get("scope")):
            resource_id = (
                f"{inputs['scope']}/providers/Microsoft.Authorization/roleAssignments/{name}"
            )
        elif args.typ in _AZURE_ID_PATHS:
            # Child resources sit below their parents (the ARM REST API's id template).
            parts = {key: _text(inputs.get(key)) or name for key in _AZURE_ID_KEYS[args.typ]}
            resource_id = f"{scope}/providers/{_AZURE_ID_PATHS[args.typ].format(**parts)}"
        if cls_name == "UserAssignedIdentity":
            state.setdefault("principalId", _uuid(urn + "#principal"))
            state.setdefault("clientId", _uuid(urn + "#client"))
            state.setdefault("tenantId", AZURE_TENANT_ID)
            self._identities[resource_id.lower()] = (state["principalId"], state["clientId"])
        if args.typ == "azure-native:keyvault:Vault" and isinstance(state.get("properties"), dict):
            properties = dict(state["properties"])
            properties.setdefault("vaultUri", f"https://{name}.vault.azure.net/")
            state["properties"] = properties
        if args.typ == "azure-native:keyvault:Key":
            key_uri = f"https://{inputs.get('vaultName')}.vault.azure.net/keys/{name}"
            state.setdefault("keyUri", key_uri)
            state.setdefault("keyUriWithVersion", f"{key_uri}/{digest(urn)[:32]}")
        return resource_id, state

    @staticmethod
    def _azure_name_key(
        cls_name: str, inputs: Mapping[str, Any], declared: frozenset[str]
    ) -> str | None:
        """Azure Native names a resource by a ``<thing>Name`` input (``accountName``,
        ``workspaceName``), which it auto-names when absent; pick the one that names
        this resource, not its parents, among the inputs its Args class declares."""
        if cls_name == "ResourceGroup":
            return "resourceGroupName"
        known = declared or frozenset(inputs)
        # OnlineEndpoint -> onlineEndpointName, then endpointName (its own name key).
        words = re.findall(r"[A-Z][a-z0-9]*", cls_name) or [cls_name]
        suffixes = [f"{_lower_first(''.join(words[i:]))}Name" for i in range(len(words))]
        preferred = [*suffixes, "resourceName", "accountName", "name"]
        for key in preferred:
            if key in known:
                return key
        candidates = sorted(
            k for k in known if k.endswith("Name") and k not in ("resourceGroupName", "skuName")
        )
        return candidates[0] if len(candidates) == 1 else preferred[0]

    def _gcp(
        self, urn: str, args: pulumi.runtime.MockResourceArgs, inputs: dict
    ) -> tuple[str, dict]:
        _, _, cls_name = _split_token(args.typ)
        declared = self._classes.outputs(args.typ)
        provider = self.provider_of(args)
        state = dict(inputs)
        project = (
            _text(state.get("project"))
            or (provider.project if provider else None)
            or self.gcp_project
        )
        region = _text(state.get("region")) or (provider.region if provider else None)
        region = region or self.gcp_region
        if declared is not None and "project" in declared:
            state.setdefault("project", project)
        if declared is not None and "region" in declared:
            state.setdefault("region", region)
        if declared is not None and "effective_labels" in declared:
            # pulumi-gcp: the provider's default labels under the resource's own.
            defaults = provider.default_labels if provider else {}
            merged = {**defaults, **dict(state.get("labels") or {})}
            state.setdefault("effectiveLabels", merged)
            if "pulumi_labels" in declared:
                state.setdefault("pulumiLabels", merged)
        if args.typ == "gcp:serviceaccount/account:Account":
            account = state.get("accountId") or auto_name(args.name, urn)[:30]
            email = f"{account}@{project}.iam.gserviceaccount.com"
            state.setdefault("email", email)
            state.setdefault("member", f"serviceAccount:{email}")
            state.setdefault("name", f"projects/{project}/serviceAccounts/{email}")
            state.setdefault("uniqueId", str(int(digest(urn)[:15], 16)))
            return f"projects/{project}/serviceAccounts/{email}", state
        if args.typ in _GCP_WORKLOAD_IDENTITY:
            # Pools and providers are named by project number (IAM API reference,
            # projects.locations.workloadIdentityPools[.providers]): the name is the
            # audience google-github-actions/auth asks for and what principals refer to.
            pool = f"projects/{GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/"
            pool += str(state.get("workloadIdentityPoolId") or auto_name(args.name, urn))
            provider_id = state.get("workloadIdentityPoolProviderId")
            full = f"{pool}/providers/{provider_id}" if provider_id else pool
            state.setdefault("name", full)
            return full, state
        if args.typ == "gcp:projects/serviceIdentity:ServiceIdentity":
            service = str(state.get("service") or "")
            email = gcp_service_agent(service, GCP_PROJECT_NUMBER)
            state.setdefault("email", email)
            state.setdefault("member", f"serviceAccount:{email}")
            return f"projects/{project}/services/{service}", state
        if declared is not None and "name" in declared and not state.get("name"):
            state["name"] = auto_name(args.name, urn)
        name = state.get("name") if isinstance(state.get("name"), str) else args.name
        if args.typ == "gcp:kms/cryptoKey:CryptoKey" and isinstance(state.get("keyRing"), str):
            # A key's id is its key ring's id and ``/cryptoKeys/<name>``.
            return f"{state['keyRing']}/cryptoKeys/{name}", state
        if args.typ == "gcp:storage/bucket:Bucket":
            state.setdefault("url", f"gs://{name}")
            state.setdefault("selfLink", f"https://www.googleapis.com/storage/v1/b/{name}")
            return str(name), state
        if args.typ == "gcp:kms/keyRing:KeyRing":
            location = _text(state.get("location")) or region
            return f"projects/{project}/locations/{location}/keyRings/{name}", state
        kind = _plural(_lower_first(cls_name))
        if args.typ in _GCP_GLOBAL_COMPUTE:
            # Compute Engine's global resources (pulumi-gcp import formats).
            return f"projects/{project}/global/{kind}/{name}", state
        if args.typ in _GCP_REGIONAL_COMPUTE:
            where = _text(state.get("region")) or region
            return f"projects/{project}/regions/{where}/{kind}/{name}", state
        location = state.get("location") or state.get("region") or state.get("zone") or region
        return f"projects/{project}/locations/{location}/{kind}/{name}", state

    # -- invokes ---------------------------------------------------------------------

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        # The stock monitor iterates the failures, so "none" must be an empty list.
        if self.lookups is not None:
            answer = self.lookups(args.token, args.args)
            if answer is not None:
                return dict(answer), []
        handler = self._invokes.get(args.token)
        if handler is None:
            raise UnmockedInvokeError(args.token, args.args)
        return handler(self._with_provider_defaults(args)), []

    def _with_provider_defaults(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        """The invoke's arguments; for a Google lookup made through a provider (an
        explicit one, e.g. a stack's ``mlops-iac:gcp`` project), that provider's project
        and region where the lookup names none, as pulumi-gcp resolves them."""
        found = dict(args.args)
        provider = self._providers.get(args.provider.rsplit("::", 1)[-1]) if args.provider else None
        if provider is not None and args.token.startswith("gcp:"):
            if provider.project:
                found.setdefault("project", provider.project)
            if provider.region:
                found.setdefault("region", provider.region)
        return found

    def _aws_caller_identity(self, _: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "accountId": ACCOUNT_ID,
            "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/mlops-iac-plan",
            "userId": "AIDAMLOPSIACPLAN00000",
            "id": ACCOUNT_ID,
        }

    def _aws_region(self, args: Mapping[str, Any]) -> dict[str, Any]:
        region = args.get("region") or args.get("name") or self.region
        return {
            "name": region,
            "region": region,
            "id": region,
            "endpoint": f"ec2.{region}.amazonaws.com",
            "description": region,
        }

    def _aws_partition(self, _: Mapping[str, Any]) -> dict[str, Any]:
        from mlops_components.aws import (
            facts,  # botocore's partition data: aws-cn for cn-north-1 ...
        )

        known = facts.is_region(self.region)
        name = facts.partition_of(self.region).name if known else "aws"
        suffix = facts.dns_suffix(self.region) if known else "amazonaws.com"
        return {
            "partition": name,
            "id": name,
            "dnsSuffix": suffix,
            "reverseDnsPrefix": ".".join(reversed(suffix.split("."))),
        }

    def _aws_zones(self, args: Mapping[str, Any]) -> dict[str, Any]:
        region = args.get("region") or self.region
        excluded = set(args.get("excludeNames") or [])
        letters = [c for c in "abc" if f"{region}{c}" not in excluded]
        prefix = zone_id_prefix(region)
        return {
            "id": region,
            "region": region,
            "names": [f"{region}{c}" for c in letters],
            "zoneIds": [f"{prefix}-az{'abc'.index(c) + 1}" for c in letters],
            "groupNames": [region for _ in letters],
            "state": args.get("state") or "available",
        }

    def _aws_policy_document(self, args: Mapping[str, Any]) -> dict[str, Any]:
        document = render_policy_document(args)
        text = json.dumps(document, indent=2)
        return {
            **args,
            "json": text,
            "minifiedJson": json.dumps(document, separators=(",", ":")),
            "id": str(int(digest(text)[:8], 16)),
        }

    def _gcp_client_config(self, args: Mapping[str, Any]) -> dict[str, Any]:
        # `project` and `region` are only present when filled from the invoke's provider.
        project = args.get("project") or self.gcp_project
        region = args.get("region") or self.gcp_region
        zone = gcp_zones(region)[0]
        return {
            "id": f"projects/{project}/regions/{region}/zones/{zone}",
            "project": project,
            "region": region,
            "zone": zone,
            "accessToken": "[mock-access-token]",
        }

    def _gcp_zones(self, args: Mapping[str, Any]) -> dict[str, Any]:
        project = args.get("project") or self.gcp_project
        region = args.get("region") or self.gcp_region
        return {
            "id": f"projects/{project}/regions/{region}",
            "project": project,
            "region": region,
            "names": gcp_zones(region),
            "status": args.get("status") or "UP",
        }

    def _gcp_engine_versions(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """GKE versions of each release channel (placeholders of real versions, see
        ``GKE_VERSIONS``), filtered by ``versionPrefix`` as the API filters them."""
        prefix = str(args.get("versionPrefix") or "")
        valid = [v for v in GKE_VERSIONS.values() if v.startswith(prefix)]
        valid = sorted(set(valid), key=_version_key, reverse=True)
        latest = valid[0] if valid else ""
        location = args.get("location") or self.gcp_region
        return {
            "id": f"projects/{args.get('project') or self.gcp_project}/locations/{location}",
            "project": args.get("project") or self.gcp_project,
            "location": location,
            "defaultClusterVersion": GKE_VERSIONS["REGULAR"],
            "latestMasterVersion": latest,
            "latestNodeVersion": latest,
            "validMasterVersions": valid,
            "validNodeVersions": valid,
            "releaseChannelDefaultVersion": dict(GKE_VERSIONS),
            "releaseChannelLatestVersion": dict(GKE_VERSIONS),
            "releaseChannelUpgradeTargetVersion": dict(GKE_VERSIONS),
            **({"versionPrefix": prefix} if prefix else {}),
        }

    def _gcp_project(self, args: Mapping[str, Any]) -> dict[str, Any]:
        project = args.get("projectId") or args.get("project") or self.gcp_project
        return {
            "id": f"projects/{project}",
            "projectId": project,
            "name": project,
            "number": GCP_PROJECT_NUMBER,
            "labels": {},
        }

    def _gcp_storage_agent(self, args: Mapping[str, Any]) -> dict[str, Any]:
        project = args.get("project") or self.gcp_project
        email = f"service-{GCP_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com"
        return {
            "id": email,
            "project": project,
            "emailAddress": email,
            "member": f"serviceAccount:{email}",
        }

    def _gcp_bigquery_agent(self, args: Mapping[str, Any]) -> dict[str, Any]:
        project = args.get("project") or self.gcp_project
        email = f"bq-{GCP_PROJECT_NUMBER}@bigquery-encryption.iam.gserviceaccount.com"
        return {
            "id": email,
            "project": project,
            "email": email,
            "member": f"serviceAccount:{email}",
        }

    def _gcp_logging_cmek(self, args: Mapping[str, Any]) -> dict[str, Any]:
        project = args.get("project") or self.gcp_project
        return {
            "id": f"projects/{project}/cmekSettings",
            "name": f"projects/{project}/cmekSettings",
            "project": project,
            "kmsKeyName": args.get("kmsKeyName") or "",
            "kmsKeyVersionName": "",
            "serviceAccountId": gcp_service_agent("logging.googleapis.com", GCP_PROJECT_NUMBER),
        }

    # -- Azure DevOps (pulumi-azuredevops) -----------------------------------------------

    @staticmethod
    def _azdo_project(args: Mapping[str, Any]) -> dict[str, Any]:
        name = str(args.get("name") or "project")
        return {"id": _uuid(f"azdo-project/{name}"), "name": name, "visibility": "private"}

    @staticmethod
    def _azdo_repository(args: Mapping[str, Any]) -> dict[str, Any]:
        name = str(args.get("name") or "repository")
        project = str(args.get("projectId") or "")
        return {
            "id": _uuid(f"azdo-repository/{project}/{name}"),
            "name": name,
            "projectId": project,
            "defaultBranch": "refs/heads/main",
        }

    @staticmethod
    def _azdo(urn: str, args: pulumi.runtime.MockResourceArgs, inputs: dict) -> tuple[str, dict]:
        """Azure DevOps objects have GUID ids (build definitions: numbers); a workload
        identity federation service connection computes its issuer and subject (the
        Entra issuer form, traps: sdk-survey G12)."""
        state = dict(inputs)
        if args.typ == "azuredevops:index/buildDefinition:BuildDefinition":
            return str(int(digest(urn)[:6], 16)), state
        resource_id = _uuid(urn)
        if args.typ == "azuredevops:index/serviceEndpointAzureRM:ServiceEndpointAzureRM":
            tenant = str(state.get("azurermSpnTenantid") or AZURE_TENANT_ID)
            state.setdefault(
                "workloadIdentityFederationIssuer",
                f"https://login.microsoftonline.com/{tenant}/v2.0",
            )
            state.setdefault(
                "workloadIdentityFederationSubject",
                f"/eid1/c/pub/t/{digest(tenant)[:22]}/a/{digest(urn)[:22]}/sc/{resource_id}",
            )
        return resource_id, state

    def _azure_client_config(self, _: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "clientId": AZURE_CLIENT_ID,
            "objectId": AZURE_OBJECT_ID,
            "subscriptionId": self.azure_subscription,
            "tenantId": AZURE_TENANT_ID,
        }


GKE_VERSIONS = {
    "RAPID": "1.34.1-gke.1431000",
    "REGULAR": "1.33.5-gke.1201000",
    "STABLE": "1.32.9-gke.1108000",
}
"""Default version of each GKE release channel (the form of the versions GKE lists in
2025-11; the plan needs their shape, not today's exact build)."""

# Zones of regions whose letters do not start at "a" (Compute Engine's zone list).
_GCP_WORKLOAD_IDENTITY = frozenset(
    {
        "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
        "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
    }
)
_GCP_ZONE_LETTERS = {"europe-west1": "bcd", "us-east1": "bcd", "us-central1": "abcf"}


def gcp_zones(region: str) -> list[str]:
    """Zones of a Google Cloud region: ``europe-west1`` -> ``europe-west1-b`` ..."""
    return [f"{region}-{letter}" for letter in _GCP_ZONE_LETTERS.get(region, "abc")]


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.replace("-gke.", ".").split(".") if part.isdigit())


def _one_or_many(values: list[Any]) -> Any:
    """IAM JSON writes a one-element list as a bare string, as the AWS provider does."""
    values = sorted(set(values), key=str)
    return values[0] if len(values) == 1 else values


def _render_statement(statement: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if statement.get("sid"):
        out["Sid"] = statement["sid"]
    out["Effect"] = statement.get("effect") or "Allow"
    for key, field in (
        ("actions", "Action"),
        ("notActions", "NotAction"),
        ("resources", "Resource"),
        ("notResources", "NotResource"),
    ):
        if statement.get(key):
            out[field] = _one_or_many(list(statement[key]))
    for key, field in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        principals = statement.get(key) or []
        if not principals:
            continue
        if any(p.get("type") == "*" for p in principals):
            out[field] = "*"
            continue
        grouped: dict[str, list[Any]] = {}
        for principal in principals:
            grouped.setdefault(principal["type"], []).extend(principal.get("identifiers") or [])
        out[field] = {kind: _one_or_many(ids) for kind, ids in sorted(grouped.items())}
    conditions = statement.get("conditions") or []
    if conditions:
        rendered: dict[str, dict[str, Any]] = {}
        for condition in conditions:
            values = list(condition.get("values") or [])
            rendered.setdefault(condition["test"], {})[condition["variable"]] = _one_or_many(values)
        out["Condition"] = rendered
    return out


def render_policy_document(args: Mapping[str, Any]) -> dict[str, Any]:
    """The IAM policy JSON that ``aws.iam.get_policy_document`` returns for ``args``
    (camelCase, as the invoke receives them): source documents first, then this
    document's statements, then override documents, later ones replacing earlier
    statements with the same ``Sid``."""
    statements: list[dict[str, Any]] = []

    def merge(new: list[dict[str, Any]]) -> None:
        for statement in new:
            sid = statement.get("Sid")
            index = next((i for i, s in enumerate(statements) if sid and s.get("Sid") == sid), None)
            if index is None:
                statements.append(statement)
            else:
                statements[index] = statement

    for source in args.get("sourcePolicyDocuments") or []:
        merge(list(json.loads(source).get("Statement", [])))
    merge([_render_statement(s) for s in args.get("statements") or []])
    for override in args.get("overridePolicyDocuments") or []:
        merge(list(json.loads(override).get("Statement", [])))
    document: dict[str, Any] = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    document["Statement"] = statements
    return document
