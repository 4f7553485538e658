"""An AKS cluster for ML workloads: Entra ID with Azure RBAC, workload identity with
the OIDC issuer, a private (or IP-restricted) API server, Azure CNI overlay with Cilium,
Container Insights and Defender reporting to Log Analytics, auto-upgrade, and one small
System pool inline. User, CPU and GPU pools are separate ``AgentPool`` resources
(``agent_pool.py``).

Update behaviour (pinned in ``tests/azure/test_aks.py``):

- The cluster is auto-named (``<name>-<random>``), so a replacement creates the new
  cluster before deleting the old one.
- ``agentPoolProfiles`` holds only the System pool and never gains or loses entries:
  AKS refuses to add pools through the cluster ("Adding agent pools to an existing
  cluster is not allowed through managed cluster operations", pulumi-azure-native#2719,
  #579, #4264). Its ``count`` is the autoscaler's and is ignored.
- Changes AKS refuses in place replace the cluster instead of failing the update: the
  System pool's VM size, the network plugin, mode and ranges, private cluster on/off.
- Local accounts stay **enabled**: the AzureML extension does not support AKS with
  local accounts disabled ("Limitations",
  https://learn.microsoft.com/azure/machine-learning/how-to-deploy-kubernetes-extension).
  The secure path kept instead: Entra ID with Azure RBAC decides every user's access,
  the API server is private (or IP-restricted), run command is off, and the local admin
  kubeconfig is reachable only with ``listClusterAdminCredential``, which only
  Owner/Contributor-level roles on the cluster grant (give no one those roles on it;
  the policy ``azure-aks-cluster-disallow-local-accounts`` admits local accounts only
  on clusters that carry the AzureML extension).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import containerservice as cs
from pulumi_azure_native import monitor

from .. import naming
from ..settings.azure import SystemPoolSettings
from ..vocabulary import NetworkAccess, NetworkAccessMode
from .identity import Grant, ManagedIdentity, ManagedIdentityArgs, role_assignment
from .names import check_auto_name, fixed_name

TOKEN = "mlops:azure:AksCluster"
INSIGHTS_STREAM = "Microsoft-ContainerInsights-Group-Default"
"""The Container Insights stream group (every Container Insights table)."""
INSIGHTS_ASSOCIATION = "ContainerInsightsExtension"
"""The association name the Container Insights onboarding templates use
(microsoft/Docker-Provider, ``scripts/onboarding/aks/onboarding-using-msi-auth``)."""
SYSTEM_POOL = "system"
OS_SKU = cs.OSSKU.UBUNTU
"""Node OS of every pool: Ubuntu, which the AKS GPU driver install and the AzureML
extension both support."""
"""Name of the inline System pool."""
DNS_SERVICE_OFFSET = 10
"""The cluster DNS service takes this address of the service range (``10.0.0.10``)."""

REPLACE_ON_CHANGES = [
    "agentPoolProfiles[*].vmSize",
    "apiServerAccessProfile.enablePrivateCluster",
    "networkProfile.networkPlugin",
    "networkProfile.networkPluginMode",
    "networkProfile.podCidr",
    "networkProfile.serviceCidr",
]
"""Cluster properties AKS refuses to change in place."""
IGNORE_CHANGES = ["agentPoolProfiles[*].count"]
"""The cluster autoscaler owns the System pool's node count."""


@dataclass
class AksClusterArgs:
    resource_group_name: pulumi.Input[str]
    location: str
    tags: Mapping[str, str]
    name_prefix: str
    """Starts the cluster's DNS prefix (``<prefix>-aks``)."""
    subnet_id: pulumi.Input[str]
    """Subnet of every node (the foundation's workloads subnet)."""
    log_analytics_workspace_id: pulumi.Input[str]
    """Container Insights and Defender report here."""
    registry_id: pulumi.Input[str]
    """Container registry the kubelet identity gets ``AcrPull`` on."""
    api_server: NetworkAccess = field(default_factory=NetworkAccess)
    sku_tier: str = "Free"
    upgrade_channel: str = "patch"
    admin_group_object_ids: Sequence[str] = ()
    defender: bool = True
    pod_cidr: str = "10.244.0.0/16"
    service_cidr: str = "10.0.0.0/16"
    system_pool: SystemPoolSettings = field(default_factory=SystemPoolSettings)


def dns_service_ip(service_cidr: str) -> str:
    """The cluster DNS address: the tenth address of the service range."""
    import ipaddress

    return str(ipaddress.ip_network(service_cidr)[DNS_SERVICE_OFFSET])


def api_server_profile(access: NetworkAccess) -> cs.ManagedClusterAPIServerAccessProfileArgsDict:
    """Private cluster, or a public API server limited to the allowlist; run command
    off either way (``az aks command invoke`` bypasses network restrictions)."""
    if access.mode is NetworkAccessMode.PRIVATE:
        return {"enable_private_cluster": True, "disable_run_command": True}
    return {
        "enable_private_cluster": False,
        "authorized_ip_ranges": list(access.allowed_cidrs),
        "disable_run_command": True,
    }


def system_pool_profile(
    pool: SystemPoolSettings, subnet_id: pulumi.Input[str]
) -> cs.ManagedClusterAgentPoolProfileArgsDict:
    """The inline System pool: Regular priority, autoscaled, in the workloads subnet
    without public IPs. Not tainted ``CriticalAddonsOnly``: the AzureML extension's own
    pods (router, scheduler, operators) tolerate neither that taint nor the Spot and
    GPU taints of the user pools, so the System pool is where they run; with the taint
    they would stay pending and the extension's install would time out."""
    return {
        "name": SYSTEM_POOL,
        "mode": cs.AgentPoolMode.SYSTEM,
        "vm_size": pool.vm_size,
        "os_type": cs.OSType.LINUX,
        "os_sku": OS_SKU,
        "type": cs.AgentPoolType.VIRTUAL_MACHINE_SCALE_SETS,
        "enable_auto_scaling": True,
        "count": pool.min_nodes,
        "min_count": pool.min_nodes,
        "max_count": pool.max_nodes,
        "vnet_subnet_id": subnet_id,
        "enable_node_public_ip": False,
    }


def cluster_options(
    parent: pulumi.Resource, depends_on: list[pulumi.Resource]
) -> pulumi.ResourceOptions:
    """The cluster waits for its identity's grant on the subnet, is replaced (new one
    first: it is auto-named) on changes AKS refuses in place, and leaves the System
    pool's node count to the autoscaler."""
    return pulumi.ResourceOptions(
        parent=parent,
        depends_on=depends_on,
        replace_on_changes=REPLACE_ON_CHANGES,
        ignore_changes=IGNORE_CHANGES,
    )


class AksCluster(pulumi.ComponentResource):
    """An AKS cluster with a user-assigned control-plane identity (Network Contributor
    on its subnet), ``AcrPull`` for the kubelet identity on the registry, and the
    hardening described in the module docstring."""

    cluster: cs.ManagedCluster
    identity: ManagedIdentity
    acr_pull: pulumi.Resource
    insights: monitor.DataCollectionRule
    """Container Insights data collection rule (required by the AAD-auth add-on)."""
    insights_association: monitor.DataCollectionRuleAssociation
    cluster_id: pulumi.Output[str]
    cluster_name: pulumi.Output[str]
    oidc_issuer_url: pulumi.Output[str]
    kubelet_object_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: AksClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TOKEN, name, None, opts)
        tags = dict(args.tags)
        self.identity = ManagedIdentity(
            naming.child(name, "identity"),
            ManagedIdentityArgs(
                resource_group_name=args.resource_group_name,
                location=args.location,
                tags=tags,
                # A user-assigned control plane identity must be able to join nodes
                # and load balancers to a subnet it did not create.
                grants={"subnet": Grant("Network Contributor", args.subnet_id)},
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.cluster = cs.ManagedCluster(
            check_auto_name("aks-cluster", naming.child(name)),
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=tags,
            dns_prefix=fixed_name("aks-cluster", args.name_prefix, "aks", owner=name),
            sku={"name": cs.ManagedClusterSKUName.BASE, "tier": args.sku_tier},
            identity={
                "type": cs.ResourceIdentityType.USER_ASSIGNED,
                "user_assigned_identities": [self.identity.identity_id],
            },
            enable_rbac=True,
            aad_profile={
                "managed": True,
                "enable_azure_rbac": True,
                "admin_group_object_ids": list(args.admin_group_object_ids),
            },
            # Required by the AzureML extension (module docstring).
            disable_local_accounts=False,
            oidc_issuer_profile={"enabled": True},
            security_profile=self._security(args),
            api_server_access_profile=api_server_profile(args.api_server),
            network_profile={
                "network_plugin": cs.NetworkPlugin.AZURE,
                "network_plugin_mode": cs.NetworkPluginMode.OVERLAY,
                "network_dataplane": cs.NetworkDataplane.CILIUM,
                "network_policy": cs.NetworkPolicy.CILIUM,
                "pod_cidr": args.pod_cidr,
                "service_cidr": args.service_cidr,
                "dns_service_ip": dns_service_ip(args.service_cidr),
                "outbound_type": cs.OutboundType.LOAD_BALANCER,
            },
            auto_upgrade_profile={
                "upgrade_channel": args.upgrade_channel,
                "node_os_upgrade_channel": "NodeImage",
            },
            addon_profiles={
                "omsagent": {
                    "enabled": True,
                    "config": {
                        "logAnalyticsWorkspaceResourceID": args.log_analytics_workspace_id,
                        "useAADAuth": "true",
                    },
                },
                "azurepolicy": {"enabled": True},
            },
            agent_pool_profiles=[system_pool_profile(args.system_pool, args.subnet_id)],
            opts=cluster_options(self, list(self.identity.role_assignments.values())),
        )
        self.cluster_id = self.cluster.id
        self.cluster_name = self.cluster.name
        self.oidc_issuer_url = self.cluster.oidc_issuer_profile.apply(
            lambda p: (p.issuer_url if p else None) or ""
        )
        self.kubelet_object_id = self.cluster.identity_profile.apply(
            lambda p: (p or {})["kubeletidentity"].object_id or ""
        )
        self.acr_pull = role_assignment(
            naming.child(name, "acr-pull"),
            scope=args.registry_id,
            role="AcrPull",
            principal_id=self.kubelet_object_id,
            parent=self,
            argument="kubelet identity",
        )
        self.insights, self.insights_association = self._insights(name, args)
        self.register_outputs(
            {
                "cluster_id": self.cluster_id,
                "cluster_name": self.cluster_name,
                "oidc_issuer_url": self.oidc_issuer_url,
            }
        )

    def _insights(
        self, name: str, args: AksClusterArgs
    ) -> tuple[monitor.DataCollectionRule, monitor.DataCollectionRuleAssociation]:
        """The data collection rule the monitoring add-on needs with ``useAADAuth``
        (managed identity auth): without a rule associated with the cluster the agent
        collects nothing (terraform-provider-azurerm#21305; the Docker-Provider MSI
        onboarding templates create the same rule and association)."""
        destination = "ciworkspace"
        rule = monitor.DataCollectionRule(
            naming.child(name, "insights"),
            resource_group_name=args.resource_group_name,
            location=args.location,
            tags=dict(args.tags),
            kind="Linux",
            description="Container Insights of the AKS cluster (monitoring add-on, AAD auth).",
            data_sources=monitor.DataCollectionRuleDataSourcesArgs(
                extensions=[
                    monitor.ExtensionDataSourceArgs(
                        name=INSIGHTS_ASSOCIATION,
                        extension_name="ContainerInsights",
                        streams=[INSIGHTS_STREAM],
                        extension_settings={
                            "dataCollectionSettings": {
                                "interval": "1m",
                                "namespaceFilteringMode": "Off",
                                "enableContainerLogV2": True,
                            }
                        },
                    )
                ]
            ),
            destinations=monitor.DataCollectionRuleDestinationsArgs(
                log_analytics=[
                    monitor.LogAnalyticsDestinationArgs(
                        name=destination, workspace_resource_id=args.log_analytics_workspace_id
                    )
                ]
            ),
            data_flows=[
                monitor.DataFlowArgs(streams=[INSIGHTS_STREAM], destinations=[destination])
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        association = monitor.DataCollectionRuleAssociation(
            naming.child(name, "insights-association"),
            association_name=INSIGHTS_ASSOCIATION,
            resource_uri=self.cluster.id,
            data_collection_rule_id=rule.id,
            description="Container Insights data collection of the cluster.",
            opts=pulumi.ResourceOptions(parent=self),
        )
        return rule, association

    @staticmethod
    def _security(args: AksClusterArgs) -> cs.ManagedClusterSecurityProfileArgsDict:
        profile: cs.ManagedClusterSecurityProfileArgsDict = {"workload_identity": {"enabled": True}}
        if args.defender:
            profile["defender"] = {
                "log_analytics_workspace_resource_id": args.log_analytics_workspace_id,
                "security_monitoring": {"enabled": True},
            }
        return profile
