"""A Cloud KMS key ring and customer-managed key with rotation, and the grants that let
Google service agents encrypt with it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_gcp as gcp

from .. import naming
from ..retention import stateful_options
from ..settings import Retention
from ._common import REGION, deletion_policy, label_problems, raise_problems
from .identity import checked_member

ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
"""The one role a service agent needs to use a key for CMEK: encrypt and decrypt, no
administration (https://cloud.google.com/kms/docs/cmek#service_agents)."""

SERVICES = ("cloudkms.googleapis.com",)
"""APIs this block needs enabled (``ProjectServices``)."""

AgentLookup = Literal["storage", "bigquery", "logging", "service-identity"]

SERVICE_AGENTS: Mapping[str, AgentLookup] = {
    # Cloud Storage's agent comes from `storage.get_project_service_account`, which
    # creates it if needed (the provider's `encryption.default_kms_key_name` docs).
    "storage.googleapis.com": "storage",
    # BigQuery's encryption agent: `bigquery.get_default_service_account`.
    "bigquery.googleapis.com": "bigquery",
    # Cloud Logging's CMEK agent: `logging.get_project_cmek_settings().service_account_id`
    # (the provider's `ProjectBucketConfig` CMEK example).
    "logging.googleapis.com": "logging",
    # Services whose agent `projects.ServiceIdentity` generates (a resource, so the
    # agent exists before the grant; terraform-google-modules/terraform-google-kms#39).
    "artifactregistry.googleapis.com": "service-identity",
    "aiplatform.googleapis.com": "service-identity",
    "pubsub.googleapis.com": "service-identity",
    "secretmanager.googleapis.com": "service-identity",
}
"""Services that may be granted the key, and how each one's service agent is found."""

KEY_RING_LOCATION = re.compile(rf"{REGION.pattern}|^global$|^[a-z]+[0-9]?$")
"""A region (``europe-west4``), a multi-region (``europe``, ``us``, ``nam4``) or ``global``."""

DAY_SECONDS = 86_400
MIN_ROTATION_DAYS = 2
MAX_ROTATION_DAYS = 36_500
"""``rotation_period`` "must be greater than a day" (provider docs of ``kms.CryptoKey``)
and at most 876,000 hours (Cloud KMS ``CryptoKey.rotationPeriod``)."""
DESTROY_SCHEDULED_DAYS = {Retention.DESTROYABLE: 7, Retention.PROTECTED: 30}
"""Days a destroyed key version waits in ``DESTROY_SCHEDULED`` before its material is
gone; Cloud KMS allows 1-120 days and fixes the value at creation."""


@dataclass
class CmekKeyArgs:
    location: str
    """Where the key ring lives. It must be the location of the resources it encrypts:
    Cloud Storage, Artifact Registry and Logging refuse a key from another location."""
    labels: Mapping[str, str]
    """Already-merged labels (``tags.merge_tags``), set on the key (key rings take none)."""
    retention: Retention = Retention.DESTROYABLE
    """``destroyable``: versions are destroyed 7 days after ``pulumi destroy``.
    ``protected``: 30 days, ``protect`` + ``retain_on_delete`` and the provider's
    ``deletion_policy=PREVENT`` on the key."""
    rotation_days: int = 90
    """A new primary key version every so many days (2-36500; the CIS Google Cloud
    benchmark asks for at most 90).
    Old versions stay enabled, so data encrypted earlier still decrypts."""
    protection_level: Literal["SOFTWARE", "HSM"] = "SOFTWARE"
    """``SOFTWARE``: $0.06 per version and month. ``HSM``: FIPS 140-2 level 3 hardware,
    from $1 per version and month. Fixed at creation."""
    encrypter_services: Sequence[str] = ()
    """Services (``storage.googleapis.com``, ``artifactregistry.googleapis.com`` ...; see
    ``SERVICE_AGENTS``) whose service agent gets ``roles/cloudkms.cryptoKeyEncrypterDecrypter``
    on this key. A resource that uses the key must depend on its grant (``grants``)."""
    project: str | None = None
    """Project of the key ring; ``None``: the provider's project."""


class CmekKey(pulumi.ComponentResource):
    """A key ring with one symmetric encryption key, rotated every ``rotation_days``.

    Key rings and keys cannot be deleted in Google Cloud (provider docs of
    ``kms.KeyRing`` and ``kms.CryptoKey``): destroying the key only destroys its
    versions after ``destroy_scheduled_duration``, and the key ring stays. The ring is
    therefore always ``retain_on_delete``: Pulumi forgets it on destroy, which is what
    the provider would do anyway, and the plan says so. Ring and key names are
    auto-named (a random suffix), so a new stack never collides with the rings an old
    one left behind.
    """

    key_ring: gcp.kms.KeyRing
    key: gcp.kms.CryptoKey
    grants: dict[str, gcp.kms.CryptoKeyIAMMember]
    agents: dict[str, pulumi.Output[str]]
    key_id: pulumi.Output[str]
    key_ring_id: pulumi.Output[str]
    _name: str
    _project: str | None

    def __init__(
        self, name: str, args: CmekKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:CmekKey", name, None, opts)
        _validate(args)

        ring_opts = stateful_options(args.retention, self)
        ring_opts.retain_on_delete = True
        self.key_ring = gcp.kms.KeyRing(
            naming.child(name, "ring"),
            location=args.location,
            project=args.project,
            opts=ring_opts,
        )
        self.key = gcp.kms.CryptoKey(
            naming.child(name),
            key_ring=self.key_ring.id,
            purpose="ENCRYPT_DECRYPT",
            rotation_period=f"{args.rotation_days * DAY_SECONDS}s",
            version_template={
                "algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION",
                "protection_level": args.protection_level,
            },
            destroy_scheduled_duration=(f"{DESTROY_SCHEDULED_DAYS[args.retention] * DAY_SECONDS}s"),
            deletion_policy=deletion_policy(args.retention),
            labels=dict(args.labels),
            opts=stateful_options(args.retention, self),
        )

        self.agents = {}
        self.grants = {}
        self._name = name
        self._project = args.project
        for service in args.encrypter_services:
            self._add_grant(service, f"encrypter_services[{service!r}]")

        self.key_id = self.key.id
        self.key_ring_id = self.key_ring.id
        self.register_outputs(
            {"key_id": self.key_id, "key_ring_id": self.key_ring_id, "key_name": self.key.name}
        )

    def _add_grant(self, service: str, argument: str) -> gcp.kms.CryptoKeyIAMMember:
        invoke_opts = pulumi.InvokeOutputOptions(parent=self)
        member = _agent_member(self, self._name, service, self._project, invoke_opts).apply(
            checked_member(argument)
        )
        self.agents[service] = member
        # Non-authoritative: adds this member only, never replaces the key's policy.
        self.grants[service] = gcp.kms.CryptoKeyIAMMember(
            naming.child(self._name, service.split(".")[0]),
            crypto_key_id=self.key.id,
            role=ENCRYPTER_DECRYPTER,
            member=member,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return self.grants[service]

    def add_encrypter(self, service: str) -> gcp.kms.CryptoKeyIAMMember:
        """Grant ``service``'s agent the key after construction (an architecture that
        builds on a shared key adds the services it brings, e.g. Vertex AI and
        BigQuery) and return the grant for ``depends_on``; the existing grant when the
        service already has one. The grant is a child of this key, named like the
        constructor's grants, so moving a service into ``encrypter_services`` later
        keeps its name."""
        if service in self.grants:
            return self.grants[service]
        if service not in SERVICE_AGENTS:
            raise ValueError(
                f"add_encrypter: {service!r} is not one of {', '.join(sorted(SERVICE_AGENTS))}"
            )
        return self._add_grant(service, f"add_encrypter({service!r})")

    def grant(self, service: str) -> gcp.kms.CryptoKeyIAMMember:
        """The grant of ``service``'s agent, for ``depends_on`` of a resource using the key."""
        try:
            return self.grants[service]
        except KeyError:
            raise ValueError(
                f"encrypter_services: {service!r} has no grant on this key; add it to "
                "CmekKeyArgs.encrypter_services"
            ) from None


def _agent_member(
    parent: pulumi.Resource,
    name: str,
    service: str,
    project: str | None,
    invoke_opts: pulumi.InvokeOutputOptions,
) -> pulumi.Output[str]:
    lookup = SERVICE_AGENTS[service]
    if lookup == "storage":
        return gcp.storage.get_project_service_account_output(
            project=project, opts=invoke_opts
        ).member
    if lookup == "bigquery":
        return gcp.bigquery.get_default_service_account_output(
            project=project, opts=invoke_opts
        ).member
    if lookup == "logging":
        settings = gcp.logging.get_project_cmek_settings_output(
            project=project or gcp.organizations.get_client_config_output(opts=invoke_opts).project,
            opts=invoke_opts,
        )
        return settings.service_account_id.apply(lambda email: f"serviceAccount:{email}")
    identity = gcp.projects.ServiceIdentity(
        naming.child(name, f"{service.split('.')[0]}-agent"),
        service=service,
        project=project,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return identity.member


def _validate(args: CmekKeyArgs) -> None:
    problems = label_problems(args.labels)
    if not KEY_RING_LOCATION.match(args.location):
        problems.append(
            f"location: {args.location!r} is not a Google Cloud location "
            "(a region such as 'europe-west4', a multi-region such as 'europe', or 'global')"
        )
    if not MIN_ROTATION_DAYS <= args.rotation_days <= MAX_ROTATION_DAYS:
        problems.append(
            f"rotation_days: {args.rotation_days} must be {MIN_ROTATION_DAYS}-"
            f"{MAX_ROTATION_DAYS} (the provider needs more than a day, Cloud KMS at most "
            "876,000 hours)"
        )
    if args.protection_level not in ("SOFTWARE", "HSM"):
        problems.append(f"protection_level: {args.protection_level!r} is not SOFTWARE or HSM")
    for i, service in enumerate(args.encrypter_services):
        if service not in SERVICE_AGENTS:
            problems.append(
                f"encrypter_services[{i}]: {service!r} is not one of "
                f"{', '.join(sorted(SERVICE_AGENTS))}"
            )
    if len(set(args.encrypter_services)) != len(args.encrypter_services):
        problems.append("encrypter_services: duplicates")
    raise_problems("CmekKeyArgs", problems)
