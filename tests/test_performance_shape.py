"""Structural bounds behind the performance work: no timings here.

The fast paths must give exactly what the full checks give, the caches
must stay bounded, and no record may grow with the input.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from session_rules import (
    Outcome,
    Policy,
    UploadStage,
    _errors,
    _headers,
    _metadata,
    _request,
    _stage,
    validate_create_session,
)
from session_rules._lazy_re import LazyPattern
from session_rules._memo import REMEMBERED_URL_LENGTH, remember
from session_rules._metadata import _Walk, metadata_size, plain_size, walk_metadata
from session_rules._raw import parse_body
from session_rules._text import _GOOD_TEXT, check_text, is_good_text
from session_rules.strategies import (
    CreateSessionRequest,
    create_session_requests,
    invalid_create_session_requests,
)

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


def test_caches_stay_bounded_and_keep_taking_new_entries() -> None:
    """A full table is emptied for the next entry: bounded, yet a burst
    of one-off inputs cannot keep the usual ones out for good."""
    stage = UploadStage(1, 5, ("image/*",))
    for i in range(_stage.VERDICT_CACHE_SIZE + 50):
        stage.judge_media_type(f"image/x-{i}", False)
        assert len(stage._verdicts[False]) <= _stage.VERDICT_CACHE_SIZE
        assert f"image/x-{i}" in stage._verdicts[False]
    for i in range(_headers.SLUG_CACHE_SIZE + 50):
        _headers.check_slug(f"s{i}")
        assert len(_headers._GOOD_SLUGS) <= _headers.SLUG_CACHE_SIZE
        assert f"s{i}" in _headers._GOOD_SLUGS
    for i in range(_errors.NAMES_CACHE_SIZE + 50):
        _errors.build_error(_errors.Finding("unknown-field", {}), (f"k{i}",))
        assert len(_errors._NAMES) <= _errors.NAMES_CACHE_SIZE
    assert ((f"k{i}",), (f"k{i}",)) in _errors._NAMES
    for i in range(_metadata.FLOAT_CACHE_SIZE + 50):
        plain_size({"f": i + 0.5})
        assert len(_metadata._FLOAT_SIZES) <= _metadata.FLOAT_CACHE_SIZE
    assert i + 0.5 in _metadata._FLOAT_SIZES


def test_remember_empties_a_full_table() -> None:
    table = {"a": 1, "b": 2}
    remember(table, "c", 3, 2)
    assert table == {"c": 3}
    remember(table, "d", 4, 2)
    assert table == {"c": 3, "d": 4}


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


# -- remembered records ------------------------------------------------


def _cold(request: CreateSessionRequest) -> Outcome:
    """The outcome with every cache empty and a stage never used."""
    for cache in (
        _errors._RECORDS,
        _errors._NAMES,
        _errors._HEADER_RECORDS,
        _request._ACCEPTED,
        _headers._GOOD_SLUGS,
        _metadata._FLOAT_SIZES,
    ):
        cache.clear()
    stage = request.stage
    fresh = UploadStage(stage.min_files, stage.max_files, stage.accepted_formats)
    return validate_create_session(
        request.body, **{**request.arguments(), "stage": fresh}
    )


@given(
    invalid_create_session_requests(max_faults=3, python_values=True)
    | create_session_requests()
)
def test_remembered_outcomes_equal_cold_ones(request: CreateSessionRequest) -> None:
    warm = [request.validate() for _ in range(3)]
    cold = _cold(request)
    for outcome in warm:
        assert outcome == cold
        assert [e.to_dict() for e in outcome.errors] == [
            e.to_dict() for e in cold.errors
        ]


def _entries_body(*entries: object, count: object = 9) -> dict[str, Any]:
    return {
        "fileCount": count,
        "contentTypes": list(entries),
        "clientSubmissionId": "a",
    }


def test_a_stage_remembers_records_by_exact_input_only() -> None:
    stage = UploadStage(1, 5, ("image/*",))

    def check(body: dict[str, Any]) -> Outcome:
        return validate_create_session(body, stage=stage, slug="a", headers=AUTH)

    for _ in range(3):
        check(_entries_body("text/csv", "image/*", count=9))
    assert set(stage._records) == {9, ("text/csv", 0, False), ("image/*", 1, False)}
    # The same entry at another index points elsewhere.
    moved = check(_entries_body("image/png", "text/csv"))
    assert moved.errors[-1].pointer == "/contentTypes/1"
    # Subclasses, long entries, bools, floats and unsafe ints are judged
    # every time and never kept.
    keys = set(stage._records)
    for _ in range(2):
        check(_entries_body(_Str("text/csv"), "x/" + "y" * 300, count=True))
        check(_entries_body("text/csv", count=9.0))
        check(_entries_body("text/csv", count=2**60))
        check(_entries_body("text/csv", count=_Int(9)))
    assert set(stage._records) - keys <= {
        ("text/csv", 0, False),
        ("image/png", 0, False),
    }
    assert all(type(k) in (int, tuple) for k in stage._records)
    assert 2**60 not in stage._records
    assert (
        check(_entries_body("text/csv", count=_Int(9))).errors[0].params["actual"] == 9
    )


class _Int(int):
    """An int subclass: judged as a number, never remembered by value."""


def test_stage_records_stay_bounded() -> None:
    stage = UploadStage(1, 2, ("image/*",))
    for count in range(3, 3 + _request.STAGE_RECORDS_SIZE + 50):
        for _ in range(2):  # a record is kept once built
            validate_create_session(
                _entries_body("image/png", count=count),
                stage=stage,
                slug="a",
                headers=AUTH,
            )
        assert len(stage._records) <= _request.STAGE_RECORDS_SIZE
    assert count in stage._records


def test_lazy_patterns_compile_on_first_use() -> None:
    pattern = LazyPattern("a+b")
    with pytest.raises(AttributeError):
        pattern.match  # noqa: B018 - not one of the methods it offers
    assert pattern.fullmatch("aab") is not None
    assert pattern.search("xxab") is not None
    assert pattern.sub("-", "aabxab") == "-x-"
    assert [m.group() for m in pattern.finditer("ab aab")] == ["ab", "aab"]


def test_long_webhook_urls_are_judged_but_not_kept() -> None:
    """A URL past REMEMBERED_URL_LENGTH could keep kilobytes an entry (its
    canonical form percent-encodes non-ASCII): judged, never kept."""
    from session_rules import _webhook

    long_url = "https://hooks.example.com/" + "\U0001f600" * 300
    short_url = "https://hooks.example.com/short"
    body = {"fileCount": 1, "contentTypes": ["image/png"], "clientSubmissionId": "a"}
    before = _webhook._judge_string.cache_info().currsize
    for url in (long_url, long_url, short_url):
        outcome = validate_create_session(
            {**body, "webhookUrl": url}, stage=STAGE, slug="a", headers=AUTH
        )
        assert outcome.status == 201
        assert outcome.webhook_url is not None
        assert outcome.webhook_url.startswith("https://hooks.example.com/")
    assert all(len(key[0] or "") <= REMEMBERED_URL_LENGTH for key in _request._ACCEPTED)
    assert _webhook._judge_string.cache_info().currsize <= before + 1
