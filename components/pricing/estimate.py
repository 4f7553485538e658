"""The cost estimate of a stack from its resources' Pulumi types and inputs.

Input: the resources a plan recorded (or a policy pack's ``args.resources``), each with
its type token, name, URN, parent and camelCase inputs. Each type has one *pricer* in
the registry (``PRICERS``, filled by ``aws.py``, ``azure.py``, ``gcp.py``) or is listed as
free (``FREE``); any other type is reported ``unpriced``, never silently zero.

Two monthly figures per resource, in USD at ``HOURS_PER_MONTH`` hours:

- **baseline**: what the resource costs at its minimum scale, with no traffic:
  autoscaling minimums, node pools at their minimum, serverless at zero requests;
- **maximum**: every autoscaler at its maximum, on demand (no spot, no commitments).

Charges that depend on traffic or data (GB processed, requests, ingestion, storage) are
listed as ``usage`` with their unit price ("plus usage"), never folded into the figures.
A resource whose price is missing from the catalogue is ``unpriced`` with the missing
keys in its note; totals then count it in ``unpriced`` and leave it out of the sums.

The output is the plan JSON's ``cost`` object (``docs/plan-json.md``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .catalogue import HOURS_PER_MONTH, Catalogue, Price, load_catalogue, price_key

STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"
CLOUD_OF_PACKAGE = {"aws": "aws", "azure-native": "azure", "gcp": "gcp"}
"""The Pulumi package of each cloud the catalogue prices."""
_ZONE = re.compile(r"^([a-z]+-[a-z]+\d+)-[a-z]$")


@dataclass(frozen=True)
class Resource:
    """What a pricer sees of one resource."""

    urn: str
    type: str
    name: str
    parent: str | None = None
    inputs: Mapping[str, Any] = field(default_factory=dict)
    custom: bool = True

    @property
    def package(self) -> str:
        if self.type.startswith(PROVIDER_PREFIX):
            return self.type.removeprefix(PROVIDER_PREFIX)
        return self.type.split(":", 1)[0]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Resource:
        """From a recorded resource's JSON (``RecordedResource.to_json``)."""
        return cls(
            urn=data["urn"],
            type=data["type"],
            name=data["name"],
            parent=data.get("parent"),
            inputs=data.get("inputs") or {},
            custom=bool(data.get("custom", True)),
        )


@dataclass(frozen=True)
class Usage:
    """A usage-priced charge: its unit price and what it is for."""

    description: str
    unit: str
    unit_price: float
    key: str

    def to_json(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "unit": self.unit,
            "unit_price": self.unit_price,
            "key": self.key,
        }


class Quote:
    """A pricer's findings for one resource; prices are looked up in the resource's
    cloud and region, and every lookup that finds nothing is recorded as missing."""

    def __init__(self, catalogue: Catalogue, cloud: str, region: str | None) -> None:
        self.catalogue = catalogue
        self.cloud = cloud
        self.region = region
        self.baseline = 0.0
        self.maximum = 0.0
        self.accelerator_baseline = 0.0
        self.accelerators_at_baseline = 0.0
        self.usage: list[Usage] = []
        self.prices: list[Price] = []
        self.missing: list[str] = []
        self.notes: list[str] = []

    def lookup(self, service: str, sku: str) -> Price | None:
        region = self.region or "?"
        found = self.catalogue.find(self.cloud, service, sku, region)
        if found is None:
            key = price_key(self.cloud, service, sku, region)
            if key not in self.missing:
                self.missing.append(key)
        elif found not in self.prices:
            self.prices.append(found)
        return found

    def scaled(self, service: str, sku: str, minimum: float, maximum: float) -> None:
        """``minimum`` units at baseline and ``maximum`` at full scale of a time-priced SKU."""
        price = self.lookup(service, sku)
        if price is None:
            return
        monthly = price.monthly
        if monthly is None:
            raise ValueError(f"{price.key} is priced per {price.unit}, not per unit of time")
        self.baseline += minimum * monthly
        self.maximum += maximum * monthly
        if price.accelerator:
            self.accelerator_baseline += minimum * monthly

    def always_on(self, service: str, sku: str, count: float = 1.0) -> None:
        """A time-priced SKU billed whether used or not: the same at baseline and maximum."""
        self.scaled(service, sku, count, count)

    def per_use(self, service: str, sku: str, description: str) -> None:
        price = self.lookup(service, sku)
        if price is not None:
            self.usage.append(Usage(description, price.unit, price.price, price.key))

    def accelerators(self, count: float) -> None:
        """Record ``count`` GPUs/TPU chips that run at minimum scale, priced or not (the
        accelerator-share rules fail closed on unpriced ones)."""
        self.accelerators_at_baseline += count

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    @property
    def status(self) -> str:
        if self.missing:
            return "unpriced"
        if self.baseline > 0 or self.maximum > 0:
            return "priced"
        return "usage-only" if self.usage else "free"


class Stack:
    """The whole set of resources a pricer may consult (an endpoint's autoscaling
    target, a service's task definition), and each package's default region."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.resources = list(resources)
        self.by_urn = {r.urn: r for r in self.resources}
        self.regions: dict[str, str] = {}
        for resource in self.resources:
            if resource.type.startswith(PROVIDER_PREFIX) and resource.package not in self.regions:
                where = resource.inputs.get("region") or resource.inputs.get("location")
                if isinstance(where, str):
                    self.regions[resource.package] = where

    def of_type(self, type_token: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_token]

    def region_of(self, resource: Resource) -> str | None:
        """The resource's own ``region``/``location`` (a GCP zone gives its region),
        else its package's provider region."""
        where = resource.inputs.get("region") or resource.inputs.get("location")
        if not isinstance(where, str) or not where:
            return self.regions.get(resource.package)
        where = where.lower()
        zone = _ZONE.match(where)
        return zone.group(1) if zone else where

    def top_level(self, resource: Resource) -> Resource | None:
        """The top-level component (a reference architecture) ``resource`` belongs to:
        its outermost ancestor component, or itself for a top-level component."""
        chain = self.ancestors(resource)
        if chain:
            return chain[-1]
        return None if resource.custom else resource

    def ancestors(self, resource: Resource) -> list[Resource]:
        chain: list[Resource] = []
        parent = self.by_urn.get(resource.parent or "")
        while parent is not None and parent.type != STACK_TYPE and parent not in chain:
            chain.append(parent)
            parent = self.by_urn.get(parent.parent or "")
        return chain


Pricer = Callable[[Resource, Stack, Quote], None]
PRICERS: dict[str, Pricer] = {}
"""Type token -> pricer; filled by the cloud modules."""
FREE: dict[str, str] = {}
"""Type token -> why it costs nothing by itself."""
BUDGET_AMOUNTS: dict[str, Callable[[Mapping[str, Any]], float | None]] = {}
"""Budget type token -> reads its monthly amount in USD from its inputs."""


def pricer(*type_tokens: str) -> Callable[[Pricer], Pricer]:
    """Register a pricer for ``type_tokens``."""

    def register(fn: Pricer) -> Pricer:
        for token in type_tokens:
            if token in PRICERS or token in FREE:
                raise ValueError(f"{token} is priced twice")
            PRICERS[token] = fn
        return fn

    return register


def flat(
    type_token: str,
    always: tuple[tuple[str, str], ...] = (),
    usage: tuple[tuple[str, str, str], ...] = (),
) -> None:
    """Register a pricer for a type whose charges do not depend on its inputs: one unit
    of each ``always`` (service, sku) around the clock, and each ``usage`` (service, sku,
    description) per use."""

    def price(resource: Resource, stack: Stack, quote: Quote) -> None:
        for service, sku in always:
            quote.always_on(service, sku)
        for service, sku, description in usage:
            quote.per_use(service, sku, description)

    pricer(type_token)(price)


def free(note: str, *type_tokens: str) -> None:
    """List ``type_tokens`` as free, with the reason."""
    for token in type_tokens:
        if token in PRICERS or token in FREE:
            raise ValueError(f"{token} is priced twice")
        FREE[token] = note


def number(value: Any, default: float = 0.0) -> float:
    """A numeric input (inputs arrive as floats, some as numeric strings)."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return default
    return default


def optional_number(value: Any) -> float | None:
    """A numeric input, or ``None`` when it is unset or not a number (an unknown)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _money(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _quote(resource: Resource, stack: Stack, catalogue: Catalogue) -> tuple[str, Quote]:
    cloud = CLOUD_OF_PACKAGE.get(resource.package)
    quote = Quote(catalogue, cloud or resource.package, stack.region_of(resource))
    if resource.type in FREE:
        quote.note(FREE[resource.type])
    elif resource.type in PRICERS:
        PRICERS[resource.type](resource, stack, quote)
        if quote.missing and quote.region is None:
            quote.note("its region is unknown (no region input and no provider region)")
        elif quote.missing and quote.region not in catalogue.regions.get(cloud or "", ()):
            quote.note(f"the catalogue has no {cloud} prices for region {quote.region}")
    elif cloud is None:
        quote.note(f"{resource.package} resources are not billed by a cloud")
    else:
        quote.missing.append(f"{resource.type} (no pricer)")
        quote.note("no pricer for this resource type")
    return cloud or resource.package, quote


def _resource_entry(resource: Resource, stack: Stack, cloud: str, quote: Quote) -> dict[str, Any]:
    priced = quote.status != "unpriced"
    top = stack.top_level(resource)
    notes = list(quote.notes)
    if quote.missing:
        notes.append("missing prices: " + ", ".join(quote.missing))
    return {
        "urn": resource.urn,
        "type": resource.type,
        "name": resource.name,
        "cloud": cloud,
        "region": quote.region,
        "architecture": top.urn if top is not None else None,
        "status": quote.status,
        "baseline_monthly": _money(quote.baseline) if priced else None,
        "maximum_monthly": _money(quote.maximum) if priced else None,
        "accelerator_baseline_monthly": _money(quote.accelerator_baseline) if priced else None,
        "accelerators_at_baseline": quote.accelerators_at_baseline,
        "usage": [u.to_json() for u in quote.usage],
        "prices": [p.to_json() for p in quote.prices],
        "missing": list(quote.missing),
        "note": "; ".join(notes),
    }


def _sum(entries: list[dict[str, Any]], field_name: str) -> float:
    return round(sum(e[field_name] or 0.0 for e in entries), 2)


def _group(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "baseline_monthly": _sum(entries, "baseline_monthly"),
        "maximum_monthly": _sum(entries, "maximum_monthly"),
        "unpriced": sum(1 for e in entries if e["status"] == "unpriced"),
    }


def estimate(
    resources: Iterable[Mapping[str, Any] | Resource], catalogue: Catalogue | None = None
) -> dict[str, Any]:
    """The ``cost`` object of a plan report for ``resources`` (recorded-resource dicts or
    ``Resource`` objects): per resource, per component, per architecture and in total."""
    catalogue = catalogue or load_catalogue()
    stack = Stack(r if isinstance(r, Resource) else Resource.from_json(r) for r in resources)
    entries: list[dict[str, Any]] = []
    for resource in stack.resources:
        if not resource.custom or resource.type.startswith(PROVIDER_PREFIX):
            continue
        cloud, quote = _quote(resource, stack, catalogue)
        entries.append(_resource_entry(resource, stack, cloud, quote))

    by_urn = {e["urn"]: e for e in entries}
    components: list[dict[str, Any]] = []
    architectures: list[dict[str, Any]] = []
    for component in stack.resources:
        if component.custom or component.type == STACK_TYPE:
            continue
        inside = [
            by_urn[r.urn]
            for r in stack.resources
            if r.urn in by_urn and component in stack.ancestors(r)
        ]
        summary = {"urn": component.urn, "type": component.type, "name": component.name}
        summary.update(_group(inside))
        components.append(summary)
        if stack.top_level(component) is component:
            architectures.append(summary)

    budgets = [
        {
            "urn": r.urn,
            "type": r.type,
            "cloud": CLOUD_OF_PACKAGE.get(r.package),
            "amount_monthly": BUDGET_AMOUNTS[r.type](r.inputs),
        }
        for r in stack.resources
        if r.type in BUDGET_AMOUNTS
    ]
    total = _group(entries)
    accelerator = _sum(entries, "accelerator_baseline_monthly")
    total["accelerator_baseline_monthly"] = accelerator
    total["accelerator_baseline_share"] = (
        round(accelerator / total["baseline_monthly"], 4) if total["baseline_monthly"] else 0.0
    )
    clouds = sorted({e["cloud"] for e in entries if e["cloud"] in CLOUD_OF_PACKAGE.values()})
    return {
        "currency": "USD",
        "hours_per_month": HOURS_PER_MONTH,
        "catalogue": catalogue.summary(),
        "resources": entries,
        "components": components,
        "architectures": architectures,
        "clouds": {c: _group([e for e in entries if e["cloud"] == c]) for c in clouds},
        "baseline_drivers": sorted(
            (
                {"urn": e["urn"], "name": e["name"], "baseline_monthly": e["baseline_monthly"]}
                for e in entries
                if (e["baseline_monthly"] or 0) > 0
            ),
            key=lambda d: (-d["baseline_monthly"], d["urn"]),
        ),
        "budgets": budgets,
        "total": total,
    }
