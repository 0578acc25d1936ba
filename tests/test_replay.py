"""Replay decisions and request fingerprints."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from session_rules._errors import ConfigurationError, Outcome
from session_rules._policy import Policy
from session_rules._raw import parse_body
from session_rules._replay import (
    PriorSession,
    ReplayDecision,
    decide_replay,
    request_fingerprint,
    session_location,
)

REFUSING = Policy(refuse_finished_replays=True)
FINISHED = ("completed", "failed", "expired")


# -- decisions -----------------------------------------------------------


def test_nothing_found_creates() -> None:
    decision = decide_replay(None)
    assert decision == ReplayDecision(201)
    assert decision.create
    assert decision.location is None
    assert decision.problem() is None


def test_new_session_id_fills_location() -> None:
    decision = decide_replay(None, new_session_id="ses_42")
    assert (decision.status, decision.session_id) == (201, "ses_42")
    assert decision.location == "/api/v1/jobs/ses_42"


def test_pending_session_is_returned() -> None:
    decision = decide_replay(PriorSession("ses_1", "pending"), new_session_id="x")
    assert (decision.status, decision.create) == (200, False)
    assert decision.session_id == "ses_1"
    assert decision.location == "/api/v1/jobs/ses_1"
    assert decision.error is None
    assert decision.outcome() == Outcome(200)


@pytest.mark.parametrize("state", FINISHED)
def test_finished_session_does_not_block(state: Any) -> None:
    decision = decide_replay(PriorSession("old", state), new_session_id="new")
    assert (decision.status, decision.session_id) == (201, "new")
    assert decision.location == "/api/v1/jobs/new"


@pytest.mark.parametrize("state", FINISHED)
def test_finished_session_refused_by_policy(state: Any) -> None:
    decision = decide_replay(PriorSession("old", state), policy=REFUSING)
    assert (decision.status, decision.create, decision.location) == (409, False, None)
    assert decision.session_id == "old"
    assert decision.error is not None
    assert decision.error.to_dict() == {
        "field": "clientSubmissionId",
        "pointer": "/clientSubmissionId",
        "in": "body",
        "code": "idempotency-conflict",
        "message": f"clientSubmissionId was already used by a session that is {state}",
        "params": {"reason": "finished", "state": state},
    }


def test_refusing_policy_still_returns_pending() -> None:
    decision = decide_replay(PriorSession("p", "pending"), policy=REFUSING)
    assert decision.status == 200


def test_refusing_policy_still_creates_when_nothing_found() -> None:
    assert decide_replay(None, policy=REFUSING).status == 201


@pytest.mark.parametrize(
    ("stored", "given_", "status"),
    [
        ("v1:sha256:aa", "v1:sha256:aa", 200),
        ("v1:sha256:aa", "v1:sha256:bb", 409),
        (None, "v1:sha256:bb", 200),  # nothing stored: nothing to compare
        ("v1:sha256:aa", None, 200),  # the server chose not to compare
        (None, None, 200),
    ],
)
def test_fingerprints_compared(
    stored: str | None, given_: str | None, status: int
) -> None:
    prior = PriorSession("p", "pending", fingerprint=stored)
    decision = decide_replay(prior, fingerprint=given_)
    assert decision.status == status
    if status == 409:
        assert decision.error is not None
        assert decision.error.params["reason"] == "different-content"
        assert decision.location is None


def test_fingerprint_ignored_for_finished_sessions() -> None:
    prior = PriorSession("p", "completed", fingerprint="v1:sha256:aa")
    assert decide_replay(prior, fingerprint="v1:sha256:bb").status == 201


def test_problem_document() -> None:
    policy = Policy(refuse_finished_replays=True, problem_base="https://e.test/p/")
    decision = decide_replay(PriorSession("s", "expired"), policy=policy)
    problem = decision.problem()
    assert problem is not None
    assert problem["type"] == "https://e.test/p/idempotency-conflict"
    assert problem["status"] == 409
    assert [e["code"] for e in problem["errors"]] == ["idempotency-conflict"]
    assert problem["errors"][0]["field"] == "clientSubmissionId"
    json.dumps(problem)


def test_default_problem_base() -> None:
    prior = PriorSession("s", "pending", fingerprint="v1:sha256:aa")
    problem = decide_replay(prior, fingerprint="v1:sha256:bb").problem()
    assert problem is not None
    assert problem["type"] == "/problems/idempotency-conflict"


@pytest.mark.parametrize(
    ("session_id", "location"),
    [
        ("abc-123_X.y~z", "/api/v1/jobs/abc-123_X.y~z"),
        ("a b", "/api/v1/jobs/a%20b"),
        ("a/../b", "/api/v1/jobs/a%2F..%2Fb"),
        ("a?b#c", "/api/v1/jobs/a%3Fb%23c"),
        ("100%", "/api/v1/jobs/100%25"),
        ("é", "/api/v1/jobs/%C3%A9"),
        ("...", "/api/v1/jobs/..."),
        ("a\r\nSet-Cookie: x", "/api/v1/jobs/a%0D%0ASet-Cookie%3A%20x"),
    ],
)
def test_location_is_one_encoded_segment(session_id: str, location: str) -> None:
    assert session_location(session_id) == location
    assert decide_replay(PriorSession(session_id, "pending")).location == location


@pytest.mark.parametrize("session_id", ["", ".", "..", "\ud800", 42, None, b"x"])
def test_bad_session_ids(session_id: Any) -> None:
    with pytest.raises(ConfigurationError):
        PriorSession(session_id, "pending")
    with pytest.raises(ConfigurationError):
        decide_replay(None, new_session_id=session_id if session_id else "")


def test_bad_arguments() -> None:
    with pytest.raises(ConfigurationError):
        PriorSession("s", "running")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        PriorSession("s", "pending", fingerprint=b"x")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        decide_replay(("s", "pending"))  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        decide_replay(None, fingerprint=1)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        decide_replay(None, policy={})  # type: ignore[arg-type]


def test_records_are_frozen() -> None:
    prior = PriorSession("s", "pending")
    with pytest.raises(AttributeError):
        prior.state = "failed"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        decide_replay(prior).status = 201  # type: ignore[misc]


# -- fingerprints --------------------------------------------------------

BODY: dict[str, Any] = {
    "fileCount": 2,
    "contentTypes": ["image/png", "text/csv; charset=utf-8"],
    "clientSubmissionId": "sub-1",
    "webhookUrl": "https://hooks.example.com/a?b=c",
    "metadata": {"order": 7, "tags": ["x", "y"], "ok": True},
    "externalUser": {"name": "Ada", "email": "ada@example.com", "id": "u1"},
}
FINGERPRINT = re.compile(r"v1:sha256:[0-9a-f]{64}")


def fp(body: Any, policy: Policy | None = None) -> str:
    return request_fingerprint(body, policy=policy)


def parsed(text: str) -> Any:
    value, found = parse_body(text.encode(), Policy())
    assert found is None
    return value


def with_(**changes: Any) -> dict[str, Any]:
    return {**BODY, **changes}


def test_fingerprint_shape_and_known_value() -> None:
    body = {"fileCount": 1, "contentTypes": ["Image/PNG"], "clientSubmissionId": "s"}
    canonical = '{"clientSubmissionId":"s","contentTypes":["image/png"],"fileCount":1}'
    expected = "v1:sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    assert fp(body) == expected
    assert FINGERPRINT.fullmatch(fp(BODY))


def test_known_value_with_every_member() -> None:
    canonical = (
        '{"clientSubmissionId":"sub-1",'
        '"contentTypes":["image/png","text/csv;charset=utf-8"],'
        '"externalUser":{"email":"ada@example.com","id":"u1","name":"Ada"},'
        '"fileCount":2,'
        '"metadata":{"ok":true,"order":7,"tags":["x","y"]},'
        '"webhookUrl":"https://hooks.example.com/a?b=c"}'
    )
    assert fp(BODY) == "v1:sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


@pytest.mark.parametrize(
    "other",
    [
        # key order, everywhere
        dict(reversed(list(BODY.items()))),
        with_(metadata={"ok": True, "tags": ["x", "y"], "order": 7}),
        with_(externalUser={"id": "u1", "name": "Ada", "email": "ada@example.com"}),
        # number spelling
        with_(fileCount=2.0),
        with_(metadata={"order": 7.0, "tags": ["x", "y"], "ok": True}),
        # media types: case, spaces, parameter case, order and quoting
        with_(contentTypes=["IMAGE/Png", "Text/CSV;Charset=utf-8"]),
        with_(contentTypes=["image/png", 'text/csv ; charset="utf-8"']),
        with_(contentTypes=["image/png;", "text/csv; charset=utf-8;"]),
        # webhook spelling
        with_(webhookUrl="HTTPS://Hooks.Example.COM:443/a?b=c"),
        with_(webhookUrl="https://hooks.example.com./a?b=c#frag"),
        with_(webhookUrl="https://ｈｏｏｋｓ.example.com/a?b=c"),
        # members that do not count
        with_(unknown=1),
        with_(externalUser={**BODY["externalUser"], "role": "admin"}),
    ],
)
def test_fingerprint_equal_for_the_same_request(other: dict[str, Any]) -> None:
    assert fp(other) == fp(BODY)


def test_parameter_order_does_not_matter() -> None:
    a = with_(contentTypes=["image/png", "text/csv; b=2; A=1"])
    b = with_(contentTypes=["image/png", "text/csv;a=1;B=2"])
    assert fp(a) == fp(b)


def test_json_spelling_does_not_matter() -> None:
    compact = (
        '{"fileCount":2,"contentTypes":["image/png","text/csv"],'
        '"clientSubmissionId":"s","metadata":{"n":1.5,"m":100}}'
    )
    spaced = (
        '{ "metadata" : { "m" : 1e2 , "n" : 15E-1 } ,\n\t"fileCount" : 2e0 ,'
        ' "clientSubmissionId" : "\\u0073" ,'
        ' "contentTypes" : [ "image\\/png" , "text/csv" ] }'
    )
    assert fp(parsed(compact)) == fp(parsed(spaced))


def test_null_as_absent() -> None:
    policy = Policy(null_as_absent=True)
    base = {k: v for k, v in BODY.items() if k not in ("webhookUrl", "metadata")}
    nulls = {**base, "webhookUrl": None, "metadata": None}
    assert fp(nulls, policy) == fp(base, policy) == fp(base)
    user = {**BODY, "externalUser": {"name": "Ada", "email": None, "id": None}}
    assert fp(user, policy) == fp({**BODY, "externalUser": {"name": "Ada"}})
    no_user = {**base, "externalUser": None}
    assert fp(no_user, policy) == fp(
        {k: v for k, v in base.items() if k != "externalUser"}
    )


@pytest.mark.parametrize(
    "other",
    [
        with_(fileCount=3, contentTypes=[*BODY["contentTypes"], "image/png"]),
        with_(contentTypes=["text/csv; charset=utf-8", "image/png"]),
        with_(contentTypes=["image/png", "text/csv"]),
        with_(contentTypes=["image/png", "text/csv; charset=UTF-8"]),
        with_(contentTypes=["image/jpeg", "text/csv; charset=utf-8"]),
        with_(clientSubmissionId="sub-2"),
        with_(clientSubmissionId="SUB-1"),
        with_(clientSubmissionId="sub-1 "),
        with_(webhookUrl="https://hooks.example.com/a?b=d"),
        with_(webhookUrl="https://hooks.example.com/A?b=c"),
        with_(webhookUrl="https://hooks.example.com:8443/a?b=c"),
        {k: v for k, v in BODY.items() if k != "webhookUrl"},
        {k: v for k, v in BODY.items() if k != "metadata"},
        {k: v for k, v in BODY.items() if k != "externalUser"},
        with_(metadata={}),
        with_(metadata={"order": "7", "tags": ["x", "y"], "ok": True}),
        with_(metadata={"order": 7, "tags": ["y", "x"], "ok": True}),
        with_(metadata={"order": 7, "tags": ["x", "y"], "ok": 1}),
        with_(metadata={"order": 7.5, "tags": ["x", "y"], "ok": True}),
        with_(metadata={"Order": 7, "tags": ["x", "y"], "ok": True}),
        with_(externalUser={}),
        with_(externalUser={"name": "Ada", "email": "ada@example.com"}),
        with_(externalUser={"name": "ada", "email": "ada@example.com", "id": "u1"}),
        with_(externalUser={"email": "Ada", "name": "ada@example.com", "id": "u1"}),
    ],
)
def test_fingerprint_differs_for_another_request(other: dict[str, Any]) -> None:
    assert fp(other) != fp(BODY)


def test_fingerprint_never_resolves() -> None:
    def resolver(host: str) -> list[str]:
        raise AssertionError(f"looked up {host}")

    assert fp(BODY, Policy(resolver=resolver)) == fp(BODY)


@pytest.mark.parametrize(
    "body",
    [
        [],
        "body",
        {k: v for k, v in BODY.items() if k != "fileCount"},
        with_(fileCount="2"),
        with_(fileCount=True),
        with_(fileCount=2.5),
        with_(fileCount=float("nan")),
        with_(contentTypes="image/png"),
        with_(contentTypes=["image/png", 7]),
        with_(contentTypes=["image/png", "png"]),
        {k: v for k, v in BODY.items() if k != "clientSubmissionId"},
        with_(clientSubmissionId=1),
        with_(webhookUrl="http://hooks.example.com/"),
        with_(webhookUrl="https://127.0.0.1/"),
        with_(webhookUrl=None),  # null is absent only under the switch
        with_(webhookUrl=7),
        with_(metadata=[1]),
        with_(metadata=None),
        with_(metadata={"n": float("inf")}),
        with_(metadata={"when": object()}),
        with_(externalUser="Ada"),
        with_(externalUser={"name": 1}),
        with_(externalUser={"name": None}),
    ],
)
def test_fingerprint_refuses_bodies_that_were_not_accepted(body: Any) -> None:
    with pytest.raises(ValueError, match=r"."):
        fp(body)


# -- properties ----------------------------------------------------------

MEDIA_TYPES = st.sampled_from(
    ["image/png", "application/pdf", "text/csv; charset=utf-8", "text/plain"]
)
LEAVES = (
    st.text(max_size=10)
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
)
METADATA = st.dictionaries(
    st.text(max_size=6),
    LEAVES
    | st.lists(LEAVES, max_size=3)
    | st.dictionaries(st.text(max_size=6), LEAVES, max_size=3),
    max_size=4,
)


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 4))
    body: dict[str, Any] = {
        "fileCount": count,
        "contentTypes": draw(st.lists(MEDIA_TYPES, min_size=count, max_size=count)),
        "clientSubmissionId": draw(st.text(min_size=1, max_size=20)),
    }
    if draw(st.booleans()):
        body["webhookUrl"] = draw(
            st.sampled_from(["https://a.example/", "https://b.example/x?y=1"])
        )
    if draw(st.booleans()):
        body["metadata"] = draw(METADATA)
    if draw(st.booleans()):
        names = st.sampled_from(["name", "email", "id"])
        body["externalUser"] = draw(st.dictionaries(names, st.text(max_size=5)))
    return body


def shuffled(value: Any, rnd: Any) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rnd.shuffle(items)
        return {k: shuffled(v, rnd) for k, v in items}
    if isinstance(value, list):
        return [shuffled(v, rnd) for v in value]
    return value


@given(bodies(), st.randoms(use_true_random=False))
def test_key_order_never_matters(body: dict[str, Any], rnd: Any) -> None:
    assert fp(shuffled(body, rnd)) == fp(body)


@given(bodies(), st.sampled_from([None, 1, "\t"]), st.booleans())
def test_json_round_trip_keeps_the_fingerprint(
    body: dict[str, Any], indent: int | str | None, ascii_only: bool
) -> None:
    text = json.dumps(body, indent=indent, ensure_ascii=ascii_only)
    value, found = parse_body(text.encode("utf-8", "surrogatepass"), Policy())
    if found is not None:  # a raw lone surrogate is not UTF-8
        assert not ascii_only
        return
    assert fp(value) == fp(body)
    assert FINGERPRINT.fullmatch(fp(value))


@given(bodies(), st.text(min_size=1, max_size=20))
def test_submission_id_always_counts(body: dict[str, Any], other: str) -> None:
    changed = {**body, "clientSubmissionId": other}
    assert (fp(changed) == fp(body)) == (other == body["clientSubmissionId"])
