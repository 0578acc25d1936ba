"""Regression tests for defects found by black-box breaking of the public API.

Each test asserts the behaviour the contract asks for; the comment above
it names the defect it once caught.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from session_rules import (
    ConfigurationError,
    Policy,
    UploadStage,
    schema_for,
    validate_create_session,
    validate_create_session_bytes,
)

STAGE = UploadStage(min_files=1, max_files=10, accepted_formats=("application/pdf",))
HEADERS = {"Authorization": "Bearer aok_live_x"}
SLUG = "invoice-intake"
CLI = Path(sys.executable).with_name("session-rules")


def _body(**extra):
    body = {
        "fileCount": 1,
        "contentTypes": ["application/pdf"],
        "clientSubmissionId": "s1",
    }
    body.update(extra)
    return body


def _utf8_problem(outcome) -> bytes:
    # What Starlette/FastAPI's JSONResponse does with a problem document.
    return json.dumps(outcome.problem(), ensure_ascii=False, allow_nan=False).encode(
        "utf-8"
    )


# --- 1. lone surrogates leak into records (pointer, params.key) -------------


# Regression: an unknown-field pointer carried a raw lone surrogate.
def test_unknown_key_with_lone_surrogate_gives_utf8_encodable_record():
    outcome = validate_create_session(
        _body(**{"\ud800": 1}), stage=STAGE, slug=SLUG, headers=HEADERS
    )
    assert outcome.status == 422
    _utf8_problem(outcome)


# Regression: externalUser unknown-key pointer carries a raw lone surrogate.
def test_external_user_key_with_lone_surrogate_gives_utf8_encodable_record():
    outcome = validate_create_session(
        _body(externalUser={"\udc00": 1}), stage=STAGE, slug=SLUG, headers=HEADERS
    )
    assert outcome.status == 422
    _utf8_problem(outcome)


# Regression: metadata pointer carries a raw lone surrogate.
def test_metadata_key_with_lone_surrogate_gives_utf8_encodable_record():
    outcome = validate_create_session(
        _body(metadata={"\ud800": 1}), stage=STAGE, slug=SLUG, headers=HEADERS
    )
    assert [e.code for e in outcome.errors] == ["metadata-invalid-value"]
    _utf8_problem(outcome)


# Regression: duplicate-key params.key carries a raw lone surrogate.
def test_duplicate_lone_surrogate_key_gives_utf8_encodable_record():
    outcome = validate_create_session_bytes(
        b'{"\\ud800":1,"\\ud800":2}', stage=STAGE, slug=SLUG, headers=HEADERS
    )
    assert [e.code for e in outcome.errors] == ["duplicate-key"]
    _utf8_problem(outcome)


# Regression: duplicate-key pointer carries a raw lone surrogate.
def test_duplicate_under_lone_surrogate_key_gives_utf8_encodable_record():
    outcome = validate_create_session_bytes(
        b'{"\\ud800":{"a":1,"a":2}}', stage=STAGE, slug=SLUG, headers=HEADERS
    )
    assert [e.code for e in outcome.errors] == ["duplicate-key"]
    _utf8_problem(outcome)


# --- 2. huge stage bounds: ValueError from str() instead of ConfigurationError


def _huge_stage_outcome(file_count):
    try:
        stage = UploadStage(min_files=1, max_files=10**5000, accepted_formats=("*/*",))
    except ConfigurationError:
        return None  # refusing the stage as configuration is a fine fix
    return validate_create_session(
        _body(fileCount=file_count), stage=stage, slug=SLUG, headers=HEADERS
    )


# Regression: stage max_files past int->str limit: check raises ValueError.
def test_huge_max_files_out_of_window_does_not_raise():
    outcome = _huge_stage_outcome(0)
    if outcome is not None:
        assert outcome.status == 422
        json.dumps(outcome.problem(), allow_nan=False)


# Regression: stage max_files past int->str limit: length-mismatch raises ValueError.
def test_huge_max_files_length_mismatch_does_not_raise():
    outcome = _huge_stage_outcome(10**4999)
    if outcome is not None:
        assert outcome.status == 422
        json.dumps(outcome.problem(), allow_nan=False)


# Regression: stage max_files past int->str limit: schema_for raises ValueError.
def test_huge_max_files_schema_raises_only_configuration_error():
    try:
        stage = UploadStage(min_files=1, max_files=10**5000, accepted_formats=("*/*",))
        schema_for(stage)
    except ConfigurationError:
        pass


# --- 3. max_json_depth the parser cannot honour --------------------------------


# Regression: body within max_json_depth but past ~990 levels reported too-deep.
def test_depth_within_policy_bound_is_not_too_deep():
    try:
        policy = Policy(max_json_depth=2000)
    except ConfigurationError:
        return  # refusing a bound the parser cannot honour is a fine fix
    depth = 1500
    raw = b'{"z":' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"
    outcome = validate_create_session_bytes(
        raw, stage=STAGE, slug=SLUG, headers=HEADERS, policy=policy
    )
    assert outcome.status != 400, [e.to_dict() for e in outcome.errors]


# --- 4. hostile subclasses make the check raise --------------------------------


class _HostileStr(str):
    def __len__(self):
        raise RuntimeError("len")

    def __iter__(self):
        raise RuntimeError("iter")


# Regression: str subclass with raising __len__ propagates RuntimeError.
def test_hostile_str_subclass_does_not_raise():
    # Decision: an object whose own methods raise is the caller's misuse,
    # reported as the documented configuration error, never anything else.
    with pytest.raises(ConfigurationError, match="failed when read"):
        validate_create_session(
            _body(clientSubmissionId=_HostileStr("abc")),
            stage=STAGE,
            slug=SLUG,
            headers=HEADERS,
        )


# --- 5. CLI tracebacks ----------------------------------------------------------


def _run_cli(*args, stdin=b""):
    return subprocess.run(
        [str(CLI), *args], input=stdin, capture_output=True, timeout=20, check=False
    )


@pytest.fixture
def request_file(tmp_path):
    path = tmp_path / "req.json"
    path.write_text(json.dumps({"slug": SLUG, "headers": HEADERS, "body": _body()}))
    return path


# Regression: check --stage <missing file> prints a traceback, exit 1.
def test_cli_missing_stage_file_is_usage_error(request_file, tmp_path):
    proc = _run_cli("check", "--stage", str(tmp_path / "nope.json"), str(request_file))
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr


# Regression: check --stage <directory> prints a traceback, exit 1.
def test_cli_directory_stage_is_usage_error(request_file, tmp_path):
    proc = _run_cli("check", "--stage", str(tmp_path), str(request_file))
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr


# Regression: schema --write <regular file> prints a traceback.
def test_cli_schema_write_to_file_is_usage_error(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    proc = _run_cli("schema", "--write", str(target))
    assert proc.returncode == 2
    assert b"Traceback" not in proc.stderr


# -- second round: the value classes and the tables of reused results --


class _CaseInsensitive(str):
    """Equal to any str of the same letters, whatever their case."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.lower() == other.lower()

    def __hash__(self) -> int:
        return hash(self.lower())


def _pointers(body: dict) -> list[tuple[str, str | None]]:
    outcome = validate_create_session(body, stage=STAGE, slug=SLUG, headers=HEADERS)
    return [(e.field, e.pointer) for e in outcome.errors]


# Defect: a str subclass equal to a key seen before got that key's record
# (its spelling) from the record tables; the answer depended on traffic.
@pytest.mark.parametrize(
    "build",
    [
        lambda key: _body(**{key: 1}),
        lambda key: _body(externalUser={key: "x"}),
        lambda key: _body(metadata={key: None}),
    ],
)
def test_a_str_subclass_key_is_never_answered_from_the_tables(build) -> None:
    fresh = _pointers(build(_CaseInsensitive("FOO")))
    _pointers(build("foo"))
    assert _pointers(build(_CaseInsensitive("FOO"))) == fresh
    assert any("FOO" in f"{field} {pointer}" for field, pointer in fresh)


# Defect: the same for webhook URLs: the string checks' cache answered a
# subclass with the canonical form of an earlier, differently cased URL.
def test_a_str_subclass_webhook_url_keeps_its_own_text() -> None:
    seen = "https://example.com/hook/abc"
    validate_create_session(
        _body(webhookUrl=seen), stage=STAGE, slug=SLUG, headers=HEADERS
    )
    outcome = validate_create_session(
        _body(webhookUrl=_CaseInsensitive("https://example.com/hook/ABC")),
        stage=STAGE,
        slug=SLUG,
        headers=HEADERS,
    )
    assert outcome.status == 201
    assert outcome.webhook_url == "https://example.com/hook/ABC"


# Defect: a subclass of Policy compared the resolver again.
def test_policy_subclasses_still_leave_the_resolver_out() -> None:
    class Custom(Policy):
        pass

    def one(host: str) -> list[str]:
        return [host]

    def two(host: str) -> list[str]:
        return [host, host]

    assert Custom(resolver=one) == Custom(resolver=two)
    assert hash(Custom(resolver=one)) == hash(Custom(resolver=two))
    assert Custom() != Policy()


# Defect: one network object was taken as a collection of its addresses
# (an IPv6 /64 never finished).
def test_a_lone_network_or_address_is_one_admitted_entry() -> None:
    import ipaddress

    network = ipaddress.ip_network("fd00::/64")
    assert Policy(admitted_addresses=network).admitted_addresses == (network,)
    address = ipaddress.ip_address("10.0.0.1")
    assert [str(n) for n in Policy(admitted_addresses=address).admitted_addresses] == [
        "10.0.0.1/32"
    ]


# Defect: calling __init__ again on a built (and shared) record changed it.
def test_a_built_value_cannot_be_initialised_again() -> None:
    outcome = validate_create_session({}, stage=STAGE, slug=SLUG, headers=HEADERS)
    record = outcome.errors[0]
    with pytest.raises(AttributeError, match="immutable"):
        type(record).__init__(record, "f", None, "body", "c", "m", {})
    with pytest.raises(AttributeError, match="immutable"):
        Policy.__init__(Policy(), max_errors=3)
    assert record.field == "fileCount"


# Defect: annotations named types that existed only for type checkers, so
# typing.get_type_hints failed on the public classes.
def test_public_annotations_resolve_at_run_time() -> None:
    import inspect
    import typing

    import session_rules

    for name in session_rules.__all__:
        value = getattr(session_rules, name)
        if callable(value):
            typing.get_type_hints(value)
            if inspect.isclass(value):
                typing.get_type_hints(value.__init__)
