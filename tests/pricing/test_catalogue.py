"""The price catalogue: every entry sourced and dated, units known, regions declared,
lookups of what is not there return nothing (never a guess)."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest
from mlops_components.pricing import HOURS_PER_MONTH, load_catalogue
from mlops_components.pricing.catalogue import CLOUDS, TIME_UNITS, catalogue_from

DATA = Path(__file__).resolve().parents[2] / "components" / "pricing" / "data"
OFFICIAL = {
    "aws": (
        "https://aws.amazon.com/",
        "https://pricing.us-east-1.amazonaws.com/offers/",
        "https://github.com/aws-samples/",
    ),
    "azure": (
        "https://azure.microsoft.com/",
        "https://learn.microsoft.com/",
        "https://prices.azure.com/api/retail/prices",
    ),
    "gcp": ("https://cloud.google.com/", "https://cloudbilling.googleapis.com/"),
}
"""Where a price may come from: the clouds' pricing pages, their machine-readable price
lists (what ``scripts/refresh_prices.py`` writes), and the vendor's own sample repositories
pinned at a commit."""
PRICE_LISTS = {
    "aws": "https://pricing.us-east-1.amazonaws.com/offers/",
    "azure": "https://prices.azure.com/api/retail/prices",
    "gcp": "https://cloudbilling.googleapis.com/",
}
"""The machine-readable price lists a mirrored number was copied from."""
COMMIT = re.compile(r"^[0-9a-f]{40}$")
STACK_REGIONS = {"aws": "eu-west-1", "azure": "westeurope", "gcp": "europe-west4"}


def document(cloud: str) -> dict:
    return json.loads((DATA / f"{cloud}.json").read_text())


@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_entry_has_an_official_source_a_date_and_a_price(cloud: str) -> None:
    doc = document(cloud)
    assert doc["currency"] == "USD"
    datetime.date.fromisoformat(doc["updated"])
    assert STACK_REGIONS[cloud] in doc["regions"]
    for entry in doc["prices"]:
        assert entry["source"].startswith(OFFICIAL[cloud]), entry
        datetime.date.fromisoformat(entry["date"])
        assert entry["date"] <= doc["updated"]
        assert isinstance(entry["price"], int | float) and entry["price"] >= 0, entry
        assert entry["region"] in doc["regions"], entry
        assert entry["unit"], entry
        if entry["source"].startswith("https://github.com/"):
            assert COMMIT.match(entry["source"].split("/blob/")[1].split("/")[0]), entry
    for discount in doc["discounts"]:
        assert discount["kind"] in ("spot", "commitment")
        assert discount["source"].startswith(OFFICIAL[cloud])


@pytest.mark.parametrize("cloud", CLOUDS)
def test_a_price_read_through_a_copy_names_the_copy_and_the_vendor_file(cloud: str) -> None:
    """A number read from a repository that vendors the price list cites the repository,
    path, commit and copy date, and its ``source`` is the vendor's own price-list file."""
    for entry in document(cloud)["prices"]:
        mirrors = entry.get("mirrors", [])
        for mirror in mirrors:
            assert set(mirror) == {"repository", "path", "commit", "copied", "what"}, entry
            assert COMMIT.match(mirror["commit"]), entry
            assert mirror["copied"] <= entry["date"], entry
        if mirrors:
            assert entry["source"].startswith(PRICE_LISTS[cloud]), entry


def test_prices_added_from_copies_of_the_price_lists() -> None:
    """Pinned values: SageMaker ml.m5.xlarge in eu-west-1 is the same rate for hosting,
    processing and training; HTTP API requests are USD 1.11 per million in eu-west-1."""
    catalogue = load_catalogue()
    for service in ("sagemaker-hosting", "sagemaker-processing", "sagemaker-training"):
        price = catalogue.find("aws", service, "ml.m5.xlarge", "eu-west-1")
        assert price is not None and (price.unit, price.price) == ("hour", 0.257)
        assert not price.accelerator
    http = catalogue.find("aws", "apigateway", "http-requests", "eu-west-1")
    assert http is not None and (http.unit, http.price) == ("1M requests", 1.11)
    assert catalogue.find("aws", "sagemaker-hosting", "ml.m5.xlarge", "us-east-1") is None


def test_hours_per_month_is_the_calculators_730() -> None:
    assert HOURS_PER_MONTH == 730
    assert TIME_UNITS["day"] == pytest.approx(730 / 24)


def test_time_units_become_monthly_and_usage_units_do_not() -> None:
    catalogue = load_catalogue()
    eks = catalogue.find("aws", "eks", "cluster-standard-support", "eu-west-1")
    assert eks is not None and eks.monthly == pytest.approx(73.0)
    acr = catalogue.find("azure", "containerregistry", "Premium", "westeurope")
    assert acr is not None and acr.monthly == pytest.approx(1.667 * 730 / 24)
    s3 = catalogue.find("aws", "s3", "STANDARD", "eu-west-1")
    assert s3 is not None and s3.monthly is None


def test_a_region_or_sku_without_an_entry_is_missing() -> None:
    catalogue = load_catalogue()
    assert catalogue.find("aws", "eks", "cluster-standard-support", "us-east-1") is None
    assert catalogue.find("gcp", "gce", "no-such-machine", "europe-west4") is None


def test_duplicate_entries_are_refused() -> None:
    entry = {
        "service": "eks",
        "sku": "x",
        "region": "r",
        "unit": "hour",
        "price": 1,
        "source": "s",
        "date": "2026-01-01",
    }
    with pytest.raises(ValueError, match="duplicate price entry aws/eks/x/r"):
        catalogue_from(
            {"aws": {"updated": "2026-01-01", "regions": ["r"], "prices": [entry, entry]}}
        )


def test_accelerator_entries_are_marked() -> None:
    catalogue = load_catalogue()
    gpu = catalogue.find("aws", "ec2", "g4dn.xlarge", "eu-west-1")
    cpu = catalogue.find("aws", "ec2", "m5.large", "eu-west-1")
    assert gpu is not None and gpu.accelerator
    assert cpu is not None and not cpu.accelerator


def test_the_kms_key_note_states_what_rotation_costs() -> None:
    """aws.amazon.com/kms/pricing: each of the first two rotations adds $1/month, later
    rotations add nothing (the note once said the first two were free)."""
    entries = json.loads((DATA / "aws.json").read_text())["prices"]
    note = next(e["note"] for e in entries if e["sku"] == "customer-managed-key")
    assert "no charge for automatic rotation's first two" not in note
    assert "first two rotations adds $1/month" in note
    assert "later rotations add nothing" in note
