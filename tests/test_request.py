"""Whole requests: the shared corpus, precedence, order, gating and the cap."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from conftest import read_jsonl

from session_rules import (
    ConfigurationError,
    Outcome,
    Policy,
    UploadStage,
    validate_create_session,
    validate_create_session_bytes,
)

AUTH = {"Authorization": "Bearer aok_live_7Hq2xP9"}
STAGE = UploadStage(1, 10, ("application/pdf", "image/png", "image/jpeg", "text/csv"))


def check(body: Any, *, headers: Any = None, **kwargs: Any) -> Outcome:
    return validate_create_session(
        body,
        stage=kwargs.pop("stage", STAGE),
        slug=kwargs.pop("slug", "invoice-intake"),
        headers=AUTH if headers is None else headers,
        **kwargs,
    )


def summary(outcome: Outcome) -> dict[str, Any]:
    return {
        "status": outcome.status,
        "errors": [{"field": e.field, "code": e.code} for e in outcome.errors],
    }


def corpus(name: str) -> list[Any]:
    return [pytest.param(c, id=c["name"]) for c in read_jsonl(name)]


@pytest.mark.parametrize("case", corpus("requests.jsonl") + corpus("media-types.jsonl"))
def test_shared_corpus(case: dict[str, Any]) -> None:
    body = json.loads(case["body_json"]) if "body_json" in case else case["body"]
    outcome = validate_create_session(
        body,
        stage=UploadStage.from_json(case["stage"]),
        slug=case["slug"],
        headers=case["headers"],
    )
    assert summary(outcome) == case["expect"]


@pytest.mark.parametrize("case", corpus("raw-bodies.jsonl"))
def test_shared_raw_corpus(case: dict[str, Any]) -> None:
    outcome = validate_create_session_bytes(
        base64.b64decode(case["body_b64"]),
        stage=UploadStage.from_json(case["stage"]),
        slug=case["slug"],
        headers=case["headers"],
    )
    assert summary(outcome) == case["expect"]


@pytest.mark.parametrize("case", corpus("requests.jsonl") + corpus("media-types.jsonl"))
def test_bytes_and_parsed_agree_on_the_corpus(case: dict[str, Any]) -> None:
    body = json.loads(case["body_json"]) if "body_json" in case else case["body"]
    kwargs = {
        "stage": UploadStage.from_json(case["stage"]),
        "slug": case["slug"],
        "headers": case["headers"],
    }
    raw = json.dumps(body).encode()
    assert validate_create_session_bytes(raw, **kwargs) == validate_create_session(
        body, **kwargs
    )


def good(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "fileCount": 2,
        "contentTypes": ["application/pdf", "image/png"],
        "clientSubmissionId": "sub-1",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not DROP}


DROP = object()


# (body changes, expected field, code, pointer, message, params)
TABLE: list[tuple[dict[str, Any], str, str, str, str, dict[str, Any]]] = [
    ({"fileCount": DROP}, "fileCount", "required", "/fileCount",
     "fileCount is required", {}),
    ({"fileCount": "2"}, "fileCount", "wrong-type", "/fileCount",
     "fileCount must be an integer; got string",
     {"expected": "integer", "actual": "string"}),
    ({"fileCount": True}, "fileCount", "wrong-type", "/fileCount",
     "fileCount must be an integer; got boolean",
     {"expected": "integer", "actual": "boolean"}),
    ({"fileCount": 1.5}, "fileCount", "wrong-type", "/fileCount",
     "fileCount must be an integer; got number",
     {"expected": "integer", "actual": "number"}),
    ({"fileCount": float("nan")}, "fileCount", "wrong-type", "/fileCount",
     "fileCount must be an integer; got NaN",
     {"expected": "integer", "actual": "NaN"}),
    ({"fileCount": None}, "fileCount", "wrong-type", "/fileCount",
     "fileCount must be an integer; got null",
     {"expected": "integer", "actual": "null"}),
    ({"fileCount": 12, "contentTypes": ["image/png"] * 12}, "fileCount",
     "out-of-window", "/fileCount", "fileCount must be between 1 and 10; got 12",
     {"min": 1, "max": 10, "actual": 12}),
    ({"fileCount": 10**5000, "contentTypes": []}, "fileCount", "out-of-window",
     "/fileCount", "fileCount must be between 1 and 10; got a number too long"
     " to show", {"min": 1, "max": 10}),
    ({"contentTypes": DROP}, "contentTypes", "required", "/contentTypes",
     "contentTypes is required", {}),
    ({"contentTypes": "image/png"}, "contentTypes", "wrong-type", "/contentTypes",
     "contentTypes must be an array; got string",
     {"expected": "array", "actual": "string"}),
    ({"contentTypes": ("image/png", "image/png")}, "contentTypes", "wrong-type",
     "/contentTypes", "contentTypes must be an array; got tuple",
     {"expected": "array", "actual": "tuple"}),
    ({"contentTypes": ["image/png"]}, "contentTypes", "length-mismatch",
     "/contentTypes", "contentTypes must have 2 entries, one per file; got 1",
     {"expected": 2, "actual": 1}),
    ({"contentTypes": ["image/png", 7]}, "contentTypes[1]", "wrong-type",
     "/contentTypes/1", "contentTypes[1] must be a string; got integer",
     {"expected": "string", "actual": "integer"}),
    ({"contentTypes": ["image/png", "image"]}, "contentTypes[1]",
     "invalid-media-type", "/contentTypes/1",
     "contentTypes[1] is not a media type of the form type/subtype",
     {"reason": "syntax"}),
    ({"contentTypes": ["image/*", "image/png"]}, "contentTypes[0]",
     "invalid-media-type", "/contentTypes/0",
     "contentTypes[0] must name a concrete media type, not a range with *",
     {"reason": "wildcard"}),
    ({"contentTypes": ["image/png", "image/" + "x" * 250]}, "contentTypes[1]",
     "invalid-media-type", "/contentTypes/1",
     "contentTypes[1] is longer than 255 characters",
     {"reason": "too-long", "max": 255}),
    ({"contentTypes": ["image/png", "image/gif"]}, "contentTypes[1]",
     "format-not-accepted", "/contentTypes/1",
     "contentTypes[1] is not an accepted format; accepted: application/pdf,"
     " image/png, image/jpeg, text/csv",
     {"accepted": ["application/pdf", "image/png", "image/jpeg", "text/csv"]}),
    ({"clientSubmissionId": DROP}, "clientSubmissionId", "required",
     "/clientSubmissionId", "clientSubmissionId is required", {}),
    ({"clientSubmissionId": None}, "clientSubmissionId", "wrong-type",
     "/clientSubmissionId", "clientSubmissionId must be a string; got null",
     {"expected": "string", "actual": "null"}),
    ({"clientSubmissionId": "a\ud800"}, "clientSubmissionId", "invalid-string",
     "/clientSubmissionId", "clientSubmissionId holds a lone UTF-16 surrogate",
     {"reason": "lone-surrogate"}),
    ({"clientSubmissionId": "a\x7f"}, "clientSubmissionId", "invalid-string",
     "/clientSubmissionId", "clientSubmissionId holds a control character",
     {"reason": "control-character"}),
    ({"clientSubmissionId": " \u3000\u2028"}, "clientSubmissionId", "empty",
     "/clientSubmissionId",
     "clientSubmissionId must not be empty or only white space", {}),
    ({"clientSubmissionId": "x" * 256}, "clientSubmissionId", "too-long",
     "/clientSubmissionId",
     "clientSubmissionId must be at most 255 characters; got 256",
     {"max": 255, "actual": 256}),
    ({"webhookUrl": 5}, "webhookUrl", "wrong-type", "/webhookUrl",
     "webhookUrl must be a string; got integer",
     {"expected": "string", "actual": "integer"}),
    ({"webhookUrl": None}, "webhookUrl", "wrong-type", "/webhookUrl",
     "webhookUrl must be a string; got null",
     {"expected": "string", "actual": "null"}),
    ({"webhookUrl": "http://example.com/"}, "webhookUrl", "not-https",
     "/webhookUrl", "webhookUrl must use https", {}),
    ({"metadata": []}, "metadata", "wrong-type", "/metadata",
     "metadata must be an object; got array",
     {"expected": "object", "actual": "array"}),
    ({"externalUser": "ana"}, "externalUser", "wrong-type", "/externalUser",
     "externalUser must be an object; got string",
     {"expected": "object", "actual": "string"}),
    ({"externalUser": {"name": ""}}, "externalUser.name", "empty",
     "/externalUser/name", "externalUser.name must not be empty or only white"
     " space", {}),
    ({"externalUser": {"email": "a\nb"}}, "externalUser.email", "invalid-string",
     "/externalUser/email", "externalUser.email holds a control character",
     {"reason": "control-character"}),
    ({"externalUser": {"id": "i" * 256}}, "externalUser.id", "too-long",
     "/externalUser/id", "externalUser.id must be at most 255 characters; got 256",
     {"max": 255, "actual": 256}),
    ({"externalUser": {"phone": "1"}}, "externalUser.phone", "unknown-field",
     "/externalUser/phone", "externalUser.phone is not a known member", {}),
    ({"filecount": 2}, "filecount", "unknown-field", "/filecount",
     "filecount is not a known member", {}),
    ({"a b": 1}, '["a b"]', "unknown-field", "/a b",
     '["a b"] is not a known member', {}),
    ({"a/~b": 1}, '["a/~b"]', "unknown-field", "/a~1~0b",
     '["a/~b"] is not a known member', {}),
    ({"\ud800": 1}, '["\\ud800"]', "unknown-field", "/\\ud800",
     '["\\ud800"] is not a known member', {}),
    ({"né": 1}, '["né"]', "unknown-field", "/né", '["né"] is not a known member',
     {}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field", "code", "pointer", "message", "params"), TABLE
)
def test_each_rule(
    changes: dict[str, Any],
    field: str,
    code: str,
    pointer: str,
    message: str,
    params: dict[str, Any],
) -> None:
    outcome = check(good(**changes))
    assert outcome.status == 422
    assert [e.to_dict() for e in outcome.errors] == [
        {
            "field": field,
            "pointer": pointer,
            "in": "body",
            "code": code,
            "message": message,
            "params": params,
        }
    ]


def test_valid_request_is_201_with_canonical_webhook() -> None:
    outcome = check(good(webhookUrl="HTTPS://Hooks.Example.COM:443/a?b#frag"))
    assert (outcome.status, outcome.ok, outcome.errors) == (201, True, ())
    assert outcome.webhook_url == "https://hooks.example.com/a?b"
    assert outcome.problem() is None


def test_no_webhook_means_no_canonical_url() -> None:
    assert check(good()).webhook_url is None


def test_rejected_request_keeps_no_canonical_url() -> None:
    outcome = check(good(webhookUrl="https://example.com/", fileCount=0))
    assert outcome.webhook_url is None


def test_body_not_an_object() -> None:
    [error] = check([1, 2]).errors
    assert error.to_dict() == {
        "field": "",
        "pointer": "",
        "in": "body",
        "code": "wrong-type",
        "message": "the body must be an object; got array",
        "params": {"expected": "object", "actual": "array"},
    }


def test_length_not_checked_while_count_is_wrong() -> None:
    outcome = check(good(fileCount="2", contentTypes=["image/png"]))
    assert [e.code for e in outcome.errors] == ["wrong-type"]


def test_entries_past_max_files_are_not_examined() -> None:
    body = good(fileCount=2, contentTypes=["image/png", "image/png"] + [7] * 100_000)
    outcome = check(body)
    assert [(e.field, e.code) for e in outcome.errors] == [
        ("contentTypes", "length-mismatch"),
        ("contentTypes[2]", "wrong-type"),
        ("contentTypes[3]", "wrong-type"),
        ("contentTypes[4]", "wrong-type"),
        ("contentTypes[5]", "wrong-type"),
        ("contentTypes[6]", "wrong-type"),
        ("contentTypes[7]", "wrong-type"),
        ("contentTypes[8]", "wrong-type"),
        ("contentTypes[9]", "wrong-type"),
    ]


def test_contract_order_of_every_field() -> None:
    body = {
        "zeta": 1,
        "externalUser": {"x": 1, "id": 5, "name": 5},
        "metadata": 3,
        "webhookUrl": "ftp://x",
        "clientSubmissionId": "",
        "contentTypes": ["image/gif", 5],
        "fileCount": 2,
        "alpha": 2,
    }
    outcome = check(body, headers={**AUTH, "X-Request-Id": ""})
    assert [(e.field, e.code) for e in outcome.errors] == [
        ("contentTypes[0]", "format-not-accepted"),
        ("contentTypes[1]", "wrong-type"),
        ("clientSubmissionId", "empty"),
        ("webhookUrl", "not-https"),
        ("metadata", "wrong-type"),
        ("externalUser.name", "wrong-type"),
        ("externalUser.id", "wrong-type"),
        ("externalUser.x", "unknown-field"),
        ("zeta", "unknown-field"),
        ("alpha", "unknown-field"),
        ("X-Request-Id", "invalid-header-value"),
    ]


def test_401_hides_everything() -> None:
    outcome = check("not even an object", headers={}, slug="BAD SLUG")
    assert summary(outcome) == {
        "status": 401,
        "errors": [{"field": "Authorization", "code": "missing-credentials"}],
    }
    [error] = outcome.errors
    assert (error.pointer, error.location) == (None, "header")


def test_404_before_the_body() -> None:
    outcome = check([], slug="Invoice")
    assert summary(outcome) == {
        "status": 404,
        "errors": [{"field": "slug", "code": "invalid-slug"}],
    }
    assert outcome.errors[0].location == "path"


def test_null_as_absent_policy() -> None:
    policy = Policy(null_as_absent=True)
    body = good(webhookUrl=None, metadata=None, externalUser={"name": None})
    assert check(body, policy=policy).status == 201
    # Required members stay required.
    outcome = check(good(fileCount=None), policy=policy)
    assert [e.code for e in outcome.errors] == ["wrong-type"]


def test_ignore_unknown_members_policy() -> None:
    body = good(extra=1, externalUser={"name": "A", "nick": "a"})
    assert check(body, policy=Policy(ignore_unknown_members=True)).status == 201


def test_client_submission_id_maximum_policy() -> None:
    outcome = check(
        good(clientSubmissionId="abcd"), policy=Policy(max_client_submission_id=3)
    )
    assert [e.params for e in outcome.errors] == [{"max": 3, "actual": 4}]


def test_media_type_parameters_policy() -> None:
    body = good(contentTypes=["application/pdf; q=1", "image/png"])
    assert check(body).status == 201
    outcome = check(body, policy=Policy(refuse_media_type_parameters=True))
    assert [e.params for e in outcome.errors] == [{"reason": "parameters"}]


def test_error_cap() -> None:
    body = good(**{f"k{i}": i for i in range(150)})
    outcome = check(body, headers={**AUTH, "X-Request-Id": "\n"})
    assert len(outcome.errors) == 101
    last = outcome.errors[-1]
    assert (last.field, last.code, dict(last.params)) == (
        "",
        "too-many-errors",
        {"omitted": 51},
    )
    assert last.message == "51 more problems were not listed"


def test_error_cap_policy_with_header_error() -> None:
    outcome = check(
        good(fileCount=0, extra=1),
        headers={**AUTH, "X-Request-Id": "\n"},
        policy=Policy(max_errors=1),
    )
    assert [(e.code, dict(e.params)) for e in outcome.errors][1:] == [
        ("too-many-errors", {"omitted": 2})
    ]


def test_long_keys_are_clipped_everywhere() -> None:
    key = "k" * 10_000_000
    [error] = check(good(**{key: 1})).errors
    assert error.field == '["' + "k" * 63 + '…"]'
    assert error.pointer == "/" + "k" * 63 + "…"
    assert error.params == {"truncated": True}
    assert len(error.message) < 120


def test_bad_configuration_raises() -> None:
    with pytest.raises(ConfigurationError):
        validate_create_session(
            {},
            stage={"minFiles": 1},
            slug="a",
            headers=AUTH,  # type: ignore[arg-type]
        )
    with pytest.raises(ConfigurationError):
        check({}, policy="strict")
    with pytest.raises(ConfigurationError):
        check({}, headers=42)


def test_problem_document() -> None:
    outcome = check(good(fileCount=0, contentTypes=[]))
    problem = outcome.problem()
    assert problem == {
        "type": "/problems/validation-error",
        "title": "The request did not validate",
        "status": 422,
        "detail": "fileCount must be between 1 and 10; got 0",
        "errors": [e.to_dict() for e in outcome.errors],
    }
    assert json.loads(json.dumps(problem)) == problem
    assert outcome.problem(base="https://errors.example/")["type"] == (  # type: ignore[index]
        "https://errors.example/validation-error"
    )
    custom = check(good(fileCount=0), policy=Policy(problem_base="urn:p:"))
    assert custom.problem()["type"] == "urn:p:validation-error"  # type: ignore[index]


def test_problem_types_by_status() -> None:
    types = {
        check(good(), headers={}).problem()["type"],  # type: ignore[index]
        check(good(), slug="-x").problem()["type"],  # type: ignore[index]
    }
    assert types == {"/problems/unauthorized", "/problems/workflow-not-found"}


def test_records_are_immutable() -> None:
    [error] = check(good(fileCount=0)).errors
    with pytest.raises(AttributeError):
        error.code = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        error.params["min"] = 5  # type: ignore[index]
    assert hash(error) == hash(check(good(fileCount=0)).errors[0])


def test_one_omitted_error_reads_singular() -> None:
    outcome = check(good(a=1, b=2), policy=Policy(max_errors=1))
    assert outcome.errors[-1].message == "1 more problem was not listed"


@pytest.mark.parametrize(
    ("headers", "content_type", "status"),
    [
        ({**AUTH, "Content-Type": "application/json"}, None, 201),
        ({**AUTH, "Content-Type": "text/plain"}, None, 415),
        ({**AUTH, "content-type": "application/json; charset=latin-1"}, None, 415),
        ([*AUTH.items(), ("Content-Type", b"application/json")], None, 201),
        (AUTH, "application/json; charset=UTF-8", 201),
        (AUTH, "application/xml", 415),
        ({**AUTH, "Content-Type": "text/plain"}, "application/json", 201),
        (AUTH, None, 201),
        ({"Content-Type": "text/plain"}, None, 401),
    ],
)
def test_content_type_on_the_bytes_path(
    headers: Any, content_type: str | None, status: int
) -> None:
    raw = json.dumps(good()).encode()
    outcome = validate_create_session_bytes(
        raw, stage=STAGE, slug="wf", headers=headers, content_type=content_type
    )
    assert outcome.status == status


def test_415_comes_after_the_slug_and_before_parsing() -> None:
    headers = {**AUTH, "Content-Type": "text/plain"}
    kwargs: dict[str, Any] = {"stage": STAGE, "headers": headers}
    assert validate_create_session_bytes(b"{", slug="X", **kwargs).status == 404
    outcome = validate_create_session_bytes(b"{", slug="wf", **kwargs)
    assert [e.to_dict() for e in outcome.errors] == [
        {
            "field": "Content-Type",
            "pointer": None,
            "in": "header",
            "code": "unsupported-media-type",
            "message": "the request body must be sent as application/json",
            "params": {},
        }
    ]
    assert outcome.problem()["type"] == "/problems/unsupported-media-type"  # type: ignore[index]


@pytest.mark.parametrize(
    ("value", "actual"),
    [
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
        ({"a": 1}, "object"),
        ((1,), "tuple"),
        (b"2", "bytes"),
    ],
)
def test_actual_type_names(value: object, actual: str) -> None:
    [error] = check(good(fileCount=value)).errors
    assert error.params["actual"] == actual


def test_content_type_header_that_is_not_text_is_refused() -> None:
    headers = {**AUTH, "Content-Type": 5}
    outcome = validate_create_session_bytes(
        b"{}", stage=STAGE, slug="wf", headers=headers
    )
    assert outcome.status == 415


def test_raw_must_be_bytes() -> None:
    with pytest.raises(ConfigurationError, match="bytes"):
        validate_create_session_bytes(
            "{}",  # type: ignore[arg-type]
            stage=STAGE,
            slug="wf",
            headers=AUTH,
        )
    raw = bytearray(json.dumps(good()).encode())
    assert validate_create_session_bytes(raw, stage=STAGE, slug="wf", headers=AUTH).ok


def test_cut_metadata_walk_marks_the_count_as_a_lower_bound() -> None:
    metadata = {f"k{i}": None for i in range(10_000)}
    outcome = check(good(metadata=metadata))
    assert len(outcome.errors) == 101
    assert all(e.code == "metadata-invalid-value" for e in outcome.errors[:100])
    last = outcome.errors[-1]
    assert dict(last.params) == {"omitted": 1, "at_least": True}
    assert last.message == "at least 1 more problem was not listed"


def test_exact_count_when_nothing_was_cut() -> None:
    metadata = {f"k{i}": None for i in range(60)}
    outcome = check(good(metadata=metadata, **{f"x{i}": 1 for i in range(60)}))
    assert dict(outcome.errors[-1].params) == {"omitted": 20}
