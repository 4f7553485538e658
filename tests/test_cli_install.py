"""The deploy path as the Pulumi CLI runs it: a fresh venv filled the CLI's way, then the
CLI's type check of the program. Slow (a minute or more, from pip's cache): set
MLOPS_SKIP_CLI_INSTALL=1 to skip it locally; it runs by default and in CI.

What the CLI does for ``runtime: {name: python, options: {toolchain: pip, virtualenv:
.venv, typechecker: pyright}}`` and ``main: stacks/`` (pulumi/pulumi, 2026-08):

- The program directory is ``<root>/stacks`` (``pkg/engine/project.go`` ``getPwdMain``);
  the venv is ``<root>/.venv`` (``sdk/python/toolchain/pip.go``
  ``resolveVirtualEnvironmentPath``, relative to the project root).
- ``InstallDependencies`` (``sdk/python/toolchain/pip.go``; called with the program
  directory by ``EnsureVenv`` and ``pulumi install``): ``python3 -m venv <venv>``, then
  ``<venv>/bin/python -m pip install --upgrade pip setuptools wheel`` and, if the program
  directory has a ``requirements.txt``, ``<venv>/bin/python -m pip install -r
  requirements.txt``, both with the program directory as working directory and the venv
  activated (``toolchain.go`` ``ActivateVirtualEnv``: venv ``bin`` first on ``PATH``,
  ``VIRTUAL_ENV`` set, ``PYTHONHOME`` removed).
- Before running the program (``sdk/python/cmd/pulumi-language-python/main.go``,
  ``Run``): ``checkForPackage`` looks for ``pyright`` in ``pip list --format json``, then
  ``<venv>/bin/python -m pyright <program directory>`` runs in the program directory; a
  non-zero exit stops the deployment with pyright's output.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    os.environ.get("MLOPS_SKIP_CLI_INSTALL") == "1",
    reason="MLOPS_SKIP_CLI_INSTALL=1: the fresh-venv install is skipped",
)


def checkout(destination: Path) -> Path:
    """The files a clean clone would have: tracked files plus new ones not ignored
    (no .venv, no build/ link tree, no caches)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def activated(venv: Path) -> dict[str, str]:
    """``ActivateVirtualEnv``: the environment the CLI gives pip and pyright."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    return env


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def test_the_cli_install_and_type_check_pass(tmp_path: Path) -> None:
    root = checkout(tmp_path / "mlops-iac")
    venv = root / ".venv"
    program = root / "stacks"
    assert (program / "requirements.txt").is_file(), "the CLI reads the program folder's file"

    # CommandPath: $PULUMI_PYTHON_CMD, else python3, else python on PATH.
    command = os.environ.get("PULUMI_PYTHON_CMD")
    python = (shutil.which(command) if command else None) or shutil.which("python3")
    python = python or sys.executable
    run([python, "-m", "venv", str(venv)], cwd=root, env=dict(os.environ))
    env = activated(venv)
    venv_python = str(venv / "bin" / "python")
    run(
        [venv_python, "-m", "pip", "install", "--upgrade", "pip", "setuptools", "wheel"],
        program,
        env,
    )
    run([venv_python, "-m", "pip", "install", "-r", "requirements.txt"], program, env)

    # checkForPackage: the type checker must be installed in the venv.
    listed = run([venv_python, "-m", "pip", "list", "--format", "json"], program, env)
    assert "pyright" in {p["name"] for p in json.loads(listed.stdout)}

    checked = subprocess.run(
        [venv_python, "-m", "pyright", str(program)],
        cwd=program,
        env=env,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 errors" in checked.stdout

    # And the program's imports resolve at run time from the program folder.
    run([venv_python, "-c", "import mlops_components.platform, mlops_policies"], program, env)
