"""The price catalogue: list prices shipped as data (``pricing/data/<cloud>.json``), never
fetched at plan time.

Each entry names its cloud, service, SKU, region, unit, price (USD), source and the date
it was read. A (service, SKU, region) without an entry is *missing*: the estimate reports
the resource that needs it as unpriced instead of guessing a number.
``scripts/refresh_prices.py`` rewrites the files from the clouds' public price lists.

Units and the month: ``second`` and ``hour`` prices become monthly at ``HOURS_PER_MONTH`` hours, ``day``
prices at ``HOURS_PER_MONTH / 24`` days, ``month`` prices as they are; every other unit
(``GB``, ``GB-month``, ``1M requests``, ...) is a usage price, shown with its unit and
never turned into a monthly figure."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..data import packaged_json

HOURS_PER_MONTH = 730.0
"""Hours in a billing month: 365 days x 24 hours / 12, the convention of the AWS Pricing
Calculator, the Azure pricing calculator and Google Cloud's pricing pages."""
CLOUDS = ("aws", "azure", "gcp")
TIME_UNITS = {
    "second": HOURS_PER_MONTH * 3600,
    "hour": HOURS_PER_MONTH,
    "day": HOURS_PER_MONTH / 24,
    "month": 1.0,
}
"""Time-based units and how many of them make a month."""


@dataclass(frozen=True)
class Price:
    """One catalogue entry."""

    cloud: str
    service: str
    sku: str
    region: str
    unit: str
    price: float
    source: str
    date: str
    note: str = ""
    accelerator: bool = False
    """The SKU is (or includes) a GPU, TPU or other accelerator."""

    @property
    def key(self) -> str:
        return price_key(self.cloud, self.service, self.sku, self.region)

    @property
    def monthly(self) -> float | None:
        """The price of one unit for a whole month, for time-based units; else ``None``."""
        factor = TIME_UNITS.get(self.unit)
        return None if factor is None else self.price * factor

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "unit": self.unit,
            "price": self.price,
            "source": self.source,
            "date": self.date,
        }


def price_key(cloud: str, service: str, sku: str, region: str) -> str:
    """``aws/eks/cluster-standard-support/eu-west-1``: how entries are named in reports."""
    return f"{cloud}/{service}/{sku}/{region}"


@dataclass(frozen=True)
class Catalogue:
    """Every cloud's entries, indexed by key."""

    prices: Mapping[str, Price]
    updated: Mapping[str, str]
    """cloud -> date of its file's last refresh."""
    regions: Mapping[str, tuple[str, ...]]
    """cloud -> regions its file prices."""
    discounts: Mapping[str, tuple[Mapping[str, str], ...]]
    """cloud -> documented spot and commitment discount ranges."""

    def find(self, cloud: str, service: str, sku: str, region: str) -> Price | None:
        return self.prices.get(price_key(cloud, service, sku, region))

    def summary(self) -> dict[str, Any]:
        """The report's ``cost.catalogue`` object."""
        return {
            "updated": min(self.updated.values()) if self.updated else None,
            "clouds": {
                cloud: {
                    "updated": self.updated[cloud],
                    "regions": list(self.regions[cloud]),
                    "discounts": [dict(d) for d in self.discounts[cloud]],
                }
                for cloud in sorted(self.updated)
            },
        }


def catalogue_from(documents: Mapping[str, Mapping[str, Any]]) -> Catalogue:
    """A catalogue from parsed ``<cloud>.json`` documents (cloud -> document)."""
    prices: dict[str, Price] = {}
    for cloud, document in documents.items():
        for entry in document["prices"]:
            price = Price(
                cloud=cloud,
                service=entry["service"],
                sku=entry["sku"],
                region=entry["region"],
                unit=entry["unit"],
                price=float(entry["price"]),
                source=entry["source"],
                date=entry["date"],
                note=entry.get("note", ""),
                accelerator=bool(entry.get("accelerator", False)),
            )
            if price.key in prices:
                raise ValueError(f"duplicate price entry {price.key}")
            prices[price.key] = price
    return Catalogue(
        prices=prices,
        updated={cloud: doc["updated"] for cloud, doc in documents.items()},
        regions={cloud: tuple(doc["regions"]) for cloud, doc in documents.items()},
        discounts={cloud: tuple(doc.get("discounts", ())) for cloud, doc in documents.items()},
    )


@functools.cache
def load_catalogue() -> Catalogue:
    """The packaged catalogue, read once per process."""
    return catalogue_from({cloud: packaged_json(__package__, f"{cloud}.json") for cloud in CLOUDS})
