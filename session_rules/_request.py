"""One create-session request: precedence, order, gating and the error cap.

Each rule family reports findings; this module alone gives them fields and
pointers, orders them as the contract lists the fields, and caps them.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
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
from ._media_types import check_media_type
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
    ``stage``, ``policy`` or ``headers`` container.
    """
    policy = _settings(stage, policy)
    values = read_headers(headers)
    early = gatekeep(values, slug)
    if early is not None:
        return _done(early, policy)
    return judge_body(body, stage, policy, values)


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
    webhook: list[str] = []
    errors = _cap(_body_errors(body, stage, policy, webhook), policy.max_errors)
    request_id = check_request_id(values)
    if request_id is not None:
        errors = _cap_with(errors, request_id, policy.max_errors)
    if errors:
        return Outcome(422, tuple(errors), problem_base=policy.problem_base)
    return Outcome(
        201, (), webhook[0] if webhook else None, problem_base=policy.problem_base
    )


def _cap(found: Report, limit: int) -> list[FieldError]:
    """Build the first ``limit`` records; count the rest without building."""
    kept: list[FieldError] = []
    omitted = 0
    for finding, path, field_path in found:
        if len(kept) < limit:
            kept.append(build_error(finding, path, field_path=field_path))
        else:
            omitted += 1
    if omitted:
        kept.append(_too_many(omitted))
    return kept


def _cap_with(
    errors: list[FieldError], extra: FieldError, limit: int
) -> list[FieldError]:
    """Append a header error to a capped list, keeping the cap."""
    if errors and errors[-1].code == "too-many-errors":
        return [*errors[:-1], _too_many(int(errors[-1].params["omitted"]) + 1)]
    if len(errors) < limit:
        return [*errors, extra]
    return [*errors, _too_many(1)]


def _too_many(omitted: int) -> FieldError:
    return build_error(Finding("too-many-errors", {"omitted": omitted}), ())


# -- the body ----------------------------------------------------------

Path = tuple[PathSegment, ...]
#: A finding not yet built into a record: finding, root, field path.
Pending = tuple[Finding, Path, Path | None]
Report = Iterator[Pending]


def _at(path: Path, code: str, **params: Any) -> Pending:
    return Finding(code, params), path, None


def _wrong_type(path: Path, value: object, expected: str) -> Pending:
    return _at(path, "wrong-type", expected=expected, actual=json_type(value))


def _body_errors(
    body: Any, stage: UploadStage, policy: Policy, webhook: list[str]
) -> Report:
    if not isinstance(body, dict):
        yield _wrong_type((), body, "object")
        return
    count = yield from _file_count(body.get("fileCount", _ABSENT), stage)
    yield from _content_types(body.get("contentTypes", _ABSENT), count, stage, policy)
    yield from _submission_id(body.get("clientSubmissionId", _ABSENT), policy)
    yield from _webhook_url(body.get("webhookUrl", _ABSENT), policy, webhook)
    yield from _metadata(body.get("metadata", _ABSENT), policy)
    yield from _external_user(body.get("externalUser", _ABSENT), policy)
    if not policy.ignore_unknown_members:
        yield from _unknown(body, KNOWN_MEMBERS, ())


def _file_count(
    value: object, stage: UploadStage
) -> Generator[Pending, None, int | None]:
    """Yields fileCount's error; returns the count when it is valid."""
    path = ("fileCount",)
    if value is _ABSENT:
        yield _at(path, "required")
        return None
    count = _as_integer(value)
    if count is None:
        yield _wrong_type(path, value, "integer")
        return None
    if stage.min_files <= count <= stage.max_files:
        return count
    params: dict[str, Any] = {"min": stage.min_files, "max": stage.max_files}
    if -SAFE_INTEGER <= count <= SAFE_INTEGER:
        params["actual"] = count
    yield _at(path, "out-of-window", **params)
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
    value: object, count: int | None, stage: UploadStage, policy: Policy
) -> Report:
    path: Path = ("contentTypes",)
    if value is _ABSENT:
        yield _at(path, "required")
        return
    if not isinstance(value, list):
        yield _wrong_type(path, value, "array")
        return
    if count is not None and len(value) != count:
        yield _at(path, "length-mismatch", expected=count, actual=len(value))
    refuse = policy.refuse_media_type_parameters
    # Entries past maxFiles - 1 are covered by the length or count error.
    for index in range(min(len(value), stage.max_files)):
        entry = value[index]
        where = ("contentTypes", index)
        if not isinstance(entry, str):
            yield _wrong_type(where, entry, "string")
            continue
        essence, failure = check_media_type(entry, refuse_parameters=refuse)
        if failure is not None:
            yield _at(where, "invalid-media-type", **failure)
        elif essence is not None and not stage.accepts(essence):
            yield _at(where, "format-not-accepted", accepted=stage.accepted_formats)


def _submission_id(value: object, policy: Policy) -> Report:
    path = ("clientSubmissionId",)
    if value is _ABSENT:
        yield _at(path, "required")
    else:
        yield from _text(value, path, policy.max_client_submission_id)


def _text(value: object, path: Path, max_length: int) -> Report:
    if not isinstance(value, str):
        yield _wrong_type(path, value, "string")
        return
    failure = check_text(value, max_length)
    if failure is not None:
        yield _at(path, failure[0], **failure[1])


def _present(value: object, policy: Policy) -> bool:
    """Whether an optional member is there to check (null may be absent)."""
    return value is not _ABSENT and not (value is None and policy.null_as_absent)


def _webhook_url(value: object, policy: Policy, webhook: list[str]) -> Report:
    path = ("webhookUrl",)
    if not _present(value, policy):
        return
    if not isinstance(value, str):
        yield _wrong_type(path, value, "string")
        return
    canonical, finding = judge_webhook(value, policy)
    if finding is not None:
        yield finding, path, None
    elif canonical is not None:
        webhook.append(canonical)


def _metadata(value: object, policy: Policy) -> Report:
    path = ("metadata",)
    if not _present(value, policy):
        return
    if not isinstance(value, dict):
        yield _wrong_type(path, value, "object")
        return
    for finding in walk_metadata(value):
        yield finding, path, path


def _external_user(value: object, policy: Policy) -> Report:
    path = ("externalUser",)
    if not _present(value, policy):
        return
    if not isinstance(value, dict):
        yield _wrong_type(path, value, "object")
        return
    for name in USER_MEMBERS:
        member = value.get(name, _ABSENT)
        if _present(member, policy):
            yield from _text(member, ("externalUser", name), MAX_USER_MEMBER)
    if not policy.ignore_unknown_members:
        yield from _unknown(value, USER_MEMBERS, path)


def _unknown(obj: dict[Any, Any], known: tuple[str, ...], path: Path) -> Report:
    for key in obj:
        if key not in known:
            yield _at((*path, _key_segment(key)), "unknown-field")


def _key_segment(key: object) -> str:
    """A path segment for a member name; non-string keys by their type."""
    return key if isinstance(key, str) else f"<{type(key).__name__}>"
