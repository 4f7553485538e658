"""The refresh script's readers of the clouds' price lists, on small documents in the
vendors' published formats (the script itself needs the network and runs by hand)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "refresh_prices.py"


@pytest.fixture(scope="module")
def script() -> Any:
    spec = importlib.util.spec_from_file_location("refresh_prices", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["refresh_prices"] = module
    spec.loader.exec_module(module)
    return module


def offer(
    products: dict[str, dict[str, str]], prices: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    """An offer file: ``products`` by SKU, On-Demand ``prices`` by SKU as (unit, USD)."""
    return {
        "products": {sku: {"sku": sku, "attributes": attrs} for sku, attrs in products.items()},
        "terms": {
            "OnDemand": {
                sku: {
                    f"{sku}.JRTCKXETXF": {
                        "priceDimensions": {
                            f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                                "unit": unit,
                                "pricePerUnit": {"USD": usd},
                            }
                        }
                    }
                }
                for sku, (unit, usd) in prices.items()
            }
        },
    }


EC2 = {
    "instanceType": "m5.large",
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
}


def test_aws_reads_linux_shared_on_demand_hours(script: Any) -> None:
    document = offer(
        {
            "A": EC2,
            "B": {**EC2, "operatingSystem": "Windows"},
            "C": {"instanceName": "ml.m5.large", "component": "Hosting"},
        },
        {"A": ("Hrs", "0.1070000000"), "B": ("Hrs", "0.2"), "C": ("Hrs", "0.128")},
    )
    assert script.aws_price(document, "ec2", "m5.large") == 0.107
    assert script.aws_price(document, "sagemaker-hosting", "ml.m5.large") == 0.128
    assert script.aws_price(document, "sagemaker-training", "ml.m5.large") is None
    assert script.aws_price(document, "ec2", "m5.xlarge") is None


def test_azure_skips_spot_low_priority_and_windows(script: Any) -> None:
    items = [
        {
            "skuName": "D4s v5 Spot",
            "meterName": "D4s v5 Spot",
            "productName": "Virtual Machines Dsv5 Series",
            "type": "Consumption",
            "unitOfMeasure": "1 Hour",
            "retailPrice": 0.05,
        },
        {
            "skuName": "D4s v5",
            "meterName": "D4s v5",
            "productName": "Virtual Machines Dsv5 Series Windows",
            "type": "Consumption",
            "unitOfMeasure": "1 Hour",
            "retailPrice": 0.4,
        },
        {
            "skuName": "D4s v5",
            "meterName": "D4s v5",
            "productName": "Virtual Machines Dsv5 Series",
            "type": "Consumption",
            "unitOfMeasure": "1 Hour",
            "retailPrice": 0.23,
        },
    ]
    assert script.azure_price(items) == 0.23
    assert "armSkuName eq 'Standard_D4s_v5'" in script.azure_filter(
        "vm", "Standard_D4s_v5", "westeurope"
    )


def test_gcp_matches_description_region_and_on_demand(script: Any) -> None:
    def sku(description: str, regions: list[str], usage: str, nanos: int) -> dict[str, Any]:
        return {
            "description": description,
            "serviceRegions": regions,
            "category": {"usageType": usage},
            "pricingInfo": [
                {
                    "pricingExpression": {
                        "usageUnit": "h",
                        "tieredRates": [{"unitPrice": {"units": "0", "nanos": nanos}}],
                    }
                }
            ],
        }

    skus = [
        sku(
            "Nvidia Tesla T4 GPU running in Netherlands", ["europe-west4"], "Preemptible", 100000000
        ),
        sku("Nvidia Tesla T4 GPU running in Americas", ["us-central1"], "OnDemand", 350000000),
        sku("Nvidia Tesla T4 GPU running in Netherlands", ["europe-west4"], "OnDemand", 350000000),
    ]
    assert script.gcp_price(skus, "Nvidia Tesla T4 GPU running in", "europe-west4") == 0.35


def test_refresh_updates_prices_and_reports_what_it_cannot_find(
    script: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = {
        "updated": "2026-01-01",
        "regions": ["eu-west-1"],
        "prices": [
            {
                "service": "ec2",
                "sku": "m5.large",
                "region": "eu-west-1",
                "unit": "hour",
                "price": 0.1,
                "source": "old",
                "date": "2026-01-01",
            }
        ],
    }
    monkeypatch.setattr(script, "WANTED", {"aws": [("ec2", "m5.xlarge")]})
    monkeypatch.setattr(script, "_get", lambda url: offer({"A": EC2}, {"A": ("Hrs", "0.107")}))
    problems = script.refresh("aws", document, None)
    assert problems == ["aws/ec2/m5.xlarge/eu-west-1: not in the price list"]
    [entry] = document["prices"]
    assert entry["price"] == 0.107
    assert entry["source"].endswith("/AmazonEC2/current/eu-west-1/index.json")
