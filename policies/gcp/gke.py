"""GKE security rules (architecture 8): control-plane exposure, private nodes, Workload
Identity and the GKE metadata server, Shielded nodes, release channels, node auto-repair
and auto-upgrade, legacy authentication, secrets encryption, node service accounts and
images. Node pool cost rules live in :mod:`.cost`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, dig, is_set, items, resource_rule, truthy

CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"

SECURITY = Category.SECURITY
MANDATORY = EnforcementLevel.MANDATORY
OPEN_CIDRS = ("0.0.0.0/0", "::/0")
DEFAULT_ACCOUNT_SUFFIX = "-compute@developer.gserviceaccount.com"


@resource_rule(
    name="gcp-gke-cluster-restrict-control-plane-access",
    description="GKE control planes must have no public IP endpoint, or admit only "
    "authorized networks that are not open to the internet.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation=(
        "Set private_cluster_config.enable_private_endpoint=True (reach the cluster through "
        "the DNS-based endpoint), or list the office/CI ranges in "
        "master_authorized_networks_config.cidr_blocks."
    ),
    references=["CKV_GCP_18", "CKV_GCP_20", "CIS GKE v1.3.0 5.6.4", "CIS GKE v1.7.0 5.6.3"],
    resource_types=[CLUSTER],
)
def control_plane(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A control plane reachable from the whole internet is one leaked credential or
    API-server CVE away from every workload of the cluster."""
    private = truthy(dig(args.props, "privateClusterConfig", "enablePrivateEndpoint"))
    networks = args.props.get("masterAuthorizedNetworksConfig")
    if not isinstance(networks, Mapping):
        if not private:
            yield "the control plane has a public endpoint and no authorized networks."
        return
    cidrs = [str(dig(block, "cidrBlock")) for block in items(networks.get("cidrBlocks"))]
    open_cidrs = [c for c in cidrs if c in OPEN_CIDRS]
    if open_cidrs:
        yield f"authorized networks admit {', '.join(open_cidrs)}."
    if not private and truthy(networks.get("gcpPublicCidrsAccessEnabled")):
        yield "authorized networks admit every Google Cloud public IP (gcpPublicCidrsAccessEnabled)."


@resource_rule(
    name="gcp-gke-cluster-require-private-nodes",
    description="GKE clusters must create nodes without external IP addresses.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set private_cluster_config.enable_private_nodes=True (set at creation).",
    references=["CKV_GCP_25", "CKV_GCP_64"],
    resource_types=[CLUSTER],
)
def private_nodes(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Nodes with external IPs can be reached from and exfiltrate to the internet
    directly; private nodes reach Google APIs through Private Google Access."""
    if not truthy(dig(args.props, "privateClusterConfig", "enablePrivateNodes")):
        yield "privateClusterConfig.enablePrivateNodes is not true."


@resource_rule(
    name="gcp-gke-cluster-require-workload-identity",
    description="GKE clusters must enable Workload Identity, so pods never use the node's "
    "service account.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set workload_identity_config.workload_pool='<project>.svc.id.goog'.",
    references=[
        "none (project rule: Workload Identity is checked on the node pools' metadata server)"
    ],
    resource_types=[CLUSTER],
)
def workload_identity(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Without Workload Identity every pod can use the node's credentials."""
    if not is_set(args.props.get("workloadIdentityConfig") or {}, "workloadPool"):
        yield "workloadIdentityConfig.workloadPool is not set."


@resource_rule(
    name="gcp-gke-node-pool-require-gke-metadata",
    description="GKE node pools must run the GKE metadata server (GKE_METADATA).",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set node_config.workload_metadata_config.mode='GKE_METADATA'.",
    references=["CKV_GCP_69"],
    resource_types=[NODE_POOL],
)
def gke_metadata(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """The GKE metadata server hands pods their Workload Identity and hides the node's
    own token and the instance attributes (kubelet credentials)."""
    mode = dig(args.props, "nodeConfig", "workloadMetadataConfig", "mode")
    if mode != "GKE_METADATA":
        yield f"nodeConfig.workloadMetadataConfig.mode is {mode!r}, not 'GKE_METADATA'."


@resource_rule(
    name="gcp-gke-cluster-require-shielded-nodes",
    description="GKE clusters must enable Shielded GKE Nodes.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set enable_shielded_nodes=True.",
    references=["CKV_GCP_71", "CIS GKE v1.9.0 5.5.5"],
    resource_types=[CLUSTER],
)
def shielded_nodes(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Shielded nodes prove their identity to the control plane, so a compromised pod
    cannot impersonate a node."""
    if args.props.get("enableShieldedNodes") is not None and not truthy(
        args.props.get("enableShieldedNodes")
    ):
        yield "enableShieldedNodes is false."


@resource_rule(
    name="gcp-gke-node-pool-require-secure-boot",
    description="GKE node pools must enable Secure Boot and integrity monitoring.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation=(
        "Set node_config.shielded_instance_config={'enable_secure_boot': True, "
        "'enable_integrity_monitoring': True}."
    ),
    references=["CKV_GCP_68", "CKV_GCP_72"],
    resource_types=[NODE_POOL],
)
def secure_boot(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Secure Boot refuses unsigned boot components; integrity monitoring reports a
    changed boot sequence (rootkits, bootkits)."""
    shielded = dig(args.props, "nodeConfig", "shieldedInstanceConfig") or {}
    if not truthy(dig(shielded, "enableSecureBoot")):
        yield "nodeConfig.shieldedInstanceConfig.enableSecureBoot is not true."
    if dig(shielded, "enableIntegrityMonitoring") is not None and not truthy(
        dig(shielded, "enableIntegrityMonitoring")
    ):
        yield "nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring is false."


@resource_rule(
    name="gcp-gke-cluster-require-release-channel",
    description="GKE clusters must be enrolled in a release channel.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set release_channel={'channel': 'REGULAR'} (or RAPID / STABLE).",
    references=["CKV_GCP_70", "CIS GKE v1.9.0 5.5.4"],
    resource_types=[CLUSTER],
)
def release_channel(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A release channel keeps control plane and nodes on supported, patched versions."""
    channel = dig(args.props, "releaseChannel", "channel")
    if channel in (None, "UNSPECIFIED"):
        yield "releaseChannel.channel is not RAPID, REGULAR or STABLE."


@resource_rule(
    name="gcp-gke-node-pool-require-auto-repair-upgrade",
    description="GKE node pools must enable auto-repair and auto-upgrade.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set management={'auto_repair': True, 'auto_upgrade': True}.",
    references=["CKV_GCP_9", "CKV_GCP_10"],
    resource_types=[NODE_POOL],
)
def auto_repair_upgrade(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Nodes without auto-upgrade fall behind on security patches; without auto-repair
    a broken GPU node keeps its pods pending. Flex-start and queued pools are exempt
    from auto-repair: their nodes run one bounded job and GKE creates them without it."""
    management = args.props.get("management")
    flex = truthy(dig(args.props, "nodeConfig", "flexStart")) or truthy(
        dig(args.props, "queuedProvisioning", "enabled")
    )
    for key in ("autoUpgrade",) if flex else ("autoRepair", "autoUpgrade"):
        if not truthy(dig(management or {}, key)):
            yield f"management.{key} is not true."


@resource_rule(
    name="gcp-gke-cluster-disallow-legacy-auth",
    description="GKE clusters must not enable legacy ABAC or issue client certificates.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation=(
        "Set enable_legacy_abac=False and master_auth.client_certificate_config."
        "issue_client_certificate=False."
    ),
    references=["CKV_GCP_7", "CKV_GCP_13"],
    resource_types=[CLUSTER],
)
def legacy_auth(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Legacy ABAC grants broad static permissions beside RBAC; a client certificate is
    a long-lived credential that cannot be revoked."""
    if truthy(args.props.get("enableLegacyAbac")):
        yield "enableLegacyAbac is true."
    if truthy(dig(args.props, "masterAuth", "clientCertificateConfig", "issueClientCertificate")):
        yield "masterAuth.clientCertificateConfig.issueClientCertificate is true."


@resource_rule(
    name="gcp-gke-cluster-require-secrets-encryption",
    description="GKE clusters must encrypt Kubernetes secrets with a Cloud KMS key.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set database_encryption={'state': 'ENCRYPTED', 'key_name': key.id}.",
    references=["none (project rule: application-layer secrets encryption with a customer key)"],
    resource_types=[CLUSTER],
)
def secrets_encryption(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Secrets hold registry and data-store credentials; a customer key adds a KMS
    permission between etcd and their plaintext."""
    encryption = args.props.get("databaseEncryption")
    if dig(encryption or {}, "state") != "ENCRYPTED":
        yield "databaseEncryption.state is not ENCRYPTED."
    elif not is_set(encryption, "keyName"):
        yield "databaseEncryption.keyName is not set."


@resource_rule(
    name="gcp-gke-node-pool-disallow-default-service-account",
    description="GKE node pools must run as a dedicated service account, not the Compute "
    "Engine default service account.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set node_config.service_account to a least-privilege account "
    "(roles/container.defaultNodeServiceAccount).",
    references=["CIS GKE v1.9.0 5.2.1"],
    resource_types=[NODE_POOL],
)
def default_account(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """The Compute Engine default account holds the Editor role in most projects: every
    node, and every pod that reaches its token, could change the whole project."""
    account = dig(args.props, "nodeConfig", "serviceAccount")
    if account in (None, "", "default") or str(account).endswith(DEFAULT_ACCOUNT_SUFFIX):
        yield f"nodeConfig.serviceAccount is {account!r} (the Compute Engine default account)."


@resource_rule(
    name="gcp-gke-node-pool-require-cos",
    description="GKE node pools must use Container-Optimized OS with containerd.",
    category=SECURITY,
    severity=Severity.LOW,
    enforcement=MANDATORY,
    remediation="Set node_config.image_type='COS_CONTAINERD'.",
    references=["CKV_GCP_22", "CIS GKE v1.9.0 5.5.1"],
    resource_types=[NODE_POOL],
)
def cos_image(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Container-Optimized OS is a minimal, read-only, automatically patched node image."""
    image = dig(args.props, "nodeConfig", "imageType")
    if image is not None and not str(image).upper().startswith("COS"):
        yield f"nodeConfig.imageType is {image!r}, not COS_CONTAINERD."


@resource_rule(
    name="gcp-gke-cluster-require-deletion-protection",
    description="GKE clusters must have deletion protection (mandatory in production).",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.ADVISORY,
    remediation="Set deletion_protection=True (retention: protected).",
    references=["none (project rule: Retention.PROTECTED keeps production clusters)"],
    resource_types=[CLUSTER],
)
def deletion_protection(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A cluster deleted by a mistaken destroy takes its serving and training down with it."""
    if not truthy(args.props.get("deletionProtection")):
        yield "deletionProtection is not true."
