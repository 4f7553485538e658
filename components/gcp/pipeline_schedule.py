"""What runs a Vertex AI pipeline on a schedule: a Cloud Scheduler job that posts a
``pipelineJobs.create`` request for a compiled pipeline template in Artifact Registry.

The pipeline itself is runtime, not infrastructure: CI compiles it with ``kfp`` and
uploads it to the stack's KFP repository (``kfp.registry.RegistryClient``); the job
asks Vertex AI to run the version tagged ``template_tag`` as the pipeline-runner
service account, with the run's artifacts under the pipeline root and the run's
resources encrypted with the stack's key.

The request body is built from data (``pipeline_job_body``), checked against the REST
fields of ``PipelineJob`` (``data/vertex-pipeline-job.json``, from the API reference)
and serialized with ``json``; Cloud Scheduler takes it base64-encoded. The job
authenticates with an OAuth access token of the runner (``oauth_token``: Google APIs
on ``*.googleapis.com`` take access tokens, not ID tokens).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_gcp as gcp

from .. import naming
from ..data import packaged_json
from ..settings.gcp import PipelineScheduleSettings
from ._common import raise_problems

SERVICES = ("cloudscheduler.googleapis.com", "aiplatform.googleapis.com")
"""APIs this block needs enabled (``ProjectServices``)."""

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
JOB_NAME = re.compile(r"^[A-Za-z0-9_-]{1,500}$")
"""Cloud Scheduler job ids: letters, digits, hyphens and underscores, at most 500
(https://cloud.google.com/scheduler/docs/reference/rest/v1/projects.locations.jobs#Job)."""
ATTEMPT_DEADLINE = "180s"
"""Time one submission may take (HTTP targets: 15 s to 30 min); the create call returns
as soon as the run is queued."""


def pipeline_job_fields() -> dict[str, Any]:
    return packaged_json("mlops_components.gcp", "vertex-pipeline-job.json")


def check_pipeline_job(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """``body`` if every field is a writable ``PipelineJob`` / ``RuntimeConfig`` /
    ``EncryptionSpec`` field of the REST reference and every parameter value is a
    string; ``ValueError`` naming the unknown fields otherwise."""
    fields = pipeline_job_fields()
    problems = [f"PipelineJob.{k}" for k in body if k not in fields["PipelineJob"]]
    runtime = body.get("runtimeConfig", {})
    problems += [f"RuntimeConfig.{k}" for k in runtime if k not in fields["RuntimeConfig"]]
    spec = body.get("encryptionSpec", {})
    problems += [f"EncryptionSpec.{k}" for k in spec if k not in fields["EncryptionSpec"]]
    if problems:
        raise ValueError(f"not fields of the REST PipelineJob: {', '.join(problems)}")
    policy = runtime.get("failurePolicy")
    if policy is not None and policy not in fields["failurePolicy"]:
        raise ValueError(f"RuntimeConfig.failurePolicy: {policy!r} is not a FailurePolicy")
    values = runtime.get("parameterValues", {})
    if not all(isinstance(v, str) for v in values.values()):
        raise ValueError("RuntimeConfig.parameterValues: the stack passes strings only")
    return body


def template_uri(region: str, project: str, repository: str, package: str, tag: str) -> str:
    """``https://<region>-kfp.pkg.dev/<project>/<repository>/<package>/<tag>``: the form
    Vertex AI takes for a template in Artifact Registry
    (https://cloud.google.com/vertex-ai/docs/pipelines/create-pipeline-template)."""
    return f"https://{region}-kfp.pkg.dev/{project}/{repository}/{package}/{tag}"


def pipeline_job_body(
    *,
    display_name: str,
    template: str,
    pipeline_root: str,
    service_account: str,
    kms_key_id: str,
    parameters: Mapping[str, str],
    labels: Mapping[str, str],
) -> dict[str, Any]:
    """The ``pipelineJobs.create`` request body (REST ``PipelineJob``), checked."""
    body = {
        "displayName": display_name,
        "templateUri": template,
        "runtimeConfig": {
            "gcsOutputDirectory": pipeline_root,
            "parameterValues": dict(sorted(parameters.items())),
            "failurePolicy": "PIPELINE_FAILURE_POLICY_FAIL_FAST",
        },
        "serviceAccount": service_account,
        "encryptionSpec": {"kmsKeyName": kms_key_id},
        "labels": dict(labels),
    }
    return dict(check_pipeline_job(body))


def encoded_body(body: Mapping[str, Any]) -> str:
    """Cloud Scheduler's ``httpTarget.body``: the JSON, base64-encoded."""
    return base64.b64encode(json.dumps(body, sort_keys=True).encode()).decode()


@dataclass
class PipelineScheduleArgs:
    job_name: str
    """The Cloud Scheduler job id (fixed; unique in the project and region)."""
    region: str
    project: pulumi.Input[str]
    repository: pulumi.Input[str]
    """The KFP repository's id in the region (``ContainerRegistry.repository_name``)."""
    package: str
    template_tag: str
    pipeline_root: pulumi.Input[str]
    """``gs://<bucket>/runs`` or similar: where runs write their artifacts."""
    service_account_email: pulumi.Input[str]
    """Runs the pipeline and signs the scheduler's requests (needs
    ``roles/aiplatform.user`` and ``roles/iam.serviceAccountUser`` on itself)."""
    kms_key_id: pulumi.Input[str]
    cron: str
    time_zone: str = "Etc/UTC"
    paused: bool = False
    retries: int = 1
    parameters: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(
        cls, schedule: PipelineScheduleSettings, **placement: Any
    ) -> PipelineScheduleArgs:
        """The args of a schedule's settings (package, tag, cron, time zone, pause,
        retries, its own parameters first) and ``placement``: the other fields, where
        ``parameters`` are added to the settings' ones."""
        extra = placement.pop("parameters", {})
        return cls(
            package=schedule.pipeline_name,
            template_tag=schedule.template_tag,
            cron=schedule.cron,
            time_zone=schedule.time_zone,
            paused=schedule.paused,
            retries=schedule.retries,
            parameters={**schedule.parameters, **extra},
            **placement,
        )


class PipelineSchedule(pulumi.ComponentResource):
    """One ``cloudscheduler.Job`` that submits the pipeline on ``cron``."""

    job: gcp.cloudscheduler.Job
    job_id: pulumi.Output[str]
    request_body: pulumi.Output[dict[str, Any]]

    def __init__(
        self, name: str, args: PipelineScheduleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:PipelineSchedule", name, None, opts)
        problems = []
        if not JOB_NAME.match(args.job_name):
            problems.append(f"job_name: {args.job_name!r} is not a Cloud Scheduler job id")
        if not 0 <= args.retries <= 5:
            problems.append(f"retries: {args.retries} is not 0-5")
        raise_problems("PipelineScheduleArgs", problems)

        parameters = pulumi.Output.all(
            **{k: pulumi.Output.from_input(v) for k, v in args.parameters.items()}
        )

        def body(values: dict[str, Any]) -> dict[str, Any]:
            return pipeline_job_body(
                display_name=f"{args.package}-scheduled",
                template=template_uri(
                    args.region,
                    values["project"],
                    values["repository"],
                    args.package,
                    args.template_tag,
                ),
                pipeline_root=values["root"],
                service_account=values["email"],
                kms_key_id=values["key"],
                parameters=values["parameters"],
                labels=args.labels,
            )

        self.request_body = pulumi.Output.all(
            project=args.project,
            repository=args.repository,
            root=args.pipeline_root,
            email=args.service_account_email,
            key=args.kms_key_id,
            parameters=parameters,
        ).apply(body)
        uri = pulumi.Output.from_input(args.project).apply(
            lambda project: (
                f"https://{args.region}-aiplatform.googleapis.com/v1/projects/{project}"
                f"/locations/{args.region}/pipelineJobs"
            )
        )
        self.job = gcp.cloudscheduler.Job(
            naming.child(name),
            name=args.job_name,
            region=args.region,
            description=f"Submits the {args.package} pipeline to Vertex AI (mlops-iac)",
            schedule=args.cron,
            time_zone=args.time_zone,
            paused=args.paused,
            attempt_deadline=ATTEMPT_DEADLINE,
            retry_config={"retry_count": args.retries, "min_backoff_duration": "60s"},
            http_target={
                "uri": uri,
                "http_method": "POST",
                "headers": {"Content-Type": "application/json"},
                "body": self.request_body.apply(encoded_body),
                "oauth_token": {
                    "service_account_email": args.service_account_email,
                    "scope": CLOUD_PLATFORM_SCOPE,
                },
            },
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.job_id = self.job.id
        self.register_outputs({"job_id": self.job_id})
