"""Print what the deploy workflow needs to know about a stack before its job starts,
as ``key=value`` lines for ``$GITHUB_OUTPUT``: ``cloud``, ``region``, ``environment``
(the policy config: dev, staging or prod) and ``github_environment`` (the GitHub
environment whose protection rules gate the job and whose OIDC ``sub`` the stack's CI
identity trusts: ``mlops-iac:ci.environment``).

Usage: ``python .github/scripts/stack_context.py STACK`` (needs PyYAML only, so the job
that runs it does not install the project).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def context(stack: str) -> dict[str, str]:
    path = ROOT / "stacks" / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        raise SystemExit(f"error: no stack file {path.relative_to(ROOT)}")
    config = yaml.safe_load(path.read_text(encoding="utf-8"))["config"]
    ci = config.get("mlops-iac:ci") or {}
    if not ci.get("environment"):
        raise SystemExit(f"error: {path.name} has no mlops-iac:ci.environment")
    return {
        "cloud": str(config["mlops-iac:cloud"]),
        "region": str(config["mlops-iac:region"]),
        "environment": str(config["mlops-iac:environment"]),
        "github_environment": str(ci["environment"]),
    }


if __name__ == "__main__":
    for key, value in context(sys.argv[1]).items():
        print(f"{key}={value}")
