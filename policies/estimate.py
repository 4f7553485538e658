"""Stack-level cost rules on the plan's estimate, for every cloud.

A stack policy receives every resource of the stack (``StackValidationArgs.resources``)
with its type and inputs: the same data ``mlops-iac plan`` records. The rules hand them
to ``mlops_components.pricing.estimate`` (the estimate the plan report shows) and check
the cloud's share of it against per-environment ceilings from the policy config:

- ``<cloud>-stack-cost-ceiling``: baseline and maximum monthly cost;
- ``<cloud>-stack-accelerator-share``: share of the baseline spent on always-on GPUs/TPUs;
- ``<cloud>-stack-budget-covers-estimate``: the stack's budget amount covers the
  baseline with headroom (the budget's amount is explicit, see ``docs/cost.md``);
- ``<cloud>-stack-cost-unpriced`` (advisory in every environment): names the resources
  the estimate cannot price, which the ceilings and the share leave out, so that an
  unpriced big instance is never passed silently (and never fails a ceiling alone).

Values unknown during preview are priced as missing (the resource is then unpriced and
left out of the sums) instead of failing: a cost rule must not block on an ARN.
:func:`cost_rules` registers the three rules of one cloud under that cloud's module."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyResource, Severity, StackValidationArgs

from .framework import Category, fmt_number, raw, stack_rule

CLOUD_PACKAGES = ("aws", "azure-native", "gcp")
REFERENCE = "none (project rule: cost ceilings on the plan's estimate, docs/cost.md)"


def unchecked(value: Any) -> Any:
    """A plain copy through SDK proxies that keeps unknowns as the SDK's sentinels."""
    value = raw(value)
    if isinstance(value, Mapping):
        return {key: unchecked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [unchecked(item) for item in value]
    return value


def _as_resource(resource: PolicyResource) -> dict[str, Any]:
    parent = resource.parent
    return {
        "urn": resource.urn,
        "type": resource.resource_type,
        "name": resource.name,
        "parent": parent.urn if parent is not None else None,
        "inputs": unchecked(resource.props),
        # Custom resources have a provider (components and the stack have none); cloud
        # resources count as custom also where a test or tool recorded no provider.
        "custom": resource.provider is not None
        or resource.resource_type.split(":", 1)[0] in CLOUD_PACKAGES
        or resource.resource_type.startswith("pulumi:providers:"),
    }


def budget_amount(budget_type: str, props: Mapping[str, Any]) -> float | None:
    """A budget's monthly amount in USD, read as the estimate reads it."""
    from mlops_components.pricing import BUDGET_AMOUNTS

    return BUDGET_AMOUNTS[budget_type](props)


def stack_estimate(args: StackValidationArgs) -> dict[str, Any]:
    """The plan's ``cost`` object for the stack under validation."""
    from mlops_components.pricing import estimate

    return estimate(_as_resource(r) for r in args.resources)


def cloud_totals(cost: Mapping[str, Any], cloud: str) -> dict[str, float]:
    """Baseline, maximum, always-on accelerator cost and unpriced count of ``cloud``."""
    entries = [e for e in cost["resources"] if e["cloud"] == cloud]
    return {
        "baseline": sum(e["baseline_monthly"] or 0.0 for e in entries),
        "maximum": sum(e["maximum_monthly"] or 0.0 for e in entries),
        "accelerator": sum(e["accelerator_baseline_monthly"] or 0.0 for e in entries),
        "unpriced": float(sum(1 for e in entries if e["status"] == "unpriced")),
        "unpriced_accelerators": sum(
            e["accelerators_at_baseline"] for e in entries if e["status"] == "unpriced"
        ),
        "resources": float(len(entries)),
    }


UNPRICED_NAMED = 10
"""How many unpriced resources the advisory finding names; the plan lists them all."""


def unpriced_entries(cost: Mapping[str, Any], cloud: str) -> list[Mapping[str, Any]]:
    """The ``cloud`` resources of the estimate that have no price."""
    return [e for e in cost["resources"] if e["cloud"] == cloud and e["status"] == "unpriced"]


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def cost_rules(cloud: str, module: str, budget_type: str) -> None:
    """Register ``<cloud>-stack-cost-ceiling``, ``-accelerator-share`` and
    ``-budget-covers-estimate``; ``module`` is the registering module (the rules'
    service in the listing)."""

    def ceiling(args: StackValidationArgs, config: Mapping[str, Any]) -> Iterator[tuple[str, None]]:
        """The baseline is what the stack costs idle every month; the maximum what it may
        cost when every autoscaler is at its ceiling. Ceilings per environment keep a
        dev stack cheap and make a bigger prod bill a reviewed config change. Unpriced
        resources are not counted (the plan lists them)."""
        totals = cloud_totals(stack_estimate(args), cloud)
        unpriced = (
            f" ({fmt_number(totals['unpriced'])} unpriced resources not counted)"
            if totals["unpriced"]
            else ""
        )
        for key, label in (
            ("baseline", "maxBaselineMonthlyUsd"),
            ("maximum", "maxMaximumMonthlyUsd"),
        ):
            if totals[key] > float(config[label]):
                yield (
                    f"estimated {key} {_usd(totals[key])} a month exceeds {label} "
                    f"{_usd(float(config[label]))}{unpriced}.",
                    None,
                )

    def accelerator_share(
        args: StackValidationArgs, config: Mapping[str, Any]
    ) -> Iterator[tuple[str, None]]:
        """GPUs and TPUs that run whether used or not are the costliest idle capacity;
        outside prod they should scale to zero, so their share of the baseline is capped.
        With a limit of 0 any always-on accelerator fails, priced or not; with a higher
        limit an unpriced one cannot be weighed and is left to the advisory
        ``<cloud>-stack-cost-unpriced`` finding, as the ceilings leave unpriced resources."""
        totals = cloud_totals(stack_estimate(args), cloud)
        limit = float(config["maxAlwaysOnAcceleratorShare"])
        if totals["unpriced_accelerators"] and limit == 0:
            yield (
                f"{fmt_number(totals['unpriced_accelerators'])} accelerators run at minimum "
                "scale in unpriced resources, and this environment allows no always-on "
                "accelerator: let them scale to zero.",
                None,
            )
        if totals["baseline"] <= 0:
            return
        share = totals["accelerator"] / totals["baseline"]
        if share > limit:
            yield (
                f"always-on accelerators cost {_usd(totals['accelerator'])} a month, "
                f"{share:.0%} of the baseline; at most {limit:.0%} allowed.",
                None,
            )

    def unpriced(
        args: StackValidationArgs, _config: Mapping[str, Any]
    ) -> Iterator[tuple[str, None]]:
        """The ceilings and the accelerator share sum priced resources only: a resource
        the catalogue cannot price (an instance type it lacks) counts as nothing there.
        This advisory finding names them, so a reviewer prices them by hand; it never
        fails a stack, and the mandatory ceilings never fail on unpriced alone."""
        entries = unpriced_entries(stack_estimate(args), cloud)
        if not entries:
            return
        named = ", ".join(f"{e['name']} ({e['type']})" for e in entries[:UNPRICED_NAMED])
        more = f" and {len(entries) - UNPRICED_NAMED} more" if len(entries) > UNPRICED_NAMED else ""
        yield (
            f"{len(entries)} resources are unpriced and not counted in the cost ceilings or "
            f"the accelerator share: {named}{more}. The estimate is incomplete; check their "
            "cost by hand (the plan lists the missing prices).",
            None,
        )

    def budget_covers(
        args: StackValidationArgs, config: Mapping[str, Any]
    ) -> Iterator[tuple[str, str | None]]:
        """A budget below the stack's idle cost alerts every month and is soon ignored;
        the amount must cover the estimated baseline plus headroom for usage."""
        budgets = [r for r in args.resources if r.resource_type == budget_type]
        if not budgets:
            return
        totals = cloud_totals(stack_estimate(args), cloud)
        needed = totals["baseline"] * (1 + float(config["minimumHeadroom"]))
        for budget in budgets:
            amount = budget_amount(budget_type, unchecked(budget.props))
            if amount is None:
                yield "the budget's amount is not known; it cannot be checked.", budget.urn
            elif amount < needed:
                yield (
                    f"budget {_usd(amount)} is below the estimated baseline "
                    f"{_usd(totals['baseline'])} plus {float(config['minimumHeadroom']):.0%} "
                    f"headroom ({_usd(needed)}).",
                    budget.urn,
                )

    checks: list[tuple[Callable[..., Any], dict[str, Any]]] = [
        (
            ceiling,
            dict(
                name=f"{cloud}-stack-cost-ceiling",
                description="The stack's estimated baseline and maximum monthly cost must stay within the environment's ceilings.",
                remediation="Lower minimum and maximum scale or pick smaller machine types; raise maxBaselineMonthlyUsd / maxMaximumMonthlyUsd in policies/config/<env>.json after review.",
                config_schema={
                    "maxBaselineMonthlyUsd": {
                        "type": "number",
                        "minimum": 0,
                        "default": 1000,
                        "description": "Ceiling on the estimated baseline (minimum scale, no traffic), USD a month.",
                    },
                    "maxMaximumMonthlyUsd": {
                        "type": "number",
                        "minimum": 0,
                        "default": 10000,
                        "description": "Ceiling on the estimated maximum (every autoscaler at its maximum), USD a month.",
                    },
                },
            ),
        ),
        (
            accelerator_share,
            dict(
                name=f"{cloud}-stack-accelerator-share",
                description="Always-on accelerators (GPUs, TPUs) may take at most the configured share of the stack's baseline cost.",
                remediation="Let GPU/TPU pools and endpoints scale to zero (minimum 0, serverless) or raise maxAlwaysOnAcceleratorShare for the environment after review.",
                config_schema={
                    "maxAlwaysOnAcceleratorShare": {
                        "type": "number",
                        "minimum": 0,
                        "maximum": 1,
                        "default": 0.0,
                        "description": "Largest share (0-1) of the baseline spent on accelerators that run at minimum scale; 0 (the default) allows none.",
                    },
                },
            ),
        ),
        (
            budget_covers,
            dict(
                name=f"{cloud}-stack-budget-covers-estimate",
                description="The stack's budget amount must cover its estimated baseline plus headroom.",
                remediation="Raise mlops-iac:budget.amount_usd to at least the plan's baseline times (1 + minimumHeadroom).",
                config_schema={
                    "minimumHeadroom": {
                        "type": "number",
                        "minimum": 0,
                        "default": 0.2,
                        "description": "Fraction above the estimated baseline the budget must leave for usage charges.",
                    },
                },
            ),
        ),
        (
            unpriced,
            dict(
                name=f"{cloud}-stack-cost-unpriced",
                description="Resources the cost estimate cannot price are named: the ceilings and the accelerator share leave them out.",
                remediation="Check the named resources' cost by hand; add their prices to components/pricing/data/<cloud>.json (scripts/refresh_prices.py) so that the ceilings count them.",
            ),
        ),
    ]
    priced = priced_types(cloud)
    for check, meta in checks:
        check.__module__ = module
        types = [*priced, budget_type] if check is budget_covers else priced
        stack_rule(
            category=Category.COST,
            severity=Severity.MEDIUM,
            enforcement=EnforcementLevel.ADVISORY,
            references=[REFERENCE],
            resource_types=sorted(set(types)),
            **meta,
        )(check)


def priced_types(cloud: str) -> list[str]:
    """The resource types the estimate prices on ``cloud`` (what the rules read)."""
    from mlops_components.pricing import PRICERS
    from mlops_components.pricing.estimate import CLOUD_OF_PACKAGE

    return sorted(t for t in PRICERS if CLOUD_OF_PACKAGE.get(t.split(":", 1)[0]) == cloud)
