"""Plain examples for the branches the property tests reach rarely or never.

Each test names the rule it pins; together with the rest of the suite they
keep branch coverage of ``session_rules`` at 100% on every run.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

import session_rules
from session_rules import (
    ConfigurationError,
    FieldError,
    Outcome,
    Policy,
    UploadStage,
    _errors,
    _headers,
    _request,
    check_resolved_addresses,
    check_webhook_url,
    schema_for,
    validate_create_session,
)
from session_rules.__main__ import main
from session_rules._addresses import AddressBlock, _flatten
from session_rules._errors import Finding, header_error
from session_rules._headers import check_authorization, read_headers
from session_rules._jsjson import js_number
from session_rules._metadata import _plain_leaf
from session_rules._raw import parse_body

STAGE = UploadStage(1, 10, ("application/pdf", "image/*"))
KEY = {"Authorization": "Bearer aok_test"}
GOOD = {
    "fileCount": 1,
    "contentTypes": ["application/pdf"],
    "clientSubmissionId": "sub-1",
}


def judge(body: Any, headers: Any = None, **kwargs: Any) -> Outcome:
    return validate_create_session(
        body,
        stage=STAGE,
        slug="intake",
        headers=KEY if headers is None else headers,
        **kwargs,
    )


def pairs(outcome: Outcome) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in outcome.errors]


class Text(str):
    """A str subclass, as a server's framework may hand one over."""

    __slots__ = ()


# -- the package -------------------------------------------------------


def test_unknown_package_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        _ = session_rules.no_such_name  # type: ignore[attr-defined]


def test_dir_of_the_package_lists_the_public_names() -> None:
    assert dir(session_rules) == session_rules.__all__


# -- the command line --------------------------------------------------


def test_schema_write_into_a_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    assert main(["schema", "--write", str(blocker)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"session-rules: {blocker}: ")


# -- the address tables ------------------------------------------------


def test_flatten_a_table_that_stops_below_the_top_address() -> None:
    blocks = (
        AddressBlock("10.0.0.0/8", "private", "RFC 1918"),
        AddressBlock("10.1.0.0/16", None, "a public hole, for the test"),
    )
    starts, reasons = _flatten(blocks, 32)
    assert starts == [0, 10 << 24, (10 << 24) + (1 << 16), (10 << 24) + (2 << 16),
                      11 << 24]  # fmt: skip
    assert reasons == [None, "private", None, "private", None]


# -- records -----------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "frozen"),
    [
        (OrderedDict(a=[1, 2]), MappingProxyType({"a": (1, 2)})),
        (MappingProxyType({"b": {"c": 1}}), MappingProxyType({"b": {"c": 1}})),
        (b"raw", b"raw"),
        (frozenset({1}), frozenset({1})),
    ],
)
def test_field_error_freezes_any_mapping_and_keeps_other_values(
    given: Any, frozen: Any
) -> None:
    error = FieldError("f", None, "header", "empty", "m", {"value": given})
    assert error.params["value"] == frozen
    assert not isinstance(error.params["value"], dict | list)


def test_metadata_key_of_a_str_subclass_is_named_like_a_str() -> None:
    outcome = judge({**GOOD, "metadata": {Text("a/b"): None}})
    assert outcome.status == 422
    [error] = outcome.errors
    assert (error.field, error.pointer, error.code) == (
        "metadata",
        "/metadata/a~1b",
        "metadata-invalid-value",
    )
    assert dict(error.params) == {"type": "null"}
    assert judge({**GOOD, "metadata": {Text("a/b"): None}}) == outcome


def test_header_record_with_params_that_are_not_atoms() -> None:
    first = header_error("X-Request-Id", "too-long", max=128, actual=129.0)
    again = header_error("X-Request-Id", "too-long", max=128, actual=129.0)
    assert first == again
    assert first.message == "X-Request-Id must be at most 128 characters; got 129.0"
    assert dict(first.params) == {"max": 128, "actual": 129.0}


def test_a_full_header_record_table_takes_new_records(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_errors, "RECORDS_CACHE_SIZE", 1)
    header_error("X-Request-Id", "too-long", max=128, actual=4241)
    record = header_error("X-Request-Id", "too-long", max=128, actual=4242)
    assert record.message == "X-Request-Id must be at most 128 characters; got 4242"
    assert list(_errors._HEADER_RECORDS.values()) == [record]


# -- headers -----------------------------------------------------------


def test_a_good_slug_of_a_str_subclass_passes_and_is_not_remembered() -> None:
    class Slug(str):
        pass

    _headers._GOOD_SLUGS.clear()
    assert _headers.check_slug(Slug("invoice-intake")) is None
    assert "invoice-intake" not in _headers._GOOD_SLUGS


def test_a_header_named_twice_in_a_dict_counts_twice() -> None:
    headers = {"Authorization": "Bearer aok_a", "AUTHORIZATION": "Bearer aok_b"}
    assert read_headers(headers) == {"authorization": ["Bearer aok_a", "Bearer aok_b"]}
    outcome = judge(GOOD, headers)
    assert (outcome.status, pairs(outcome)) == (
        401,
        [("Authorization", "invalid-credentials")],
    )


def test_x_request_id_named_twice_in_a_dict_is_invalid() -> None:
    headers = {**KEY, "X-Request-Id": "a", "x-request-id": "b"}
    outcome = judge(GOOD, headers)
    assert (outcome.status, pairs(outcome)) == (
        422,
        [("X-Request-Id", "invalid-header-value")],
    )


def test_authorization_of_a_str_subclass_is_read_as_text() -> None:
    assert check_authorization({"authorization": [Text("Bearer aok_x")]}) is None
    outcome = judge(GOOD, {"Authorization": Text("Bearer aok_x")})
    assert (outcome.status, outcome.errors) == (201, ())


# -- numbers -----------------------------------------------------------


@pytest.mark.parametrize("value", [2**1024 - 1, -(2**1024 - 1), 2**1024, 10**400])
def test_integers_past_the_largest_double_have_no_json_form(value: int) -> None:
    with pytest.raises(ValueError, match="integer is too large for a double"):
        js_number(value)


def test_the_largest_double_as_an_integer() -> None:
    largest = int(sys.float_info.max)
    assert js_number(largest) == "1.7976931348623157e+308"


# -- metadata ----------------------------------------------------------


@pytest.mark.parametrize(
    ("leaf", "size", "kept"),
    [
        ("", 2, [""]),
        ("ab", 4, ["ab"]),
        ("x" * 4096, 4098, ["x" * 4096]),
        ("x" * 4097, None, []),
        (0, 1, []),
        (-(2**53 - 1), 17, []),
        (2**53, None, []),
        (True, 4, []),
        (False, 5, []),
        (1.5, 3, []),
        (2.0, 1, []),
        (1e21, 5, []),
        (float("nan"), None, []),
        (None, None, []),
        ([], None, []),
    ],
)
def test_plain_leaf_sizes(leaf: Any, size: int | None, kept: list[str]) -> None:
    strings: list[str] = []
    assert _plain_leaf(leaf, strings) == size
    assert strings == kept


# -- raw bodies --------------------------------------------------------


def _nest(depth: int, inner: str) -> str:
    return "[" * depth + inner + "]" * depth


@pytest.mark.parametrize(
    ("inner", "expected"),
    [
        ('{"a":1,"a":2}', Finding("duplicate-key", {"key": "a"}, (0,) * 255)),
        ("1e999", Finding("invalid-json", {"reason": "non-finite"})),
    ],
)
def test_refused_body_found_from_a_deep_caller(inner: str, expected: Finding) -> None:
    """A caller deep in its stack sends the decode to a fresh thread; a body
    that is refused there too gets its finding from the text walk."""
    policy = Policy(max_json_depth=256)
    body = _nest(255, inner).encode()

    def deep(levels: int) -> Any:
        if levels:
            return deep(levels - 1)
        return parse_body(body, policy)

    assert deep(sys.getrecursionlimit() - 60) == (None, expected)
    assert parse_body(body, policy) == (None, expected)


def test_integer_past_the_interpreter_digit_limit_in_a_short_body() -> None:
    literal = "9" * 700
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        parsed, found = parse_body(f'{{"n":{literal}}}'.encode(), Policy())
    finally:
        sys.set_int_max_str_digits(old)
    assert found is None
    assert parsed == {"n": 10**700 - 1}


# -- requests ----------------------------------------------------------


def test_a_full_accepted_table_takes_new_urls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_request, "ACCEPTED_CACHE_SIZE", 1)
    for path in ("an-old-path", "a-fresh-path"):
        body = {**GOOD, "webhookUrl": f"https://hooks.example.com/{path}"}
        outcome = judge(body, policy=Policy())
        assert outcome.status == 201
        assert outcome.webhook_url == f"https://hooks.example.com/{path}"
    assert [key[0] for key in _request._ACCEPTED] == [
        "https://hooks.example.com/a-fresh-path"
    ]


def test_valid_request_with_a_resolver_keeps_the_canonical_url() -> None:
    asked: list[str] = []

    def resolver(name: str) -> list[str]:
        asked.append(name)
        return ["93.184.216.34"]

    body = {**GOOD, "webhookUrl": "https://BÜCHER.example/hook?x=1#top"}
    outcome = judge(body, policy=Policy(resolver=resolver))
    assert (outcome.status, outcome.errors) == (201, ())
    assert outcome.webhook_url == "https://xn--bcher-kva.example/hook?x=1"
    assert asked == ["xn--bcher-kva.example"]


# -- schemas -----------------------------------------------------------


def test_schema_of_a_stage_with_a_range_and_a_type_inside_it() -> None:
    stage = UploadStage(1, 2, ("image/*", "image/png", "text/csv"))
    items = schema_for(stage)["properties"]["contentTypes"]["items"]
    essence = "(?:[Ii][Mm][Aa][Gg][Ee]/"
    assert items["pattern"].startswith("^" + essence)
    assert "[Pp][Nn][Gg]" not in items["pattern"]
    assert "[Cc][Ss][Vv]" in items["pattern"]


# -- webhooks ----------------------------------------------------------


class _BrokenAnswers:
    """A resolver's answer whose iteration fails part way."""

    def __iter__(self) -> Any:
        yield "93.184.216.34"
        raise OSError("lookup interrupted")


def test_resolved_addresses_that_cannot_be_read_are_unresolvable() -> None:
    verdict = check_resolved_addresses("hooks.example.com", _BrokenAnswers())
    assert not verdict.ok
    assert verdict.addresses == ()
    assert verdict.error is not None
    assert (verdict.error.code, dict(verdict.error.params)) == (
        "host-not-public",
        {"reason": "unresolvable", "host": "hooks.example.com", "resolved": True},
    )


@pytest.mark.parametrize("policy", ["hardened", {"allow_ip_literals": False}, 1])
def test_webhook_check_with_a_policy_that_is_not_one(policy: Any) -> None:
    with pytest.raises(ConfigurationError, match="policy must be a Policy or None"):
        check_webhook_url("https://hooks.example.com/", policy=policy)
    with pytest.raises(ConfigurationError, match="policy must be a Policy or None"):
        check_resolved_addresses("hooks.example.com", [], policy=policy)
