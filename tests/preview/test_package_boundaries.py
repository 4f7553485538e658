"""The offline preview is a tool beside the component library, not inside it: the
components import neither the preview nor the policy library (STYLE "Tools beside the
library"), so a program that only builds resources loads neither."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules_after(statement: str) -> list[str]:
    script = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_the_component_library_loads_neither_the_preview_nor_the_policies() -> None:
    loaded = _modules_after(
        "import mlops_components, mlops_components.platform, mlops_components.settings"
    )
    assert "mlops_components.platform" in loaded
    tools = [m for m in loaded if m.split(".")[0] in ("mlops_policies", "mlops_preview")]
    assert tools == []


def test_the_preview_is_its_own_package() -> None:
    loaded = _modules_after("import mlops_preview")
    assert "mlops_preview.runner" in loaded
    assert not (ROOT / "components" / "preview").exists()
    # The guardrails are imported only when a plan evaluates them.
    assert not [m for m in loaded if m.startswith("mlops_policies")]


def test_no_component_module_names_the_tools_in_an_import() -> None:
    offenders = []
    for path in sorted((ROOT / "components").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            words = line.split()
            if words[:1] in (["import"], ["from"]) and any(
                tool in line for tool in ("mlops_policies", "mlops_preview", ".preview")
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
