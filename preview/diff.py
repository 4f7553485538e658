"""``mlops-iac diff BASE.json HEAD.json``: what a change does to a stack.

Two plan JSON documents (``docs/plan-json.md``) of one stack, before and after a
change, give a ``PlanDiff``: resources added, removed, replaced and changed (matched by
URN, so a renamed resource is one removed and one added), every changed input as
before -> after (secrets stay ``"[secret]"``: the plan never holds them), which changes
replace a resource and which of those replacements lose state, a protected resource or
a fixed name (``preview/replacements.py``), the reviewer's decisions among the changes
(``preview/decisions.py``), the policy violations that are new and those that are
resolved, and the monthly cost delta per resource and in total (from the plans' ``cost``
sections; ``{}`` when no estimator ran). ``to_json_dict`` is the machine form
(``docs/plan-diff.md``); ``diff_markdown`` renders it for a pull request.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .decisions import PROTECT, category_of, resource_decisions
from .paths import flatten
from .planjson import architecture_of
from .replacements import PROVIDER_PLACEMENT, hazards, known, replacing

DIFF_SCHEMA_VERSION = 1
MANDATORY = "mandatory"
RETAIN = "retain_on_delete"
"""The pseudo input path of a resource's ``retain_on_delete`` option."""

Action = Literal["add", "remove", "replace", "update"]
ACTIONS: tuple[Action, ...] = ("add", "remove", "replace", "update")


@dataclass(frozen=True)
class InputChange:
    """One changed leaf of a resource's inputs (``None``: absent on that side)."""

    path: str
    before: Any
    after: Any
    replaces: bool
    decision: str | None
    """The decision category (``preview/decisions.py``), or ``None``."""

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "before": self.before,
            "after": self.after,
            "replaces": self.replaces,
            "decision": self.decision,
        }


@dataclass(frozen=True)
class ResourceChange:
    """What happens to one resource."""

    urn: str
    type: str
    name: str
    architecture: str | None
    """The name of the top-level component the resource belongs to (``None``: at the root)."""
    action: Action
    changes: tuple[InputChange, ...] = ()
    reasons: tuple[str, ...] = ()
    """Why it is replaced: the replacing input paths, or the provider that moves it."""
    hazards: tuple[str, ...] = ()
    """Why its replacement (or removal) is dangerous; empty for adds and updates."""
    replacement_known: bool = True
    """Whether ``preview/replacements.py`` knows the type; ``False``: assumed in place."""

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "architecture": self.architecture,
            "action": self.action,
            "reasons": list(self.reasons),
            "hazards": list(self.hazards),
            "replacement_known": self.replacement_known,
            "changes": [c.to_json() for c in self.changes],
        }


Money = float | None
"""A monthly amount; ``None``: unpriced (or no estimate on that side)."""


def _sub(after: Money, before: Money) -> Money:
    """The delta, unknown (``None``) when either side is."""
    return None if after is None or before is None else after - before


@dataclass(frozen=True)
class CostLine:
    """Monthly cost of one resource (or an architecture, or the total) before and after.

    A side where the resource does not exist is ``0.0``; an unpriced side is ``None``.
    """

    urn: str | None
    name: str
    baseline_before: Money
    baseline_after: Money
    maximum_before: Money
    maximum_after: Money
    unpriced: int = 0
    """Changed resources in this line unpriced on either side: its delta is unknown."""

    @property
    def baseline_delta(self) -> Money:
        return None if self.unpriced else _sub(self.baseline_after, self.baseline_before)

    @property
    def maximum_delta(self) -> Money:
        return None if self.unpriced else _sub(self.maximum_after, self.maximum_before)

    @property
    def changed(self) -> bool:
        return bool(self.unpriced) or (self.baseline_before, self.maximum_before) != (
            self.baseline_after,
            self.maximum_after,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "name": self.name,
            "baseline_monthly": {
                "before": self.baseline_before,
                "after": self.baseline_after,
                "delta": self.baseline_delta,
            },
            "maximum_monthly": {
                "before": self.maximum_before,
                "after": self.maximum_after,
                "delta": self.maximum_delta,
            },
            "unpriced_changes": self.unpriced,
        }


@dataclass(frozen=True)
class CostDelta:
    """The cost sections compared: changed resources, architectures and the total."""

    currency: str
    resources: tuple[CostLine, ...]
    architectures: tuple[CostLine, ...]
    total: CostLine
    unpriced_before: int
    unpriced_after: int

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "resources": [line.to_json() for line in self.resources],
            "architectures": [line.to_json() for line in self.architectures],
            "total": self.total.to_json(),
            "unpriced": {"before": self.unpriced_before, "after": self.unpriced_after},
        }


@dataclass(frozen=True)
class PlanDiff:
    """Everything ``mlops-iac diff`` reports."""

    project: str
    stack: str
    base_stack: str
    resources: tuple[ResourceChange, ...]
    new_violations: tuple[Mapping[str, Any], ...] = ()
    resolved_violations: tuple[Mapping[str, Any], ...] = ()
    cost: CostDelta | None = None
    """``None`` when neither plan has a cost estimate."""
    names: Mapping[str, str] = field(default_factory=dict)
    """URN -> logical name of every resource of either plan (for rendering)."""

    def of(self, action: Action) -> list[ResourceChange]:
        return [r for r in self.resources if r.action == action]

    @property
    def hazardous(self) -> list[ResourceChange]:
        """Replacements and removals that lose state, a protected resource or a name."""
        return [r for r in self.resources if r.hazards]

    @property
    def new_mandatory(self) -> list[Mapping[str, Any]]:
        return [v for v in self.new_violations if v.get("enforcement") == MANDATORY]

    @property
    def unchanged(self) -> bool:
        """No resource, violation or cost changes."""
        cost_changed = self.cost is not None and (
            self.cost.total.changed or bool(self.cost.resources)
        )
        return not (
            self.resources or self.new_violations or self.resolved_violations or cost_changed
        )

    def counts(self) -> dict[str, int]:
        found = Counter(r.action for r in self.resources)
        return {action: found.get(action, 0) for action in ACTIONS}


# -- comparing -----------------------------------------------------------------------


def _options(resource: Mapping[str, Any]) -> dict[str, Any]:
    """The resource's inputs flattened, with its protect / retain_on_delete options."""
    flat = flatten(resource.get("inputs", {}))
    flat[PROTECT] = bool(resource.get("protect"))
    flat[RETAIN] = bool(resource.get("retain_on_delete"))
    return flat


def input_changes(
    type_token: str, before: dict[str, Any], after: dict[str, Any]
) -> list[InputChange]:
    """Changed leaves between two flattened inputs, in path order."""
    changes = []
    for path in sorted(before.keys() | after.keys()):
        old, new = before.get(path), after.get(path)
        if old == new or (old in ({}, []) and new is None) or (new in ({}, []) and old is None):
            continue
        option = path in (PROTECT, RETAIN)
        changes.append(
            InputChange(
                path,
                old,
                new,
                replaces=not option and replacing(type_token, path),
                decision=category_of(type_token, path),
            )
        )
    return changes


def _providers(plan: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    every = [*plan["resources"], *plan.get("default_providers", [])]
    return {r["urn"]: r for r in every if r["type"].startswith("pulumi:providers:")}


def _provider_urn(reference: str | None) -> str | None:
    return None if reference is None else reference.rsplit("::", 1)[0]


def _moved_by_provider(
    resource: Mapping[str, Any],
    base: Mapping[str, Any],
    base_providers: Mapping[str, Mapping[str, Any]],
    head_providers: Mapping[str, Mapping[str, Any]],
) -> list[str]:
    """Why the resource's provider moves it (region, project, subscription)."""
    old = base_providers.get(_provider_urn(base.get("provider")) or "")
    new = head_providers.get(_provider_urn(resource.get("provider")) or "")
    if old is None or new is None or old["type"] != new["type"]:
        return []
    reasons = []
    for key in PROVIDER_PLACEMENT.get(new["type"], ()):
        before, after = old["inputs"].get(key), new["inputs"].get(key)
        if before != after:
            reasons.append(f"provider `{key}`: {before} → {after}")
    return reasons


def _compare(
    urn: str,
    base: Mapping[str, Any],
    head: Mapping[str, Any],
    architecture: str | None,
    providers: tuple[Mapping[str, Mapping[str, Any]], Mapping[str, Mapping[str, Any]]],
) -> ResourceChange | None:
    changes = input_changes(head["type"], _options(base), _options(head))
    moved = _moved_by_provider(head, base, *providers) if head.get("custom") else []
    if not changes and not moved:
        return None
    reasons = [c.path for c in changes if c.replaces] + moved
    replaced = bool(reasons)
    return ResourceChange(
        urn=urn,
        type=head["type"],
        name=head["name"],
        architecture=architecture,
        action="replace" if replaced else "update",
        changes=tuple(changes),
        reasons=tuple(reasons),
        hazards=tuple(hazards(base, head)) if replaced else (),
        replacement_known=known(head["type"]) or not head.get("custom"),
    )


def _violation_delta(
    base: Iterable[Mapping[str, Any]], head: Iterable[Mapping[str, Any]]
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """(new, resolved). Violations are matched by policy and resource: the same policy
    on the same resource with another message (``the stack creates 76 resources``
    instead of 73) is the same finding, neither new nor resolved."""
    groups: dict[tuple[str, str], tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]] = {}
    for side, violations in enumerate((base, head)):
        for violation in violations:
            key = (str(violation.get("policy", "")), str(violation.get("urn") or ""))
            groups.setdefault(key, ([], []))[side].append(violation)
    new: list[Mapping[str, Any]] = []
    resolved: list[Mapping[str, Any]] = []
    for before, after in groups.values():
        left = list(before)
        unmatched = []
        for violation in after:
            same = next((v for v in left if v.get("message") == violation.get("message")), None)
            if same is not None:
                left.remove(same)
            else:
                unmatched.append(violation)
        # Findings whose message changed pair up; what remains is new or resolved.
        paired = min(len(left), len(unmatched))
        new += unmatched[paired:]
        resolved += left[paired:]
    return new, resolved


def _number(value: Any) -> Money:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _side(line: Mapping[str, Any] | None, key: str) -> Money:
    """A line's amount: ``0.0`` where it does not exist, ``None`` where unpriced."""
    return 0.0 if line is None else _number(line.get(key))


def _unpriced(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    return any(
        line is not None and _number(line.get(key)) is None
        for line in (old, new)
        for key in ("baseline_monthly", "maximum_monthly")
    )


def _lines(
    base: Iterable[Mapping[str, Any]],
    head: Iterable[Mapping[str, Any]],
    unpriced: Mapping[str, int],
) -> list[CostLine]:
    """Cost lines matched by URN, in head order then base-only ones; unchanged left out.
    ``unpriced``: per URN, how many of its changed resources are unpriced."""
    before = {r["urn"]: r for r in base}
    after = {r["urn"]: r for r in head}
    lines = []
    for urn in [*after, *(u for u in before if u not in after)]:
        old, new = before.get(urn), after.get(urn)
        line = CostLine(
            urn=urn,
            name=str((new or {}).get("name") or (old or {}).get("name") or urn),
            baseline_before=_side(old, "baseline_monthly"),
            baseline_after=_side(new, "baseline_monthly"),
            maximum_before=_side(old, "maximum_monthly"),
            maximum_after=_side(new, "maximum_monthly"),
            unpriced=unpriced.get(urn, 0),
        )
        if line.changed:
            lines.append(line)
    return lines


def _unpriced_changes(
    base: Iterable[Mapping[str, Any]], head: Iterable[Mapping[str, Any]], changed: set[str]
) -> Counter[str]:
    """Per resource URN (1) and per architecture URN (their count), the changed resources
    whose cost is unknown on either side; the key ``""`` counts them all."""
    before = {r["urn"]: r for r in base}
    after = {r["urn"]: r for r in head}
    found: Counter[str] = Counter()
    for urn in changed:
        old, new = before.get(urn), after.get(urn)
        if (old is not None or new is not None) and _unpriced(old, new):
            found[urn] += 1
            found[""] += 1
            for line in {id(x): x for x in (old, new) if x is not None}.values():
                if line.get("architecture"):
                    found[str(line["architecture"])] += 1
    return found


def cost_delta(
    base: Mapping[str, Any], head: Mapping[str, Any], changed: Iterable[str] = ()
) -> CostDelta | None:
    """The two cost sections compared; ``None`` when both are ``{}``. ``changed``: URNs of
    the resources the diff adds, removes, replaces or updates; those unpriced on either
    side are listed with an unknown delta, and make the total's delta unknown."""
    if not base and not head:
        return None
    old_total, new_total = base.get("total", {}), head.get("total", {})
    old_resources, new_resources = base.get("resources", []), head.get("resources", [])
    unknown = _unpriced_changes(old_resources, new_resources, set(changed))
    return CostDelta(
        currency=str(head.get("currency") or base.get("currency") or "USD"),
        resources=tuple(_lines(old_resources, new_resources, unknown)),
        architectures=tuple(
            _lines(base.get("architectures", []), head.get("architectures", []), unknown)
        ),
        total=CostLine(
            urn=None,
            name="total",
            baseline_before=_number(old_total.get("baseline_monthly")),
            baseline_after=_number(new_total.get("baseline_monthly")),
            maximum_before=_number(old_total.get("maximum_monthly")),
            maximum_after=_number(new_total.get("maximum_monthly")),
            unpriced=unknown[""],
        ),
        unpriced_before=int(old_total.get("unpriced") or 0),
        unpriced_after=int(new_total.get("unpriced") or 0),
    )


def _decided(resource: Mapping[str, Any], *, after: bool) -> tuple[InputChange, ...]:
    """The decisions of an added (``after``) or removed resource, as changes from or to
    absent: a reviewer sees what a new endpoint runs on, not just that it is new."""
    return tuple(
        InputChange(
            d.path,
            None if after else d.value,
            d.value if after else None,
            replaces=False,
            decision=d.category,
        )
        for d in resource_decisions(resource)
    )


def _architecture_names(plan: Mapping[str, Any]) -> dict[str, str | None]:
    tops = architecture_of(plan["resources"])
    return {urn: None if top is None else str(top["name"]) for urn, top in tops.items()}


def diff_plans(base: Mapping[str, Any], head: Mapping[str, Any]) -> PlanDiff:
    """Compare two plan JSON documents of one stack (base: before, head: after)."""
    base_resources = {r["urn"]: r for r in base["resources"]}
    head_resources = {r["urn"]: r for r in head["resources"]}
    base_arch, head_arch = _architecture_names(base), _architecture_names(head)
    providers = (_providers(base), _providers(head))
    changes: list[ResourceChange] = []
    for urn, resource in head_resources.items():
        old = base_resources.get(urn)
        if old is None:
            changes.append(
                ResourceChange(
                    urn,
                    resource["type"],
                    resource["name"],
                    head_arch[urn],
                    "add",
                    changes=_decided(resource, after=True),
                )
            )
        elif (change := _compare(urn, old, resource, head_arch[urn], providers)) is not None:
            changes.append(change)
    for urn, resource in base_resources.items():
        if urn not in head_resources:
            lost = hazards(resource)
            changes.append(
                ResourceChange(
                    urn,
                    resource["type"],
                    resource["name"],
                    base_arch[urn],
                    "remove",
                    changes=_decided(resource, after=False),
                    hazards=tuple(lost),
                )
            )
    new, resolved = _violation_delta(
        base.get("policies", {}).get("violations", []),
        head.get("policies", {}).get("violations", []),
    )
    names = {urn: r["name"] for urn, r in {**base_resources, **head_resources}.items()}
    return PlanDiff(
        project=str(head.get("project", "")),
        stack=str(head.get("stack", "")),
        base_stack=str(base.get("stack", "")),
        resources=tuple(changes),
        new_violations=tuple(new),
        resolved_violations=tuple(resolved),
        cost=cost_delta(base.get("cost") or {}, head.get("cost") or {}, (c.urn for c in changes)),
        names=names,
    )


def to_json_dict(diff: PlanDiff) -> dict[str, Any]:
    """The diff as a JSON-ready dict (``docs/plan-diff.md``)."""
    return {
        "schema_version": DIFF_SCHEMA_VERSION,
        "project": diff.project,
        "stack": diff.stack,
        "base_stack": diff.base_stack,
        "unchanged": diff.unchanged,
        "summary": {
            **diff.counts(),
            "hazards": len(diff.hazardous),
            "new_violations": len(diff.new_violations),
            "new_mandatory_violations": len(diff.new_mandatory),
            "resolved_violations": len(diff.resolved_violations),
        },
        "resources": [r.to_json() for r in diff.resources],
        "violations": {
            "new": [dict(v) for v in diff.new_violations],
            "resolved": [dict(v) for v in diff.resolved_violations],
        },
        "cost": None if diff.cost is None else diff.cost.to_json(),
    }


def to_json(diff: PlanDiff) -> str:
    return json.dumps(to_json_dict(diff), indent=2, ensure_ascii=False) + "\n"
