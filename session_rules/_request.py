"""One create-session request: precedence, order, gating and the error cap.

Each rule family reports findings; this module alone gives them fields and
pointers, orders them as the contract lists the fields, and caps them.
"""

from __future__ import annotations

import functools
from types import ModuleType
from typing import Any

from ._errors import (
    CODES,
    ConfigurationError,
    FieldError,
    Finding,
    Outcome,
    PathSegment,
    Pending,
    build_error,
    header_error,
    json_type,
    new_outcome,
    pending,
)
from ._headers import (
    MAX_REQUEST_ID,
    check_authorization,
    check_request_id,
    check_slug,
    is_bearer,
    is_request_id,
    read_headers,
)
from ._media_types import MAX_MEDIA_TYPE_LENGTH
from ._memo import REMEMBERED_URL_LENGTH, remember
from ._metadata import plain_size, scan, walk_metadata
from ._policy import DEFAULT_POLICY, Policy, resolve_policy
from ._stage import UploadStage
from ._text import check_text, is_good_text

__all__ = ["validate_create_session", "validate_create_session_bytes"]

#: Body members in the order the contract reports them.
KNOWN_MEMBERS = (
    "fileCount",
    "contentTypes",
    "clientSubmissionId",
    "webhookUrl",
    "metadata",
    "externalUser",
)
USER_MEMBERS = ("name", "email", "id")
_KNOWN_SET = frozenset(KNOWN_MEMBERS)
_USER_SET = frozenset(USER_MEMBERS)
_KNOWN_SETS = {KNOWN_MEMBERS: _KNOWN_SET, USER_MEMBERS: _USER_SET}
MAX_USER_MEMBER = 255
_ABSENT = object()
#: Integers a JavaScript peer reads exactly (RFC 7493 I-JSON).
SAFE_INTEGER = 2**53 - 1


def validate_create_session(
    body: Any,
    *,
    stage: UploadStage,
    slug: object,
    headers: object,
    policy: Policy | None = None,
) -> Outcome:
    """Judge an already parsed create-session request.

    Returns an `Outcome`: 401 or 404 with one error, 422 with every
    error in contract order (capped by the policy), or 201 with the
    canonical webhook URL. Raises `ConfigurationError` only for a bad
    ``stage``, ``policy`` or ``headers`` container, or for Python objects
    in the request whose own methods raise when read.
    """
    try:
        plain = _plain_gate(stage, slug, headers, policy)
        if plain is not None:
            accepted = _fast_accept(body, stage, plain)
            return accepted or judge_body(body, stage, plain, {})
        policy = _settings(stage, policy)
        values = read_headers(headers)
        early = gatekeep(values, slug)
        if early is not None:
            return _done(early, policy)
        return judge_body(body, stage, policy, values)
    except ConfigurationError:
        raise
    except Exception as exc:
        # Only Python objects a server built can fail here (a str or dict
        # subclass whose own methods raise): JSON values never do.
        raise ConfigurationError(
            f"the request holds a Python object that failed when read: {exc!r}"
        ) from exc


def validate_create_session_bytes(
    raw: bytes,
    *,
    stage: UploadStage,
    slug: object,
    headers: object,
    policy: Policy | None = None,
    content_type: str | bytes | None = None,
) -> Outcome:
    """Judge a request whose body is still the bytes the client sent.

    After the 401 and 404 checks, the request's media type is checked
    (415) when ``content_type`` is given or the headers carry
    ``Content-Type``; then the bytes are parsed strictly (400 with one
    error); a body that parses is judged as `validate_create_session`
    judges it.
    """
    strict = _strict_parsing()
    policy = _settings(stage, policy)
    values = read_headers(headers)
    early = gatekeep(values, slug)
    if early is not None:
        return _done(early, policy)
    if content_type is None:
        given = values.get("content-type")
        content_type = given[0] if given and isinstance(given[0], str) else None
        if given and content_type is None:
            content_type = ""
    if content_type is not None and not strict.check_content_type(content_type):
        error = header_error("Content-Type", "unsupported-media-type")
        return new_outcome(415, (error,), None, policy.problem_base)
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise ConfigurationError("raw must be bytes")
    body, finding = strict.parse_body(bytes(raw), policy)
    if finding is not None:
        error = build_error(finding, (), field_path=())
        return new_outcome(400, (error,), None, policy.problem_base)
    if check_request_id(values) is None:
        accepted = _fast_accept(body, stage, policy)
        if accepted is not None:
            return accepted
    return judge_body(body, stage, policy, values)


# -- the fast path -----------------------------------------------------
#
# Most requests are plain (exact dicts, lists and strs) and valid. Their
# checks run here inline, each one a condition under which the full check
# of the same member passes; at the first doubt the full, ordered path
# runs from the start, so the outcome never depends on the path taken.


def _plain_gate(
    stage: object, slug: object, headers: object, policy: object
) -> Policy | None:
    """The policy, when stage, policy and headers are plain and the 401
    and 404 checks and X-Request-Id pass; None for anything else."""
    if policy is None:
        policy = DEFAULT_POLICY
    elif type(policy) is not Policy:
        return None
    if type(stage) is not UploadStage or type(headers) is not dict:
        return None
    authorization = request_id = None
    for name, value in headers.items():
        if type(name) is not str or type(value) is not str:
            return None
        lowered = name.lower()
        if lowered == "authorization":
            if authorization is not None:
                return None  # twice: the full path reports it
            authorization = value
        elif lowered == "x-request-id":
            if request_id is not None:
                return None
            request_id = value
    if authorization is None or not is_bearer(authorization):
        return None
    if request_id is not None and not (
        len(request_id) <= MAX_REQUEST_ID and is_request_id(request_id)
    ):
        return None
    if check_slug(slug) is not None:
        return None
    return policy


def _fast_accept(body: Any, stage: UploadStage, policy: Policy) -> Outcome | None:
    """The 201 of a plain, valid body, or None for any doubt.

    Call only where the headers and slug have passed.
    """
    if type(body) is not dict or type(stage) is not UploadStage:
        return None
    get = body.get
    count = get("fileCount")
    if type(count) is not int or not stage.min_files <= count <= stage.max_files:
        return None
    entries = get("contentTypes")
    if type(entries) is not list or len(entries) != count:
        return None
    if not _plain_entries(entries, stage, policy):
        return None
    text = get("clientSubmissionId")
    if type(text) is not str or not _short_good_text(
        text, policy.max_client_submission_id
    ):
        return None
    null_absent = policy.null_as_absent
    url = get("webhookUrl", _ABSENT)
    if url is _ABSENT or (url is None and null_absent):
        url = None
    elif type(url) is not str:
        return None
    accepted = _accepted(url, policy)
    if accepted is None:
        return None
    value = get("metadata", _ABSENT)
    if not (value is _ABSENT or (value is None and null_absent)) and (
        type(value) is not dict or plain_size(value) is None
    ):
        return None
    value = get("externalUser", _ABSENT)
    if not (value is _ABSENT or (value is None and null_absent)) and (
        type(value) is not dict or not _plain_user(value, policy)
    ):
        return None
    if policy.ignore_unknown_members or (
        len(body) <= 6 and _KNOWN_SET.issuperset(body)
    ):
        return accepted
    return None


def _plain_entries(entries: list[Any], stage: UploadStage, policy: Policy) -> bool:
    """Whether every entry is an exact str that the stage accepts."""
    refuse = policy.refuse_media_type_parameters
    verdicts = stage._remembered(refuse)
    for entry in entries:
        if type(entry) is not str:
            return False
        verdict = verdicts.get(entry, _ABSENT)
        if verdict is _ABSENT:
            verdict = stage.judge_media_type(entry, refuse)
        if verdict is not None:
            return False
    return True


def _short_good_text(text: str, max_length: int) -> bool:
    """Whether an exact str passes `check_text` (no finding).

    The usual text, printable with something besides spaces, is decided
    here; `is_good_text` decides the rest.
    """
    return len(text) <= max_length and (
        (text.isprintable() and text.strip(" ") != "") or is_good_text(text)
    )


def _plain_user(user: dict[Any, Any], policy: Policy) -> bool:
    """Whether an exact-dict externalUser passes every check."""
    for name, member in user.items():
        if type(name) is not str or name not in _USER_SET:
            if policy.ignore_unknown_members and type(name) is str:
                continue
            return False
        if member is None and policy.null_as_absent:
            continue
        if type(member) is not str or not (
            len(member) <= MAX_USER_MEMBER
            # _short_good_text, inline: three members a request
            and (
                (member.isprintable() and member.strip(" ") != "")
                or is_good_text(member)
            )
        ):
            return False
    return True


#: Most accepted outcomes remembered, by webhook URL and policy.
ACCEPTED_CACHE_SIZE = 1024

# (url or None, id(policy)) -> (policy, outcome). The policy is kept, so
# its id cannot be reused while the entry lives; an Outcome is immutable,
# so one may be given to many callers.
_ACCEPTED: dict[tuple[str | None, int], tuple[Policy, Outcome]] = {}


# Modules only some requests need, imported on their first call (an import
# statement run on every call would cost more than half a microsecond).


@functools.cache
def _webhooks() -> ModuleType:
    """The webhook checks, imported when a request first carries a URL
    (they load the address tables and IDNA machinery)."""
    from . import _webhook  # noqa: PLC0415

    return _webhook


@functools.cache
def _strict_parsing() -> ModuleType:
    """The strict JSON parser, which only raw bodies need."""
    from . import _raw  # noqa: PLC0415

    return _raw


def _accepted(url: str | None, policy: Policy) -> Outcome | None:
    """The 201 outcome for a webhook URL (or none), when it passes with no
    lookup due; None otherwise."""
    key = (url, id(policy))
    known = _ACCEPTED.get(key)
    if known is not None and known[0] is policy:
        return known[1]
    canonical = None
    if url is not None:
        canonical = _webhooks().accepted_webhook(url, policy)
        if canonical is None:
            return None
    outcome = new_outcome(201, (), canonical, policy.problem_base)
    if url is None or (type(url) is str and len(url) <= REMEMBERED_URL_LENGTH):
        remember(_ACCEPTED, key, (policy, outcome), ACCEPTED_CACHE_SIZE)
    return outcome


def _settings(stage: object, policy: object) -> Policy:
    if not isinstance(stage, UploadStage):
        raise ConfigurationError("stage must be an UploadStage")
    return resolve_policy(policy)


def gatekeep(values: dict[str, list[object]], slug: object) -> FieldError | None:
    """The 401 and 404 checks, which hide everything after them."""
    return check_authorization(values) or check_slug(slug)


def _done(error: FieldError, policy: Policy) -> Outcome:
    status = CODES[error.code].status
    return new_outcome(status, (error,), None, policy.problem_base)


def judge_body(
    body: Any,
    stage: UploadStage,
    policy: Policy,
    values: dict[str, list[object]],
) -> Outcome:
    """The 422 stage: body errors in order, then X-Request-Id, capped."""
    found: list[Pending | FieldError] = []
    webhook, cut = _body_errors(body, stage, policy, found)
    request_id = check_request_id(values)
    if request_id is not None:
        found.append(request_id)
    if not found:
        return new_outcome(201, (), webhook, policy.problem_base)
    errors = _cap(found, policy.max_errors, at_least=cut)
    return new_outcome(422, tuple(errors), None, policy.problem_base)


def _cap(
    found: list[Pending | FieldError], limit: int, *, at_least: bool
) -> list[FieldError]:
    """Build the first ``limit`` records; count the rest without building.

    ``at_least`` marks a count that is a lower bound, because a walk
    stopped once the cap was full.
    """
    kept = [
        build_error(item[0], item[1], field_path=item[2])
        if isinstance(item, tuple)
        else item
        for item in found[:limit]
    ]
    if len(found) > limit:
        params: dict[str, Any] = {"omitted": len(found) - limit}
        if at_least:
            params["at_least"] = True
        kept.append(build_error(Finding("too-many-errors", params), ()))
    return kept


# -- the body ----------------------------------------------------------
#
# Each member's check appends its findings to one list, in contract
# order; the common all-valid path appends nothing and allocates little.

Path = tuple[PathSegment, ...]
Found = list[Pending | FieldError]
#: A record built before, or a finding to build if within the error cap.
_at = pending


def _wrong_type(path: Path, value: object, expected: str) -> Pending | FieldError:
    return _at(path, "wrong-type", {"expected": expected, "actual": json_type(value)})


def _body_errors(
    body: Any, stage: UploadStage, policy: Policy, found: Found
) -> tuple[str | None, bool]:
    """Append the body's findings to ``found``.

    Returns the canonical webhook URL and whether the metadata walk was
    cut short by the error cap.
    """
    if not isinstance(body, dict):
        found.append(_wrong_type((), body, "object"))
        return None, False
    get = body.get
    count = _file_count(get("fileCount", _ABSENT), stage, found)
    _content_types(get("contentTypes", _ABSENT), count, stage, policy, found)
    _submission_id(get("clientSubmissionId", _ABSENT), policy, found)
    webhook = _webhook_url(get("webhookUrl", _ABSENT), policy, found)
    cut = _metadata(get("metadata", _ABSENT), policy, found)
    _external_user(get("externalUser", _ABSENT), policy, found)
    if not policy.ignore_unknown_members and not _only_known(body, KNOWN_MEMBERS):
        _unknown(body, KNOWN_MEMBERS, (), found)
    return webhook, cut


def _file_count(value: object, stage: UploadStage, found: Found) -> int | None:
    """Append fileCount's error; return the count when it is valid."""
    # Fast path: a plain int inside the window (bool is not an int here).
    if type(value) is int:
        if stage.min_files <= value <= stage.max_files:
            return value
        known = stage._records.get(value)
        if known is not None:
            found.append(known)
            return None
    path = ("fileCount",)
    if value is _ABSENT:
        found.append(_at(path, "required", {}))
        return None
    count = value if type(value) is int else _as_integer(value)
    if count is None:
        found.append(_wrong_type(path, value, "integer"))
        return None
    if stage.min_files <= count <= stage.max_files:
        return count
    params: dict[str, Any] = {"min": stage.min_files, "max": stage.max_files}
    if -SAFE_INTEGER <= count <= SAFE_INTEGER:
        params["actual"] = count
        item = _at(path, "out-of-window", params)
        if type(value) is int:
            _keep(stage, value, item)  # a safe int: the key stays small
    else:
        item = _at(path, "out-of-window", params)
    found.append(item)
    return None


#: Most records a stage keeps for the inputs it has judged.
STAGE_RECORDS_SIZE = 512


def _keep(stage: UploadStage, key: object, item: Pending | FieldError) -> None:
    """Keep a record a stage's judgement gave, for the same input next
    time: only once built (a finding is built when first reported)."""
    if type(item) is FieldError:
        remember(stage._records, key, item, STAGE_RECORDS_SIZE)


def _as_integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _content_types(
    value: object, count: int | None, stage: UploadStage, policy: Policy, found: Found
) -> None:
    if (
        type(value) is list
        and len(value) == count
        and _plain_entries(value, stage, policy)
    ):
        return
    path: Path = ("contentTypes",)
    if value is _ABSENT:
        found.append(_at(path, "required", {}))
        return
    if not isinstance(value, list):
        found.append(_wrong_type(path, value, "array"))
        return
    if count is not None and len(value) != count:
        found.append(
            _at(path, "length-mismatch", {"expected": count, "actual": len(value)})
        )
    refuse = policy.refuse_media_type_parameters
    records = stage._records
    # Entries past maxFiles - 1 are covered by the length or count error.
    for index in range(min(len(value), stage.max_files)):
        entry = value[index]
        if not isinstance(entry, str):
            found.append(_wrong_type(("contentTypes", index), entry, "string"))
            continue
        verdict = stage.judge_media_type(entry, refuse)
        if verdict is None:
            continue
        # Exact, short strs only: a subclass's own hash and equality never
        # run, and no long text is kept.
        kept = type(entry) is str and len(entry) <= MAX_MEDIA_TYPE_LENGTH
        key = (entry, index, refuse)
        known = records.get(key) if kept else None
        if known is not None:
            found.append(known)
            continue
        item = _at(("contentTypes", index), verdict[0], verdict[1])
        found.append(item)
        if kept:
            _keep(stage, key, item)


def _submission_id(value: object, policy: Policy, found: Found) -> None:
    if type(value) is str:
        # check_text decides printable text at once, good or bad.
        failure = check_text(value, policy.max_client_submission_id)
        if failure is not None:
            found.append(_at(("clientSubmissionId",), failure[0], failure[1]))
    elif value is _ABSENT:
        found.append(_at(("clientSubmissionId",), "required", {}))
    else:
        _text(value, ("clientSubmissionId",), policy.max_client_submission_id, found)


def _text(value: object, path: Path, max_length: int, found: Found) -> None:
    if not isinstance(value, str):
        found.append(_wrong_type(path, value, "string"))
        return
    failure = check_text(value, max_length)
    if failure is not None:
        found.append(_at(path, failure[0], failure[1]))


def _present(value: object, policy: Policy) -> bool:
    """Whether an optional member is there to check (null may be absent)."""
    return value is not _ABSENT and not (value is None and policy.null_as_absent)


def _webhook_url(value: object, policy: Policy, found: Found) -> str | None:
    if type(value) is str:
        accepted = _accepted(value, policy)
        if accepted is not None:
            return accepted.webhook_url
    if not _present(value, policy):
        return None
    if not isinstance(value, str):
        found.append(_wrong_type(("webhookUrl",), value, "string"))
        return None
    judged: tuple[str | None, Finding | None]
    judged = _webhooks().judge_webhook(value, policy)
    canonical, finding = judged
    if finding is not None:
        found.append((finding, ("webhookUrl",), None))
        return None
    return canonical


def _metadata(value: object, policy: Policy, found: Found) -> bool:
    """Append metadata's findings; True when the walk may have been cut."""
    scanned = scan(value) if type(value) is dict else None
    if scanned is not None and scanned[0] is not None:
        return False  # plain and valid: the walk would find nothing
    path = ("metadata",)
    if not _present(value, policy):
        return False
    if not isinstance(value, dict):
        found.append(_wrong_type(path, value, "object"))
        return False
    # Once the cap is full, further metadata findings could only raise the
    # omitted count: stop there, so 10,000 bad members cost what 101 do.
    room = max(policy.max_errors + 1 - len(found), 1)
    findings = walk_metadata(value, stop_after=room, scanned=scanned)
    found.extend((finding, path, path) for finding in findings)
    return len(findings) >= room


def _external_user(value: object, policy: Policy, found: Found) -> None:
    if type(value) is dict and _plain_user(value, policy):
        return
    path = ("externalUser",)
    if not _present(value, policy):
        return
    if not isinstance(value, dict):
        found.append(_wrong_type(path, value, "object"))
        return
    for name in USER_MEMBERS:
        member = value.get(name, _ABSENT)
        if _present(member, policy):
            _text(member, ("externalUser", name), MAX_USER_MEMBER, found)
    if not policy.ignore_unknown_members and not _only_known(value, USER_MEMBERS):
        _unknown(value, USER_MEMBERS, path, found)


def _only_known(obj: dict[Any, Any], known: tuple[str, ...]) -> bool:
    """True when every key of ``obj`` is one of ``known`` (the usual case).

    A set test in C; when it says yes, the tuple test of `_unknown`
    (equality, never hashing alone) finds nothing either.
    """
    members = _KNOWN_SET if known is KNOWN_MEMBERS else _KNOWN_SETS[known]
    return len(obj) <= len(known) and members.issuperset(obj)


def _unknown(
    obj: dict[Any, Any], known: tuple[str, ...], path: Path, found: Found
) -> None:
    for key in obj:
        if key not in known:
            found.append(_at((*path, _key_segment(key)), "unknown-field", {}))


def _key_segment(key: object) -> str:
    """A path segment for a member name; non-string keys by their type.

    Always an exact ``str``: a subclass gives its text, which is what
    the client sent, and its own methods never run in record lookups.
    """
    if type(key) is str:
        return key
    return str.__str__(key) if isinstance(key, str) else f"<{type(key).__name__}>"
