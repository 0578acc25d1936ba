"""The Hypothesis strategies: valid requests pass, labelled faults match."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from session_rules import (
    CODES,
    Outcome,
    Policy,
    UploadStage,
    check_webhook_url,
    metadata_size,
    validate_create_session,
    validate_create_session_bytes,
)
from session_rules.strategies import (
    FAULT_CODES,
    CreateSessionRequest,
    _json_size,
    create_session_requests,
    invalid_create_session_requests,
    media_types,
    metadata_values,
    upload_stages,
    webhook_urls,
)

POLICIES = {
    "default": None,
    "hardened": Policy.hardened(),
    "lenient": Policy(
        null_as_absent=True,
        ignore_unknown_members=True,
        refuse_media_type_parameters=True,
    ),
    "tight": Policy(max_errors=3, max_client_submission_id=8, max_webhook_url=200),
}
any_policy = st.sampled_from(list(POLICIES.values()))


def share(divisor: int) -> int:
    """A fraction of the profile's examples, for properties that are costly.

    Building and judging one whole request takes about 15 ms, so these
    properties run a share of the profile (``long`` scales them all up).
    """
    return max(10, (settings.default.max_examples or 100) // divisor)


def seen(outcome: Outcome) -> tuple[int, list[tuple[str, str]]]:
    return outcome.status, [(e.field, e.code) for e in outcome.errors]


def expected(request: CreateSessionRequest) -> tuple[int, list[tuple[str, str]]]:
    return request.status, [tuple(e) for e in request.errors]  # type: ignore[misc]


# -- valid requests ----------------------------------------------------------


@settings(max_examples=share(6))  # whole requests: see share()
@given(policy=any_policy, data=st.data())
def test_valid_requests_are_accepted(policy: Policy | None, data: Any) -> None:
    request = data.draw(create_session_requests(policy=policy))
    outcome = request.validate()
    assert seen(outcome) == (201, [])
    assert request.status == 201
    assert request.errors == ()


@settings(max_examples=share(8))  # whole requests: see share()
@given(create_session_requests())
def test_valid_requests_pass_as_bytes_too(request: CreateSessionRequest) -> None:
    outcome = validate_create_session_bytes(request.body_bytes(), **request.arguments())
    assert seen(outcome) == (201, [])
    assert outcome.webhook_url == request.validate().webhook_url


@settings(max_examples=share(10))  # whole requests: see share()
@given(create_session_requests(stage=UploadStage(2, 2, ("image/*",))))
def test_valid_requests_respect_a_fixed_stage(request: CreateSessionRequest) -> None:
    assert int(request.body["fileCount"]) == 2
    assert all(t.lower().startswith("image/") for t in request.body["contentTypes"])


def test_valid_requests_shrink_to_the_smallest_request() -> None:
    stage = UploadStage(1, 5, ("text/csv",))
    request = find(
        create_session_requests(stage=stage),
        lambda _: True,
        settings=settings(database=None),
    )
    assert request.body["fileCount"] == 1
    assert request.body["contentTypes"] == ["text/csv"]
    assert set(request.body) == {"fileCount", "contentTypes", "clientSubmissionId"}
    assert len(request.body["clientSubmissionId"]) == 1
    assert set(request.headers) == {"Authorization"}


# -- invalid requests --------------------------------------------------------


@settings(max_examples=share(4))  # whole requests: see share()
@given(policy=any_policy, max_faults=st.sampled_from([1, 3]), data=st.data())
def test_invalid_requests_give_exactly_their_errors(
    policy: Policy | None, max_faults: int, data: Any
) -> None:
    request = data.draw(
        invalid_create_session_requests(policy=policy, max_faults=max_faults)
    )
    assert seen(request.validate()) == expected(request)
    assert request.status in (401, 404, 422)


@settings(max_examples=share(6))  # whole requests: see share()
@given(invalid_create_session_requests(max_faults=4, python_values=True))
def test_invalid_python_values_give_exactly_their_errors(
    request: CreateSessionRequest,
) -> None:
    assert seen(request.validate()) == expected(request)


@settings(max_examples=share(8))  # whole requests: see share()
@given(invalid_create_session_requests(max_faults=2))
def test_invalid_json_requests_fail_the_same_as_bytes(
    request: CreateSessionRequest,
) -> None:
    outcome = validate_create_session_bytes(request.body_bytes(), **request.arguments())
    assert seen(outcome) == expected(request)


def _policy_for(code: str) -> Policy | None:
    return Policy.hardened() if code == "port-not-allowed" else None


# One property per code: the mixed properties above spend their budget on
# every code together; here a few draws show each code can be asked for.
@pytest.mark.parametrize("code", sorted(FAULT_CODES))
@settings(max_examples=share(100))
@given(data=st.data())
def test_each_code_can_be_asked_for(code: str, data: Any) -> None:
    request = data.draw(
        invalid_create_session_requests(codes=[code], policy=_policy_for(code))
    )
    assert code in {e.code for e in request.errors}
    assert seen(request.validate()) == expected(request)


@pytest.mark.parametrize("code", ["ambiguous-host", "host-not-public"])
@settings(max_examples=share(50))
@given(data=st.data())
def test_webhook_codes_under_the_hardened_policy(code: str, data: Any) -> None:
    """Without IP literals the hosts come from other pools than the default's."""
    request = data.draw(
        invalid_create_session_requests(codes=[code], policy=Policy.hardened())
    )
    assert code in {e.code for e in request.errors}
    assert seen(request.validate()) == expected(request)


def test_every_422_401_and_404_code_is_covered() -> None:
    wanted = {code for code, info in CODES.items() if info.status in (401, 404, 422)}
    assert wanted == FAULT_CODES


@settings(max_examples=share(40))  # each example holds over a hundred errors
@given(invalid_create_session_requests(codes=["too-many-errors"]))
def test_the_error_cap(request: CreateSessionRequest) -> None:
    outcome = request.validate()
    assert len(outcome.errors) == 101
    assert outcome.errors[-1].code == "too-many-errors"
    assert seen(outcome) == expected(request)


# -- webhook URLs, media types, metadata, stages ----------------------------


@given(policy=any_policy, data=st.data())
def test_public_webhook_urls_pass(policy: Policy | None, data: Any) -> None:
    url = data.draw(webhook_urls(policy=policy))
    verdict = check_webhook_url(url, policy=policy)
    assert verdict.ok, verdict.error
    assert verdict.url is not None
    again = check_webhook_url(verdict.url, policy=policy)
    # The canonical URL is a fixed point (when it still fits the limit:
    # an IDNA A-label is longer than what the caller wrote).
    limit = (policy or Policy()).max_webhook_url
    if len(verdict.url) <= limit:
        assert again.url == verdict.url


@given(policy=any_policy, data=st.data())
def test_non_public_webhook_urls_fail(policy: Policy | None, data: Any) -> None:
    url = data.draw(webhook_urls(public=False, policy=policy))
    verdict = check_webhook_url(url, policy=policy)
    assert verdict.error is not None
    assert verdict.error.code == "host-not-public"
    assert not verdict.error.params["resolved"]


@given(
    upload_stages().flatmap(lambda s: st.tuples(st.just(s), media_types(accepted_by=s)))
)
def test_media_types_accepted_by_a_stage_are_accepted(pair: Any) -> None:
    stage, media_type = pair
    body = {"fileCount": 1, "contentTypes": [media_type], "clientSubmissionId": "x"}
    stage = UploadStage(1, 1, stage.accepted_formats)
    outcome = validate_create_session(
        body, stage=stage, slug="s", headers={"Authorization": "Bearer aok_k"}
    )
    assert seen(outcome) == (201, [])


@given(media_types(wildcards=True, parameters=False))
def test_ranges_make_valid_stages(media_type: str) -> None:
    assert UploadStage(0, 1, (media_type,)).accepted_formats == (media_type,)


@given(media_types())
def test_media_types_fit_the_length_limit(media_type: str) -> None:
    assert len(media_type) <= 255


@settings(max_examples=share(4))  # 4 kB of metadata measured twice
@given(metadata_values())
def test_valid_metadata_has_the_size_javascript_gives(metadata: Any) -> None:
    assert metadata_size(metadata) == _json_size(metadata) <= 4096
    body = {"fileCount": 0, "contentTypes": [], "clientSubmissionId": "x"}
    outcome = validate_create_session(
        {**body, "metadata": metadata},
        stage=UploadStage(0, 0, ("*/*",)),
        slug="s",
        headers={"Authorization": "Bearer aok_k"},
    )
    assert seen(outcome) == (201, [])


@settings(max_examples=share(4))  # up to 100 kB of metadata per example
@given(metadata_values(valid=False, python_values=True))
def test_invalid_metadata_is_refused(metadata: Any) -> None:
    body = {"fileCount": 0, "contentTypes": [], "clientSubmissionId": "x"}
    outcome = validate_create_session(
        {**body, "metadata": metadata},
        stage=UploadStage(0, 0, ("*/*",)),
        slug="s",
        headers={"Authorization": "Bearer aok_k"},
    )
    assert outcome.status == 422
    assert {e.field for e in outcome.errors} == {"metadata"}


@given(upload_stages(min_files=2, max_files=7))
def test_stage_windows_stay_inside_the_bounds(stage: UploadStage) -> None:
    assert 2 <= stage.min_files <= stage.max_files <= 7


@given(upload_stages(formats=["image/png", "text/*"]))
def test_stage_formats_come_from_the_given_ones(stage: UploadStage) -> None:
    assert set(stage.accepted_formats) <= {"image/png", "text/*"}


# -- health checks and arguments --------------------------------------------

STRATEGIES = {
    "upload_stages": upload_stages(),
    "create_session_requests": create_session_requests(),
    "invalid_create_session_requests": invalid_create_session_requests(max_faults=3),
    "webhook_urls": webhook_urls(),
    "webhook_urls_non_public": webhook_urls(public=False),
    "media_types": media_types(),
    "metadata_values": metadata_values(),
    "metadata_values_invalid": metadata_values(valid=False),
}


# Health checks judge the first draws; a long run adds nothing to them.
@pytest.mark.parametrize("strategy", STRATEGIES.values(), ids=STRATEGIES.keys())
def test_strategies_pass_every_health_check(strategy: Any) -> None:
    @settings(max_examples=50, suppress_health_check=(), deadline=None)
    @given(strategy)
    def run(value: Any) -> None:
        del value

    run()


def test_health_checks_are_on() -> None:
    assert HealthCheck.filter_too_much in list(HealthCheck)


BAD_CALLS = [
    lambda: upload_stages(min_files=-1),
    lambda: upload_stages(min_files=3, max_files=2),
    lambda: upload_stages(max_files=True),
    lambda: upload_stages(formats=[]),
    lambda: upload_stages(formats="image/png"),
    lambda: upload_stages(formats=["image/x-*"]),
    lambda: upload_stages(formats=["text/csv; charset=utf-8"]),
    lambda: create_session_requests(stage="1..10"),
    lambda: create_session_requests(stage=UploadStage(5000, 5000, ("*/*",))),
    lambda: create_session_requests(policy={"max_errors": 3}),
    lambda: create_session_requests(policy=Policy(resolver=lambda host: [])),
    lambda: create_session_requests(slug="Not-A-Slug"),
    lambda: create_session_requests(api_key="sk_live_1"),
    lambda: invalid_create_session_requests(codes=["no-such-code"]),
    lambda: invalid_create_session_requests(codes="required"),
    lambda: invalid_create_session_requests(codes=[]),
    lambda: invalid_create_session_requests(max_faults=0),
    lambda: invalid_create_session_requests(codes=["port-not-allowed"]),
    lambda: invalid_create_session_requests(
        codes=["format-not-accepted"], stage=UploadStage(1, 2, ("*/*",))
    ),
    lambda: invalid_create_session_requests(
        policy=Policy(admitted_addresses=("10.0.0.0/8",))
    ),
    lambda: webhook_urls(public="yes"),
    lambda: webhook_urls(policy=Policy(allowed_ports=())),
    lambda: webhook_urls(policy=Policy(max_webhook_url=20)),
    lambda: media_types(wildcards=1),
    lambda: media_types(accepted_by="image/png"),
    lambda: media_types(accepted_by=UploadStage(1, 1, ("*/*",)), wildcards=True),
    lambda: metadata_values(valid=None),
    lambda: metadata_values(python_values=True),
]


@pytest.mark.parametrize("call", BAD_CALLS)
def test_bad_arguments_raise_invalid_argument(call: Any) -> None:
    with pytest.raises(InvalidArgument):
        call().validate()


def test_from_type_works_without_importing_the_strategies() -> None:
    script = (
        "import sys\n"
        "from hypothesis import given, settings, strategies as st\n"
        "from session_rules import UploadStage\n"
        "assert 'session_rules' in sys.modules\n"
        "@settings(max_examples=20, database=None)\n"
        "@given(st.from_type(UploadStage))\n"
        "def check(stage):\n"
        "    assert isinstance(stage, UploadStage)\n"
        "check()\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
