"""Strict parsing of raw bodies, and the Content-Type rule."""

from __future__ import annotations

import base64
import json
import sys
from typing import Any

import pytest
from conftest import read_jsonl
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from session_rules._errors import ConfigurationError, Finding, build_error
from session_rules._policy import Policy
from session_rules._raw import (
    MAX_INTEGER_DIGITS,
    _first_problem,
    check_content_type,
    parse_body,
)

POLICY = Policy()


def finding(raw: bytes, policy: Policy = POLICY) -> Finding | None:
    value, found = parse_body(raw, policy)
    assert (value is None) or (found is None)
    return found


def reason(raw: bytes, policy: Policy = POLICY) -> str | None:
    found = finding(raw, policy)
    if found is None:
        return None
    assert found.code == "invalid-json", found
    return str(found.params["reason"])


def nest(depth: int, inner: str = "1") -> str:
    """``depth`` containers around ``inner``, arrays and objects in turn."""
    opens = "".join('{"k":' if i % 2 else "[" for i in range(depth))
    closes = "".join("}" if i % 2 else "]" for i in reversed(range(depth)))
    return opens + inner + closes


# -- the shared corpus -------------------------------------------------


CORPUS = list(read_jsonl("raw-bodies.jsonl"))


@pytest.mark.parametrize("case", CORPUS, ids=[c["name"] for c in CORPUS])
def test_corpus(case: dict[str, Any]) -> None:
    raw = base64.b64decode(case["body_b64"])
    found = finding(raw)
    if case["expect"]["status"] == 400:
        assert found is not None
        assert found.code == case["expect"]["errors"][0]["code"]
    else:
        assert found is None


# -- each reason and its neighbours ------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # encoding
        (b'\xef\xbb\xbf{"a":1}', "encoding"),
        ('{"a":1}'.encode("utf-16"), "encoding"),  # with its BOM
        ('{"a":1}'.encode("utf-16-le"), "encoding"),
        ('{"a":1}'.encode("utf-16-be"), "encoding"),
        ('{"a":1}'.encode("utf-32"), "encoding"),
        ('{"a":1}'.encode("utf-32-be"), "encoding"),
        (b'"\xc0\xaf"', "encoding"),  # overlong "/"
        (b'"\xe0\x80\xaf"', "encoding"),  # overlong, three bytes
        (b'"\xed\xa0\x80"', "encoding"),  # U+D800 written as UTF-8
        (b'"\xf4\x90\x80\x80"', "encoding"),  # past U+10FFFF
        (b'"\xff"', "encoding"),
        (b'"\xe2\x82"', "encoding"),  # cut short
        ('{"a":"é"}'.encode("latin-1"), "encoding"),
        (b'{"a":"\x00"}', "encoding"),  # a NUL byte marks UTF-16/32
        (b"[1,,\xff]", "encoding"),  # the whole body is read first
        # syntax
        (b"", "syntax"),
        (b" \t\r\n", "syntax"),
        (b"{", "syntax"),
        (b'{"fileCount":1,', "syntax"),
        (b"[1] x", "syntax"),
        (b"[1]]", "syntax"),
        (b"{} {}", "syntax"),
        (b"1 2", "syntax"),
        (b"[1,]", "syntax"),
        (b'{"a":1,}', "syntax"),
        (b"[01]", "syntax"),
        (b"[1.]", "syntax"),
        (b"[.5]", "syntax"),
        (b"[+1]", "syntax"),
        (b"[-]", "syntax"),
        (b"[1e]", "syntax"),
        (b"{'a':1}", "syntax"),
        (b'{"a" 1}', "syntax"),
        (b"[}", "syntax"),
        (b"[1}", "syntax"),
        (b'{"a":1]', "syntax"),
        (b'[{"a":1]}', "syntax"),
        (b'"\\x"', "syntax"),  # unknown escape
        (b'"\\u12"', "syntax"),
        (b'"a\tb"', "syntax"),  # raw control character
        (b'"a\nb"', "syntax"),
        (b'"abc', "syntax"),
        (b'"abc\\', "syntax"),
        (b"tru", "syntax"),
        (b"nan", "syntax"),
        (b"infinity", "syntax"),
        (b'\xc2\xa0{"a":1}', "syntax"),  # NBSP is not JSON white space
        (b"\xef\xbb\xbf".join([b"[1,", b"2]"]), "syntax"),  # BOM inside
        # non-finite
        (b"NaN", "non-finite"),
        (b"[Infinity]", "non-finite"),
        (b'{"a":-Infinity}', "non-finite"),
        (b"1e400", "non-finite"),
        (b"-1e400", "non-finite"),
        (b"1.7976931348623159e308", "non-finite"),
        (b"1" + b"0" * 400 + b".0", "non-finite"),
        # number-too-long
        (b"1" * (MAX_INTEGER_DIGITS + 1), "number-too-long"),
        (b"-" + b"9" * (MAX_INTEGER_DIGITS + 1), "number-too-long"),
        (b"[" + b"1" * 100_000 + b"]", "number-too-long"),
        # too-deep
        (nest(33).encode(), "too-deep"),
        (b"[" * 33, "too-deep"),
        (b'{"a":' * 33, "too-deep"),
    ],
)
def test_reasons(raw: bytes, expected: str) -> None:
    assert reason(raw) == expected


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (b"1e-400", 0.0),  # underflow is a finite zero
        (b"-1e-400", 0.0),
        (b"1.7976931348623157e308", 1.7976931348623157e308),
        (b"1" + b"0" * 400, 10**400),  # integers stay exact
        (b"1" * MAX_INTEGER_DIGITS, int("1" * MAX_INTEGER_DIGITS)),
        (b'"\\ud800"', "\ud800"),  # lone surrogate escapes are JSON
        (b'"\\ud83d\\ude00"', "\U0001f600"),
        (b'"\x7f"', "\x7f"),
        (b'"[[[[{{{{"', "[[[[{{{{"),
        (b'"\\"[[[[\\\\"', '"[[[[\\'),
        (b' \t\r\n{"a" : [ 1 , 2 ] }\n', {"a": [1, 2]}),
        ('{"é":"ü€😀"}'.encode(), {"é": "ü€😀"}),
        (b'"\xef\xbb\xbf"', "\ufeff"),  # U+FEFF inside a string is text
        (b"true", True),
        (b"null", None),
    ],
)
def test_accepted(raw: bytes, value: object) -> None:
    parsed, found = parse_body(raw, POLICY)
    assert found is None
    assert parsed == value
    assert type(parsed) is type(value)


def test_integer_limit_edge() -> None:
    assert reason(b"-" + b"1" * MAX_INTEGER_DIGITS) is None
    assert reason(b"0." + b"1" * 5000) is None  # not an integer literal


def test_integers_ignore_the_interpreter_digit_limit() -> None:
    literal = "7" * MAX_INTEGER_DIGITS
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        parsed, found = parse_body(f"[-{literal}]".encode(), POLICY)
    finally:
        sys.set_int_max_str_digits(old)
    assert found is None
    assert parsed == [-int(literal)]


# -- depth -------------------------------------------------------------


@pytest.mark.parametrize("depth", [1, 2, 31, 32])
def test_depth_within_bound(depth: int) -> None:
    for text in (nest(depth), "[" * depth + "]" * depth):
        assert reason(text.encode()) is None


@pytest.mark.parametrize("depth", [33, 34, 100])
def test_depth_past_bound(depth: int) -> None:
    for text in (nest(depth), "[" * depth + "]" * depth, '{"a":' * depth):
        assert finding(text.encode()) == Finding(
            "invalid-json", {"reason": "too-deep", "max": 32}
        )


def test_brackets_in_strings_are_not_depth() -> None:
    text = nest(31, json.dumps("[{" * 50 + '\\"[' + "\\"))
    assert reason(text.encode()) is None


@pytest.mark.parametrize("bound", [1, 5, 255, 256])
def test_policy_bound(bound: int) -> None:
    policy = Policy(max_json_depth=bound)
    assert reason(nest(bound).encode(), policy) is None
    found = finding(nest(bound + 1).encode(), policy)
    assert found == Finding("invalid-json", {"reason": "too-deep", "max": bound})


@pytest.mark.parametrize("bound", [257, 100_000])
def test_bounds_the_parser_cannot_honour_are_refused(bound: int) -> None:
    # Python's parser recurses once a level; a bound it cannot always reach
    # would make the verdict depend on the caller's stack.
    with pytest.raises(ConfigurationError, match="at most 256"):
        Policy(max_json_depth=bound)


def test_depth_within_bound_parses_even_from_a_deep_caller() -> None:
    policy = Policy(max_json_depth=256)
    body = nest(256).encode()

    def deep(levels: int) -> Any:
        if levels:
            return deep(levels - 1)
        return finding(body, policy)

    # Leave the caller only a few dozen frames of headroom.
    assert deep(sys.getrecursionlimit() - 60) is None


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 1_000_000,
        b"[" * 1_000_000 + b"]" * 1_000_000,
        b'{"a":' * 1_000_000,
        b'{"fileCount":1,"metadata":' + b'[{"x":' * 500_000,
    ],
    ids=["open", "closed", "objects", "inside a body"],
)
def test_nesting_bomb(raw: bytes) -> None:
    assert reason(raw) == "too-deep"


# -- duplicates ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key", "path"),
    [
        (b'{"a":1,"a":2}', "a", ()),
        (b'{"a":1,"\\u0061":2}', "a", ()),  # the same name once unescaped
        (b'{"\\/":1,"/":2}', "/", ()),
        (b'{"\\ud800":1,"\\ud800":2}', "\\ud800", ()),
        (b'{"\\ud83d\\ude00":1,"\xf0\x9f\x98\x80":2}', "\U0001f600", ()),
        (b'{"x":{"y":{"z":0,"z":0}}}', "z", ("x", "y")),
        (b'{"x":[0,1,{"k":1,"k":{}}]}', "k", ("x", 2)),
        (b'[[{}],[{"a":null,"b":null,"a":null}]]', "a", (1, 0)),
        (b'{"":1,"":2}', "", ()),
    ],
)
def test_duplicates(raw: bytes, key: str, path: tuple[str | int, ...]) -> None:
    assert finding(raw) == Finding("duplicate-key", {"key": key}, path)


def test_case_differs_is_no_duplicate() -> None:
    assert reason(b'{"a":1,"A":2,"a ":3}') is None


def test_duplicate_key_clipped() -> None:
    name = "k" * 100
    found = finding(f'{{"{name}":1,"{name}":2}}'.encode())
    assert found is not None
    assert found.params == {"key": "k" * 63 + "…", "truncated": True}
    error = build_error(found, (), field_path=())
    assert error.field == ""
    assert error.pointer == ""


def test_duplicate_pointer_at_the_object() -> None:
    found = finding(b'{"metadata":{"a~b/c":{"q":1,"q":2}}}')
    assert found is not None
    error = build_error(found, (), field_path=())
    assert (error.field, error.pointer, error.code) == (
        "",
        "/metadata/a~0b~1c",
        "duplicate-key",
    )
    assert error.to_dict()["params"] == {"key": "q"}


# -- the first problem by position ---------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a":1,"a":2, x}', ("duplicate-key", "a")),
        ('{"a":1,"a":2', ("duplicate-key", "a")),
        ('{"a":1,,"a":2}', ("invalid-json", "syntax")),
        ('{"a":1,"a":{"b":1,"b":2}}', ("duplicate-key", "a")),
        ('{"x":{"b":1,"b":2},"x":1}', ("duplicate-key", "b")),
        ('{"a":1,"a":NaN}', ("duplicate-key", "a")),
        ('{"a":NaN,"a":1}', ("invalid-json", "non-finite")),
        ('{"a":1,"a":1e400}', ("duplicate-key", "a")),
        ('{"a":1e400,"a":1}', ("invalid-json", "non-finite")),
        ("[1e400, NaN, 1" + "1" * 5000 + "]", ("invalid-json", "non-finite")),
        ("[1" + "1" * 5000 + ", 1e400]", ("invalid-json", "number-too-long")),
        ("[1" + "1" * 5000 + ", x]", ("invalid-json", "number-too-long")),
        ("[x, 1" + "1" * 5000 + "]", ("invalid-json", "syntax")),
        ('{"a":1,"a":' + "[" * 40, ("duplicate-key", "a")),
        ('{"b":' + "[" * 40 + '], "b":1}', ("invalid-json", "too-deep")),
        ("[1 2, " + "[" * 40, ("invalid-json", "syntax")),
        ("[NaN, " + "[" * 40, ("invalid-json", "non-finite")),
        ("[" * 40 + "NaN", ("invalid-json", "too-deep")),
        # The bracket that would nest too deep is itself misplaced.
        ("[" * 31 + '{"a" [', ("invalid-json", "syntax")),
        ("[" * 31 + '{"a": [', ("invalid-json", "too-deep")),
        ("[" * 31 + "{[", ("invalid-json", "syntax")),
        ("[" * 31 + "[1 [", ("invalid-json", "syntax")),
        ('{"a":1,"a":2}{', ("duplicate-key", "a")),
        ('{"a":1,"a":2} x', ("duplicate-key", "a")),
        ('[{"a":1,"a":2}] x', ("duplicate-key", "a")),
    ],
)
def test_first_problem_wins(text: str, expected: tuple[str, str]) -> None:
    found = finding(text.encode())
    assert found is not None
    detail = found.params.get("reason", found.params.get("key"))
    assert (found.code, detail) == expected


# -- properties ----------------------------------------------------------


def depth_of(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    return 0


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=25,
)
JSON_WS = st.text(alphabet=" \t\r\n", max_size=3)


def same(a: object, b: object) -> bool:
    """Equality that also tells 1 from 1.0 and True from 1."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        assert isinstance(b, list)
        return len(a) == len(b) and all(map(same, a, b))
    return a == b


@given(st.binary())
def test_any_bytes_give_an_answer(raw: bytes) -> None:
    value, found = parse_body(raw, POLICY)
    if found is None:
        assert same(json.loads(raw.decode("utf-8")), value)
        return
    assert value is None
    assert found.code in ("invalid-json", "duplicate-key")


@given(json_values, st.booleans(), st.sampled_from([None, 0, 2, "\t"]), JSON_WS)
def test_dumped_values_parse_back(
    value: Any, ascii_only: bool, indent: int | str | None, pad: str
) -> None:
    assume(depth_of(value) <= 32)
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent)
    try:
        raw = (pad + text + pad).encode("utf-8")
    except UnicodeEncodeError:
        assume(False)  # a lone surrogate written raw is not UTF-8
        raise
    parsed, found = parse_body(raw, POLICY)
    assert found is None
    assert same(parsed, value)


@given(json_values, st.lists(JSON_WS, min_size=4, max_size=4))
def test_odd_separators(value: Any, spaces: list[str]) -> None:
    assume(depth_of(value) <= 32)
    a, b, c, d = spaces
    text = json.dumps(value, separators=(f"{a},{b}", f"{c}:{d}"))
    parsed, found = parse_body(text.encode(), POLICY)
    assert found is None
    assert same(parsed, value)


MUTATIONS = st.sampled_from(
    [*'[]{}:,"\\ 0-.eE', "NaN", "1e999", "x", '"a":1,"a":2', "[" * 40]
)


@settings(deadline=None)
@given(json_values, st.data())
def test_walk_agrees_with_the_parser(value: Any, data: st.DataObject) -> None:
    """The slow walk finds a problem exactly when the fast parser refuses."""
    text = json.dumps(value)
    for _ in range(data.draw(st.integers(0, 3))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 2))
        text = text[:at] + data.draw(MUTATIONS) + text[at + cut :]
    found = finding(text.encode("utf-8", "surrogatepass"))
    walked = _first_problem(text, 32)
    assert walked == found


def test_not_a_number_float_value_is_refused() -> None:
    # json.loads reads NaN; we never do, at any depth.
    assert all(
        reason(t.encode()) == "non-finite"
        for t in ("[NaN]", '{"a":{"b":[-Infinity]}}', "[1, Infinity]")
    )


# -- Content-Type --------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "application/json",
        "Application/JSON",
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        'application/json; charset="utf-8"',
        "application/json ; charset=Utf-8",
        "application/json;",
        "  application/json\t",
        "application/json; foo=bar",
        "application/json; foo=bar; charset=utf-8",
        b"application/json; charset=utf-8",
    ],
)
def test_content_type_accepted(value: str | bytes) -> None:
    assert check_content_type(value)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        " ",
        "text/json",
        "application/problem+json",
        "application/json-patch+json",
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/*",
        "*/*",
        "application/json; charset=latin-1",
        "application/json; charset=utf8",
        "application/json; charset=utf-16",
        "application/json; charset=",
        'application/json; charset="utf-16"',
        "application/json; charset=utf-8; charset=iso-8859-1",
        "application/json; CHARSET=ascii",
        "application/json, text/plain",
        "application/json\r\nX: y",
        "application/jsonx",
        "application /json",
        b"application/json; charset=\xe9",
    ],
)
def test_content_type_refused(value: str | bytes | None) -> None:
    assert not check_content_type(value)


def test_content_type_length() -> None:
    longest = "application/json; x=" + "y" * 235
    assert len(longest) == 255
    assert check_content_type(longest)
    assert not check_content_type(longest + "y")
    assert not check_content_type("application/json" + ";" * 1_000_000)
