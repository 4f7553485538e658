"""The pre-destroy cleanup script: what AWS services create beside a stack's resources.

SageMaker creates resources that no Pulumi program declares and that block or outlive
``pulumi destroy`` (see ``docs/destroy.md`` for the sources):

- a Studio domain gets an EFS home file system with one mount target per subnet and two
  security groups, ``security-group-for-inbound-nfs-<domain-id>`` and
  ``security-group-for-outbound-nfs-<domain-id>``, that reference each other. Deleting
  the domain leaves the groups (and, with ``RetentionPolicy`` ``Retain``, the file
  system and its mount targets), so the subnets and the VPC cannot be deleted
  (hashicorp/terraform-provider-aws#20986);
- users add Studio user profiles, spaces and apps; ``DeleteDomain`` refuses while any
  exist;
- pipeline executions start jobs whose network interfaces sit in the stack's subnets;
  ``DeletePipeline`` refuses while an execution runs;
- the pipeline registers model package versions in the stack's model package group;
- endpoints and jobs can leave detached network interfaces in the stack's security
  group (hashicorp/terraform-provider-aws#34397).

The script is generated from data: a fixed, reviewed prelude of bash functions, then for
each phase a list of steps, each an argv list (a function name and its arguments)
rendered with ``shlex.join``. Stack values are only ever arguments, checked here against
the AWS id patterns and again by the script before they reach a JMESPath query. Every
step lists first and deletes only what matches the exact ids and names of the stack
(and, for what SageMaker created, its ``ManagedByAmazonSageMakerResource`` tag), so a
phase can be run again after a partial failure.

Phases, in the order of ``docs/destroy.md``:

``prepare`` (before ``pulumi destroy``)
    stop the pipeline's running executions; delete the Studio domain's apps, spaces and
    user profiles; in a destroyable stack, delete the versions in the model package
    group (refused while other accounts may read the group, unless confirmed).
``release-network`` (after the Studio domain is deleted, before the VPC is)
    delete the domain's EFS mount targets, its home file system (destroyable stacks
    only; protected stacks keep the data), the two NFS security groups (rules first),
    and detached network interfaces left in the stack's workload security group.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from .facts import is_region

PHASES = ("prepare", "release-network")
"""The script's phases, in the order they run (``bash cleanup.sh <phase>``)."""

SAGEMAKER_TAG = "ManagedByAmazonSageMakerResource"
"""The tag SageMaker puts on what it creates for a domain; its value is the domain ARN."""

_PATTERNS = {
    # The SageMaker API reference patterns of each name, and EC2/EFS id formats.
    "pipeline_name": re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$"),
    "model_package_group_name": re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"),
    "domain_id": re.compile(r"^d-(-*[a-z0-9]){1,61}$"),
    "domain_arn": re.compile(r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:domain/d-[a-z0-9-]+$"),
    "home_efs_id": re.compile(r"^fs-[0-9a-f]{8,40}$"),
    "vpc_id": re.compile(r"^vpc-[0-9a-f]{8,17}$"),
    "workload_security_group_id": re.compile(r"^sg-[0-9a-f]{8,17}$"),
    "account_id": re.compile(r"^\d{12}$"),
}


@dataclass(frozen=True)
class StudioDomainRef:
    """A Studio domain of the stack, from its outputs."""

    domain_id: str
    """``d-...``: names the NFS security groups and filters apps, spaces and profiles."""
    domain_arn: str
    """The value of the ``ManagedByAmazonSageMakerResource`` tag SageMaker puts on the
    domain's EFS file system and NFS security groups; anything without it is refused."""
    home_efs_id: str
    """``HomeEfsFileSystemId`` of the domain (``fs-...``)."""
    keep_home: bool = False
    """``True`` when the domain retains its home file system (``retention: protected``):
    the mount targets are deleted to free the subnets, the file system and its data stay
    (and bill). ``False``: the file system is deleted too."""


@dataclass(frozen=True)
class CleanupTarget:
    """Plain values from a stack's settings and outputs; every field is optional except
    the region, and a missing one leaves its steps out."""

    region: str
    pipeline_name: str | None = None
    model_package_group_name: str | None = None
    delete_model_versions: bool = False
    """``True`` for destroyable stacks: the group is deleted with the stack, and its
    versions go first. Protected stacks retain the group and everything in it."""
    registry_consumer_account_ids: tuple[str, ...] = ()
    """Accounts the group's resource policy lets read its versions. When versions are to
    be deleted, the script refuses unless ``MLOPS_IAC_DELETE_SHARED_MODELS`` names the
    group: endpoints in those accounts may serve them."""
    studio: StudioDomainRef | None = None
    vpc_id: str | None = None
    """The VPC of the Studio domain and of the workload security group."""
    workload_security_group_id: str | None = None
    """The security group the stack created for SageMaker jobs, models and Studio;
    ``None`` for an adopted network, whose groups other workloads may share."""


def validate(target: CleanupTarget) -> list[str]:
    """Every problem with ``target``, each naming the field; empty when it is valid."""
    problems: list[str] = []
    if not is_region(target.region):
        problems.append(f"region: {target.region!r} is not an AWS region name")
    values: list[tuple[str, str, str | None]] = [
        ("pipeline_name", "pipeline_name", target.pipeline_name),
        ("model_package_group_name", "model_package_group_name", target.model_package_group_name),
        ("vpc_id", "vpc_id", target.vpc_id),
        (
            "workload_security_group_id",
            "workload_security_group_id",
            target.workload_security_group_id,
        ),
    ]
    if target.studio is not None:
        values += [
            ("studio.domain_id", "domain_id", target.studio.domain_id),
            ("studio.domain_arn", "domain_arn", target.studio.domain_arn),
            ("studio.home_efs_id", "home_efs_id", target.studio.home_efs_id),
        ]
    values += [
        (f"registry_consumer_account_ids[{i}]", "account_id", account)
        for i, account in enumerate(target.registry_consumer_account_ids)
    ]
    for path, kind, value in values:
        if value is not None and not _PATTERNS[kind].match(value):
            problems.append(f"{path}: {value!r} does not match {_PATTERNS[kind].pattern}")
    studio = target.studio
    if studio is not None:
        if target.vpc_id is None:
            problems.append("vpc_id: required with studio (the NFS security groups are in it)")
        arn = studio.domain_arn
        if _PATTERNS["domain_arn"].match(arn):
            if not arn.endswith(f":domain/{studio.domain_id}"):
                problems.append(f"studio.domain_arn: {arn!r} is not the ARN of {studio.domain_id}")
            if arn.split(":")[3] != target.region:
                problems.append(f"studio.domain_arn: {arn!r} is not in region {target.region}")
    if target.workload_security_group_id is not None and target.vpc_id is None:
        problems.append("vpc_id: required with workload_security_group_id")
    if target.delete_model_versions and target.model_package_group_name is None:
        problems.append("model_package_group_name: required with delete_model_versions")
    return problems


def cleanup_steps(target: CleanupTarget) -> dict[str, list[list[str]]]:
    """The steps of each phase, as argv lists: a function of the script's prelude, then
    its arguments. Raises ``ValueError`` listing every problem with ``target``."""
    problems = validate(target)
    if problems:
        raise ValueError("invalid CleanupTarget:\n  - " + "\n  - ".join(problems))
    studio = target.studio
    group = target.model_package_group_name

    prepare: list[list[str]] = [["use_region", target.region]]
    if target.delete_model_versions and group and target.registry_consumer_account_ids:
        # First, so that a refusal happens before anything is deleted.
        prepare.append(["confirm_shared_registry", group, *target.registry_consumer_account_ids])
    if target.pipeline_name:
        prepare.append(["stop_pipeline_executions", target.pipeline_name])
    if studio is not None:
        # Apps before the spaces and profiles that own them; spaces before the profiles
        # that own private spaces (SageMaker developer guide, "Remove user profiles").
        prepare += [
            ["delete_studio_apps", studio.domain_id],
            ["delete_studio_spaces", studio.domain_id],
            ["delete_studio_user_profiles", studio.domain_id],
        ]
    if target.delete_model_versions and group:
        prepare.append(["delete_model_package_versions", group])

    release: list[list[str]] = [["use_region", target.region]]
    if studio is not None:
        assert target.vpc_id is not None  # validated above
        release += [
            ["require_domain_deleted", studio.domain_id],
            ["delete_studio_mount_targets", studio.home_efs_id, studio.domain_arn],
        ]
        if not studio.keep_home:
            release.append(
                ["delete_studio_home_file_system", studio.home_efs_id, studio.domain_arn]
            )
        release.append(
            [
                "delete_studio_nfs_security_groups",
                target.vpc_id,
                studio.domain_id,
                studio.domain_arn,
            ]
        )
    if target.workload_security_group_id is not None:
        assert target.vpc_id is not None  # validated above
        release.append(
            ["delete_detached_interfaces", target.vpc_id, target.workload_security_group_id]
        )
    return {"prepare": prepare, "release-network": release}


def render(steps: dict[str, list[list[str]]]) -> str:
    """The script: the prelude, one function per phase with its steps, the dispatcher."""
    lines = [_PRELUDE]
    for phase in PHASES:
        lines.append(f"{_phase_function(phase)}() {{")
        body = steps.get(phase) or [[":"]]
        lines += ["  " + shlex.join(step) for step in body]
        lines.append("}")
        lines.append("")
    lines.append(_MAIN)
    return "\n".join(lines)


def cleanup_script(target: CleanupTarget) -> str:
    """The cleanup script for ``target`` (``bash <script> prepare|release-network``)."""
    return render(cleanup_steps(target))


def describe(steps: dict[str, list[list[str]]]) -> list[str]:
    """One line per step, for reports and reviews (``prepare: delete_studio_apps d-...``)."""
    return [f"{phase}: {shlex.join(step)}" for phase in PHASES for step in steps.get(phase, [])]


def _phase_function(phase: str) -> str:
    return "phase_" + phase.replace("-", "_")


_PRELUDE = r"""#!/usr/bin/env bash
# Cleanup of what AWS services created beside this stack's resources, generated by
# `mlops-iac cleanup-script`. Do not edit: regenerate it. See docs/destroy.md.
#
#   bash cleanup.sh prepare           before `pulumi destroy`
#   bash cleanup.sh release-network   after the Studio domain is deleted, before the VPC
#
# Each step lists first and deletes only what matches the exact ids and names below
# (and SageMaker's ManagedByAmazonSageMakerResource tag), so a phase can run again.
# MLOPS_IAC_CLEANUP_POLL_SECONDS / MLOPS_IAC_CLEANUP_POLL_ATTEMPTS tune the waits.
set -euo pipefail
shopt -s inherit_errexit
set -f
export AWS_PAGER=""

POLL_SECONDS="${MLOPS_IAC_CLEANUP_POLL_SECONDS:-15}"
POLL_ATTEMPTS="${MLOPS_IAC_CLEANUP_POLL_ATTEMPTS:-80}"
REGION=""
SAGEMAKER_TAG="ManagedByAmazonSageMakerResource"

log() { printf 'cleanup: %s\n' "$*" >&2; }
fail() {
  log "ERROR: $*"
  exit 1
}

# checked VALUE...: values go into JMESPath string literals; allow id characters only.
checked() {
  local value
  for value in "$@"; do
    [[ $value =~ ^[A-Za-z0-9][A-Za-z0-9:/._-]*$ ]] || fail "unexpected characters in ${value@Q}"
  done
}

use_region() {
  checked "$1"
  REGION="$1"
}

# awsq ARGS...: the AWS CLI in the stack's region; --query results come as text, one
# row per line (or per page), columns separated by tabs. Queries only select rows, so
# they give the same answer page by page.
awsq() { aws --region "$REGION" --output text "$@"; }

# gone_or_fail CMD...: run a delete call; a resource that is already gone is fine.
gone_or_fail() {
  local err
  if err="$("$@" 2>&1 >/dev/null)"; then
    return 0
  fi
  case $err in
    *NotFound* | *"does not exist"* | *"not found"*) log "already gone: ${*:2}" ;;
    *)
      printf '%s\n' "$err" >&2
      fail "failed: ${*:2}"
      ;;
  esac
}

# split_into ARRAY TEXT: the whitespace-separated words of TEXT (ids, one query row or
# page per line) into ARRAY.
split_into() {
  local -n words="$1"
  words=()
  # shellcheck disable=SC2034  # a nameref: this fills the caller's array
  read -r -d '' -a words <<<"$2" || true
}

# wait_until_empty WHAT CMD...: poll CMD until it prints nothing.
wait_until_empty() {
  local what="$1" out attempt left
  shift
  for ((attempt = 1; ; attempt++)); do
    out="$("$@")"
    split_into left "$out"
    ((${#left[@]} > 0)) || return 0
    ((attempt < POLL_ATTEMPTS)) || fail "timed out waiting for ${what}; still there: ${left[*]}"
    log "waiting for ${what} (${attempt}/${POLL_ATTEMPTS})"
    sleep "$POLL_SECONDS"
  done
}

# -- model registry -------------------------------------------------------------------

# confirm_shared_registry GROUP ACCOUNT...: other accounts may serve GROUP's versions.
confirm_shared_registry() {
  local group="$1"
  shift
  checked "$group" "$@"
  if [[ ${MLOPS_IAC_DELETE_SHARED_MODELS:-} != "$group" ]]; then
    fail "model package group $group is shared with account(s) $*: endpoints there may serve" \
      "its versions, and this stack's bucket and key hold their artifacts. Nothing was" \
      "deleted. To delete anyway: MLOPS_IAC_DELETE_SHARED_MODELS=$group bash $0 prepare"
  fi
}

group_exists() {
  awsq sagemaker list-model-package-groups --name-contains "$1" \
    --query "ModelPackageGroupSummaryList[?ModelPackageGroupName=='$1'].ModelPackageGroupName"
}

group_versions() {
  awsq sagemaker list-model-packages --model-package-group-name "$1" \
    --query "ModelPackageSummaryList[?ModelPackageGroupName=='$1'].ModelPackageArn"
}

# delete_model_package_versions GROUP: the versions the pipeline registered; the group
# itself is the stack's and goes with `pulumi destroy`.
delete_model_package_versions() {
  local group="$1" found out arns arn
  checked "$group"
  found="$(group_exists "$group")"
  if [[ -z $found ]]; then
    log "model package group $group: gone"
    return 0
  fi
  out="$(group_versions "$group")"
  split_into arns "$out"
  for arn in "${arns[@]}"; do
    log "deleting model package $arn"
    gone_or_fail awsq sagemaker delete-model-package --model-package-name "$arn"
  done
  wait_until_empty "versions of $group to be deleted" group_versions "$group"
}

# -- pipeline -------------------------------------------------------------------------

pipeline_exists() {
  awsq sagemaker list-pipelines --pipeline-name-prefix "$1" \
    --query "PipelineSummaries[?PipelineName=='$1'].PipelineName"
}

active_executions() {
  awsq sagemaker list-pipeline-executions --pipeline-name "$1" \
    --query "PipelineExecutionSummaries[?PipelineExecutionStatus=='Executing' || PipelineExecutionStatus=='Stopping'].[PipelineExecutionArn,PipelineExecutionStatus]"
}

# stop_pipeline_executions PIPELINE: running executions bill, hold network interfaces in
# the stack's subnets, and make DeletePipeline fail.
stop_pipeline_executions() {
  local pipeline="$1" found rows arn status
  checked "$pipeline"
  found="$(pipeline_exists "$pipeline")"
  if [[ -z $found ]]; then
    log "pipeline $pipeline: gone"
    return 0
  fi
  rows="$(active_executions "$pipeline")"
  while read -r arn status; do
    [[ -n $arn && $status == Executing ]] || continue
    log "stopping pipeline execution $arn"
    gone_or_fail awsq sagemaker stop-pipeline-execution --pipeline-execution-arn "$arn"
  done <<<"$rows"
  wait_until_empty "executions of $pipeline to stop" active_executions "$pipeline"
}

# -- Studio ---------------------------------------------------------------------------

domain_status() {
  awsq sagemaker list-domains --query "Domains[?DomainId=='$1'].Status"
}

active_apps() {
  awsq sagemaker list-apps --domain-id-equals "$1" \
    --query "Apps[?DomainId=='$1' && Status!='Deleted' && Status!='Failed'].[AppType,AppName,UserProfileName || '-',SpaceName || '-',Status]"
}

studio_spaces() {
  awsq sagemaker list-spaces --domain-id-equals "$1" \
    --query "Spaces[?DomainId=='$1'].[SpaceName,Status]"
}

studio_user_profiles() {
  awsq sagemaker list-user-profiles --domain-id-equals "$1" \
    --query "UserProfiles[?DomainId=='$1'].[UserProfileName,Status]"
}

# domain_present DOMAIN: succeeds when the domain exists, logs otherwise.
domain_present() {
  local status
  status="$(domain_status "$1")"
  [[ -n $status ]] && return 0
  log "Studio domain $1: gone"
  return 1
}

# delete_studio_apps DOMAIN: every app that is not deleted or failed (a failed app does
# not block deleting its owner).
delete_studio_apps() {
  local domain="$1" rows type name profile space status owner
  checked "$domain"
  domain_present "$domain" || return 0
  rows="$(active_apps "$domain")"
  while read -r type name profile space status; do
    [[ -n $type && $status != Deleting ]] || continue
    if [[ $space != - ]]; then owner=(--space-name "$space"); else owner=(--user-profile-name "$profile"); fi
    log "deleting Studio app $type $name (${owner[*]})"
    gone_or_fail awsq sagemaker delete-app --domain-id "$domain" --app-type "$type" \
      --app-name "$name" "${owner[@]}"
  done <<<"$rows"
  wait_until_empty "Studio apps of $domain to be deleted" active_apps "$domain"
}

delete_studio_spaces() {
  local domain="$1" rows name status
  checked "$domain"
  domain_present "$domain" || return 0
  rows="$(studio_spaces "$domain")"
  while read -r name status; do
    [[ -n $name && $status != Deleting ]] || continue
    log "deleting Studio space $name"
    gone_or_fail awsq sagemaker delete-space --domain-id "$domain" --space-name "$name"
  done <<<"$rows"
  wait_until_empty "Studio spaces of $domain to be deleted" studio_spaces "$domain"
}

delete_studio_user_profiles() {
  local domain="$1" rows name status
  checked "$domain"
  domain_present "$domain" || return 0
  rows="$(studio_user_profiles "$domain")"
  while read -r name status; do
    [[ -n $name && $status != Deleting ]] || continue
    log "deleting Studio user profile $name"
    gone_or_fail awsq sagemaker delete-user-profile --domain-id "$domain" \
      --user-profile-name "$name"
  done <<<"$rows"
  wait_until_empty "Studio user profiles of $domain to be deleted" studio_user_profiles "$domain"
}

# require_domain_deleted DOMAIN: what follows would break a live domain.
require_domain_deleted() {
  local domain="$1" status
  checked "$domain"
  status="$(domain_status "$domain")"
  [[ -n $status ]] || return 0
  [[ $status == Deleting ]] ||
    fail "Studio domain $domain still exists (status $status). Delete it first (docs/destroy.md," \
      "step 3: pulumi destroy --target <sagemaker_studio_domain_urn>), then run this phase again."
  wait_until_empty "Studio domain $domain to be deleted" domain_status "$domain"
}

# home_file_system FS ARN: FS's state while it exists; refuses a file system that is not
# tagged as the domain's.
home_file_system() {
  local found owned
  found="$(awsq efs describe-file-systems \
    --query "FileSystems[?FileSystemId=='$1' && LifeCycleState!='deleted'].LifeCycleState")"
  [[ -n $found ]] || return 0
  owned="$(awsq efs describe-file-systems \
    --query "FileSystems[?FileSystemId=='$1' && Tags[?Key=='$SAGEMAKER_TAG' && Value=='$2']].FileSystemId")"
  [[ -n $owned ]] || fail "file system $1 is not tagged $SAGEMAKER_TAG=$2; refusing to touch it"
  printf '%s\n' "$found"
}

mount_targets() {
  local state
  state="$(home_file_system "$1" "$2")"
  [[ -n $state ]] || return 0
  awsq efs describe-mount-targets --file-system-id "$1" \
    --query "MountTargets[?FileSystemId=='$1' && LifeCycleState!='deleted'].[MountTargetId,LifeCycleState]"
}

# delete_studio_mount_targets FS ARN: the mount targets' network interfaces keep the
# subnets from being deleted; the file system and its data do not depend on them.
delete_studio_mount_targets() {
  local fs="$1" arn="$2" rows target state
  checked "$fs" "$arn"
  rows="$(mount_targets "$fs" "$arn")"
  while read -r target state; do
    [[ -n $target && $state != deleting ]] || continue
    log "deleting mount target $target of $fs"
    gone_or_fail awsq efs delete-mount-target --mount-target-id "$target"
  done <<<"$rows"
  wait_until_empty "mount targets of $fs to be deleted" mount_targets "$fs" "$arn"
}

# delete_studio_home_file_system FS ARN: RetentionPolicy Delete makes SageMaker delete it;
# this covers a domain that retained it or a deletion that has not finished.
delete_studio_home_file_system() {
  local fs="$1" arn="$2" state
  checked "$fs" "$arn"
  state="$(home_file_system "$fs" "$arn")"
  if [[ -z $state ]]; then
    log "file system $fs: gone"
    return 0
  fi
  if [[ $state != deleting ]]; then
    log "deleting file system $fs"
    gone_or_fail awsq efs delete-file-system --file-system-id "$fs"
  fi
  wait_until_empty "file system $fs to be deleted" home_file_system "$fs" "$arn"
}

# nfs_groups VPC DOMAIN [ARN]: the domain's two NFS groups, by exact name in the VPC
# (and, with ARN, only those tagged as the domain's).
nfs_groups() {
  local vpc="$1" inbound="security-group-for-inbound-nfs-$2" outbound="security-group-for-outbound-nfs-$2"
  local tagged=""
  [[ -z ${3:-} ]] || tagged=" && Tags[?Key=='$SAGEMAKER_TAG' && Value=='$3']"
  awsq ec2 describe-security-groups \
    --filters "Name=vpc-id,Values=$vpc" "Name=group-name,Values=$inbound,$outbound" \
    --query "SecurityGroups[?VpcId=='$vpc' && (GroupName=='$inbound' || GroupName=='$outbound')$tagged].GroupId"
}

rules() {
  awsq ec2 describe-security-group-rules --filters "Name=group-id,Values=$1" \
    --query "SecurityGroupRules[?GroupId=='$1' && $2].SecurityGroupRuleId"
}

detached_interfaces() {
  awsq ec2 describe-network-interfaces \
    --filters "Name=vpc-id,Values=$1" "Name=group-id,Values=$2" "Name=status,Values=available" \
    --query "NetworkInterfaces[?VpcId=='$1' && Status=='available' && Groups[?GroupId=='$2']].NetworkInterfaceId"
}

# delete_detached_interfaces VPC GROUP: interfaces SageMaker left behind, detached, in
# GROUP; in-use ones are not touched.
delete_detached_interfaces() {
  local vpc="$1" group="$2" out ids eni
  checked "$vpc" "$group"
  out="$(detached_interfaces "$vpc" "$group")"
  split_into ids "$out"
  for eni in "${ids[@]}"; do
    log "deleting detached network interface $eni (security group $group)"
    gone_or_fail awsq ec2 delete-network-interface --network-interface-id "$eni"
  done
}

# delete_security_group GROUP: retried while something still references it (SageMaker
# and EFS release their references some time after the domain is deleted).
delete_security_group() {
  local group="$1" err attempt
  for ((attempt = 1; ; attempt++)); do
    if err="$(awsq ec2 delete-security-group --group-id "$group" 2>&1 >/dev/null)"; then
      log "deleted security group $group"
      return 0
    fi
    case $err in
      *NotFound*)
        log "security group $group: already gone"
        return 0
        ;;
      *DependencyViolation*)
        ((attempt < POLL_ATTEMPTS)) || fail "security group $group is still in use: $err"
        log "security group $group is still referenced (${attempt}/${POLL_ATTEMPTS})"
        sleep "$POLL_SECONDS"
        ;;
      *)
        printf '%s\n' "$err" >&2
        fail "could not delete security group $group"
        ;;
    esac
  done
}

# delete_studio_nfs_security_groups VPC DOMAIN ARN: the two groups reference each other,
# so both lose their rules before either is deleted.
delete_studio_nfs_security_groups() {
  local vpc="$1" domain="$2" arn="$3" out groups owned group ids
  checked "$vpc" "$domain" "$arn"
  out="$(nfs_groups "$vpc" "$domain")"
  split_into groups "$out"
  out="$(nfs_groups "$vpc" "$domain" "$arn")"
  split_into owned "$out"
  [[ "${groups[*]}" == "${owned[*]}" ]] ||
    fail "security groups ${groups[*]} are named for $domain but not all are tagged" \
      "$SAGEMAKER_TAG=$arn; refusing to touch them"
  if ((${#groups[@]} == 0)); then
    log "NFS security groups of $domain: gone"
    return 0
  fi
  for group in "${groups[@]}"; do
    delete_detached_interfaces "$vpc" "$group"
    out="$(rules "$group" '!IsEgress')"
    split_into ids "$out"
    if ((${#ids[@]} > 0)); then
      log "revoking inbound rules ${ids[*]} of $group"
      awsq ec2 revoke-security-group-ingress --group-id "$group" --security-group-rule-ids "${ids[@]}" >/dev/null
    fi
    out="$(rules "$group" 'IsEgress')"
    split_into ids "$out"
    if ((${#ids[@]} > 0)); then
      log "revoking outbound rules ${ids[*]} of $group"
      awsq ec2 revoke-security-group-egress --group-id "$group" --security-group-rule-ids "${ids[@]}" >/dev/null
    fi
  done
  for group in "${groups[@]}"; do
    delete_security_group "$group"
  done
}

# -- phases (generated from the stack's values) ---------------------------------------
"""

_MAIN = r"""usage() {
  printf 'usage: %s prepare|release-network\n' "$0" >&2
}

main() {
  case "${1:-}" in
    prepare) phase_prepare ;;
    release-network) phase_release_network ;;
    *)
      usage
      return 2
      ;;
  esac
  log "$1: done"
}

main "$@"
"""
