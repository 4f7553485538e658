"""Azure name rules: length, characters and scope of the names the Azure blocks give,
each with its source, checked while the program runs (``mlops-iac plan`` and the start
of ``pulumi preview``), not at create time in Azure.

Source of every rule unless stated otherwise: "Naming rules and restrictions for Azure
resources", https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules
(one section per resource provider; the anchors below point at them).

Storage accounts, Key Vaults and container registries are **globally unique** (their
names are DNS labels under ``*.blob.core.windows.net``, ``*.vault.azure.net``,
``*.azurecr.io``): derive them with ``unique_name``, which appends a deterministic hash
of a seed (subscription id plus stack) to the prefix. Storage accounts and registries
take letters and digits only, so Pulumi's auto-names (``<logical>-<random>``) do not fit
them: their names are always given explicitly.
"""

from __future__ import annotations

from ..naming import (
    NameRule,
    check_auto_rule,
    check_rule,
    claim,
    physical,
    rule_of,
)
from ..naming import unique_name as _unique_name

__all__ = ["RULES", "check_auto_name", "check_name", "fixed_name", "name_for", "unique_name"]

_DOCS = "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules"

RULES: dict[str, NameRule] = {
    "resource-group": NameRule(
        90,
        r"[-\w.()]*[-\w()]",
        f"{_DOCS}#microsoftresources",
    ),
    "storage-account": NameRule(
        24,
        r"[a-z0-9]+",
        f"{_DOCS}#microsoftstorage",
        min_length=3,
        globally_unique=True,
        separator="",
    ),
    "blob-container": NameRule(
        63,
        r"(?!.*--)[a-z0-9][a-z0-9-]*[a-z0-9]",
        f"{_DOCS}#microsoftstorage",
        min_length=3,
    ),
    "key-vault": NameRule(
        24,
        r"(?!.*--)[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]",
        f"{_DOCS}#microsoftkeyvault",
        min_length=3,
        globally_unique=True,
    ),
    "key-vault-key": NameRule(127, r"[a-zA-Z0-9-]+", f"{_DOCS}#microsoftkeyvault"),
    "container-registry": NameRule(
        50,
        r"[a-z0-9]+",
        f"{_DOCS}#microsoftcontainerregistry",
        min_length=5,
        globally_unique=True,
        separator="",
    ),
    "ml-workspace": NameRule(
        33,
        r"[a-zA-Z0-9][a-zA-Z0-9_-]*",
        f"{_DOCS}#microsoftmachinelearningservices",
        min_length=3,
    ),
    "ml-compute-cluster": NameRule(
        16,
        r"[a-zA-Z][a-zA-Z0-9-]*",
        "https://learn.microsoft.com/azure/machine-learning/how-to-create-attach-compute-cluster",
        min_length=2,
    ),
    "ml-compute-instance": NameRule(
        24,
        r"[a-zA-Z][a-zA-Z0-9-]*",
        "https://learn.microsoft.com/azure/machine-learning/how-to-create-compute-instance",
        min_length=3,
    ),
    "ml-registry": NameRule(
        33,
        r"[a-zA-Z0-9][a-zA-Z0-9_-]*",
        f"{_DOCS}#microsoftmachinelearningservices",
        min_length=3,
    ),
    "ml-online-endpoint": NameRule(
        32,
        r"[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]",
        "https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas"
        "#azure-machine-learning-online-endpoints-and-batch-endpoints",
        min_length=3,
    ),
    "ml-online-deployment": NameRule(
        32,
        r"[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]",
        "https://learn.microsoft.com/azure/machine-learning/how-to-manage-quotas"
        "#azure-machine-learning-online-endpoints-and-batch-endpoints",
        min_length=3,
    ),
    "aks-cluster": NameRule(
        63,
        r"[a-zA-Z0-9]([a-zA-Z0-9_-]*[a-zA-Z0-9])?",
        f"{_DOCS}#microsoftcontainerservice",
    ),
    "aks-agent-pool": NameRule(
        12,
        r"[a-z][a-z0-9]*",
        f"{_DOCS}#microsoftcontainerservice",
        separator="",
    ),
    "user-assigned-identity": NameRule(
        128,
        r"[a-zA-Z0-9][a-zA-Z0-9_-]*",
        f"{_DOCS}#microsoftmanagedidentity",
        min_length=3,
    ),
    "log-analytics-workspace": NameRule(
        63,
        r"[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]",
        f"{_DOCS}#microsoftoperationalinsights",
        min_length=4,
    ),
    "virtual-network": NameRule(
        64,
        r"[a-zA-Z0-9]([a-zA-Z0-9_.-]*[a-zA-Z0-9_])?",
        f"{_DOCS}#microsoftnetwork",
        min_length=2,
    ),
    "subnet": NameRule(
        80,
        r"[a-zA-Z0-9]([a-zA-Z0-9_.-]*[a-zA-Z0-9_])?",
        f"{_DOCS}#microsoftnetwork",
    ),
    "private-endpoint": NameRule(
        64,
        r"[a-zA-Z0-9]([a-zA-Z0-9_.-]*[a-zA-Z0-9_])?",
        f"{_DOCS}#microsoftnetwork",
        min_length=2,
    ),
}


def _rule(kind: str) -> NameRule:
    return rule_of(RULES, kind, "Azure")


def check_name(kind: str, name: str) -> str:
    """``name`` if it satisfies the rule of ``kind``; else ``PhysicalNameError`` with the
    rule's source."""
    return check_rule(kind, _rule(kind), name)


def name_for(kind: str, *parts: str) -> str:
    """The fixed physical name from ``parts`` (lower-case, joined by the rule's
    separator, shortened to fit) checked against the rule of ``kind``, without claiming
    it: for documents that refer to a resource by name (pipelines, scripts)."""
    rule = _rule(kind)
    name = physical(*parts, max_length=rule.max_length, separator=rule.separator or "-")
    if not rule.separator:
        name = name.replace("-", "")
    return check_name(kind, name)


def fixed_name(kind: str, *parts: str, owner: str) -> str:
    """``name_for(kind, *parts)`` claimed by ``owner``. For globally unique kinds use
    ``unique_name``."""
    return claim(kind, name_for(kind, *parts), owner)


def check_auto_name(kind: str, logical_name: str) -> str:
    """``logical_name`` if Pulumi's auto-name for it fits the rule of ``kind``."""
    return check_auto_rule(kind, _rule(kind), logical_name)


def unique_name(kind: str, *parts: str, seed: str, owner: str) -> str:
    """A globally unique name for ``kind`` (``storage-account``, ``key-vault``,
    ``container-registry``): ``parts`` and a 6-character hash of ``seed`` (e.g.
    ``f"{subscription_id}/{stack}"``), deterministic across runs."""
    return _unique_name(kind, _rule(kind), *parts, seed=seed, owner=owner)
