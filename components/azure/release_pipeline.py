"""The Azure DevOps release pipeline of the Azure ML architecture, built from data and
serialised with ``yaml.safe_dump`` (no SDK import).

Stages, each an ``AzureCLI@2`` step signed in through the stack's workload identity
federation service connection (no secret):

1. ``register``: make sure every model version the stack file names exists in the
   shared registry; a missing one is registered from ``sourceModelPath`` (an
   ``azureml://`` path of the model a training pipeline produced).
2. ``deploy``: a deployment job in the Azure DevOps environment ``<environment>``
   (add an approval check there for staging and prod) that deploys each slot's model
   to its slot, smoke-tests every slot, and then sets the traffic split of the stack
   file on the endpoint.

The pipeline applies the *reviewed* state: the models and the traffic come from the
stack settings this file was generated from (regenerate it with ``mlops-iac`` when the
settings change; a test keeps the committed file current), so a release and the next
``pulumi up`` agree. A canary is a stack-file change like any other.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

HOSTED_IMAGE = "ubuntu-24.04"
"""Microsoft-hosted agent image when no self-hosted pool is given."""


@dataclass(frozen=True)
class ReleaseTarget:
    """What the pipeline deploys: one stack's endpoint."""

    environment: str
    """The stack's environment (dev, staging, prod): the Azure DevOps environment."""
    service_connection: str
    resource_group: str
    workspace: str
    endpoint: str
    registry: str
    slots: Mapping[str, str]
    """Slot name -> model asset id (``azureml://registries/<r>/models/<n>/versions/<v>``)."""
    traffic: Mapping[str, int]
    branch: str = "main"
    agent_pool: str | None = None
    """A self-hosted pool in a network that reaches the private workspace; ``None``:
    Microsoft-hosted (only for workspaces with public network access)."""
    yaml_path: str = ".azure-pipelines/azure-ml-release.yml"
    smoke_request: str = "tests/smoke-request.json"
    """Repository path of the smoke-test request sent to every slot."""
    triggers: tuple[str, ...] = field(default=())
    """Paths whose change on ``branch`` runs the pipeline (the stack file)."""


def model_parts(asset: str) -> tuple[str, str, str]:
    """``(registry, name, version)`` of ``azureml://registries/<r>/models/<n>/versions/<v>``."""
    parts = asset.removeprefix("azureml://").split("/")
    if len(parts) != 6 or parts[0] != "registries" or parts[2] != "models":
        raise ValueError(f"{asset!r} is not a registry model version id")
    return parts[1], parts[3], parts[5]


def _q(value: str) -> str:
    return shlex.quote(value)


def register_script(target: ReleaseTarget) -> str:
    """Bash: register each slot's model version in the registry if it is missing."""
    lines = ["set -euo pipefail"]
    for asset in sorted(set(target.slots.values())):
        registry, name, version = model_parts(asset)
        show = (
            f"az ml model show --registry-name {_q(registry)} --name {_q(name)} "
            f"--version {_q(version)} --output none"
        )
        create = (
            f"az ml model create --registry-name {_q(registry)} --name {_q(name)} "
            f'--version {_q(version)} --type mlflow_model --path "$SOURCE_MODEL_PATH"'
        )
        lines += [
            f"if ! {show} 2>/dev/null; then",
            '  if [ -z "${SOURCE_MODEL_PATH:-}" ]; then',
            f"    echo {_q(f'{asset} is not registered: run with sourceModelPath')} >&2",
            "    exit 1",
            "  fi",
            f"  {create}",
            "fi",
        ]
    return "\n".join(lines) + "\n"


def deploy_script(target: ReleaseTarget) -> str:
    """Bash: deploy each slot's model, smoke-test every slot, then set the traffic."""
    common = f"--resource-group {_q(target.resource_group)} --workspace-name {_q(target.workspace)}"
    lines = ["set -euo pipefail"]
    for slot, asset in target.slots.items():
        lines.append(
            f"az ml online-deployment update {common} --endpoint-name {_q(target.endpoint)} "
            f"--name {_q(slot)} --set model={_q(asset)}"
        )
    for slot in target.slots:
        lines.append(
            f"az ml online-endpoint invoke {common} --name {_q(target.endpoint)} "
            f'--deployment-name {_q(slot)} --request-file "$SMOKE_REQUEST" --output none'
        )
    if target.traffic:
        split = " ".join(f"{slot}={share}" for slot, share in sorted(target.traffic.items()))
        lines.append(
            f"az ml online-endpoint update {common} --name {_q(target.endpoint)} "
            f"--traffic {_q(split)}"
        )
    return "\n".join(lines) + "\n"


def _install_step() -> dict[str, str]:
    """A new dict each time: a shared one would be written as a YAML anchor and alias,
    which Azure Pipelines does not accept."""
    return {"script": "az extension add --name ml --upgrade --yes", "displayName": "az ml"}


def _cli_step(name: str, target: ReleaseTarget, script: str, env: dict[str, str]) -> dict:
    return {
        "task": "AzureCLI@2",
        "displayName": name,
        "inputs": {
            "azureSubscription": target.service_connection,
            "scriptType": "bash",
            "scriptLocation": "inlineScript",
            "inlineScript": script,
        },
        "env": env,
    }


def pipeline(target: ReleaseTarget) -> dict[str, Any]:
    """The pipeline document."""
    pool: dict[str, str] = (
        {"name": target.agent_pool} if target.agent_pool else {"vmImage": HOSTED_IMAGE}
    )
    return {
        "name": f"azure-ml-release-{target.environment}-$(Date:yyyyMMdd)$(Rev:.r)",
        "trigger": {
            "branches": {"include": [target.branch]},
            "paths": {"include": list(target.triggers) or [target.yaml_path]},
        },
        "pr": "none",
        "parameters": [
            {
                "name": "sourceModelPath",
                "displayName": "azureml:// path of a model to register (optional)",
                "type": "string",
                "default": "",
            }
        ],
        "pool": pool,
        "stages": [
            {
                "stage": "register",
                "displayName": "Register the models in the registry",
                "jobs": [
                    {
                        "job": "register",
                        "steps": [
                            _install_step(),
                            _cli_step(
                                "Register missing model versions",
                                target,
                                register_script(target),
                                {"SOURCE_MODEL_PATH": "${{ parameters.sourceModelPath }}"},
                            ),
                        ],
                    }
                ],
            },
            {
                "stage": "deploy",
                "displayName": f"Deploy to {target.environment} and switch traffic",
                "dependsOn": "register",
                "jobs": [
                    {
                        "deployment": "deploy",
                        "environment": f"azure-ml-{target.environment}",
                        "strategy": {
                            "runOnce": {
                                "deploy": {
                                    "steps": [
                                        {"checkout": "self"},
                                        _install_step(),
                                        _cli_step(
                                            "Deploy slots, smoke test, set traffic",
                                            target,
                                            deploy_script(target),
                                            {
                                                "SMOKE_REQUEST": (
                                                    "$(Build.SourcesDirectory)/"
                                                    f"{target.smoke_request}"
                                                )
                                            },
                                        ),
                                    ]
                                }
                            }
                        },
                    }
                ],
            },
        ],
    }


def render(target: ReleaseTarget) -> str:
    """The pipeline as YAML text (what goes into the repository at ``yaml_path``)."""
    header = (
        "# Generated by mlops-iac from the stack settings (components/azure/"
        "release_pipeline.py); do not edit by hand.\n"
    )
    return header + yaml.safe_dump(pipeline(target), sort_keys=False, width=100)
