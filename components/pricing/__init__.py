"""Cost before deployment: the price catalogue shipped as data and the estimate of a
stack from its resources' types and inputs (``docs/cost.md``). No cloud SDK is imported:
the offline preview, the policy packs and the tests price the same recorded inputs."""

# Importing the cloud modules registers their pricers.
from . import aws, azure, gcp
from .catalogue import HOURS_PER_MONTH, Catalogue, Price, load_catalogue
from .estimate import BUDGET_AMOUNTS, FREE, PRICERS, Resource, estimate

__all__ = [
    "BUDGET_AMOUNTS",
    "FREE",
    "HOURS_PER_MONTH",
    "PRICERS",
    "Catalogue",
    "Price",
    "Resource",
    "aws",
    "azure",
    "estimate",
    "gcp",
    "load_catalogue",
]
