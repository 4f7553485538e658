"""The stack outputs the cleanup script is generated from, and the target read back
from them: planned under mocks, then mapped as ``mlops-iac cleanup-script`` maps them."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from mlops_components.architectures import sagemaker_cleanup as cleanup
from mlops_components.architectures.sagemaker_cicd import SageMakerCiCd, SageMakerCiCdArgs
from mlops_components.aws.cleanup import StudioDomainRef, cleanup_steps
from mlops_components.settings import Retention, StackSettings
from mlops_preview.runner import Recording, run_program

IMAGE = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"
PIPELINE = {
    "preprocessing": {"image_uri": IMAGE, "script": "code/preprocess.py"},
    "training": {"image_uri": IMAGE},
    "evaluation": {"image_uri": IMAGE, "script": "code/evaluate.py"},
    "inference_image_uri": IMAGE,
}


def settings(retention: Retention, **sagemaker: Any) -> StackSettings:
    return StackSettings.model_validate(
        {
            "environment": "dev",
            "cloud": "aws",
            "region": "eu-west-1",
            "retention": retention.value,
            "tags": {"owner": "ml-platform", "cost_centre": "cc-1"},
            "architectures": {"sagemaker_cicd": {"pipeline": PIPELINE, **sagemaker}},
        }
    )


def deploy(stack: StackSettings) -> Recording:
    """The component and the outputs ``platform.deploy`` exports for it."""
    sm = stack.architectures.sagemaker_cicd
    assert sm is not None

    def program() -> None:
        cicd = SageMakerCiCd(
            "sagemaker",
            SageMakerCiCdArgs(
                settings=sm,
                region=stack.region,
                name_prefix="mlops-dev",
                tags={"owner": "ml-platform"},
                retention=stack.retention,
            ),
        )
        pulumi.export(cleanup.PIPELINE, cicd.pipeline_name)
        pulumi.export(cleanup.MODEL_PACKAGE_GROUP, cicd.model_package_group_name)
        for key, value in cleanup.cleanup_outputs(cicd).items():
            if value is not None:
                pulumi.export(key, value)

    return run_program(program, config={"mlops-iac:region": stack.region})


def test_outputs_name_the_domain_its_file_system_and_the_network() -> None:
    stack = settings(Retention.DESTROYABLE, studio={"enabled": True})
    rec = deploy(stack)
    domain = rec.one("aws:sagemaker/domain:Domain")
    network = rec.resources
    vpc = next(r for r in network if r.type == "aws:ec2/vpc:Vpc")
    workload = rec.one("aws:ec2/securityGroup:SecurityGroup", "sagemaker-network-workload")
    assert rec.outputs == {
        "sagemaker_pipeline": "mlops-dev-pipeline",
        "sagemaker_model_package_group": "mlops-dev-models",
        "sagemaker_vpc": vpc.id,
        "sagemaker_workload_security_group": workload.id,
        "sagemaker_studio_domain": domain.id,
        "sagemaker_studio_domain_arn": domain.outputs["arn"],
        "sagemaker_studio_home_efs": domain.outputs["homeEfsFileSystemId"],
        "sagemaker_studio_domain_urn": domain.urn,
    }

    target = cleanup.cleanup_target(stack, rec.outputs)
    assert target.studio == StudioDomainRef(
        domain_id=str(domain.id),
        domain_arn=domain.outputs["arn"],
        home_efs_id=domain.outputs["homeEfsFileSystemId"],
        keep_home=False,
    )
    assert target.delete_model_versions
    assert target.workload_security_group_id == workload.id
    # The planned values are valid ids: the whole script can be generated from them.
    assert [s[0] for s in cleanup_steps(target)["release-network"]] == [
        "use_region",
        "require_domain_deleted",
        "delete_studio_mount_targets",
        "delete_studio_home_file_system",
        "delete_studio_nfs_security_groups",
        "delete_detached_interfaces",
    ]


def test_protected_stack_retains_the_studio_home_and_the_registry() -> None:
    stack = settings(Retention.PROTECTED, studio={"enabled": True})
    rec = deploy(stack)
    domain = rec.one("aws:sagemaker/domain:Domain")
    assert domain.inputs["retentionPolicy"] == {"homeEfsFileSystem": "Retain"}
    target = cleanup.cleanup_target(stack, rec.outputs)
    assert target.studio is not None and target.studio.keep_home
    assert not target.delete_model_versions


def test_without_studio_there_is_no_domain_output() -> None:
    stack = settings(Retention.DESTROYABLE)
    rec = deploy(stack)
    assert not any(key.startswith("sagemaker_studio") for key in rec.outputs)
    target = cleanup.cleanup_target(stack, rec.outputs)
    assert target.studio is None
    assert target.pipeline_name == "mlops-dev-pipeline"


def test_an_adopted_network_has_no_workload_group_to_clean() -> None:
    network = {
        "vpc_id": "vpc-0a1b2c3d4e5f60718",
        "subnet_ids": ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"],
        "security_group_ids": ["sg-0a1b2c3d4e5f60718"],
    }
    stack = settings(Retention.DESTROYABLE, network=network)
    rec = deploy(stack)
    assert "sagemaker_workload_security_group" not in rec.outputs
    target = cleanup.cleanup_target(stack, rec.outputs)
    assert target.workload_security_group_id is None
    assert target.vpc_id == "vpc-0a1b2c3d4e5f60718"


def test_missing_outputs_are_named() -> None:
    stack = settings(Retention.DESTROYABLE, studio={"enabled": True})
    with pytest.raises(ValueError) as err:
        cleanup.cleanup_target(stack, {"sagemaker_pipeline": "p", "sagemaker_vpc": None})
    assert str(err.value).startswith(
        "the stack outputs lack sagemaker_model_package_group, sagemaker_vpc, "
        "sagemaker_workload_security_group, sagemaker_studio_domain, "
        "sagemaker_studio_domain_arn, sagemaker_studio_home_efs "
    )


def test_a_stack_without_the_architecture_has_nothing_to_clean() -> None:
    stack = StackSettings.model_validate(
        {
            "environment": "dev",
            "cloud": "aws",
            "region": "eu-west-1",
            "tags": {"owner": "ml-platform", "cost_centre": "cc-1"},
        }
    )
    steps = cleanup_steps(cleanup.cleanup_target(stack, {}))
    assert steps == {
        "prepare": [["use_region", "eu-west-1"]],
        "release-network": [["use_region", "eu-west-1"]],
    }


def test_a_shared_registry_keeps_its_versions_in_a_destroyable_stack() -> None:
    stack = settings(Retention.DESTROYABLE, registry={"consumer_account_ids": ["222222222222"]})
    rec = deploy(stack)
    assert rec.one("aws:sagemaker/modelPackageGroup:ModelPackageGroup").protect is True
    target = cleanup.cleanup_target(stack, rec.outputs)
    assert not target.delete_model_versions
    assert "delete_model_package_versions" not in [s[0] for s in cleanup_steps(target)["prepare"]]
