"""ECR repositories for model and processing images: immutable tags, scan on push,
the stack's KMS key, a lifecycle policy, and pull access for declared consumer
accounts."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from ..naming import child
from ..retention import stateful_options
from ..settings import Retention

PULL_ACTIONS = (
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchCheckLayerAvailability",
)
"""What pulling an image needs on the repository (``ecr:GetAuthorizationToken`` is an
account-level action the puller's own IAM policy grants)."""


def lifecycle_policy(
    keep_images: int, untagged_expire_days: int, build_tag_patterns: Sequence[str]
) -> dict[str, Any]:
    """Expire untagged images after ``untagged_expire_days``, then, per CI build tag
    pattern (``build-*``), keep the newest ``keep_images`` images it matches. Release
    tags (any other tag: what stacks pin and clusters run) are never expired.

    One rule per pattern: a rule's ``tagPatternList`` selects only images carrying
    every listed pattern. An image that also carries a release tag is still counted
    by its build tag's rule (expiring an image removes all its tags), so promote a
    release by pushing it under its release tag alone. ECR lifecycle policy
    reference: https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html."""
    untagged = {
        "rulePriority": 1,
        "description": f"Expire untagged images after {untagged_expire_days} days",
        "selection": {
            "tagStatus": "untagged",
            "countType": "sinceImagePushed",
            "countUnit": "days",
            "countNumber": untagged_expire_days,
        },
        "action": {"type": "expire"},
    }
    builds = [
        {
            "rulePriority": priority,
            "description": f"Keep the newest {keep_images} {pattern} builds",
            "selection": {
                "tagStatus": "tagged",
                "tagPatternList": [pattern],
                "countType": "imageCountMoreThan",
                "countNumber": keep_images,
            },
            "action": {"type": "expire"},
        }
        for priority, pattern in enumerate(build_tag_patterns, start=2)
    ]
    return {"rules": [untagged, *builds]}


def consumer_pull_policy(account_roots: Sequence[str]) -> dict[str, Any]:
    """Pull-only access for whole consumer accounts (their IAM policies then decide
    which of their roles pull)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ConsumerAccountsPull",
                "Effect": "Allow",
                "Principal": {"AWS": sorted(account_roots)},
                "Action": list(PULL_ACTIONS),
            }
        ],
    }


@dataclass
class ImageRepositoriesArgs:
    names: Sequence[str]
    """Repository names; each is created as ``<prefix>/<name>``."""
    prefix: str
    kms_key_arn: pulumi.Input[str]
    tags: Mapping[str, str]
    keep_images: int = 30
    untagged_expire_days: int = 7
    build_tag_patterns: Sequence[str] = ("build-*",)
    """CI build tags (``tagPatternList``) of which ``keep_images`` are kept."""
    consumer_account_roots: Sequence[pulumi.Input[str]] = ()
    """``arn:<partition>:iam::<account>:root`` of accounts that may pull."""
    retention: Retention = Retention.DESTROYABLE
    """``protected``: repositories are kept on delete and never force-deleted."""


class ImageRepositories(pulumi.ComponentResource):
    """One ECR repository per name, each with its lifecycle policy and (with
    consumers) a pull-only repository policy.

    Names are fixed (``<prefix>/<name>``: image URIs are written into stack files and
    CI), so a change that replaces a repository (its name or KMS key) deletes it with
    its images first; ``protected`` retention keeps it."""

    repositories: dict[str, aws.ecr.Repository]
    lifecycle_policies: dict[str, aws.ecr.LifecyclePolicy]
    repository_policies: dict[str, aws.ecr.RepositoryPolicy]
    repository_urls: dict[str, pulumi.Output[str]]
    repository_arns: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: ImageRepositoriesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:aws:ImageRepositories", name, None, opts)
        destroyable = args.retention is Retention.DESTROYABLE
        self.repositories, self.lifecycle_policies, self.repository_policies = {}, {}, {}
        lifecycle = json.dumps(
            lifecycle_policy(args.keep_images, args.untagged_expire_days, args.build_tag_patterns)
        )
        for repo in args.names:
            role = child(name, repo)
            repository = aws.ecr.Repository(
                role,
                name=f"{args.prefix}/{repo}",
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration={"scan_on_push": True},
                encryption_configurations=[{"encryption_type": "KMS", "kms_key": args.kms_key_arn}],
                force_delete=destroyable,
                tags=dict(args.tags),
                opts=stateful_options(args.retention, self),
            )
            self.repositories[repo] = repository
            # Configuration children follow the repository: a retained repository keeps
            # its lifecycle (and consumers' access) after the stack is gone.
            self.lifecycle_policies[repo] = aws.ecr.LifecyclePolicy(
                child(role, "lifecycle"),
                repository=repository.name,
                policy=lifecycle,
                opts=stateful_options(args.retention, self),
            )
            if args.consumer_account_roots:
                self.repository_policies[repo] = aws.ecr.RepositoryPolicy(
                    child(role, "consumers"),
                    repository=repository.name,
                    policy=pulumi.Output.all(*args.consumer_account_roots).apply(
                        lambda roots: json.dumps(consumer_pull_policy(roots))
                    ),
                    opts=stateful_options(args.retention, self),
                )
        self.repository_urls = {k: r.repository_url for k, r in self.repositories.items()}
        self.repository_arns = {k: r.arn for k, r in self.repositories.items()}
        self.register_outputs({"repository_urls": self.repository_urls})
