"""A Lambda function with its own least-privilege role, encrypted log group, dead-letter
queue, reserved concurrency, X-Ray tracing and KMS-encrypted environment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi_aws as aws

from ..naming import child
from ..settings.serverless import FunctionSettings
from .iam import ScopedRole, ScopedRoleArgs, Statement, allow
from .logs import encrypted_log_group

RUNTIME = aws.lambda_.Runtime.PYTHON3D13
"""Python 3.13: in the provider's ``Runtime`` enum and supported by AWS until 2029
(Lambda runtimes table, "Supported runtimes")."""
HANDLER = "handler.handler"
"""``handler.py``'s ``handler`` function in the function's source folder."""
DLQ_RETENTION_SECONDS = 14 * 24 * 3600
"""Failed asynchronous events stay 14 days (SQS's maximum) for inspection or replay."""
XRAY_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
"""What active tracing needs; X-Ray has no resource-level permissions for them."""


@dataclass
class LambdaFunctionArgs:
    settings: FunctionSettings
    source_dir: Path
    """Folder whose ``handler.py`` is zipped as the function's code (``source_dir``
    gives the handlers shipped here); ignored when ``settings.image_uri`` names an image."""
    description: str
    kms_key_arn: pulumi.Input[str]
    """Encrypts the environment, the log group and the dead-letter queue."""
    tags: Mapping[str, str]
    log_retention_days: int = 30
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Plain configuration (names, ARNs, thresholds); secrets go in ``settings.secret_arns``."""
    statements: Sequence[Statement] = ()
    """What the function's code may do besides logging, tracing and its dead-letter queue."""


class LambdaFunction(pulumi.ComponentResource):
    """``<name>``: the function; ``<name>-role``, ``<name>-logs``, ``<name>-dlq``.

    Asynchronous invocations that fail after Lambda's retries land in the dead-letter
    queue; synchronous callers (Step Functions, API Gateway) get the error and retry
    themselves."""

    function: aws.lambda_.Function
    role: ScopedRole
    log_group: aws.cloudwatch.LogGroup
    dead_letter_queue: aws.sqs.Queue
    function_arn: pulumi.Output[str]
    function_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: LambdaFunctionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:aws:LambdaFunction", name, None, opts)
        s = args.settings
        tags = dict(args.tags)
        here = pulumi.ResourceOptions(parent=self)
        self.log_group = encrypted_log_group(
            child(name, "logs"),
            log_group_name=None,
            retention_days=args.log_retention_days,
            kms_key_arn=args.kms_key_arn,
            tags=tags,
            opts=here,
        )
        self.dead_letter_queue = aws.sqs.Queue(
            child(name, "dlq"),
            kms_master_key_id=args.kms_key_arn,
            kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            tags=tags,
            opts=here,
        )
        self.role = ScopedRole(
            child(name, "role"),
            ScopedRoleArgs(
                service_principals=["lambda.amazonaws.com"],
                description=args.description,
                tags=tags,
                policies={"function": self._statements(args)},
            ),
            opts=here,
        )
        image = s.image_uri
        environment = {**args.environment, **s.secret_arns}
        self.function = aws.lambda_.Function(
            name,
            description=args.description,
            role=self.role.role_arn,
            architectures=[s.architecture],
            memory_size=s.memory_mb,
            timeout=s.timeout_seconds,
            reserved_concurrent_executions=s.reserved_concurrency,
            kms_key_arn=args.kms_key_arn,
            environment={"variables": environment} if environment else None,
            dead_letter_config={"target_arn": self.dead_letter_queue.arn},
            tracing_config={"mode": "Active"},
            logging_config={"log_format": "JSON", "log_group": self.log_group.name},
            package_type="Image" if image else "Zip",
            image_uri=image,
            runtime=None if image else RUNTIME,
            handler=None if image else HANDLER,
            code=None if image else handler_archive(args.source_dir),
            tags=tags,
            opts=here,
        )
        self.function_arn = self.function.arn
        self.function_name = self.function.name
        self.register_outputs(
            {"function_arn": self.function_arn, "function_name": self.function_name}
        )

    def _statements(self, args: LambdaFunctionArgs) -> list[Statement]:
        secrets = sorted(args.settings.secret_arns.values())
        found = [
            allow(
                "Logs",
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                [self.log_group.arn.apply(lambda a: f"{a}:*")],
            ),
            allow("Tracing", list(XRAY_ACTIONS), ["*"]),
            allow("DeadLetters", ["sqs:SendMessage"], [self.dead_letter_queue.arn]),
            # The environment, the queue's messages and the code's reads of encrypted
            # S3 objects all use the stack key.
            allow("StackKey", ["kms:Decrypt", "kms:GenerateDataKey"], [args.kms_key_arn]),
        ]
        sm_secrets = [a for a in secrets if a.split(":")[2] == "secretsmanager"]
        parameters = [a for a in secrets if a.split(":")[2] == "ssm"]
        if sm_secrets:
            found.append(allow("ReadSecrets", ["secretsmanager:GetSecretValue"], sm_secrets))
        if parameters:
            found.append(allow("ReadParameters", ["ssm:GetParameter"], parameters))
        return [*found, *args.statements]


def handler_archive(source_dir: Path) -> pulumi.AssetArchive:
    """``handler.py`` of ``source_dir`` alone, zipped: no ``__pycache__`` or package
    marker. Its text goes in as a ``StringAsset``, so the state records content only,
    never the checkout's path: a preview from another machine or CI shows no change
    unless the handler itself changed."""
    handler = source_dir / "handler.py"
    if not handler.is_file():
        raise ValueError(f"source_dir: {source_dir} has no handler.py")
    return pulumi.AssetArchive({"handler.py": pulumi.StringAsset(handler.read_text("utf-8"))})


def source_dir(role: str) -> Path:
    """The folder of a handler shipped with this package (``aws/functions/<role>``)."""
    return Path(__file__).resolve().parent / "functions" / role
