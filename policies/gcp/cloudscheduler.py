"""Cloud Scheduler rules: HTTP jobs call their targets over HTTPS with a Google-signed
token of a service account."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import Category, is_set, resource_rule

JOB = "gcp:cloudscheduler/job:Job"


@resource_rule(
    name="gcp-cloudscheduler-job-require-authenticated-https",
    description="Cloud Scheduler HTTP jobs must call an https:// target with an OAuth (Google APIs) or OIDC token of a service account.",
    category=Category.SECURITY,
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    remediation="Use an https:// uri and set http_target.oauth_token (for *.googleapis.com) or oidc_token with the service account that may call it.",
    references=["none (project rule: no public control checks Cloud Scheduler targets)"],
    resource_types=[JOB],
)
def authenticated_target(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """An unauthenticated target must be public to be called; a token of a named
    service account keeps the target private and the caller auditable."""
    target = args.props.get("httpTarget")
    if not isinstance(target, Mapping):
        return
    uri = target.get("uri")
    if isinstance(uri, str) and not uri.startswith("https://"):
        yield f"httpTarget.uri {uri} is not https."
    tokens = [key for key in ("oauthToken", "oidcToken") if is_set(target, key)]
    if not tokens:
        yield "httpTarget has neither oauthToken nor oidcToken."
    elif isinstance(uri, str) and ".googleapis.com/" in uri and tokens == ["oidcToken"]:
        yield "httpTarget calls a Google API with an OIDC token; Google APIs take oauthToken."
