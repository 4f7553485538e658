"""A Vertex AI endpoint and, optionally, the machines the models deployed to it share.

Models and their deployment are runtime objects (the Model Registry and
``endpoints.deployModel``); the infrastructure is the endpoint and, with
``shared_pool``, a deployment resource pool whose machines, replica bounds and
autoscaling target every model deployed with ``shared_resources`` uses. Co-hosting runs
Vertex AI prebuilt containers only, so a custom serving container is deployed with
dedicated resources and no pool is created (the default of ``VertexMlops``). The pool
is protected like the endpoint in protected stacks; the provider exposes no
``encryption_spec`` for it (its replicas keep no model data at rest beyond the
endpoint's).

Update behaviour: the endpoint's ``name`` (a numeric id, derived from the stack
prefix), ``encryption_spec``, ``network`` and ``private_service_connect_config`` force
a replacement, which deletes the endpoint and every model deployed to it: keep them
fixed. The pool's machine spec forces a replacement too; replica bounds update in place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from pulumi_gcp.vertex import (
    AiDeploymentResourcePoolDedicatedResourcesMachineSpecArgsDict,
    AiEndpointPredictRequestResponseLoggingConfigArgsDict,
    AiEndpointPrivateServiceConnectConfigArgsDict,
)

from .. import naming
from ..retention import stateful_options
from ..settings import Retention
from ._common import checked_key_id, deletion_policy, label_problems, raise_problems
from .names import VERTEX_ENDPOINT_ID
from .vertex_machines import MachineSpec

SERVICES = ("aiplatform.googleapis.com",)
"""APIs this block needs enabled (``ProjectServices``)."""

POOL_ID = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
"""A deployment resource pool id: at most 63 lower-case letters, digits and hyphens,
starting with a letter (Vertex AI ``deploymentResourcePools.create``)."""


@dataclass
class VertexEndpointArgs:
    endpoint_id: str
    """The endpoint's numeric id (``names.numeric_id``): fixed, so it stays stable."""
    pool_id: str
    """The deployment resource pool's id: lower-case letters, digits and hyphens."""
    region: str
    kms_key_id: pulumi.Input[str]
    kms_key_grants: Sequence[pulumi.Resource]
    """Vertex AI's grant on the key (``CmekKey.add_encrypter("aiplatform.googleapis.com")``)."""
    labels: Mapping[str, str]
    machine: MachineSpec
    min_replicas: int
    max_replicas: int
    metric_name: str
    """``aiplatform.googleapis.com/prediction/online/cpu/utilization`` or
    ``.../accelerator/duty_cycle``."""
    target_percent: int
    private_project_allowlist: Sequence[pulumi.Input[str]] | None = None
    """Projects allowed to connect to the endpoint over Private Service Connect;
    ``None``: a public endpoint (IAM still guards every call)."""
    psc_consumer: tuple[pulumi.Input[str], pulumi.Input[str]] | None = None
    """With Private Service Connect: ``(project id, network)`` where Vertex AI creates
    the consumer endpoint (forwarding rule) itself (``psc_automation_configs``; the
    network is ``projects/<p>/global/networks/<n>``). Without it a private endpoint has
    no address any client can call."""
    request_log_table: pulumi.Input[str] | None = None
    """``bq://<project>.<dataset>`` for request-response logging; ``None``: off."""
    request_log_rate: float = 0.0
    shared_pool: bool = False
    """A deployment resource pool for co-hosted models (prebuilt containers only)."""
    retention: Retention = Retention.DESTROYABLE
    display_name: str = ""


class VertexEndpoint(pulumi.ComponentResource):
    """A CMEK-encrypted Vertex AI endpoint (Private Service Connect when an allowlist is
    given) and a ``AiDeploymentResourcePool`` with replica bounds and autoscaling."""

    endpoint: gcp.vertex.AiEndpoint
    pool: gcp.vertex.AiDeploymentResourcePool | None
    endpoint_id: pulumi.Output[str]
    endpoint_name: pulumi.Output[str]
    pool_name: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: VertexEndpointArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:VertexEndpoint", name, None, opts)
        _validate(args)
        key = pulumi.Output.from_input(args.kms_key_id).apply(
            checked_key_id("kms_key_id", args.region)
        )
        psc: AiEndpointPrivateServiceConnectConfigArgsDict | None = None
        if args.private_project_allowlist is not None:
            psc = {
                "enable_private_service_connect": True,
                "project_allowlists": list(args.private_project_allowlist),
            }
            if args.psc_consumer is not None:
                project, network = args.psc_consumer
                psc["psc_automation_configs"] = [{"project_id": project, "network": network}]
        logging: AiEndpointPredictRequestResponseLoggingConfigArgsDict | None = None
        if args.request_log_table is not None and args.request_log_rate > 0:
            logging = {
                "enabled": True,
                "sampling_rate": args.request_log_rate,
                "bigquery_destination": {"output_uri": args.request_log_table},
            }
        self.endpoint = gcp.vertex.AiEndpoint(
            naming.child(name),
            name=args.endpoint_id,
            display_name=args.display_name or name,
            location=args.region,
            region=args.region,
            encryption_spec={"kms_key_name": key},
            private_service_connect_config=psc,
            predict_request_response_logging_config=logging,
            deletion_policy=deletion_policy(args.retention),
            labels=dict(args.labels),
            opts=stateful_options(args.retention, self, depends_on=args.kms_key_grants),
        )
        self.pool = None
        self.pool_name = None
        if args.shared_pool:
            self.pool = gcp.vertex.AiDeploymentResourcePool(
                naming.child(name, "pool"),
                name=args.pool_id,
                region=args.region,
                dedicated_resources={
                    "machine_spec": _machine_args(args.machine),
                    "min_replica_count": args.min_replicas,
                    "max_replica_count": args.max_replicas,
                    "autoscaling_metric_specs": [
                        {"metric_name": args.metric_name, "target": args.target_percent}
                    ],
                },
                deletion_policy=deletion_policy(args.retention),
                opts=stateful_options(args.retention, self),
            )
            self.pool_name = self.pool.id
        self.endpoint_id = self.endpoint.name
        self.endpoint_name = self.endpoint.id
        self.register_outputs(
            {
                "endpoint_id": self.endpoint_id,
                "endpoint_name": self.endpoint_name,
                "pool_name": self.pool_name,
            }
        )


def _validate(args: VertexEndpointArgs) -> None:
    problems = label_problems(args.labels)
    if not VERTEX_ENDPOINT_ID.match(args.endpoint_id):
        problems.append(
            f"endpoint_id: {args.endpoint_id!r} must be numeric, at most 10 digits, no "
            "leading zero (Vertex AI endpoint ids)"
        )
    if not POOL_ID.match(args.pool_id):
        problems.append(
            f"pool_id: {args.pool_id!r} must be 1-63 lower-case letters, digits and "
            "hyphens, starting with a letter"
        )
    if not 1 <= args.min_replicas <= args.max_replicas:
        problems.append(
            f"min_replicas/max_replicas: need 1 <= min ({args.min_replicas}) <= max "
            f"({args.max_replicas}); Vertex AI keeps at least one replica"
        )
    if not 1 <= args.target_percent <= 100:
        problems.append(f"target_percent: {args.target_percent} is not 1-100")
    if not 0 <= args.request_log_rate <= 1:
        problems.append(f"request_log_rate: {args.request_log_rate} is not 0-1")
    if args.private_project_allowlist is not None and args.psc_consumer is None:
        problems.append(
            "psc_consumer: a Private Service Connect endpoint needs the project and network "
            "of its consumer endpoint (psc_automation_configs)"
        )
    if not args.kms_key_grants:
        problems.append("kms_key_grants: Vertex AI's grant on the key is required")
    raise_problems("VertexEndpointArgs", problems)


def _machine_args(
    machine: MachineSpec,
) -> AiDeploymentResourcePoolDedicatedResourcesMachineSpecArgsDict:
    spec: AiDeploymentResourcePoolDedicatedResourcesMachineSpecArgsDict = {
        "machine_type": machine.machine_type
    }
    if machine.accelerator_type:
        spec["accelerator_type"] = machine.accelerator_type
        spec["accelerator_count"] = machine.accelerator_count
    return spec
