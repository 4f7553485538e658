"""The project's guardrail policy packs as a plan ``Evaluator``.

``mlops_policies.evaluation`` runs the same policy objects the packs serve to
``pulumi preview --policy-pack``; this adapter feeds it a recording and turns its
result into the report's ``PolicyReport``. It is a separate module, imported only by
the CLI, so the runner and the report work without the policy packs installed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from .project import PlanError
from .report import Evaluator, PolicyReport, Violation, no_policies
from .runner import Recording


def evaluate_guardrails(
    recording: Recording, policy_config: Path | None, environment: str | None
) -> PolicyReport:
    """Run both guardrail packs over ``recording``. The policy config is
    ``policy_config`` when given, else the packaged config of ``environment``, else the
    policies' own defaults. A missing or invalid config raises ``PlanError``."""
    from mlops_policies import evaluation

    try:
        if policy_config is not None:
            config = evaluation.load_policy_config(policy_config)
        elif environment is not None:
            config = evaluation.load_policy_config(evaluation.config_path_for(environment))
        else:
            config = None
        result = evaluation.evaluate(
            [
                resource.to_json()
                for resource in [*recording.resources, *recording.default_providers]
            ],
            config,
            project=recording.project,
            stack=recording.stack,
        )
    except (OSError, ValueError) as exc:  # PolicyConfigError and JSON errors are ValueErrors
        raise PlanError(str(exc)) from exc
    return PolicyReport(
        evaluated=result.evaluated,
        violations=[
            Violation(
                policy=v.policy,
                pack=v.pack,
                enforcement=v.enforcement,
                severity=v.severity,
                urn=v.urn,
                message=v.message,
                remediation=v.remediation or None,
            )
            for v in result.violations
        ],
    )


def default_evaluator() -> Evaluator:
    """The guardrails when ``mlops_policies`` is installed, else no evaluation."""
    if importlib.util.find_spec("mlops_policies") is None:
        return no_policies
    return evaluate_guardrails
