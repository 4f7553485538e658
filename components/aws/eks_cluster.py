"""An EKS control plane for model serving: private API endpoint by default, secrets
encrypted with the stack key, control-plane logs to an encrypted log group with a
retention, access entries (no ``aws-auth`` ConfigMap), the Kubernetes version pinned
in ``data/eks-versions.json``, and EKS add-ons at pinned versions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..naming import child
from ..settings.containers import ApiEndpointAccess, ClusterSettings
from . import eks_versions
from .arns import AccountArns
from .iam import ScopedRole, ScopedRoleArgs, allow
from .logs import encrypted_log_group
from .names import fixed_name

EARLY_ADDONS = ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")
"""Add-ons nodes need to become Ready (pod networking, services) or that workloads need
before they start (Pod Identity credentials); created with the cluster, before any node
group (the cluster is created without the self-managed defaults)."""

ADMIN_POLICY = "AmazonEKSClusterAdminPolicy"
MANAGED_POLICY = "arn:{partition}:iam::aws:policy/{name}"


def managed_policy_arn(arns: AccountArns, name: str) -> pulumi.Output[str]:
    """The ARN of the AWS managed policy ``name`` in the stack's partition."""
    return arns.partition.apply(lambda p: MANAGED_POLICY.format(partition=p, name=name))


def attach_managed(
    name: str, role: ScopedRole, arns: AccountArns, policies: Sequence[str], parent: pulumi.Resource
) -> list[aws.iam.RolePolicyAttachment]:
    """Attach the AWS managed ``policies`` the EKS documentation prescribes for the
    cluster and node roles (``<name>-<policy>``): AWS keeps them current as EKS
    gains features, which an inline copy would not be."""
    return [
        aws.iam.RolePolicyAttachment(
            child(name, policy.lower().replace("_", "-")),
            role=role.role_name,
            policy_arn=managed_policy_arn(arns, policy),
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for policy in policies
    ]


def addon(
    name: str,
    *,
    cluster_name: pulumi.Input[str],
    addon_name: str,
    tags: Mapping[str, str],
    parent: pulumi.Resource,
    depends_on: Sequence[pulumi.Resource] = (),
    pod_identity: tuple[str, pulumi.Input[str]] | None = None,
) -> aws.eks.Addon:
    """The EKS add-on ``addon_name`` at its pinned version. Conflicts with fields a
    previous install set are overwritten on create and preserved on update (an update
    never reverts an operator's fix); ``pod_identity`` is (service account, role ARN)."""
    return aws.eks.Addon(
        name,
        cluster_name=cluster_name,
        addon_name=addon_name,
        addon_version=eks_versions.addon_version(addon_name),
        resolve_conflicts_on_create="OVERWRITE",
        resolve_conflicts_on_update="PRESERVE",
        pod_identity_associations=(
            [{"service_account": pod_identity[0], "role_arn": pod_identity[1]}]
            if pod_identity
            else None
        ),
        tags=dict(tags),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on) or None),
    )


@dataclass
class EksClusterArgs:
    settings: ClusterSettings
    cluster_name: str
    """Fixed physical name (``<prefix>-serving``): the control-plane log group is named
    after it and must exist first, to get a retention and the key."""
    subnet_ids: pulumi.Input[Sequence[str]]
    kms_key_arn: pulumi.Input[str]
    tags: Mapping[str, str]
    log_retention_days: int = 30


class EksCluster(pulumi.ComponentResource):
    """The control plane, its role, log group, access entries and early add-ons.

    Replacement hazards: the name, the role, ``bootstrap_self_managed_addons`` and the
    secrets-encryption key replace the cluster (a new cluster, every workload lost), so
    they are fixed here; the version is updated in place, one minor version at a time.
    ``upgrade_policy.support_type`` is ``STANDARD``: at the end of standard support EKS
    upgrades the cluster instead of billing extended support."""

    role: ScopedRole
    role_attachments: list[aws.iam.RolePolicyAttachment]
    log_group: aws.cloudwatch.LogGroup
    cluster: aws.eks.Cluster
    access_entries: dict[str, aws.eks.AccessEntry]
    access_policies: dict[str, aws.eks.AccessPolicyAssociation]
    addons: dict[str, aws.eks.Addon]
    cluster_name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    certificate_authority: pulumi.Output[str]
    cluster_security_group_id: pulumi.Output[str]
    version: str

    def __init__(
        self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:aws:EksCluster", name, None, opts)
        s = args.settings
        here = pulumi.ResourceOptions(parent=self)
        arns = AccountArns(self)
        tags = dict(args.tags)
        cluster_name = fixed_name("eks-cluster", args.cluster_name, owner=name)
        self.version = eks_versions.kubernetes_version()
        self.role = ScopedRole(
            child(name, "role"),
            ScopedRoleArgs(
                service_principals=["eks.amazonaws.com"],
                description="EKS control plane: manage the cluster's network and keys.",
                tags=tags,
                # The EKS cluster role trust in the EKS user guide has no condition keys.
                source_account_condition=False,
                policies={
                    "secrets-key": [
                        allow(
                            "EncryptSecrets",
                            ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                            [args.kms_key_arn],
                        )
                    ]
                },
            ),
            opts=here,
        )
        self.role_attachments = attach_managed(
            child(name, "role"), self.role, arns, ["AmazonEKSClusterPolicy"], self
        )
        self.log_group = encrypted_log_group(
            child(name, "control-plane-logs"),
            log_group_name=f"/aws/eks/{cluster_name}/cluster",
            retention_days=args.log_retention_days,
            kms_key_arn=args.kms_key_arn,
            tags=tags,
            opts=here,
        )
        public = s.endpoint_access is ApiEndpointAccess.PUBLIC_ALLOWLIST
        self.cluster = aws.eks.Cluster(
            name,
            name=cluster_name,
            version=self.version,
            role_arn=self.role.role_arn,
            vpc_config={
                "subnet_ids": args.subnet_ids,
                "endpoint_private_access": True,
                "endpoint_public_access": public,
                "public_access_cidrs": list(s.public_access_cidrs) if public else None,
            },
            encryption_config={"resources": ["secrets"], "provider": {"key_arn": args.kms_key_arn}},
            enabled_cluster_log_types=[eks_versions.checked("LogType", t) for t in s.log_types],
            access_config={
                "authentication_mode": eks_versions.checked("AuthenticationMode", "API"),
                "bootstrap_cluster_creator_admin_permissions": True,
            },
            bootstrap_self_managed_addons=False,
            upgrade_policy={"support_type": eks_versions.checked("SupportType", "STANDARD")},
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[self.log_group, *self.role_attachments]
            ),
        )
        self.cluster_name = self.cluster.name
        self.endpoint = self.cluster.endpoint
        self.certificate_authority = self.cluster.certificate_authority.apply(
            lambda ca: ca.data or ""
        )
        self.cluster_security_group_id = self.cluster.vpc_config.apply(
            lambda v: v.cluster_security_group_id or ""
        )
        self._access(name, s.admin_principal_arns, arns, tags)
        self.addons = {
            key: addon(
                child(name, key),
                cluster_name=self.cluster_name,
                addon_name=key,
                tags=tags,
                parent=self,
            )
            for key in EARLY_ADDONS
        }
        self.register_outputs({"cluster_name": self.cluster_name, "endpoint": self.endpoint})

    def _access(
        self, name: str, admins: Sequence[str], arns: AccountArns, tags: Mapping[str, str]
    ) -> None:
        """One access entry and cluster-admin association per admin principal."""
        self.access_entries, self.access_policies = {}, {}
        policy = arns.partition.apply(
            lambda p: f"arn:{p}:eks::aws:cluster-access-policy/{ADMIN_POLICY}"
        )
        for index, principal in enumerate(admins):
            key = f"admin-{index}"
            entry = aws.eks.AccessEntry(
                child(name, key),
                cluster_name=self.cluster_name,
                principal_arn=principal,
                type="STANDARD",
                tags=dict(tags),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.access_entries[key] = entry
            self.access_policies[key] = aws.eks.AccessPolicyAssociation(
                child(name, f"{key}-policy"),
                cluster_name=self.cluster_name,
                principal_arn=entry.principal_arn,
                policy_arn=policy,
                access_scope={"type": "cluster"},
                opts=pulumi.ResourceOptions(parent=self),
            )
