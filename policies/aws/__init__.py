"""AWS rules, one module per service; importing this package registers all of them."""

from . import (
    apigateway,
    cloudwatch,
    cost,
    ecr,
    ecs,
    eks,
    iam,
    kms,
    lambda_,
    s3,
    sagemaker,
    scheduler,
    sqs,
    stack,
    stepfunctions,
    tags,
)

__all__ = [
    "apigateway",
    "cloudwatch",
    "cost",
    "ecr",
    "ecs",
    "eks",
    "iam",
    "kms",
    "lambda_",
    "s3",
    "sagemaker",
    "scheduler",
    "sqs",
    "stack",
    "stepfunctions",
    "tags",
]
