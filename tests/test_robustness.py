"""No input breaks the library: an outcome or a configuration error, always.

Bodies, headers, slugs, stage members and policy switches are drawn from
JSON values and from Python values no JSON parser makes (tuples, sets,
bytes, Decimal, datetime, 10**5000, NaN, objects whose dunders raise,
dict and str subclasses). The same input twice gives the same outcome.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib.util
import math
import sys
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from session_rules import (
    ConfigurationError,
    Outcome,
    Policy,
    UploadStage,
    WebhookVerdict,
    check_webhook_url,
    validate_create_session,
    validate_create_session_bytes,
)
from session_rules.strategies import create_session_requests, upload_stages

FUZZ = Path(__file__).parent / "fuzz"


class Hostile:
    """Every dunder a library might call raises, while the library runs.

    Hypothesis itself compares and hashes what it draws, so the traps are
    armed only around calls into the library (see `outcome_of`).
    """

    armed = False

    def __eq__(self, other: object) -> bool:
        if Hostile.armed:
            raise RuntimeError("__eq__")
        return self is other

    def __hash__(self) -> int:
        if Hostile.armed:
            raise RuntimeError("__hash__")
        return id(self)

    def __len__(self) -> int:
        if Hostile.armed:
            raise RuntimeError("__len__")
        return 0

    def __iter__(self) -> Any:
        if Hostile.armed:
            raise RuntimeError("__iter__")
        return iter(())

    def __str__(self) -> str:
        if Hostile.armed:
            raise RuntimeError("__str__")
        return "Hostile"

    def __repr__(self) -> str:  # kept, so a failing example can be shown
        return "Hostile()"

    def __bool__(self) -> bool:
        if Hostile.armed:
            raise RuntimeError("__bool__")
        return True


class HashableHostile(Hostile):
    """Usable as a dict key, yet comparing it raises."""

    def __hash__(self) -> int:
        return 7

    def __eq__(self, other: object) -> bool:
        if Hostile.armed:
            raise RuntimeError("__eq__")
        return self is other


class Dict(dict):  # type: ignore[type-arg]
    """A dict subclass: an object by the contract."""


class Str(str):
    """A str subclass: a string by the contract."""


class LyingStr(str):
    """A str subclass whose methods lie or raise."""

    def lower(self) -> str:
        raise RuntimeError("lower")

    def strip(self, chars: str | None = None) -> str:
        raise RuntimeError(f"strip {chars!r}")


class Int(int):
    """An int subclass."""


HUGE = 10**5000  # past Python's digit limit: str() of it raises


def huge() -> int:
    return HUGE


def minus_huge() -> int:
    return -HUGE


def hostile() -> Hostile:
    return Hostile()


def hashable_hostile() -> HashableHostile:
    return HashableHostile()


# Odd values come from named factories: Hypothesis shows a strategy by its
# elements, and repr() of 10**5000 raises.
_odd = st.sampled_from([huge, minus_huge, hostile, hashable_hostile]).map(
    lambda make: make()
)

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([2**53, -(2**53), 2**1100]),
    _odd,
    st.floats(),
    st.text(),
    st.binary(max_size=8),
    st.decimals(),
    st.datetimes(),
    st.sampled_from(
        [
            float("nan"),
            float("inf"),
            object(),
            datetime.date(2020, 1, 1),
            Str("image/png"),
            LyingStr("text/csv"),
            Int(3),
            Decimal("NaN"),
            1j,
            MappingProxyType({"fileCount": 1}),
            range(3),
            Ellipsis,
            NotImplemented,
        ]
    ),
)
_keys = st.one_of(
    st.text(max_size=8),
    st.sampled_from(
        [
            "fileCount",
            "contentTypes",
            "clientSubmissionId",
            "webhookUrl",
            "metadata",
            "externalUser",
            "name",
            Str("fileCount"),
            LyingStr("metadata"),
            1,
            None,
            (1, 2),
            float("nan"),
        ]
    ),
    _odd,
)


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(_keys, inner, max_size=4),
        st.dictionaries(_keys, inner, max_size=3).map(Dict),
        st.lists(inner, max_size=3).map(tuple),
        st.frozensets(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=3), inner, max_size=3).map(MappingProxyType),
    )


python_values = st.recursive(_scalars, _containers, max_leaves=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def near_valid_bodies(draw: Any, values: st.SearchStrategy[Any]) -> Any:
    """A valid body with some members swapped for drawn values."""
    request = draw(create_session_requests(stage=upload_stages(max_files=4)))
    body = dict(request.body)
    for key in draw(st.lists(_keys, max_size=3)):
        try:
            body[key] = draw(values)
        except RuntimeError:  # a hostile key cannot go in a dict
            continue
    return body


def _headers(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    auth = st.sampled_from(["Authorization", b"authorization", "AUTHORIZATION"])
    good = st.just({"Authorization": "Bearer aok_key"})
    pairs = st.lists(st.tuples(auth | st.text(max_size=5) | values, values), max_size=3)
    return st.one_of(
        good,
        pairs,
        pairs.map(tuple),
        st.dictionaries(auth | st.text(max_size=5), values, max_size=3),
        values,
    )


STAGE = UploadStage(1, 3, ("image/*", "application/pdf"))


def share(divisor: int) -> int:
    """A fraction of the profile's examples, for properties that are costly.

    These draw and judge a whole request per example (about 15 ms), so they
    run a share of the profile (``long`` scales them all up).
    """
    return max(10, (settings.default.max_examples or 100) // divisor)


def outcome_of(call: Any) -> Any:
    """The outcome as plain data, or the configuration error's type."""
    Hostile.armed = True
    try:
        result = call()
    except ConfigurationError:
        return ConfigurationError
    finally:
        Hostile.armed = False
    assert isinstance(result, Outcome)
    assert result.status in (200, 201, 400, 401, 404, 415, 422)
    assert result.ok == (result.errors == ())
    problem = result.problem()
    assert (problem is None) == result.ok
    return (result.status, result.webhook_url, [e.to_dict() for e in result.errors])


def same(first: Any, second: Any) -> bool:
    """Equal, with NaN equal to itself (it may sit in params)."""
    if isinstance(first, float) and isinstance(second, float):
        return first == second or (math.isnan(first) and math.isnan(second))
    if isinstance(first, list | tuple) and isinstance(second, list | tuple):
        return len(first) == len(second) and all(map(same, first, second))
    if isinstance(first, dict) and isinstance(second, dict):
        return first.keys() == second.keys() and all(
            same(first[k], second[k]) for k in first
        )
    return bool(first == second)


def judge_twice(call: Any) -> None:
    first, second = outcome_of(call), outcome_of(call)
    assert same(first, second)


# -- parsed bodies -------------------------------------------------------------


@given(body=json_values, slug=st.sampled_from(["a", "x-1"]) | st.text(max_size=4))
def test_any_json_body_gets_an_outcome(body: Any, slug: str) -> None:
    headers = {"Authorization": "Bearer aok_key"}
    judge_twice(
        lambda: validate_create_session(body, stage=STAGE, slug=slug, headers=headers)
    )


@settings(max_examples=share(20))  # a whole request per example
@given(body=python_values | near_valid_bodies(python_values))
def test_any_python_body_gets_an_outcome(body: Any) -> None:
    headers = {"Authorization": "Bearer aok_key"}
    judge_twice(
        lambda: validate_create_session(body, stage=STAGE, slug="s", headers=headers)
    )


@settings(max_examples=share(10))  # a whole request per example
@given(
    body=near_valid_bodies(json_values),
    headers=_headers(python_values),
    slug=python_values,
)
def test_any_headers_and_slug_get_an_outcome(
    body: Any, headers: Any, slug: Any
) -> None:
    judge_twice(
        lambda: validate_create_session(body, stage=STAGE, slug=slug, headers=headers)
    )


@settings(max_examples=share(10))  # a whole request per example
@given(
    low=python_values,
    high=python_values,
    formats=python_values,
    body=near_valid_bodies(json_values),
)
def test_any_stage_members_give_a_stage_or_a_configuration_error(
    low: Any, high: Any, formats: Any, body: Any
) -> None:
    Hostile.armed = True
    try:
        stage = UploadStage(low, high, formats)
    except ConfigurationError:
        return
    finally:
        Hostile.armed = False
    headers = {"Authorization": "Bearer aok_key"}
    judge_twice(
        lambda: validate_create_session(body, stage=stage, slug="s", headers=headers)
    )


@settings(max_examples=share(8))  # deep Python values are slow to draw
@given(obj=python_values | st.dictionaries(st.text(max_size=16), python_values))
def test_stage_from_json_gives_a_stage_or_a_configuration_error(obj: Any) -> None:
    Hostile.armed = True
    try:
        with contextlib.suppress(ConfigurationError):
            UploadStage.from_json(obj)
    finally:
        Hostile.armed = False


# Every constructor argument, in order, so a new switch is tried too.
POLICY_FIELDS = list(Policy._FIELDS)


@settings(max_examples=share(40))  # a whole request per example
@given(
    name=st.sampled_from(POLICY_FIELDS),
    value=python_values,
    body=near_valid_bodies(json_values),
)
def test_any_policy_switch_gives_a_policy_or_a_configuration_error(
    name: str, value: Any, body: Any
) -> None:
    Hostile.armed = True
    try:
        policy = Policy(**{name: value})
    except ConfigurationError:
        return
    finally:
        Hostile.armed = False
    headers = {"Authorization": "Bearer aok_key"}
    judge_twice(
        lambda: validate_create_session(
            body, stage=STAGE, slug="s", headers=headers, policy=policy
        )
    )


def _bad_resolver(host: str) -> Any:
    raise OSError(host)


@settings(max_examples=share(40))  # a whole request per example
@given(
    body=near_valid_bodies(json_values),
    resolver=st.sampled_from(
        [
            _bad_resolver,
            lambda host: [],
            lambda host: ["10.0.0.1"],
            lambda host: ["8.8.8.8"],
            lambda host: [hostile()],
            lambda host: hostile(),
            lambda host: iter(["not an address", huge()]),
            lambda host: ["8.8.8.8"] * 10_000,
        ]
    ),
)
def test_any_resolver_answer_gives_an_outcome(body: Any, resolver: Any) -> None:
    policy = Policy(resolver=resolver)
    headers = {"Authorization": "Bearer aok_key"}
    judge_twice(
        lambda: validate_create_session(
            body, stage=STAGE, slug="s", headers=headers, policy=policy
        )
    )


# -- bytes and URLs -----------------------------------------------------------


@given(
    raw=st.binary(max_size=300) | json_values.map(lambda v: repr(v).encode()),
    content_type=st.none()
    | st.sampled_from(["application/json", "text/plain", b"application/json"])
    | st.text(max_size=30),
)
def test_any_bytes_get_an_outcome(raw: bytes, content_type: Any) -> None:
    headers = {"Authorization": "Bearer aok_key"}
    judge_twice(
        lambda: validate_create_session_bytes(
            raw, stage=STAGE, slug="s", headers=headers, content_type=content_type
        )
    )


@given(raw=python_values)
def test_raw_that_is_not_bytes_is_a_configuration_error(raw: Any) -> None:
    headers = {"Authorization": "Bearer aok_key"}
    judge_twice(
        lambda: validate_create_session_bytes(
            raw, stage=STAGE, slug="s", headers=headers
        )
    )


def _verdict(url: Any, policy: Policy | None = None) -> Any:
    verdict = check_webhook_url(url, policy=policy)
    assert isinstance(verdict, WebhookVerdict)
    assert verdict.ok == (verdict.error is None) == (verdict.url is not None)
    return verdict.ok, verdict.url, verdict.error and verdict.error.to_dict()


@given(
    url=st.text()
    | st.text(alphabet="htps:/[]@%.:0x1fF９。．", max_size=40).map("https://".__add__)
    | python_values
)
def test_any_text_gets_a_webhook_verdict(url: Any) -> None:
    Hostile.armed = True
    try:
        assert same(_verdict(url), _verdict(url))
        hardened = Policy.hardened()
        assert same(_verdict(url, hardened), _verdict(url, hardened))
    finally:
        Hostile.armed = False


# -- the fuzz targets, for a bounded time --------------------------------------


def _load_fuzz_targets() -> Any:
    spec = importlib.util.spec_from_file_location("fuzz_targets", FUZZ / "targets.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_coverage_guided_fuzzing_finds_nothing() -> None:
    targets = _load_fuzz_targets()
    report = targets.fuzz(seconds=15.0, seed=0)
    assert report.crashes == [], report.crashes
    assert report.runs > 500
    assert report.corpus > 10  # coverage guidance kept inputs
