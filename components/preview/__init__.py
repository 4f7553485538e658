"""Offline preview ("plan") of Pulumi programs: run a program in-process under
realistic mocks, record every resource as the engine would receive it, and report.

``run_program`` / ``plan_stack`` give a ``Recording``; ``build_plan`` adds policy and
cost results; ``to_json`` / ``to_markdown`` render them (contract: docs/plan-json.md).
"""

from .mocks import PlanMocks, UnmockedInvokeError
from .project import PlanError
from .recorder import RecordedResource, Recorder
from .report import PlanResult, PolicyReport, Violation, build_plan, to_json, to_markdown
from .runner import Recording, plan_stack, run_program

__all__ = [
    "PlanError",
    "PlanMocks",
    "PlanResult",
    "PolicyReport",
    "RecordedResource",
    "Recorder",
    "Recording",
    "UnmockedInvokeError",
    "Violation",
    "build_plan",
    "plan_stack",
    "run_program",
    "to_json",
    "to_markdown",
]
