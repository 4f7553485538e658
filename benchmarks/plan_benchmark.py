"""How much slower is ``mlops-iac plan`` than Pulumi's bare mocks? (Run by hand.)

For each stack, the plan's time per resource is compared with a floor: the same
number of bare resources (one custom type, one input) registered under the stock
``pulumi.runtime.Mocks``/``MockMonitor`` in the same process. The target is a ratio of
at most 1.5: the recorder, the realistic mocks and the config loading may cost up to
half again what Pulumi itself costs. Each time is the median of ``--repeat`` runs after
one warm-up run (which pays for imports); peak memory is measured in one extra run
under ``tracemalloc`` (slower, so never timed).

Real stacks use rich provider resources, many ``apply`` calls and invokes, so they cost
more per resource than bare ones whatever the monitor does: the SDK creates an output
future for every declared property of a provider resource (an ``aws.s3.Bucket`` has
dozens), so one independent provider resource costs several bare ones in Pulumi itself.
The "Stock Pulumi" column separates the two: the same program run the stock way (Pulumi's
``MockMonitor``, its own wait loop and stack-trace capture; the realistic mocks stay,
the program needs their outputs). "vs stock" is plan time over that: below 1.0 means the
offline preview is faster than running the same program under plain Pulumi mocks (the
runner waits for outputs in linear time and skips stack traces mocks never read).
"Bucket floor" is the same number of independent ``aws.s3.Bucket`` resources under
stock mocks: what Pulumi itself charges for the simplest provider resource.

    python benchmarks/plan_benchmark.py                 # every stack of the project
    python benchmarks/plan_benchmark.py aws-dev --repeat 7
    python benchmarks/plan_benchmark.py --program tests/fixtures/programs/minimal dev
    python benchmarks/plan_benchmark.py --synthetic 1000  # recorder vs stock, N resources
    python benchmarks/plan_benchmark.py --policies --repeat 15  # policy evaluation's share

``--policies`` measures what policy evaluation adds to a plan instead: each round runs,
back to back, the plan (A: the program under the mocks), the guardrail evaluation of
that recording (B: ``mlops_policies.evaluation.evaluate``, what ``mlops-iac plan`` runs)
and the reference evaluation (C: ``evaluate_unindexed``, every policy over every
resource, as the analyzer does and as the evaluator did before it was indexed). Rounds
alternate A B C A B C ..., so a noisy neighbour slows all variants of a round alike;
the table gives ratios within a round (their minimum and median over the rounds),
never a lone absolute time. The target is an evaluation share B / (A + B) of at most
20 % of the plan's time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import gc
import statistics
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws
from mlops_preview import runner
from mlops_preview.project import load_project
from mlops_preview.recorder import Recorder
from mlops_preview.runner import _WorkerPool, plan_stack, run_program
from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks, set_mocks
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.stack import run_pulumi_func

REPO = Path(__file__).resolve().parents[1]
offline_runtime = runner._offline_runtime
TARGET_RATIO = 1.5
POLICY_SHARE_TARGET = 0.20


class EchoMocks(Mocks):
    """Pulumi's documented minimal mocks: the floor every plan is compared against."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        return {}, []


def bare_program(count: int) -> Callable[[], None]:
    def program() -> None:
        for index in range(count):
            pulumi.CustomResource("bench:index:Bare", f"r{index}", {"value": index})

    return program


def bucket_program(count: int) -> Callable[[], None]:
    """``count`` independent ``aws.s3.Bucket`` resources: the same number of the
    simplest real provider resources, with no dependencies or ``apply`` at all."""

    def program() -> None:
        for index in range(count):
            aws.s3.Bucket(f"b{index}", tags={"project": "bench"})

    return program


def floor_run(count: int, program: Callable[[int], Callable[[], None]] | None = None) -> None:
    """Register ``count`` bare resources under stock mocks, isolated like a plan run
    (fresh thread, context and event loop; the same worker pool so both runs close
    their loops the same way)."""

    def body() -> None:
        loop = asyncio.new_event_loop()
        pool = _WorkerPool()
        loop.set_default_executor(pool)
        asyncio.set_event_loop(loop)
        try:
            set_mocks(EchoMocks(), project="bench", stack="floor", preview=False)
            loop.run_until_complete(run_pulumi_func((program or bare_program)(count)))
        finally:
            pool.close()
            loop.close()
            asyncio.set_event_loop(None)

    thread = threading.Thread(target=contextvars.Context().run, args=(body,))
    thread.start()
    thread.join()


class StockMonitor(Recorder):
    """A "recorder" that records nothing: Pulumi's stock registration path."""

    RegisterResource = MockMonitor.RegisterResource
    RegisterResourceOutputs = MockMonitor.RegisterResourceOutputs


def with_stock_pulumi(action: Callable[[], object]) -> Callable[[], object]:
    """``action`` run the stock way: a ``StockMonitor`` instead of the ``Recorder`` and
    none of the runner's runtime adjustments."""

    def run() -> object:
        runner.Recorder = StockMonitor  # type: ignore[misc]
        runner._offline_runtime = contextlib.nullcontext  # type: ignore[assignment]
        try:
            return action()
        finally:
            runner.Recorder = Recorder  # type: ignore[misc]
            runner._offline_runtime = offline_runtime  # type: ignore[assignment]

    return run


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    action()  # warm-up: imports and caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_mib(action: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@dataclass
class Row:
    label: str
    resources: int
    plan_s: float
    stock_s: float
    floor_s: float
    provider_floor_s: float
    plan_mib: float
    floor_mib: float

    def markdown(self) -> str:
        per = self.plan_s * 1000 / self.resources
        floor_per = self.floor_s * 1000 / self.resources
        ratio = self.plan_s / self.floor_s
        verdict = "yes" if ratio <= TARGET_RATIO else "no"
        return (
            f"| {self.label} | {self.resources} | {self.plan_s * 1000:.0f} | {per:.2f} | "
            f"{floor_per:.2f} | {ratio:.2f}x | {verdict} | {self.stock_s * 1000:.0f} | "
            f"{self.plan_s / self.stock_s:.2f}x | "
            f"{self.provider_floor_s * 1000 / self.resources:.2f} | "
            f"{self.plan_mib:.1f} | {self.floor_mib:.1f} |"
        )


def measure(label: str, plan: Callable[[], int], repeat: int) -> Row:
    count = plan()
    if count == 0:
        raise SystemExit(f"{label}: the plan registered no resources; nothing to compare")
    return Row(
        label=label,
        resources=count,
        plan_s=median_seconds(plan, repeat),
        stock_s=median_seconds(with_stock_pulumi(plan), repeat),
        floor_s=median_seconds(lambda: floor_run(count), repeat),
        provider_floor_s=median_seconds(lambda: floor_run(count, bucket_program), repeat),
        plan_mib=peak_mib(plan),
        floor_mib=peak_mib(lambda: floor_run(count)),
    )


@dataclass
class PolicyRow:
    """Per-round ratios of one stack: evaluation share of the plan (indexed and
    reference evaluator) and the reference's time over the indexed one's."""

    label: str
    resources: int
    share: list[float]
    reference_share: list[float]
    speedup: list[float]

    def markdown(self) -> str:
        def pair(values: list[float], percent: bool = True) -> str:
            low, mid = min(values), statistics.median(values)
            return f"{low:.1%} / {mid:.1%}" if percent else f"{low:.1f}x / {mid:.1f}x"

        verdict = "yes" if statistics.median(self.share) <= POLICY_SHARE_TARGET else "no"
        return (
            f"| {self.label} | {self.resources} | {pair(self.share)} | {verdict} | "
            f"{pair(self.reference_share)} | {pair(self.speedup, percent=False)} |"
        )


def measure_policies(project_dir: Path, stack: str, rounds: int) -> PolicyRow:
    """Alternate plan (A), evaluation (B) and reference evaluation (C) ``rounds`` times
    after one warm-up round; ratios are taken within each round."""
    from mlops_policies import evaluation
    from mlops_preview.report import environment_of

    def plan() -> runner.Recording:
        return plan_stack(project_dir, stack)

    def evaluate_with(evaluate: Callable[..., object], recording: runner.Recording) -> None:
        # What the CLI's evaluator hook does: resources as JSON, the environment's config.
        environment = environment_of(recording)
        config = (
            evaluation.load_policy_config(evaluation.config_path_for(environment))
            if environment in evaluation.ENVIRONMENTS
            else None
        )
        evaluate(
            [r.to_json() for r in recording.resources],
            config,
            project=recording.project,
            stack=recording.stack,
        )

    recording = plan()  # warm-up: imports, caches, the rules' registry
    evaluate_with(evaluation.evaluate, recording)
    evaluate_with(evaluation.evaluate_unindexed, recording)
    share, reference_share, speedup = [], [], []
    for _ in range(rounds):
        # Collect before each variant, so none pays for the garbage another left.
        gc.collect()
        start = time.perf_counter()
        recording = plan()
        plan_s = time.perf_counter() - start
        gc.collect()
        start = time.perf_counter()
        evaluate_with(evaluation.evaluate, recording)
        eval_s = time.perf_counter() - start
        gc.collect()
        start = time.perf_counter()
        evaluate_with(evaluation.evaluate_unindexed, recording)
        ref_s = time.perf_counter() - start
        share.append(eval_s / (plan_s + eval_s))
        reference_share.append(ref_s / (plan_s + ref_s))
        speedup.append(ref_s / eval_s)
    return PolicyRow(stack, len(recording.resources), share, reference_share, speedup)


def print_policy_table(rows: list[PolicyRow], rounds: int) -> None:
    print(
        f"Policy evaluation's share of plan time ({rounds} rounds of plan, evaluation, "
        f"reference evaluation; min / median; target <= {POLICY_SHARE_TARGET:.0%})\n"
    )
    print(
        "| Stack | Resources | Evaluation share of plan | Within target | "
        "Unindexed (before) share | Indexed speed-up |"
    )
    print("| --- | ---: | ---: | --- | ---: | ---: |")
    for row in rows:
        print(row.markdown())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("stacks", nargs="*", metavar="STACK", help="default: every stack")
    parser.add_argument("--program", type=Path, default=REPO, help="project directory")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement")
    parser.add_argument(
        "--synthetic",
        type=int,
        metavar="N",
        help="also compare the recorder with stock mocks on N bare resources",
    )
    parser.add_argument(
        "--policies",
        action="store_true",
        help="measure policy evaluation's share of plan time instead (rounds: --repeat)",
    )
    args = parser.parse_args(argv)

    project = load_project(args.program)
    stacks = args.stacks or project.stacks()
    if args.policies:
        if not stacks:
            raise SystemExit(f"No stacks found in {project.stack_config_dir}")
        policy_rows = []
        for stack in stacks:
            policy_rows.append(measure_policies(project.root, stack, args.repeat))
            print(f"measured {stack}", file=sys.stderr)
        print_policy_table(policy_rows, args.repeat)
        return 0
    synthetic = args.synthetic
    if not stacks:
        print(
            f"No stacks found: {project.stack_config_dir} has no Pulumi.*.yaml files. "
            "Comparing the recorder with stock mocks on 1000 bare resources instead.\n"
        )
        synthetic = synthetic or 1000

    rows: list[Row] = []
    for stack in stacks:
        rows.append(
            measure(
                stack,
                lambda stack=stack: len(plan_stack(project.root, stack).resources),
                args.repeat,
            )
        )
        print(f"measured {stack}", file=sys.stderr)
    if synthetic:
        rows.append(
            measure(
                f"synthetic ({synthetic} bare resources)",
                lambda: len(run_program(bare_program(synthetic)).resources),
                args.repeat,
            )
        )

    print(
        f"Plan time vs the stock-mocks floor (median of {args.repeat}; target <= {TARGET_RATIO}x)\n"
    )
    print(
        "| Stack | Resources | Plan ms | ms/resource | Floor ms/resource | Ratio | "
        "Within target | Stock Pulumi ms | vs stock | Bucket floor ms/resource | "
        "Peak MiB (plan) | Peak MiB (floor) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(row.markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
