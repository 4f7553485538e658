"""AWS quota requests: one ``servicequotas.ServiceQuota`` per requested line.

Hazard: a Service Quotas increase request cannot be lowered or withdrawn. Creating the
resource files the request (AWS may approve it at once or after review); ``pulumi
destroy`` only removes it from the stack's state, and the account keeps the raised
value. Lowering ``value`` later files no decrease either. Turn ``quotas.request`` on only
in the account that should hold the capacity, and review each line's value in the plan.
https://docs.aws.amazon.com/servicequotas/latest/userguide/request-quota-increase.html
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from .. import naming
from ..quotas import QuotaLine
from ..settings.quotas import QuotaSettings


def requests(
    name: str,
    lines: Sequence[QuotaLine],
    settings: QuotaSettings,
    scope: str | None,
    parent: pulumi.Resource,
) -> list[pulumi.CustomResource]:
    """One increase request per line, named ``<name>-<quota code>``."""
    found: list[pulumi.CustomResource] = []
    for line in lines:
        assert line.request is not None and line.requested is not None
        code = str(line.request["quota_code"])
        found.append(
            aws.servicequotas.ServiceQuota(
                naming.child(name, naming.physical(code, line.region)),
                service_code=str(line.request["service_code"]),
                quota_code=code,
                value=float(line.requested),
                region=line.region,
                opts=pulumi.ResourceOptions(parent=parent),
            )
        )
    return found
