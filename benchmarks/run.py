"""Time session_rules against its peers and check the performance targets.

Run from the repository root:

    .venv/bin/python benchmarks/run.py            # about two minutes
    .venv/bin/python benchmarks/run.py --quick    # fewer rounds

Every case is timed in interleaved rounds (each round times every
competitor once, in batches calibrated to about 2 ms), so a burst of load
from elsewhere hits all of them alike; the figure is the median per call
over the rounds. Ratios are taken between medians of the same run.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bodies
import peers

from session_rules import (
    validate_create_session,
    validate_create_session_bytes,
)

Case = dict[str, Callable[[], Any]]
BATCH_SECONDS = 0.002


def calibrate(fn: Callable[[], Any]) -> int:
    """Calls per batch so that one batch takes about BATCH_SECONDS.

    One call first: work done once (a lazy import, a cache filled) is not
    the cost of a call, and timed alone it would make batches of one.
    """
    fn()
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - start >= BATCH_SECONDS / 4 or number >= 1 << 20:
            elapsed = time.perf_counter() - start
            return max(1, int(number * BATCH_SECONDS / max(elapsed, 1e-9)))
        number *= 2


def measure(case: Case, rounds: int) -> dict[str, float]:
    """Median seconds per call of each competitor, in interleaved rounds."""
    numbers = {name: calibrate(fn) for name, fn in case.items()}
    samples: dict[str, list[float]] = {name: [] for name in case}
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(rounds):
            for name, fn in case.items():
                number = numbers[name]
                start = time.perf_counter()
                for _ in range(number):
                    fn()
                samples[name].append((time.perf_counter() - start) / number)
    finally:
        if enabled:
            gc.enable()
    return {name: statistics.median(values) for name, values in samples.items()}


def ours(body: Any) -> Callable[[], Any]:
    def check() -> Any:
        return validate_create_session(
            body, stage=bodies.STAGE, slug=bodies.SLUG, headers=bodies.HEADERS
        )

    return check


def ours_raw(raw: bytes) -> Callable[[], Any]:
    def check() -> Any:
        return validate_create_session_bytes(
            raw, stage=bodies.STAGE, slug=bodies.SLUG, headers=bodies.HEADERS
        )

    return check


def loads_then_ours(raw: bytes) -> Callable[[], Any]:
    def check() -> Any:
        return validate_create_session(
            json.loads(raw),
            stage=bodies.STAGE,
            slug=bodies.SLUG,
            headers=bodies.HEADERS,
        )

    return check


def cycling(
    values: list[Any], check: Callable[[Any], Callable[[], Any]]
) -> Callable[[], Any]:
    """One call checks the next of ``values``, round and round."""
    calls = itertools.cycle([check(value) for value in values])

    def call() -> Any:
        return next(calls)()

    return call


def catching(fn: Callable[[Any], Any], arg: Any) -> Callable[[], Any]:
    def call() -> Any:
        try:
            return fn(arg)
        except Exception as exc:  # a rejection, by design
            return exc

    return call


def parsed_case(body: dict[str, Any], raw: bytes) -> Case:
    case: Case = {"session_rules": ours(body)}
    validate, _ = peers.pydantic_validators()
    case["pydantic v2 model_validate"] = catching(validate, body)
    spec = peers.msgspec_validators()
    if spec is not None:
        case["msgspec convert"] = catching(spec[0], body)
    for name, fn in peers.schema_validators().items():
        case[name] = catching(fn, body)
    case["json.loads (floor)"] = lambda: json.loads(raw)
    return case


def raw_case(raw: bytes) -> Case:
    case: Case = {
        "session_rules bytes": ours_raw(raw),
        "json.loads + session_rules": loads_then_ours(raw),
    }
    _, validate_json = peers.pydantic_validators()
    case["pydantic v2 model_validate_json"] = catching(validate_json, raw)
    spec = peers.msgspec_validators()
    if spec is not None:
        case["msgspec json decode"] = catching(spec[1], raw)
    case["json.loads (floor)"] = lambda: json.loads(raw)
    return case


def import_time(runs: int) -> float:
    """Median seconds ``import session_rules`` takes, by -X importtime.

    Bytecode is cached first, in a directory of its own, as an installed
    package has it (pip compiles it at install): the first run, which
    writes it, is not counted.  Each run is a fresh interpreter.
    """
    times = []
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PYTHONPYCACHEPREFIX": cache}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for run in range(runs + 1):
            done = subprocess.run(
                [sys.executable, "-X", "importtime", "-c", "import session_rules"],
                capture_output=True,
                text=True,
                check=True,
                cwd=Path(__file__).resolve().parent.parent,
                env=env,
            )
            lines = [
                x for x in done.stderr.splitlines() if x.endswith("| session_rules")
            ]
            if run:
                times.append(int(lines[-1].split("|")[1]) / 1e6)
    return statistics.median(times)


def show(title: str, result: dict[str, float], base: str) -> None:
    print(f"\n{title}")
    print(f"| {'competitor':<34} | {'median us':>10} | {'x ' + base[:20]:>24} |")
    print(f"|{'-' * 36}|{'-' * 12}|{'-' * 26}|")
    for name, seconds in result.items():
        ratio = seconds / result[base]
        print(f"| {name:<34} | {seconds * 1e6:>10.2f} | {ratio:>24.2f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    rounds = 15 if args.quick else 61
    print(
        f"Python {platform.python_version()} on {platform.machine()},"
        f" {os.cpu_count()} CPUs; load average at start"
        f" {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    targets: list[tuple[str, bool, str]] = []

    typical = measure(parsed_case(bodies.TYPICAL, bodies.TYPICAL_BYTES), rounds)
    show("Typical valid request, parsed body", typical, "session_rules")
    ours_s = typical["session_rules"]
    for peer in ("pydantic v2 model_validate", "json.loads (floor)"):
        ratio = ours_s / typical[peer]
        targets.append((f"typical <= 1.5 x {peer}", ratio <= 1.5, f"{ratio:.2f} x"))

    errors = measure(
        parsed_case(bodies.THREE_ERRORS, bodies.THREE_ERRORS_BYTES), rounds
    )
    show("Request with three errors, parsed body", errors, "session_rules")
    ratio = errors["session_rules"] / errors["pydantic v2 model_validate"]
    targets.append(("three errors <= 1.5 x pydantic", ratio <= 1.5, f"{ratio:.2f} x"))

    # Not a target: the same three errors where every body is new to the
    # library's bounded caches (records, stage verdicts), which the run
    # above reuses as a server does for a mistake clients repeat.
    fresh = bodies.fresh_three_errors(20_000)
    validate, _ = peers.pydantic_validators()
    cold = measure(
        {
            "session_rules": cycling(fresh, ours),
            "pydantic v2 model_validate": cycling(
                fresh, lambda body: catching(validate, body)
            ),
        },
        max(rounds // 3, 7),
    )
    show(
        "Three errors, each body new to the caches (not a target)",
        cold,
        "session_rules",
    )

    raw = measure(raw_case(bodies.TYPICAL_BYTES), rounds)
    show("Typical valid request, raw bytes", raw, "session_rules bytes")
    ratio = raw["session_rules bytes"] / raw["json.loads + session_rules"]
    targets.append(
        ("bytes <= 1.5 x (json.loads + parsed check)", ratio <= 1.5, f"{ratio:.2f} x")
    )

    print("\nAdversarial parsed bodies (session_rules only)")
    print(
        f"| {'input':<24} | {'size':>11} | {'median us':>10} |"
        f" {'x10 size us':>11} | {'growth':>7} |"
    )
    print(f"|{'-' * 26}|{'-' * 13}|{'-' * 12}|{'-' * 13}|{'-' * 9}|")
    for name, build, size in bodies.ADVERSARIAL:
        small, large = build(size), build(size * 10)
        result = measure(
            {"small": ours(small), "large": ours(large)}, max(rounds // 3, 7)
        )
        del small, large
        growth = result["large"] / result["small"] - 1
        print(
            f"| {name:<24} | {size:>11,} | {result['small'] * 1e6:>10.1f} |"
            f" {result['large'] * 1e6:>11.1f} | {growth:>+7.1%} |"
        )
        targets.append(
            (
                f"{name}: under 0.5 ms",
                result["small"] < 0.0005,
                f"{result['small'] * 1e3:.3f} ms",
            )
        )
        targets.append(
            (f"{name}: x10 input costs < 10% more", growth < 0.10, f"{growth:+.1%}")
        )

    seconds = import_time(7 if args.quick else 15)
    print(
        "\nimport session_rules (-X importtime, bytecode cached, median):"
        f" {seconds * 1e3:.1f} ms"
    )
    targets.append(("import under 30 ms", seconds < 0.030, f"{seconds * 1e3:.1f} ms"))

    for name, reason in peers.MISSING.items():
        print(f"\nnot measured: {name} ({reason})")
    print("\nTargets")
    for name, met, figure in targets:
        print(f"- [{'met' if met else 'MISSED'}] {name}: {figure}")
    print(f"\nload average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if all(met for _, met, _ in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
