"""Google Cloud quota requests: one ``cloudquota.SQuotaPreference`` per requested line.

A quota preference asks Cloud Quotas for a value; Google grants it (often at once for
modest GPU values, otherwise after review) and the preference shows the granted value.
The Cloud Quotas API has no delete method
(https://cloud.google.com/docs/quotas/reference/rest/v1/projects.locations.quotaPreferences):
``pulumi destroy`` only forgets the preference, and the quota keeps its value. There is
one preference per quota and set of dimensions, so its id is derived from them (the
provider's example: ``compute_googleapis_com-CPUS-per-project_us-east1``) and a second
stack of the project asking for the same quota updates the same preference.

A preference sets an absolute value: asking below the current limit lowers it. The
requested value is therefore never below the line's declared limit
(``quotas.requested_value``), and ``ignore_safety_checks`` is never set, so Cloud Quotas
keeps refusing a decrease below usage (``QUOTA_DECREASE_BELOW_USAGE``) or by too large a
share (``QUOTA_DECREASE_PERCENTAGE_TOO_HIGH``). Declare a project's higher existing
limits in ``quotas.declared`` so a request never undercuts them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp

from .. import naming
from ..quotas import QuotaLine
from ..settings.quotas import QuotaSettings
from .services import ProjectServices

SERVICES = ("cloudquotas.googleapis.com",)
"""The API quota preferences need (enabled with the project's other APIs)."""


def preference_id(line: QuotaLine) -> str:
    """The preference's id: service, quota id and dimension values, as the provider's
    example names them, in ``[a-zA-Z0-9-_]``."""
    assert line.request is not None
    service = re.sub(r"[^a-z0-9]", "_", str(line.request["service"]))
    dims = "".join(f"_{v}" for _, v in sorted(dict(line.request["dimensions"]).items()))
    return re.sub(r"[^A-Za-z0-9_-]", "_", f"{service}-{line.request['quota_id']}{dims}")


def requests(
    name: str,
    lines: Sequence[QuotaLine],
    settings: QuotaSettings,
    project: str | None,
    parent: pulumi.Resource,
) -> list[pulumi.CustomResource]:
    """The Cloud Quotas API switched on, then one preference per line, each named
    ``<name>-<family>-<region>``."""
    apis = ProjectServices(
        naming.child(name, "apis"), SERVICES, project, pulumi.ResourceOptions(parent=parent)
    )
    after = pulumi.ResourceOptions(parent=parent, depends_on=[apis])
    return [
        preference(
            naming.child(name, naming.physical(line.family.lower(), line.region)),
            line,
            settings,
            project,
            after,
        )
        for line in lines
    ]


def preference(
    name: str,
    line: QuotaLine,
    settings: QuotaSettings,
    project: str | None,
    opts: pulumi.ResourceOptions,
) -> gcp.cloudquota.SQuotaPreference:
    """The preference asking for ``line.requested`` units of ``line.family``."""
    assert line.request is not None and line.requested is not None
    return gcp.cloudquota.SQuotaPreference(
        name,
        parent=f"projects/{project}" if project else None,
        name=preference_id(line),
        service=str(line.request["service"]),
        quota_id=str(line.request["quota_id"]),
        dimensions={str(k): str(v) for k, v in dict(line.request["dimensions"]).items()},
        quota_config={"preferred_value": str(line.requested)},
        justification=(
            f"mlops-iac: node pools and jobs of this project can scale to {line.reachable} "
            f"{line.unit} of {line.family} in {line.region} ({', '.join(line.sources)})"
        )[:1000],
        contact_email=str(settings.contact_email) if settings.contact_email else None,
        opts=opts,
    )
