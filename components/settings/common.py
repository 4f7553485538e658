"""Settings shared by architectures on every cloud: tags and storage lifecycle.

The lifecycle words (``LifecycleSettings``, ``ExpiryRule``, ``ObjectPrefix``) live in
``mlops_components.vocabulary`` and are re-exported here."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from ..vocabulary import ExpiryRule, LifecycleSettings, ObjectPrefix, Strict

S3Prefix = ObjectPrefix
"""Former name of ``vocabulary.ObjectPrefix``."""

__all__ = [
    "ExpiryRule",
    "LifecycleSettings",
    "ObjectPrefix",
    "S3Prefix",
    "TagKey",
    "TagSettings",
    "TagValue",
]

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
