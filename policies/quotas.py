"""The accelerator-quota check every cloud's stack rule shares: a stack whose reachable
capacity exceeds its requested or declared quota fails.

The lines come from the inputs of the stack's ``mlops:platform:AcceleratorQuotas``
components (``mlops_components.quotas``), one per cloud."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import StackValidationArgs

from .framework import dig, items, number

QUOTAS_TYPE = "mlops:platform:AcceleratorQuotas"


def exceeded(args: StackValidationArgs, cloud: str) -> Iterator[tuple[str, str | None]]:
    """One violation per line of ``cloud`` whose quota is below what the stack reaches."""
    for resource in args.resources:
        if resource.resource_type != QUOTAS_TYPE or dig(resource.props, "cloud") != cloud:
            continue
        for line in items(dig(resource.props, "lines")):
            reachable = number(dig(line, "reachable"))
            quota = number(dig(line, "quota"))
            if reachable is None or quota is None or reachable <= quota:
                continue
            yield _message(line, reachable, quota), resource.urn


def _message(line: Any, reachable: float, quota: float) -> str:
    kind = "requested" if dig(line, "requested") is not None else "declared"
    return (
        f"{dig(line, 'family')} in {dig(line, 'region')}: the stack can reach "
        f"{reachable:g} {dig(line, 'unit')} but {quota:g} are {kind} "
        f"({', '.join(str(s) for s in items(dig(line, 'sources')))})."
    )
