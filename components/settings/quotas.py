"""Settings of the stack's accelerator quotas (``mlops-iac:quotas``).

Every architecture declares the capacity its pools, clusters, jobs and endpoints can
scale to (``Deployment.declare_capacity``); the quota blocks turn that into quota units
per family and region (GPUs, TPU chips, vCPUs, instances) and either request them
(Google Cloud quota preferences, AWS Service Quotas increase requests) or check them
against the limits the stack declares here. See ``mlops_components.quotas``.
"""

from __future__ import annotations

from pydantic import EmailStr, Field, field_validator

from .base import Strict


class QuotaSettings(Strict):
    """How the stack's accelerator quotas are obtained or checked.

    Default: nothing requested and nothing declared, so the plan lists what the stack can
    scale to with the status ``undeclared`` and nothing changes in any account. A line
    whose declared limit is below what the stack can reach is ``exceeded``, and the cost
    rule ``<cloud>-stack-accelerator-quota`` fails the stack."""

    request: bool = Field(
        default=False,
        description="true: request every requestable quota the stack needs (Google Cloud "
        "`cloudquota.SQuotaPreference`, AWS `servicequotas.ServiceQuota`) at the reachable "
        "value plus `headroom_percent`. An AWS Service Quotas request cannot be lowered or "
        "withdrawn: `pulumi destroy` only forgets it. Azure has no per-subscription quota "
        "resource, so Azure families are always checked against `declared`.",
    )
    headroom_percent: int = Field(
        default=0,
        ge=0,
        le=100,
        description="Extra room requested above the reachable value, percent (rounded up), "
        "for rolling node upgrades (surge nodes) and blue/green fleets.",
    )
    declared: dict[str, int] = Field(
        default_factory=dict,
        description="The limits the account, project or subscription already has in the "
        "stack's region, by family as the plan's quota report names it (Google Cloud "
        "`NVIDIA_L4_GPUS`, `PREEMPTIBLE_TPU_LITE_PODSLICE_V5`; AWS the quota name, e.g. "
        "`Running On-Demand G and VT instances`; Azure `standardNCASv3_T4Family`, "
        "`lowPriorityCores`). Read at plan time; a requested family uses the request.",
    )
    contact_email: EmailStr | None = Field(
        default=None,
        description="Google Cloud: who Google asks when a quota preference needs more "
        "information (`contact_email` of the preference); none: the request carries none.",
    )

    @field_validator("declared")
    @classmethod
    def _non_negative(cls, values: dict[str, int]) -> dict[str, int]:
        for family, value in values.items():
            if value < 0:
                raise ValueError(f"{family}: a quota limit is >= 0 (got {value})")
        return values
