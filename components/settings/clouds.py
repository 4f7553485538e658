"""Per-cloud provider settings: where a stack's resources on each cloud go.

A single-cloud stack needs none of these sections: ``cloud`` and ``region`` say it all
(``cloud: aws, region: eu-west-1``). A stack with architectures on more than one cloud
(a multi-cloud strategy of the source document) adds one section per further cloud,
e.g. ``mlops-iac:gcp: {project: ml-prod-123456, region: europe-west4}``; a section for
the primary cloud may also be given to set more than its region.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from .base import Cloud, Strict

AZURE_LOCATION = r"^[a-z]+[a-z0-9]*$"
"""An Azure location name as ARM writes it (``westeurope``, ``swedencentral``)."""
GCP_REGION = r"^[a-z]+-[a-z]+\d$"
"""A Google Cloud region (``europe-west4``, ``us-central1``)."""

REGION_SHAPES = {Cloud.AZURE: AZURE_LOCATION, Cloud.GCP: GCP_REGION}
"""Azure and Google Cloud publish no offline list of their regions (AWS's comes from
botocore): their names are checked by shape here, and the cloud refuses an unknown one
at the first preview."""


def check_region(cloud: Cloud, region: str) -> str:
    """``region`` if it is a region (Azure: location) of ``cloud``; the one check for the
    primary ``region`` and every provider section. Raises ``ValueError``."""
    if cloud is Cloud.AWS:
        from ..aws import facts  # imported when used: botocore's partition data

        return facts.check_region(region)
    if not re.match(REGION_SHAPES[cloud], region):
        raise ValueError(f"{region!r} is not a region name of {cloud.value}")
    return region


GCP_PROJECT_ID = r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$"
"""A project id: 6-30 lower-case letters, digits and hyphens, starting with a letter
(Resource Manager API, ``projects.create``)."""
UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class AwsCloudSettings(Strict):
    """The stack's AWS provider: one region (the account is the credentials')."""

    region: str = Field(description="AWS region of every AWS resource, e.g. `eu-west-1`.")

    @field_validator("region")
    @classmethod
    def _known(cls, region: str) -> str:
        return check_region(Cloud.AWS, region)


class AzureCloudSettings(Strict):
    """The stack's Azure provider. The subscription defaults to the one the Azure
    credentials select (``ARM_SUBSCRIPTION_ID`` or the CLI's default)."""

    location: str = Field(description="Azure location, e.g. `westeurope`.")
    subscription_id: str | None = Field(
        default=None, pattern=UUID, description="Subscription to deploy into."
    )

    @field_validator("location")
    @classmethod
    def _known(cls, location: str) -> str:
        return check_region(Cloud.AZURE, location)


class GcpCloudSettings(Strict):
    """The stack's Google Cloud provider: one project and region."""

    project: str = Field(pattern=GCP_PROJECT_ID, description="Project id, e.g. `ml-dev-123456`.")
    region: str = Field(description="Region, e.g. `europe-west4`.")

    @field_validator("region")
    @classmethod
    def _known(cls, region: str) -> str:
        return check_region(Cloud.GCP, region)
