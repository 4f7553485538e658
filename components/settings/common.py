"""Settings shared by architectures on every cloud: tags and storage lifecycle."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

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


class LifecycleSettings(Strict):
    """Storage tiering for object storage, by access pattern.

    Defaults: objects move to infrequent-access storage after 30 days and to
    instant-retrieval archive after 90; old versions are deleted 90 days after they
    are replaced; incomplete multipart uploads are aborted after 7 days. Nothing
    current is ever expired unless ``expire_after_days`` is set.
    """

    infrequent_access_after_days: int | None = Field(
        default=30,
        ge=30,
        description="Days until objects move to infrequent access; null disables.",
    )
    archive_after_days: int | None = Field(
        default=90,
        ge=1,
        description="Days until objects move to archive (instant retrieval); null disables.",
    )
    expire_after_days: int | None = Field(
        default=None, ge=1, description="Days until current objects are deleted; null keeps them."
    )
    noncurrent_expire_after_days: int = Field(
        default=90, ge=1, description="Days until a replaced object version is deleted."
    )
    abort_incomplete_multipart_after_days: int = Field(
        default=7, ge=1, le=30, description="Days until unfinished multipart uploads are aborted."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        ia, archive, expire = (
            self.infrequent_access_after_days,
            self.archive_after_days,
            self.expire_after_days,
        )
        if ia is not None and archive is not None and archive < ia + 30:
            raise ValueError(
                "archive_after_days must be at least 30 days after infrequent_access_after_days"
            )
        last = max(d for d in (ia, archive, 0) if d is not None)
        if expire is not None and expire <= last:
            raise ValueError("expire_after_days must be later than every transition")
        return self
