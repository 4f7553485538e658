"""The stack's explicit AWS provider."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws


def provider(region: str, tags: Mapping[str, str]) -> pulumi.ProviderResource:
    """``aws`` for ``region`` whose ``default_tags`` carry the platform tags, so that
    anything created without explicit tags still carries them (blocks also pass merged
    tags explicitly, see ``tags.py``)."""
    return aws.Provider("aws", region=region, default_tags={"tags": dict(tags)})
