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

from .decisions import CATEGORIES, PROTECT, resource_decisions
from .planjson import architecture_of
from .replacements import STATEFUL

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


def _decision_rows(resource: Mapping[str, Any]) -> list[tuple[int, str]]:
    """One ``Setting | Resource | Values`` row per decision category of ``resource``,
    with its category's rank for sorting."""
    by_category: dict[str, list[str]] = {}
    for decision in resource_decisions(resource):
        if decision.path == PROTECT and resource["type"] not in STATEFUL:
            continue  # protect is inherited by every child; shown where the state is
        by_category.setdefault(decision.category, []).append(
            f"{code(decision.path)} {value_cell(decision.value)}"
        )
    return [
        (
            CATEGORIES.index(category),
            f"| {category} | {code(resource['name'])} | {'<br>'.join(values)} |",
        )
        for category, values in by_category.items()
    ]


def decisions_section(
    resources: list[Mapping[str, Any]], cost: Mapping[str, Any] | None = None
) -> list[str]:
    """``## Decisions``: per architecture, the settings a reviewer decides on
    (``preview/decisions.py``), one row per resource and kind of decision, and the
    architecture's monthly cost when the plan has an estimate."""
    tops = architecture_of(resources)
    groups: dict[str, list[tuple[int, str]]] = {}
    titles: dict[str, str] = {}
    for resource in resources:
        top = tops[resource["urn"]]
        key = top["urn"] if top else ""
        titles.setdefault(key, f"{code(top['name'])} ({code(top['type'])})" if top else "Stack")
        groups.setdefault(key, []).extend(_decision_rows(resource))
    costs = {a["urn"]: a for a in (cost or {}).get("architectures", [])}
    currency = str((cost or {}).get("currency", "USD"))
    out = ["## Decisions", ""]
    if not any(groups.values()) and not costs:
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
            out += ["| Setting | Resource | Values |", "| --- | --- | --- |"]
            out += [row for _, row in sorted(groups[key], key=lambda r: r[0])]
            out.append("")
    return out


def folded(summary: str, lines: Iterable[str]) -> list[str]:
    """``lines`` inside a ``<details>`` block with ``summary``."""
    return [f"<details><summary>{text(summary)}</summary>", "", *lines, "", "</details>", ""]
