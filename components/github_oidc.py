"""GitHub Actions' OpenID Connect tokens: what a cloud must trust, and nothing more.

A workflow job with ``permissions: id-token: write`` gets a token signed by GitHub's
issuer, whose ``sub`` (subject) claim names the repository and what the job runs for.
Each cloud's CI identity (``<cloud>/ci_identity.py``) trusts exactly one subject: one
repository and one GitHub environment (whose protection rules, such as required
reviewers, then gate every deploy), or one branch.

Facts from GitHub's documentation, "About security hardening with OpenID Connect"
(https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect):
the issuer is ``https://token.actions.githubusercontent.com``; the subject of a job
that references an environment is ``repo:<owner>/<repo>:environment:<name>``,
otherwise, for a push to a branch, ``repo:<owner>/<repo>:ref:refs/heads/<branch>``;
the audience is what the cloud's login action asks for: ``sts.amazonaws.com``
(aws-actions/configure-aws-credentials), ``api://AzureADTokenExchange`` (azure/login,
the audience of Entra ID federated credentials), and for Google Cloud the workload
identity provider's full resource name (google-github-actions/auth), which a provider
without ``allowed_audiences`` accepts by default.
"""

from __future__ import annotations

ISSUER = "https://token.actions.githubusercontent.com"
ISSUER_HOST = "token.actions.githubusercontent.com"
AWS_AUDIENCE = "sts.amazonaws.com"
AZURE_AUDIENCE = "api://AzureADTokenExchange"
REPOSITORY_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$"
"""``owner/name``: GitHub owners are 1-39 letters, digits and hyphens; repository names
letters, digits, ``.``, ``_`` and ``-``."""


def subject(repository: str, *, environment: str | None = None, branch: str | None = None) -> str:
    """The ``sub`` claim of a job of ``repository`` in GitHub ``environment``, or (without
    an environment) of a job run for ``branch``."""
    if environment is not None:
        return f"repo:{repository}:environment:{environment}"
    if branch is not None:
        return f"repo:{repository}:ref:refs/heads/{branch}"
    raise ValueError("a subject needs an environment or a branch")
