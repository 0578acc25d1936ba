"""The RFC 9110 media-type grammar, one entry at a time."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from session_rules._media_types import (
    check_media_type,
    media_type_essence,
    parse_media_type,
)

VALID = [
    "text/csv",
    "TEXT/CSV",
    "text/csv;",
    "text/csv; ",
    "text/csv ;charset=utf-8",
    "text/csv\t;\tcharset=utf-8",
    "text/csv;;;",
    'text/csv; charset="utf-8"',
    'text/csv; a="x \\" y"; b=c',
    'text/csv; a=""',
    "application/vnd.ms-excel",
    "application/x-www-form-urlencoded",
    "a!#$%&'+-.^_`|~/b",
]
INVALID = [
    "",
    "text",
    "text/",
    "/csv",
    "text/csv/x",
    " text/csv",
    "text/csv ",
    "text /csv",
    "text/ csv",
    "text/csv; charset",
    "text/csv; charset=",
    "text/csv; =utf-8",
    "text/csv; a=b c",
    'text/csv; a="unterminated',
    'text/csv; a="x"y',
    'text/csv; a="é"',
    'text/csv; a="\x7f"',
    "tëxt/csv",
    "text/csv\n",
    "text/csv\r\n",
    "text/csv\x00",
    "text/csv\ud800",
    "text/csv,image/png",
    "text/c(s)v",
    "text/csv; a=(b)",
]


@pytest.mark.parametrize("text", VALID)
def test_valid(text: str) -> None:
    assert check_media_type(text, refuse_parameters=False)[1] is None


@pytest.mark.parametrize("text", INVALID)
def test_invalid_syntax(text: str) -> None:
    assert check_media_type(text, refuse_parameters=False) == (
        None,
        {"reason": "syntax"},
    )


@pytest.mark.parametrize("text", ["*/*", "image/*", "*/png", "image/x-*", "*a/b"])
def test_wildcards(text: str) -> None:
    assert check_media_type(text, refuse_parameters=False)[1] == {"reason": "wildcard"}


def test_too_long_is_judged_first() -> None:
    text = "a/" + "b" * 253
    assert check_media_type(text, refuse_parameters=False)[1] is None
    assert check_media_type(text + "b", refuse_parameters=False)[1] == {
        "reason": "too-long",
        "max": 255,
    }
    huge = " " * 10_000_000
    assert check_media_type(huge, refuse_parameters=False)[1] == {
        "reason": "too-long",
        "max": 255,
    }


@pytest.mark.parametrize("text", ["text/csv;", "text/csv; a=b", "text/csv ;"])
def test_parameters_refused_under_switch(text: str) -> None:
    assert check_media_type(text, refuse_parameters=True)[1] == {"reason": "parameters"}


def test_essence_and_normalised() -> None:
    parsed = parse_media_type('Text/CSV; Charset="utf-8" ; a=b;')
    assert parsed is not None
    assert parsed.essence == "text/csv"
    assert parsed.normalised() == "text/csv;a=b;charset=utf-8"
    assert media_type_essence("x") is None
    odd = parse_media_type('a/b; q="x y"; p="\\"\\\\"')
    assert odd is not None
    assert odd.normalised() == 'a/b;p="\\"\\\\";q="x y"'


TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
tokens = st.text(alphabet=TCHAR, min_size=1, max_size=20)


@given(tokens, tokens)
def test_any_two_tokens_parse(type_: str, subtype: str) -> None:
    parsed = parse_media_type(f"{type_}/{subtype}")
    assert parsed is not None
    assert parsed.essence == f"{type_}/{subtype}".lower()


@given(st.text(max_size=300))
def test_any_text_gives_a_verdict(text: str) -> None:
    essence, failure = check_media_type(text, refuse_parameters=False)
    assert (essence is None) != (failure is None)
    if essence is not None:
        assert text.isascii()
        assert "*" not in essence
