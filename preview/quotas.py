"""The plan's quota section: per cloud, family and region, the accelerator capacity the
stack can reach next to what it requests or declares, and the line's status.

The lines are the inputs of the stack's ``mlops:platform:AcceleratorQuotas`` components
(one per cloud, created by ``mlops_components.platform.deploy`` from what every
architecture declared), so the report, the cost rules and a real ``pulumi preview`` read
the same data. A stack without accelerated capacity has an empty list. The JSON shape
is documented in ``docs/plan-json.md``.
"""

from __future__ import annotations

from typing import Any

from .runner import Recording

QUOTAS_TYPE = "mlops:platform:AcceleratorQuotas"
"""Kept equal to ``mlops_components.quotas.TOKEN`` (a test pins it): the preview reads
recordings and does not import the components."""
LINE_FIELDS = (
    "cloud",
    "region",
    "family",
    "unit",
    "reachable",
    "requested",
    "declared",
    "quota",
    "status",
    "sources",
)


def _int(value: Any) -> Any:
    """Numbers come back from the engine as floats; counts are whole."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def quota_lines(recording: Recording) -> list[dict[str, Any]]:
    """Every quota line of the stack, sorted by cloud, region and family."""
    lines = []
    for resource in recording.by_type(QUOTAS_TYPE):
        for line in resource.inputs.get("lines") or []:
            lines.append({key: _int(line.get(key)) for key in LINE_FIELDS})
    return sorted(lines, key=lambda line: (line["cloud"], line["region"], line["family"]))


def quotas_json(recording: Recording) -> dict[str, Any]:
    """The report's ``quotas`` section."""
    lines = quota_lines(recording)
    return {"lines": lines, "exceeded": sum(1 for line in lines if line["status"] == "exceeded")}


def _number(value: Any) -> str:
    return "" if value is None else str(value)


def quotas_markdown(recording: Recording) -> list[str]:
    """The report's ``## Accelerator quotas`` section, as Markdown lines."""
    lines = quota_lines(recording)
    out = ["## Accelerator quotas", ""]
    if not lines:
        return [*out, "The stack declares no accelerated capacity.", ""]
    out += [
        "| Cloud | Region | Family | Unit | Reachable | Requested | Declared | Status |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | --- |",
    ]
    for line in lines:
        status = f"**{line['status']}**" if line["status"] == "exceeded" else line["status"]
        out.append(
            f"| {line['cloud']} | {line['region']} | `{line['family']}` | {line['unit']} | "
            f"{line['reachable']} | {_number(line['requested'])} | "
            f"{_number(line['declared'])} | {status} |"
        )
    return [*out, ""]
