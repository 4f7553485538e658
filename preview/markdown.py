"""Markdown pieces shared by the plan report, the diff and the pull-request comment.

Everything a plan or a stack file controls (resource names, input values, policy
messages) is written through ``code`` or ``text``: HTML-escaped, so a name such as
``<img src=x onerror=...>`` shows as text and never as markup, and with ``|`` escaped
so it cannot break a table.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from typing import Any

from .decisions import CATEGORIES, resource_decisions
from .planjson import architecture_of

MAX_VALUE_CHARS = 120
"""Longer values are cut with an ellipsis in tables (the JSON output has them whole)."""


def text(value: str) -> str:
    """Plain text safe in Markdown, inside a table cell and against raw HTML."""
    return html.escape(value, quote=False).replace("|", "&#124;").replace("\n", " ")


def code(value: str) -> str:
    """An inline code span that holds any text (``<code>``, HTML-escaped)."""
    return f"<code>{text(value)}</code>"


def value_text(value: Any) -> str:
    """A JSON value as one short line: ``3.0`` is ``3``, absent is ``—``."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    rendered = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    if len(rendered) > MAX_VALUE_CHARS:
        rendered = rendered[: MAX_VALUE_CHARS - 1] + "…"
    return rendered


def value_cell(value: Any) -> str:
    return "—" if value is None else code(value_text(value))


def money(amount: float | None, currency: str) -> str:
    """``1,234.50 USD``; ``n/a`` when unpriced."""
    return "n/a" if amount is None else f"{amount:,.2f} {currency}"


def signed_money(amount: float | None, currency: str) -> str:
    """``+12.00 USD`` / ``-3.50 USD`` / ``±0.00 USD``."""
    if amount is None:
        return "n/a"
    sign = "+" if amount > 0 else "-" if amount < 0 else "±"
    return f"{sign}{abs(amount):,.2f} {currency}"


def decisions_section(
    resources: list[Mapping[str, Any]], cost: Mapping[str, Any] | None = None
) -> list[str]:
    """``## Decisions``: per architecture, the settings a reviewer decides on
    (``preview/decisions.py``) as ``Setting | Resource | Input | Value`` rows, and the
    architecture's monthly cost when the plan has an estimate."""
    tops = architecture_of(resources)
    groups: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for resource in resources:
        top = tops[resource["urn"]]
        key = top["urn"] if top else ""
        titles.setdefault(key, f"{code(top['name'])} ({code(top['type'])})" if top else "Stack")
        rows = groups.setdefault(key, [])
        ordered = sorted(resource_decisions(resource), key=lambda d: CATEGORIES.index(d.category))
        rows += [
            f"| {d.category} | {code(resource['name'])} | {code(d.path)} | {value_cell(d.value)} |"
            for d in ordered
        ]
    costs = {a["urn"]: a for a in (cost or {}).get("architectures", [])}
    currency = str((cost or {}).get("currency", "USD"))
    out = ["## Decisions", ""]
    if not any(groups.values()):
        return [*out, "No decision settings in this plan.", ""]
    for key in sorted(groups, key=lambda k: (k != "", titles[k])):
        if not groups[key] and key not in costs:
            continue
        out += [f"### {titles[key]}", ""]
        if key in costs:
            out += [
                f"Monthly cost: baseline {money(costs[key].get('baseline_monthly'), currency)}, "
                f"maximum {money(costs[key].get('maximum_monthly'), currency)}.",
                "",
            ]
        if groups[key]:
            out += ["| Setting | Resource | Input | Value |", "| --- | --- | --- | --- |"]
            out += groups[key]
            out.append("")
    return out


def folded(summary: str, lines: Iterable[str]) -> list[str]:
    """``lines`` inside a ``<details>`` block with ``summary``."""
    return [f"<details><summary>{text(summary)}</summary>", "", *lines, "", "</details>", ""]
