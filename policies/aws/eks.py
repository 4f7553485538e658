"""EKS security rules (architecture 3's model serving): API endpoint exposure, secrets
encryption, audit logging and node group SSH access. GPU node group cost rules live in
:mod:`.cost`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, dig, is_set, items, resource_rule, string_list_schema, truthy
from .cost import node_group_accelerated

CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"

SECURITY = Category.SECURITY
MANDATORY = EnforcementLevel.MANDATORY
OPEN_CIDRS = ("0.0.0.0/0", "::/0")


@resource_rule(
    name="aws-eks-cluster-disallow-public-endpoint",
    description="EKS cluster API endpoints must be private or restricted to named CIDRs.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation=(
        "Set vpc_config.endpoint_public_access=False (with endpoint_private_access=True), or "
        "list the office/CI CIDRs in public_access_cidrs."
    ),
    references=[
        "FSBP EKS.1",
        "PCP aws-eks-cluster-disallow-api-endpoint-public-access",
        "CKV_AWS_38",
        "CKV_AWS_39",
    ],
    resource_types=[CLUSTER],
)
def public_endpoint(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A world-reachable Kubernetes API is one credential leak or CVE away from the
    whole serving cluster. AWS enables public access for 0.0.0.0/0 by default."""
    vpc = args.props.get("vpcConfig")
    public = vpc.get("endpointPublicAccess") if isinstance(vpc, Mapping) else None
    if public is not None and not truthy(public):
        return
    cidrs = (
        [str(c) for c in items(vpc.get("publicAccessCidrs"))] if isinstance(vpc, Mapping) else []
    )
    if not cidrs:
        yield "the API endpoint is public and publicAccessCidrs is unset (AWS default: 0.0.0.0/0)."
        return
    open_cidrs = [c for c in cidrs if c in OPEN_CIDRS]
    if open_cidrs:
        yield f"the API endpoint is public to {', '.join(open_cidrs)}."


@resource_rule(
    name="aws-eks-cluster-require-secrets-encryption",
    description="EKS clusters must envelope-encrypt Kubernetes secrets with a KMS key.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set encryption_config={'resources': ['secrets'], 'provider': {'key_arn': key.arn}}.",
    references=["FSBP EKS.3", "PCP aws-eks-cluster-enable-cluster-encryption-config", "CKV_AWS_58"],
    resource_types=[CLUSTER],
)
def secrets_encryption(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Secrets hold model-registry and data-store credentials; envelope encryption adds
    a KMS permission between etcd and their plaintext."""
    encryption = args.props.get("encryptionConfig")
    resources = (
        [str(r) for r in items(encryption.get("resources"))]
        if isinstance(encryption, Mapping)
        else []
    )
    if "secrets" not in resources:
        yield "encryptionConfig.resources does not include 'secrets'."
    elif not is_set(dig(encryption, "provider") or {}, "keyArn"):
        yield "encryptionConfig.provider.keyArn is not set."


@resource_rule(
    name="aws-eks-cluster-require-audit-logs",
    description="EKS clusters must send control plane audit logs to CloudWatch.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set enabled_cluster_log_types to include 'audit' (and 'authenticator').",
    references=["FSBP EKS.8", "CKV_AWS_37"],
    resource_types=[CLUSTER],
    config_schema={
        "requiredLogTypes": string_list_schema(
            "Log types that must be enabled.", ["audit", "authenticator"]
        )
    },
)
def audit_logs(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """The audit log is the only record of who changed what in the cluster."""
    enabled = {str(t) for t in items(args.props.get("enabledClusterLogTypes"))}
    missing = [t for t in config["requiredLogTypes"] if t not in enabled]
    if missing:
        yield f"enabledClusterLogTypes is missing {', '.join(missing)}."


@resource_rule(
    name="aws-eks-node-group-disallow-open-remote-access",
    description="EKS node groups with SSH access must restrict it to named security groups.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Remove remote_access (use SSM Session Manager), or set source_security_group_ids.",
    references=["CKV_AWS_100"],
    resource_types=[NODE_GROUP],
)
def open_remote_access(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """With an SSH key and no source security groups, EKS opens port 22 to 0.0.0.0/0."""
    remote = args.props.get("remoteAccess")
    if not isinstance(remote, Mapping) or not is_set(remote, "ec2SshKey"):
        return
    if not is_set(remote, "sourceSecurityGroupIds"):
        yield "remoteAccess has an ec2SshKey but no sourceSecurityGroupIds: SSH is open to 0.0.0.0/0."


ADDON = "aws:eks/addon:Addon"
POD_IDENTITY = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
GPU_TAINT_KEY = "nvidia.com/gpu"


@resource_rule(
    name="aws-eks-node-group-gpu-require-taint",
    description="Accelerated EKS node groups must carry the nvidia.com/gpu NoSchedule taint.",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation=(
        "Add taints=[{'key': 'nvidia.com/gpu', 'value': 'true', 'effect': 'NO_SCHEDULE'}] and "
        "give GPU pods a matching toleration."
    ),
    references=[
        "none (project rule: no public control requires a taint on accelerated node groups)"
    ],
    resource_types=[NODE_GROUP],
)
def gpu_taint(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Without the taint, CPU pods fill GPU nodes: the autoscaler keeps GPUs running
    for work that needs none, and GPU pods wait for room."""
    if not node_group_accelerated(args.props):
        return
    taints = [t for t in items(args.props.get("taints")) if isinstance(t, Mapping)]
    if not any(
        t.get("key") == GPU_TAINT_KEY and t.get("effect") in ("NO_SCHEDULE", "NO_EXECUTE")
        for t in taints
    ):
        yield "no nvidia.com/gpu taint with effect NO_SCHEDULE or NO_EXECUTE."


@resource_rule(
    name="aws-eks-node-group-disallow-remote-access",
    description="EKS node groups must not enable SSH remote access; use SSM Session Manager.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Remove remote_access; reach nodes with SSM Session Manager or kubectl debug.",
    references=[
        "none (project rule: public controls only flag SSH open to the internet, not SSH at all)"
    ],
    resource_types=[NODE_GROUP],
)
def remote_access(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """An SSH key on nodes is a long-lived credential outside IAM and the audit log;
    changing remote access later replaces the node group."""
    remote = args.props.get("remoteAccess")
    if isinstance(remote, Mapping) and (
        is_set(remote, "ec2SshKey") or is_set(remote, "sourceSecurityGroupIds")
    ):
        yield "remoteAccess is set (SSH to the nodes)."


@resource_rule(
    name="aws-eks-addon-require-pinned-version",
    description="EKS add-ons must pin addon_version.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation=(
        "Set addon_version to a version `aws eks describe-addon-versions` lists for the "
        "cluster version, and raise it with the cluster version."
    ),
    references=["none (project rule: no public control requires pinned add-on versions)"],
    resource_types=[ADDON],
)
def addon_version(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Without a version EKS installs its current default, which differs between the
    day dev and prod were created; networking and DNS then differ between environments
    and a later update changes them without review."""
    if not is_set(args.props, "addonVersion"):
        yield f"addonVersion is not set for add-on {args.props.get('addonName') or '?'}."


@resource_rule(
    name="aws-eks-pod-identity-association-disallow-default-service-account",
    description="EKS Pod Identity associations must bind a dedicated service account, not 'default'.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Create a service account for the workload and associate the role with it.",
    references=["none (project rule: no public control covers Pod Identity association targets)"],
    resource_types=[POD_IDENTITY],
)
def pod_identity_default_account(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """Every pod of a namespace runs as ``default`` unless it names another account, so
    a role bound to it goes to every workload there."""
    if args.props.get("serviceAccount") == "default":
        namespace = args.props.get("namespace") or "?"
        yield f"the role is bound to service account default of namespace {namespace}."
