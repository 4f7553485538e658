"""SageMaker security rules: notebooks, Studio domains, models, endpoint configurations,
monitoring jobs, feature groups and pipelines (architecture 1, SageMaker CI/CD)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mlops_components.aws import facts
from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import (
    Category,
    dig,
    fmt_number,
    is_set,
    items,
    matches_any,
    number,
    resource_rule,
    truthy,
)

NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"
DOMAIN = "aws:sagemaker/domain:Domain"
MODEL = "aws:sagemaker/model:Model"
ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
DATA_QUALITY_JOB = "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
MONITORING_SCHEDULE = "aws:sagemaker/monitoringSchedule:MonitoringSchedule"
FEATURE_GROUP = "aws:sagemaker/featureGroup:FeatureGroup"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"

SECURITY = Category.SECURITY
MANDATORY = EnforcementLevel.MANDATORY
ADVISORY = EnforcementLevel.ADVISORY

# Instance families with NVMe instance storage: the volume is encrypted in hardware and
# SageMaker rejects a KmsKeyId for them (CreateEndpointConfig API reference). The
# families come from mlops_components.aws.facts (data/sagemaker-instance-storage.json).
LOCAL_STORAGE_TYPES = [f"ml.{name}.*" for name in sorted(facts.local_storage_families())]


@resource_rule(
    name="aws-sagemaker-notebook-disallow-direct-internet",
    description="SageMaker notebook instances must not have direct internet access.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation=(
        "Set direct_internet_access='Disabled' and give the notebook a private subnet "
        "with VPC endpoints (or a NAT gateway) for the services it needs."
    ),
    references=["FSBP SageMaker.1", "CKV_AWS_122"],
    resource_types=[NOTEBOOK],
)
def notebook_direct_internet(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """AWS enables direct internet access by default, which gives a notebook holding
    training data and credentials an unmonitored path out of the VPC."""
    value = args.props.get("directInternetAccess")
    if value != "Disabled":
        yield f"directInternetAccess is {value or 'unset (AWS default: Enabled)'!s}; set it to 'Disabled'."


@resource_rule(
    name="aws-sagemaker-notebook-disallow-root-access",
    description="SageMaker notebook instances must not give users root access.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set root_access='Disabled'; install packages through lifecycle configurations.",
    references=["FSBP SageMaker.3", "CKV_AWS_307"],
    resource_types=[NOTEBOOK],
)
def notebook_root_access(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Root on the notebook lets a user change its network and credential setup; AWS
    enables it by default."""
    value = args.props.get("rootAccess")
    if value != "Disabled":
        yield f"rootAccess is {value or 'unset (AWS default: Enabled)'!s}; set it to 'Disabled'."


@resource_rule(
    name="aws-sagemaker-notebook-require-vpc",
    description="SageMaker notebook instances must run in a VPC subnet with security groups.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set subnet_id and security_groups to a private subnet and a restrictive group.",
    references=["FSBP SageMaker.2", "CKV_AWS_306"],
    resource_types=[NOTEBOOK],
)
def notebook_vpc(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Without a subnet the notebook runs in an AWS-managed network that VPC flow logs,
    security groups and endpoint policies cannot see."""
    if not is_set(args.props, "subnetId"):
        yield "subnetId is not set; the notebook is not attached to a VPC."
    if not is_set(args.props, "securityGroups"):
        yield "securityGroups is empty; attach at least one security group."


@resource_rule(
    name="aws-sagemaker-notebook-require-kms",
    description="SageMaker notebook instance volumes must be encrypted with a customer-managed KMS key.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set kms_key_id to the ARN of a customer-managed KMS key with rotation enabled.",
    references=["Security Hub SageMaker.21", "CKV_AWS_22", "CKV_AWS_187"],
    resource_types=[NOTEBOOK],
)
def notebook_kms(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A customer-managed key lets the platform team audit and revoke access to the ML
    storage volume, which holds copies of training data."""
    if not is_set(args.props, "kmsKeyId"):
        yield "kmsKeyId is not set; the volume uses an AWS-owned key."


@resource_rule(
    name="aws-sagemaker-notebook-require-imdsv2",
    description="SageMaker notebook instances must allow only IMDSv2.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation=(
        "Set instance_metadata_service_configuration="
        "{'minimum_instance_metadata_service_version': '2'}."
    ),
    references=["CKV_AWS_371"],
    resource_types=[NOTEBOOK],
)
def notebook_imdsv2(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """IMDSv1 answers unauthenticated GETs, so a server-side request forgery in notebook
    code can read the execution role's credentials."""
    version = dig(
        args.props, "instanceMetadataServiceConfiguration", "minimumInstanceMetadataServiceVersion"
    )
    if str(version) != "2":
        yield (
            "instanceMetadataServiceConfiguration.minimumInstanceMetadataServiceVersion is "
            f"{version or 'unset (AWS default: 1)'!s}; set it to '2'."
        )


@resource_rule(
    name="aws-sagemaker-notebook-require-lifecycle-config",
    description="SageMaker notebook instances should have a lifecycle configuration that stops them when idle.",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=ADVISORY,
    remediation=(
        "Attach a lifecycle configuration (lifecycle_config_name) whose on-start script runs "
        "the AWS auto-stop-idle sample, or move interactive work to a Studio domain with idle shutdown."
    ),
    references=[
        "none (project rule: no public control requires notebook instances to stop when idle)"
    ],
    resource_types=[NOTEBOOK],
)
def notebook_lifecycle(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A forgotten notebook instance bills around the clock; an on-start auto-stop script
    is the only idle control notebook instances have. Advisory: the rule cannot read the
    script, only that one is attached."""
    if not is_set(args.props, "lifecycleConfigName"):
        yield "lifecycleConfigName is not set; nothing stops the instance when it is idle."


@resource_rule(
    name="aws-sagemaker-domain-require-vpc-only",
    description="SageMaker Studio domains must route all traffic through the VPC (VpcOnly).",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set app_network_access_type='VpcOnly' and provide VPC endpoints for SageMaker, S3 and STS.",
    references=[
        "none (project rule: no public control checks a Studio domain's network access type; the direct-internet controls cover notebook instances only)"
    ],
    resource_types=[DOMAIN],
)
def domain_vpc_only(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """The default, PublicInternetOnly, gives every Studio app direct internet access
    outside the VPC's controls."""
    value = args.props.get("appNetworkAccessType")
    if value != "VpcOnly":
        yield f"appNetworkAccessType is {value or 'unset (AWS default: PublicInternetOnly)'!s}; set it to 'VpcOnly'."


@resource_rule(
    name="aws-sagemaker-domain-require-kms",
    description="SageMaker Studio domains must encrypt their EFS volume with a customer-managed KMS key.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set kms_key_id to a customer-managed KMS key ARN.",
    references=["CKV_AWS_187"],
    resource_types=[DOMAIN],
)
def domain_kms(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """The domain's EFS home directories hold notebooks and data extracts of every user."""
    if not is_set(args.props, "kmsKeyId"):
        yield "kmsKeyId is not set; the domain's EFS volume uses an AWS-owned key."


@resource_rule(
    name="aws-sagemaker-domain-require-idle-shutdown",
    description="SageMaker Studio domains must shut JupyterLab apps down when they are idle.",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation=(
        "Set default_user_settings.jupyter_lab_app_settings.app_lifecycle_management.idle_settings "
        "= {'lifecycle_management': 'ENABLED', 'idle_timeout_in_minutes': 60}."
    ),
    references=[
        "none (project rule: no public control requires Studio apps to shut down when idle)"
    ],
    resource_types=[DOMAIN],
    config_schema={
        "maxIdleTimeoutMinutes": {
            "type": "number",
            "minimum": 60,
            "default": 240,
            "description": "Longest idle timeout accepted, in minutes (SageMaker accepts 60-525600).",
        }
    },
)
def domain_idle_shutdown(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Studio apps run on instances billed per second until someone stops them; idle
    shutdown is the cheapest guardrail against GPU notebooks left running overnight."""
    idle = dig(
        args.props,
        "defaultUserSettings",
        "jupyterLabAppSettings",
        "appLifecycleManagement",
        "idleSettings",
    )
    if not isinstance(idle, Mapping) or idle.get("lifecycleManagement") != "ENABLED":
        yield (
            "defaultUserSettings.jupyterLabAppSettings.appLifecycleManagement.idleSettings."
            "lifecycleManagement is not 'ENABLED'; idle apps keep running."
        )
        return
    timeout = number(idle.get("idleTimeoutInMinutes"))
    limit = float(config["maxIdleTimeoutMinutes"])
    if timeout is None or timeout > limit:
        shown = fmt_number(timeout) if timeout is not None else "unset"
        yield f"idleTimeoutInMinutes is {shown}; set at most {fmt_number(limit)} minutes."


@resource_rule(
    name="aws-sagemaker-model-require-network-isolation",
    description="SageMaker models must run their containers with network isolation.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set enable_network_isolation=True; model artifacts are still fetched by SageMaker from S3.",
    references=["FSBP SageMaker.5", "CKV_AWS_370"],
    resource_types=[MODEL],
)
def model_network_isolation(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """An isolated inference container cannot call out, so a compromised model or
    dependency cannot exfiltrate requests. Advisory in dev: SageMaker Serverless
    Inference, the dev hosting option, supports neither network isolation nor a VPC."""
    if not truthy(args.props.get("enableNetworkIsolation")):
        yield "enableNetworkIsolation is not true."


@resource_rule(
    name="aws-sagemaker-model-require-vpc",
    description="SageMaker models must run in the VPC (vpc_config with subnets and security groups).",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set vpc_config={'subnets': [...private subnets...], 'security_group_ids': [...]}.",
    references=[
        "none (project rule: no public control requires a SageMaker model's VPC configuration; the model VPC controls check the image registry instead)"
    ],
    resource_types=[MODEL],
)
def model_vpc(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Without a VPC config, the endpoint's network interfaces live outside the platform's
    security groups and flow logs. Advisory in dev for the same reason as network
    isolation: serverless endpoints reject a VPC config."""
    vpc = args.props.get("vpcConfig")
    if (
        not isinstance(vpc, Mapping)
        or not is_set(vpc, "subnets")
        or not is_set(vpc, "securityGroupIds")
    ):
        yield "vpcConfig with subnets and securityGroupIds is not set."


def _variants(props: Mapping[str, Any]) -> list[Any]:
    return items(props.get("productionVariants")) + items(props.get("shadowProductionVariants"))


@resource_rule(
    name="aws-sagemaker-endpoint-config-require-kms",
    description="SageMaker endpoint configurations must encrypt instance storage with a customer-managed KMS key.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation=(
        "Set kms_key_arn. Instance types with NVMe instance storage (configured in "
        "localStorageInstanceTypes) are exempt because AWS encrypts them in hardware and rejects the key."
    ),
    references=["CKV_AWS_98"],
    resource_types=[ENDPOINT_CONFIG],
    config_schema={
        "localStorageInstanceTypes": {
            "type": "array",
            "items": {"type": "string"},
            "default": LOCAL_STORAGE_TYPES,
            "description": "Instance-type patterns with hardware-encrypted instance storage (exempt).",
        }
    },
)
def endpoint_config_kms(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """The ML storage volume holds the model artifact and, with async inference, payloads.
    Serverless variants have no volume, and local-NVMe instance types cannot take a key."""
    if is_set(args.props, "kmsKeyArn"):
        return
    exempt = config["localStorageInstanceTypes"]
    needs_key = []
    for variant in _variants(args.props):
        if is_set(variant, "serverlessConfig"):
            continue
        instance_type = str(variant.get("instanceType") or "")
        if instance_type and matches_any(instance_type, exempt):
            continue
        needs_key.append(str(variant.get("variantName") or instance_type or "variant"))
    if needs_key:
        yield f"kmsKeyArn is not set; variants {', '.join(needs_key)} have EBS-backed storage."


@resource_rule(
    name="aws-sagemaker-endpoint-config-require-data-capture-kms",
    description="SageMaker endpoint data capture must encrypt captured payloads with a KMS key.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set data_capture_config.kms_key_id to a customer-managed KMS key ARN.",
    references=[
        "none (project rule: no public control checks the KMS key of endpoint data capture; the endpoint encryption checks cover its storage volume)"
    ],
    resource_types=[ENDPOINT_CONFIG],
)
def endpoint_config_capture_kms(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """Captured requests and responses are production inference data, often personal
    data, written to S3."""
    capture = args.props.get("dataCaptureConfig")
    if not isinstance(capture, Mapping):
        return
    enabled = capture.get("enableCapture")
    if enabled is not None and not truthy(enabled):
        return
    if not is_set(capture, "kmsKeyId"):
        yield "dataCaptureConfig is enabled but dataCaptureConfig.kmsKeyId is not set."


@resource_rule(
    name="aws-sagemaker-endpoint-config-require-multi-instance",
    description="Instance-based SageMaker endpoint variants must run at least two instances for availability.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=ADVISORY,
    remediation="Set initial_instance_count >= 2 (SageMaker spreads instances across Availability Zones).",
    references=["FSBP SageMaker.4"],
    resource_types=[ENDPOINT_CONFIG],
    config_schema={
        "minInstances": {
            "type": "number",
            "minimum": 1,
            "default": 2,
            "description": "Minimum instances per variant.",
        }
    },
)
def endpoint_config_multi_instance(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """One instance is one Availability Zone. Only required in prod (mandatory there);
    dev and staging deliberately run a single instance or serverless to save cost, and
    serverless variants are exempt because AWS runs them across zones."""
    minimum = float(config["minInstances"])
    for variant in items(args.props.get("productionVariants")):
        if is_set(variant, "serverlessConfig"):
            continue
        count = number(variant.get("initialInstanceCount"))
        scaling = variant.get("managedInstanceScaling")
        if isinstance(scaling, Mapping) and scaling.get("status") == "ENABLED":
            count = number(scaling.get("minInstanceCount"))
        if count is None or count < minimum:
            name = variant.get("variantName") or variant.get("instanceType") or "variant"
            shown = fmt_number(count) if count is not None else "an unset number of"
            yield f"variant {name} runs {shown} instance(s); at least {fmt_number(minimum)} required."


def _monitoring_job(args: ResourceValidationArgs) -> dict[str, Any] | None:
    """(networkConfig, has volume key, has output key) for a job definition or an inline
    schedule; ``None`` when a schedule only references a job definition by name."""
    props = args.props
    if args.resource_type == DATA_QUALITY_JOB:
        return {
            "network": props.get("networkConfig"),
            "volume": is_set(dig(props, "jobResources", "clusterConfig") or {}, "volumeKmsKeyId"),
            "output": is_set(props.get("dataQualityJobOutputConfig") or {}, "kmsKeyId"),
            "prefix": "",
        }
    job = dig(props, "monitoringScheduleConfig", "monitoringJobDefinition")
    if not isinstance(job, Mapping):
        return None
    return {
        "network": job.get("networkConfig"),
        "volume": is_set(dig(job, "monitoringResources", "clusterConfig") or {}, "volumeKmsKeyId"),
        "output": is_set(job.get("monitoringOutputConfig") or {}, "kmsKeyId"),
        "prefix": "monitoringScheduleConfig.monitoringJobDefinition.",
    }


@resource_rule(
    name="aws-sagemaker-monitoring-require-network-isolation",
    description="SageMaker monitoring jobs must run with network isolation.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set network_config.enable_network_isolation=True on the job definition or inline schedule job.",
    references=["Security Hub SageMaker.11", "Security Hub SageMaker.14"],
    resource_types=[DATA_QUALITY_JOB, MONITORING_SCHEDULE],
)
def monitoring_network_isolation(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """Monitoring containers read captured production payloads; isolation stops them
    from sending that data anywhere but the configured output."""
    job = _monitoring_job(args)
    if job is None:
        return
    network = job["network"]
    if not isinstance(network, Mapping) or not truthy(network.get("enableNetworkIsolation")):
        yield f"{job['prefix']}networkConfig.enableNetworkIsolation is not true."


@resource_rule(
    name="aws-sagemaker-monitoring-require-inter-container-encryption",
    description="SageMaker monitoring jobs must encrypt traffic between their containers.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set network_config.enable_inter_container_traffic_encryption=True.",
    references=["Security Hub SageMaker.9", "Security Hub SageMaker.22", "CKV_AWS_369"],
    resource_types=[DATA_QUALITY_JOB, MONITORING_SCHEDULE],
)
def monitoring_inter_container_encryption(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """Distributed processing exchanges payload data between instances in clear text
    unless this flag is set."""
    job = _monitoring_job(args)
    if job is None:
        return
    network = job["network"]
    if not isinstance(network, Mapping) or not truthy(
        network.get("enableInterContainerTrafficEncryption")
    ):
        yield f"{job['prefix']}networkConfig.enableInterContainerTrafficEncryption is not true."


@resource_rule(
    name="aws-sagemaker-monitoring-require-kms",
    description="SageMaker monitoring jobs must encrypt their volumes and outputs with KMS keys.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set the cluster config's volume_kms_key_id and the output config's kms_key_id.",
    references=["CKV_AWS_367", "CKV_AWS_368"],
    resource_types=[DATA_QUALITY_JOB, MONITORING_SCHEDULE],
)
def monitoring_kms(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Monitoring volumes and reports contain samples of production inference data."""
    job = _monitoring_job(args)
    if job is None:
        return
    if not job["volume"]:
        yield "the monitoring cluster config has no volumeKmsKeyId."
    if not job["output"]:
        yield "the monitoring output config has no kmsKeyId."


@resource_rule(
    name="aws-sagemaker-feature-group-require-kms",
    description="SageMaker Feature Store online and offline stores must use customer-managed KMS keys.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation=(
        "Set online_store_config.security_config.kms_key_id and "
        "offline_store_config.s3_storage_config.kms_key_id."
    ),
    references=["Security Hub SageMaker.17", "Security Hub SageMaker.18"],
    resource_types=[FEATURE_GROUP],
)
def feature_group_kms(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Feature stores hold curated, joined training data: the most valuable copy."""
    online = args.props.get("onlineStoreConfig")
    online_enabled = isinstance(online, Mapping) and truthy(online.get("enableOnlineStore"))
    if online_enabled and not is_set(dig(online, "securityConfig") or {}, "kmsKeyId"):
        yield "onlineStoreConfig.securityConfig.kmsKeyId is not set."
    offline = args.props.get("offlineStoreConfig")
    if isinstance(offline, Mapping) and not is_set(
        offline.get("s3StorageConfig") or {}, "kmsKeyId"
    ):
        yield "offlineStoreConfig.s3StorageConfig.kmsKeyId is not set."


@resource_rule(
    name="aws-sagemaker-pipeline-require-role",
    description="SageMaker pipelines must run with an explicit execution role.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set role_arn to a least-privilege pipeline execution role.",
    references=[
        "none (project rule: no public control requires a SageMaker pipeline's execution role)"
    ],
    resource_types=[PIPELINE],
)
def pipeline_role(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """The role decides what every step may touch; leaving it to whoever starts the
    pipeline makes the permissions unreviewable."""
    if not is_set(args.props, "roleArn"):
        yield "roleArn is not set."
