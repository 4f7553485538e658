"""``mlops-iac diff`` and ``mlops-iac comment``: compare plans, build the PR comment.

``mlops-iac diff BASE.json HEAD.json [--format markdown|json] [--out PATH]`` compares
two plan JSON documents of one stack (``preview/diff.py``).

``mlops-iac comment --base DIR --head DIR [--artifact-url URL] [--out PATH]`` compares
``DIR/<stack>.json`` of every stack found in either directory and writes the one
pull-request comment (``preview/comment.py``). A stack without a head plan is reported
as not planned, and so is every stack of ``--stacks-dir DIR`` (its
``Pulumi.<stack>.yaml`` files) that has no plan at all; a stack without a base plan (added by the change) is compared with an
empty plan. ``--full PATH`` also writes the body without the size limit (the full
report the comment links to); ``--json-dir DIR`` also writes each stack's diff as ``DIR/<stack>.json``.

Exit codes (both): 0 compared, no new mandatory violation; 1 at least one new
``mandatory`` violation at the head (the report is still written), or, for ``comment``,
a stack has no head plan; 2 bad usage or a file that is not a plan JSON document.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .comment import StackDiff, build_comment
from .diff import diff_plans, to_json
from .diff_report import diff_markdown
from .planjson import PlanFileError, load_plan

EXIT_OK, EXIT_BLOCKED, EXIT_ERROR = 0, 1, 2


def _write(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


def _diff(args: argparse.Namespace, _evaluate: Any) -> int:
    try:
        diff = diff_plans(load_plan(args.base), load_plan(args.head))
    except PlanFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    _write(to_json(diff) if args.format == "json" else diff_markdown(diff) + "\n", args.out)
    return EXIT_BLOCKED if diff.new_mandatory else EXIT_OK


def empty_plan(stack: str) -> dict[str, Any]:
    """The plan of a stack that does not exist yet."""
    return {"schema_version": 1, "stack": stack, "resources": [], "policies": {}, "cost": {}}


def stack_diffs(base_dir: Path, head_dir: Path, expected: Sequence[str] = ()) -> list[StackDiff]:
    """Every stack of either directory and every ``expected`` one, compared; sorted by
    stack name. An expected stack without any plan is reported as not planned."""
    found_files = {p.stem for d in (base_dir, head_dir) for p in d.glob("*.json")}
    stacks = sorted(found_files | set(expected))
    found = []
    for stack in stacks:
        head_file, base_file = head_dir / f"{stack}.json", base_dir / f"{stack}.json"
        if not head_file.is_file():
            found.append(StackDiff(stack, None, "No plan at the head commit: see the job log."))
            continue
        base = load_plan(base_file) if base_file.is_file() else empty_plan(stack)
        found.append(StackDiff(stack, diff_plans(base, load_plan(head_file))))
    return found


def _comment(args: argparse.Namespace, _evaluate: Any) -> int:
    try:
        expected = (
            [
                p.name.removeprefix("Pulumi.").removesuffix(".yaml")
                for p in args.stacks_dir.glob("Pulumi.*.yaml")
            ]
            if args.stacks_dir is not None
            else []
        )
        stacks = stack_diffs(args.base, args.head, expected)
    except PlanFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    _write(build_comment(stacks, args.artifact_url), args.out)
    if args.full is not None:
        _write(build_comment(stacks, args.artifact_url, limit=sys.maxsize), args.full)
    if args.json_dir is not None:
        for stack in stacks:
            if stack.diff is not None:
                _write(to_json(stack.diff), args.json_dir / f"{stack.stack}.json")
    blocked = any(s.diff is None or s.diff.new_mandatory for s in stacks)
    return EXIT_BLOCKED if blocked else EXIT_OK


def add_parsers(commands: Any) -> None:
    """Register ``diff`` and ``comment`` on the ``mlops-iac`` sub-command parsers."""
    diff = commands.add_parser(
        "diff",
        help="compare two plan JSON files of a stack: changes, replacements, violations, cost",
        description="Compare BASE and HEAD (mlops-iac plan --format json) of one stack. "
        "Exit codes: 0 no new mandatory violation; 1 a new mandatory violation; 2 bad input.",
    )
    diff.add_argument("base", type=Path, metavar="BASE.json", help="plan before the change")
    diff.add_argument("head", type=Path, metavar="HEAD.json", help="plan after the change")
    diff.add_argument(
        "--format", choices=("markdown", "json"), default="markdown", help="report format"
    )
    diff.add_argument("--out", type=Path, metavar="PATH", help="write the report to PATH")
    diff.set_defaults(handler=_diff)

    comment = commands.add_parser(
        "comment",
        help="build the pull-request comment from the plans at the base and head commits",
        description="Compare DIR/<stack>.json of --base and --head for every stack and "
        "write one comment body under GitHub's 65,536-character limit. Exit codes: 0 "
        "no new mandatory violation; 1 a new mandatory violation or a stack not planned; "
        "2 bad input.",
    )
    comment.add_argument("--base", type=Path, required=True, metavar="DIR")
    comment.add_argument("--head", type=Path, required=True, metavar="DIR")
    comment.add_argument(
        "--artifact-url", metavar="URL", help="link to the full report (the run's artifacts)"
    )
    comment.add_argument("--out", type=Path, metavar="PATH", help="write the body to PATH")
    comment.add_argument(
        "--stacks-dir",
        type=Path,
        metavar="DIR",
        help="expect a plan of every Pulumi.<stack>.yaml in DIR (a missing one is reported)",
    )
    comment.add_argument(
        "--full", type=Path, metavar="PATH", help="also write the unabridged body to PATH"
    )
    comment.add_argument(
        "--json-dir", type=Path, metavar="DIR", help="also write each stack's diff JSON here"
    )
    comment.set_defaults(handler=_comment)
