"""Plan every Python example of a pulumi/examples checkout offline and tabulate the result.

Usage: ``python scripts/survey_examples.py EXAMPLES_DIR [--only aws-py-eks ...]``

For each ``<cloud>-py-*`` folder: skip it when a package it needs is not installed here
(its ``requirements.txt`` / ``pyproject.toml`` names ``pulumi-<x>`` packages), write a
``Pulumi.dev.yaml`` with the cloud's region when the example has no stack file, run
``mlops-iac plan dev --program <folder> --format json`` and print one line per example:
exit code, resource count, unknown inputs, and the first line of the error. Run by hand
(the examples are not vendored); docs/offline-preview.md records the last run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REGION_CONFIG = {
    "aws": {"aws:region": "us-west-2"},
    "azure": {"azure-native:location": "westeurope"},
    "gcp": {"gcp:project": "examples-123456", "gcp:region": "us-central1"},
}


def needed_packages(folder: Path) -> set[str]:
    text = ""
    for name in ("requirements.txt", "pyproject.toml"):
        if (folder / name).exists():
            text += (folder / name).read_text()
    return {m.replace("-", "_") for m in re.findall(r"\b(pulumi[-_][a-z0-9_-]+)", text)}


def missing(folder: Path) -> list[str]:
    return sorted(p for p in needed_packages(folder) if importlib.util.find_spec(p) is None)


def stack_file(folder: Path) -> None:
    if list(folder.glob("Pulumi.*.yaml")):
        return
    cloud = folder.name.split("-", 1)[0]
    (folder / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": REGION_CONFIG[cloud]}))


def plan(folder: Path) -> tuple[int, dict, str]:
    stacks = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in folder.glob("Pulumi.*.yaml"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "plan.json"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "mlops_preview.cli",
                "plan",
                stacks[0],
                "--program",
                str(folder),
                "--format",
                "json",
                "--out",
                str(out),
                "--quiet",
                "--timeout",
                "120",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        report = json.loads(out.read_text()) if out.exists() else {}
    return done.returncode, report, done.stderr.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("examples", type=Path)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    for folder in sorted(args.examples.glob("*-py-*")):
        if args.only and folder.name not in args.only:
            continue
        absent = missing(folder)
        if absent:
            print(f"{folder.name:45} skipped: not installed: {', '.join(absent)}")
            continue
        stack_file(folder)
        code, report, err = plan(folder)
        resources = len(report.get("resources", []))
        unknowns = len(report.get("unknowns", []))
        first = err.splitlines()[0] if err else ""
        print(
            f"{folder.name:45} exit {code} resources {resources:3} unknowns {unknowns:3} {first[:150]}"
        )


if __name__ == "__main__":
    main()
