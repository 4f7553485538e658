"""Composition of a whole stack from its settings: providers, tags and the enabled
reference architectures. ``stacks/__main__.py`` calls ``deploy``; other programs can
call it too, or compose the architecture components themselves."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .architectures.sagemaker_cicd import SageMakerCiCd, SageMakerCiCdArgs
from .architectures.sagemaker_cleanup import cleanup_outputs
from .settings import Cloud, StackSettings
from .tags import merge_tags, platform_tags


def deploy(settings: StackSettings) -> dict[str, pulumi.Output[str] | None]:
    """Create every enabled architecture and export its flat outputs.

    AWS resources use one explicit provider for the stack's region whose
    ``default_tags`` carry the platform tags; every taggable child also receives its
    merged tags explicitly (see ``tags.py``).
    """
    base_tags = platform_tags(settings)
    prefix = settings.prefix
    outputs: dict[str, pulumi.Output[str] | None] = {}
    arch = settings.architectures

    if settings.cloud is Cloud.AWS:
        provider = aws.Provider(
            "aws",
            region=settings.region,
            default_tags={"tags": base_tags},
        )
        opts = pulumi.ResourceOptions(providers={"aws": provider})
        sm = arch.sagemaker_cicd
        if sm is not None and sm.enabled:
            cicd = SageMakerCiCd(
                "sagemaker",
                SageMakerCiCdArgs(
                    settings=sm,
                    region=settings.region,
                    name_prefix=prefix,
                    tags=merge_tags(base_tags, component="sagemaker-cicd"),
                    retention=settings.retention,
                ),
                opts=opts,
            )
            outputs.update(
                {
                    "sagemaker_data_bucket": cicd.data_bucket_name,
                    "sagemaker_artifacts_bucket": cicd.artifacts_bucket_name,
                    "sagemaker_pipeline": cicd.pipeline_name,
                    "sagemaker_model_package_group": cicd.model_package_group_name,
                    "sagemaker_endpoint": cicd.endpoint_name,
                    "sagemaker_kms_key_arn": cicd.kms_key_arn,
                }
            )
            outputs.update(cleanup_outputs(cicd))

    for key, value in outputs.items():
        if value is not None:
            pulumi.export(key, value)
    return outputs
