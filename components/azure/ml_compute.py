"""Azure ML compute: clusters that scale to zero and a development instance that stops
when idle, all in the workspace's managed network, with Entra-only access.

- Clusters (``AmlCompute``): ``min_node_count`` 0 and a short idle scale-down
  (``node_idle_time_before_scale_down``, ISO 8601), so an idle cluster has no node;
  low priority for ``spot_first`` (``azure.capacity.CAPACITY``); no node public IP and
  no SSH (``disable_local_auth``). They run as the user-assigned compute identity.
- Instance (``ComputeInstance``): idle shutdown is required (the SDK has no default
  and an instance without it bills around the clock, traps-azure-gcp #12), given as
  ISO 8601 minutes (``PT60M``); no SSH, no public IP, personal to one user when given.

Changing a cluster's VM size or priority replaces it in Azure ML (the service refuses
the update; a cluster is stateless, jobs resubmit). Names are fixed (2-16 characters),
so a replacement deletes the old cluster first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import machinelearningservices as ml

from ..vocabulary import CapacityStrategy
from .capacity import capacity_for
from .names import check_name


def iso_seconds(seconds: int) -> str:
    """``PT<seconds>S``: the ISO 8601 duration Azure ML takes for idle times."""
    return f"PT{seconds}S"


def iso_minutes(minutes: int) -> str:
    """``PT<minutes>M``, e.g. ``PT60M``."""
    return f"PT{minutes}M"


@dataclass
class ClusterSpec:
    """One compute cluster."""

    compute_name: str
    """2-16 characters (letters, digits, hyphens), e.g. ``cpu``, ``gpu``."""
    vm_size: str
    max_nodes: int
    capacity: CapacityStrategy
    idle_seconds: int


def cluster(
    logical_name: str,
    spec: ClusterSpec,
    *,
    resource_group_name: pulumi.Input[str],
    workspace_name: pulumi.Input[str],
    location: str,
    identity_id: pulumi.Input[str],
    tags: dict[str, str],
    parent: pulumi.Resource,
    depends_on: Sequence[pulumi.Resource] = (),
) -> ml.Compute:
    """An AML compute cluster scaling between 0 and ``spec.max_nodes``; ``depends_on``:
    what the managed network needs before the first compute provisions it."""
    priority = capacity_for(spec.capacity, setting="capacity").aml_vm_priority
    return ml.Compute(
        logical_name,
        compute_name=check_name("ml-compute-cluster", spec.compute_name),
        resource_group_name=resource_group_name,
        workspace_name=workspace_name,
        location=location,
        tags=tags,
        identity={
            "type": ml.ManagedServiceIdentityType.USER_ASSIGNED,
            "user_assigned_identities": [identity_id],
        },
        properties=ml.AmlComputeArgs(
            compute_type="AmlCompute",
            disable_local_auth=True,
            properties=ml.AmlComputePropertiesArgs(
                vm_size=spec.vm_size,
                vm_priority=priority,
                os_type=ml.OsType.LINUX,
                enable_node_public_ip=False,
                remote_login_port_public_access=ml.RemoteLoginPortPublicAccess.DISABLED,
                scale_settings=ml.ScaleSettingsArgs(
                    min_node_count=0,
                    max_node_count=spec.max_nodes,
                    node_idle_time_before_scale_down=iso_seconds(spec.idle_seconds),
                ),
            ),
        ),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on)),
    )


def instance(
    logical_name: str,
    *,
    compute_name: str,
    vm_size: str,
    idle_minutes: int,
    assigned_user: tuple[str, str] | None,
    resource_group_name: pulumi.Input[str],
    workspace_name: pulumi.Input[str],
    location: str,
    tags: dict[str, str],
    parent: pulumi.Resource,
    depends_on: Sequence[pulumi.Resource] = (),
) -> ml.Compute:
    """A development compute instance that shuts down after ``idle_minutes``, personal
    to ``assigned_user`` (``(object_id, tenant_id)``) when given."""
    return ml.Compute(
        logical_name,
        compute_name=check_name("ml-compute-instance", compute_name),
        resource_group_name=resource_group_name,
        workspace_name=workspace_name,
        location=location,
        tags=tags,
        properties=ml.ComputeInstanceArgs(
            compute_type="ComputeInstance",
            disable_local_auth=True,
            properties=ml.ComputeInstancePropertiesArgs(
                vm_size=vm_size,
                idle_time_before_shutdown=iso_minutes(idle_minutes),
                enable_node_public_ip=False,
                ssh_settings=ml.ComputeInstanceSshSettingsArgs(
                    ssh_public_access=ml.SshPublicAccess.DISABLED
                ),
                application_sharing_policy=ml.ApplicationSharingPolicy.PERSONAL,
                personal_compute_instance_settings=(
                    ml.PersonalComputeInstanceSettingsArgs(
                        assigned_user=ml.AssignedUserArgs(
                            object_id=assigned_user[0], tenant_id=assigned_user[1]
                        )
                    )
                    if assigned_user is not None
                    else None
                ),
            ),
        ),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on)),
    )
