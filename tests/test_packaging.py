"""What `pip install` ships: every module importable under its public name, and the data
files the components and policies read at run time."""

from __future__ import annotations

import importlib
import importlib.resources
import pkgutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {
    "mlops_components": ROOT / "components",
    "mlops_policies": ROOT / "policies",
    "mlops_preview": ROOT / "preview",
}


def modules(package: str, folder: Path) -> list[str]:
    names = []
    for path in sorted(folder.rglob("*.py")):
        relative = path.relative_to(folder).with_suffix("")
        parts = [p for p in relative.parts if p != "__init__"]
        if "-" in "".join(relative.parts):  # policy pack folders are data, not modules
            continue
        names.append(".".join([package, *parts]))
    return names


@pytest.mark.parametrize("package", sorted(SOURCES))
def test_every_source_module_imports_under_its_public_name(package: str) -> None:
    names = modules(package, SOURCES[package])
    assert len(names) > 5
    for name in names:
        importlib.import_module(name)
    found = {
        m.name
        for m in pkgutil.walk_packages(importlib.import_module(package).__path__, f"{package}.")
    }
    assert found <= set(names)


def test_policy_data_files_ship_with_the_package() -> None:
    files = importlib.resources.files("mlops_policies")
    for relative in (
        "config/dev.json",
        "config/staging.json",
        "config/prod.json",
        "data/aws-taggable-types.json",
        "data/azure-taggable-types.json",
        "data/gcp-labelable-types.json",
        "data/references.json",
        "mlops-security/PulumiPolicy.yaml",
        "mlops-cost/PulumiPolicy.yaml",
    ):
        assert files.joinpath(relative).is_file(), relative
    packaged = (ROOT / "pyproject.toml").read_text()
    assert '"data/*.json"' in packaged and '"config/*.json"' in packaged


def test_component_data_files_ship_with_the_package() -> None:
    files = importlib.resources.files("mlops_components")
    for relative in (
        "aws/data/sagemaker-instance-storage.json",
        "aws/data/instance-accelerators.json",
        "aws/data/accelerator-instances.json",
        "azure/data/accelerator-vm-sizes.json",
        "gcp/data/accelerator-machine-types.json",
    ):
        assert files.joinpath(relative).is_file(), relative
    packaged = (ROOT / "pyproject.toml").read_text()
    for pattern in ("aws/data/*.json", "azure/data/*.json", "gcp/data/*.json"):
        assert f'"{pattern}"' in packaged, pattern
