"""The deliberately non-compliant program in tests/fixtures/programs/noncompliant must be
blocked: each of its resources breaks the rule written for its defect.

Two views: the project's offline preview CLI (``mlops-iac plan dev --program ...``), which
must exit 1 naming every resource, and the evaluator alone over the recorded resources
(so a failure points at the rules or at the CLI)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mlops_policies.evaluation import config_path_for, evaluate, load_policy_config
from mlops_preview.runner import plan_stack

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "mlops_preview.cli"]
PROGRAM = ROOT / "tests" / "fixtures" / "programs" / "noncompliant"

# (resource type, name, the rule for its defect, enforcement in dev)
EXPECTED = [
    ("aws:s3/bucketAcl:BucketAcl", "public-data-acl", "aws-s3-bucket-disallow-public-acl", "mandatory"),
    ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "public-data-access", "aws-s3-public-access-block-require-all", "mandatory"),
    ("aws:s3/bucket:Bucket", "public-data", "aws-s3-bucket-require-sse-kms", "mandatory"),
    ("aws:iam/policy:Policy", "allow-everything", "aws-iam-policy-disallow-full-admin", "mandatory"),
    ("aws:sagemaker/notebookInstance:NotebookInstance", "open-notebook", "aws-sagemaker-notebook-disallow-direct-internet", "mandatory"),
    ("aws:sagemaker/notebookInstance:NotebookInstance", "open-notebook", "aws-sagemaker-notebook-disallow-root-access", "mandatory"),
    # Advisory in dev: dev's serverless hosting supports no network isolation.
    ("aws:sagemaker/model:Model", "open-model", "aws-sagemaker-model-require-network-isolation", "advisory"),
    ("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "unencrypted-endpoint", "aws-sagemaker-endpoint-config-require-kms", "mandatory"),
    ("aws:ecr/repository:Repository", "mutable-repo", "aws-ecr-repository-require-immutable-tags", "mandatory"),
    ("aws:ecr/repository:Repository", "mutable-repo", "aws-ecr-repository-require-scan-on-push", "mandatory"),
    ("aws:eks/cluster:Cluster", "public-cluster", "aws-eks-cluster-disallow-public-endpoint", "mandatory"),
    ("aws:lambda/function:Function", "legacy-function", "aws-lambda-function-require-supported-runtime", "mandatory"),
    ("aws:lambda/function:Function", "legacy-function", "aws-lambda-function-disallow-plaintext-secrets", "mandatory"),
    ("aws:lambda/permission:Permission", "public-invoke", "aws-lambda-permission-disallow-public-principal", "mandatory"),
    ("aws:sfn/stateMachine:StateMachine", "silent-workflow", "aws-stepfunctions-state-machine-require-logging", "mandatory"),
    ("aws:cloudwatch/logGroup:LogGroup", "forever-logs", "aws-cloudwatch-log-group-require-retention", "mandatory"),
]  # fmt: skip


def found(violations: list[dict[str, str]]) -> set[tuple[str, str, str, str]]:
    """(type, name, policy, enforcement) of every violation on a resource."""
    result = set()
    for v in violations:
        if v["urn"]:
            type_, name = v["urn"].split("::")[-2].split("$")[-1], v["urn"].split("::")[-1]
            result.add((type_, name, v["policy"], v["enforcement"]))
    return result


def cli_violations(program: Path, stack: str) -> set[tuple[str, str, str, str]]:
    """``mlops-iac plan <stack> --program <program>``: asserts exit code 1 (a mandatory
    violation) and returns what it found."""
    completed = subprocess.run(
        [*CLI, "plan", stack, "--program", str(program), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr[-2000:]
    return found(json.loads(completed.stdout)["policies"]["violations"])


def evaluator_violations(program: Path, stack: str) -> set[tuple[str, str, str, str]]:
    """The evaluator alone over the program's recorded resources, with the policy
    config of environment ``stack``."""
    recording = plan_stack(program, stack)
    result = evaluate(
        [r.to_json() for r in recording.resources],
        load_policy_config(config_path_for(stack)),
        project=program.name,
        stack=stack,
    )
    return found([v.to_dict() for v in result.violations])


def assert_blocked(expected: list[tuple[str, str, str, str]], violations: set) -> None:
    """Every expected violation is there, and each expected resource is named in a
    mandatory one."""
    assert set(expected) <= violations
    blocked = {(t, n) for t, n, _, level in violations if level == "mandatory"}
    assert {(t, n) for t, n, _, _ in expected} <= blocked


def test_plan_cli_exits_1_and_names_every_resource() -> None:
    # The model is named in a mandatory violation through its missing cost tags.
    assert_blocked(EXPECTED, cli_violations(PROGRAM, "dev"))


def test_evaluator_finds_each_defect() -> None:
    assert set(EXPECTED) <= evaluator_violations(PROGRAM, "dev")
