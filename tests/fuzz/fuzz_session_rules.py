"""Fuzz the bytes entry point and the webhook check for as long as you like.

    .venv/bin/python tests/fuzz/fuzz_session_rules.py --seconds 600
    .venv/bin/python tests/fuzz/fuzz_session_rules.py --engine atheris \
        -- -max_total_time=600

The default engine is the pure-Python coverage-guided loop in
``targets.py``; ``--engine atheris`` hands the same Hypothesis targets to
libFuzzer (``pip install atheris``). Findings are printed with the buffer
that reproduces them: ``target.hypothesis.fuzz_one_input(bytes.fromhex(...))``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--engine", choices=("hypothesis", "atheris"), default="hypothesis"
    )
    parser.add_argument("rest", nargs="*", help="arguments passed to libFuzzer")
    args = parser.parse_args()
    if args.engine == "atheris":
        return run_atheris(args.rest)
    import targets

    report = targets.fuzz(seconds=args.seconds, seed=args.seed)
    print(f"runs={report.runs} corpus={report.corpus} lines={report.lines}")
    for name, buffer, error in report.crashes:
        print(f"CRASH in {name}: {error}\n  buffer: {buffer}")
    return 1 if report.crashes else 0


def run_atheris(rest: list[str]) -> int:
    import atheris

    with atheris.instrument_imports():
        import targets

    names = sorted(targets.TARGETS)

    def one_input(data: bytes) -> None:
        if not data:
            return
        target = targets.TARGETS[names[data[0] % len(names)]]
        target.hypothesis.fuzz_one_input(data[1:])

    atheris.Setup([sys.argv[0], *rest], one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
