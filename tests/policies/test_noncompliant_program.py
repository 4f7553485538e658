"""The deliberately non-compliant program in tests/fixtures/programs/noncompliant must be
blocked: every resource in it is named in a mandatory violation under the dev config.

Two views: the project's offline preview CLI (``mlops-iac plan dev --program ...``), which
must exit 1, and the evaluator alone over the program's resources recorded under Pulumi
mocks (independent of the CLI, so a failure points at the rules or at the CLI)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mlops_policies.evaluation import config_path_for, evaluate, load_policy_config

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "tests" / "fixtures" / "programs" / "noncompliant"
TIMEOUT = 300

EXPECTED = [
    ("aws:s3/bucket:Bucket", "public-data"),
    ("aws:s3/bucketAcl:BucketAcl", "public-data-acl"),
    ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "public-data-access"),
    ("aws:iam/policy:Policy", "allow-everything"),
    ("aws:sagemaker/notebookInstance:NotebookInstance", "open-notebook"),
    ("aws:sagemaker/model:Model", "open-model"),
    ("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "unencrypted-endpoint"),
    ("aws:ecr/repository:Repository", "mutable-repo"),
    ("aws:eks/cluster:Cluster", "public-cluster"),
    ("aws:lambda/function:Function", "legacy-function"),
    ("aws:lambda/permission:Permission", "public-invoke"),
    ("aws:sfn/stateMachine:StateMachine", "silent-workflow"),
    ("aws:cloudwatch/logGroup:LogGroup", "forever-logs"),
]

RECORDER = """
import json, runpy, sys
import pulumi

recorded = []

class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        recorded.append({"type": args.typ, "name": args.name, "inputs": args.inputs})
        return [args.name + "-id", args.inputs]

    def call(self, args):
        return {}

pulumi.runtime.set_mocks(Mocks(), project="noncompliant", stack="dev", preview=False)

@pulumi.runtime.test
def run():
    runpy.run_path(sys.argv[1], run_name="__main__")

run()
print(json.dumps(recorded, default=str))
"""


def _mandatory_urns(report: Any) -> Iterator[str]:
    """URNs of every mandatory violation anywhere in a JSON report."""
    if isinstance(report, dict):
        if report.get("enforcement") == "mandatory" and isinstance(report.get("urn"), str):
            yield report["urn"]
        for value in report.values():
            yield from _mandatory_urns(value)
    elif isinstance(report, list):
        for value in report:
            yield from _mandatory_urns(value)


def _missing(urns: set[str]) -> list[tuple[str, str]]:
    return [(t, n) for t, n in EXPECTED if not any(u.endswith(f"::{t}::{n}") for u in urns)]


def test_evaluator_blocks_every_resource_of_the_program() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", RECORDER, str(PROGRAM / "__main__.py")],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=PROGRAM,
    )
    assert completed.returncode == 0, completed.stderr
    recorded = json.loads(completed.stdout.strip().splitlines()[-1])
    resources = [
        {
            "urn": f"urn:pulumi:dev::noncompliant::{r['type']}::{r['name']}",
            "type": r["type"],
            "name": r["name"],
            "parent": None,
            "dependencies": [],
            "provider": None,
            "custom": True,
            "protect": False,
            "retain_on_delete": False,
            "inputs": r["inputs"],
        }
        for r in recorded
    ]
    result = evaluate(
        resources, load_policy_config(config_path_for("dev")), project="noncompliant", stack="dev"
    )
    assert _missing({v.urn for v in result.mandatory if v.urn}) == []


@pytest.mark.skipif(
    importlib.util.find_spec("mlops_components.preview.cli") is None,
    reason="the offline preview CLI is not installed",
)
def test_plan_cli_exits_1_and_names_every_resource() -> None:
    script = Path(sys.executable).parent / "mlops-iac"
    command = (
        [str(script)] if script.exists() else [sys.executable, "-m", "mlops_components.preview.cli"]
    )
    completed = subprocess.run(
        [*command, "plan", "dev", "--program", str(PROGRAM), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=ROOT,
    )
    assert completed.returncode == 1, completed.stdout[-2000:] + completed.stderr[-2000:]
    report = json.loads(completed.stdout)
    assert _missing(set(_mandatory_urns(report))) == []
