"""``mlops-iac:ci``: the keyless identity CI deploys the stack with.

Every stack plans a CI identity on each cloud it deploys to (``<cloud>/ci_identity.py``):
an identity that GitHub Actions jobs of exactly one repository, in one GitHub
environment (or on one branch), can sign in as with their OIDC token, and that holds
only the permissions a deploy of the stack's architectures needs.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from ..github_oidc import REPOSITORY_PATTERN, subject
from .base import Strict

GITHUB_ENVIRONMENT_PATTERN = r"^[A-Za-z0-9._-]{1,255}$"
BRANCH_PATTERN = r"^[A-Za-z0-9._/-]{1,255}$"
"""Branch names without the characters a ``sub`` claim cannot hold exactly (``*``,
``:``, spaces): the trust is an exact match, never a wildcard."""


class CiSettings(Strict):
    """The repository and environment (or branch) trusted to deploy the stack."""

    enabled: bool = Field(
        default=True,
        description="false: no CI identity (deploys use credentials managed elsewhere).",
    )
    repository: str = Field(
        pattern=REPOSITORY_PATTERN,
        description="owner/name of the GitHub repository whose workflows deploy the stack; "
        "the only one trusted.",
    )
    environment: str | None = Field(
        default=None,
        pattern=GITHUB_ENVIRONMENT_PATTERN,
        description="GitHub environment the deploy job runs in (.github/workflows/"
        "pulumi-stack.yml); its protection rules (required reviewers for prod) gate "
        "every deploy. The trusted subject is repo:<repository>:environment:<environment>.",
    )
    branch: str | None = Field(
        default=None,
        pattern=BRANCH_PATTERN,
        description="Instead of an environment: the branch whose pushes may deploy "
        "(subject repo:<repository>:ref:refs/heads/<branch>). Prefer an environment.",
    )
    repository_id: int | None = Field(
        default=None,
        gt=0,
        description="GitHub's immutable id of the repository (`gh api repos/OWNER/REPO "
        "--jq .id`): GCP also requires the token's repository_id claim to equal it, so a "
        "repository re-created under the same name is not trusted. AWS cannot check it "
        "(docs/ci.md).",
    )
    repository_owner_id: int | None = Field(
        default=None,
        gt=0,
        description="GitHub's immutable id of the repository's owner (`gh api "
        "repos/OWNER/REPO --jq .owner.id`), required like repository_id.",
    )
    aws_oidc_provider_arn: str | None = Field(
        default=None,
        pattern=r"^arn:aws[a-z-]*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com$",
        description="AWS: the account's existing IAM OIDC provider for GitHub (one per "
        "account and URL); default: the stack creates it. Set it for the second stack "
        "of an account.",
    )

    @property
    def subject(self) -> str:
        """The ``sub`` claim of the trusted jobs (``github_oidc.subject``)."""
        return subject(self.repository, environment=self.environment, branch=self.branch)

    @model_validator(mode="after")
    def _one_subject(self) -> Self:
        if (self.environment is None) == (self.branch is None):
            raise ValueError(
                "set exactly one of environment or branch: the subject CI is trusted as"
            )
        return self
