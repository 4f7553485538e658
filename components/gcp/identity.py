"""A Google Cloud service account without keys, and its least-privilege grants.

Every grant is a non-authoritative ``*IAMMember`` resource. The authoritative
``*IAMPolicy`` (the whole policy of the project or resource) and ``*IAMBinding`` (every
member of one role) resources replace what is already there: applied to a project they
remove the grants Google's service agents, other stacks and administrators hold, and
can lock everyone out (provider docs of ``projects.IAMPolicy``: "can lock you out of
your project"; ``IAMBinding``/``IAMMember`` "must not be used in conjunction" with it).
A member grant adds one (role, member) pair and removes only that pair on destroy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_gcp as gcp

from .. import naming
from ._common import raise_problems

SERVICES = ("iam.googleapis.com", "cloudresourcemanager.googleapis.com")
"""APIs this block needs enabled (``ProjectServices``): service accounts, project IAM."""

ACCOUNT_ID = re.compile(r"^[a-z](?:[-a-z0-9]{4,28}[a-z0-9])$")
"""``serviceaccount.Account.account_id``: 6-30 characters, lower-case letters, digits
and hyphens, starting with a letter and not ending with a hyphen (provider docs: "must
be 6-30 characters long, and match the regular expression `[a-z]([-a-z0-9]*[a-z0-9])`")."""

ROLE = re.compile(
    r"^(roles/[A-Za-z0-9_.]+|(projects|organizations)/[A-Za-z0-9_.:-]+/roles/[A-Za-z0-9_.]+)$"
)
"""A predefined role (``roles/aiplatform.user``) or a custom one
(``projects/<p>/roles/<r>``, ``organizations/<o>/roles/<r>``)."""

REFUSED_ROLES: Mapping[str, str] = {
    "roles/owner": "a basic role: full control of every resource in the project",
    "roles/editor": "a basic role: write access to nearly every resource in the project",
    "roles/viewer": "a basic role: read access to nearly every resource in the project",
    "roles/iam.serviceAccountKeyAdmin": "creates service account keys; keys are never used",
    "roles/iam.serviceAccountAdmin": "administers every service account of the project",
    "roles/resourcemanager.projectIamAdmin": "changes the project's IAM policy",
}
"""Roles no building block grants: Google's IAM guidance is to avoid basic roles in
production (https://cloud.google.com/iam/docs/roles-overview#basic) and the others let
an identity mint keys or widen its own access."""

REFUSED_MEMBERS = ("allUsers", "allAuthenticatedUsers")
"""Members that make a resource public; never granted."""

MEMBER = re.compile(r"^(serviceAccount|user|group|domain|principal|principalSet):[^\s]+$")

GrantKind = Literal["bucket", "crypto_key", "repository", "service_account", "dataset"]


@dataclass(frozen=True)
class ResourceGrant:
    """A role for the service account on one resource instead of the whole project."""

    kind: GrantKind
    """``bucket`` (``storage.BucketIAMMember``), ``crypto_key`` (``kms.CryptoKeyIAMMember``),
    ``repository`` (``artifactregistry.RepositoryIamMember``) or ``service_account``
    (``serviceaccount.IAMMember``, e.g. ``roles/iam.serviceAccountUser`` to act as it)
    or ``dataset`` (``bigquery.DatasetIamMember``)."""
    resource: pulumi.Input[str]
    """Bucket name, key id, repository id (``projects/<p>/locations/<l>/repositories/<r>``)
    service account name (``projects/<p>/serviceAccounts/<email>``) or BigQuery dataset id
    (in the provider's project)."""
    role: str


@dataclass
class ServiceAccountArgs:
    account_id: str
    """The account's id, the part before ``@``: 6-30 characters (see ``ACCOUNT_ID``).
    Unique in the project; derive it from the stack's name prefix."""
    display_name: str
    """Shown in the console; say what runs as this account. Must not be empty."""
    project_roles: Sequence[str] = ()
    """Roles on the whole project, one ``projects.IAMMember`` each. Prefer
    ``resource_grants``; basic and key-minting roles are refused (``REFUSED_ROLES``)."""
    resource_grants: Mapping[str, ResourceGrant] = field(default_factory=dict)
    """Roles on single resources, keyed by a short stable name that names the child
    (``<name>-<key>``): renaming a key replaces that grant."""
    project: str | None = None
    """Project of the account and of ``project_roles``; ``None``: the provider's project."""
    description: str = ""


def role_problems(role: str, argument: str) -> list[str]:
    """Why ``role`` may not be granted, naming ``argument``; empty when it may."""
    if not ROLE.match(role):
        return [f"{argument}: {role!r} is not a role name ('roles/<service>.<role>')"]
    if role in REFUSED_ROLES:
        return [f"{argument}: {role!r} is refused ({REFUSED_ROLES[role]})"]
    return []


def checked_member(argument: str) -> Callable[[str], str]:
    """An ``apply`` callback that refuses public and malformed members."""

    def check(member: str) -> str:
        if member is None:  # only under mocks that leave an output unknown
            return member
        if member in REFUSED_MEMBERS or not MEMBER.match(member):
            raise pulumi.InputPropertyError(
                argument,
                f"{member!r} is not an identity member ('serviceAccount:<email>' ...); "
                f"{' and '.join(REFUSED_MEMBERS)} are never granted",
            )
        return member

    return check


def _role_suffix(role: str) -> str:
    """``roles/aiplatform.user`` -> ``aiplatform-user``: a child name from the role."""
    return naming.physical(role.rsplit("/", 1)[-1], max_length=200)


class ServiceAccount(pulumi.ComponentResource):
    """A user-managed service account for a workload, with no keys: workloads get
    short-lived tokens (attached service account, Workload Identity, impersonation),
    never a key file. Grants are ``*IAMMember`` resources only (see the module doc)."""

    account: gcp.serviceaccount.Account
    project_members: dict[str, gcp.projects.IAMMember]
    resource_members: dict[str, pulumi.CustomResource]
    email: pulumi.Output[str]
    member: pulumi.Output[str]
    account_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: ServiceAccountArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:ServiceAccount", name, None, opts)
        _validate(args)
        child = pulumi.ResourceOptions(parent=self)

        # Service accounts carry no labels in the API (no `labels` argument).
        self.account = gcp.serviceaccount.Account(
            naming.child(name),
            account_id=args.account_id,
            display_name=args.display_name,
            description=args.description or None,
            project=args.project,
            opts=child,
        )
        self.email = self.account.email
        self.member = self.account.member
        self.account_name = self.account.name

        project = (
            pulumi.Output.from_input(args.project)
            if args.project is not None
            else gcp.organizations.get_client_config_output(
                opts=pulumi.InvokeOutputOptions(parent=self)
            ).project
        )
        self.project_members = {
            role: gcp.projects.IAMMember(
                naming.child(name, _role_suffix(role)),
                project=project,
                role=role,
                member=self.member,
                opts=child,
            )
            for role in args.project_roles
        }
        self.resource_members = {
            key: resource_member(naming.child(name, key), grant, self.member, child)
            for key, grant in args.resource_grants.items()
        }
        self.register_outputs(
            {"email": self.email, "member": self.member, "account_name": self.account_name}
        )


def resource_member(
    logical: str, grant: ResourceGrant, member: pulumi.Input[str], opts: pulumi.ResourceOptions
) -> pulumi.CustomResource:
    """One non-authoritative grant of ``grant.role`` on ``grant.resource`` to ``member``
    (any identity: a service account, or a federated ``principalSet://``)."""
    if grant.kind == "bucket":
        return gcp.storage.BucketIAMMember(
            logical, bucket=grant.resource, role=grant.role, member=member, opts=opts
        )
    if grant.kind == "crypto_key":
        return gcp.kms.CryptoKeyIAMMember(
            logical, crypto_key_id=grant.resource, role=grant.role, member=member, opts=opts
        )
    if grant.kind == "repository":
        return gcp.artifactregistry.RepositoryIamMember(
            logical, repository=grant.resource, role=grant.role, member=member, opts=opts
        )
    if grant.kind == "dataset":
        return gcp.bigquery.DatasetIamMember(
            logical, dataset_id=grant.resource, role=grant.role, member=member, opts=opts
        )
    return gcp.serviceaccount.IAMMember(
        logical, service_account_id=grant.resource, role=grant.role, member=member, opts=opts
    )


def _validate(args: ServiceAccountArgs) -> None:
    problems: list[str] = []
    if not ACCOUNT_ID.match(args.account_id):
        problems.append(
            f"account_id: {args.account_id!r} must be 6-30 lower-case letters, digits and "
            "hyphens, start with a letter and not end with a hyphen"
        )
    if not args.display_name.strip():
        problems.append("display_name: must say what runs as this account")
    elif len(args.display_name) > 100:
        problems.append("display_name: at most 100 characters")
    for i, role in enumerate(args.project_roles):
        problems.extend(role_problems(role, f"project_roles[{i}]"))
    if len(set(args.project_roles)) != len(args.project_roles):
        problems.append("project_roles: duplicates")
    for key, grant in args.resource_grants.items():
        if not re.fullmatch(r"[a-z][a-z0-9-]{0,39}", key):
            problems.append(
                f"resource_grants[{key!r}]: keys are 1-40 lower-case letters, digits and "
                "hyphens (they name the grant's child resource)"
            )
        if grant.kind not in ("bucket", "crypto_key", "repository", "service_account", "dataset"):
            problems.append(f"resource_grants[{key!r}].kind: {grant.kind!r} is not supported")
        problems.extend(role_problems(grant.role, f"resource_grants[{key!r}].role"))
    raise_problems("ServiceAccountArgs", problems)


@dataclass
class MemberGrantsArgs:
    member: pulumi.Input[str]
    """The identity granted (``ServiceAccount.member``, a service agent's member, a
    federated ``principalSet://``); public members are refused."""
    project_roles: Sequence[str] = ()
    resource_grants: Mapping[str, ResourceGrant] = field(default_factory=dict)
    project: str | None = None


class MemberGrants(pulumi.ComponentResource):
    """More least-privilege grants for an identity that exists already (an
    architecture widening a foundation's service account for its own services), with
    the checks and child names of ``ServiceAccount``."""

    members: dict[str, pulumi.CustomResource]

    def __init__(
        self, name: str, args: MemberGrantsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("mlops:gcp:MemberGrants", name, None, opts)
        problems: list[str] = []
        for i, role in enumerate(args.project_roles):
            problems.extend(role_problems(role, f"project_roles[{i}]"))
        for key, grant in args.resource_grants.items():
            problems.extend(role_problems(grant.role, f"resource_grants[{key!r}].role"))
        raise_problems("MemberGrantsArgs", problems)
        child = pulumi.ResourceOptions(parent=self)
        member = pulumi.Output.from_input(args.member).apply(checked_member("member"))
        project = (
            pulumi.Output.from_input(args.project)
            if args.project is not None
            else gcp.organizations.get_client_config_output(
                opts=pulumi.InvokeOutputOptions(parent=self)
            ).project
        )
        self.members = {
            _role_suffix(role): gcp.projects.IAMMember(
                naming.child(name, _role_suffix(role)),
                project=project,
                role=role,
                member=member,
                opts=child,
            )
            for role in args.project_roles
        }
        for key, grant in args.resource_grants.items():
            self.members[key] = resource_member(naming.child(name, key), grant, member, child)
        self.register_outputs({"grants": sorted(self.members)})
