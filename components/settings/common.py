"""Settings shared by architectures on every cloud: tags and storage lifecycle."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Self

from pydantic import AliasChoices, Field, StringConstraints, model_validator

from .base import Strict

TagKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,62}$")]
"""Lower-case keys are valid as AWS tags, Azure tags and GCP labels alike."""

TagValue = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{0,63}$")]
"""Lower-case values, so that the same tag works as a GCP label."""


class TagSettings(Strict):
    """Cost-allocation tags applied to every taggable resource of the stack."""

    owner: TagValue = Field(description="Team that owns the stack; tag `owner`.")
    cost_centre: TagValue = Field(description="Cost centre billed; tag `cost-centre`.")
    extra: dict[TagKey, TagValue] = Field(
        default_factory=dict,
        description="Further tags for every resource. They cannot replace the tags the "
        "platform owns (`project`, `environment`, `managed-by`, `component`).",
    )


S3Prefix = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*/$")
]
"""A key prefix naming a folder: non-empty, ending in ``/`` (``runs/``, ``raw/2024/``)."""


class ExpiryRule(Strict):
    """Objects under ``prefix`` are deleted ``after_days`` days after creation."""

    prefix: S3Prefix = Field(description="Folder whose objects expire, e.g. `runs/`.")
    after_days: int = Field(ge=1, description="Days after creation until objects are deleted.")


class LifecycleSettings(Strict):
    """Storage lifecycle in cloud-neutral words: objects move to the ``cool`` tier, then
    to the ``archive`` tier (``vocabulary.StorageTier``), and expire per prefix.

    Defaults: objects move to cool storage 30 days after creation and to (online)
    archive after 90; old versions are deleted 90 days after they are replaced;
    incomplete multipart uploads are aborted after 7 days. Nothing current is ever
    expired unless an ``expire`` rule names its prefix: expiry is always per prefix
    (never the whole bucket), so a bucket can hold scratch data next to artifacts that
    must live as long as anything refers to them. A bucket may refuse expiry rules on
    prefixes it keeps (see the architecture's prefix table). Tiering applies to the
    whole bucket or container.

    Each cloud maps these words in ``<cloud>/lifecycle.py``: cool is S3
    ``STANDARD_IA``, Blob ``Cool``, GCS ``NEARLINE``; archive is S3 ``GLACIER_IR``,
    Blob ``Cold``, GCS ``COLDLINE`` (all readable in milliseconds, 30 and 90 days
    minimum storage duration).
    """

    cool_after_days: int | None = Field(
        default=30,
        ge=30,
        validation_alias=AliasChoices("cool_after_days", "infrequent_access_after_days"),
        description="Days after creation until objects move to the cool tier; null "
        "disables. At least 30 (S3 refuses STANDARD_IA earlier). Also accepted under its "
        "former name `infrequent_access_after_days`.",
    )
    archive_after_days: int | None = Field(
        default=90,
        ge=1,
        description="Days after creation until objects move to the (online) archive "
        "tier; null disables. At least 30 days after cool_after_days.",
    )
    expire: list[ExpiryRule] = Field(
        default_factory=list,
        description="Prefixes whose current objects are deleted, each after its own days.",
    )
    noncurrent_expire_after_days: int = Field(
        default=90, ge=1, description="Days until a replaced object version is deleted."
    )
    abort_incomplete_multipart_after_days: int = Field(
        default=7, ge=1, le=30, description="Days until unfinished multipart uploads are aborted."
    )

    @property
    def infrequent_access_after_days(self) -> int | None:
        """Former name of ``cool_after_days`` (read-only, kept for callers)."""
        return self.cool_after_days

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        cool, archive = self.cool_after_days, self.archive_after_days
        if cool is not None and archive is not None and archive < cool + 30:
            raise ValueError(
                "archive_after_days must be at least 30 days after cool_after_days "
                "(infrequent_access_after_days)"
            )
        prefixes = [rule.prefix for rule in self.expire]
        for i, prefix in enumerate(prefixes):
            if any(other.startswith(prefix) or prefix.startswith(other) for other in prefixes[:i]):
                raise ValueError(f"expire[{i}].prefix {prefix!r} overlaps another expire rule")
        return self

    def expired_prefixes_overlapping(self, kept: Sequence[str]) -> list[str]:
        """The expire prefixes that cover, or lie inside, one of the ``kept`` prefixes."""
        return [
            rule.prefix
            for rule in self.expire
            if any(k.startswith(rule.prefix) or rule.prefix.startswith(k) for k in kept)
        ]
