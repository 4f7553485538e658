"""The pull-request comment: every stack's diff in one comment that fits GitHub's limit.

The PR workflow (``.github/workflows/plan.yml``) plans every stack at the base and the
head commit and runs ``mlops-iac comment`` over the pairs. The body starts with
``MARKER``, a hidden HTML comment the workflow looks for to update the one comment of
the pull request instead of adding a new one on every push.

GitHub refuses comment bodies longer than ``MAX_COMMENT_CHARS`` characters. The body is
built at full detail and, while it is too long, the stack with the longest section is
lowered one level (``diff_report``: every change -> decisions -> summary); the hazards
and the new mandatory violations are in the summary, so they are never folded away.
If even the summaries do not fit, the body is cut at a line and says so. Whenever
anything was left out, a notice says what and links to the full report, uploaded by the
workflow as an artifact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .diff import PlanDiff
from .diff_report import FULL, SUMMARY, diff_markdown
from .markdown import signed_money, text

MARKER = "<!-- mlops-iac:plan-comment -->"
MAX_COMMENT_CHARS = 65_536
"""GitHub's limit on an issue or pull-request comment body (characters)."""


@dataclass(frozen=True)
class StackDiff:
    """One stack's diff, or the reason it could not be planned at one side."""

    stack: str
    diff: PlanDiff | None
    error: str | None = None


def _notice(artifact_url: str | None, what: str) -> str:
    where = f"[the full report]({artifact_url})" if artifact_url else "the full report"
    return f"> [!NOTE]\n> {what} See {where} (workflow artifact `plan-report`).\n"


def _header(stacks: Sequence[StackDiff]) -> list[str]:
    diffs = [s.diff for s in stacks if s.diff is not None]
    mandatory = sum(len(d.new_mandatory) for d in diffs)
    hazards = sum(len(d.hazardous) for d in diffs)
    changed = sum(1 for d in diffs if not d.unchanged)
    line = (
        f"**{len(stacks)}** stacks planned, **{changed}** changed, **{hazards}** dangerous "
        f"replacements or removals, **{mandatory}** new mandatory violations"
    )
    costs = [d.cost for d in diffs if d.cost is not None]
    if costs:
        unit = costs[0].currency
        baseline = sum(c.total.baseline_delta or 0.0 for c in costs)
        maximum = sum(c.total.maximum_delta or 0.0 for c in costs)
        line += (
            f"; cost per month {signed_money(baseline, unit)} baseline, "
            f"{signed_money(maximum, unit)} maximum"
        )
    return [MARKER, "## Infrastructure plan", "", line + ".", ""]


def _section(stack: StackDiff, level: int) -> str:
    if stack.diff is None:
        return f"### `{text(stack.stack)}`: not planned\n\n{text(stack.error or 'no plan')}\n"
    return diff_markdown(stack.diff, level)


def build_comment(
    stacks: Sequence[StackDiff],
    artifact_url: str | None = None,
    limit: int = MAX_COMMENT_CHARS,
) -> str:
    """The comment body for ``stacks``, at most ``limit`` characters."""
    levels = [FULL] * len(stacks)
    header = "\n".join(_header(stacks))

    def body(notice: str = "") -> str:
        sections = [_section(s, level) for s, level in zip(stacks, levels, strict=True)]
        return "\n".join([header, notice, *sections]).rstrip() + "\n"

    folded = _notice(artifact_url, "Some details were left out to fit a comment.")
    reduced = False
    while len(current := body(folded if reduced else "")) > limit:
        lowerable = [i for i, level in enumerate(levels) if level > SUMMARY]
        if not lowerable:
            return _cut(current, limit, artifact_url)
        longest = max(lowerable, key=lambda i: len(_section(stacks[i], levels[i])))
        levels[longest] -= 1
        reduced = True
    return current


def _cut(body: str, limit: int, artifact_url: str | None) -> str:
    notice = "\n" + _notice(artifact_url, "**This comment was cut to fit GitHub's limit.**")
    room = limit - len(notice)
    kept = body[:room]
    kept = kept[: kept.rfind("\n") + 1] if "\n" in kept else kept
    return kept + notice
