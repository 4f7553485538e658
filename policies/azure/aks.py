"""AKS security rules (architecture 5): API server exposure, Entra ID with RBAC, local
accounts, workload identity, upgrades, Defender, Container Insights, the Azure Policy
add-on, command invoke, network policy and node public IPs. GPU pool cost rules live in
:mod:`.aks_cost`.

A cluster's System pool is inline (``agentPoolProfiles``) and user pools are
``AgentPool`` resources; pool rules check both."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)

from ..framework import Category, dig, items, resource_rule, stack_rule, string_list_schema, truthy

CLUSTER = "azure-native:containerservice:ManagedCluster"
AGENT_POOL = "azure-native:containerservice:AgentPool"
EXTENSION = "azure-native:kubernetesconfiguration:Extension"
AZUREML_EXTENSION = "microsoft.azureml.kubernetes"

SECURITY = Category.SECURITY
MANDATORY = EnforcementLevel.MANDATORY
OPEN_CIDRS = ("0.0.0.0/0", "::/0")


def pool_profiles(args: ResourceValidationArgs) -> list[tuple[str, Mapping[str, Any]]]:
    """``(label, pool properties)`` of an AgentPool or of a cluster's inline pools."""
    if args.resource_type == AGENT_POOL:
        return [("the pool", args.props)]
    return [
        (f"agentPoolProfiles[{i}] ({dig(p, 'name') or i})", p)
        for i, p in enumerate(items(args.props.get("agentPoolProfiles")))
        if isinstance(p, Mapping)
    ]


@resource_rule(
    name="azure-aks-cluster-disallow-public-api-server",
    description="AKS API servers must be private or limited to authorized IP ranges.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation=(
        "Set api_server_access_profile.enable_private_cluster=True, or list the office/CI "
        "ranges (and the Azure ML control plane ranges) in authorized_ip_ranges."
    ),
    references=[
        "Azure Policy 040732e8-d947-40b8-95d6-854c95024bf8",
        "Azure Policy 0e246bcf-5f6f-4f87-bc6f-775d4712c7ea",
    ],
    resource_types=[CLUSTER],
)
def public_api_server(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """AKS gives a public API server reachable from anywhere by default; the cluster's
    credentials are then the only barrier."""
    profile = args.props.get("apiServerAccessProfile")
    if truthy(dig(profile, "enablePrivateCluster")):
        return
    ranges = [str(r) for r in items(dig(profile, "authorizedIPRanges"))]
    if not ranges:
        yield "the API server is public and authorizedIPRanges is empty (open to the internet)."
    elif any(r in OPEN_CIDRS for r in ranges):
        yield f"authorizedIPRanges admits everyone ({', '.join(r for r in ranges if r in OPEN_CIDRS)})."


@resource_rule(
    name="azure-aks-cluster-require-entra-rbac",
    description="AKS clusters must use Kubernetes RBAC with Entra ID and Azure RBAC authorization.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set enable_rbac=True and aad_profile={'managed': True, 'enable_azure_rbac': True}.",
    references=[
        "Azure Policy ac4a19c2-fa67-49b4-8ae5-0b2e78c49457",
        "Azure Policy 450d2877-ebea-41e8-b00c-e286317d21bf",
    ],
    resource_types=[CLUSTER],
)
def entra_rbac(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """With Azure RBAC every user's access is a role assignment on the cluster,
    reviewed and revoked in one place, instead of per-cluster Kubernetes bindings."""
    props = args.props
    missing = []
    if not truthy(props.get("enableRBAC")):
        missing.append("enableRBAC")
    if not truthy(dig(props, "aadProfile", "managed")):
        missing.append("aadProfile.managed")
    if not truthy(dig(props, "aadProfile", "enableAzureRBAC")):
        missing.append("aadProfile.enableAzureRBAC")
    if missing:
        yield f"{', '.join(missing)} not true."


def _extension_targets(extension: PolicyResource, cluster: PolicyResource) -> bool:
    props = extension.props
    if str(props.get("extensionType") or "").lower() != AZUREML_EXTENSION:
        return False
    if str(props.get("clusterRp") or "") != "Microsoft.ContainerService":
        return False
    if any(d.urn == cluster.urn for d in extension.dependencies):
        return True
    name = cluster.props.get("resourceName")
    return name is not None and props.get("clusterName") == name


@stack_rule(
    name="azure-aks-cluster-disallow-local-accounts",
    description=(
        "AKS clusters must disable local accounts, except clusters that carry the AzureML "
        "extension (which does not support clusters without them)."
    ),
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation=(
        "Set disable_local_accounts=True. A cluster with the Microsoft.AzureML.Kubernetes "
        "extension must keep them; restrict listClusterAdminCredential instead (grant no "
        "Owner/Contributor on the cluster) and keep Entra ID with Azure RBAC on."
    ),
    references=["Azure Policy 993c2fcd-2b29-49d2-9eb0-df2c3a730c32"],
    resource_types=[CLUSTER, EXTENSION],
)
def local_accounts(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """The local admin kubeconfig bypasses Entra ID and survives role removal. Azure ML
    is the documented exception ("Disabling local accounts for AKS is not supported by
    Azure Machine Learning", how-to-deploy-kubernetes-extension, Limitations), so the
    rule admits local accounts only on a cluster the stack gives that extension."""
    clusters = [r for r in args.resources if r.resource_type == CLUSTER]
    extensions = [r for r in args.resources if r.resource_type == EXTENSION]
    for cluster in clusters:
        if truthy(cluster.props.get("disableLocalAccounts")):
            continue
        if any(_extension_targets(e, cluster) for e in extensions):
            continue
        yield (
            f"cluster {cluster.name} keeps local accounts (disableLocalAccounts is not true) "
            "and has no AzureML extension that needs them.",
            cluster.urn,
        )


@resource_rule(
    name="azure-aks-cluster-require-workload-identity",
    description="AKS clusters must enable the OIDC issuer and workload identity.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation=(
        "Set oidc_issuer_profile={'enabled': True} and "
        "security_profile={'workload_identity': {'enabled': True}}."
    ),
    references=["Azure Policy 2cc2e023-0dac-4046-875b-178f683929d5"],
    resource_types=[CLUSTER],
)
def workload_identity(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Without workload identity, pods reach Azure with keys or the node's identity,
    which every pod on the node shares."""
    props = args.props
    missing = [
        path
        for path, value in (
            ("oidcIssuerProfile.enabled", dig(props, "oidcIssuerProfile", "enabled")),
            (
                "securityProfile.workloadIdentity.enabled",
                dig(props, "securityProfile", "workloadIdentity", "enabled"),
            ),
        )
        if not truthy(value)
    ]
    if missing:
        yield f"{', '.join(missing)} not true."


@resource_rule(
    name="azure-aks-cluster-require-auto-upgrade",
    description="AKS clusters must use an automatic upgrade channel.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set auto_upgrade_profile={'upgrade_channel': 'patch'} (or stable, rapid).",
    references=["Azure Policy 5c345cdf-2049-47e0-b8fe-b0e96bc2df35"],
    resource_types=[CLUSTER],
    config_schema={
        "allowedChannels": string_list_schema(
            "Upgrade channels that count as automatic.", ["rapid", "stable", "patch"]
        )
    },
)
def auto_upgrade(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Clusters that are not upgraded fall out of the supported version window and
    miss security patches."""
    channel = dig(args.props, "autoUpgradeProfile", "upgradeChannel")
    if channel not in config["allowedChannels"]:
        yield (
            f"autoUpgradeProfile.upgradeChannel is {channel or 'unset'}; use one of "
            f"{', '.join(config['allowedChannels'])}."
        )


@resource_rule(
    name="azure-aks-cluster-require-defender",
    description="AKS clusters must run the Defender for Containers sensor.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation=(
        "Set security_profile.defender={'log_analytics_workspace_resource_id': ..., "
        "'security_monitoring': {'enabled': True}}."
    ),
    references=["Azure Policy a1840de2-8088-4ea8-b153-b4c723e9cb01"],
    resource_types=[CLUSTER],
)
def defender(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """The sensor reports runtime threats (crypto miners on GPU nodes are the classic
    ML-cluster incident)."""
    if not truthy(dig(args.props, "securityProfile", "defender", "securityMonitoring", "enabled")):
        yield "securityProfile.defender.securityMonitoring.enabled is not true."


def _addon(props: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    addons = props.get("addonProfiles")
    if not isinstance(addons, Mapping):
        return None
    for key, value in addons.items():
        if str(key).lower() == name.lower() and isinstance(value, Mapping):
            return value
    return None


@resource_rule(
    name="azure-aks-cluster-require-container-insights",
    description="AKS clusters must send Container Insights to a Log Analytics workspace.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation=(
        "Set addon_profiles={'omsagent': {'enabled': True, 'config': "
        "{'logAnalyticsWorkspaceResourceID': <workspace id>, 'useAADAuth': 'true'}}}."
    ),
    references=[
        "none (project rule: the Azure Policy built-ins for Container Insights deploy the "
        "agent rather than audit the cluster)"
    ],
    resource_types=[CLUSTER],
)
def container_insights(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Node, pod and inference-service logs are the record of what ran on the cluster."""
    addon = _addon(args.props, "omsagent")
    if addon is None or not truthy(addon.get("enabled")):
        yield "addonProfiles.omsagent is not enabled."
    elif not dig(addon, "config", "logAnalyticsWorkspaceResourceID"):
        yield "addonProfiles.omsagent.config.logAnalyticsWorkspaceResourceID is not set."


@resource_rule(
    name="azure-aks-cluster-require-policy-addon",
    description="AKS clusters must run the Azure Policy add-on.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set addon_profiles={'azurepolicy': {'enabled': True}}.",
    references=["Azure Policy 0a15ec92-a229-4763-bb14-0ea34a568f8d"],
    resource_types=[CLUSTER],
)
def policy_addon(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """The add-on enforces in-cluster guardrails (no privileged pods, allowed
    registries) that this pack cannot see."""
    addon = _addon(args.props, "azurepolicy")
    if addon is None or not truthy(addon.get("enabled")):
        yield "addonProfiles.azurepolicy is not enabled."


@resource_rule(
    name="azure-aks-cluster-disable-command-invoke",
    description="AKS clusters must disable command invoke (run command).",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set api_server_access_profile.disable_run_command=True.",
    references=["Azure Policy 89f2d532-c53c-4f8f-9afa-4927b1114a0d"],
    resource_types=[CLUSTER],
)
def command_invoke(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Command invoke runs kubectl through the Azure API, around a private API server."""
    if not truthy(dig(args.props, "apiServerAccessProfile", "disableRunCommand")):
        yield "apiServerAccessProfile.disableRunCommand is not true."


@resource_rule(
    name="azure-aks-cluster-require-network-policy",
    description="AKS clusters must run a network policy engine.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set network_profile.network_policy to 'cilium' (with the Cilium dataplane), 'azure' or 'calico'.",
    references=[
        "none (project rule: no Azure Policy built-in audits the cluster's network policy engine)"
    ],
    resource_types=[CLUSTER],
)
def network_policy(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Without an engine, NetworkPolicy objects are accepted and silently ignored, so
    inference pods can reach training namespaces and the other way round."""
    policy = dig(args.props, "networkProfile", "networkPolicy")
    if not policy or str(policy).lower() == "none":
        yield f"networkProfile.networkPolicy is {policy or 'unset'}."


@resource_rule(
    name="azure-aks-agent-pool-disallow-node-public-ip",
    description="AKS node pools must not give nodes public IP addresses.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set enable_node_public_ip=False (egress goes through the cluster's outbound type).",
    references=[
        "none (project rule: no Azure Policy built-in audits node public IPs of AKS pools)"
    ],
    resource_types=[CLUSTER, AGENT_POOL],
)
def node_public_ip(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A node with a public IP is reachable from the internet past the cluster's
    load balancer and network rules."""
    for label, pool in pool_profiles(args):
        if truthy(pool.get("enableNodePublicIP")):
            yield f"{label} has enableNodePublicIP true."
