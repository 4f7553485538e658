"""``mlops-iac promote``: the stack-file edit and pull-request body of a model promotion.

The promotion build (``components/aws/promotion.py``) runs this command twice:

1. ``mlops-iac promote STACK --model-package-arn ARN [--source-artifacts-bucket B
   --source-kms-key-arn K]`` checks the ARN, writes it into
   ``architectures.sagemaker_cicd.endpoint.model_package_arn`` of
   ``Pulumi.<STACK>.yaml`` together with ``endpoint.model_source`` (the producing
   stack's artifacts bucket and key when the package is not in the target stack's own
   registry; removed when it is), checks the edited file with the settings loader,
   and prints the branch name for the change, ``promote/<stack>/<group>-v<version>``.
2. ``mlops-iac promote STACK --model-package-arn ARN --pr-body REPORT --plan-exit-code N``
   prints the pull-request body: what is promoted where, a warning when the plan
   reported mandatory policy violations (``mlops-iac plan`` exit code 1), and the plan
   report, cut to fit GitHub's limit for a pull-request body. The stack file is not
   touched.

The edit is a YAML round trip (``ruamel.yaml``) that keeps comments, key order, quoting
and flow style; the result is parsed again with an independent parser and must differ
from the original in that one value only. Errors exit with code 2 like ``plan``'s.
"""

from __future__ import annotations

import argparse
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from mlops_components.settings import SettingsError, load_settings
from mlops_components.settings.aws import ModelPackageArn, ModelSource
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError as RuamelYAMLError

from .project import PlanError, find_project_root, load_project, load_stack_config

SETTING_PATH = ("architectures", "sagemaker_cicd", "endpoint", "model_package_arn")
"""Where, under the project's config namespace, the served package is named."""
SOURCE_KEY = "model_source"
"""The sibling of ``model_package_arn`` naming the producing stack's bucket and key."""

PR_BODY_LIMIT = 65_536
"""GitHub refuses a pull-request body longer than this many characters."""
PR_BODY_BUDGET = 60_000
"""Characters the body is kept under: below ``PR_BODY_LIMIT`` with room for GitHub's
line-ending normalisation and for characters it may count differently."""
VIOLATIONS_HEADING = "## Policy violations"

# A Pulumi stack name (its last part): letters, digits, hyphens, underscores, periods.
# Leading periods, ".." and a ".lock" suffix would make an invalid git ref.
_STACK = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")


class PromotionError(PlanError):
    """A promotion that cannot be made; the message is printed as ``error: ...``."""


ModelPackage = ModelPackageArn
"""A versioned model package, from its ARN (the settings' own parser)."""


def parse_package(arn: str) -> ModelPackageArn:
    """``ModelPackageArn.parse`` with the error as a ``PromotionError``."""
    try:
        return ModelPackageArn.parse(arn)
    except ValueError as exc:
        raise PromotionError(f"not a versioned model package ARN: {exc}") from None


def branch_name(stack: str, package: ModelPackage) -> str:
    """``promote/<stack>/<group>-v<version>``: a valid git branch name for every valid
    stack name and ARN (letters, digits, ``-``, ``_``, ``.`` and two slashes)."""
    return f"promote/{_stack_part(stack)}/{package.group}-v{package.version}"


def _stack_part(stack: str) -> str:
    name = stack.split("/")[-1]
    if not _STACK.fullmatch(name) or ".." in name or name.endswith((".", ".lock")):
        raise PromotionError(f"invalid stack name: {stack!r}")
    return name


@dataclass(frozen=True)
class Promotion:
    stack_file: Path
    previous_arn: str | None
    package: ModelPackageArn
    branch: str


def _round_trip() -> YAML:
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    # The stack files' layout: two-space mappings, sequences indented under their key,
    # no wrapping of long values, and null written as `null` (ruamel would write nothing).
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = 4096
    rt.representer.add_representer(
        type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return rt


def _setting_path(namespace: str) -> tuple[str, ...]:
    return ("config", f"{namespace}:{SETTING_PATH[0]}", *SETTING_PATH[1:])


def promote(
    project_dir: Path, stack: str, arn: str, source: ModelSource | None = None
) -> Promotion:
    """Write ``arn`` (and where its artifacts are, ``source``: the producing stack's
    bucket and key) into the stack file of ``stack`` and return what was done. The
    source is written only when the package is not in the stack's own registry, as the
    settings require; the edited file must load as valid settings."""
    package = parse_package(arn)
    branch = branch_name(stack, package)
    project = load_project(project_dir)
    stack_file = project.stack_file(stack)
    if not stack_file.is_file():
        raise PromotionError(f"stack {stack!r} has no config file: {stack_file} not found")
    original = stack_file.read_text(encoding="utf-8")

    rt = _round_trip()
    try:
        document = rt.load(original)
    except RuamelYAMLError as exc:
        raise PromotionError(f"{stack_file}: invalid YAML: {exc}") from None
    path = _setting_path(project.name)
    node: Any = document
    for depth, key in enumerate(path[:-1]):
        child = node.get(key) if isinstance(node, CommentedMap) else None
        if not isinstance(child, CommentedMap):
            raise PromotionError(
                f"{stack_file}: no {'.'.join(path[: depth + 1])} section: stack {stack!r} "
                "does not run the SageMaker CI/CD architecture with an endpoint"
            )
        node = child
    leaf = path[-1]
    if leaf not in node:
        raise PromotionError(
            f"{stack_file}: {'.'.join(path)} is not set; add `{leaf}: null` under "
            f"{path[-2]} to let promotions name the served package"
        )
    previous = node[leaf]
    if previous is not None and not isinstance(previous, str):
        raise PromotionError(f"{stack_file}: {'.'.join(path)} is not a string: {previous!r}")
    if previous == arn:
        raise PromotionError(f"{stack_file}: {stack} already serves {arn}; nothing to promote")

    node[leaf] = arn
    current = _settings(project_dir, stack)
    architecture = current.architectures.sagemaker_cicd
    foreign = architecture is not None and package.group != architecture.model_group_name(
        current.prefix
    )
    if foreign:
        if source is None:
            raise PromotionError(
                f"{package.group} is not the registry of stack {stack!r}: pass the producing "
                "stack's --source-artifacts-bucket and --source-kms-key-arn"
            )
        node[SOURCE_KEY] = CommentedMap(source.model_dump())
    elif SOURCE_KEY in node:
        del node[SOURCE_KEY]
    buffer = io.StringIO()
    rt.dump(document, buffer)
    edited = buffer.getvalue()
    expected = {leaf: arn, SOURCE_KEY: source.model_dump() if foreign and source else None}
    _check_only_value_changed(stack_file, original, edited, path, expected)
    stack_file.write_text(edited, encoding="utf-8")
    try:
        _settings(project_dir, stack)
    except PromotionError:
        stack_file.write_text(original, encoding="utf-8")
        raise
    return Promotion(stack_file, str(previous) if previous else None, package, branch)


def _settings(project_dir: Path, stack: str) -> Any:
    """The stack's settings as ``pulumi up`` would load them (``StackSettings``)."""
    project = load_project(project_dir)
    config = load_stack_config(project, stack)
    try:
        return load_settings(config.values)
    except SettingsError as exc:
        raise PromotionError(f"stack {stack!r} after the promotion: {exc}") from None


def _check_only_value_changed(
    stack_file: Path,
    original: str,
    edited: str,
    path: tuple[str, ...],
    expected: dict[str, Any],
) -> None:
    """Parse both texts with PyYAML (not the library that wrote the edit): the edited
    keys under ``path[:-1]`` must hold ``expected`` (``None``: absent), and the
    documents must be equal once those keys are put back."""
    before = yaml.safe_load(original)
    after = yaml.safe_load(edited)
    node, restore = after, before
    for key in path[:-1]:
        node, restore = node[key], restore[key]
    where = ".".join(path[:-1])
    for key, value in expected.items():
        if node.get(key) != value:
            raise PromotionError(f"{stack_file}: the edit did not set {where}.{key}")
        if key in restore:
            node[key] = restore[key]
        else:
            node.pop(key, None)
    if after != before:
        raise PromotionError(f"{stack_file}: the edit changed more than {where}")


# -- pull-request body -----------------------------------------------------------------


def _sections(report: str) -> tuple[str, list[str]]:
    """The report's text before its first ``## `` heading, and each ``## `` section."""
    parts = re.split(r"(?m)^(?=## )", report)
    return parts[0], parts[1:]


def pull_request_body(
    report: str,
    *,
    stack: str,
    package: ModelPackageArn,
    violations: bool,
    budget: int = PR_BODY_BUDGET,
) -> str:
    """The pull request's description: a header naming the package and the stack, a
    warning when the plan found mandatory policy violations, then the plan report.

    A report that does not fit in ``budget`` characters keeps its preface and, in order,
    every ``## `` section that still fits; the others are left out and named in a note.
    The policy violations section moves up front first (and is cut at a line if it
    alone is too long), so reviewers always see the violations."""
    header = (
        f"Promotes model package `{package.arn}` to stack `{stack}`: this branch sets "
        f"`{'.'.join(SETTING_PATH)}` in `Pulumi.{_stack_part(stack)}.yaml`. Merging "
        "it deploys the model with the next `pulumi up` of the stack.\n\n"
    )
    if violations:
        header += (
            "> [!CAUTION]\n"
            "> `mlops-iac plan` reports **mandatory policy violations** for this change "
            "(see *Policy violations* below): `pulumi up` with the policy packs will "
            "refuse it until they are fixed.\n\n"
        )
    body = header + report
    if len(body) <= budget:
        return body

    preface, sections = _sections(report)
    first = [s for s in sections if s.startswith(VIOLATIONS_HEADING)]
    ordered = first + [s for s in sections if not s.startswith(VIOLATIONS_HEADING)]
    note_template = (
        "\n---\n\n*The plan report was cut to fit GitHub's limit of {limit:,} characters "
        "for a pull-request body; left out: {left_out}. Run `mlops-iac plan {stack}` on "
        "this branch for the whole report.*\n"
    )
    # Reserve room for the longest possible note (every section left out).
    headings = [s.splitlines()[0].removeprefix("## ") for s in ordered]
    longest = ", ".join(f"the rest of {h}" for h in headings)
    reserve = len(note_template.format(limit=PR_BODY_LIMIT, left_out=longest, stack=stack))
    room = budget - reserve - len(header) - len(preface)
    kept: list[str] = []
    left_out: list[str] = []
    for index, (section, heading) in enumerate(zip(ordered, headings, strict=True)):
        if len(section) <= room:
            kept.append(section)
            room -= len(section)
        elif index == 0 and first:
            # The first section (the violations, when there are any) alone is too
            # long: keep its first lines.
            partial = ""
            for line in section.splitlines(keepends=True):
                if len(partial) + len(line) > room:
                    break
                partial += line
            kept.append(partial)
            room -= len(partial)
            left_out.append(f"the rest of {heading}")
        else:
            left_out.append(heading)
    note = note_template.format(limit=PR_BODY_LIMIT, left_out=", ".join(left_out), stack=stack)
    return header + preface + "".join(kept) + note


# -- command line ----------------------------------------------------------------------


def add_parser(commands: Any) -> None:
    """Register ``promote`` on the ``mlops-iac`` sub-command parsers."""
    parser = commands.add_parser(
        "promote",
        help="write an approved model package into a stack file (the promotion build)",
        description="Write the model package ARN into "
        "architectures.sagemaker_cicd.endpoint.model_package_arn of Pulumi.<STACK>.yaml, "
        "keeping comments and layout, and print the branch name for the change "
        "(promote/<stack>/<group>-v<version>). With --pr-body, print the pull-request "
        "body for a plan report instead (the stack file is not touched).",
    )
    parser.add_argument("stack", metavar="STACK", help="stack name (Pulumi.<STACK>.yaml)")
    package = parser.add_mutually_exclusive_group(required=True)
    package.add_argument(
        "--model-package-arn",
        metavar="ARN",
        help="arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/<version>",
    )
    package.add_argument(
        "--from-stack",
        metavar="SOURCE",
        help="promote what stack SOURCE serves (its model_package_arn and model_source), "
        "e.g. staging's tested model to prod",
    )
    parser.add_argument(
        "--source-artifacts-bucket",
        metavar="BUCKET",
        help="artifacts bucket of the stack whose registry holds the package",
    )
    parser.add_argument(
        "--source-kms-key-arn",
        metavar="ARN",
        help="KMS key ARN of the stack whose registry holds the package",
    )
    parser.add_argument(
        "--program",
        type=Path,
        metavar="DIR",
        help="project directory with Pulumi.yaml (default: nearest one above the CWD)",
    )
    parser.add_argument(
        "--pr-body",
        type=Path,
        metavar="REPORT",
        help="print the pull-request body for REPORT (a Markdown plan report)",
    )
    parser.add_argument(
        "--plan-exit-code",
        type=int,
        choices=(0, 1),
        default=0,
        metavar="{0,1}",
        help="with --pr-body: the exit code of `mlops-iac plan` (1: mandatory violations)",
    )
    parser.set_defaults(handler=run)


def served_by(project_dir: Path, stack: str) -> tuple[str, ModelSource | None]:
    """The package stack ``stack`` serves and where its artifacts are (``None``: the
    stack's own registry), read from its stack file with the settings loader."""
    architecture = _settings(project_dir, stack).architectures.sagemaker_cicd
    endpoint = architecture.endpoint if architecture is not None else None
    if endpoint is None or endpoint.model_package_arn is None:
        raise PromotionError(f"stack {stack!r} serves no model package to promote")
    return endpoint.model_package_arn, endpoint.model_source


def run(args: argparse.Namespace, _evaluate: object = None) -> int:
    if args.pr_body is not None:
        if args.model_package_arn is None:
            raise PromotionError("--pr-body needs --model-package-arn")
        package = parse_package(args.model_package_arn)
        report = args.pr_body.read_text(encoding="utf-8")
        print(
            pull_request_body(
                report, stack=args.stack, package=package, violations=args.plan_exit_code == 1
            ),
            end="",
        )
        return 0
    project_dir = args.program if args.program is not None else find_project_root(Path.cwd())
    source = None
    if args.source_artifacts_bucket or args.source_kms_key_arn:
        try:
            source = ModelSource(
                artifacts_bucket=args.source_artifacts_bucket or "",
                kms_key_arn=args.source_kms_key_arn or "",
            )
        except ValueError as exc:
            raise PromotionError(
                f"invalid --source-artifacts-bucket/--source-kms-key-arn: {exc}"
            ) from None
    arn = args.model_package_arn
    if args.from_stack is not None:
        # The source stack's own registry has no model_source in its file: then the
        # bucket and key must be given (its outputs), as for an approval.
        arn, served_from = served_by(project_dir, args.from_stack)
        source = served_from or source
    result = promote(project_dir, args.stack, arn, source)
    print(result.branch)
    return 0
