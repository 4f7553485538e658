"""``mlops-iac``: offline tooling for the project's Pulumi stacks.

``mlops-iac plan STACK`` runs the stack's program in-process under mocks (no cloud
account, no Pulumi CLI) and writes a Markdown or JSON report; ``mlops-iac policies``
lists the guardrail rules; ``mlops-iac promote`` writes an approved model package into a
stack file (the promotion build); ``mlops-iac cleanup-script STACK --outputs FILE`` writes
the stack's pre-destroy cleanup script (``docs/destroy.md``); ``mlops-iac diff BASE HEAD``
compares two plans and ``mlops-iac comment`` builds the pull-request comment
(``docs/plan-diff.md``). Exit codes, the only ones
``mlops-iac`` returns: 0 done; 1 a mandatory policy violation remains; 2 bad usage, bad
config or a failing program (one that raised, called ``sys.exit``, made a lookup nobody
answers or ran past ``--timeout``; the message goes to stderr as ``error: ...``, without
a traceback); 130 interrupted by Ctrl-C (SIGINT). docs/offline-preview.md describes each.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import pulumi

from .cost import estimate_cost
from .diff_cli import add_parsers as add_diff_parsers
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
from .runner import ProgramTimeout, abandoned_programs

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
"""128 + SIGINT, what shells report for a command stopped by Ctrl-C."""

DEFAULT_TIMEOUT = 300.0
"""Seconds a program may run under ``plan`` (the stacks here plan in a few seconds)."""


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or more seconds: {text!r}")
    return value


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
    plan.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"stop a program that runs longer (default: {DEFAULT_TIMEOUT:g}; 0: no limit)",
    )
    plan.add_argument(
        "--lookups",
        type=Path,
        metavar="FILE",
        help="answers for lookups the mocks do not know (.yaml, .json or .py); "
        "default: Pulumi.<STACK>.lookups.yaml beside the stack file, if present",
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
    add_diff_parsers(commands)

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
        try:
            result = build_plan(
                project_dir,
                args.stack,
                policy_config=args.policy_config,
                evaluate=evaluate,
                estimate_cost=estimate_cost,
                timeout=args.timeout,
                lookups=args.lookups,
            )
        except ProgramTimeout as exc:
            raise ProgramTimeout(
                f"{exc}. Raise the limit with --timeout SECONDS (0: no limit)", exc.seconds
            ) from exc
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
    from mlops_components.architectures.sagemaker_cleanup import cleanup_target
    from mlops_components.aws.cleanup import cleanup_steps, describe, render
    from mlops_components.settings import load_settings

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
    try:
        args = _parser().parse_args(argv)
        return args.handler(args, evaluate or default_evaluator())
    except (PlanError, pulumi.RunError) as exc:
        # RunError messages (e.g. the settings loader's list of problems) are written
        # for users; print them whole.
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("error: interrupted (Ctrl-C); no report was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SystemExit as exc:
        # argparse: 0 after --help, 2 for a usage error (its message is printed).
        return exc.code if exc.code in (EXIT_OK, EXIT_ERROR) else EXIT_ERROR
    except Exception:
        # A bug in mlops-iac itself: the traceback is what a bug report needs.
        print("error: internal error in mlops-iac (please report it):", file=sys.stderr)
        traceback.print_exc()
        return EXIT_ERROR


def run() -> None:
    """The ``mlops-iac`` console script: ``main``, then exit with its code. When a
    program was left running (time limit, Ctrl-C), the process ends with ``os._exit``
    after flushing its output: a program stuck in a worker thread would otherwise hold
    the interpreter's exit forever."""
    code = main()
    if abandoned_programs():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
