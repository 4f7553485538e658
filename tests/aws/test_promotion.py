"""ModelPromotion: the buildspec read back by independent readers, the build run end to
end against a local git remote and a stub GitHub CLI, and ``mlops-iac promote``."""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from mlops_components.aws.promotion import (
    BUILD_COMMANDS,
    GIT_IDENTITY,
    INSTALL_COMMANDS,
    ModelPromotion,
    ModelPromotionArgs,
    promotion_buildspec,
)
from mlops_components.settings import PromotionSettings
from mlops_preview.cli import main
from mlops_preview.promote import (
    PR_BODY_BUDGET,
    ModelPackage,
    PromotionError,
    branch_name,
    pull_request_body,
)
from mlops_preview.recorder import RecordedResource
from mlops_preview.runner import run_program
from ruamel.yaml import YAML
from support import TAGS

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
# The producing stack (dev, account 111111111111) of the stack files' model_source.
KEY_ARN = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
BUCKET = "sagemaker-artifacts-4f1c2d9"
SOURCE_ARGS = ["--source-artifacts-bucket", BUCKET, "--source-kms-key-arn", KEY_ARN]
SETTINGS = PromotionSettings(
    repository="example-org/mlops-platform",
    connection_arn="arn:aws:codeconnections:eu-west-1:111111111111:connection/7d2a9e4c-0a4b-4c8e-9d51-3b6f0e2c1a77",
    token_secret_arn="arn:aws:secretsmanager:eu-west-1:111111111111:secret:mlops/github-promotion-Ab12Cd",
    target_stack="aws-staging",
)
SAMPLE_ARN = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/mlops-dev-models/1"
SAMPLE_BRANCH = "promote/aws-staging/mlops-dev-models-v1"
SERVED_BEFORE = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/mlops-baseline-models/4"
TOKEN = "ghp-test-token"


@cache
def project() -> RecordedResource:
    def program() -> None:
        ModelPromotion(
            "promotion",
            ModelPromotionArgs(
                settings=SETTINGS,
                model_package_group_name="mlops-dev-models",
                kms_key_arn=KEY_ARN,
                artifacts_bucket_name=BUCKET,
                tags=TAGS,
            ),
        )

    return run_program(program).one("aws:codebuild/project:Project")


def buildspec_text() -> str:
    return project().inputs["source"]["buildspec"]


def parsed_buildspec() -> dict[str, Any]:
    """The project's buildspec read by ruamel.yaml's pure-Python safe loader, not by the
    PyYAML that wrote it."""
    return YAML(typ="safe", pure=True).load(buildspec_text())


def bash_syntax_error(script: str) -> str | None:
    result = subprocess.run(
        ["bash", "-n", "-c", script], capture_output=True, text=True, check=False
    )
    return result.stderr if result.returncode else None


# -- the buildspec as CodeBuild reads it ------------------------------------------------


def test_buildspec_parses_to_the_data_it_was_written_from() -> None:
    spec = parsed_buildspec()
    assert spec == promotion_buildspec(SETTINGS.token_secret_arn)
    assert spec["version"] == 0.2
    assert spec["env"]["shell"] == "bash"
    assert spec["env"]["secrets-manager"] == {"GH_TOKEN": SETTINGS.token_secret_arn}
    assert spec["env"]["exported-variables"] == ["BRANCH"]
    assert spec["phases"]["install"]["runtime-versions"] == {"python": "3.12"}
    assert spec["phases"]["install"]["commands"] == INSTALL_COMMANDS
    assert spec["phases"]["build"]["commands"] == BUILD_COMMANDS
    assert set(spec["phases"]) == {"install", "build"}


def test_every_command_is_a_string_bash_accepts() -> None:
    for phase in parsed_buildspec()["phases"].values():
        commands = phase["commands"]
        assert commands and all(isinstance(c, str) and c.strip() for c in commands)
        for command in commands:
            assert bash_syntax_error(command) is None, command
        assert bash_syntax_error("\n".join(commands)) is None


def test_project_passes_the_settings_and_no_secret() -> None:
    env = {v["name"]: v["value"] for v in project().inputs["environment"]["environmentVariables"]}
    assert env == {
        "TARGET_STACK": "aws-staging",
        "REPOSITORY": "example-org/mlops-platform",
        "BASE_BRANCH": "main",
        "MODEL_PACKAGE_ARN": "",
        "SOURCE_ARTIFACTS_BUCKET": BUCKET,
        "SOURCE_KMS_KEY_ARN": KEY_ARN,
    }
    assert TOKEN not in buildspec_text()


@pytest.mark.parametrize("service", ["codeconnections", "codestar-connections"])
def test_build_role_uses_the_connection_under_its_own_service_prefix(service: str) -> None:
    connection = f"arn:aws:{service}:eu-west-1:111111111111:connection/0c9f3b1e-5d2a-4f7b"
    settings = SETTINGS.model_copy(update={"connection_arn": connection})

    def program() -> None:
        ModelPromotion(
            "promotion",
            ModelPromotionArgs(
                settings=settings,
                model_package_group_name="mlops-dev-models",
                kms_key_arn=KEY_ARN,
                artifacts_bucket_name=BUCKET,
                tags=TAGS,
            ),
        )

    policy = run_program(program).one(
        "aws:iam/rolePolicy:RolePolicy", "promotion-build-role-promote"
    )
    (checkout,) = [
        s
        for s in json.loads(policy.inputs["policy"])["Statement"]
        if s["Sid"] == "CheckoutWithConnection"
    ]
    assert checkout["Action"] == [
        f"{service}:GetConnection",
        f"{service}:GetConnectionToken",
        f"{service}:UseConnection",
    ]
    assert checkout["Resource"] == [connection]


# -- the build, end to end --------------------------------------------------------------

GH_STUB = """\
#!{python}
# Stub GitHub CLI: records its arguments, the token it was given and the body file.
import json, os, sys

args = sys.argv[1:]
if not os.environ.get("GH_TOKEN"):
    sys.exit("gh: To use GitHub CLI in automation, set the GH_TOKEN environment variable")
record = {{"args": args, "token": os.environ["GH_TOKEN"]}}
if "--body-file" in args:
    with open(args[args.index("--body-file") + 1], encoding="utf-8") as body:
        record["body"] = body.read()
with open(os.environ["GH_STUB_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(record) + "\\n")
print("https://github.com/example-org/mlops-platform/pull/1")
"""

PLAN_STUB = """\
#!{python}
# Stands in for `mlops-iac plan` (exit code FAKE_PLAN_EXIT); everything else is the real CLI.
import os, sys

if sys.argv[1] == "plan":
    out = sys.argv[sys.argv.index("--out") + 1]
    with open(out, "w", encoding="utf-8") as report:
        report.write("# Plan\\n\\nPolicy violations: **1** (1 mandatory).\\n\\n"
                     "## Policy violations\\n\\n- **rule** (pack, mandatory) on `x`: bad.\\n")
    sys.exit(int(os.environ["FAKE_PLAN_EXIT"]))
os.execv({real!r}, [{real!r}, *sys.argv[1:]])
"""


def codebuild_script(commands: list[str]) -> str:
    """The commands as CodeBuild runs a phase: in order, in one bash session, stopping at
    the first command that exits non-zero. An epilogue records what a child process
    sees of BRANCH (exported or not) for the test."""
    lines: list[str] = []
    for index, command in enumerate(commands):
        lines += [
            command,
            '__status=$?; if [ "$__status" -ne 0 ]; then '
            f'echo "[Container] command {index} exit status $__status" >&2; exit "$__status"; fi',
        ]
    lines.append('bash -c \'printf %s "${BRANCH-}"\' > "$RESULT_DIR/exported-branch"')
    return "\n".join(lines) + "\n"


def git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    ).stdout


@dataclass
class Build:
    result: subprocess.CompletedProcess[str]
    origin: Path
    gh_calls: list[dict[str, Any]]
    exported_branch: str
    env: dict[str, str]
    stack_before: str

    def remote_file(self, ref: str, path: str) -> str:
        return git("show", f"{ref}:{path}", cwd=self.origin, env=self.env)

    def remote_branches(self) -> list[str]:
        out = git(
            "for-each-ref", "--format=%(refname:short)", "refs/heads", cwd=self.origin, env=self.env
        )
        return out.split()


def run_build(tmp_path: Path, *, arn: str = SAMPLE_ARN, fake_plan_exit: int | None = None) -> Build:
    """A CodeBuild-like run of the build phase: the repository (Pulumi.yaml and stacks/ of
    this project, aws-staging serving SERVED_BEFORE) cloned with depth 1 from a local
    bare repository that stands in for GitHub, the project's and the buildspec's
    variables, the approved ARN from the event, a stub ``gh`` and ``mlops-iac`` from this
    virtual environment on PATH."""
    home, stubs, results, work = (tmp_path / d for d in ("home", "stubs", "results", "tmp"))
    for d in (home, stubs, results, work):
        d.mkdir()
    gitconfig = home / ".gitconfig"
    env = {
        "PATH": os.pathsep.join([str(stubs), str(VENV_BIN), os.environ["PATH"]]),
        "HOME": str(home),
        "TMPDIR": str(work),
        "LANG": "C.UTF-8",
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
    }

    seed, origin, src = tmp_path / "seed", tmp_path / "origin.git", tmp_path / "src"
    seed.mkdir()
    shutil.copy(ROOT / "Pulumi.yaml", seed)
    shutil.copytree(ROOT / "stacks", seed / "stacks", ignore=shutil.ignore_patterns("__pycache__"))
    staging = seed / "stacks" / "Pulumi.aws-staging.yaml"
    text, count = re.subn(
        r"(?m)^(\s+model_package_arn: ).*$", rf"\g<1>{SERVED_BEFORE}", staging.read_text()
    )
    assert count == 1
    staging.write_text(text)
    seed_env = env | {
        "GIT_AUTHOR_NAME": "dev",
        "GIT_AUTHOR_EMAIL": "dev@example.com",
        "GIT_COMMITTER_NAME": "dev",
        "GIT_COMMITTER_EMAIL": "dev@example.com",
    }
    git("init", "--quiet", "--initial-branch=main", cwd=seed, env=seed_env)
    git("add", ".", cwd=seed, env=seed_env)
    git("commit", "--quiet", "-m", "Initial", cwd=seed, env=seed_env)
    git("clone", "--quiet", "--bare", str(seed), str(origin), cwd=tmp_path, env=env)
    # CodeBuild's checkout: a shallow clone of the source version.
    git(
        "clone",
        "--quiet",
        "--depth",
        "1",
        "--branch",
        "main",
        origin.as_uri(),
        str(src),
        cwd=tmp_path,
        env=env,
    )
    # The push URL the build uses reaches the local "GitHub".
    push_url = f"https://x-access-token:{TOKEN}@github.com/{SETTINGS.repository}.git"
    git("config", "--global", f"url.{origin.as_uri()}.insteadOf", push_url, cwd=tmp_path, env=env)

    gh_log = results / "gh.jsonl"
    (stubs / "gh").write_text(GH_STUB.format(python=sys.executable))
    (stubs / "gh").chmod(0o755)
    real_cli = shutil.which("mlops-iac", path=str(VENV_BIN))
    assert real_cli, f"mlops-iac not installed in {VENV_BIN}"
    if fake_plan_exit is not None:
        (stubs / "mlops-iac").write_text(PLAN_STUB.format(python=sys.executable, real=real_cli))
        (stubs / "mlops-iac").chmod(0o755)

    spec = parsed_buildspec()
    # Precedence as in CodeBuild: buildspec variables < project variables < StartBuild
    # overrides (the approval event's ARN); secrets-manager values come from the secret.
    project_env = {
        v["name"]: v["value"] for v in project().inputs["environment"]["environmentVariables"]
    }
    build_env = (
        env
        | spec["env"]["variables"]
        | project_env
        | {"MODEL_PACKAGE_ARN": arn, "GH_TOKEN": TOKEN}
        | {"CODEBUILD_SRC_DIR": str(src), "GH_STUB_LOG": str(gh_log), "RESULT_DIR": str(results)}
    )
    if fake_plan_exit is not None:
        build_env["FAKE_PLAN_EXIT"] = str(fake_plan_exit)
    result = subprocess.run(
        ["bash", "-c", codebuild_script(spec["phases"]["build"]["commands"])],
        cwd=src,
        env=build_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    calls = (
        [json.loads(line) for line in gh_log.read_text().splitlines()] if gh_log.exists() else []
    )
    exported = results / "exported-branch"
    return Build(
        result=result,
        origin=origin,
        gh_calls=calls,
        exported_branch=exported.read_text() if exported.exists() else "",
        env=env,
        stack_before=text,
    )


def test_build_pushes_the_one_line_change_and_opens_the_pull_request(tmp_path: Path) -> None:
    build = run_build(tmp_path)
    assert build.result.returncode == 0, build.result.stderr
    assert build.exported_branch == SAMPLE_BRANCH

    # The branch reached the remote; its commit changes one line of one file.
    assert sorted(build.remote_branches()) == ["main", SAMPLE_BRANCH]
    changed = git("diff", "--name-only", "main", SAMPLE_BRANCH, cwd=build.origin, env=build.env)
    assert changed.split() == ["stacks/Pulumi.aws-staging.yaml"]
    after = build.remote_file(SAMPLE_BRANCH, "stacks/Pulumi.aws-staging.yaml")
    diff = [
        line
        for line in difflib.unified_diff(
            build.stack_before.splitlines(), after.splitlines(), n=0, lineterm=""
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert diff == [
        f"-        model_package_arn: {SERVED_BEFORE}",
        f"+        model_package_arn: {SAMPLE_ARN}",
    ]
    author = git(
        "log",
        "-1",
        "--format=%an <%ae>|%cn <%ce>|%s",
        SAMPLE_BRANCH,
        cwd=build.origin,
        env=build.env,
    )
    identity = f"{GIT_IDENTITY[0]} <{GIT_IDENTITY[1]}>"
    assert author.strip() == f"{identity}|{identity}|Promote mlops-dev-models-v1 to aws-staging"

    # One pull request, with exactly these arguments and the plan as its body.
    (call,) = build.gh_calls
    args = call["args"]
    body_file = args[-1]
    assert args == [
        "pr",
        "create",
        "--repo",
        "example-org/mlops-platform",
        "--base",
        "main",
        "--head",
        SAMPLE_BRANCH,
        "--title",
        "Promote mlops-dev-models-v1 to aws-staging",
        "--body-file",
        body_file,
    ]
    assert Path(body_file).is_relative_to(tmp_path / "tmp")
    assert call["token"] == TOKEN
    assert call["body"].startswith(f"Promotes model package `{SAMPLE_ARN}` to stack `aws-staging`")
    assert "# Plan: `mlops-iac` / `aws-staging`" in call["body"]
    assert "[!CAUTION]" not in call["body"]
    assert len(call["body"]) <= PR_BODY_BUDGET


def test_plan_violations_still_open_the_pull_request_with_a_warning(tmp_path: Path) -> None:
    build = run_build(tmp_path, fake_plan_exit=1)
    assert build.result.returncode == 0, build.result.stderr
    (call,) = build.gh_calls
    assert "[!CAUTION]" in call["body"]
    assert "## Policy violations" in call["body"]
    assert SAMPLE_BRANCH in build.remote_branches()


def test_failing_plan_fails_the_build_before_anything_is_pushed(tmp_path: Path) -> None:
    build = run_build(tmp_path, fake_plan_exit=2)
    assert build.result.returncode != 0
    assert "mlops-iac plan failed (exit 2)" in build.result.stderr
    assert build.remote_branches() == ["main"]
    assert build.gh_calls == []


def test_refused_arn_fails_the_build_at_the_edit(tmp_path: Path) -> None:
    group_arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-dev-models"
    build = run_build(tmp_path, arn=group_arn)
    assert build.result.returncode == 2
    assert "error: not a versioned model package ARN" in build.result.stderr
    assert "[Container] command 2 exit status 2" in build.result.stderr
    assert build.remote_branches() == ["main"]
    assert build.gh_calls == []


# -- mlops-iac promote -------------------------------------------------------------------


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path)
    shutil.copytree(
        ROOT / "stacks", tmp_path / "stacks", ignore=shutil.ignore_patterns("__pycache__")
    )
    return tmp_path


@pytest.mark.parametrize("stack", ["aws-dev", "aws-staging", "aws-prod"])
def test_promote_edits_one_line_of_every_stack_file(
    project_copy: Path, stack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/mlops-dev-models/12"
    stack_file = project_copy / "stacks" / f"Pulumi.{stack}.yaml"
    before = stack_file.read_text()
    argv = ["promote", stack, "--model-package-arn", arn, *SOURCE_ARGS]
    assert main([*argv, "--program", str(project_copy)]) == 0
    assert capsys.readouterr().out == f"promote/{stack}/mlops-dev-models-v12\n"
    changed = [
        (old, new)
        for old, new in zip(before.splitlines(), stack_file.read_text().splitlines(), strict=True)
        if old != new
    ]
    assert changed == [
        (
            "        model_package_arn: arn:aws:sagemaker:eu-west-1:111111111111:model-package/mlops-dev-models/1",
            f"        model_package_arn: {arn}",
        )
    ]


def test_promote_finds_the_project_above_the_working_directory(
    project_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project_copy / "stacks")
    arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/m-1/3"
    key = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    source = ["--source-artifacts-bucket", "m-artifacts-1a2b3c4", "--source-kms-key-arn", key]
    assert main(["promote", "aws-dev", "--model-package-arn", arn, *source]) == 0
    assert capsys.readouterr().out == "promote/aws-dev/m-1-v3\n"
    edited = yaml.safe_load((project_copy / "stacks/Pulumi.aws-dev.yaml").read_text())
    endpoint = edited["config"]["mlops-iac:architectures"]["sagemaker_cicd"]["endpoint"]
    assert endpoint["model_package_arn"] == arn
    # Another registry than the stack's own: its bucket and key go in model_source.
    assert endpoint["model_source"] == {
        "artifacts_bucket": "m-artifacts-1a2b3c4",
        "kms_key_arn": key,
    }


def test_promote_refuses_a_package_of_another_region(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arn = "arn:aws-us-gov:sagemaker:us-gov-west-1:111111111111:model-package/m-1/3"
    key = "arn:aws-us-gov:kms:us-gov-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    stack_file = project_copy / "stacks/Pulumi.aws-dev.yaml"
    before = stack_file.read_text()
    source = ["--source-artifacts-bucket", "m-artifacts-1a2b3c4", "--source-kms-key-arn", key]
    argv = ["promote", "aws-dev", "--model-package-arn", arn, *source]
    assert main([*argv, "--program", str(project_copy)]) == 2
    assert "endpoint.model_package_arn (us-gov-west-1)" in capsys.readouterr().err
    assert stack_file.read_text() == before


def test_promote_needs_the_source_of_a_foreign_package(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/mlops-staging-models/2"
    stack_file = project_copy / "stacks/Pulumi.aws-prod.yaml"
    before = stack_file.read_text()
    argv = ["promote", "aws-prod", "--model-package-arn", arn, "--program", str(project_copy)]
    assert main(argv) == 2
    assert "pass the producing stack's --source-artifacts-bucket" in capsys.readouterr().err
    assert stack_file.read_text() == before
    # A source whose key is not in the package's account fails the settings check and
    # leaves the file as it was.
    wrong = [
        "--source-artifacts-bucket",
        BUCKET,
        "--source-kms-key-arn",
        KEY_ARN.replace("111111111111", "999999999999"),
    ]
    assert main([*argv, *wrong]) == 2
    assert "kms_key_arn is in eu-west-1/999999999999" in capsys.readouterr().err
    assert stack_file.read_text() == before


def test_promoting_an_own_package_removes_the_source(project_copy: Path) -> None:
    arn = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/mlops-prod-models/5"
    argv = ["promote", "aws-prod", "--model-package-arn", arn, *SOURCE_ARGS]
    assert main([*argv, "--program", str(project_copy)]) == 0
    edited = yaml.safe_load((project_copy / "stacks/Pulumi.aws-prod.yaml").read_text())
    endpoint = edited["config"]["mlops-iac:architectures"]["sagemaker_cicd"]["endpoint"]
    assert endpoint["model_package_arn"] == arn
    assert "model_source" not in endpoint


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        ("", "not a versioned model package ARN"),
        # the ARN form the old buildspec's ${ARN##*/model-package/} could not strip
        (
            "arn:aws:sagemaker:eu-west-1:111111111111:model-package:mlops-dev-models/1",
            "not a versioned",
        ),
        (
            "arn:aws:sagemaker:eu-west-1:111111111111:model-package/mlops-dev-models",
            "not a versioned",
        ),
        (
            "arn:aws:sagemaker:eu-west-1:111111111111:model-package/mlops-dev-models/0",
            "not a versioned",
        ),
        ("arn:aws:sagemaker:eu-west-1:1111:model-package/mlops-dev-models/1", "not a versioned"),
        ("arn:aws:s3:eu-west-1:111111111111:model-package/mlops-dev-models/1", "not a versioned"),
        ("arn:aws:sagemaker:eu-west-1:111111111111:model-package/-models/1", "not a versioned"),
        ("arn:aws:sagemaker:eu-west-1:111111111111:model-package/a b/1", "not a versioned"),
        (SAMPLE_ARN, "aws-dev already serves"),
    ],
)
def test_promote_refuses_with_a_message(
    project_copy: Path, arn: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (project_copy / "stacks/Pulumi.aws-dev.yaml").read_text()
    argv = ["promote", "aws-dev", "--model-package-arn", arn, "--program", str(project_copy)]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("error: ") and message in err
    assert (project_copy / "stacks/Pulumi.aws-dev.yaml").read_text() == before


def test_promote_refuses_a_stack_without_file_or_setting(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--model-package-arn", SAMPLE_ARN, "--program", str(project_copy)]
    assert main(["promote", "aws-qa", *argv]) == 2
    assert "stack 'aws-qa' has no config file" in capsys.readouterr().err

    no_key = project_copy / "stacks/Pulumi.aws-qa.yaml"
    no_key.write_text(
        textwrap.dedent(
            """\
            config:
              mlops-iac:architectures:
                sagemaker_cicd:
                  endpoint:
                    hosting: serverless
            """
        )
    )
    assert main(["promote", "aws-qa", *argv]) == 2
    err = capsys.readouterr().err
    assert "architectures.sagemaker_cicd.endpoint.model_package_arn is not set" in err
    assert "add `model_package_arn: null`" in err

    no_endpoint = project_copy / "stacks/Pulumi.aws-qa.yaml"
    no_endpoint.write_text("config:\n  mlops-iac:region: eu-west-1\n")
    assert main(["promote", "aws-qa", *argv]) == 2
    assert "no config.mlops-iac:architectures section" in capsys.readouterr().err


def test_promote_sets_an_empty_setting(project_copy: Path) -> None:
    stack_file = project_copy / "stacks/Pulumi.aws-qa.yaml"
    served = f"        model_package_arn: {SAMPLE_ARN}\n"
    dev = (project_copy / "stacks/Pulumi.aws-dev.yaml").read_text()
    assert served in dev
    stack_file.write_text(
        dev.replace(served, "        model_package_arn: null  # nothing served yet\n")
    )
    argv = ["promote", "aws-qa", "--model-package-arn", SAMPLE_ARN, "--program", str(project_copy)]
    assert main(argv) == 0
    # The comment stays at its column, or one space after a longer value.
    assert stack_file.read_text() == dev.replace(
        served, f"        model_package_arn: {SAMPLE_ARN} # nothing served yet\n"
    )


@pytest.mark.parametrize(
    "arn",
    [
        SAMPLE_ARN,
        "arn:aws-cn:sagemaker:cn-north-1:111111111111:model-package/A--b9/4294967295",
        "arn:aws:sagemaker:eu-west-1:111111111111:model-package/" + "a" * 63 + "/7",
    ],
)
def test_branch_names_pass_git_check_ref_format(arn: str) -> None:
    package = ModelPackage.parse(arn)
    branch = branch_name("aws-staging", package)
    assert branch == f"promote/aws-staging/{package.group}-v{package.version}"
    subprocess.run(["git", "check-ref-format", "--branch", branch], check=True, capture_output=True)


def test_branch_name_refuses_stack_names_git_would_refuse() -> None:
    package = ModelPackage.parse(SAMPLE_ARN)
    assert branch_name("example-org/mlops-iac/aws-staging", package) == SAMPLE_BRANCH
    for stack in (".hidden", "a..b", "x.lock", "bad name", ""):
        with pytest.raises(PromotionError, match="invalid stack name"):
            branch_name(stack, package)


# -- the pull-request body ---------------------------------------------------------------


def long_report(rows: int, violations: int = 3) -> str:
    resources = "".join(f"| r{i} | `aws:s3/bucket:Bucket` | (stack) | |\n" for i in range(rows))
    found = "".join(
        f"- **rule-{i}** (pack, mandatory) on `r{i}`: bad.\n" for i in range(violations)
    )
    return (
        "# Plan: `mlops-iac` / `aws-staging`\n\nPolicy violations: **3** (3 mandatory).\n\n"
        "## Resources\n\n" + resources + "\n## Diagram\n\n```mermaid\nflowchart LR\n```\n\n"
        "## Policy violations\n\n" + found + "\n## Outputs\n\nnone\n"
    )


def test_body_is_the_report_when_it_fits() -> None:
    package = ModelPackage.parse(SAMPLE_ARN)
    report = long_report(10)
    body = pull_request_body(report, stack="aws-staging", package=package, violations=False)
    assert body.endswith(report) and "cut" not in body


def test_long_report_keeps_violations_and_whole_sections_under_githubs_limit() -> None:
    package = ModelPackage.parse(SAMPLE_ARN)
    body = pull_request_body(
        long_report(5000), stack="aws-staging", package=package, violations=True
    )
    assert len(body) <= PR_BODY_BUDGET < 65_536
    assert body.index("[!CAUTION]") < body.index("## Policy violations") < body.index("## Diagram")
    assert "- **rule-2** (pack, mandatory) on `r2`: bad.\n" in body
    assert "## Resources" not in body and "## Outputs\n\nnone\n" in body
    assert body.endswith(
        "left out: Resources. Run `mlops-iac plan aws-staging` on this branch for "
        "the whole report.*\n"
    )


def test_overlong_violations_are_cut_at_a_line() -> None:
    package = ModelPackage.parse(SAMPLE_ARN)
    report = long_report(10, violations=5000)
    body = pull_request_body(report, stack="aws-staging", package=package, violations=True)
    assert len(body) <= PR_BODY_BUDGET
    assert "left out: the rest of Policy violations, Resources, Diagram, Outputs." in body
    kept = body.split("## Policy violations\n\n")[1].split("\n---\n")[0]
    assert kept and all(line.startswith("- **rule-") for line in kept.splitlines())


def test_pr_body_command_prints_the_body(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "plan.md"
    report.write_text(long_report(3))
    argv = ["promote", "aws-staging", "--model-package-arn", SAMPLE_ARN, "--pr-body", str(report)]
    assert main([*argv, "--plan-exit-code", "1"]) == 0
    out = capsys.readouterr().out
    assert out == pull_request_body(
        long_report(3), stack="aws-staging", package=ModelPackage.parse(SAMPLE_ARN), violations=True
    )


def test_prod_takes_what_staging_serves(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tested = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/mlops-dev-models/7"
    staging = ["promote", "aws-staging", "--model-package-arn", tested, *SOURCE_ARGS]
    assert main([*staging, "--program", str(project_copy)]) == 0
    capsys.readouterr()
    prod = ["promote", "aws-prod", "--from-stack", "aws-staging", "--program", str(project_copy)]
    assert main(prod) == 0
    assert capsys.readouterr().out == "promote/aws-prod/mlops-dev-models-v7\n"
    edited = yaml.safe_load((project_copy / "stacks/Pulumi.aws-prod.yaml").read_text())
    endpoint = edited["config"]["mlops-iac:architectures"]["sagemaker_cicd"]["endpoint"]
    assert endpoint["model_package_arn"] == tested
    assert endpoint["model_source"] == {"artifacts_bucket": BUCKET, "kms_key_arn": KEY_ARN}


def test_from_stack_and_an_arn_are_exclusive(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["promote", "aws-prod", "--from-stack", "aws-staging", "--model-package-arn", SAMPLE_ARN]
    assert main([*argv, "--program", str(project_copy)]) == 2
    assert "not allowed with argument" in capsys.readouterr().err
