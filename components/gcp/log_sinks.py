"""Where logs and alerts go: a Cloud Logging bucket (with an optional sink routing logs
into it) and an e-mail notification channel for Cloud Monitoring alert policies."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from pulumi_gcp.logging import ProjectBucketConfigCmekSettingsArgsDict

from .. import naming
from ..retention import stateful_options
from ..settings import Retention
from ._common import checked_key_id, deletion_policy, label_problems, raise_problems
from .kms import KEY_RING_LOCATION

SERVICES = ("logging.googleapis.com", "monitoring.googleapis.com")
"""APIs these blocks need enabled (``ProjectServices``)."""

BUCKET_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
"""Log bucket ids: 1-100 letters, digits, ``_``, ``-`` and ``.``; ids starting with
``_`` are Google's (``_Default``, ``_Required``), which cannot be deleted."""

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")

MAX_RETENTION_DAYS = 3650
"""Cloud Logging keeps logs in a user-defined bucket for 1 to 3,650 days
(https://cloud.google.com/logging/docs/buckets#custom-retention); beyond the default
30 days retention is billed per GB and month."""


@dataclass
class LogBucketArgs:
    location: str
    """Region of the bucket (``europe-west4``) or ``global``; with a key, the key's location."""
    retention_days: int = 30
    """Days logs are kept (1-3650); 30 is Cloud Logging's free retention."""
    retention: Retention = Retention.DESTROYABLE
    """``protected``: ``protect`` + ``retain_on_delete`` and ``deletion_policy=PREVENT``.
    The bucket is never ``locked``: a locked bucket's retention can never be shortened
    and it can only be deleted once empty, which no stack setting could undo."""
    kms_key_id: pulumi.Input[str] | None = None
    """``CmekKey.key_id`` encrypting the bucket (regional buckets); ``None``:
    Google-managed keys. Once set, CMEK cannot be removed from the bucket."""
    kms_key_grants: Sequence[pulumi.Resource] = ()
    """Cloud Logging's grant on the key (``CmekKey.grant("logging.googleapis.com")``);
    required with ``kms_key_id``."""
    sink_filter: str | None = None
    """When set, a project sink routes the log entries matching this Logging query
    language filter (e.g. ``resource.type="aiplatform.googleapis.com/Endpoint"``) into
    the bucket. ``None``: no sink."""
    bucket_id: str | None = None
    """The bucket's id in the project and location; ``None``: the component name."""
    description: str = ""
    project: str | None = None


class LogBucket(pulumi.ComponentResource):
    """A user-defined Cloud Logging bucket with its own retention, optionally encrypted
    with a customer key, and an optional sink into it. A sink into a log bucket of the
    same project needs no grant for its writer identity."""

    bucket: gcp.logging.ProjectBucketConfig
    sink: gcp.logging.ProjectSink | None
    bucket_id: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    sink_writer_identity: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: LogBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:LogBucket", name, None, opts)
        bucket_id = args.bucket_id or name
        _validate(bucket_id, args)
        naming.claim("log-bucket", f"{args.location}/{bucket_id}", naming.child(name))

        project = (
            pulumi.Output.from_input(args.project)
            if args.project is not None
            else gcp.organizations.get_client_config_output(
                opts=pulumi.InvokeOutputOptions(parent=self)
            ).project
        )
        cmek_settings: ProjectBucketConfigCmekSettingsArgsDict | None = None
        if args.kms_key_id is not None:
            key = pulumi.Output.from_input(args.kms_key_id).apply(
                checked_key_id("kms_key_id", args.location)
            )
            cmek_settings = {"kms_key_name": key}

        self.bucket = gcp.logging.ProjectBucketConfig(
            naming.child(name),
            project=project,
            location=args.location,
            bucket_id=bucket_id,
            retention_days=args.retention_days,
            locked=False,
            description=args.description or None,
            cmek_settings=cmek_settings,
            deletion_policy=deletion_policy(args.retention),
            opts=stateful_options(args.retention, self, depends_on=args.kms_key_grants),
        )

        self.sink = None
        self.sink_writer_identity = None
        if args.sink_filter is not None:
            self.sink = gcp.logging.ProjectSink(
                naming.child(name, "sink"),
                project=project,
                # The form the Logging API documents for a log bucket destination.
                destination=pulumi.Output.concat(
                    "logging.googleapis.com/projects/",
                    project,
                    f"/locations/{args.location}/buckets/{bucket_id}",
                ),
                filter=args.sink_filter,
                unique_writer_identity=True,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.bucket]),
            )
            self.sink_writer_identity = self.sink.writer_identity

        self.bucket_id = self.bucket.id
        self.bucket_name = self.bucket.name
        self.register_outputs({"bucket_id": self.bucket_id, "bucket_name": self.bucket_name})


def _validate(bucket_id: str, args: LogBucketArgs) -> None:
    problems: list[str] = []
    if not BUCKET_ID.match(bucket_id):
        problems.append(
            f"bucket_id: {bucket_id!r} must be 1-100 letters, digits, '_', '-' or '.', not "
            "starting with '_'"
        )
    if not KEY_RING_LOCATION.match(args.location):
        problems.append(f"location: {args.location!r} is not a region such as 'europe-west4'")
    if not 1 <= args.retention_days <= MAX_RETENTION_DAYS:
        problems.append(f"retention_days: {args.retention_days} must be 1-{MAX_RETENTION_DAYS}")
    if args.kms_key_id is not None and not args.kms_key_grants:
        problems.append(
            "kms_key_grants: pass Cloud Logging's grant on the key "
            "(CmekKey.grant('logging.googleapis.com'))"
        )
    if args.kms_key_id is None and args.kms_key_grants:
        problems.append("kms_key_grants: given without kms_key_id")
    if args.sink_filter is not None and not args.sink_filter.strip():
        problems.append("sink_filter: empty; an empty filter would route every log entry")
    raise_problems("LogBucketArgs", problems)


@dataclass
class AlertChannelArgs:
    email: str
    """Address that receives alert notifications; Cloud Monitoring sends no
    verification mail for e-mail channels, so check it is right."""
    labels: Mapping[str, str]
    """Already-merged labels, set as the channel's ``user_labels`` (the channel's
    ``labels`` argument is its configuration, ``email_address``)."""
    display_name: str = ""
    """Shown in alert policies; ``None``/empty: ``"<name> (e-mail)"``."""
    project: str | None = None


class AlertChannel(pulumi.ComponentResource):
    """An e-mail notification channel that alert policies (``monitoring.AlertPolicy``)
    name in ``notification_channels``. E-mail channels cost nothing."""

    channel: gcp.monitoring.NotificationChannel
    channel_id: pulumi.Output[str]
    channel_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: AlertChannelArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:AlertChannel", name, None, opts)
        problems = label_problems(args.labels)
        if not EMAIL.match(args.email):
            problems.append(f"email: {args.email!r} is not an e-mail address")
        raise_problems("AlertChannelArgs", problems)

        self.channel = gcp.monitoring.NotificationChannel(
            naming.child(name),
            type="email",
            display_name=args.display_name or f"{name} (e-mail)",
            labels={"email_address": args.email},
            user_labels=dict(args.labels),
            enabled=True,
            project=args.project,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.channel_id = self.channel.id
        self.channel_name = self.channel.name
        self.register_outputs({"channel_id": self.channel_id, "channel_name": self.channel_name})
