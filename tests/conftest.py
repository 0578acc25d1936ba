"""Shared test set-up: Hypothesis profiles and the corpus readers."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

DATA = Path(__file__).parent / "data"

# `ci` keeps a CI run short; `long` is for runs by hand:
#   HYPOTHESIS_PROFILE=long pytest
# `ci` is derandomized so that a CI run, and its coverage, can be repeated.
settings.register_profile(
    "ci",
    max_examples=2000,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "long",
    max_examples=50_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def read_jsonl(name: str) -> Iterator[dict[str, Any]]:
    """The cases of one JSON Lines file under tests/data."""
    with (DATA / name).open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)
