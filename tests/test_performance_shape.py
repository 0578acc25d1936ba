"""Structural bounds behind the performance work: no timings here.

The fast paths must give exactly what the full checks give, the caches
must stay bounded, and no record may grow with the input.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from session_rules import (
    Policy,
    UploadStage,
    _errors,
    _headers,
    _stage,
    validate_create_session,
)
from session_rules._metadata import _Walk, metadata_size, plain_size, walk_metadata
from session_rules._raw import parse_body
from session_rules._text import _GOOD_TEXT, check_text, is_good_text

STAGE = UploadStage(1, 5, ("application/pdf", "image/*"))
AUTH = {"Authorization": "Bearer aok_live_1"}

leaves = (
    st.text(max_size=12)
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.booleans()
    | st.none()
)
metadata_values = st.dictionaries(
    st.text(max_size=8),
    leaves
    | st.lists(leaves | st.dictionaries(st.text(max_size=3), leaves), max_size=4)
    | st.dictionaries(st.text(max_size=8), leaves | st.lists(leaves), max_size=4),
    max_size=6,
)


def full_walk(metadata: dict[Any, Any]) -> list[Any]:
    return _Walk().run(metadata)


@given(metadata_values)
def test_the_fast_path_agrees_with_the_full_walk(metadata: dict[str, Any]) -> None:
    assert walk_metadata(metadata) == full_walk(metadata)
    size = plain_size(metadata)
    if size is not None:
        assert full_walk(metadata) == []
        assert size == metadata_size(metadata)


def test_fast_path_float_layouts() -> None:
    values = [0.0001, 1.5e-5, 1e-7, 2.0, -0.0, 1e16, 1e21, 123.456, -9.75]
    for value in values:
        metadata = {"x": value, "y": [value], "z": {"w": value}}
        assert plain_size(metadata) == metadata_size(metadata)


def test_fast_path_leaves_the_walk_what_it_reports() -> None:
    assert plain_size({"a": None}) is None
    assert plain_size({"a": "\ud800"}) is None
    assert plain_size({"a": {"b": {}}}) is None
    assert plain_size({"a": 2**53}) is None
    assert plain_size({"a": "x" * 5000}) is None
    assert plain_size({1: "x"}) is None


def test_stop_after_keeps_the_first_findings() -> None:
    metadata = {f"k{i}": None for i in range(500)}
    every = walk_metadata(metadata)
    assert walk_metadata(metadata, stop_after=7) == every[:7]


def test_metadata_findings_stop_once_the_cap_is_full() -> None:
    body = {
        "fileCount": 1,
        "contentTypes": ["image/png"],
        "clientSubmissionId": "a",
        "metadata": {f"k{i}": None for i in range(10_000)},
    }
    errors = validate_create_session(
        body, stage=STAGE, slug="a", headers=AUTH, policy=Policy(max_errors=5)
    ).errors
    assert [e.code for e in errors] == ["metadata-invalid-value"] * 5 + [
        "too-many-errors"
    ]
    # A lower bound once the walk stopped: never more than was seen.
    assert 1 <= errors[-1].params["omitted"] <= 10_000 - 5


def _problem_size(body: dict[str, Any]) -> int:
    outcome = validate_create_session(body, stage=STAGE, slug="a", headers=AUTH)
    return len(json.dumps(outcome.problem()))


def test_records_do_not_grow_with_the_input() -> None:
    base = {"fileCount": 1, "contentTypes": ["image/png"], "clientSubmissionId": "a"}
    for grow in (
        lambda n: {**base, "k" * n: 1},
        lambda n: {**base, "metadata": {"k" * n: None}},
        lambda n: {**base, "metadata": {"k": "x" * n}},
        lambda n: {**base, "contentTypes": ["image/png"] * n},
        lambda n: {**base, "clientSubmissionId": "x" * n},
        lambda n: {**base, "webhookUrl": "https://" + "a" * n + ".example/"},
    ):
        # Only a figure may grow: params.actual, the message and the
        # detail repeat the size, one digit more each for ten times the input.
        assert _problem_size(grow(100_000)) - _problem_size(grow(10_000)) <= 3


def test_caches_stay_bounded() -> None:
    stage = UploadStage(1, 5, ("image/*",))
    for i in range(_stage.VERDICT_CACHE_SIZE + 50):
        stage.judge_media_type(f"image/x-{i}", False)
    assert len(stage._verdicts[False]) == _stage.VERDICT_CACHE_SIZE
    for i in range(_headers.SLUG_CACHE_SIZE + 50):
        _headers.check_slug(f"s{i}")
    assert len(_headers._GOOD_SLUGS) <= _headers.SLUG_CACHE_SIZE
    for i in range(_errors.NAMES_CACHE_SIZE + 50):
        _errors.build_error(_errors.Finding("unknown-field", {}), (f"k{i}",))
    assert len(_errors._NAMES) <= _errors.NAMES_CACHE_SIZE


def test_cached_verdicts_are_not_shared_mutably() -> None:
    body = {"fileCount": 1, "contentTypes": ["image/*"], "clientSubmissionId": "a"}
    first = validate_create_session(body, stage=STAGE, slug="a", headers=AUTH)
    second = validate_create_session(body, stage=STAGE, slug="a", headers=AUTH)
    assert first == second
    assert first.errors[0].params == {"reason": "wildcard"}


def test_raw_fast_decoder_agrees() -> None:
    policy = Policy()
    for text in (b'{"a":1}', b'{"a":' + b"9" * 700 + b"}", b'{"a":[[[[1]]]]}'):
        value, finding = parse_body(text, policy)
        assert finding is None
        assert value == json.loads(text)
    deep = b"[" * 40 + b"]" * 40
    assert parse_body(deep, policy)[1] is not None


@given(st.text(max_size=20) | st.sampled_from(["", " ", "  a ", "\xa0", "\u2028x"]))
def test_good_text_shortcut_agrees_with_the_pattern(text: str) -> None:
    assert is_good_text(text) == (_GOOD_TEXT.fullmatch(text) is not None)
    assert check_text(text, 10) == check_text(_Str(text), 10)


class _Str(str):
    """A str subclass: takes the pattern path of check_text."""


def test_the_walk_resumes_where_the_fast_path_stopped() -> None:
    for metadata in (
        {f"k{i}": i for i in range(10_000)},
        {**{f"k{i}": "é" for i in range(300)}, "z": None, "y": "x" * 5000},
        {"a": 1, "b": [1, 2.5, "x"], "c": {"d": True}, "e": None},
    ):
        assert walk_metadata(metadata) == full_walk(metadata)


def test_remembered_records_equal_built_ones() -> None:
    finding = _errors.Finding("out-of-window", {"min": 1, "max": 5, "actual": 9})
    first = _errors.build_error(finding, ("fileCount",))
    again = _errors.build_error(finding, ("fileCount",))
    assert first == again
    built = _errors.FieldError(
        first.field, first.pointer, "body", first.code, first.message, {**first.params}
    )
    assert again == built
    # True == 1, yet a bool is never mistaken for a remembered int.
    flagged = _errors.build_error(
        _errors.Finding("out-of-window", {"min": 1, "max": 5, "actual": True}),
        ("fileCount",),
    )
    assert flagged.message.endswith("got True")
    for i in range(_errors.RECORDS_CACHE_SIZE + 50):
        _errors.build_error(_errors.Finding("required", {}), (f"r{i}",))
    assert len(_errors._RECORDS) <= _errors.RECORDS_CACHE_SIZE
