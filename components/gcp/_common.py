"""Checks and mappings shared by the Google Cloud building blocks.

Kept private to the blocks: the stack-wide GCP name and label rules live in
``names.py``; these are the few a block needs to refuse bad arguments at construction.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import pulumi

from ..retention import is_protected
from ..settings import Retention

LABEL_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
LABEL_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")
MAX_LABELS = 64
"""GCP label rules (https://cloud.google.com/resource-manager/docs/labels-overview#requirements):
at most 64 labels; keys start with a lower-case letter, 1-63 lower-case letters, digits,
``_`` and ``-``; values at most 63 of the same characters, may be empty. (International
characters are allowed by GCP; the project keeps to ASCII so one tag works on every cloud.)"""

REGION = re.compile(r"^[a-z]+(-[a-z0-9]+)+[0-9]$")
"""A Google Cloud region such as ``europe-west4`` or ``us-central1`` (not a zone)."""

CRYPTO_KEY_ID = re.compile(
    r"^projects/[^/]+/locations/(?P<location>[^/]+)/keyRings/[^/]+/cryptoKeys/[^/]+$"
)
"""The id of a Cloud KMS key (``kms.CryptoKey.id``), the form every CMEK field takes."""


def label_problems(labels: Mapping[str, str], argument: str = "labels") -> list[str]:
    """Every way ``labels`` breaks the GCP label rules, each naming ``argument``."""
    problems: list[str] = []
    if len(labels) > MAX_LABELS:
        problems.append(f"{argument}: {len(labels)} labels, GCP allows at most {MAX_LABELS}")
    for key, value in labels.items():
        if not LABEL_KEY.match(key):
            problems.append(
                f"{argument}[{key!r}]: a GCP label key is 1-63 lower-case letters, digits, "
                "'_' or '-', starting with a letter"
            )
        if not isinstance(value, str) or not LABEL_VALUE.match(value):
            problems.append(
                f"{argument}[{key!r}]: value {value!r} must be at most 63 lower-case letters, "
                "digits, '_' or '-'"
            )
    return problems


def raise_problems(args_name: str, problems: list[str]) -> None:
    """One ``ValueError`` listing every problem, the way the AWS blocks report them."""
    if problems:
        raise ValueError(f"invalid {args_name}:\n  - " + "\n  - ".join(problems))


def deletion_policy(retention: Retention) -> str:
    """The provider's own guard (``deletion_policy``, pulumi-gcp 10): ``PREVENT`` makes
    any delete of a ``protected`` resource fail in the provider, even one that Pulumi's
    ``protect`` would allow after a state edit; ``DELETE`` (the provider default, set
    explicitly so the plan shows it) for ``destroyable``."""
    return "PREVENT" if is_protected(retention) else "DELETE"


def checked_key_id(argument: str, location: str | None = None) -> Callable[[str], str]:
    """An ``apply`` callback that checks a resolved KMS key id (and, when ``location``
    is given, that the key lives there: GCS, Artifact Registry and Logging refuse a key
    from another location) and returns it unchanged."""

    def check(key_id: str) -> str:
        # ``None`` only occurs under test mocks that do not fill computed outputs.
        if key_id is None:
            return key_id
        match = CRYPTO_KEY_ID.match(key_id)
        if not match:
            raise pulumi.InputPropertyError(
                argument,
                f"{key_id!r} is not a Cloud KMS key id "
                "(projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>)",
            )
        if location is not None and match["location"].lower() != location.lower():
            raise pulumi.InputPropertyError(
                argument,
                f"the key is in {match['location']!r} but the resource is in {location!r}; "
                "Google Cloud needs the key in the resource's location",
            )
        return key_id

    return check
