"""Replays of a ``clientSubmissionId``, and the fingerprint of a request.

The server looks up the session that already holds a request's
submission id (same company, same workflow); `decide_replay` turns that
into 201, 200 or 409. `request_fingerprint` hashes the RFC 8785 canonical
JSON of an accepted body, so a replay with other content can be told apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from ._errors import ConfigurationError, FieldError, Finding, Outcome, build_error
from ._jsjson import canonical_json
from ._media_types import parse_media_type
from ._policy import Policy, resolve_policy
from ._webhook import judge_webhook

__all__ = [
    "FINGERPRINT_PREFIX",
    "JOBS_PATH",
    "PriorSession",
    "ReplayDecision",
    "decide_replay",
    "request_fingerprint",
]

SessionState = Literal["pending", "completed", "failed", "expired"]

#: Where a session lives; the id is appended as one percent-encoded segment.
JOBS_PATH = "/api/v1/jobs/"
#: Every fingerprint starts with this; a new scheme gets a new version.
FINGERPRINT_PREFIX = "v1:sha256:"

_STATES: frozenset[str] = frozenset({"pending", "completed", "failed", "expired"})
# RFC 3986 section 3.3: these segments mean "here" and "up" to a resolver,
# even percent-encoded (section 6.2.2.2 decodes %2E).
_DOT_SEGMENTS = frozenset({".", ".."})
_FIELD = ("clientSubmissionId",)
_OPTIONAL = ("webhookUrl", "metadata", "externalUser")
_USER_MEMBERS = ("name", "email", "id")


@dataclass(frozen=True, slots=True)
class PriorSession:
    """The session the server found for this company, workflow and id.

    ``fingerprint`` is the `request_fingerprint` stored with it, if any.
    """

    session_id: str
    state: SessionState
    fingerprint: str | None = None

    def __post_init__(self) -> None:
        _check_session_id(self.session_id)
        if self.state not in _STATES:
            raise ConfigurationError(
                f"PriorSession.state must be one of {sorted(_STATES)}"
            )
        if self.fingerprint is not None and not isinstance(self.fingerprint, str):
            raise ConfigurationError("PriorSession.fingerprint must be a string")


@dataclass(frozen=True, slots=True)
class ReplayDecision:
    """What to answer: create (201), return the pending session (200), or 409.

    ``session_id`` is the session the answer is about, where known: the
    new one for 201 (when its id was given), the pending one for 200, the
    one holding the id for 409. ``location`` is set for 200 and 201 only;
    a 409 carries ``error`` instead.
    """

    status: Literal[200, 201, 409]
    session_id: str | None = None
    location: str | None = None
    error: FieldError | None = None
    problem_base: str = "/problems/"

    @property
    def create(self) -> bool:
        """True when the server should create a new session."""
        return self.status == 201

    def outcome(self) -> Outcome:
        """The decision as an `Outcome`, for servers that render those."""
        errors = () if self.error is None else (self.error,)
        return Outcome(self.status, errors, problem_base=self.problem_base)

    def problem(self) -> dict[str, Any] | None:
        """The RFC 9457 problem document for a 409, else None."""
        return self.outcome().problem()


def decide_replay(
    prior: PriorSession | None,
    *,
    fingerprint: str | None = None,
    new_session_id: str | None = None,
    policy: Policy | None = None,
) -> ReplayDecision:
    """Decide how to answer an accepted request, given what was found.

    ``prior`` is the session holding the request's ``clientSubmissionId``
    (None when there is none); ``fingerprint`` is the request's own; a
    ``new_session_id`` chosen in advance fills in the 201's Location.
    Fingerprints are compared only when both sides have one.
    """
    policy = resolve_policy(policy)
    if new_session_id is not None:
        _check_session_id(new_session_id)
    if fingerprint is not None and not isinstance(fingerprint, str):
        raise ConfigurationError("fingerprint must be a string or None")
    if prior is not None and not isinstance(prior, PriorSession):
        raise ConfigurationError("prior must be a PriorSession or None")
    if prior is None or (
        prior.state != "pending" and not policy.refuse_finished_replays
    ):
        return _answer(201, new_session_id, policy)
    if prior.state != "pending":
        return _conflict(prior, policy, reason="finished", state=prior.state)
    if (
        fingerprint is not None
        and prior.fingerprint is not None
        and fingerprint != prior.fingerprint
    ):
        return _conflict(prior, policy, reason="different-content")
    return _answer(200, prior.session_id, policy)


def session_location(session_id: str) -> str:
    """The ``Location`` of a session: its id as one encoded path segment."""
    _check_session_id(session_id)
    return JOBS_PATH + quote(session_id, safe="")


def request_fingerprint(
    body: Mapping[str, Any], *, policy: Policy | None = None
) -> str:
    """``v1:sha256:`` and the hex SHA-256 of the normalised body's RFC 8785 text.

    Only the known members count; ``fileCount`` as an integer, media types
    normalised, the webhook URL canonical, and ``null`` members dropped
    where the policy reads ``null`` as absent. Meant for accepted bodies:
    raise ``ValueError`` when a member cannot be normalised.
    """
    normal = normalise_body(body, policy=resolve_policy(policy))
    try:
        text = canonical_json(normal)
        data = text.encode("utf-8")
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError included
        raise ValueError(f"the body has no canonical JSON form: {exc}") from None
    return FINGERPRINT_PREFIX + hashlib.sha256(data).hexdigest()


def normalise_body(body: Mapping[str, Any], *, policy: Policy) -> dict[str, Any]:
    """The members a fingerprint covers, each in its normal form."""
    if not isinstance(body, Mapping):
        raise ValueError("the body must be a JSON object")
    out: dict[str, Any] = {
        "fileCount": _file_count(body.get("fileCount")),
        "contentTypes": _content_types(body.get("contentTypes")),
        "clientSubmissionId": _string(
            "clientSubmissionId", body.get("clientSubmissionId")
        ),
    }
    for name in _OPTIONAL:
        if name not in body or (body[name] is None and policy.null_as_absent):
            continue
        out[name] = _NORMALISERS[name](body[name], policy)
    return out


# -- helpers -----------------------------------------------------------


def _check_session_id(session_id: object) -> None:
    if not isinstance(session_id, str) or not session_id:
        raise ConfigurationError("a session id must be a non-empty string")
    if session_id in _DOT_SEGMENTS:
        raise ConfigurationError("a session id must not be '.' or '..'")
    try:
        session_id.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigurationError("a session id must be valid Unicode") from None


def _answer(
    status: Literal[200, 201], session_id: str | None, policy: Policy
) -> ReplayDecision:
    location = None if session_id is None else session_location(session_id)
    return ReplayDecision(
        status, session_id, location, problem_base=policy.problem_base
    )


def _conflict(prior: PriorSession, policy: Policy, **params: str) -> ReplayDecision:
    error = build_error(Finding("idempotency-conflict", params), _FIELD)
    return ReplayDecision(
        409, prior.session_id, error=error, problem_base=policy.problem_base
    )


def _file_count(value: object) -> int:
    # JSON has one number type: 2, 2.0 and 2e0 are the same count.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError("fileCount must be an integer")


def _content_types(value: object) -> list[str]:
    if not isinstance(value, list):
        raise ValueError("contentTypes must be an array")
    out: list[str] = []
    for entry in value:
        parsed = parse_media_type(entry) if isinstance(entry, str) else None
        if parsed is None:
            raise ValueError("contentTypes entries must be media types")
        out.append(parsed.normalised())
    return out


def _string(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    return value


def _webhook_url(value: object, policy: Policy) -> str:
    if not isinstance(value, str):
        raise ValueError("webhookUrl must be a string")
    # The canonical form never depends on DNS: no lookup for a fingerprint.
    canonical, finding = judge_webhook(value, policy.replace(resolver=None))
    if canonical is None:
        code = "unknown" if finding is None else finding.code
        raise ValueError(f"webhookUrl was not accepted ({code})")
    return canonical


def _metadata(value: object, _policy: Policy) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("metadata must be an object")
    return value


def _external_user(value: object, policy: Policy) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValueError("externalUser must be an object")
    out: dict[str, str] = {}
    for name in _USER_MEMBERS:
        if name not in value or (value[name] is None and policy.null_as_absent):
            continue
        out[name] = _string(f"externalUser.{name}", value[name])
    return out


_NORMALISERS: Mapping[str, Callable[[Any, Policy], Any]] = {
    "webhookUrl": _webhook_url,
    "metadata": _metadata,
    "externalUser": _external_user,
}
