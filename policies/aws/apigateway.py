"""API Gateway rules (architecture 2's inference API): authorization, access logging,
throttling and no payloads in execution logs, for REST (v1) and HTTP/WebSocket (v2) APIs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)

from ..framework import Category, dig, is_set, items, number, resource_rule, stack_rule, truthy
from ..stackscan import uncovered

METHOD = "aws:apigateway/method:Method"
REST_STAGE = "aws:apigateway/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"
V2_STAGE = "aws:apigatewayv2/stage:Stage"
V2_ROUTE = "aws:apigatewayv2/route:Route"

SECURITY = Category.SECURITY
MANDATORY = EnforcementLevel.MANDATORY


@resource_rule(
    name="aws-apigateway-method-require-authorization",
    description="API Gateway methods and routes must require authorization.",
    category=SECURITY,
    severity=Severity.HIGH,
    enforcement=MANDATORY,
    remediation=(
        "Set authorization to AWS_IAM, COGNITO_USER_POOLS or CUSTOM (v2: authorization_type JWT, "
        "AWS_IAM or CUSTOM). API keys identify callers for usage plans; they are not authentication."
    ),
    references=["FSBP APIGateway.8", "CKV_AWS_59", "CKV2_AWS_70", "CKV_AWS_309"],
    resource_types=[METHOD, V2_ROUTE],
    config_schema={
        "allowApiKeyOnly": {
            "type": "boolean",
            "default": False,
            "description": "Accept authorization NONE when apiKeyRequired is true (REST methods).",
        }
    },
)
def method_authorization(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """An unauthenticated inference endpoint is free compute for anyone who finds it.
    CORS preflight (OPTIONS) and WebSocket system routes other than $connect cannot carry
    authorization and are exempt."""
    if args.resource_type == METHOD:
        if args.props.get("httpMethod") == "OPTIONS":
            return
        authorization = args.props.get("authorization")
        if authorization in (None, "", "NONE"):
            if config["allowApiKeyOnly"] and truthy(args.props.get("apiKeyRequired")):
                return
            yield "authorization is 'NONE'."
        return
    route_key = str(args.props.get("routeKey") or "")
    if route_key.startswith("$") and route_key not in ("$connect", "$default"):
        return
    authorization = args.props.get("authorizationType")
    if authorization in (None, "", "NONE"):
        yield f"route {route_key} has authorizationType {authorization or 'unset (NONE)'}."


@resource_rule(
    name="aws-apigateway-stage-require-access-logging",
    description="API Gateway stages must write access logs.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set access_log_settings={'destination_arn': log_group.arn, 'format': <JSON format>}.",
    references=[
        "FSBP APIGateway.9",
        "CKV_AWS_76",
        "PCP aws-apigatewayv2-stage-enable-access-logging",
    ],
    resource_types=[REST_STAGE, V2_STAGE],
)
def stage_access_logging(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Access logs are the only record of who called the model API and how often."""
    settings = args.props.get("accessLogSettings")
    if not isinstance(settings, Mapping) or not is_set(settings, "destinationArn"):
        yield "accessLogSettings.destinationArn is not set."


def _throttled(settings: Any) -> bool:
    if not isinstance(settings, Mapping):
        return False
    burst = number(settings.get("throttlingBurstLimit"))
    rate = number(settings.get("throttlingRateLimit"))
    return burst is not None and rate is not None and burst >= 0 and rate >= 0


@resource_rule(
    name="aws-apigateway-v2-stage-require-throttling",
    description="HTTP/WebSocket API stages must set default route throttling limits.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set default_route_settings={'throttling_burst_limit': ..., 'throttling_rate_limit': ...}.",
    references=["none (project rule: no public control checks API Gateway throttling limits)"],
    resource_types=[V2_STAGE],
)
def v2_stage_throttling(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Without stage limits one client can exhaust the account-wide quota and run up
    inference cost behind the API."""
    if not _throttled(args.props.get("defaultRouteSettings")):
        yield "defaultRouteSettings.throttlingBurstLimit/throttlingRateLimit are not both set (>= 0)."


@stack_rule(
    name="aws-apigateway-rest-stage-require-throttling",
    description="REST API stages must have method settings with throttling limits.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation=(
        "Add an aws.apigateway.MethodSettings for the stage with method_path='*/*' and "
        "settings throttling_burst_limit and throttling_rate_limit."
    ),
    references=["none (project rule: no public control checks API Gateway throttling limits)"],
    resource_types=[REST_STAGE, METHOD_SETTINGS],
)
def rest_stage_throttling(
    args: StackValidationArgs, config: Mapping[str, Any]
) -> Iterator[tuple[str, str | None]]:
    """REST stages take throttling from separate MethodSettings resources; a stage with
    none runs at the account limit."""

    def ok(side: PolicyResource) -> bool:
        return _throttled(side.props.get("settings"))

    for stage, _ in uncovered(args, [REST_STAGE], [METHOD_SETTINGS], "stageName", ok):
        yield f"stage {stage.name} has no MethodSettings with throttling limits.", stage.urn


@resource_rule(
    name="aws-apigateway-disallow-data-trace",
    description="API Gateway must not log full request and response bodies (data trace).",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation="Set data_trace_enabled=False; use access logs and metrics instead.",
    references=["CKV_AWS_276"],
    resource_types=[METHOD_SETTINGS, V2_STAGE],
)
def data_trace(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """Data trace writes inference payloads (often personal data) into CloudWatch Logs."""
    if args.resource_type == METHOD_SETTINGS:
        if truthy(dig(args.props, "settings", "dataTraceEnabled")):
            yield "settings.dataTraceEnabled is true."
        return
    if truthy(dig(args.props, "defaultRouteSettings", "dataTraceEnabled")):
        yield "defaultRouteSettings.dataTraceEnabled is true."
    for route in items(args.props.get("routeSettings")):
        if truthy(route.get("dataTraceEnabled")):
            yield f"routeSettings[{route.get('routeKey')}].dataTraceEnabled is true."


REST_DOMAIN = "aws:apigateway/domainName:DomainName"
V2_DOMAIN = "aws:apigatewayv2/domainName:DomainName"


@resource_rule(
    name="aws-apigateway-domain-require-tls12",
    description="API Gateway custom domains must use the TLS 1.2 security policy.",
    category=SECURITY,
    severity=Severity.MEDIUM,
    enforcement=MANDATORY,
    remediation=(
        "Set security_policy='TLS_1_2' (v2: domain_name_configuration={'security_policy': "
        "'TLS_1_2', ...})."
    ),
    references=["CKV_AWS_206"],
    resource_types=[REST_DOMAIN, V2_DOMAIN],
)
def domain_tls(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    """TLS 1.0 is the REST default and is broken (BEAST, POODLE-era ciphers); clients of
    an inference API have no reason to need it."""
    if args.resource_type == REST_DOMAIN:
        policy = args.props.get("securityPolicy")
    else:
        policy = dig(args.props, "domainNameConfiguration", "securityPolicy")
    if policy != "TLS_1_2":
        yield f"securityPolicy is {policy or 'unset (TLS_1_0)'}; use TLS_1_2."
