"""What the SageMaker roles of an architecture may do, as IAM statements.

Each function returns the statements of one role, scoped to the stack's own buckets,
key, VPC and registry. Every feature that needs more adds exactly what the AWS
documentation or managed policy for that feature lists, scoped to the stack's
resources (see each function). The ``ScopedRole`` block checks every statement
against its denylist before anything is created.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from ..settings.aws import ModelSource
from .arns import AccountArns, objects
from .iam import Statement, allow

KEY_USE = ("kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant")
"""What SageMaker needs on the stack key for a job's or endpoint's encrypted volumes,
outputs and captured data (KMS grants let SageMaker use the key for the instance's
storage)."""


@dataclass
class StackResources:
    """The resources a stack's SageMaker roles are scoped to."""

    arns: AccountArns
    key_arn: pulumi.Input[str]
    data_bucket_arn: pulumi.Input[str]
    artifacts_bucket_arn: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    model_group_name: pulumi.Input[str]
    image_uris: Sequence[str] = ()
    """ECR images the roles run (``<account>.dkr.ecr.<region>.amazonaws.com/...``):
    image pulls are scoped to their registries' accounts in the stack's region; empty:
    any repository."""


def registry_accounts(image_uris: Sequence[str]) -> list[str]:
    """The accounts of the ECR registries of ``image_uris``, each once, sorted."""
    return sorted({uri.split(".", 1)[0] for uri in image_uris})


def runtime(res: StackResources) -> list[Statement]:
    """Logs, metrics, image pulls and the stack key: every SageMaker role needs them
    (SageMaker developer guide, "CreateTrainingJob API: Execution Role Permissions")."""
    return [
        allow(
            "Logs",
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            [res.arns.regional("logs", "log-group:/aws/sagemaker/*")],
        ),
        allow(
            "Metrics",
            ["cloudwatch:PutMetricData"],
            ["*"],
            {"StringLike": {"cloudwatch:namespace": ["aws/sagemaker/*", "/aws/sagemaker/*"]}},
        ),
        # GetAuthorizationToken has no resource-level permissions.
        allow("PullImagesToken", ["ecr:GetAuthorizationToken"], ["*"]),
        allow(
            "PullImages",
            ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
            [
                res.arns.in_account("ecr", a, "repository/*")
                for a in registry_accounts(res.image_uris)
            ]
            or ["arn:aws:ecr:*:*:repository/*"],
        ),
        allow("StackKey", KEY_USE, [res.key_arn]),
    ]


def network(res: StackResources) -> list[Statement]:
    """What SageMaker needs to place jobs and models in the private subnets. Describe
    calls cannot be scoped to resources; ENI changes are scoped to the stack's VPC."""
    vpc_arn = pulumi.Output.all(res.arns.partition, res.arns.account_id, res.vpc_id).apply(
        lambda v: f"arn:{v[0]}:ec2:*:{v[1]}:vpc/{v[2]}"
    )
    describe = ["Vpcs", "Subnets", "SecurityGroups", "DhcpOptions", "NetworkInterfaces"]
    change = [
        "CreateNetworkInterface",
        "CreateNetworkInterfacePermission",
        "DeleteNetworkInterface",
        "DeleteNetworkInterfacePermission",
    ]
    return [
        allow("DescribeNetwork", [f"ec2:Describe{d}" for d in describe], ["*"]),
        allow(
            "NetworkInterfacesInStackVpc",
            [f"ec2:{c}" for c in change],
            ["*"],
            {"ArnEquals": {"ec2:Vpc": vpc_arn}},
        ),
    ]


def mlflow_server_arn(res: StackResources, server_name: str) -> pulumi.Output[str]:
    return res.arns.regional("sagemaker", f"mlflow-tracking-server/{server_name}")


def jobs(res: StackResources, *, feature_store: bool, mlflow_server: str | None) -> list[Statement]:
    """Processing and training jobs (and Studio users, who share the role): read data,
    read and write artifacts.

    - ``feature_store``: the offline store writes Parquet files with the role and
      checks the bucket's ACL: ``s3:PutObjectAcl`` and ``s3:GetBucketAcl``, as the AWS
      managed policy ``AmazonSageMakerFeatureStoreAccess`` grants (here only on the
      ``feature-store/`` prefix and the artifacts bucket).
    - ``mlflow_server``: logging runs to the managed MLflow tracking server needs the
      ``sagemaker-mlflow`` actions on that server, and Studio's MLflow UI a presigned
      URL (SageMaker developer guide, "Set up IAM permissions for MLflow"), scoped to
      the one server.
    """
    data, artifacts = res.data_bucket_arn, res.artifacts_bucket_arn
    statements = [
        allow("ReadData", ["s3:GetObject", "s3:ListBucket"], [data, objects(data)]),
        allow(
            "ReadWriteArtifacts",
            ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:AbortMultipartUpload"],
            [artifacts, objects(artifacts)],
        ),
        *runtime(res),
        *network(res),
    ]
    if feature_store:
        statements += [
            allow(
                "FeatureStoreOfflineObjects",
                ["s3:PutObjectAcl"],
                [objects(artifacts, "feature-store/")],
            ),
            allow("FeatureStoreOfflineBucket", ["s3:GetBucketAcl"], [artifacts]),
        ]
    if mlflow_server is not None:
        statements.append(
            allow(
                "UseMlflowTrackingServer",
                ["sagemaker-mlflow:*", "sagemaker:CreatePresignedMlflowTrackingServerUrl"],
                [mlflow_server_arn(res, mlflow_server)],
            )
        )
    return statements


def model(
    res: StackResources,
    *,
    rollback_alarm_arns: Sequence[pulumi.Input[str]],
    source: ModelSource | None,
) -> list[Statement]:
    """Endpoint models: read model artifacts under ``models/`` (this stack's, or those
    of the producing stack in ``source``), write captured requests, and read the
    rollback alarms, which deployment guardrails require of the execution role
    (SageMaker developer guide, "Auto-Rollback Configuration and Monitoring").

    With ``source``, the role gets the consumer side of the cross-account grant:
    ``s3:GetObject`` on the producer's ``models/`` and ``kms:Decrypt`` on the
    producer's key (the producer's bucket and key policies grant the other side).
    """
    artifacts = res.artifacts_bucket_arn
    statements = [
        allow("ReadModelArtifacts", ["s3:GetObject"], [objects(artifacts, "models/")]),
        allow("WriteDataCapture", ["s3:PutObject"], [objects(artifacts, "data-capture/")]),
        *runtime(res),
        *network(res),
    ]
    if source is not None:
        statements += [
            allow(
                "ReadSourceModelArtifacts",
                ["s3:GetObject"],
                [res.arns.s3_objects(source.artifacts_bucket, "models/")],
            ),
            allow("DecryptSourceModelArtifacts", ["kms:Decrypt"], [source.kms_key_arn]),
        ]
    if rollback_alarm_arns:
        statements.append(
            allow(
                "DescribeRollbackAlarms", ["cloudwatch:DescribeAlarms"], list(rollback_alarm_arns)
            )
        )
    return statements


def pipeline(res: StackResources, job_role_arn: pulumi.Input[str]) -> list[Statement]:
    """Runs the pipeline: starts jobs with the job role, registers model packages,
    reads evaluation reports for the metric condition."""
    group = pulumi.Output.from_input(res.model_group_name)
    job_verbs = ["Create", "Describe", "Stop"]
    return [
        allow(
            "RunJobs",
            [
                f"sagemaker:{verb}{kind}Job"
                for kind in ("Processing", "Training")
                for verb in job_verbs
            ]
            + ["sagemaker:AddTags"],
            [
                res.arns.regional("sagemaker", "processing-job/*"),
                res.arns.regional("sagemaker", "training-job/*"),
            ],
        ),
        allow(
            "RegisterModels",
            [
                "sagemaker:CreateModelPackage",
                "sagemaker:DescribeModelPackage",
                "sagemaker:DescribeModelPackageGroup",
                "sagemaker:AddTags",
            ],
            [
                res.arns.regional("sagemaker", group.apply(lambda g: f"model-package-group/{g}")),
                res.arns.regional("sagemaker", group.apply(lambda g: f"model-package/{g}/*")),
            ],
        ),
        allow(
            "PassJobRole",
            ["iam:PassRole"],
            [job_role_arn],
            {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        ),
        allow(
            "ReadEvaluationReports",
            ["s3:GetObject"],
            [objects(res.artifacts_bucket_arn, "reports/")],
        ),
        allow("StackKey", KEY_USE, [res.key_arn]),
    ]


def mlflow_server(res: StackResources) -> list[Statement]:
    """The tracking server's own role: its artifact store under ``mlflow/`` (SageMaker
    developer guide, "Set up IAM permissions for MLflow": S3 get, put and list on the
    artifact store); no model registration (``automatic_model_registration`` off)."""
    artifacts = res.artifacts_bucket_arn
    return [
        allow(
            "ExperimentArtifacts",
            ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetBucketLocation"],
            [artifacts, objects(artifacts, "mlflow/")],
        ),
        allow("StackKey", ("kms:Decrypt", "kms:GenerateDataKey"), [res.key_arn]),
    ]


def consumer_registry_policy(
    arns: AccountArns, group_name: pulumi.Input[str], accounts: Sequence[str]
) -> pulumi.Output[dict]:
    """The model package group's resource policy for consumer accounts: what they need
    to deploy a version (SageMaker developer guide, "Deploy a Model Version from a
    Different Account"): describe and list the group's packages and create a model from
    one. ``UpdateModelPackage`` is not granted: approval stays with the producer."""
    group_arn = arns.regional(
        "sagemaker",
        pulumi.Output.from_input(group_name).apply(lambda g: f"model-package-group/{g}"),
    )
    packages_arn = arns.regional(
        "sagemaker", pulumi.Output.from_input(group_name).apply(lambda g: f"model-package/{g}/*")
    )
    principals = [arns.account_root(a) for a in sorted(accounts)]
    return pulumi.Output.all(group_arn, packages_arn, *principals).apply(
        lambda v: {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ConsumersDescribeGroup",
                    "Effect": "Allow",
                    "Principal": {"AWS": list(v[2:])},
                    "Action": ["sagemaker:DescribeModelPackageGroup"],
                    "Resource": v[0],
                },
                {
                    "Sid": "ConsumersDeployPackages",
                    "Effect": "Allow",
                    "Principal": {"AWS": list(v[2:])},
                    "Action": [
                        "sagemaker:DescribeModelPackage",
                        "sagemaker:ListModelPackages",
                        "sagemaker:CreateModel",
                    ],
                    "Resource": v[1],
                },
            ],
        }
    )
