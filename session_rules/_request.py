"""One create-session request: precedence, order, gating and the error cap.

Each rule family reports findings; this module alone gives them fields and
pointers, orders them as the contract lists the fields, and caps them.
"""

from __future__ import annotations

from typing import Any

from ._errors import (
    CODES,
    ConfigurationError,
    FieldError,
    Finding,
    Outcome,
    PathSegment,
    build_error,
    header_error,
    json_type,
)
from ._headers import check_authorization, check_request_id, check_slug, read_headers
from ._metadata import walk_metadata
from ._policy import DEFAULT_POLICY, Policy
from ._raw import check_content_type, parse_body
from ._stage import UploadStage
from ._text import check_text
from ._webhook import judge_webhook

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
_KNOWN_SETS = {
    KNOWN_MEMBERS: frozenset(KNOWN_MEMBERS),
    USER_MEMBERS: frozenset(USER_MEMBERS),
}
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
    policy = _settings(stage, policy)
    try:
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
    if content_type is not None and not check_content_type(content_type):
        error = header_error("Content-Type", "unsupported-media-type")
        return Outcome(415, (error,), problem_base=policy.problem_base)
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise ConfigurationError("raw must be bytes")
    body, finding = parse_body(bytes(raw), policy)
    if finding is not None:
        error = build_error(finding, (), field_path=())
        return Outcome(400, (error,), problem_base=policy.problem_base)
    return judge_body(body, stage, policy, values)


def _settings(stage: object, policy: object) -> Policy:
    if not isinstance(stage, UploadStage):
        raise ConfigurationError("stage must be an UploadStage")
    if policy is None:
        return DEFAULT_POLICY
    if not isinstance(policy, Policy):
        raise ConfigurationError("policy must be a Policy")
    return policy


def gatekeep(values: dict[str, list[object]], slug: object) -> FieldError | None:
    """The 401 and 404 checks, which hide everything after them."""
    return check_authorization(values) or check_slug(slug)


def _done(error: FieldError, policy: Policy) -> Outcome:
    status = CODES[error.code].status
    return Outcome(status, (error,), problem_base=policy.problem_base)


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
        return Outcome(201, (), webhook, problem_base=policy.problem_base)
    errors = _cap(found, policy.max_errors, at_least=cut)
    return Outcome(422, tuple(errors), problem_base=policy.problem_base)


def _cap(
    found: list[Pending | FieldError], limit: int, *, at_least: bool
) -> list[FieldError]:
    """Build the first ``limit`` records; count the rest without building.

    ``at_least`` marks a count that is a lower bound, because a walk
    stopped once the cap was full.
    """
    kept = [
        item
        if isinstance(item, FieldError)
        else build_error(*item[:2], field_path=item[2])
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
#: A finding not yet built into a record: finding, root, field path.
Pending = tuple[Finding, Path, Path | None]
Found = list[Pending | FieldError]


def _at(path: Path, code: str, **params: Any) -> Pending:
    return Finding(code, params), path, None


def _wrong_type(path: Path, value: object, expected: str) -> Pending:
    return _at(path, "wrong-type", expected=expected, actual=json_type(value))


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
    if type(value) is int and stage.min_files <= value <= stage.max_files:
        return value
    path = ("fileCount",)
    if value is _ABSENT:
        found.append(_at(path, "required"))
        return None
    count = _as_integer(value)
    if count is None:
        found.append(_wrong_type(path, value, "integer"))
        return None
    if stage.min_files <= count <= stage.max_files:
        return count
    params: dict[str, Any] = {"min": stage.min_files, "max": stage.max_files}
    if -SAFE_INTEGER <= count <= SAFE_INTEGER:
        params["actual"] = count
    found.append(_at(path, "out-of-window", **params))
    return None


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
    path: Path = ("contentTypes",)
    if value is _ABSENT:
        found.append(_at(path, "required"))
        return
    if not isinstance(value, list):
        found.append(_wrong_type(path, value, "array"))
        return
    if count is not None and len(value) != count:
        found.append(_at(path, "length-mismatch", expected=count, actual=len(value)))
    refuse = policy.refuse_media_type_parameters
    judge = stage.judge_media_type
    # Entries past maxFiles - 1 are covered by the length or count error.
    for index in range(min(len(value), stage.max_files)):
        entry = value[index]
        if not isinstance(entry, str):
            found.append(_wrong_type(("contentTypes", index), entry, "string"))
            continue
        verdict = judge(entry, refuse)
        if verdict is not None:
            found.append(_at(("contentTypes", index), verdict[0], **verdict[1]))


def _submission_id(value: object, policy: Policy, found: Found) -> None:
    if value is _ABSENT:
        found.append(_at(("clientSubmissionId",), "required"))
    else:
        _text(value, ("clientSubmissionId",), policy.max_client_submission_id, found)


def _text(value: object, path: Path, max_length: int, found: Found) -> None:
    if not isinstance(value, str):
        found.append(_wrong_type(path, value, "string"))
        return
    failure = check_text(value, max_length)
    if failure is not None:
        found.append(_at(path, failure[0], **failure[1]))


def _present(value: object, policy: Policy) -> bool:
    """Whether an optional member is there to check (null may be absent)."""
    return value is not _ABSENT and not (value is None and policy.null_as_absent)


def _webhook_url(value: object, policy: Policy, found: Found) -> str | None:
    if not _present(value, policy):
        return None
    if not isinstance(value, str):
        found.append(_wrong_type(("webhookUrl",), value, "string"))
        return None
    canonical, finding = judge_webhook(value, policy)
    if finding is not None:
        found.append((finding, ("webhookUrl",), None))
        return None
    return canonical


def _metadata(value: object, policy: Policy, found: Found) -> bool:
    """Append metadata's findings; True when the walk may have been cut."""
    path = ("metadata",)
    if not _present(value, policy):
        return False
    if not isinstance(value, dict):
        found.append(_wrong_type(path, value, "object"))
        return False
    # Once the cap is full, further metadata findings could only raise the
    # omitted count: stop there, so 10,000 bad members cost what 101 do.
    room = max(policy.max_errors + 1 - len(found), 1)
    findings = walk_metadata(value, stop_after=room)
    found.extend((finding, path, path) for finding in findings)
    return len(findings) >= room


def _external_user(value: object, policy: Policy, found: Found) -> None:
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
    return len(obj) <= len(known) and _KNOWN_SETS[known].issuperset(obj)


def _unknown(
    obj: dict[Any, Any], known: tuple[str, ...], path: Path, found: Found
) -> None:
    for key in obj:
        if key not in known:
            found.append(_at((*path, _key_segment(key)), "unknown-field"))


def _key_segment(key: object) -> str:
    """A path segment for a member name; non-string keys by their type."""
    return key if isinstance(key, str) else f"<{type(key).__name__}>"
