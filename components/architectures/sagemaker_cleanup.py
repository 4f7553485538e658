"""What ``pulumi destroy`` of a SageMaker CI/CD stack needs besides Pulumi: the stack
outputs the cleanup script is generated from, and the mapping from a stack's settings
and outputs to ``aws.cleanup.CleanupTarget``.

``cleanup_outputs(cicd)`` is what the program exports (``platform.deploy`` adds it to the
stack's outputs); ``cleanup_target(settings, outputs)`` is what
``mlops-iac cleanup-script STACK --outputs FILE`` reads back from
``pulumi stack output --json``. See ``docs/destroy.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from ..aws.cleanup import CleanupTarget, StudioDomainRef
from ..settings import Cloud, Retention, StackSettings
from .sagemaker_cicd import SageMakerCiCd

PIPELINE = "sagemaker_pipeline"
MODEL_PACKAGE_GROUP = "sagemaker_model_package_group"
VPC = "sagemaker_vpc"
WORKLOAD_SECURITY_GROUP = "sagemaker_workload_security_group"
STUDIO_DOMAIN = "sagemaker_studio_domain"
STUDIO_DOMAIN_ARN = "sagemaker_studio_domain_arn"
STUDIO_HOME_EFS = "sagemaker_studio_home_efs"
STUDIO_DOMAIN_URN = "sagemaker_studio_domain_urn"
"""Stack output names. ``sagemaker_pipeline`` and ``sagemaker_model_package_group`` are
the ones ``platform.deploy`` already exports."""


def cleanup_outputs(cicd: SageMakerCiCd) -> dict[str, pulumi.Output[str] | None]:
    """The stack outputs the cleanup script needs beyond the pipeline and model package
    group names; ``None`` for what the stack does not have (no Studio domain, an adopted
    network). ``sagemaker_studio_domain_urn`` is for ``pulumi destroy --target``."""
    domain = cicd.studio_domain
    workload = cicd.network.workload_security_group
    return {
        VPC: cicd.network.vpc_id,
        WORKLOAD_SECURITY_GROUP: workload.id if workload is not None else None,
        STUDIO_DOMAIN: domain.id if domain is not None else None,
        STUDIO_DOMAIN_ARN: domain.arn if domain is not None else None,
        STUDIO_HOME_EFS: domain.home_efs_file_system_id if domain is not None else None,
        STUDIO_DOMAIN_URN: domain.urn if domain is not None else None,
    }


def cleanup_target(settings: StackSettings, outputs: Mapping[str, Any]) -> CleanupTarget:
    """The cleanup target of a stack from its settings and its outputs (the JSON object
    ``pulumi stack output --json`` prints). Raises ``ValueError`` naming every output the
    settings call for that is missing."""
    sm = settings.architectures.sagemaker_cicd
    if sm is None or not sm.enabled:
        return CleanupTarget(region=settings.region_of(Cloud.AWS))

    wanted = [PIPELINE, MODEL_PACKAGE_GROUP, VPC]
    if sm.network.vpc_id is None:
        wanted.append(WORKLOAD_SECURITY_GROUP)
    if sm.studio.enabled:
        wanted += [STUDIO_DOMAIN, STUDIO_DOMAIN_ARN, STUDIO_HOME_EFS]
    missing = [key for key in wanted if not isinstance(outputs.get(key), str)]
    if missing:
        raise ValueError(
            "the stack outputs lack "
            + ", ".join(missing)
            + " (export cleanup_outputs(cicd) and run `pulumi up`, then "
            "`pulumi stack output --json` again)"
        )

    destroyable = settings.retention is Retention.DESTROYABLE
    studio = None
    if sm.studio.enabled:
        studio = StudioDomainRef(
            domain_id=outputs[STUDIO_DOMAIN],
            domain_arn=outputs[STUDIO_DOMAIN_ARN],
            home_efs_id=outputs[STUDIO_HOME_EFS],
            # SageMakerCiCd sets RetentionPolicy Retain exactly when protected.
            keep_home=not destroyable,
        )
    return CleanupTarget(
        region=settings.region_of(Cloud.AWS),
        pipeline_name=outputs[PIPELINE],
        model_package_group_name=outputs[MODEL_PACKAGE_GROUP],
        # A registry other accounts serve from is protected whatever the stack's
        # retention (SageMakerCiCd._shared_retention): its versions stay with it.
        delete_model_versions=destroyable and not sm.registry.consumer_account_ids,
        registry_consumer_account_ids=tuple(sm.registry.consumer_account_ids),
        studio=studio,
        vpc_id=outputs[VPC],
        workload_security_group_id=(
            outputs[WORKLOAD_SECURITY_GROUP] if sm.network.vpc_id is None else None
        ),
    )
