"""Authorization, X-Request-Id and the slug, with exact outcomes."""

from __future__ import annotations

from typing import Any

import pytest

from session_rules import UploadStage, validate_create_session

STAGE = UploadStage(1, 1, ("*/*",))
BODY = {"fileCount": 1, "contentTypes": ["a/b"], "clientSubmissionId": "s"}
KEY = "Bearer aok_live_7Hq2xP9"


def outcome_for(headers: Any, slug: object = "wf") -> tuple[int, list[str]]:
    outcome = validate_create_session(BODY, stage=STAGE, slug=slug, headers=headers)
    return outcome.status, [e.code for e in outcome.errors]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "missing-credentials"),
        ("", "missing-credentials"),
        ("  \t", "missing-credentials"),
        ("\u3000", "missing-credentials"),
        ("Bearer", "invalid-credentials"),
        ("Bearer ", "invalid-credentials"),
        ("Bearer  aok_x", "invalid-credentials"),
        ("Bearer\taok_x", "invalid-credentials"),
        ("Basic aok_x", "invalid-credentials"),
        ("Bearer sk_live_x", "invalid-credentials"),
        ("Bearer aok_", "invalid-credentials"),
        ("Bearer aok_x=y", "invalid-credentials"),
        ("Bearer aok_x\n", "invalid-credentials"),
        (" Bearer aok_x", "invalid-credentials"),
        ("Bearer aok_x ", "invalid-credentials"),
        ("Bearer aok_é", "invalid-credentials"),
        ("Bearer AOK_x", "invalid-credentials"),
        (b"Bearer aok_\xff", "invalid-credentials"),
        (7, "invalid-credentials"),
    ],
)
def test_authorization_refused(value: Any, code: str) -> None:
    headers = {} if value is None else {"Authorization": value}
    assert outcome_for(headers) == (401, [code])


@pytest.mark.parametrize(
    "value",
    [KEY, "bearer aok_x", "BEARER aok_A-._~+/9==", "bEaReR aok_x=", b"Bearer aok_x"],
)
def test_authorization_accepted(value: Any) -> None:
    assert outcome_for({"authorization": value}) == (201, [])


def test_authorization_twice_is_invalid() -> None:
    headers = [("Authorization", KEY), ("authorization", KEY)]
    assert outcome_for(headers) == (401, ["invalid-credentials"])


def test_authorization_error_echoes_nothing() -> None:
    secret = "Bearer aok_SECRET secret"
    outcome = validate_create_session(
        BODY, stage=STAGE, slug="wf", headers={"Authorization": secret}
    )
    text = repr(outcome.problem())
    assert "SECRET" not in text
    assert "secret" not in text


@pytest.mark.parametrize(
    ("slug", "status"),
    [
        ("wf", 201),
        ("a", 201),
        ("invoice-intake-2", 201),
        ("a" * 128, 201),
        ("a" * 129, 404),
        ("", 404),
        ("-a", 404),
        ("a-", 404),
        ("a--b", 404),
        ("A", 404),
        ("a_b", 404),
        ("a\n", 404),
        ("é", 404),
        ("١", 404),
        (None, 404),
        (5, 404),
    ],
)
def test_slug(slug: object, status: int) -> None:
    assert outcome_for({"Authorization": KEY}, slug)[0] == status


@pytest.mark.parametrize(
    ("value", "codes"),
    [
        ("req-7f3a", []),
        ("!" * 128, []),
        ("~" * 129, ["too-long"]),
        ("", ["invalid-header-value"]),
        (" x", ["invalid-header-value"]),
        ("x\n", ["invalid-header-value"]),
        ("é", ["invalid-header-value"]),
        (b"\xe9", ["invalid-header-value"]),
        ("\u0661", ["invalid-header-value"]),
        ("é" * 200, ["invalid-header-value"]),
        (12, ["invalid-header-value"]),
    ],
)
def test_request_id(value: Any, codes: list[str]) -> None:
    status, got = outcome_for({"Authorization": KEY, "X-Request-Id": value})
    assert got == codes
    assert status == (422 if codes else 201)


def test_request_id_record() -> None:
    outcome = validate_create_session(
        BODY,
        stage=STAGE,
        slug="wf",
        headers={"Authorization": KEY, "x-request-id": "a" * 129},
    )
    assert [e.to_dict() for e in outcome.errors] == [
        {
            "field": "X-Request-Id",
            "pointer": None,
            "in": "header",
            "code": "too-long",
            "message": "X-Request-Id must be at most 128 characters; got 129",
            "params": {"max": 128, "actual": 129},
        }
    ]


def test_request_id_twice() -> None:
    headers = [
        (b"authorization", KEY.encode()),
        (b"X-Request-Id", b"a"),
        (b"x-request-id", b"b"),
    ]
    assert outcome_for(headers) == (422, ["invalid-header-value"])


def test_header_containers() -> None:
    assert outcome_for(None) == (401, ["missing-credentials"])
    assert outcome_for(iter([("Authorization", KEY)])) == (201, [])
    assert outcome_for([["Authorization", KEY]]) == (201, [])


@pytest.mark.parametrize(
    "headers",
    ["Authorization: x", b"x", 5, [("Authorization",)], ["ab"], [(5, KEY)]],
)
def test_unusable_header_containers_raise(headers: Any) -> None:
    from session_rules import ConfigurationError

    with pytest.raises(ConfigurationError):
        outcome_for(headers)
