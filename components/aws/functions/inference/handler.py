"""Inference: the HTTP API's route. Forwards the request body (CSV) to the SageMaker
serverless endpoint ``$ENDPOINT_NAME`` and returns its answer.

Calling an endpoint rather than loading the model here keeps the function small and
the model's runtime (framework, size, GPU or not) SageMaker's concern; a serverless
endpoint scales to zero like the function. With no endpoint configured the route
answers 503.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

MAX_BODY_BYTES = 4 * 1024 * 1024
"""SageMaker Serverless Inference accepts payloads up to 4 MB."""


def response(status: int, body: str, content_type: str = "application/json") -> dict[str, Any]:
    """An HTTP API (payload format 2.0) response."""
    return {"statusCode": status, "headers": {"content-type": content_type}, "body": body}


def error(status: int, message: str) -> dict[str, Any]:
    return response(status, json.dumps({"message": message}))


def request_body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    return base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    endpoint = os.environ.get("ENDPOINT_NAME", "")
    if not endpoint:
        return error(503, "no model endpoint is configured")
    body = request_body(event)
    if not body:
        return error(400, "send the features as text/csv in the request body")
    if len(body) > MAX_BODY_BYTES:
        return error(413, "the request body exceeds 4 MB")
    import boto3  # the Lambda runtime's

    answer = boto3.client("sagemaker-runtime").invoke_endpoint(
        EndpointName=endpoint, ContentType="text/csv", Accept="text/csv", Body=body
    )
    return response(200, answer["Body"].read().decode("utf-8"), answer["ContentType"])
