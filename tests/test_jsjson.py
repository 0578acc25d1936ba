"""JavaScript-compatible numbers, string sizes and RFC 8785 text."""

from __future__ import annotations

import functools
import json
import math
import random
import re
import shutil
import struct
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from session_rules._errors import json_string
from session_rules._jsjson import canonical_json, js_number, js_string_size
from session_rules._metadata import metadata_size

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(
    NODE is None, reason="Node.js is not installed; the differential test needs it"
)

# -- shared strategies (also imported by nothing else: kept local) ------

MAX_SAFE = 2**53 - 1


def _double(bits: int) -> float:
    value: float = struct.unpack("<d", struct.pack("<Q", bits))[0]
    return value


def _neighbours(x: float) -> list[float]:
    return [math.nextafter(x, -math.inf), x, math.nextafter(x, math.inf)]


AWKWARD_FLOATS = sorted(
    {
        y
        for x in (
            0.0,
            5e-324,
            1e-323,
            2.2250738585072014e-308,
            4.35e-309,
            1e-7,
            1e-6,
            0.1,
            0.2,
            0.3,
            1 / 3,
            1.0,
            123e-20,
            1e15,
            1e16,
            1e20,
            1e21,
            1e22,
            2.0**53,
            2.0**63,
            2.0**64,
            1.2345678901234568e20,
            999999999999999900000.0,
            1.7976931348623157e308,
            9007199254740993.0,
        )
        for y in (*_neighbours(x), *(-v for v in _neighbours(x)))
        if math.isfinite(y)
    }
    | {-0.0}
)

awkward_floats = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(AWKWARD_FLOATS),
    st.integers(0, 2**64 - 1).map(_double).filter(math.isfinite),
)
awkward_ints = st.one_of(
    st.integers(-MAX_SAFE, MAX_SAFE),
    st.integers(MAX_SAFE - 3, MAX_SAFE + 3),
    st.integers(-MAX_SAFE - 3, -MAX_SAFE + 3),
    st.integers(-(10**300), 10**300),
)
SPECIAL_CHARS = [
    '"',
    "\\",
    "/",
    "\x00",
    "\b",
    "\t",
    "\n",
    "\x0b",
    "\f",
    "\r",
    "\x1f",
    "\x7f",
    "\x80",
    "\xa0",
    "é",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\uffff",
    "😀",
    "\U0010ffff",
    "\ud800",
    "\udbff",
    "\udc00",
    "\udfff",
]
awkward_text = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(SPECIAL_CHARS),
        st.integers(0xD800, 0xDFFF).map(chr),
        st.characters(max_codepoint=0x7F),
    ),
    max_size=24,
)
json_leaves = st.one_of(
    st.none(), st.booleans(), awkward_ints, awkward_floats, awkward_text
)
json_values = st.recursive(
    json_leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(awkward_text, inner, max_size=5),
    ),
    max_leaves=16,
)

_PAIRED = re.compile("([\ud800-\udbff])(?=[\udc00-\udfff])")


def for_node(value: Any) -> Any:
    """The value with no high surrogate right before a low one.

    A Python string holds code points, so each surrogate in it is lone;
    on the wire ``\\ud83d\\ude00`` would reach JavaScript as one emoji.
    """
    if isinstance(value, str):
        return _PAIRED.sub("\\1.", value)
    if isinstance(value, list):
        return [for_node(v) for v in value]
    if isinstance(value, dict):
        return {for_node(k): for_node(v) for k, v in value.items()}
    return value


@functools.cache
def json_batch() -> list[Any]:
    """One Hypothesis run of JSON values, shared by the batch tests."""
    return [for_node(v) for v in collect(json_values)]


def collect(strategy: st.SearchStrategy[Any]) -> list[Any]:
    """Examples of ``strategy`` from one Hypothesis run, for one batch.

    Node is started once per batch, not once per example; the size of the
    run follows the active settings profile.
    """
    batch: list[Any] = []

    @settings(
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    @given(strategy)
    def gather(value: Any) -> None:
        batch.append(value)

    gather()
    return batch


# Reads {"mode", "values"} on stdin, writes one answer per value.
NODE_SCRIPT = r"""
const canon = (v) => {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(canon).join(",") + "]";
  return "{" + Object.keys(v).sort()
    .map((k) => JSON.stringify(k) + ":" + canon(v[k])).join(",") + "}";
};
const modes = {
  number: (v) => String(v),
  size: (v) => Buffer.byteLength(JSON.stringify(v), "utf8"),
  canonical: canon,
};
let text = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { text += chunk; });
process.stdin.on("end", () => {
  const { mode, values } = JSON.parse(text);
  process.stdout.write(JSON.stringify(values.map(modes[mode])));
});
"""


def run_node(mode: str, values: list[Any]) -> list[Any]:
    """Answers from one Node process for a whole batch of values."""
    assert NODE is not None
    payload = json.dumps({"mode": mode, "values": values}, ensure_ascii=True)
    done = subprocess.run(
        [NODE, "-e", NODE_SCRIPT],
        input=payload.encode("ascii"),
        capture_output=True,
        timeout=300,
        check=True,
    )
    answers: list[Any] = json.loads(done.stdout)
    assert len(answers) == len(values)
    return answers


def assert_all_equal(
    values: list[Any], ours: Callable[[Any], Any], theirs: list[Any]
) -> None:
    wrong = [
        (v, ours(v), t) for v, t in zip(values, theirs, strict=True) if ours(v) != t
    ]
    assert not wrong, f"{len(wrong)} of {len(values)} differ, first: {wrong[:3]!r}"


# -- js_number ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (0.0, "0"),
        (-0.0, "0"),
        (1.0, "1"),
        (-1.5, "-1.5"),
        (0.1, "0.1"),
        (100.0, "100"),
        (123456.789, "123456.789"),
        (1e20, "100000000000000000000"),
        (1.2345678901234568e20, "123456789012345680000"),
        (999999999999999900000.0, "999999999999999900000"),
        (1e21, "1e+21"),
        (1.5e21, "1.5e+21"),
        (1e-6, "0.000001"),
        (1.5e-6, "0.0000015"),
        (1e-7, "1e-7"),
        (-1.25e-10, "-1.25e-10"),
        (123e-20, "1.23e-18"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (2.0**53, "9007199254740992"),
        (MAX_SAFE, "9007199254740991"),
        (-MAX_SAFE, "-9007199254740991"),
        (2**53 + 1, "9007199254740992"),  # rounds to a double first
        (2**60 + 1, "1152921504606847000"),
        (10**21, "1e+21"),
        (10**308, "1e+308"),
        (True, "1"),  # a bool is a number to float(); JSON sees it earlier
    ],
)
def test_js_number_table(value: float, text: str) -> None:
    assert js_number(value) == text


@pytest.mark.parametrize(
    "value",
    [math.nan, math.inf, -math.inf, 2**1024, -(2**1024), 10**400, 10**5000],
    ids=["nan", "inf", "-inf", "2**1024", "-2**1024", "10**400", "10**5000"],
)
def test_js_number_refuses_what_has_no_json_form(value: float) -> None:
    with pytest.raises(ValueError, match=r"JSON form|too large"):
        js_number(value)


@given(awkward_floats)
def test_js_number_round_trips(value: float) -> None:
    text = js_number(value)
    assert float(text) == value
    assert text == js_number(float(text))


@needs_node
def test_js_number_matches_node() -> None:
    rng = random.Random(8785)
    values = [*AWKWARD_FLOATS, *collect(awkward_floats)]
    values += [
        v
        for v in (_double(rng.getrandbits(64)) for _ in range(20_000))
        if math.isfinite(v)
    ]
    values += [rng.uniform(-1e-6, 1e-6) for _ in range(2000)]
    values += [rng.choice([1, -1]) * 10 ** rng.uniform(15, 22) for _ in range(2000)]
    ints = [*collect(awkward_ints), 2**53, 2**53 + 1, -(2**53) - 1, 2**64]
    assert_all_equal(values + ints, js_number, run_node("number", values + ints))


# -- js_string_size ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("", 2),
        ("a", 3),
        ('"', 4),
        ("\\", 4),
        ("/", 3),
        ("\b\f\n\r\t", 12),
        ("\x00", 8),
        ("\x0b", 8),
        ("\x1f", 8),
        ("\x7f", 3),
        ("\x80", 4),
        ("é", 4),
        ("€", 5),
        ("\u2028", 5),
        ("😀", 6),
        ("\ud800", 8),
        (chr(0xDFFF), 8),  # ruff reads two lone surrogates as equal
        ("\ud83d\ude00", 14),  # two surrogate code points, each lone
        ('a"\\\n\x00\ud800é😀\u2028', 30),
    ],
)
def test_js_string_size_table(text: str, size: int) -> None:
    assert js_string_size(text) == size


@given(awkward_text)
def test_js_string_size_is_the_length_of_json_string(text: str) -> None:
    assert js_string_size(text) == len(json_string(text).encode("utf-8"))


@pytest.mark.parametrize(
    "unit", ["x", '"', "\x01", "\n", "é", "😀", "\ud800", 'a\\"\x00€\udc00😀']
)
def test_js_string_size_of_long_strings_across_slices(unit: str) -> None:
    text = unit * 70_001  # several internal slices, cut mid-pattern
    assert js_string_size(text) == len(json_string(text).encode("utf-8"))


def test_js_string_size_of_ten_megabytes() -> None:
    assert js_string_size("x" * 10_000_000) == 10_000_002
    assert js_string_size("\n" * 10_000_000) == 20_000_002


# -- canonical_json ----------------------------------------------------


def test_canonical_json_sorts_keys_by_utf16_units() -> None:
    # RFC 8785 section 3.2.3's own sorting example.
    value = {
        "€": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "😀": "Emoji: Grinning Face",
        "\x80": "Control",
        "ö": "Latin Small Letter O With Diaeresis",
    }
    order = [json.loads("[" + k + "]")[0] for k in _keys_of(canonical_json(value))]
    assert order == ["\r", "1", "\x80", "ö", "€", "😀", "\ufb33"]


def _keys_of(text: str) -> list[str]:
    return re.findall(r'(?<=[{,])("(?:[^"\\]|\\.)*")(?=:)', text)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({}, "{}"),
        ([], "[]"),
        (None, "null"),
        ({"b": [1.0, -0.0, 1e21, 1e-7], "a": True}, '{"a":true,"b":[1,0,1e+21,1e-7]}'),
        ({"a": "\ud800\u2028\x7f"}, '{"a":"\\ud800\u2028\x7f"}'),
        ({"\ud800": 1, "a": 2}, '{"a":2,"\\ud800":1}'),
        ({"ab": 1, "a": 2, "": 3}, '{"":3,"a":2,"ab":1}'),
        ({"n": 2**60 + 1}, '{"n":1152921504606847000}'),
    ],
)
def test_canonical_json_table(value: Any, text: str) -> None:
    assert canonical_json(value) == text


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ({"a": (1,)}, TypeError),
        ({1: "a"}, TypeError),
        ([b"x"], TypeError),
        ({"a": math.nan}, ValueError),
        ([math.inf], ValueError),
        ([10**5000], ValueError),
    ],
    ids=["tuple", "int-key", "bytes", "nan", "inf", "10**5000"],
)
def test_canonical_json_refuses_non_json(value: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        canonical_json(value)


def test_canonical_json_refuses_a_cycle() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="holds itself"):
        canonical_json(loop)


def test_canonical_json_shares_without_a_cycle() -> None:
    shared = {"x": 1}
    assert canonical_json([shared, shared]) == '[{"x":1},{"x":1}]'


@pytest.mark.parametrize("depth", [100, 100_000])
def test_canonical_json_of_deep_nesting(depth: int) -> None:
    root: list[Any] = []
    inner = root
    for _ in range(depth - 1):
        inner.append([])
        inner = inner[0]
    assert canonical_json(root) == "[" * depth + "]" * depth


def test_canonical_json_is_sized_and_stable() -> None:
    # As long as JSON.stringify's text, and canonical again once parsed.
    values = json_batch()
    assert_all_equal(
        values,
        lambda v: len(canonical_json(v).encode("utf-8")),
        [metadata_size(v) for v in values],
    )
    assert_all_equal(
        values,
        lambda v: canonical_json(json.loads(canonical_json(v))),
        [canonical_json(v) for v in values],
    )


@needs_node
def test_canonical_json_matches_a_javascript_canonicaliser() -> None:
    values = [v for v in json_batch() if _fits_a_double(v)]
    assert_all_equal(values, canonical_json, run_node("canonical", values))


def _fits_a_double(value: Any) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return value.bit_length() <= 1000
    if isinstance(value, list):
        return all(_fits_a_double(v) for v in value)
    if isinstance(value, dict):
        return all(_fits_a_double(v) for v in value.values())
    return True
