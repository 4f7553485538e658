"""AWS facts: SageMaker instance types from botocore's API enums, partitions and regions,
local instance storage and accelerators, and every place that uses them (settings, the
pipeline definition, the endpoint, policies)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from mlops_components.architectures.sagemaker_pipeline import PipelineRefs, pipeline_definition
from mlops_components.aws import RealtimeEndpoint, RealtimeEndpointArgs, facts
from mlops_components.aws.facts import InstanceUse
from mlops_components.settings import EndpointSettings, PipelineSettings, SettingsError
from mlops_components.settings import load_settings as load
from mlops_components.settings.aws import ImageUri
from mlops_policies import instances
from mlops_policies.aws.sagemaker import LOCAL_STORAGE_TYPES
from mlops_preview.runner import Recording, run_program
from pydantic import TypeAdapter
from support import TAGS

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"
PACKAGE = "arn:aws:sagemaker:eu-west-1:111111111111:model-package/mlops-test-models/3"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/k"
REFS = PipelineRefs(
    data_bucket="data-bkt",
    artifacts_bucket="art-bkt",
    job_role_arn="arn:aws:iam::123456789012:role/jobs",
    kms_key_arn=KEY_ARN,
    model_package_group="mlops-dev-models",
    subnet_ids=("subnet-a",),
    security_group_ids=("sg-1",),
)
ALL_USES = list(InstanceUse)


def every_instance_type() -> set[str]:
    return set().union(*(facts.sagemaker_instance_types(use) for use in ALL_USES))


# -- the API enums -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("use", "shape"),
    [
        (InstanceUse.ENDPOINT, "ProductionVariantInstanceType"),
        (InstanceUse.TRAINING, "TrainingInstanceType"),
        (InstanceUse.PROCESSING, "ProcessingInstanceType"),
        (InstanceUse.MONITORING, "ProcessingInstanceType"),
        (InstanceUse.TRANSFORM, "TransformInstanceType"),
        (InstanceUse.NOTEBOOK, "InstanceType"),
        (InstanceUse.STUDIO_APP, "AppInstanceType"),
    ],
)
def test_each_use_reads_its_api_enum(use: InstanceUse, shape: str) -> None:
    assert facts.instance_type_shape(use) == shape
    assert len(facts.sagemaker_instance_types(use)) > 50


def test_known_members_and_known_differences() -> None:
    endpoint, training, processing = (
        facts.sagemaker_instance_types(u)
        for u in (InstanceUse.ENDPOINT, InstanceUse.TRAINING, InstanceUse.PROCESSING)
    )
    for member in ("ml.m5.large", "ml.m5.xlarge", "ml.g5.2xlarge"):
        assert member in endpoint and member in training and member in processing
    # Processing and training take burstable t3; endpoints do not (only t2).
    assert "ml.t3.medium" in processing and "ml.t3.medium" in training
    assert "ml.t3.medium" not in endpoint and "ml.t2.medium" in endpoint
    assert "ml.m5.huge" not in endpoint | training | processing
    # The pipeline declares transform types among the serving types: a subset today.
    assert facts.sagemaker_instance_types(InstanceUse.TRANSFORM) <= endpoint


def test_instance_type_check_names_the_enum_and_close_values() -> None:
    with pytest.raises(ValueError) as caught:
        facts.check_instance_type("ml.m5.huge", InstanceUse.ENDPOINT)
    message = str(caught.value)
    assert message.startswith(
        "'ml.m5.huge' is not a SageMaker ProductionVariantInstanceType; did you mean ml.m5.large, "
    )
    assert f"(botocore {facts.botocore_version()})" in message
    assert facts.check_instance_type("ml.m5.large", InstanceUse.ENDPOINT) == "ml.m5.large"


# -- settings ------------------------------------------------------------------------


def stack_config(stack: str = "aws-dev") -> dict[str, Any]:
    raw = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}


def with_architecture(change: dict[str, dict[str, Any]]) -> dict[str, Any]:
    config = stack_config()
    arch = json.loads(config["mlops-iac:architectures"])
    for section, values in change.items():
        target = arch["sagemaker_cicd"]
        for part in section.split("."):
            target = target.setdefault(part, {})
        target.update(values)
    config["mlops-iac:architectures"] = json.dumps(arch)
    return config


@pytest.mark.parametrize("value", ["ml.m5.huge", "ml.t3.medium"])
def test_invalid_endpoint_instance_type_is_refused_with_path_and_alternatives(
    value: str,
) -> None:
    with pytest.raises(SettingsError) as caught:
        load(with_architecture({"endpoint": {"instance_type": value}}))
    (line,) = str(caught.value).splitlines()[1:]
    assert line.startswith(
        f"  - mlops-iac:architectures.sagemaker_cicd.endpoint.instance_type: {value!r} is not "
        "a SageMaker ProductionVariantInstanceType; did you mean ml."
    )
    suggestions = line.split("did you mean ")[1].split("?")[0].split(", ")
    assert len(suggestions) == 3
    assert set(suggestions) <= facts.sagemaker_instance_types(InstanceUse.ENDPOINT)


def test_each_step_is_checked_against_its_own_api() -> None:
    config = with_architecture(
        {
            "pipeline.preprocessing": {"instance_type": "ml.t2.medium"},  # endpoint-only
            "pipeline.training": {"instance_type": "ml.g5.2xlarg"},
            "pipeline": {"inference_instance_types": ["ml.m5.large", "ml.t3.medium"]},
        }
    )
    with pytest.raises(SettingsError) as caught:
        load(config)
    lines = str(caught.value).splitlines()
    assert lines[0] == "invalid stack configuration (3 problem(s)):"
    prefix = "  - mlops-iac:architectures.sagemaker_cicd.pipeline."
    assert lines[1].startswith(
        prefix + "preprocessing.instance_type: 'ml.t2.medium' is not a SageMaker "
        "ProcessingInstanceType"
    )
    assert lines[2].startswith(
        prefix + "training.instance_type: 'ml.g5.2xlarg' is not a SageMaker "
        "TrainingInstanceType; did you mean ml.g5.2xlarge"
    )
    assert lines[3].startswith(
        prefix + "inference_instance_types.1: 'ml.t3.medium' is not a SageMaker "
        "ProductionVariantInstanceType"
    )


def test_defaults_and_stack_files_use_valid_types() -> None:
    for stack in ("aws-dev", "aws-staging", "aws-prod"):
        assert load(stack_config(stack)).architectures.sagemaker_cicd is not None
    assert EndpointSettings().instance_type in facts.sagemaker_instance_types(InstanceUse.ENDPOINT)


def test_misspelled_aws_region_is_refused_with_suggestions() -> None:
    config = stack_config()
    config["mlops-iac:region"] = "eu-wset-1"
    with pytest.raises(SettingsError) as caught:
        load(config)
    (line,) = str(caught.value).splitlines()[1:]
    assert line.startswith(
        "  - mlops-iac:region: 'eu-wset-1' is not an AWS region; did you mean eu-west-1, "
    )


@pytest.mark.parametrize("region", ["eu-west-1", "cn-north-1", "us-gov-west-1", "il-central-1"])
def test_every_partitions_regions_are_accepted(region: str) -> None:
    config = stack_config()
    # The example architecture's images and package are in eu-west-1 (and must be in
    # the stack's region), so the region alone is checked here.
    del config["mlops-iac:architectures"]
    config["mlops-iac:region"] = region
    assert load(config).region == region


# -- partitions and regions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "partition", "suffix"),
    [
        ("eu-west-1", "aws", "amazonaws.com"),
        ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
        ("cn-northwest-1", "aws-cn", "amazonaws.com.cn"),
        ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
    ],
)
def test_partition_and_dns_suffix_of_a_region(region: str, partition: str, suffix: str) -> None:
    assert facts.partition_of(region).name == partition
    assert facts.dns_suffix(region) == suffix


def test_regions_exclude_pseudo_regions_and_typos() -> None:
    assert {"aws", "aws-cn", "aws-us-gov"} <= set(facts.partitions())
    assert "aws-global" not in facts.regions() and "aws-cn-global" not in facts.regions()
    assert not facts.is_region("eu-wset-1")
    with pytest.raises(
        ValueError, match="'eu-wset-1' is not an AWS region; did you mean eu-west-1"
    ):
        facts.partition_of("eu-wset-1")


# -- local instance storage: data coverage and use -----------------------------------


def test_storage_data_classifies_every_enum_member() -> None:
    unclassified = sorted(
        t for t in every_instance_type() if facts.family(t) not in facts.instance_storage()
    )
    assert unclassified == [], (
        "classify these families in components/aws/data/sagemaker-instance-storage.json "
        "(with the EC2 instance store page as source)"
    )


def test_storage_data_agrees_with_the_naming_rule_and_documents_itself() -> None:
    data = json.loads((ROOT / "components/aws/data/sagemaker-instance-storage.json").read_text())
    assert data["sources"] and data["checked"]
    storage = facts.instance_storage()
    for name, kind in storage.items():
        if facts.has_instance_store_attribute(name):
            assert kind == "instance_store", name
    assert set(data["unverified"]) <= set(storage)
    enum_families = {facts.family(t) for t in every_instance_type()}
    assert set(storage) <= enum_families, "drop families no API enum lists any more"


@pytest.mark.parametrize(
    ("instance_type", "local"),
    [
        ("ml.g5.2xlarge", True),
        ("ml.m5d.large", True),
        ("ml.p4d.24xlarge", True),
        ("ml.trn1.32xlarge", True),
        ("ml.m5.xlarge", False),
        ("ml.t3.medium", False),
        ("ml.inf2.xlarge", False),
        ("ml.c7i-flex.large", False),
        ("g5.xlarge", True),
        ("ml.zz9.large", False),  # unknown: the key is sent and the API decides
    ],
)
def test_has_local_storage(instance_type: str, local: bool) -> None:
    assert facts.has_local_storage(instance_type) is local


def pipeline_with(training: str, processing: str = "ml.m5.large", **extra: Any) -> dict:
    settings = PipelineSettings.model_validate(
        {
            "preprocessing": {
                "image_uri": IMAGE,
                "script": "code/p.py",
                "instance_type": processing,
            },
            "training": {"image_uri": IMAGE, "instance_type": training},
            "evaluation": {"image_uri": IMAGE, "script": "code/e.py"},
            "inference_image_uri": IMAGE,
            **extra,
        }
    )
    steps = {s["Name"]: s for s in pipeline_definition(settings, REFS)["Steps"]}
    steps.update({s["Name"]: s for s in steps["CheckMetric"]["Arguments"]["IfSteps"]})
    return steps


def test_local_storage_training_gets_no_volume_key() -> None:
    resource = pipeline_with("ml.g5.2xlarge")["Train"]["Arguments"]["ResourceConfig"]
    assert resource == {"InstanceType": "ml.g5.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 50}
    resource = pipeline_with("ml.m5.xlarge")["Train"]["Arguments"]["ResourceConfig"]
    assert resource["VolumeKmsKeyId"] == KEY_ARN


def test_local_storage_processing_gets_no_volume_key() -> None:
    steps = pipeline_with("ml.m5.xlarge", processing="ml.g5.xlarge")
    cluster = steps["Preprocess"]["Arguments"]["ProcessingResources"]["ClusterConfig"]
    assert "VolumeKmsKeyId" not in cluster
    evaluate = steps["Evaluate"]["Arguments"]["ProcessingResources"]["ClusterConfig"]
    assert evaluate["InstanceType"] == "ml.m5.large" and evaluate["VolumeKmsKeyId"] == KEY_ARN
    # Output encryption (S3) is unaffected by local storage.
    assert steps["Preprocess"]["Arguments"]["ProcessingOutputConfig"]["KmsKeyId"] == KEY_ARN


def test_model_package_declares_transform_types_only_where_the_api_accepts_them() -> None:
    spec = pipeline_with("ml.m5.xlarge", inference_instance_types=["ml.m5.large", "ml.c5d.large"])[
        "RegisterModel"
    ]["Arguments"]["InferenceSpecification"]
    assert spec["SupportedRealtimeInferenceInstanceTypes"] == ["ml.m5.large", "ml.c5d.large"]
    assert spec["SupportedTransformInstanceTypes"] == ["ml.m5.large"]
    spec = pipeline_with("ml.m5.xlarge", inference_instance_types=["ml.c5d.large"])[
        "RegisterModel"
    ]["Arguments"]["InferenceSpecification"]
    assert "SupportedTransformInstanceTypes" not in spec  # the API wants at least one


def plan_endpoint(instance_type: str) -> Recording:
    settings = EndpointSettings(model_package_arn=PACKAGE, instance_type=instance_type)

    def program() -> None:
        RealtimeEndpoint(
            "ep",
            RealtimeEndpointArgs(
                settings=settings,
                model_package_arn=PACKAGE,
                name_prefix="mlops-test",
                execution_role_arn="arn:aws:iam::123456789012:role/serve",
                kms_key_arn=KEY_ARN,
                subnet_ids=["subnet-a"],
                security_group_ids=["sg-1"],
                capture_s3_uri="s3://art-bkt/data-capture",
                alarm_topic_arn="arn:aws:sns:eu-west-1:123456789012:alarms",
                tags=TAGS,
            ),
        )

    return run_program(program)


@pytest.mark.parametrize(
    ("instance_type", "keyed"), [("ml.g5.xlarge", False), ("ml.m5.large", True)]
)
def test_endpoint_config_key_follows_local_storage(instance_type: str, keyed: bool) -> None:
    config = plan_endpoint(instance_type).one(
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
    )
    assert ("kmsKeyArn" in config.inputs) is keyed
    if keyed:
        assert config.inputs["kmsKeyArn"] == KEY_ARN
    assert config.inputs["dataCaptureConfig"]["kmsKeyId"] == KEY_ARN


# -- accelerators and the policies' view ---------------------------------------------


def test_every_accelerated_enum_type_has_a_count() -> None:
    missing = sorted(
        t
        for t in every_instance_type()
        if facts.is_accelerated(t) and facts.accelerator_count(t) is None
    )
    assert missing == [], "add them to components/aws/data/instance-accelerators.json"
    for name, count in facts.accelerator_counts().items():
        assert facts.is_accelerated(name) and count > 0, name


@pytest.mark.parametrize(
    ("instance_type", "accelerated", "count"),
    [
        ("ml.g5.12xlarge", True, 4),
        ("g7e.12xlarge", True, 2),
        ("ml.dl1.24xlarge", True, 8),
        ("ml.p6-b200.48xlarge", True, 8),
        ("ml.inf2.48xlarge", True, 12),
        ("ml.m5.xlarge", False, 0),
        ("c7i.large", False, 0),
        ("g9.xlarge", True, None),  # accelerated, not in the data: callers fail closed
    ],
)
def test_policies_read_the_same_accelerator_facts(
    instance_type: str, accelerated: bool, count: int | None
) -> None:
    assert instances.is_accelerated(instance_type) is accelerated
    assert instances.accelerator_count(instance_type) == count
    assert instances.accelerator_count(instance_type, {instance_type: 3.0}) == 3


def test_policy_local_storage_default_is_derived_from_the_facts() -> None:
    expected = [f"ml.{name}.*" for name in sorted(facts.local_storage_families())]
    assert expected == LOCAL_STORAGE_TYPES
    assert "ml.g5.*" in LOCAL_STORAGE_TYPES and "ml.inf2.*" not in LOCAL_STORAGE_TYPES


@pytest.mark.parametrize(
    ("region", "partition", "suffix", "reverse"),
    [
        ("eu-west-1", "aws", "amazonaws.com", "com.amazonaws"),
        ("cn-north-1", "aws-cn", "amazonaws.com.cn", "cn.com.amazonaws"),
        ("us-gov-west-1", "aws-us-gov", "amazonaws.com", "com.amazonaws"),
    ],
)
def test_plan_mocks_answer_get_partition_from_the_facts(
    region: str, partition: str, suffix: str, reverse: str
) -> None:
    from mlops_preview.mocks import PlanMocks
    from pulumi.runtime import MockCallArgs

    answer, _ = PlanMocks(region).call(MockCallArgs("aws:index/getPartition:getPartition", {}, ""))
    assert answer == {
        "partition": partition,
        "id": partition,
        "dnsSuffix": suffix,
        "reverseDnsPrefix": reverse,
    }


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        ("141502667606.dkr.ecr.eu-west-1.amazonaws.com/xgboost:1", None),
        ("450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/xgboost:1", None),
        (
            "141502667606.dkr.ecr.eu-wset-1.amazonaws.com/xgboost:1",
            "'eu-wset-1' is not an AWS region; did you mean eu-west-1",
        ),
        (
            "450853457545.dkr.ecr.cn-north-1.amazonaws.com/xgboost:1",
            "ECR registries in cn-north-1 end in .amazonaws.com.cn, not .amazonaws.com",
        ),
    ],
)
def test_image_registry_names_a_region_and_its_partition_suffix(
    image: str, problem: str | None
) -> None:
    config = with_architecture({"pipeline": {"inference_image_uri": image}})
    if problem is None:
        # Valid in its own region (a stack in eu-west-1 refuses a cn-north-1 image).
        assert TypeAdapter(ImageUri).validate_python(image) == image
        return
    with pytest.raises(SettingsError) as caught:
        load(config)
    (line,) = str(caught.value).splitlines()[1:]
    assert line.startswith(
        f"  - mlops-iac:architectures.sagemaker_cicd.pipeline.inference_image_uri: {problem}"
    )
