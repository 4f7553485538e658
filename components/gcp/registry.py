"""An Artifact Registry repository (Docker images or KFP pipeline templates) with cleanup
policies and CMEK."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_gcp as gcp
from pulumi_gcp.artifactregistry import RepositoryCleanupPolicyArgsDict

from .. import naming
from ..retention import stateful_options
from ..settings import Retention
from ._common import REGION, checked_key_id, deletion_policy, label_problems, raise_problems

SERVICES = ("artifactregistry.googleapis.com",)
"""APIs this block needs enabled (``ProjectServices``); vulnerability scanning also
needs ``containerscanning.googleapis.com``."""

REPOSITORY_ID = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
"""Repository ids: lower-case letters, digits and hyphens, starting with a letter and
ending with a letter or digit, at most 63 characters
(https://cloud.google.com/artifact-registry/docs/repositories/create-repos)."""

MULTI_REGIONS = ("asia", "europe", "us")
"""Artifact Registry's multi-region locations
(https://cloud.google.com/artifact-registry/docs/repositories/repo-locations)."""

KEEP_RECENT_POLICY = "keep-recent-versions"
DELETE_UNTAGGED_POLICY = "delete-untagged"


@dataclass
class ContainerRegistryArgs:
    location: str
    """Region of the repository (``europe-west4``), next to the clusters that pull, or a
    multi-region (``europe``)."""
    kms_key_id: pulumi.Input[str] | None
    """``CmekKey.key_id`` (same location), or ``None`` for Google-managed keys. Fixed at
    creation: changing it replaces the repository and deletes every image in it."""
    labels: Mapping[str, str]
    """Already-merged labels (``tags.merge_tags``), set on the repository."""
    kms_key_grants: Sequence[pulumi.Resource] = ()
    """The Artifact Registry service agent's grant on the key
    (``CmekKey.grant("artifactregistry.googleapis.com")``); required with ``kms_key_id``."""
    retention: Retention = Retention.DESTROYABLE
    """``protected``: ``protect`` + ``retain_on_delete`` and ``deletion_policy=PREVENT``;
    a deleted repository takes its images with it."""
    repository_id: str | None = None
    """The repository's name in the project and location; ``None``: the component name."""
    keep_recent_versions: int = 10
    """Versions of each image kept whatever their age (a ``KEEP`` policy wins over any
    ``DELETE`` policy)."""
    delete_untagged_after_days: int = 7
    """Untagged versions (replaced by a newer push of the same tag) are deleted after
    so many days, unless among the most recent ones."""
    immutable_tags: bool = True
    """A pushed tag can never be moved or deleted, so ``image:v3`` always means the same
    digest (a model served in production cannot change under it). Turn off for
    repositories that move ``latest``."""
    vulnerability_scanning: bool = True
    """``INHERITED``: images are scanned when the project has the Container Scanning
    API on (billed per image); ``False``: ``DISABLED``."""
    description: str = ""
    project: str | None = None
    format: Literal["DOCKER", "KFP"] = "DOCKER"
    """``DOCKER``: container images (``<location>-docker.pkg.dev``). ``KFP``: compiled
    Kubeflow pipeline templates (``<location>-kfp.pkg.dev``), the only place Vertex AI
    ``pipelineJobs.create`` takes a ``templateUri`` from; ``immutable_tags`` and
    ``vulnerability_scanning`` are Docker settings and are not sent (the ``latest`` tag
    of a KFP package moves with every upload). Fixed at creation."""


def cleanup_policies(
    keep_recent_versions: int, delete_untagged_after_days: int
) -> list[RepositoryCleanupPolicyArgsDict]:
    """Keep the newest ``keep_recent_versions`` versions of each package; delete untagged
    versions older than ``delete_untagged_after_days``. Tagged versions are never deleted
    by these policies. Durations are written in seconds, the API's own form
    (``google.protobuf.Duration``): the API refuses other units ("duration must end with
    's'", pulumi/pulumi-gcp#3344) although the provider's examples show ``"30d"``."""
    return [
        {
            "id": KEEP_RECENT_POLICY,
            "action": "KEEP",
            "most_recent_versions": {"keep_count": keep_recent_versions},
        },
        {
            "id": DELETE_UNTAGGED_POLICY,
            "action": "DELETE",
            "condition": {
                "tag_state": "UNTAGGED",
                "older_than": f"{delete_untagged_after_days * 86_400}s",
            },
        },
    ]


class ContainerRegistry(pulumi.ComponentResource):
    """A private Docker repository (``STANDARD_REPOSITORY`` mode: no upstream proxy).

    Reading and writing need IAM grants on the repository (``ServiceAccount`` with a
    ``repository`` grant); nothing is public. Cleanup policies run for real
    (``cleanup_policy_dry_run=False``), so storage does not grow without bound.
    """

    repository: gcp.artifactregistry.Repository
    repository_id: pulumi.Output[str]
    repository_name: pulumi.Output[str]
    repository_url: pulumi.Output[str]

    def __init__(
        self, name: str, args: ContainerRegistryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:ContainerRegistry", name, None, opts)
        repository_id = args.repository_id or name
        _validate(repository_id, args)
        naming.claim(
            "artifact-registry-repository", f"{args.location}/{repository_id}", naming.child(name)
        )

        kms_key_name = None
        if args.kms_key_id is not None:
            kms_key_name = pulumi.Output.from_input(args.kms_key_id).apply(
                checked_key_id("kms_key_id", args.location)
            )

        docker = args.format == "DOCKER"
        self.repository = gcp.artifactregistry.Repository(
            naming.child(name),
            repository_id=repository_id,
            location=args.location,
            project=args.project,
            format=args.format,
            mode="STANDARD_REPOSITORY",
            description=args.description or None,
            kms_key_name=kms_key_name,
            docker_config={"immutable_tags": args.immutable_tags} if docker else None,
            cleanup_policies=cleanup_policies(
                args.keep_recent_versions, args.delete_untagged_after_days
            ),
            cleanup_policy_dry_run=False,
            vulnerability_scanning_config=(
                {"enablement_config": "INHERITED" if args.vulnerability_scanning else "DISABLED"}
                if docker
                else None
            ),
            deletion_policy=deletion_policy(args.retention),
            labels=dict(args.labels),
            opts=stateful_options(args.retention, self, depends_on=args.kms_key_grants),
        )
        self.repository_id = self.repository.id
        self.repository_name = self.repository.repository_id
        project = self.repository.project
        self.repository_url = pulumi.Output.concat(
            args.location,
            "-docker.pkg.dev/" if docker else "-kfp.pkg.dev/",
            project,
            "/",
            self.repository.repository_id,
        )
        self.register_outputs(
            {
                "repository_id": self.repository_id,
                "repository_name": self.repository_name,
                "repository_url": self.repository_url,
            }
        )


def _validate(repository_id: str, args: ContainerRegistryArgs) -> None:
    problems = label_problems(args.labels)
    if not REPOSITORY_ID.match(repository_id):
        problems.append(
            f"repository_id: {repository_id!r} must be 1-63 lower-case letters, digits and "
            "hyphens, start with a letter and end with a letter or digit"
        )
    if not (REGION.match(args.location) or args.location in MULTI_REGIONS):
        problems.append(
            f"location: {args.location!r} is not a region such as 'europe-west4' or one of "
            f"the multi-regions {', '.join(MULTI_REGIONS)}"
        )
    if args.kms_key_id is not None and not args.kms_key_grants:
        problems.append(
            "kms_key_grants: pass the Artifact Registry service agent's grant on the key "
            "(CmekKey.grant('artifactregistry.googleapis.com'))"
        )
    if args.kms_key_id is None and args.kms_key_grants:
        problems.append("kms_key_grants: given without kms_key_id")
    if args.keep_recent_versions < 1:
        problems.append(f"keep_recent_versions: {args.keep_recent_versions} must be at least 1")
    if args.delete_untagged_after_days < 1:
        problems.append(
            f"delete_untagged_after_days: {args.delete_untagged_after_days} must be at least 1"
        )
    raise_problems("ContainerRegistryArgs", problems)
