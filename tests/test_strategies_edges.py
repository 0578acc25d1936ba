"""The strategies' rarer corners, each pinned by narrow arguments.

Every property here is derandomized on its own, so it draws the same
examples under any profile and the corner it aims at is reached on every
run; the plain examples test the helpers the strategies build on.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, Unsatisfiable

from session_rules import Policy, UploadStage, metadata_size
from session_rules._addresses import IPV6_BLOCKS
from session_rules.strategies import (
    CreateSessionRequest,
    _accepts,
    _blocked_v6,
    _carries_v4,
    _json_size,
    _networks,
    _pad_to,
    _v6_public,
    _valid_metadata,
    create_session_requests,
    invalid_create_session_requests,
    upload_stages,
)

STAGE = UploadStage(1, 3, ("application/pdf", "image/*"))


def pinned(examples: int) -> Any:
    """The same examples on every run, whatever the profile."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def check_labels(request: CreateSessionRequest) -> None:
    outcome = request.validate()
    assert outcome.status == request.status
    assert [(e.field, e.code) for e in outcome.errors] == [
        tuple(e) for e in request.errors
    ]


# -- arguments and helpers ---------------------------------------------------


def test_upload_stages_refuses_a_window_too_large_to_build() -> None:
    with pytest.raises(InvalidArgument, match="min_files=1001 is above 1000"):
        upload_stages(min_files=1001, max_files=2000)


@pytest.mark.parametrize(
    ("formats", "media_type", "accepted"),
    [
        (("image/*",), "image/png", True),
        (("image/*",), "IMAGE/PNG; q=1", True),
        (("*/*",), "text/csv", True),
        (("text/csv",), "Text/CSV;charset=utf-8", True),
        (("image/*",), "text/csv", False),
        (("application/pdf", "text/*"), "image/png", False),
        (("image/png",), "image/pngx", False),
    ],
)
def test_accepts_reads_the_essence_like_the_contract(
    formats: tuple[str, ...], media_type: str, accepted: bool
) -> None:
    assert _accepts(UploadStage(1, 1, formats), media_type) is accepted


@pytest.mark.parametrize(
    ("members", "target", "after"),
    [
        ({}, 10, {"pad": ""}),
        ({"k": "v"}, 40, {"k": "v", "pad": "x" * 22}),
        ({"pad": 1}, 20, {"pad": 1, "pad_": "x"}),
        ({"pad": 1, "pad_": 2}, 30, {"pad": 1, "pad_": 2, "pad__": "x"}),
    ],
)
def test_pad_to_reaches_the_target_exactly(
    members: dict[str, Any], target: int, after: dict[str, Any]
) -> None:
    _pad_to(members, target)
    assert members == after
    assert _json_size(members) == metadata_size(members) == target


@pytest.mark.parametrize(
    ("members", "target"), [({}, 0), ({"a": 1}, -5), ({"a": "x" * 50}, 20)]
)
def test_pad_to_leaves_metadata_it_cannot_pad(
    members: dict[str, Any], target: int
) -> None:
    before = dict(members)
    _pad_to(members, target)
    assert members == before


def test_every_blocked_ipv6_network_has_a_blocked_fallback() -> None:
    """`_blocked_v6` falls back to a network's first address (or to :: and
    ::1 for the two single-address and whole-space entries); each must be
    refused on its own, not by an IPv4 address it carries."""
    networks = _networks(IPV6_BLOCKS)
    assert networks
    for net in networks:
        value = {0: 0, 128: 1}.get(net.prefixlen, int(net[0]))
        assert not _v6_public(value), net
        assert not _carries_v4(value), net


@pinned(50)
@given(st.data())
def test_blocked_v6_draws_are_blocked(data: Any) -> None:
    value = data.draw(_blocked_v6())
    assert not _v6_public(value)
    assert not _carries_v4(value)


# -- metadata ----------------------------------------------------------------


@pinned(100)
@given(
    st.integers(0, 80).flatmap(
        lambda budget: st.tuples(st.just(budget), _valid_metadata(budget=budget))
    )
)
def test_metadata_drawn_for_a_small_budget_fits_it(pair: tuple[int, Any]) -> None:
    budget, metadata = pair
    assert _json_size(metadata) == metadata_size(metadata) <= max(budget, 2)


# -- stages too large to build ------------------------------------------------

_HUGE = st.just(UploadStage(1001, 1001, ("*/*",)))


@pytest.mark.parametrize(
    "strategy",
    [
        create_session_requests(stage=_HUGE),
        invalid_create_session_requests(stage=_HUGE),
    ],
    ids=["valid", "invalid"],
)
def test_stages_drawn_too_large_to_build_are_skipped(strategy: Any) -> None:
    @pinned(5)
    @given(strategy)
    def draw_one(request: CreateSessionRequest) -> None:
        raise AssertionError(f"built a request for {request.stage}")

    with pytest.raises(Unsatisfiable):
        draw_one()


# -- narrow requests ---------------------------------------------------------


@pinned(20)
@given(
    create_session_requests(stage=STAGE, policy=Policy(max_client_submission_id=20_000))
)
def test_long_submission_ids_allowed_by_the_policy(
    request: CreateSessionRequest,
) -> None:
    check_labels(request)
    assert request.status == 201


@pinned(60)
@given(
    invalid_create_session_requests(
        stage=UploadStage(1, 100, ("text/csv",)), codes=["length-mismatch"]
    )
)
def test_length_mismatch_past_a_wide_window(request: CreateSessionRequest) -> None:
    check_labels(request)
    assert ("contentTypes", "length-mismatch") in request.errors


@pinned(80)
@given(
    invalid_create_session_requests(
        stage=STAGE,
        policy=Policy(refuse_media_type_parameters=True),
        codes=["invalid-media-type"],
    )
)
def test_entry_faults_when_parameters_are_refused(
    request: CreateSessionRequest,
) -> None:
    check_labels(request)


@pinned(150)
@given(invalid_create_session_requests(stage=STAGE, codes=["malformed-url"]))
def test_malformed_webhook_urls(request: CreateSessionRequest) -> None:
    check_labels(request)
    assert request.errors == (("webhookUrl", "malformed-url"),)


@pinned(150)
@given(
    invalid_create_session_requests(
        stage=STAGE, policy=Policy(null_as_absent=True), codes=["wrong-type"]
    )
)
def test_wrong_types_when_null_is_absent(request: CreateSessionRequest) -> None:
    check_labels(request)
    # With null as absent, a null optional member is no wrong type.
    for member in ("webhookUrl", "metadata"):
        if (member, "wrong-type") in request.errors:
            assert request.body[member] is not None


@pinned(30)
@given(invalid_create_session_requests(codes=["missing-credentials"], max_faults=3))
def test_one_fault_that_cannot_repeat(request: CreateSessionRequest) -> None:
    check_labels(request)
    assert request.errors == (("Authorization", "missing-credentials"),)
