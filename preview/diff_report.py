"""The Markdown form of a ``PlanDiff``: what a reviewer reads in a pull request.

Three levels of detail, so that a comment over many stacks can shrink to fit
(``preview/comment.py``):

- ``SUMMARY``: one heading line with the counts and the cost delta, the hazards and the
  new mandatory violations (what must never be folded away);
- ``DECISIONS``: plus the changed decisions per architecture (before -> after), every
  new and resolved violation, and the cost delta per resource;
- ``FULL``: plus every changed input of every resource, folded.
"""

from __future__ import annotations

from typing import Any

from .decisions import CATEGORIES
from .diff import CostDelta, CostLine, PlanDiff, ResourceChange
from .markdown import code, folded, money, signed_money, text, value_cell

SUMMARY, DECISIONS, FULL = 0, 1, 2
VERBS = {"add": "added", "remove": "removed", "replace": "replaced", "update": "changed"}


def _counts(diff: PlanDiff) -> str:
    counts = diff.counts()
    return ", ".join(f"{counts[a]} {VERBS[a]}" for a in VERBS)


def _delta(amount: float | None, line: CostLine, unit: str) -> str:
    """The signed delta, or ``n/a (N unpriced)`` when a changed resource is unpriced."""
    if line.unpriced:
        return f"n/a ({line.unpriced} unpriced)"
    return signed_money(amount, unit)


def _cost_line(cost: CostDelta | None) -> str:
    if cost is None:
        return "Cost: not estimated."
    total, unit = cost.total, cost.currency
    line = (
        f"Cost per month: baseline {money(total.baseline_before, unit)} → "
        f"{money(total.baseline_after, unit)} "
        f"(**{_delta(total.baseline_delta, total, unit)}**), "
        f"maximum {money(total.maximum_before, unit)} → {money(total.maximum_after, unit)} "
        f"(**{_delta(total.maximum_delta, total, unit)}**)."
    )
    if total.unpriced:
        line += (
            f" Incomplete: {total.unpriced} changed resources are unpriced;"
            " the totals are of priced resources only."
        )
    if cost.unpriced_after:
        line += f" {cost.unpriced_after} resources unpriced."
    return line


def _violation(v: Any, names: dict[str, str]) -> str:
    target = names.get(v.get("urn") or "", v.get("urn") or "the stack")
    return (
        f"- **{text(str(v.get('policy')))}** ({text(str(v.get('enforcement')))}, "
        f"{text(str(v.get('severity')))}) on {code(target)}: {text(str(v.get('message')))}"
    )


def _hazard(change: ResourceChange) -> str:
    what = "removed" if change.action == "remove" else "replaced"
    why = f" by {', '.join(code(r) for r in change.reasons)}" if change.reasons else ""
    return (
        f"- {code(change.name)} ({code(change.type)}) is {what}{why}: "
        f"{'; '.join(text(h) for h in change.hazards)}"
    )


def summary_lines(diff: PlanDiff) -> list[str]:
    """The part of a stack's diff that is never folded or cut."""
    title = code(diff.stack)
    if diff.unchanged:
        return [f"### {title}: no changes", ""]
    out = [f"### {title}: {_counts(diff)}", "", _cost_line(diff.cost), ""]
    if diff.hazardous:
        out += ["> [!CAUTION]", "> Replacements and removals that lose something:", ">"]
        out += [f"> {_hazard(c)}" for c in diff.hazardous]
        out.append("")
    if diff.new_mandatory:
        out += [
            f"**New mandatory policy violations ({len(diff.new_mandatory)}): the check fails.**",
            "",
        ]
        out += [_violation(v, dict(diff.names)) for v in diff.new_mandatory]
        out.append("")
    return out


def _decision_rows(diff: PlanDiff) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for change in diff.resources:
        rows = groups.setdefault(change.architecture or "", [])
        decided = [c for c in change.changes if c.decision is not None]
        decided.sort(key=lambda c: CATEGORIES.index(c.decision or CATEGORIES[0]))
        rows += [
            f"| {c.decision} | {code(change.name)} | {code(c.path)} | "
            f"{value_cell(c.before)} | {value_cell(c.after)} |"
            + (" replaces |" if c.replaces else " |")
            for c in decided
        ]
    return {k: v for k, v in groups.items() if v}


def _cost_rows(lines: tuple[CostLine, ...], currency: str) -> list[str]:
    out = [
        "| Resource | Baseline | Δ baseline | Maximum | Δ maximum |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for line in lines:
        out.append(
            f"| {code(line.name)} "
            f"| {money(line.baseline_before, currency)} → {money(line.baseline_after, currency)} "
            f"| {_delta(line.baseline_delta, line, currency)} "
            f"| {money(line.maximum_before, currency)} → {money(line.maximum_after, currency)} "
            f"| {_delta(line.maximum_delta, line, currency)} |"
        )
    return out


def decision_lines(diff: PlanDiff) -> list[str]:
    """Changed decisions per architecture, violations and the cost delta per resource."""
    out: list[str] = []
    groups = _decision_rows(diff)
    if groups:
        out += ["#### Decisions changed", ""]
        for key in sorted(groups, key=lambda k: (k != "", k)):
            out += [f"{code(key) if key else 'Stack'}:", ""]
            out += [
                "| Setting | Resource | Input | Before | After | |",
                "| --- | --- | --- | --- | --- | --- |",
                *groups[key],
                "",
            ]
    others = [v for v in diff.new_violations if v not in diff.new_mandatory]
    if others:
        out += [f"#### New policy violations ({len(others)} advisory)", ""]
        out += [_violation(v, dict(diff.names)) for v in others]
        out.append("")
    if diff.resolved_violations:
        out += [f"#### Resolved policy violations ({len(diff.resolved_violations)})", ""]
        out += [_violation(v, dict(diff.names)) for v in diff.resolved_violations]
        out.append("")
    if diff.cost is not None and (diff.cost.resources or diff.cost.architectures):
        out += ["#### Cost delta per month", ""]
        out += _cost_rows(diff.cost.architectures + diff.cost.resources, diff.cost.currency)
        out.append("")
    return out


def change_lines(diff: PlanDiff) -> list[str]:
    """Every changed resource and input, folded."""
    if not diff.resources:
        return []
    rows = [
        "| Action | Resource | Type | Input | Before | After |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for change in diff.resources:
        head = f"| {VERBS[change.action]} | {code(change.name)} | {code(change.type)} "
        if not change.changes:
            rows.append(head + "| | | |")
        for item in change.changes:
            mark = " (replaces)" if item.replaces else ""
            rows.append(
                head + f"| {code(item.path)}{mark} | {value_cell(item.before)} | "
                f"{value_cell(item.after)} |"
            )
    unknown = sorted({c.type for c in diff.resources if not c.replacement_known})
    if unknown:
        rows += [
            "",
            "Replacement unknown (assumed in place): " + ", ".join(code(t) for t in unknown) + ".",
        ]
    return folded(f"Every change ({len(diff.resources)} resources)", rows)


def diff_markdown(diff: PlanDiff, level: int = FULL) -> str:
    """One stack's diff as Markdown at ``level`` (``SUMMARY``, ``DECISIONS``, ``FULL``)."""
    out = summary_lines(diff)
    if level >= DECISIONS and not diff.unchanged:
        out += decision_lines(diff)
    if level >= FULL:
        out += change_lines(diff)
    return "\n".join(out)
