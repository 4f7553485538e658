"""``mlops-iac``: offline tooling for the project's Pulumi stacks.

``mlops-iac plan STACK`` runs the stack's program in-process under mocks (no cloud
account, no Pulumi CLI) and writes a Markdown or JSON report; ``mlops-iac policies``
lists the guardrail rules; ``mlops-iac cleanup-script STACK --outputs FILE`` writes the
stack's pre-destroy cleanup script (``docs/destroy.md``). Exit codes: 0 planned;
1 a mandatory policy violation remains; 2 bad config or a failing program (the
message goes to stderr as ``error: ...``, without a traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import pulumi

from .guardrails import default_evaluator
from .project import PlanError, find_project_root, load_project, load_stack_config
from .promote import add_parser as add_promote_parser
from .report import (
    Evaluator,
    PlanResult,
    build_plan,
    cloud_resources,
    count_by_cloud,
    to_json,
    to_markdown,
)

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlops-iac", description="Offline tooling for the mlops-iac Pulumi stacks."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    plan = commands.add_parser(
        "plan",
        help="preview a stack offline and report its resources, policies and cost",
        description="Run the stack's program under mocks and write a plan report.",
    )
    plan.add_argument("stack", metavar="STACK", help="stack name (Pulumi.<STACK>.yaml)")
    plan.add_argument(
        "--program",
        type=Path,
        metavar="DIR",
        help="project directory with Pulumi.yaml (default: nearest one above the CWD)",
    )
    plan.add_argument(
        "--format", choices=("markdown", "json"), default="markdown", help="report format"
    )
    plan.add_argument("--out", type=Path, metavar="PATH", help="write the report to PATH")
    plan.add_argument(
        "--policy-config",
        type=Path,
        metavar="FILE",
        help="policy config (JSON); default: the packaged config of the stack's environment",
    )
    plan.add_argument(
        "--quiet", action="store_true", help="print nothing but errors when writing to --out"
    )
    plan.set_defaults(handler=_plan)

    policies = commands.add_parser(
        "policies",
        help="list every guardrail rule",
        description="List every guardrail rule with its category, severity, enforcement "
        "per environment, description, remediation and references.",
    )
    policies.add_argument(
        "--format", choices=("markdown", "json"), default="markdown", help="listing format"
    )
    policies.add_argument("--out", type=Path, metavar="PATH", help="write the listing to PATH")
    policies.set_defaults(handler=_policies)
    add_promote_parser(commands)

    cleanup = commands.add_parser(
        "cleanup-script",
        help="write the stack's pre-destroy cleanup script",
        description="Write the bash script that deletes what AWS services created beside "
        "the stack's resources, from the stack's settings and its deployed outputs "
        "(`pulumi stack output --json`). See docs/destroy.md for when to run each phase.",
    )
    cleanup.add_argument("stack", metavar="STACK", help="stack name (Pulumi.<STACK>.yaml)")
    cleanup.add_argument(
        "--outputs",
        type=Path,
        required=True,
        metavar="FILE",
        help="the stack's outputs as `pulumi stack output --json` prints them ('-': stdin)",
    )
    cleanup.add_argument(
        "--program",
        type=Path,
        metavar="DIR",
        help="project directory with Pulumi.yaml (default: nearest one above the CWD)",
    )
    cleanup.add_argument(
        "--out", type=Path, metavar="PATH", help="write the script to PATH (made executable)"
    )
    cleanup.add_argument(
        "--quiet", action="store_true", help="print nothing but errors when writing to --out"
    )
    cleanup.set_defaults(handler=_cleanup_script)
    return parser


def _summary(result: PlanResult, out: Path) -> str:
    recording = result.recording
    clouds = ", ".join(f"{cloud}: {n}" for cloud, n in count_by_cloud(recording).items())
    violations = result.policies.violations
    mandatory = len(result.policies.mandatory)
    return (
        f"{recording.project}/{recording.stack}: {len(cloud_resources(recording))} cloud "
        f"resources ({clouds or 'none'}), {len(violations)} policy violations "
        f"({mandatory} mandatory); report written to {out}"
    )


def _plan(args: argparse.Namespace, evaluate: Evaluator) -> int:
    if args.policy_config is not None and not args.policy_config.is_file():
        raise PlanError(f"policy config not found: {args.policy_config}")
    project_dir = args.program if args.program is not None else find_project_root(Path.cwd())
    # The program's own prints must not end up inside a report written to stdout.
    with contextlib.redirect_stdout(sys.stderr):
        result = build_plan(
            project_dir, args.stack, policy_config=args.policy_config, evaluate=evaluate
        )
    report = to_json(result) if args.format == "json" else to_markdown(result)

    if not args.quiet:
        for warning in result.recording.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    if args.out is None:
        sys.stdout.write(report)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report, encoding="utf-8")
        if not args.quiet:
            print(_summary(result, args.out))
    return EXIT_VIOLATIONS if result.policies.mandatory else EXIT_OK


def _policies(args: argparse.Namespace, _evaluate: Evaluator) -> int:
    from mlops_policies.listing import render

    listing = render(args.format)
    if args.out is None:
        sys.stdout.write(listing)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(listing, encoding="utf-8")
    return EXIT_OK


def _read_outputs(path: Path) -> dict[str, object]:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        outputs = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(f"{path}: not JSON ({exc})") from None
    if not isinstance(outputs, dict):
        raise PlanError(f"{path}: expected the JSON object of `pulumi stack output --json`")
    return outputs


def _cleanup_script(args: argparse.Namespace, _evaluate: Evaluator) -> int:
    from ..architectures.sagemaker_cleanup import cleanup_target
    from ..aws.cleanup import cleanup_steps, describe, render
    from ..settings import load_settings

    project_dir = args.program if args.program is not None else find_project_root(Path.cwd())
    config = load_stack_config(load_project(project_dir), args.stack)
    settings = load_settings(config.values)
    outputs = _read_outputs(args.outputs)
    try:
        steps = cleanup_steps(cleanup_target(settings, outputs))
    except ValueError as exc:
        raise PlanError(f"stack {args.stack!r}: {exc}") from None
    script = render(steps)
    if args.out is None:
        sys.stdout.write(script)
        return EXIT_OK
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(script, encoding="utf-8")
    args.out.chmod(0o755)
    if not args.quiet:
        print(f"cleanup script for {args.stack} written to {args.out}:")
        for line in describe(steps):
            print(f"  {line}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None, *, evaluate: Evaluator | None = None) -> int:
    """Entry point of the ``mlops-iac`` console script; returns the exit code.

    ``evaluate`` is the policy evaluator ``plan`` uses; by default the project's
    guardrail packs (``guardrails.default_evaluator``)."""
    args = _parser().parse_args(argv)
    try:
        return args.handler(args, evaluate or default_evaluator())
    except (PlanError, pulumi.RunError) as exc:
        # RunError messages (e.g. the settings loader's list of problems) are written
        # for users; print them whole.
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
