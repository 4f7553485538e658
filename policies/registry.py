"""The registry of every rule, grouped by cloud and service, and the two policy packs
assembled from it.

Rules live in one package per cloud (``mlops_policies.aws``, ``.azure``, ``.gcp``), one
module per service; importing a cloud's package registers its rules. :data:`CLOUDS`
lists the packages the registry loads: adding a cloud is one package and one entry.
A rule's name starts with its cloud (``aws-``, ``azure-``, ``gcp-``) and its module names
its service (``mlops_policies.aws.sagemaker`` -> ``sagemaker``).

Security and cost rules ship as two packs, ``mlops-security`` and ``mlops-cost``, each
holding every cloud's rules of its category, so a team can adopt either alone (Pulumi
policy config has no per-category switch; a pack per category is the unit the CLI,
``pulumi/actions`` and Pulumi Cloud policy groups can turn on and off). A rule only
looks at its own cloud's resource types, so one pack serves AWS, Azure, Google Cloud and
multi-cloud stacks alike. Both packs read the same per-environment config file: the CLI
ignores config entries that name policies a pack does not have
(``ReconcilePolicyPackConfig`` in pulumi/pulumi validates only the pack's own
policies)."""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from pulumi_policy import Policy

from .framework import Category, Rule, registered_rules

CLOUDS: tuple[str, ...] = ("aws", "azure", "gcp")
"""The cloud packages of ``mlops_policies``, in listing order."""

CLOUD_NAMES = {"aws": "AWS", "azure": "Azure", "gcp": "Google Cloud"}

PACKS: dict[str, Category] = {"mlops-security": Category.SECURITY, "mlops-cost": Category.COST}
PACK_DESCRIPTIONS = {
    "mlops-security": (
        "Security guardrails for the mlops-iac reference architectures (AWS, Azure, Google Cloud)."
    ),
    "mlops-cost": (
        "Cost guardrails for the mlops-iac reference architectures: instance types, GPUs, "
        "scale-to-zero, lifecycle, tags and labels, budgets (AWS, Azure, Google Cloud)."
    ),
}


@cache
def _load_clouds() -> None:
    for cloud in CLOUDS:
        importlib.import_module(f"{__package__}.{cloud}")


def all_rules() -> list[Rule]:
    """Every rule of every cloud, sorted by name (importing the cloud packages registers
    them)."""
    _load_clouds()
    return sorted(registered_rules(), key=lambda rule: rule.name)


def service_of(rule: Rule) -> str:
    """The service a rule belongs to: its module within the cloud package
    (``lambda_`` -> ``lambda``)."""
    return rule.module.rsplit(".", 1)[-1].rstrip("_")


def rules_by_cloud() -> dict[str, dict[str, list[Rule]]]:
    """cloud -> service -> rules (sorted by name), every cloud of :data:`CLOUDS` present
    even while it has no rules."""
    grouped: dict[str, dict[str, list[Rule]]] = {cloud: {} for cloud in CLOUDS}
    for rule in all_rules():
        grouped[rule.cloud].setdefault(service_of(rule), []).append(rule)
    return {cloud: dict(sorted(services.items())) for cloud, services in grouped.items()}


def rule_named(name: str) -> Rule:
    for rule in all_rules():
        if rule.name == name:
            return rule
    raise KeyError(name)


def pack_of(rule: Rule) -> str:
    for pack, category in PACKS.items():
        if rule.category is category:
            return pack
    raise ValueError(f"no pack for category {rule.category}")


def pack_rules(pack: str) -> list[Rule]:
    if pack not in PACKS:
        raise KeyError(f"unknown pack {pack!r}; known: {', '.join(PACKS)}")
    return [rule for rule in all_rules() if rule.category is PACKS[pack]]


def pack_policies(pack: str) -> list[Policy]:
    """The policy objects of one pack (the same objects the evaluator runs)."""
    return [rule.policy for rule in pack_rules(pack)]


def pack_arguments(pack: str) -> dict[str, Any]:
    """Keyword arguments for ``pulumi_policy.PolicyPack`` (which blocks: only a pack's
    ``__main__.py`` may call it)."""
    return {
        "name": pack,
        "policies": pack_policies(pack),
        "description": PACK_DESCRIPTIONS[pack],
        "display_name": pack.replace("-", " ").title().replace("Mlops", "MLOps"),
        # PolicyPack's provider is one platform; these packs cover every cloud of CLOUDS.
        "provider": None,
        "tags": ["mlops", PACKS[pack].value, *CLOUDS],
    }
