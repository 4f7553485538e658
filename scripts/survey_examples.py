"""Plan every Python example of a pulumi/examples checkout offline and tabulate the result.

Usage: ``python scripts/survey_examples.py EXAMPLES_DIR [--only aws-py-eks ...]``

For each Pulumi project of a ``<cloud>-py-*`` folder (the folder, or its subfolders
with a ``Pulumi.yaml``): skip it when a package its ``requirements.txt`` asks for is not
installed here in a version it accepts (``pyproject.toml``: by name only), write a
``Pulumi.dev.yaml`` with the cloud's region when the project has no stack file, run
``mlops-iac plan <stack> --program <folder> --format json`` and print one line per
project: exit code, resource count, unknown inputs, and the first line of the error; a
program that stops for a required config value the example does not give is listed as
skipped. Run by hand (the examples are not vendored); docs/offline-preview.md records
the last run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

import yaml
from packaging.requirements import InvalidRequirement, Requirement

REGION_CONFIG = {
    "aws": {"aws:region": "us-west-2"},
    "azure": {"azure-native:location": "westeurope"},
    "gcp": {"gcp:project": "examples-123456", "gcp:region": "us-central1"},
}


def requirements(folder: Path) -> list[Requirement]:
    """What the project asks for: ``requirements.txt`` lines, else the names of a
    ``pyproject.toml``'s dependencies (any version)."""
    found: list[Requirement] = []
    listed = folder / "requirements.txt"
    if listed.exists():
        for line in listed.read_text().splitlines():
            try:
                found.append(Requirement(line.split("#")[0].strip()))
            except InvalidRequirement:
                continue
    elif (folder / "pyproject.toml").exists():
        text = (folder / "pyproject.toml").read_text()
        found += [Requirement(n) for n in re.findall(r"^(pulumi[-_][a-z0-9_-]+)\s*=", text, re.M)]
    return found


def missing(folder: Path) -> tuple[list[str], list[str]]:
    """Requirements not installed here, and those installed in a version the project's
    range excludes (``name spec (have version)``): the plan runs with what is here."""
    absent, other = [], []
    for req in requirements(folder):
        try:
            have = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            absent.append(req.name)
            continue
        if req.specifier and not req.specifier.contains(have, prereleases=True):
            other.append(f"{req.name}{req.specifier} (have {have})")
    return absent, other


def projects(folder: Path) -> list[Path]:
    if (folder / "Pulumi.yaml").exists():
        return [folder]
    return sorted(p.parent for p in folder.glob("*/Pulumi.yaml"))


def stack_file(folder: Path, cloud: str) -> None:
    if list(folder.glob("Pulumi.*.yaml")):
        return
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
            # what a login shell gives the Pulumi CLI (an example reads $USER)
            env={"USER": "examples", **os.environ},
        )
        report = json.loads(out.read_text()) if out.exists() else {}
    return done.returncode, report, done.stderr.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("examples", type=Path)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    for example in sorted(args.examples.glob("*-py-*")):
        if args.only and example.name not in args.only:
            continue
        for folder in projects(example):
            survey(folder, example.name.split("-", 1)[0], args.examples)


def survey(folder: Path, cloud: str, root: Path) -> None:
    name = str(folder.relative_to(root))
    absent, other = missing(folder)
    if absent:
        print(f"{name:45} skipped: not installed: {', '.join(absent)}")
        return
    stack_file(folder, cloud)
    code, report, err = plan(folder)
    first = err.splitlines()[0] if err else ""
    if "Missing required configuration variable" in first:
        print(f"{name:45} skipped: needs config: {first.rsplit(' ', 1)[-1]}")
        return
    resources = len(report.get("resources", []))
    unknowns = len(report.get("unknowns", []))
    versions = f" [asks {'; '.join(other)}]" if other and code == 2 else ""
    line = f"exit {code} resources {resources:3} unknowns {unknowns:3} {first[:150]}{versions}"
    print(f"{name:45} {line}")


if __name__ == "__main__":
    main()
