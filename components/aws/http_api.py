"""An API Gateway HTTP API in front of one Lambda function: authorizer, throttling,
encrypted access logs and an optional custom domain."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..naming import child
from ..settings.serverless import InferenceApiSettings
from .logs import encrypted_log_group

ROUTE_KEY = "POST /predict"
STAGE = "$default"
INTEGRATION_TIMEOUT_MS = 30000
"""HTTP API integrations time out after at most 30 s."""
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "sourceIp": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "integrationLatency": "$context.integrationLatency",
    "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error",
}
"""One JSON line per request (API Gateway developer guide, "Customizing HTTP API access
logs"); no request bodies or headers, so no payload or token reaches the logs."""


@dataclass
class InferenceApiArgs:
    settings: InferenceApiSettings
    function_arn: pulumi.Input[str]
    function_name: pulumi.Input[str]
    function_timeout_seconds: int
    kms_key_arn: pulumi.Input[str]
    tags: Mapping[str, str]
    log_retention_days: int = 30


class InferenceApi(pulumi.ComponentResource):
    """``<name>``: the HTTP API; ``<name>-authorizer`` (JWT), ``<name>-integration``,
    ``<name>-route``, ``<name>-stage``, ``<name>-logs``, ``<name>-invoke`` (the Lambda
    permission); with a custom domain ``<name>-domain`` and ``<name>-mapping``."""

    api: aws.apigatewayv2.Api
    authorizer: aws.apigatewayv2.Authorizer | None
    integration: aws.apigatewayv2.Integration
    route: aws.apigatewayv2.Route
    stage: aws.apigatewayv2.Stage
    log_group: aws.cloudwatch.LogGroup
    permission: aws.lambda_.Permission
    domain: aws.apigatewayv2.DomainName | None
    mapping: aws.apigatewayv2.ApiMapping | None
    api_id: pulumi.Output[str]
    url: pulumi.Output[str]

    def __init__(
        self, name: str, args: InferenceApiArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:aws:InferenceApi", name, None, opts)
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
        self.api = aws.apigatewayv2.Api(
            name,
            protocol_type="HTTP",
            description="Model inference",
            # With a custom domain, clients must use it (its TLS policy applies).
            disable_execute_api_endpoint=s.custom_domain is not None,
            tags=tags,
            opts=here,
        )
        self.authorizer = None
        if s.authorization == "jwt":
            self.authorizer = aws.apigatewayv2.Authorizer(
                child(name, "authorizer"),
                api_id=self.api.id,
                authorizer_type="JWT",
                identity_sources=["$request.header.Authorization"],
                jwt_configuration={"issuer": s.jwt_issuer, "audiences": list(s.jwt_audiences)},
                opts=here,
            )
        self.integration = aws.apigatewayv2.Integration(
            child(name, "integration"),
            api_id=self.api.id,
            integration_type="AWS_PROXY",
            integration_uri=args.function_arn,
            payload_format_version="2.0",
            timeout_milliseconds=min(
                INTEGRATION_TIMEOUT_MS, (args.function_timeout_seconds + 1) * 1000
            ),
            opts=here,
        )
        self.route = aws.apigatewayv2.Route(
            child(name, "route"),
            api_id=self.api.id,
            route_key=ROUTE_KEY,
            target=self.integration.id.apply(lambda i: f"integrations/{i}"),
            authorization_type="JWT" if self.authorizer else "AWS_IAM",
            authorizer_id=self.authorizer.id if self.authorizer else None,
            opts=here,
        )
        self.stage = aws.apigatewayv2.Stage(
            child(name, "stage"),
            api_id=self.api.id,
            name=STAGE,
            auto_deploy=True,
            access_log_settings={
                "destination_arn": self.log_group.arn,
                "format": json.dumps(ACCESS_LOG_FORMAT, sort_keys=True),
            },
            default_route_settings={
                "throttling_burst_limit": s.throttling_burst_limit,
                "throttling_rate_limit": s.throttling_rate_limit,
                "detailed_metrics_enabled": False,
            },
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.route]),
        )
        method, path = ROUTE_KEY.split(" ")
        self.permission = aws.lambda_.Permission(
            child(name, "invoke"),
            action="lambda:InvokeFunction",
            function=args.function_name,
            principal="apigateway.amazonaws.com",
            # Only this route of this API, in any stage.
            source_arn=self.api.execution_arn.apply(lambda a: f"{a}/*/{method}{path}"),
            opts=here,
        )
        self.domain, self.mapping = self._domain(name, s, tags)
        self.api_id = self.api.id
        self.url = (
            pulumi.Output.from_input(f"https://{s.custom_domain.domain_name}/predict")
            if s.custom_domain
            else self.api.api_endpoint.apply(lambda e: f"{e}/predict")
        )
        self.register_outputs({"api_id": self.api_id, "url": self.url})

    def _domain(
        self, name: str, s: InferenceApiSettings, tags: dict[str, str]
    ) -> tuple[aws.apigatewayv2.DomainName | None, aws.apigatewayv2.ApiMapping | None]:
        if s.custom_domain is None:
            return None, None
        here = pulumi.ResourceOptions(parent=self)
        domain = aws.apigatewayv2.DomainName(
            child(name, "domain"),
            domain_name=s.custom_domain.domain_name,
            domain_name_configuration={
                "certificate_arn": s.custom_domain.certificate_arn,
                "endpoint_type": "REGIONAL",
                "security_policy": "TLS_1_2",
            },
            tags=tags,
            opts=here,
        )
        mapping = aws.apigatewayv2.ApiMapping(
            child(name, "mapping"),
            api_id=self.api.id,
            domain_name=domain.id,
            stage=self.stage.id,
            opts=here,
        )
        return domain, mapping
