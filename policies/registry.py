"""The registry of every rule and the two policy packs assembled from it.

Security and cost rules ship as two packs, ``mlops-security`` and ``mlops-cost``, so a
team can adopt either alone (Pulumi policy config has no per-category switch; a pack per
category is the unit the CLI, ``pulumi/actions`` and Pulumi Cloud policy groups can turn
on and off). Both packs read the same per-environment config file: the CLI ignores config
entries that name policies a pack does not have (``ReconcilePolicyPackConfig`` in
pulumi/pulumi validates only the pack's own policies)."""

from __future__ import annotations

from typing import Any

from pulumi_policy import Policy

from .framework import Category, Rule, registered_rules

PACKS: dict[str, Category] = {"mlops-security": Category.SECURITY, "mlops-cost": Category.COST}
PACK_DESCRIPTIONS = {
    "mlops-security": "Security guardrails for the mlops-iac reference architectures (AWS).",
    "mlops-cost": "Cost guardrails for the mlops-iac reference architectures: instance types, GPUs, scale-to-zero, lifecycle, tags, budgets (AWS).",
}


def all_rules() -> list[Rule]:
    """Every rule, sorted by name (importing the cloud packages registers them)."""
    from . import aws  # noqa: F401  (registers the AWS rules)

    return sorted(registered_rules(), key=lambda rule: rule.name)


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
        "provider": "aws",
        "tags": ["mlops", PACKS[pack].value],
    }
