"""Kubernetes objects the cluster needs besides what ARM creates, as one YAML document
(``kubectl apply -f``): the compute namespace, the workload-identity service account,
and (on-premises clusters) the volume that keeps training data on site.

These SDKs have no Kubernetes provider (pulumi-kubernetes is not a dependency, and an
on-premises cluster is not reachable from the deploying machine), so the program emits
the manifest as a stack output and the platform team applies it with cluster
credentials. The document is built from data with a YAML serializer.

Azure ML mounts a PersistentVolumeClaim into training jobs of its namespace when the
claim carries the label ``ml.azure.com/pvc: "true"`` and the annotation
``ml.azure.com/mountpath`` ("Reference for configuring Kubernetes cluster for Azure
Machine Learning", https://learn.microsoft.com/azure/machine-learning/reference-kubernetes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

PVC_LABEL = "ml.azure.com/pvc"
MOUNT_PATH_ANNOTATION = "ml.azure.com/mountpath"


@dataclass(frozen=True)
class NfsVolume:
    """An on-premises NFS export mounted into training jobs."""

    name: str
    server: str
    path: str
    mount_path: str
    capacity: str
    read_only: bool = True


def namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def service_account(name: str, namespace_name: str, client_id: str) -> dict[str, Any]:
    """A service account whose pods get the workload identity ``client_id``."""
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {
            "name": name,
            "namespace": namespace_name,
            "annotations": {"azure.workload.identity/client-id": client_id},
        },
    }


def nfs_volume(volume: NfsVolume, namespace_name: str) -> list[dict[str, Any]]:
    """A PersistentVolume on the NFS export and the claim Azure ML mounts into jobs."""
    mode = "ReadOnlyMany" if volume.read_only else "ReadWriteMany"
    return [
        {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": f"{namespace_name}-{volume.name}"},
            "spec": {
                "capacity": {"storage": volume.capacity},
                "accessModes": [mode],
                "persistentVolumeReclaimPolicy": "Retain",
                "storageClassName": "",
                "nfs": {"server": volume.server, "path": volume.path, "readOnly": volume.read_only},
            },
        },
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {
                "name": volume.name,
                "namespace": namespace_name,
                "labels": {PVC_LABEL: "true"},
                "annotations": {MOUNT_PATH_ANNOTATION: volume.mount_path},
            },
            "spec": {
                "accessModes": [mode],
                "storageClassName": "",
                "volumeName": f"{namespace_name}-{volume.name}",
                "resources": {"requests": {"storage": volume.capacity}},
            },
        },
    ]


def document(objects: Sequence[Mapping[str, Any]]) -> str:
    """The objects as one multi-document YAML string."""
    return yaml.safe_dump_all([dict(o) for o in objects], sort_keys=False)
