"""Fuzz targets for the bytes entry point and the webhook check.

Each target is a Hypothesis test, so any fuzzer can drive it through
``target.hypothesis.fuzz_one_input(buffer)``. `fuzz` is a small
coverage-guided driver in pure Python: it mutates a corpus of buffers and
keeps those that reach new lines of ``session_rules``.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import session_rules
from session_rules import (
    Outcome,
    Policy,
    UploadStage,
    WebhookVerdict,
    check_webhook_url,
    validate_create_session_bytes,
)

PACKAGE = str(Path(session_rules.__file__).parent)
STAGE = UploadStage(1, 4, ("image/*", "application/pdf", "text/csv"))
POLICIES = (None, Policy.hardened(), Policy(null_as_absent=True, max_json_depth=4))
HEADERS = (
    {"Authorization": "Bearer aok_fuzz"},
    [("authorization", b"Bearer aok_fuzz"), ("X-Request-Id", "r-1")],
)

_fuzz_settings = settings(
    database=None, deadline=None, suppress_health_check=list(HealthCheck)
)
_json_texts = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["fileCount", "contentTypes", "metadata", "a"]), inner
        )
    ),
    max_leaves=10,
).map(lambda value: json.dumps(value).encode())


@_fuzz_settings
@given(
    raw=st.binary(max_size=1024) | _json_texts,
    policy=st.sampled_from(POLICIES),
    headers=st.sampled_from(HEADERS),
    content_type=st.none() | st.text(max_size=40),
)
def bytes_target(raw: bytes, policy: Any, headers: Any, content_type: Any) -> None:
    """Any bytes, any content type: one outcome, the same one twice."""
    first = validate_create_session_bytes(
        raw,
        stage=STAGE,
        slug="s",
        headers=headers,
        policy=policy,
        content_type=content_type,
    )
    again = validate_create_session_bytes(
        raw,
        stage=STAGE,
        slug="s",
        headers=headers,
        policy=policy,
        content_type=content_type,
    )
    assert isinstance(first, Outcome)
    assert first.status == again.status
    assert [e.to_dict() for e in first.errors] == [e.to_dict() for e in again.errors]


@_fuzz_settings
@given(
    url=st.text(max_size=300)
    | st.text(max_size=60).map("https://".__add__)
    | st.binary(max_size=200).map(lambda b: "https://" + b.decode("latin-1")),
    policy=st.sampled_from(POLICIES),
)
def url_target(url: str, policy: Any) -> None:
    """Any text: one verdict; an accepted URL's canonical form passes too."""
    verdict = check_webhook_url(url, policy=policy)
    assert isinstance(verdict, WebhookVerdict)
    assert verdict.ok == (verdict.error is None)
    if verdict.ok and verdict.url is not None:
        assert len(verdict.url) > len("https://")


TARGETS: dict[str, Any] = {"bytes": bytes_target, "url": url_target}


# -- the driver ----------------------------------------------------------------


@dataclass
class Report:
    """What a fuzzing run did and found."""

    runs: int = 0
    corpus: int = 0
    lines: int = 0
    crashes: list[tuple[str, str, str]] = field(default_factory=list)


def _mutate(buffer: bytes, rng: random.Random) -> bytes:
    data = bytearray(buffer)
    for _ in range(rng.randint(1, 4)):
        how = rng.randrange(5)
        at = rng.randrange(len(data) + 1)
        if how == 0 or not data:
            data[at:at] = rng.randbytes(rng.randint(1, 16))
        elif how == 1:
            data[at % len(data)] ^= 1 << rng.randrange(8)
        elif how == 2:
            del data[at : at + rng.randint(1, 16)]
        elif how == 3:
            data[at % len(data)] = rng.choice((0, 1, 0x7F, 0x80, 0xFF))
        else:
            data[at:at] = data[: rng.randint(1, 32)]
    return bytes(data[:8192])


def _run_traced(call: Callable[[], Any], lines: set[tuple[str, int]]) -> None:
    def local(frame: FrameType, event: str, arg: Any) -> Any:
        del arg
        if event == "line":
            lines.add((frame.f_code.co_filename, frame.f_lineno))
        return local

    def outer(frame: FrameType, event: str, arg: Any) -> Any:
        del event, arg
        name = frame.f_code.co_filename
        if name.startswith(PACKAGE) and not name.endswith("strategies.py"):
            return local
        return None

    previous = sys.gettrace()
    sys.settrace(outer)
    try:
        call()
    finally:
        sys.settrace(previous)


def fuzz(*, seconds: float, seed: int = 0) -> Report:
    """Mutate buffers for ``seconds``, keeping those that reach new lines."""
    rng = random.Random(seed)
    report = Report()
    seen: set[tuple[str, int]] = set()
    corpora = {name: [b"", rng.randbytes(64)] for name in TARGETS}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for name, target in TARGETS.items():
            corpus = corpora[name]
            buffer = _mutate(rng.choice(corpus), rng)
            reached: set[tuple[str, int]] = set()
            kept: list[bytes | None] = [None]

            def once(
                target: Any = target, buffer: bytes = buffer, kept: list[Any] = kept
            ) -> None:
                kept[0] = target.hypothesis.fuzz_one_input(buffer)

            try:
                _run_traced(once, reached)
            except Exception as exc:  # a finding: keep it to replay
                report.crashes.append((name, buffer.hex(), repr(exc)[:500]))
            report.runs += 1
            if reached - seen:
                seen |= reached
                corpus.append(kept[0] if kept[0] is not None else buffer)
    report.corpus = sum(len(c) for c in corpora.values())
    report.lines = len(seen)
    return report
