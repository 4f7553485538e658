"""Shared fixtures of the plan tests: the fixture project, planned once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlops_preview.runner import Recording, plan_stack

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "programs" / "minimal"


@pytest.fixture(scope="session")
def fixture_dir() -> Path:
    return FIXTURE


@pytest.fixture(scope="session")
def dev_plan() -> Recording:
    """``plan_stack`` of the fixture's ``dev`` stack (tests must not mutate it)."""
    return plan_stack(FIXTURE, "dev")
