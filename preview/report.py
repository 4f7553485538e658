"""The plan report: what a stack would create, its policy violations and its cost.

One ``PlanResult`` renders to JSON (the machine contract in ``docs/plan-json.md``,
``schema_version`` 1) or to Markdown for a pull-request comment, with a Mermaid
diagram GitHub draws inline. Both are deterministic: the same program and config give
byte-identical reports, so a diff of two reports shows only real changes.

Policy evaluation and cost estimation plug in as callables (``Evaluator`` and
``CostEstimator``); the report only renders what they return.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cost import cost_markdown
from .markdown import decisions_section, folded, text
from .quotas import quotas_json, quotas_markdown
from .recorder import RecordedResource
from .runner import Recording, plan_stack

SCHEMA_VERSION = 1
RESOURCE_FIELDS = (
    "urn",
    "type",
    "name",
    "parent",
    "dependencies",
    "provider",
    "custom",
    "protect",
    "retain_on_delete",
    "inputs",
)
"""The fields of each resource in the JSON report, in this order."""
SEVERITY_ORDER = ("critical", "high", "medium", "low")
MANDATORY = "mandatory"
MAX_DIAGRAM_EDGES = 500
"""Mermaid refuses to draw more edges than this (its ``maxEdges`` default)."""


@dataclass(frozen=True)
class Violation:
    """One policy finding on one resource (or on the stack when ``urn`` is ``None``)."""

    policy: str
    pack: str
    enforcement: str
    """``advisory``, ``mandatory`` or ``remediate``; ``mandatory`` fails the plan."""
    severity: str
    urn: str | None
    message: str
    remediation: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "pack": self.pack,
            "enforcement": self.enforcement,
            "severity": self.severity,
            "urn": self.urn,
            "message": self.message,
            "remediation": self.remediation,
        }


@dataclass(frozen=True)
class PolicyReport:
    """What the policies found, and over how many resources they ran."""

    evaluated: int = 0
    """Resources the policies were evaluated against; 0 means no evaluation."""
    violations: list[Violation] = field(default_factory=list)

    @property
    def mandatory(self) -> list[Violation]:
        """Violations that block the change."""
        return [v for v in self.violations if v.enforcement == MANDATORY]


Evaluator = Callable[[Recording, Path | None, str | None], PolicyReport]
"""``evaluate(recording, policy_config_path, environment) -> PolicyReport``."""
CostEstimator = Callable[[Recording], dict[str, Any]]
"""``estimate(recording) -> JSON-ready dict`` rendered as the report's ``cost``."""


def no_policies(
    recording: Recording, policy_config: Path | None, environment: str | None
) -> PolicyReport:
    """The evaluator used until a policy engine is plugged in: nothing evaluated."""
    return PolicyReport()


def no_cost(recording: Recording) -> dict[str, Any]:
    """The cost estimator used until one is plugged in: an empty section."""
    return {}


@dataclass(frozen=True)
class PlanResult:
    """A recording with its policy findings and cost estimate."""

    recording: Recording
    policies: PolicyReport = field(default_factory=PolicyReport)
    cost: dict[str, Any] = field(default_factory=dict)


ENVIRONMENTS = ("dev", "staging", "prod")


def environment_of(recording: Recording) -> str | None:
    """The stack's environment: ``mlops-iac:environment``, else ``<project>:environment``,
    else the stack name's last part when it names one (``dev``, ``team-a-prod``)."""
    for key in ("mlops-iac:environment", f"{recording.project}:environment"):
        if recording.config.get(key):
            return recording.config[key]
    suffix = recording.stack.rsplit("-", 1)[-1]
    return suffix if suffix in ENVIRONMENTS else None


def build_plan(
    project_dir: Path,
    stack: str,
    *,
    policy_config: Path | None = None,
    evaluate: Evaluator = no_policies,
    estimate_cost: CostEstimator = no_cost,
    timeout: float | None = None,
    lookups: Path | None = None,
) -> PlanResult:
    """Plan ``stack`` of the project in ``project_dir``, then evaluate policies and cost.
    ``timeout`` and ``lookups`` are ``plan_stack``'s."""
    recording = plan_stack(project_dir, stack, timeout=timeout, lookups=lookups)
    policies = evaluate(recording, policy_config, environment_of(recording))
    return PlanResult(recording, policies, estimate_cost(recording))


# -- helpers ------------------------------------------------------------------------


def is_provider(resource: RecordedResource) -> bool:
    return resource.type.startswith("pulumi:providers:")


def cloud_resources(recording: Recording) -> list[RecordedResource]:
    """Custom resources other than explicit providers: what the clouds will hold."""
    return [r for r in recording.resources if r.custom and not is_provider(r)]


def components(recording: Recording) -> list[RecordedResource]:
    return [r for r in recording.resources if not r.custom]


def package_of(type_token: str) -> str:
    """``aws:s3/bucket:Bucket`` -> ``aws``; ``pulumi:providers:gcp`` -> ``gcp``."""
    if type_token.startswith("pulumi:providers:"):
        return type_token.split(":")[2]
    return type_token.split(":")[0]


def count_by_cloud(recording: Recording) -> dict[str, int]:
    """Cloud resources per provider package, sorted by package."""
    return dict(sorted(Counter(package_of(r.type) for r in cloud_resources(recording)).items()))


def short_type(type_token: str) -> str:
    """The last segment of a type token: ``aws:s3/bucket:Bucket`` -> ``Bucket``."""
    return type_token.rsplit(":", 1)[-1]


def _sorted_violations(violations: list[Violation]) -> list[Violation]:
    def rank(v: Violation) -> tuple[int, str, str, str, str]:
        severity = (
            SEVERITY_ORDER.index(v.severity)
            if v.severity in SEVERITY_ORDER
            else len(SEVERITY_ORDER)
        )
        return (severity, v.severity, v.policy, v.urn or "", v.message)

    return sorted(violations, key=rank)


def _deep_sorted(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _deep_sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_deep_sorted(v) for v in value]
    return value


# -- JSON ----------------------------------------------------------------------------


def to_json_dict(result: PlanResult) -> dict[str, Any]:
    """The report as a JSON-ready dict (see ``docs/plan-json.md``)."""
    recording = result.recording
    resources = []
    for resource in recording.resources:
        data = resource.to_json()
        resources.append({key: _deep_sorted(data[key]) for key in RESOURCE_FIELDS})
    return {
        "schema_version": SCHEMA_VERSION,
        "project": recording.project,
        "stack": recording.stack,
        "resources": resources,
        "default_providers": [
            {key: _deep_sorted(p.to_json()[key]) for key in RESOURCE_FIELDS}
            for p in recording.default_providers
        ],
        "outputs": _deep_sorted(recording.outputs),
        "policies": {
            "evaluated": result.policies.evaluated,
            "violations": [v.to_json() for v in _sorted_violations(result.policies.violations)],
        },
        "cost": _deep_sorted(result.cost),
        "quotas": quotas_json(recording),
        "warnings": list(recording.warnings),
        "unknowns": [{"urn": urn, "path": path} for urn, path in recording.unknowns()],
        "unanswered_lookups": [
            {"token": u.token, "args": _deep_sorted(dict(u.args))}
            for u in sorted(
                {
                    (u.token, json.dumps(u.args, sort_keys=True, default=str)): u
                    for u in recording.unanswered
                }.values(),
                key=lambda u: (u.token, json.dumps(u.args, sort_keys=True, default=str)),
            )
        ],
    }


def to_json(result: PlanResult) -> str:
    """The report as JSON text (two-space indent, trailing newline)."""
    return json.dumps(to_json_dict(result), indent=2, ensure_ascii=False) + "\n"


# -- Markdown ------------------------------------------------------------------------


def _cell(value: str) -> str:
    """Text safe inside a Markdown table cell and against raw HTML (``markdown.text``)."""
    return text(value)


def _tick(value: str) -> str:
    """An inline code span of ``value`` that is safe in a table cell; ``<code>`` when it
    holds a backtick or a line break."""
    if "`" in value or "\n" in value:
        return f"<code>{text(value)}</code>"
    return "`" + value.replace("|", "\\|") + "`"


def _mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label."""
    return (
        text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    )


def mermaid(recording: Recording) -> str:
    """A ``flowchart LR`` of the stack: components as nested subgraphs, cloud resources
    as ``name<br/>Type`` nodes, an arrow from each resource to the resources that
    depend on it. To stay readable on big stacks, a dependency on every resource of a
    component is drawn as one arrow from the component, dependencies implied by
    parentage are skipped, providers are left out, and past ``MAX_DIAGRAM_EDGES``
    arrows are dropped with a comment saying so. Ids are ``c<n>``/``r<n>`` in report order, so they are
    stable and never clash with Mermaid keywords."""
    drawn = [r for r in recording.resources if not is_provider(r)]
    ids: dict[str, str] = {}
    for index, resource in enumerate(drawn, start=1):
        ids[resource.urn] = f"{'r' if resource.custom else 'c'}{index}"
    by_urn = {r.urn: r for r in drawn}
    children: dict[str | None, list[RecordedResource]] = {}
    for resource in drawn:
        parent = resource.parent if resource.parent in by_urn else None
        children.setdefault(parent, []).append(resource)

    lines = ["flowchart LR"]

    def emit(parent: str | None, depth: int) -> None:
        pad = "  " * depth
        for resource in children.get(parent, []):
            label = f"{_mermaid_text(resource.name)}<br/>{_mermaid_text(short_type(resource.type))}"
            if resource.custom:
                lines.append(f'{pad}{ids[resource.urn]}["{label}"]')
            else:
                lines.append(f'{pad}subgraph {ids[resource.urn]}["{label}"]')
                lines.append(f"{pad}  direction LR")
                emit(resource.urn, depth + 1)
                lines.append(f"{pad}end")

    emit(None, 1)

    def ancestors(urn: str) -> set[str]:
        found: set[str] = set()
        current = by_urn.get(urn)
        while current is not None and current.parent and current.parent not in found:
            found.add(current.parent)
            current = by_urn.get(current.parent)
        return found

    # Custom descendants of each component, outermost components first.
    descendants: dict[str, set[str]] = {r.urn: set() for r in drawn if not r.custom}
    for resource in drawn:
        if resource.custom:
            for ancestor in ancestors(resource.urn):
                if ancestor in descendants:
                    descendants[ancestor].add(resource.urn)

    edges: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(source: str, target: str) -> None:
        edge = (ids[source], ids[target])
        if edge not in seen:
            seen.add(edge)
            edges.append(edge)

    for resource in drawn:
        lineage = ancestors(resource.urn)
        remaining = {
            d
            for d in resource.dependencies
            if d in by_urn
            and d != resource.urn
            and d not in lineage
            and resource.urn not in ancestors(d)
        }
        # ``depends_on=[component]`` arrives as every resource inside it: draw one
        # arrow from the component instead of one per resource.
        for component, inside in descendants.items():
            if component in lineage or len(inside) < 2 or not inside <= remaining:
                continue
            add(component, resource.urn)
            remaining -= inside
        for dependency in sorted(remaining, key=lambda u: ids[u][1:].zfill(8)):
            add(dependency, resource.urn)
    for source, target in edges[:MAX_DIAGRAM_EDGES]:
        lines.append(f"  {source} --> {target}")
    if len(edges) > MAX_DIAGRAM_EDGES:
        lines.append(f"  %% {len(edges) - MAX_DIAGRAM_EDGES} more dependencies not drawn")
    return "\n".join(lines)


def overview_mermaid(recording: Recording) -> str:
    """A ``flowchart LR`` at the level a reviewer reads an architecture: each top-level
    component (a reference architecture) is a subgraph and each of its children one box,
    whatever it contains (a bucket with its settings, a network, a role with its
    policies). An arrow runs from one box to another when any resource inside the
    first feeds any resource inside the second."""
    drawn = [r for r in recording.resources if not is_provider(r)]
    by_urn = {r.urn: r for r in drawn}
    parent_of = {r.urn: (r.parent if r.parent in by_urn else None) for r in drawn}

    def node_of(urn: str) -> str:
        """The box that stands for ``urn``: itself when it is top level or a child of
        a top-level component, else its ancestor that is."""
        chain = [urn]
        while (parent := parent_of[chain[-1]]) is not None:
            chain.append(parent)
        return chain[-2] if len(chain) >= 2 else chain[-1]

    top = [r for r in drawn if parent_of[r.urn] is None]
    ids: dict[str, str] = {}
    lines = ["flowchart LR"]
    for resource in top:
        ids[resource.urn] = f"n{len(ids) + 1}"
        label = f"{_mermaid_text(resource.name)}<br/>{_mermaid_text(short_type(resource.type))}"
        inside = [r for r in drawn if parent_of[r.urn] == resource.urn]
        if not inside:
            lines.append(f'  {ids[resource.urn]}["{label}"]')
            continue
        lines += [f'  subgraph {ids[resource.urn]}["{label}"]', "    direction LR"]
        for child in inside:
            ids[child.urn] = f"n{len(ids) + 1}"
            text = f"{_mermaid_text(child.name)}<br/>{_mermaid_text(short_type(child.type))}"
            lines.append(f'    {ids[child.urn]}["{text}"]')
        lines.append("  end")
    edges: list[tuple[str, str]] = []
    for resource in drawn:
        target = node_of(resource.urn)
        for dependency in resource.dependencies:
            if dependency not in by_urn or not by_urn[dependency].custom:
                continue
            source = node_of(dependency)
            edge = (ids[source], ids[target])
            if source != target and edge not in edges:
                edges.append(edge)
    lines += [f"  {source} --> {target}" for source, target in edges]
    return "\n".join(lines)


def _plural(count: int, noun: str) -> str:
    return f"**{count}** {noun}{'' if count == 1 else 's'}"


def _summary_line(recording: Recording) -> str:
    """``**N** cloud resources, **M** components; providers: aws, gcp (...)``."""
    explicit = [r for r in recording.resources if is_provider(r)]
    packages = sorted({package_of(r.type) for r in [*cloud_resources(recording), *explicit]})
    providers = ", ".join(packages) or "none"
    if explicit:
        noun = "explicit provider resource" + ("" if len(explicit) == 1 else "s")
        providers += f" ({len(explicit)} {noun})"
    return (
        f"{_plural(len(cloud_resources(recording)), 'cloud resource')}, "
        f"{_plural(len(components(recording)), 'component')}; providers: {providers}."
    )


def _value_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def to_markdown(result: PlanResult) -> str:
    """The report as GitHub-flavoured Markdown."""
    recording = result.recording
    names = {r.urn: r.name for r in recording.resources}
    out: list[str] = [f"# Plan: `{recording.project}` / `{recording.stack}`", ""]
    out += [_summary_line(recording), ""]

    mandatory = result.policies.mandatory
    if result.policies.violations:
        out += [
            f"Policy violations: **{len(result.policies.violations)}** "
            f"({len(mandatory)} mandatory).",
            "",
        ]

    out += decisions_section([r.to_json() for r in recording.resources], result.cost)

    counts = Counter(r.type for r in recording.resources)
    listing = ["## Resources by type", "", "| Type | Count |", "| --- | ---: |"]
    listing += [f"| `{t}` | {n} |" for t, n in sorted(counts.items())]
    listing += ["", "## Resources", "", "| Name | Type | Parent | Protect |"]
    listing.append("| --- | --- | --- | --- |")
    for resource in recording.resources:
        parent = names.get(resource.parent or "", "") or "(stack)"
        protect = "yes" if resource.protect else ""
        listing.append(
            f"| {_cell(resource.name)} | `{resource.type}` | {_cell(parent)} | {protect} |"
        )
    out += folded(f"Every resource ({len(recording.resources)})", listing)

    out += [
        "## Diagram",
        "",
        "Each architecture and its parts, one box per part (a bucket with its settings, a",
        "network, a role with its policies); an arrow runs from what is used to what uses it.",
        "",
        "```mermaid",
        overview_mermaid(recording),
        "```",
        "",
        "<details><summary>Every resource</summary>",
        "",
        "Boxes are components; arrows run from a resource to the resources that depend on it.",
        "",
        "```mermaid",
        mermaid(recording),
        "```",
        "",
        "</details>",
        "",
    ]

    out += ["## Policy violations", ""]
    if result.policies.evaluated == 0 and not result.policies.violations:
        out += ["Policies were not evaluated.", ""]
    elif not result.policies.violations:
        out += [f"None ({result.policies.evaluated} resources evaluated).", ""]
    else:
        out += [f"{result.policies.evaluated} resources evaluated.", ""]
        current = None
        for violation in _sorted_violations(result.policies.violations):
            if violation.severity != current:
                if current is not None:
                    out.append("")
                current = violation.severity
                out += [f"### {current.capitalize()}", ""]
            target = names.get(violation.urn or "", violation.urn or "stack")
            out.append(
                f"- **{violation.policy}** ({violation.pack}, {violation.enforcement}) "
                f"on {_tick(target)}: {text(violation.message)}"
            )
            if violation.remediation:
                out.append(f"  - Remediation: {text(violation.remediation)}")
        out.append("")

    out += ["## Outputs", ""]
    if recording.outputs:
        table = ["| Output | Value |", "| --- | --- |"]
        table += [
            f"| {_tick(key)} | {_tick(_value_text(recording.outputs[key]))} |"
            for key in sorted(recording.outputs)
        ]
        out += folded(f"Every output ({len(recording.outputs)})", table)
    else:
        out += ["None.", ""]

    out += quotas_markdown(recording)
    out += cost_markdown(result.cost)

    if recording.warnings:
        out += ["## Warnings", ""]
        out += [f"- {_cell(w)}" for w in recording.warnings]
        out.append("")
    unknowns = recording.unknowns()
    if unknowns:
        names = {r.urn: f"{short_type(r.type)} `{_cell(r.name)}`" for r in recording.resources}
        out += [
            "## Unknown at plan time",
            "",
            "Inputs built from values computed by the cloud, or from lookups and reads "
            "the plan could not answer (see Warnings); `pulumi preview` shows the former "
            "as unknown too:",
            "",
            "| Resource | Input |",
            "| --- | --- |",
        ]
        out += [f"| {names.get(urn, urn)} | `{_cell(path)}` |" for urn, path in unknowns]
        out.append("")
    return "\n".join(out)
