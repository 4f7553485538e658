"""A private GKE Standard cluster for ML workloads, with its system pool and GPU/TPU
node pools (``node_pools.py``).

- Its own subnet in the foundation's network, with ``pods`` and ``services`` secondary
  ranges (VPC-native), Private Google Access and flow logs (``network.subnetwork``).
- Private nodes (no external IPs). The control plane: ``private`` (default) turns the
  public IP endpoint off and opens only the DNS-based endpoint, which authorises every
  call with IAM (https://cloud.google.com/kubernetes-engine/docs/concepts/network-isolation#dns-based_endpoint),
  so Pulumi and CI reach the cluster without a VPN; ``public`` keeps the IP endpoint
  and admits only the listed ranges (master authorized networks). Either way the
  authorized networks are on (CIS GKE 5.6.3) and client certificates are off (5.8.2).
- Workload Identity (CIS GKE 5.2.2), Shielded nodes (5.5.5), release channel
  (5.5.4), Dataplane V2 (network policy enforcement, 5.6.7), managed Prometheus and
  system/workload logging (5.7.1), Kubernetes secrets encrypted with the foundation's
  customer-managed key (5.3.1), legacy ABAC off (5.8.3).
- The default node pool is removed; nodes run as a dedicated service account with
  ``roles/container.defaultNodeServiceAccount`` and read access to the foundation's
  Docker repository only (CIS GKE 5.2.1).
- ``deletion_protection`` follows ``Retention``: on with ``protected`` (the provider's
  own default, pulumi/pulumi-gcp#1394), off with ``destroyable`` so ``pulumi destroy``
  works in one step. Protected clusters also get ``protect``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_gcp as gcp

from .. import naming
from ..retention import is_protected, stateful_options
from ..settings import Retention
from ..settings.gcp import GkeClusterSettings
from ..vocabulary import NetworkAccessMode
from ._common import raise_problems
from .identity import ResourceGrant, ServiceAccount, ServiceAccountArgs
from .names import check_auto_name
from .network import SecondaryRange, SubnetSpec, subnetwork
from .node_pools import PoolPlan, accelerator_pool, system_pool

SERVICES = ("container.googleapis.com",)
NODE_ROLES = ("roles/container.defaultNodeServiceAccount",)
"""Logs, metrics and metadata writes a node needs, nothing else
(https://cloud.google.com/kubernetes-engine/docs/how-to/service-accounts#default-gke-service-agent)."""
REGISTRY_READER = "roles/artifactregistry.reader"
ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
PODS_RANGE = "pods"
SERVICES_RANGE = "services"


@dataclass
class GkeClusterArgs:
    settings: GkeClusterSettings
    region: str
    cluster_name: str
    """Fixed name of the cluster (unique per project and region, at most 40 characters)."""
    node_account_id: str
    network_id: pulumi.Input[str]
    kms_key_id: pulumi.Input[str]
    registry_id: pulumi.Input[str]
    """The foundation's Docker repository the nodes pull from."""
    labels: Mapping[str, str]
    retention: Retention = Retention.DESTROYABLE
    flow_log_sampling: float = 0.5
    serving_pool: str | None = None
    """Key of the accelerator pool the model server runs on (its upgrades surge)."""


class GkeCluster(pulumi.ComponentResource):
    """The cluster, its subnet, node service account and node pools."""

    subnet: gcp.compute.Subnetwork
    node_account: ServiceAccount
    key_grant: gcp.kms.CryptoKeyIAMMember
    cluster: gcp.container.Cluster
    system_pool: gcp.container.NodePool
    pools: dict[str, gcp.container.NodePool]
    plans: dict[str, PoolPlan]
    cluster_id: pulumi.Output[str]
    cluster_name: pulumi.Output[str]
    workload_pool: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]

    def __init__(
        self, name: str, args: GkeClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:GkeCluster", name, None, opts)
        _validate(args)
        s = args.settings
        labels = dict(args.labels)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        project = gcp.organizations.get_project_output(opts=invoke)

        self.subnet = subnetwork(
            naming.child(name, "nodes"),
            args.network_id,
            args.region,
            SubnetSpec(
                "nodes",
                s.node_cidr,
                (
                    SecondaryRange(PODS_RANGE, s.pods_cidr),
                    SecondaryRange(SERVICES_RANGE, s.services_cidr),
                ),
            ),
            args.flow_log_sampling,
            None,
            child,
        )
        self.node_account = ServiceAccount(
            naming.child(name, "nodes-sa"),
            ServiceAccountArgs(
                account_id=args.node_account_id,
                display_name="GKE nodes (mlops-iac)",
                description="Runs the cluster's nodes: logs, metrics, image pulls.",
                project_roles=NODE_ROLES,
                resource_grants={
                    "images": ResourceGrant("repository", args.registry_id, REGISTRY_READER)
                },
            ),
            child,
        )
        # GKE's service agent encrypts Kubernetes secrets (application-layer secrets
        # encryption); the agent exists once the Kubernetes Engine API is on.
        self.key_grant = gcp.kms.CryptoKeyIAMMember(
            naming.child(name, "secrets-key"),
            crypto_key_id=args.kms_key_id,
            role=ENCRYPTER_DECRYPTER,
            member=project.number.apply(
                lambda n: (
                    f"serviceAccount:service-{n}@container-engine-robot.iam.gserviceaccount.com"
                )
            ),
            opts=child,
        )
        private = s.control_plane.mode is NetworkAccessMode.PRIVATE
        authorized = [s.node_cidr] if private else list(s.control_plane.allowed_cidrs)
        cluster_opts = stateful_options(args.retention, self)
        cluster_opts.depends_on = [self.key_grant]
        self.cluster = gcp.container.Cluster(
            naming.child(name),
            name=args.cluster_name,
            location=args.region,
            node_locations=list(s.zones) or None,
            network=args.network_id,
            subnetwork=self.subnet.id,
            networking_mode="VPC_NATIVE",
            ip_allocation_policy={
                "cluster_secondary_range_name": PODS_RANGE,
                "services_secondary_range_name": SERVICES_RANGE,
                "stack_type": "IPV4",
            },
            remove_default_node_pool=True,
            initial_node_count=1,
            deletion_protection=is_protected(args.retention),
            release_channel={"channel": s.release_channel},
            workload_identity_config={
                "workload_pool": project.project_id.apply(lambda p: f"{p}.svc.id.goog")
            },
            private_cluster_config={
                "enable_private_nodes": True,
                "enable_private_endpoint": private,
                "master_ipv4_cidr_block": s.control_plane_cidr,
            },
            control_plane_endpoints_config={
                "dns_endpoint_config": {"allow_external_traffic": True},
            },
            master_authorized_networks_config={
                "cidr_blocks": [
                    {"cidr_block": cidr, "display_name": f"allowed-{i}"}
                    for i, cidr in enumerate(authorized)
                ],
                "gcp_public_cidrs_access_enabled": False,
            },
            master_auth={"client_certificate_config": {"issue_client_certificate": False}},
            enable_legacy_abac=False,
            enable_shielded_nodes=True,
            datapath_provider="ADVANCED_DATAPATH",
            database_encryption={"state": "ENCRYPTED", "key_name": args.kms_key_id},
            monitoring_config={
                "enable_components": ["SYSTEM_COMPONENTS", "DEPLOYMENT", "POD"],
                "managed_prometheus": {"enabled": True},
            },
            logging_config={"enable_components": ["SYSTEM_COMPONENTS", "WORKLOADS"]},
            addons_config={"gcs_fuse_csi_driver_config": {"enabled": True}},
            cost_management_config={"enabled": True},
            resource_labels=labels,
            opts=cluster_opts,
        )

        pool_opts = pulumi.ResourceOptions(parent=self)
        self.system_pool = gcp.container.NodePool(
            naming.child(name, "system"),
            cluster=self.cluster.id,
            **system_pool(
                location=args.region,
                machine_type=s.system_machine_type,
                service_account=self.node_account.email,
                labels=labels,
                min_nodes=s.system_min_nodes,
                max_nodes=s.system_max_nodes,
            ),
            opts=pool_opts,
        )
        self.plans = {
            key: accelerator_pool(
                key,
                pool,
                location=args.region,
                service_account=self.node_account.email,
                labels=labels,
                driver_version=s.gpu_driver_version,
                setting=f"cluster.accelerator_pools.{key}",
                serving=key == args.serving_pool,
            )
            for key, pool in s.accelerator_pools.items()
        }
        # Auto-named pools (`<logical name>-<random>`), checked against GKE's name rule.
        self.pools = {
            key: gcp.container.NodePool(
                check_auto_name("gke-node-pool", naming.child(name, key)),
                cluster=self.cluster.id,
                **plan.args,
                opts=pool_opts,
            )
            for key, plan in self.plans.items()
        }

        self.cluster_id = self.cluster.id
        self.cluster_name = self.cluster.name
        self.workload_pool = project.project_id.apply(lambda p: f"{p}.svc.id.goog")
        self.kubeconfig = kubeconfig(self.cluster)
        self.register_outputs({"cluster_id": self.cluster_id, "cluster_name": self.cluster_name})


def _validate(args: GkeClusterArgs) -> None:
    """Zones must lie in the cluster's region (the settings cannot know the region)."""
    s = args.settings
    named = [("cluster.zones", zone) for zone in s.zones] + [
        (f"cluster.accelerator_pools.{key}.zones", zone)
        for key, pool in s.accelerator_pools.items()
        for zone in pool.zones
    ]
    raise_problems(
        "GkeClusterArgs",
        [
            f"{setting}: {zone} is not a zone of the cluster's region {args.region}"
            for setting, zone in named
            if zone.rsplit("-", 1)[0] != args.region
        ],
    )


def kubeconfig(cluster: gcp.container.Cluster) -> pulumi.Output[str]:
    """A kubeconfig for the cluster's DNS-based endpoint, authenticated with the caller's
    Google credentials through ``gke-gcloud-auth-plugin`` (no static credentials),
    serialised from a dict (a secret: it names the endpoint)."""

    def build(args: list[Any]) -> str:
        name, endpoints = args
        host = _field(_field(endpoints, "dns_endpoint_config", "dnsEndpointConfig"), "endpoint")
        if not host:
            raise pulumi.InputPropertyError(
                "control_plane_endpoints_config", "the cluster reports no DNS endpoint"
            )
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": name, "cluster": {"server": f"https://{host}"}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [
                {
                    "name": name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "gke-gcloud-auth-plugin",
                            "provideClusterInfo": True,
                            "installHint": "Install gke-gcloud-auth-plugin: "
                            "https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl",
                        }
                    },
                }
            ],
        }
        return json.dumps(config, sort_keys=True)

    return pulumi.Output.secret(
        pulumi.Output.all(cluster.name, cluster.control_plane_endpoints_config).apply(build)
    )


def _field(value: Any, *names: str) -> Any:
    """A field of an output object: an SDK output type, or the plain dict an output has
    when the SDK could not type it."""
    for name in names:
        if isinstance(value, dict) and name in value:
            return value[name]
        if value is not None and not isinstance(value, dict) and hasattr(value, name):
            return getattr(value, name)
    return None
