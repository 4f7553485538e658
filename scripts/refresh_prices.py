"""Refresh the price catalogue (``components/pricing/data/<cloud>.json``) from the clouds'
public price lists. Run by hand, never in CI (it needs the network), then review the
diff: ``python scripts/refresh_prices.py aws azure [--gcp-key KEY] [--write]``.

What it reads:

- AWS: the Price List Bulk API offer file of each service and region,
  ``https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<offer>/current/<region>/index.json``
  (On-Demand terms, Linux, shared tenancy);
- Azure: the Retail Prices API, ``https://prices.azure.com/api/retail/prices`` with an
  OData filter per SKU (``priceType eq 'Consumption'``, no Spot or Low Priority meters);
- Google Cloud: the Cloud Billing Catalog API
  (``https://cloudbilling.googleapis.com/v1/services/<id>/skus``), which needs an API
  key; SKUs are matched by description and region.

It refreshes the price of every entry already in the catalogue and adds the ``WANTED``
SKUs below. An entry whose SKU the price list does not have is reported and left as it
is: a price is never guessed, and an entry that cannot be refreshed keeps its old date.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "components" / "pricing" / "data"
AWS_OFFER = (
    "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/{offer}/current/{region}/index.json"
)
AZURE_API = "https://prices.azure.com/api/retail/prices"
GCP_API = "https://cloudbilling.googleapis.com/v1/services/{service}/skus"

WANTED: dict[str, list[tuple[str, str]]] = {
    "aws": [
        (f"sagemaker-{kind}", f"ml.{size}")
        for kind in ("hosting", "training", "processing", "notebook")
        for size in ("t3.medium", "m5.large", "m5.xlarge", "m5.2xlarge", "g4dn.xlarge", "g5.xlarge")
    ],
    "azure": [
        ("vm", size)
        for size in (
            "Standard_D4s_v5",
            "Standard_DS3_v2",
            "Standard_NC4as_T4_v3",
            "Standard_NC24ads_A100_v4",
        )
    ],
    "gcp": [("gpu", "nvidia-l4"), ("gpu", "nvidia-tesla-t4")],
}
"""SKUs the project's architectures use that the catalogue should hold."""

AWS_SAGEMAKER_COMPONENTS = {
    "sagemaker-hosting": "Hosting",
    "sagemaker-training": "Training",
    "sagemaker-processing": "Processing",
    "sagemaker-notebook": "Notebook",
}
"""Catalogue service -> the ``component`` attribute of AmazonSageMaker products."""


# -- AWS ------------------------------------------------------------------------------


def aws_on_demand(offer: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], str, float]]:
    """(product attributes, unit, USD price) of every On-Demand price dimension."""
    products = offer.get("products", {})
    for sku, terms in offer.get("terms", {}).get("OnDemand", {}).items():
        attributes = products.get(sku, {}).get("attributes", {})
        for term in terms.values():
            for dimension in term.get("priceDimensions", {}).values():
                usd = dimension.get("pricePerUnit", {}).get("USD")
                if usd is not None:
                    yield attributes, dimension.get("unit", ""), float(usd)


def aws_price(offer: Mapping[str, Any], service: str, sku: str) -> float | None:
    """The On-Demand hourly price of ``sku`` in an EC2 or SageMaker offer file."""
    for attributes, unit, usd in aws_on_demand(offer):
        if unit != "Hrs" or usd <= 0:
            continue
        if service == "ec2":
            if (
                attributes.get("instanceType") == sku
                and attributes.get("operatingSystem") == "Linux"
                and attributes.get("tenancy") == "Shared"
                and attributes.get("preInstalledSw") == "NA"
                and attributes.get("capacitystatus") == "Used"
            ):
                return usd
        elif service in AWS_SAGEMAKER_COMPONENTS and (
            attributes.get("instanceName") == sku
            and attributes.get("component") == AWS_SAGEMAKER_COMPONENTS[service]
        ):
            return usd
    return None


def aws_offer_code(service: str) -> str | None:
    if service == "ec2":
        return "AmazonEC2"
    if service in AWS_SAGEMAKER_COMPONENTS:
        return "AmazonSageMaker"
    return None


# -- Azure ----------------------------------------------------------------------------


def azure_filter(service: str, sku: str, region: str) -> str:
    if service == "vm":
        return (
            f"serviceName eq 'Virtual Machines' and armRegionName eq '{region}' "
            f"and armSkuName eq '{sku}' and priceType eq 'Consumption'"
        )
    raise KeyError(service)


def azure_price(items: Iterable[Mapping[str, Any]]) -> float | None:
    """The Linux pay-as-you-go hourly price among Retail Prices API items."""
    for item in items:
        name = f"{item.get('skuName', '')} {item.get('meterName', '')}"
        if "Spot" in name or "Low Priority" in name or "Windows" in str(item.get("productName")):
            continue
        if item.get("type") == "Consumption" and item.get("unitOfMeasure") == "1 Hour":
            return float(item["retailPrice"])
    return None


# -- Google Cloud ---------------------------------------------------------------------

GCP_SERVICES = {"Compute Engine": "6F81-5844-456A"}
"""Billing service display name -> service id (``GET /v1/services`` lists them)."""
GCP_DESCRIPTIONS = {
    ("gpu", "nvidia-tesla-t4"): ("Compute Engine", "Nvidia Tesla T4 GPU running in"),
    ("gpu", "nvidia-l4"): ("Compute Engine", "Nvidia L4 GPU running in"),
}
"""(service, sku) -> (billing service display name, SKU description prefix)."""


def gcp_price(skus: Iterable[Mapping[str, Any]], prefix: str, region: str) -> float | None:
    """The on-demand unit price of the SKU whose description starts with ``prefix`` in
    ``region`` (units + nanos of the first tier)."""
    for sku in skus:
        description = str(sku.get("description", ""))
        if not description.startswith(prefix) or region not in sku.get("serviceRegions", []):
            continue
        if sku.get("category", {}).get("usageType") != "OnDemand":
            continue
        rate = sku["pricingInfo"][0]["pricingExpression"]["tieredRates"][-1]["unitPrice"]
        return int(rate.get("units") or 0) + int(rate.get("nanos") or 0) / 1e9
    return None


def gcp_skus(url: str, key: str) -> Iterator[Mapping[str, Any]]:
    """Every SKU of a billing service, page by page, in USD."""
    token = ""
    while True:
        query = {"key": key, "currencyCode": "USD", "pageSize": "5000"}
        if token:
            query["pageToken"] = token
        page = _get(f"{url}?{urllib.parse.urlencode(query)}")
        yield from page.get("skus", [])
        token = page.get("nextPageToken", "")
        if not token:
            return


# -- driver ---------------------------------------------------------------------------


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=120) as response:
        return json.load(response)


def refresh(cloud: str, document: dict[str, Any], gcp_key: str | None) -> list[str]:
    """Update ``document`` in place; returns what could not be refreshed."""
    today = datetime.date.today().isoformat()
    entries = {(e["service"], e["sku"], e["region"]): e for e in document["prices"]}
    for service, sku in WANTED.get(cloud, []):
        for region in document["regions"]:
            entries.setdefault(
                (service, sku, region),
                {"service": service, "sku": sku, "region": region, "unit": "hour"},
            )
    problems: list[str] = []
    offers: dict[tuple[str, str], Any] = {}
    for (service, sku, region), entry in sorted(entries.items()):
        price: float | None = None
        source = entry.get("source", "")
        if cloud == "aws" and (offer := aws_offer_code(service)) is not None:
            source = AWS_OFFER.format(offer=offer, region=region)
            if (offer, region) not in offers:
                offers[offer, region] = _get(source)
            price = aws_price(offers[offer, region], service, sku)
        elif cloud == "azure" and service == "vm":
            query = urllib.parse.urlencode({"$filter": azure_filter(service, sku, region)})
            source = f"{AZURE_API}?{query}"
            price = azure_price(_get(source).get("Items", []))
        elif cloud == "gcp" and (service, sku) in GCP_DESCRIPTIONS:
            if not gcp_key:
                problems.append(f"gcp/{service}/{sku}/{region}: no --gcp-key given")
                continue
            display, prefix = GCP_DESCRIPTIONS[service, sku]
            source = GCP_API.format(service=GCP_SERVICES[display])
            if (display, "") not in offers:
                offers[display, ""] = list(gcp_skus(source, gcp_key))
            price = gcp_price(offers[display, ""], prefix, region)
        else:
            continue  # kept as it is: no machine-readable source wired for this service
        if price is None:
            problems.append(f"{cloud}/{service}/{sku}/{region}: not in the price list")
            continue
        entry.update(price=price, source=source, date=today)
    document["prices"] = [e for e in entries.values() if "price" in e]
    document["updated"] = today
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("clouds", nargs="+", choices=("aws", "azure", "gcp"))
    parser.add_argument("--gcp-key", help="Cloud Billing Catalog API key")
    parser.add_argument("--write", action="store_true", help="write the files (default: dry run)")
    args = parser.parse_args(argv)
    for cloud in args.clouds:
        path = DATA / f"{cloud}.json"
        document = json.loads(path.read_text())
        for problem in refresh(cloud, document, args.gcp_key):
            print(f"missing: {problem}", file=sys.stderr)
        if args.write:
            path.write_text(json.dumps(document, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
