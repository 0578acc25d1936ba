"""The metadata rules: exact JSON.stringify sizes and the bounded walk."""

from __future__ import annotations

import datetime
import json
import math
import re
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from conftest import read_jsonl
from hypothesis import given
from hypothesis import strategies as st
from test_jsjson import (
    AWKWARD_FLOATS,
    SPECIAL_CHARS,
    awkward_floats,
    awkward_text,
    json_batch,
    needs_node,
    run_node,
)

from session_rules._errors import Finding
from session_rules._jsjson import js_number
from session_rules._metadata import metadata_size, walk_metadata

LIMIT = 4096
SURROGATE = re.compile("[\ud800-\udfff]")
MAX_SAFE = 2**53 - 1


def invalid(kind: str, *path: str | int) -> Finding:
    return Finding("metadata-invalid-value", {"type": kind}, path)


def too_deep(*path: str | int) -> Finding:
    return Finding("metadata-too-deep", {"max": 2}, path)


def too_large(actual: int) -> Finding:
    return Finding("metadata-too-large", {"max": LIMIT, "actual": actual}, ())


def pad(total: int, **members: Any) -> dict[str, Any]:
    """``members`` plus a ``pad`` string that makes the text ``total`` bytes."""
    value = {**members, "pad": ""}
    value["pad"] = "p" * (total - metadata_size(value))
    assert metadata_size(value) == total
    return value


# -- the shared corpus -------------------------------------------------

CORPUS = list(read_jsonl("metadata.jsonl"))


@pytest.mark.parametrize(
    "case", CORPUS, ids=[f"{i}-{c.get('note', '')}" for i, c in enumerate(CORPUS)]
)
def test_corpus(case: dict[str, Any]) -> None:
    value = json.loads(case["metadata_json"])
    findings = walk_metadata(value)
    if case["verdict"] == "valid":
        assert findings == []
    else:
        assert findings
        assert {f.code for f in findings} == {case["code"]}
    if "js_stringify_bytes" in case:
        assert metadata_size(value) == case["js_stringify_bytes"]
    if case.get("code") == "metadata-too-large":
        (stop,) = findings
        assert LIMIT < stop.params["actual"] <= case["js_stringify_bytes"]


# -- metadata_size -----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ({}, 2),
        ([], 2),
        (None, 4),
        (True, 4),
        (False, 5),
        (0, 1),
        (-0.0, 1),
        (1.0, 1),
        (1e21, 5),
        (1e-7, 4),
        (0.000001, 8),
        (2**53, 16),
        (10**21, 5),  # 1e+21 once read as a double
        ("", 2),
        ({"a": [1, "x", False]}, 19),
        ({"a": {"b": True}}, 16),
        ({"日本": "語"}, 16),
        ([[[[[]]]]], 10),
        ({"a": None, "b": {}}, 17),
    ],
)
def test_metadata_size_table(value: Any, size: int) -> None:
    assert metadata_size(value) == size


@pytest.mark.parametrize(
    "value",
    [
        (1,),
        {1, 2},
        b"x",
        Decimal("1.5"),
        datetime.date(2024, 1, 1),
        object(),
        {1: "a"},
        {"a": [{"b": (1,)}]},
        {("a",): 1},
    ],
    ids=["tuple", "set", "bytes", "decimal", "date", "object", "int-key", "deep", "tk"],
)
def test_metadata_size_refuses_non_json_values(value: Any) -> None:
    with pytest.raises(TypeError):
        metadata_size(value)


@pytest.mark.parametrize(
    "value",
    [math.nan, -math.inf, [math.inf], {"a": 10**5000}, 2**1024],
    ids=["nan", "-inf", "inf", "10**5000", "2**1024"],
)
def test_metadata_size_refuses_numbers_with_no_json_form(value: Any) -> None:
    with pytest.raises(ValueError, match=r"JSON form|too large"):
        metadata_size(value)


def test_metadata_size_refuses_a_cycle() -> None:
    loop: dict[str, Any] = {}
    loop["a"] = [loop]
    with pytest.raises(ValueError, match="holds itself"):
        metadata_size(loop)


def test_metadata_size_of_shared_members() -> None:
    shared = ["x"]
    assert metadata_size({"a": shared, "b": shared}) == 21


def _deep_dict(depth: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    inner = root
    for _ in range(depth - 1):
        inner["k"] = {}
        inner = inner["k"]
    return root


def _deep_list(depth: int) -> list[Any]:
    root: list[Any] = []
    inner = root
    for _ in range(depth - 1):
        inner.append([])
        inner = inner[0]
    return root


def test_metadata_size_of_deep_nesting() -> None:
    # {"k":{"k":...{}...}}: 6 bytes per level but the last, which is 2.
    assert metadata_size(_deep_dict(100_000)) == 6 * 99_999 + 2
    assert metadata_size(_deep_list(100_000)) == 200_000


@needs_node
def test_metadata_size_matches_node() -> None:
    values = list(json_batch())
    values += [*SPECIAL_CHARS, "\ud800\ud800", "\udc00\ud800", *AWKWARD_FLOATS]
    values += [[2**53, -(2**53) - 1, 10**300]]
    assert_sizes = [metadata_size(v) for v in values]
    node_sizes = run_node("size", values)
    wrong = [
        (v, ours, theirs)
        for v, ours, theirs in zip(values, assert_sizes, node_sizes, strict=True)
        if ours != theirs
    ]
    assert not wrong, f"{len(wrong)} of {len(values)} differ, first: {wrong[:3]!r}"


# -- the walk: one rule at a time --------------------------------------


class Custom:
    """A value no JSON encoder knows."""


WALK_CASES: list[tuple[str, dict[Any, Any], list[Finding]]] = [
    ("empty", {}, []),
    ("leaves", {"s": "x", "i": -1, "f": 1.5, "t": True, "b": False}, []),
    ("level 2", {"a": {"b": 1}, "c": [1, "x"], "d": {}, "e": []}, []),
    ("null", {"a": None}, [invalid("null", "a")]),
    ("null at level 2", {"a": {"b": None}}, [invalid("null", "a", "b")]),
    ("null in array", {"a": [1, None, 2]}, [invalid("null", "a", 1)]),
    ("NaN", {"a": math.nan}, [invalid("NaN", "a")]),
    ("Infinity", {"a": math.inf}, [invalid("Infinity", "a")]),
    ("-Infinity", {"a": [-math.inf]}, [invalid("-Infinity", "a", 0)]),
    ("safe max", {"a": MAX_SAFE, "b": -MAX_SAFE}, []),
    ("2**53", {"a": 2**53}, [invalid("unsafe-integer", "a")]),
    ("-2**53", {"a": -(2**53)}, [invalid("unsafe-integer", "a")]),
    ("10**5000", {"a": 10**5000}, [invalid("unsafe-integer", "a")]),
    ("float 2**53 fine", {"a": 2.0**53, "b": 1e300}, []),
    ("bool is not int", {"a": True}, []),
    ("lone high", {"a": "x\ud800"}, [invalid("lone-surrogate", "a")]),
    ("lone low", {"a": ["\udc00"]}, [invalid("lone-surrogate", "a", 0)]),
    ("key surrogate", {"\ud800": 1}, [invalid("lone-surrogate", "\ud800")]),
    ("tuple", {"a": (1, 2)}, [invalid("tuple", "a")]),
    ("set", {"a": {1}}, [invalid("set", "a")]),
    ("bytes", {"a": b"x"}, [invalid("bytes", "a")]),
    ("Decimal", {"a": Decimal("1.5")}, [invalid("Decimal", "a")]),
    ("datetime", {"a": datetime.datetime(2024, 1, 1)}, [invalid("datetime", "a")]),
    ("object", {"a": object()}, [invalid("object", "a")]),
    ("custom", {"a": Custom()}, [invalid("Custom", "a")]),
    ("int key", {1: "a"}, [invalid("non-string-key", "1")]),
    ("float key", {1.5: "a"}, [invalid("non-string-key", "1.5")]),
    ("bool key", {True: "a"}, [invalid("non-string-key", "true")]),
    ("None key", {None: "a"}, [invalid("non-string-key", "null")]),
    ("nan key", {math.nan: "a"}, [invalid("non-string-key", "NaN")]),
    ("huge key", {10**5000: "a"}, [invalid("non-string-key", "<int>")]),
    ("tuple key", {(1,): "a"}, [invalid("non-string-key", "<tuple>")]),
    ("bad key hides value", {1: {"b": {"c": None}}}, [invalid("non-string-key", "1")]),
    ("level 3 object", {"a": {"b": {}}}, [too_deep("a", "b")]),
    ("level 3 array", {"a": [[]]}, [too_deep("a", 0)]),
    ("level 3 not entered", {"a": [{"x": None}]}, [too_deep("a", 0)]),
    ("level 3 then leaf", {"a": {"b": [1], "c": None}}, [
        too_deep("a", "b"), invalid("null", "a", "c")]),
    ("text order", {"z": None, "a": {"m": [[]], "b": math.nan}, "0": (1,)}, [
        invalid("null", "z"), too_deep("a", "m"), invalid("NaN", "a", "b"),
        invalid("tuple", "0")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "findings"),
    [case[1:] for case in WALK_CASES],
    ids=[case[0] for case in WALK_CASES],
)
def test_walk_rules(value: dict[Any, Any], findings: list[Finding]) -> None:
    assert walk_metadata(value) == findings


# -- the walk: size and where it stops ---------------------------------


@pytest.mark.parametrize("total", [2, 100, LIMIT - 1, LIMIT])
def test_walk_accepts_up_to_the_limit(total: int) -> None:
    value = pad(total) if total > 12 else {}
    assert walk_metadata(value) == []


def test_walk_stops_one_byte_over() -> None:
    assert walk_metadata(pad(LIMIT + 1)) == [too_large(LIMIT + 1)]


def test_walk_counts_the_closing_bracket() -> None:
    # The text up to the last value is exactly the limit; "}" passes it.
    value = pad(LIMIT + 1)
    assert metadata_size(value) == LIMIT + 1
    assert walk_metadata(value) == [too_large(LIMIT + 1)]


def test_walk_reports_invalid_members_before_the_stop() -> None:
    # {"pad":"ppp…"  is 4096 bytes; the null adds nothing; "}" stops.
    value = pad(LIMIT + 1)
    value["z"] = None
    assert walk_metadata(value) == [invalid("null", "z"), too_large(LIMIT + 1)]


def test_walk_does_not_look_past_the_stop() -> None:
    value = {"pad": "p" * 5000, "z": None, "y": {"a": {}}}
    assert walk_metadata(value) == [too_large(5009)]


def test_invalid_members_add_nothing() -> None:
    # {"pad":"ppp…" is 4089 bytes; of the rest only ,"d":{} and the
    # closing bracket count, and the last bracket passes the limit.
    value = {"n": None, **pad(4090), "t": (1,), "d": {"x": {"y": 1}}}
    assert walk_metadata(value) == [
        invalid("null", "n"),
        invalid("tuple", "t"),
        too_deep("d", "x"),
        too_large(4097),
    ]


def test_walk_stops_inside_a_level_2_container() -> None:
    value = {"a": ["x" * 3000, "y" * 2000, None]}
    # {"a":["xxx…",  then "yyy…" passes: 1 + 4 + 1 + 3002 + 1 + 2002
    assert walk_metadata(value) == [too_large(5011)]


def test_walk_stops_on_an_opening_bracket() -> None:
    value = {"pad": "p" * 4088, "b": {}}
    # {"pad":"ppp…"  is 4097 already; nothing after is read.
    assert walk_metadata(value) == [too_large(4097)]
    value = {"pad": "p" * 4082, "b": {"c": None}}
    # {"pad":"ppp…"  is 4091, then ,"b":{ brings 4097.
    assert walk_metadata(value) == [too_large(4097)]


# -- robustness --------------------------------------------------------


def _timed(value: dict[Any, Any]) -> tuple[list[Finding], float]:
    start = time.perf_counter()
    findings = walk_metadata(value)
    return findings, time.perf_counter() - start


@pytest.mark.parametrize(
    ("unit", "size"),
    [("x", 1), ("é", 2), ("😀", 4), ("\n", 2), ("\x01", 6)],
)
def test_ten_megabyte_string(unit: str, size: int) -> None:
    value = {"a": unit * 10_000_000}
    findings, seconds = _timed(value)
    # A string longer than the limit is not read: SPEC 3 makes `actual`
    # "the running size at the stop (a lower bound)" and says places past
    # the limit are not examined, so the string counts one byte a
    # character, the least it can take, whatever it holds.
    assert findings == [too_large(1 + 4 + 2 + 10_000_000)]
    assert LIMIT < findings[0].params["actual"] <= metadata_size(value)
    assert metadata_size(value) == 1 + 4 + 2 + size * 10_000_000 + 1
    assert seconds < 2


def test_ten_megabyte_string_with_a_lone_surrogate() -> None:
    # The surrogate lies past the limit, which the walk does not examine
    # (SPEC 3), so the verdict is the size, not the surrogate; before the
    # limit a surrogate is still found (test_lone_surrogate_before_the_stop).
    findings, _ = _timed({"a": "é" * 10_000_000 + "\ud800", "b": 1})
    assert findings == [too_large(1 + 4 + 2 + 10_000_001)]


def test_lone_surrogate_before_the_stop() -> None:
    value = {"a": "é" * 4000 + "\ud800", "b": "x" * 5000}
    assert walk_metadata(value) == [
        invalid("lone-surrogate", "a"),
        too_large(1 + 4 + 2 + 5000),
    ]


def test_ten_megabyte_key() -> None:
    key = "k" * 10_000_000
    assert walk_metadata({key: 1}) == [too_large(10_000_004)]
    # Not read past the limit: neither the key nor the value under it.
    assert walk_metadata({key + "\ud800": None}) == [too_large(10_000_005)]
    assert walk_metadata({"a": 1, key: 1}) == [too_large(6 + 1 + 10_000_003)]


def test_strings_that_might_fit_are_read_in_full() -> None:
    # 4096 characters might still be 4096 bytes: judged exactly.
    value = {"a": "\ud800" + "x" * 4095}
    assert walk_metadata(value) == [invalid("lone-surrogate", "a")]
    value = {"p": "p" * 4000, "a": "é" * 4096}
    assert walk_metadata(value) == [too_large(4007 + 1 + 4 + 8194)]


@pytest.mark.parametrize("build", [_deep_dict, _deep_list])
def test_deep_nesting(build: Any) -> None:
    findings, seconds = _timed({"a": build(100_000)})
    assert findings == [too_deep("a", "k" if build is _deep_dict else 0)]
    assert seconds < 0.1


def test_ten_thousand_keys() -> None:
    value = {f"k{i}": i for i in range(10_000)}
    findings, seconds = _timed(value)
    (stop,) = findings
    assert stop.code == "metadata-too-large"
    assert stop.params["actual"] < LIMIT + 20
    assert seconds < 0.1


def test_ten_thousand_invalid_members_are_all_listed() -> None:
    value = {f"k{i}": None for i in range(10_000)}
    findings = walk_metadata(value)
    assert len(findings) == 10_000
    assert findings[-1] == invalid("null", "k9999")


def test_a_container_that_holds_itself() -> None:
    loop: dict[str, Any] = {}
    loop["a"] = loop
    # Level 2 is the same dict read once more; inside it, it is level 3.
    assert walk_metadata(loop) == [too_deep("a", "a")]
    loop["b"] = [loop]
    assert walk_metadata({"x": loop}) == [too_deep("x", "a"), too_deep("x", "b")]


# -- the walk against a model written from the contract ----------------


def _model_events(metadata: dict[Any, Any]) -> Iterator[Finding | str]:
    """The walk as text pieces and findings, by plain recursion."""
    yield "{"
    yield from _model_members(metadata, (), 1)
    yield "}"


def _model_members(
    container: dict[Any, Any] | list[Any], path: tuple[Any, ...], level: int
) -> Iterator[Finding | str]:
    written = False
    items = container.items() if isinstance(container, dict) else enumerate(container)
    for key, value in items:
        segment = _model_segment(key) if isinstance(container, dict) else key
        place = (*path, segment)
        head = ""
        if isinstance(container, dict):
            if not isinstance(key, str):
                yield invalid("non-string-key", *place)
                continue
            if SURROGATE.search(key):
                yield invalid("lone-surrogate", *place)
                continue
            head = json.dumps(key, ensure_ascii=False) + ":"
        if isinstance(value, dict | list):
            if level == 2:
                yield too_deep(*place)
                continue
            yield (
                ("," if written else "")
                + head
                + ("{" if isinstance(value, dict) else "[")
            )
            written = True
            yield from _model_members(value, place, level + 1)
            yield "}" if isinstance(value, dict) else "]"
            continue
        problem = _model_problem(value)
        if problem:
            yield invalid(problem, *place)
            continue
        yield ("," if written else "") + head + _model_leaf(value)
        written = True


def _model_segment(key: Any) -> Any:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool):
        return json.dumps(key)
    if isinstance(key, tuple):
        return "<tuple>"
    return str(key)  # the strategy's other keys are small ints and 2.5


def _model_problem(value: Any) -> str | None:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) > MAX_SAFE:
        return "unsafe-integer"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, str):
        return "lone-surrogate" if SURROGATE.search(value) else None
    if isinstance(value, int | float):
        return None
    return type(value).__name__


def _model_leaf(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return js_number(value)  # checked against Node in test_jsjson
    text: str = json.dumps(value, ensure_ascii=False)  # escapes as JS does
    return text


def model_walk(metadata: dict[Any, Any]) -> list[Finding]:
    findings: list[Finding] = []
    size = 0
    for event in _model_events(metadata):
        if isinstance(event, Finding):
            findings.append(event)
            continue
        size += len(event.encode("utf-8"))
        if size > LIMIT:
            return [*findings, too_large(size)]
    return findings


def model_text(metadata: dict[Any, Any]) -> str:
    return "".join(e for e in _model_events(metadata) if isinstance(e, str))


messy_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-MAX_SAFE, MAX_SAFE),
    st.integers(MAX_SAFE - 2, MAX_SAFE + 2),
    st.integers(-(10**30), 10**30),
    awkward_floats,
    st.sampled_from([math.nan, math.inf, -math.inf]),
    awkward_text,
    st.integers(0, 2500).map(lambda n: "x" * n),
    st.sampled_from([(1,), b"x", {1}, Decimal(1), datetime.date(2024, 1, 2)]),
)
messy_keys = st.one_of(
    awkward_text,
    st.integers(-5, 5),
    st.none(),
    st.sampled_from([(1,), 2.5]),
)
messy_metadata = st.dictionaries(
    messy_keys,
    st.recursive(
        messy_leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(messy_keys, inner, max_size=4)
        ),
        max_leaves=10,
    ),
    max_size=6,
)


@given(messy_metadata)
def test_walk_matches_the_model(metadata: dict[Any, Any]) -> None:
    assert walk_metadata(metadata) == model_walk(metadata)


valid_leaves = st.one_of(
    st.booleans(),
    st.integers(-MAX_SAFE, MAX_SAFE),
    awkward_floats,
    awkward_text.map(lambda s: SURROGATE.sub("", s)),
    st.integers(0, 3000).map(lambda n: "é" * n),
)
valid_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
valid_metadata = st.dictionaries(
    valid_text,
    st.one_of(
        valid_leaves,
        st.lists(valid_leaves, max_size=4),
        st.dictionaries(valid_text, valid_leaves, max_size=4),
    ),
    max_size=8,
)


@given(valid_metadata)
def test_walk_of_valid_metadata_is_exact(metadata: dict[str, Any]) -> None:
    size = metadata_size(metadata)
    assert size == len(model_text(metadata).encode("utf-8"))
    findings = walk_metadata(metadata)
    if size <= LIMIT:
        assert findings == []
    else:
        (stop,) = findings
        assert stop.code == "metadata-too-large"
        assert LIMIT < stop.params["actual"] <= size
