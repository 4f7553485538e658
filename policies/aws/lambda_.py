"""Lambda rules (architecture 2, serverless MLOps): invoke permissions, function URLs,
runtimes, secrets in environment variables and tracing."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity

from ..framework import (
    Category,
    dig,
    is_set,
    is_unknown,
    number,
    raw,
    resource_rule,
    string_list_schema,
)

FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"

SECURITY = Category.SECURITY
MANDATORY = EnforcementLevel.MANDATORY

# Runtimes past their deprecation date in the Lambda runtime table (late 2026).
DEPRECATED_RUNTIMES = [
    "nodejs",
    "nodejs4.3",
    "nodejs4.3-edge",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "nodejs18.x",
    "nodejs20.x",
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "python3.9",
    "ruby2.5",
    "ruby2.7",
    "ruby3.2",
    "java8",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet5.0",
    "dotnet6",
    "dotnet7",
    "go1.x",
    "provided",
]

SECRET_NAME_PATTERN = r"(?i)(^|_)(SECRET|TOKEN|PASSWORD|PASSWD|PWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)($|_)"
REFERENCE_NAME_PATTERN = r"(?i)_(ARN|NAME|ID|PARAM|PARAMETER|PATH|SECRET_ID)$"
REFERENCE_VALUE_PATTERN = r"^(arn:aws[a-z-]*:(secretsmanager|ssm|kms):|/|\{\{resolve:)"
SECRET_VALUE_PATTERNS = [
    r"AKIA[0-9A-Z]{16}",
    r"ASIA[0-9A-Z]{16}",
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
    r"gh[pousr]_[A-Za-z0-9]{36}",
    r"xox[abpr]-[A-Za-z0-9-]{10,}",
    r"sk-[A-Za-z0-9_-]{20,}",
    r"hf_[A-Za-z0-9]{30,}",
]


@resource_rule(
    name="aws-lambda-permission-disallow-public-principal",
    description="Lambda invoke permissions must not grant the wildcard principal.",
    category=SECURITY,
    severity=Severity.CRITICAL,
    enforcement=MANDATORY,
    remediation="Grant a service principal (s3.amazonaws.com, apigateway.amazonaws.com) or an account/role ARN.",
    references=["FSBP Lambda.1", "CKV_AWS_301"],
    resource_types=[PERMISSION],
)
def permission_public(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """'*' lets any AWS account invoke the function, i.e. run inference or trigger
    pipeline steps at the owner's expense."""
    if args.props.get("principal") == "*":
        yield "principal is '*'."


@resource_rule(
    name="aws-lambda-permission-require-source-arn",
    description="Lambda permissions for AWS service principals must be scoped with a source ARN.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation="Set source_arn to the bucket, rule, API or topic ARN that invokes the function (and source_account for S3).",
    references=["FSBP Lambda.1", "PCP aws-lambda-permission-configure-source-arn"],
    resource_types=[PERMISSION],
)
def permission_source_arn(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Without sourceArn, any resource of that service in any account (the confused
    deputy) may invoke the function."""
    principal = args.props.get("principal")
    is_service = isinstance(principal, str) and principal.endswith(".amazonaws.com")
    if (is_service or principal == "*") and not is_set(args.props, "sourceArn"):
        yield f"principal {principal} is not scoped with sourceArn."


@resource_rule(
    name="aws-lambda-function-url-require-auth",
    description="Lambda function URLs must require IAM authentication.",
    category=SECURITY,
    severity=Severity.CRITICAL,
    enforcement=MANDATORY,
    remediation="Set authorization_type='AWS_IAM', or front the function with API Gateway and an authorizer.",
    references=["FSBP Lambda.1", "CKV_AWS_258"],
    resource_types=[FUNCTION_URL],
)
def function_url_auth(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """A NONE function URL is a public, unthrottled endpoint."""
    if args.props.get("authorizationType") == "NONE":
        yield "authorizationType is 'NONE'."


@resource_rule(
    name="aws-lambda-function-require-supported-runtime",
    description="Lambda functions must use a runtime that AWS still supports.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Move to a supported runtime (python3.12 or later, nodejs22.x, java21, provided.al2023).",
    references=["FSBP Lambda.2", "CKV_AWS_363"],
    resource_types=[FUNCTION],
    config_schema={
        "deprecatedRuntimes": string_list_schema("Runtimes to reject.", DEPRECATED_RUNTIMES)
    },
)
def supported_runtime(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Deprecated runtimes stop receiving security patches, then block updates."""
    runtime = args.props.get("runtime")
    if runtime and runtime in config["deprecatedRuntimes"]:
        yield f"runtime {runtime} is deprecated."


def _secret_findings(variables: Mapping[str, Any], config: Mapping[str, Any]) -> Iterator[str]:
    name_re = re.compile(config["secretNamePattern"])
    ref_name_re = re.compile(config["referenceNamePattern"])
    ref_value_re = re.compile(config["referenceValuePattern"])
    value_res = [re.compile(p) for p in config["secretValuePatterns"]]
    target = raw(variables)
    for name in sorted(target):
        value = target[name]
        if is_unknown(value) or not isinstance(value, str) or value == "":
            # An unknown value comes from another resource (e.g. a secret's ARN): not a literal.
            continue
        if any(p.search(value) for p in value_res):
            yield f"environment variable {name} holds a value that looks like a credential."
        elif (
            name_re.search(name) and not ref_name_re.search(name) and not ref_value_re.match(value)
        ):
            yield f"environment variable {name} looks like a secret stored in plain text."


@resource_rule(
    name="aws-lambda-function-disallow-plaintext-secrets",
    description="Lambda environment variables must not hold secrets; store them in Secrets Manager or SSM.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation=(
        "Store the value in Secrets Manager or SSM Parameter Store (SecureString), pass its ARN or "
        "name (e.g. DB_PASSWORD_SECRET_ARN) and read it at runtime."
    ),
    references=["CKV_AWS_45"],
    resource_types=[FUNCTION],
    config_schema={
        "secretNamePattern": {
            "type": "string",
            "default": SECRET_NAME_PATTERN,
            "description": "Variable names that denote a secret.",
        },
        "referenceNamePattern": {
            "type": "string",
            "default": REFERENCE_NAME_PATTERN,
            "description": "Names that hold a reference to a secret (ARN, name, id), not the secret.",
        },
        "referenceValuePattern": {
            "type": "string",
            "default": REFERENCE_VALUE_PATTERN,
            "description": "Values that are references (Secrets Manager/SSM/KMS ARNs, parameter paths).",
        },
        "secretValuePatterns": string_list_schema(
            "Values that are credentials whatever the name (AWS keys, PEM keys, GitHub/Slack/HF tokens).",
            SECRET_VALUE_PATTERNS,
        ),
    },
)
def plaintext_secrets(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Environment variables are returned in clear by lambda:GetFunctionConfiguration
    and stored in the Pulumi state; a Pulumi secret passed here is still readable by
    anyone with read access to the function."""
    variables = dig(args.props, "environment", "variables")
    if isinstance(variables, Mapping):
        yield from _secret_findings(variables, config)


@resource_rule(
    name="aws-lambda-function-require-tracing",
    description="Lambda functions must have active X-Ray tracing.",
    category=SECURITY,
    severity=Severity.LOW,
    enforcement=EnforcementLevel.ADVISORY,
    remediation="Set tracing_config={'mode': 'Active'} and allow xray:PutTraceSegments in the role.",
    references=[
        "Security Hub Lambda.7",
        "PCP aws-lambda-function-enable-tracing-config",
        "CKV_AWS_50",
    ],
    resource_types=[FUNCTION],
)
def function_tracing(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Traces tie a pipeline run across Step Functions, Lambda and SageMaker calls, which
    is how incidents in the serverless architecture are investigated. Advisory in dev and
    staging (X-Ray cost for little value), mandatory in prod."""
    mode = dig(args.props, "tracingConfig", "mode")
    if mode != "Active":
        yield f"tracingConfig.mode is {mode or 'unset (PassThrough)'}; set 'Active'."


@resource_rule(
    name="aws-lambda-function-require-dead-letter",
    description="Lambda functions must send failed asynchronous invocations to a dead-letter queue.",
    category=SECURITY,
    severity=Severity.LOW,
    enforcement=MANDATORY,
    remediation=(
        "Set dead_letter_config={'target_arn': queue.arn} with an encrypted SQS queue (or SNS "
        "topic) and allow sqs:SendMessage on it in the function's role."
    ),
    references=["CKV_AWS_116"],
    resource_types=[FUNCTION],
)
def function_dead_letter(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Lambda drops an asynchronous event after its retries; without a dead-letter queue
    a failed trigger (new data, a schedule) leaves no trace to inspect or replay."""
    if not is_set(args.props.get("deadLetterConfig"), "targetArn"):
        yield "deadLetterConfig.targetArn is not set."


@resource_rule(
    name="aws-lambda-function-require-concurrency-limit",
    description="Lambda functions must reserve (and so cap) their concurrent executions.",
    category=Category.COST,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set reserved_concurrent_executions to the most concurrent calls the function needs (at least 1).",
    references=["CKV_AWS_115"],
    resource_types=[FUNCTION],
)
def function_concurrency(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """An uncapped function scales until the account's concurrency is gone: a burst of
    inference calls or a loop of triggers bills without bound and starves every other
    function. 0 disables the function, so it counts as unset here."""
    reserved = number(args.props.get("reservedConcurrentExecutions"))
    if is_unknown(args.props.get("reservedConcurrentExecutions")):
        return
    if reserved is None or reserved < 1:
        yield "reservedConcurrentExecutions is not set to 1 or more."


@resource_rule(
    name="aws-lambda-function-require-kms-for-environment",
    description="Lambda functions with environment variables must encrypt them with a customer-managed KMS key.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set kms_key_arn to the stack's key and allow kms:Decrypt on it in the function's role.",
    references=["CKV_AWS_173"],
    resource_types=[FUNCTION],
)
def function_environment_kms(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[str]:
    """With the AWS managed key anyone who may read the function's configuration reads
    its environment; a customer-managed key adds a key policy and CloudTrail records."""
    variables = dig(args.props, "environment", "variables")
    if isinstance(variables, Mapping) and raw(variables) and not is_set(args.props, "kmsKeyArn"):
        yield "environment variables are set but kmsKeyArn is not."
