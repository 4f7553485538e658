"""Google Cloud name rules: the names the GCP blocks give and the label rules, each
with its source, checked while the program runs rather than at create time.

Cloud Storage bucket names and project ids are **globally unique**: derive a bucket
name with ``unique_name`` (a deterministic hash of a seed such as the project id plus
stack). Most other names are unique per project (and location).

Labels: GCP has no free-form tags; every resource takes labels whose keys and values
follow ``LABEL_KEY`` and ``LABEL_VALUE`` (``check_labels``), at most 64 per resource.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from ..naming import (
    NameRule,
    check_auto_rule,
    check_rule,
    claim,
    physical,
    rule_of,
)
from ..naming import unique_name as _unique_name

__all__ = [
    "LABEL_KEY",
    "LABEL_VALUE",
    "MAX_LABELS",
    "RULES",
    "check_auto_name",
    "check_labels",
    "check_name",
    "fixed_name",
    "numeric_id",
    "unique_name",
]

_RFC1035 = r"[a-z]([-a-z0-9]*[a-z0-9])?"
"""Lower-case letter first, letters, digits and hyphens, no trailing hyphen (RFC 1035
labels, the rule of most Compute Engine and GKE names)."""

RULES: dict[str, NameRule] = {
    "storage-bucket": NameRule(
        63,
        r"(?!goog)(?!.*g(o|0)(o|0)gle)[a-z0-9][a-z0-9_-]*[a-z0-9]",
        "https://cloud.google.com/storage/docs/buckets#naming",
        min_length=3,
        globally_unique=True,
    ),
    "service-account": NameRule(
        30,
        r"[a-z]([-a-z0-9]*[a-z0-9])",
        "https://cloud.google.com/iam/docs/service-accounts-create#creating",
        min_length=6,
    ),
    "project": NameRule(
        30,
        r"[a-z][-a-z0-9]*[a-z0-9]",
        "https://cloud.google.com/resource-manager/docs/creating-managing-projects#before_you_begin",
        min_length=6,
        globally_unique=True,
    ),
    "compute": NameRule(
        63, _RFC1035, "https://cloud.google.com/compute/docs/naming-resources#resource-name-format"
    ),
    "gke-cluster": NameRule(
        40,
        _RFC1035,
        "https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters#Cluster",
    ),
    "gke-node-pool": NameRule(
        40,
        _RFC1035,
        "https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters.nodePools#NodePool",
    ),
    "artifact-registry-repository": NameRule(
        63,
        _RFC1035,
        "https://cloud.google.com/artifact-registry/docs/repositories/create-repos",
    ),
    "kms-key-ring": NameRule(
        63,
        r"[a-zA-Z0-9_-]+",
        "https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations.keyRings/create",
    ),
    "kms-crypto-key": NameRule(
        63,
        r"[a-zA-Z0-9_-]+",
        "https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations.keyRings.cryptoKeys/create",
    ),
    "logging-bucket": NameRule(
        100,
        r"[a-zA-Z0-9_.-]+",
        "https://cloud.google.com/logging/docs/reference/v2/rest/v2/projects.locations.buckets/create",
    ),
    "workload-identity-pool": NameRule(
        32,
        r"(?!gcp-)[a-z0-9][-a-z0-9]*[a-z0-9]",
        "https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools/create",
        min_length=4,
    ),
}

LABEL_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}")
"""Label keys: 1-63 characters, lower-case letters, digits, ``_`` and ``-``, starting
with a lower-case letter (international lower-case letters are allowed too; this
project uses ASCII). https://cloud.google.com/resource-manager/docs/labels-overview#requirements"""

LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}")
"""Label values: 0-63 characters, lower-case letters, digits, ``_`` and ``-`` (same source)."""

MAX_LABELS = 64
"""Labels per resource (same source)."""


def check_labels(labels: Mapping[str, str], setting: str = "labels") -> dict[str, str]:
    """``labels`` if every key and value is a valid GCP label and there are at most 64;
    else ``ValueError`` naming each offending key (all problems at once)."""
    problems = []
    if len(labels) > MAX_LABELS:
        problems.append(f"{len(labels)} labels; at most {MAX_LABELS} allowed")
    for key, value in labels.items():
        if not LABEL_KEY.fullmatch(key):
            problems.append(
                f"key {key!r} must be 1-63 lower-case letters, digits, '_' or '-', "
                "starting with a letter"
            )
        if not LABEL_VALUE.fullmatch(value):
            problems.append(
                f"{key}: value {value!r} must be 0-63 lower-case letters, digits, '_' or '-'"
            )
    if problems:
        raise ValueError(
            f"{setting}: "
            + "; ".join(problems)
            + " (https://cloud.google.com/resource-manager/docs/labels-overview#requirements)"
        )
    return dict(labels)


def _rule(kind: str) -> NameRule:
    return rule_of(RULES, kind, "GCP")


def check_name(kind: str, name: str) -> str:
    """``name`` if it satisfies the rule of ``kind``; else ``PhysicalNameError`` with the
    rule's source."""
    return check_rule(kind, _rule(kind), name)


def fixed_name(kind: str, *parts: str, owner: str) -> str:
    """A fixed physical name ``<part>-<part>...`` (lower-case, shortened to fit) checked
    against the rule of ``kind`` and claimed by ``owner`` for this program."""
    rule = _rule(kind)
    name = physical(*parts, max_length=rule.max_length)
    return claim(kind, check_name(kind, name), owner)


def check_auto_name(kind: str, logical_name: str) -> str:
    """``logical_name`` if Pulumi's auto-name for it fits the rule of ``kind``."""
    return check_auto_rule(kind, _rule(kind), logical_name)


def unique_name(kind: str, *parts: str, seed: str, owner: str) -> str:
    """A globally unique name for ``kind`` (``storage-bucket``): ``parts`` and a
    6-character hash of ``seed`` (e.g. ``f"{project}/{stack}"``), deterministic."""
    return _unique_name(kind, _rule(kind), *parts, seed=seed, owner=owner)


VERTEX_ENDPOINT_ID = re.compile(r"^[1-9][0-9]{0,9}$")
"""``AiEndpoint.name``: "must be numeric with no leading zeros and can be at most 10
digits" (pulumi-gcp docs of ``vertex.AiEndpoint``); the SDK marks it optional, and its
own example's ``endpoint-name`` would be refused by the API."""


def numeric_id(seed: str, *, owner: str) -> str:
    """A stable 10-digit id without a leading zero, derived from ``seed`` (e.g. the
    stack prefix and the component name), for resources whose API takes only numeric
    ids (Vertex AI endpoints). Claimed by ``owner`` so two children never share it."""
    value = 1_000_000_000 + int(hashlib.sha256(seed.encode()).hexdigest()[:15], 16) % 9_000_000_000
    text = str(value)
    return claim("vertex-endpoint", text, owner)
