"""Packaging per cloud: the core imports no cloud SDK, and a stack on one cloud plans
with the other clouds' SDKs absent (``mlops-iac[aws]`` alone is enough for the AWS
stacks). Each check runs in a fresh interpreter where importing a forbidden SDK raises
``ModuleNotFoundError``, exactly as in a venv that does not have it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SDKS = ("pulumi_aws", "pulumi_azure_native", "pulumi_gcp")

BLOCKER = textwrap.dedent(
    """
    import importlib.abc, importlib.machinery, json, sys

    class Absent(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        # A module of these packages has no origin and fails to load, as when the
        # package is not installed (find_spec finds nothing to read from).
        def __init__(self, names):
            self.names = names
        def find_spec(self, fullname, path=None, target=None):
            if fullname.split(".")[0] in self.names:
                return importlib.machinery.ModuleSpec(fullname, self)
            return None
        def create_module(self, spec):
            raise ModuleNotFoundError(f"No module named {spec.name!r}", name=spec.name)
        def exec_module(self, module):
            raise ModuleNotFoundError(f"No module named {module.__name__!r}")

    sys.meta_path.insert(0, Absent(set(json.loads(sys.argv[1]))))
    """
)


def run(code: str, absent: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCKER + textwrap.dedent(code) + REPORT, json.dumps(absent)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def loaded_sdks(stdout: str) -> list[str]:
    return json.loads(stdout.strip().splitlines()[-1])


REPORT = "\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & set(json.loads(sys.argv[1]) + ['pulumi_aws', 'pulumi_azure_native', 'pulumi_gcp']))))\n"


def test_the_core_imports_no_cloud_sdk() -> None:
    result = run(
        """
        import mlops_components, mlops_components.settings, mlops_components.registry
        import mlops_components.platform, mlops_components.vocabulary, mlops_components.tags
        import mlops_components.aws.facts, mlops_components.aws.names
        import mlops_components.azure.names, mlops_components.gcp.names
        import mlops_preview.runner, mlops_preview.report
        from mlops_policies.registry import all_rules
        all_rules()
        """,
        SDKS,
    )
    assert result.returncode == 0, result.stderr
    assert loaded_sdks(result.stdout) == []


@pytest.mark.parametrize(
    ("module", "own"),
    [
        ("mlops_components.aws", "pulumi_aws"),
        ("mlops_components.azure", "pulumi_azure_native"),
        ("mlops_components.gcp", "pulumi_gcp"),
    ],
)
def test_a_clouds_blocks_import_only_their_sdk(module: str, own: str) -> None:
    others = tuple(s for s in SDKS if s != own)
    result = run(
        f"""
        import importlib, pkgutil, {module} as package
        for info in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{module}.{{info.name}}")
        """,
        others,
    )
    assert result.returncode == 0, result.stderr
    assert loaded_sdks(result.stdout) == [own]


def test_aws_stacks_plan_without_the_azure_and_gcp_sdks() -> None:
    result = run(
        """
        from pathlib import Path
        from mlops_preview.runner import plan_stack
        for stack in ("aws-dev", "aws-staging", "aws-prod"):
            recording = plan_stack(Path("."), stack)
            assert recording.resources, stack
        """,
        ("pulumi_azure_native", "pulumi_gcp"),
    )
    assert result.returncode == 0, result.stderr
    assert loaded_sdks(result.stdout) == ["pulumi_aws"]


def test_each_cloud_has_an_extra_and_the_core_needs_none() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = " ".join(project["dependencies"])
    assert not any(sdk in core for sdk in ("pulumi-aws", "pulumi-azure-native", "pulumi-gcp"))
    extras = project["optional-dependencies"]
    assert extras["aws"][0].startswith("pulumi-aws")
    assert extras["azure"][0].startswith("pulumi-azure-native")
    assert extras["gcp"][0].startswith("pulumi-gcp")
    assert extras["all"] == ["mlops-iac[aws,azure,gcp]"]
    # The project's own stacks use all three clouds.
    assert "[all,dev]" in (ROOT / "stacks" / "requirements.txt").read_text()
