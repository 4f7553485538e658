"""Reading plan JSON documents (``docs/plan-json.md``) written by ``mlops-iac plan``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SUPPORTED_SCHEMA = 1


class PlanFileError(ValueError):
    """A file is not a plan JSON document this version can read."""


def load_plan(path: Path) -> dict[str, Any]:
    """A plan JSON document, checked for the fields the readers use."""
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise PlanFileError(f"{path}: not JSON ({exc})") from None
    return check_plan(plan, str(path))


def check_plan(plan: Any, where: str) -> dict[str, Any]:
    """``plan`` when it is a plan JSON document of a supported ``schema_version``."""
    if not isinstance(plan, dict) or not isinstance(plan.get("resources"), list):
        raise PlanFileError(f"{where}: not a plan JSON document (mlops-iac plan --format json)")
    version = plan.get("schema_version")
    if version != SUPPORTED_SCHEMA:
        raise PlanFileError(
            f"{where}: plan schema_version {version!r}; this version reads {SUPPORTED_SCHEMA}"
        )
    return plan


def architecture_of(resources: list[Mapping[str, Any]]) -> dict[str, Mapping[str, Any] | None]:
    """URN -> the top-level component above the resource, itself when it is one
    (``None`` for resources directly under the stack: providers, stray resources)."""
    by_urn = {r["urn"]: r for r in resources}
    found: dict[str, Mapping[str, Any] | None] = {}
    for resource in resources:
        current = resource
        seen = {current["urn"]}
        while current.get("parent") in by_urn and current["parent"] not in seen:
            current = by_urn[current["parent"]]
            seen.add(current["urn"])
        found[resource["urn"]] = None if current.get("custom") else current
    return found
