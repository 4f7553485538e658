"""A fake ``aws`` command for the cleanup-script tests.

It keeps a small AWS account in a JSON file (``FAKE_AWS_STATE``), appends every call's
argv to ``FAKE_AWS_LOG`` (one JSON list per line), answers the list/describe calls the
script makes and applies its delete calls, with the preconditions AWS enforces that the
script depends on (a security group still referenced, a file system with mount targets,
an interface in use ...). ``--query`` is evaluated with jmespath and ``--output text``
printed as the AWS CLI prints it, so the script's queries are exercised for real.

Server-side filters (``--filters``, ``--domain-id-equals`` ...) are ignored on purpose,
except where the API takes an exact key (``--pipeline-name``, ``--file-system-id``): the
script must select its rows client-side as well, so unrelated resources come back and
must survive. An unknown call fails loudly.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jmespath

State = dict[str, Any]
Options = dict[str, list[str]]


class AwsError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


SINGLE_VALUED = {"region", "output", "query"}
"""Global options, given before the service; every other option may take several values
(``--filters a b``, ``--security-group-rule-ids x y``)."""


def parse(argv: list[str]) -> tuple[str, str, Options]:
    """``(service, operation, options)``; options map ``--name`` to its values."""
    positional: list[str] = []
    options: Options = {}
    current: list[str] | None = None
    name = ""
    for arg in argv:
        if arg.startswith("--"):
            name = arg[2:]
            current = options.setdefault(name, [])
        elif current is not None and not (name in SINGLE_VALUED and current):
            current.append(arg)
        else:
            positional.append(arg)
            current = None
    if len(positional) != 2:
        raise AwsError("UsageError", f"expected SERVICE OPERATION, got {positional}")
    return positional[0], positional[1], options


def one(options: Options, name: str) -> str:
    values = options.get(name)
    if not values or len(values) != 1:
        raise AwsError("ValidationException", f"--{name} needs exactly one value: {values}")
    return values[0]


def text(data: Any) -> str:
    """The AWS CLI's ``--output text`` rendering of a query result."""
    lines: list[str] = []

    def scalar(value: Any) -> str:
        if isinstance(value, bool):
            return "True" if value else "False"
        return str(value)

    def emit(item: Any) -> None:
        if isinstance(item, list):
            if not item:
                return
            if any(isinstance(el, (list, dict)) for el in item):
                scalars = [el for el in item if not isinstance(el, (list, dict))]
                if scalars:
                    lines.append("\t".join(scalar(el) for el in scalars))
                for el in item:
                    if isinstance(el, (list, dict)):
                        emit(el)
            else:
                lines.append("\t".join(scalar(el) for el in item))
        elif isinstance(item, dict):
            # Responses of delete calls (the script discards them): the scalar values.
            lines.append(
                "\t".join(scalar(v) for v in item.values() if not isinstance(v, (list, dict)))
            )
        else:
            lines.append(scalar(item))

    emit(data)
    return "".join(f"{line}\n" for line in lines)


# -- operations ---------------------------------------------------------------------------


def _find(items: list[dict[str, Any]], code: str, **match: Any) -> dict[str, Any]:
    for item in items:
        if all(item.get(k) == v for k, v in match.items()):
            return item
    raise AwsError(code, f"{match} does not exist")


def list_pipelines(state: State, _o: Options) -> Any:
    return {"PipelineSummaries": state["pipelines"]}


def list_pipeline_executions(state: State, o: Options) -> Any:
    name = one(o, "pipeline-name")
    _find(state["pipelines"], "ResourceNotFound", PipelineName=name)
    return {
        "PipelineExecutionSummaries": [
            {k: v for k, v in e.items() if k != "PipelineName"}
            for e in state["executions"]
            if e["PipelineName"] == name
        ]
    }


def stop_pipeline_execution(state: State, o: Options) -> Any:
    execution = _find(
        state["executions"],
        "ResourceNotFound",
        PipelineExecutionArn=one(o, "pipeline-execution-arn"),
    )
    if execution["PipelineExecutionStatus"] != "Executing":
        raise AwsError("ValidationException", "the execution is not running")
    execution["PipelineExecutionStatus"] = state.get("stopped_status", "Stopped")
    return {"PipelineExecutionArn": execution["PipelineExecutionArn"]}


def list_domains(state: State, _o: Options) -> Any:
    return {"Domains": state["domains"]}


def list_apps(state: State, _o: Options) -> Any:
    return {"Apps": state["apps"]}


def delete_app(state: State, o: Options) -> Any:
    match = {
        "DomainId": one(o, "domain-id"),
        "AppType": one(o, "app-type"),
        "AppName": one(o, "app-name"),
    }
    if "space-name" in o:
        match["SpaceName"] = one(o, "space-name")
    else:
        match["UserProfileName"] = one(o, "user-profile-name")
    app = _find(state["apps"], "ResourceNotFound", **match)
    if app["Status"] != "InService":
        raise AwsError("ResourceInUse", f"app status is {app['Status']}")
    app["Status"] = "Deleted"
    return None


def _active_apps(state: State, domain: str, **owner: str) -> list[dict[str, Any]]:
    return [
        a
        for a in state["apps"]
        if a["DomainId"] == domain
        and a["Status"] not in ("Deleted", "Failed")
        and all(a.get(k) == v for k, v in owner.items())
    ]


def list_spaces(state: State, _o: Options) -> Any:
    return {"Spaces": state["spaces"]}


def delete_space(state: State, o: Options) -> Any:
    domain, name = one(o, "domain-id"), one(o, "space-name")
    space = _find(state["spaces"], "ResourceNotFound", DomainId=domain, SpaceName=name)
    if _active_apps(state, domain, SpaceName=name):
        raise AwsError("ResourceInUse", f"space {name} has apps")
    state["spaces"].remove(space)
    return None


def list_user_profiles(state: State, _o: Options) -> Any:
    return {"UserProfiles": state["user_profiles"]}


def delete_user_profile(state: State, o: Options) -> Any:
    domain, name = one(o, "domain-id"), one(o, "user-profile-name")
    profile = _find(
        state["user_profiles"], "ResourceNotFound", DomainId=domain, UserProfileName=name
    )
    owned = [s for s in state["spaces"] if s["DomainId"] == domain and s.get("Owner") == name]
    if _active_apps(state, domain, UserProfileName=name) or owned:
        raise AwsError("ResourceInUse", f"user profile {name} has apps or spaces")
    state["user_profiles"].remove(profile)
    return None


def list_model_package_groups(state: State, _o: Options) -> Any:
    return {"ModelPackageGroupSummaryList": state["model_package_groups"]}


def list_model_packages(state: State, o: Options) -> Any:
    one(o, "model-package-group-name")
    return {"ModelPackageSummaryList": state["model_packages"]}


def delete_model_package(state: State, o: Options) -> Any:
    package = _find(
        state["model_packages"], "ResourceNotFound", ModelPackageArn=one(o, "model-package-name")
    )
    state["model_packages"].remove(package)
    return None


def describe_file_systems(state: State, _o: Options) -> Any:
    return {"FileSystems": state["file_systems"]}


def describe_mount_targets(state: State, o: Options) -> Any:
    fs = one(o, "file-system-id")
    _find(state["file_systems"], "FileSystemNotFound", FileSystemId=fs)
    return {"MountTargets": [m for m in state["mount_targets"] if m["FileSystemId"] == fs]}


def delete_mount_target(state: State, o: Options) -> Any:
    target = _find(
        state["mount_targets"], "MountTargetNotFound", MountTargetId=one(o, "mount-target-id")
    )
    state["mount_targets"].remove(target)
    state["network_interfaces"] = [
        n
        for n in state["network_interfaces"]
        if n["NetworkInterfaceId"] != target["NetworkInterfaceId"]
    ]
    return None


def delete_file_system(state: State, o: Options) -> Any:
    fs = _find(state["file_systems"], "FileSystemNotFound", FileSystemId=one(o, "file-system-id"))
    if any(m["FileSystemId"] == fs["FileSystemId"] for m in state["mount_targets"]):
        raise AwsError("FileSystemInUse", "the file system has mount targets")
    state["file_systems"].remove(fs)
    return None


def describe_security_groups(state: State, _o: Options) -> Any:
    return {"SecurityGroups": state["security_groups"]}


def describe_security_group_rules(state: State, _o: Options) -> Any:
    return {"SecurityGroupRules": state["security_group_rules"]}


def _revoke(egress: bool) -> Callable[[State, Options], Any]:
    def revoke(state: State, o: Options) -> Any:
        group = one(o, "group-id")
        for rule_id in o.get("security-group-rule-ids", []):
            rule = _find(
                state["security_group_rules"],
                "InvalidSecurityGroupRuleId.NotFound",
                SecurityGroupRuleId=rule_id,
            )
            if rule["GroupId"] != group or rule["IsEgress"] is not egress:
                raise AwsError(
                    "InvalidParameterValue", f"{rule_id} is not a rule of that kind in {group}"
                )
            state["security_group_rules"].remove(rule)
        return {"Return": True}

    return revoke


def delete_security_group(state: State, o: Options) -> Any:
    group = _find(state["security_groups"], "InvalidGroup.NotFound", GroupId=one(o, "group-id"))
    gid = group["GroupId"]
    referenced = any(
        r.get("ReferencedGroupInfo", {}).get("GroupId") == gid and r["GroupId"] != gid
        for r in state["security_group_rules"]
    )
    attached = any(gid in [g["GroupId"] for g in n["Groups"]] for n in state["network_interfaces"])
    if referenced or attached:
        raise AwsError("DependencyViolation", f"resource {gid} has a dependent object")
    state["security_groups"].remove(group)
    state["security_group_rules"] = [
        r for r in state["security_group_rules"] if r["GroupId"] != gid
    ]
    return None


def describe_network_interfaces(state: State, _o: Options) -> Any:
    return {"NetworkInterfaces": state["network_interfaces"]}


def delete_network_interface(state: State, o: Options) -> Any:
    eni = _find(
        state["network_interfaces"],
        "InvalidNetworkInterfaceID.NotFound",
        NetworkInterfaceId=one(o, "network-interface-id"),
    )
    if eni["Status"] != "available":
        raise AwsError("InvalidNetworkInterface.InUse", "the interface is in use")
    state["network_interfaces"].remove(eni)
    return None


OPERATIONS: dict[tuple[str, str], Callable[[State, Options], Any]] = {
    ("sagemaker", "list-pipelines"): list_pipelines,
    ("sagemaker", "list-pipeline-executions"): list_pipeline_executions,
    ("sagemaker", "stop-pipeline-execution"): stop_pipeline_execution,
    ("sagemaker", "list-domains"): list_domains,
    ("sagemaker", "list-apps"): list_apps,
    ("sagemaker", "delete-app"): delete_app,
    ("sagemaker", "list-spaces"): list_spaces,
    ("sagemaker", "delete-space"): delete_space,
    ("sagemaker", "list-user-profiles"): list_user_profiles,
    ("sagemaker", "delete-user-profile"): delete_user_profile,
    ("sagemaker", "list-model-package-groups"): list_model_package_groups,
    ("sagemaker", "list-model-packages"): list_model_packages,
    ("sagemaker", "delete-model-package"): delete_model_package,
    ("efs", "describe-file-systems"): describe_file_systems,
    ("efs", "describe-mount-targets"): describe_mount_targets,
    ("efs", "delete-mount-target"): delete_mount_target,
    ("efs", "delete-file-system"): delete_file_system,
    ("ec2", "describe-security-groups"): describe_security_groups,
    ("ec2", "describe-security-group-rules"): describe_security_group_rules,
    ("ec2", "revoke-security-group-ingress"): _revoke(egress=False),
    ("ec2", "revoke-security-group-egress"): _revoke(egress=True),
    ("ec2", "delete-security-group"): delete_security_group,
    ("ec2", "describe-network-interfaces"): describe_network_interfaces,
    ("ec2", "delete-network-interface"): delete_network_interface,
}


def main(argv: list[str]) -> int:
    state_file = Path(os.environ["FAKE_AWS_STATE"])
    with open(os.environ["FAKE_AWS_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(argv) + "\n")
    state = json.loads(state_file.read_text(encoding="utf-8"))
    try:
        service, operation, options = parse(argv)
        if options.pop("region", None) != [state["region"]]:
            raise AwsError("UsageError", "every call names the stack's region")
        if options.pop("output", None) != ["text"]:
            raise AwsError("UsageError", "every call asks for text output")
        query = options.pop("query", None)
        handler = OPERATIONS.get((service, operation))
        if handler is None:
            raise AwsError("UnmockedCall", f"fake aws has no {service} {operation}")
        result = handler(state, options)
    except AwsError as exc:
        print(
            f"An error occurred ({exc.code}) when calling {' '.join(argv)}: {exc}",
            file=sys.stderr,
        )
        return 254
    state_file.write_text(json.dumps(state), encoding="utf-8")
    if query is not None:
        result = jmespath.search(query[0], result)
    if result is not None:
        sys.stdout.write(text(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
