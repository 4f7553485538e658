"""Offline preview ("plan") of Pulumi programs: run a program in-process under
realistic mocks, record every resource as the engine would receive it, and report.

``run_program`` / ``plan_stack`` give a ``Recording``; ``build_plan`` adds policy and
cost results; ``to_json`` / ``to_markdown`` render them (contract: docs/plan-json.md).
Failing programs, the time limit and lookups files: docs/offline-preview.md.
"""

from .lookups import Lookups, LookupsError
from .mocks import PlanMocks, UnmockedInvokeError
from .project import PlanError
from .recorder import RecordedResource, Recorder
from .report import PlanResult, PolicyReport, Violation, build_plan, to_json, to_markdown
from .runner import ProgramExit, ProgramTimeout, Recording, plan_stack, run_program

__all__ = [
    "Lookups",
    "LookupsError",
    "PlanError",
    "PlanMocks",
    "PlanResult",
    "PolicyReport",
    "ProgramExit",
    "ProgramTimeout",
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
