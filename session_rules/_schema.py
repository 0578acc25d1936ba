"""JSON Schema 2020-12 and OpenAPI 3.1 documents for the create-session API.

The schemas state every rule that standard keywords can state exactly and
name the rest in ``description`` and ``$comment`` (the ``portable``
flavour) or also in ``x-`` keywords (the ``annotated`` flavour). Patterns
keep to the subset on which Python ``re``, ECMA-262 with the ``u`` flag
and RE2 agree: explicit ASCII classes, literal non-ASCII characters, no
``\\d``, ``\\w``, ``\\s`` or look-around, anchored with ``^`` and ``$``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from ._errors import CODES, ConfigurationError, Outcome
from ._media_types import MAX_MEDIA_TYPE_LENGTH, parse_media_type
from ._metadata import MAX_METADATA_BYTES, MAX_METADATA_DEPTH
from ._policy import DEFAULT_POLICY, Policy, resolve_policy
from ._stage import UploadStage
from ._text import WHITE_SPACE

__all__ = [
    "FLAVOURS",
    "MAX_EXACT_WINDOW",
    "SCHEMA_BASE",
    "SCHEMA_DIALECT",
    "X_KEYWORDS",
    "openapi_document",
    "problem_schema",
    "published_schemas",
    "schema_for",
    "upload_stage_schema",
    "write_schemas",
]

Flavour = Literal["portable", "annotated"]
FLAVOURS: tuple[Flavour, ...] = ("portable", "annotated")

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: Base of every published ``$id``: a name, never fetched.
SCHEMA_BASE = "https://schemas.session-rules.dev/v1/"
#: Widest fileCount window whose counts each get an ``if``/``then`` tying
#: the array length to the count; a wider window falls back to
#: ``minItems``/``maxItems`` alone.
MAX_EXACT_WINDOW = 1000

#: The ``x-`` keywords of the annotated flavour, each naming a rule that
#: standard keywords cannot state.
X_KEYWORDS: tuple[str, ...] = (
    "x-max-serialized-bytes",
    "x-no-duplicate-keys",
    "x-no-lone-surrogates",
    "x-public-https-host",
    "x-allowed-ports",
    "x-ip-literals",
    "x-safe-integers",
    "x-same-length-as",
    "x-utf8-charset-only",
    "x-min-files-not-above-max-files",
)

PATH = "/api/v1/workflows/{slug}/sessions"
_USER_TEXT_MAX = 255
_REQUEST_ID_MAX = 128
_SLUG_MAX = 128

# -- patterns ----------------------------------------------------------
# Python's ``re.search`` lets ``$`` match before a final line feed; every
# anchored pattern is paired with this guard, so all engines agree.
# (The guard names its type so that a null admitted beside it passes.)
_NO_LINE_FEED: Mapping[str, str] = {"type": "string", "pattern": "\\n"}

# RFC 9110 5.6.2 tchar; type and subtype leave out ``*`` (ranges are the
# stage's business, a client names a concrete type).
_TCHAR = "!#$%&'*+\\-.^_`|~0-9A-Za-z"
_TOKEN = f"[{_TCHAR}]+"
_NAME_TOKEN = "[" + _TCHAR.replace("*", "") + "]+"
# RFC 9110 5.6.4 quoted-string, without obs-text.
_QUOTED = '"(?:[\\x09\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\x5c[\\x09\\x20-\\x7e])*"'
_OWS = "[\\x09\\x20]*"
# RFC 9110 8.3.1 with the parameters of 5.6.6.
_PARAMETERS = f"(?:{_OWS};{_OWS}(?:{_TOKEN}=(?:{_TOKEN}|{_QUOTED}))?)*"
_META = frozenset("$()*+.?[\\]^{|}")

_CONTROLS = "\\x00-\\x1f\\x7f"


def _char_ranges(chars: str) -> str:
    """Class contents for a set of literal characters, runs as ranges."""
    points = sorted({ord(ch) for ch in chars})
    runs: list[list[int]] = []
    for point in points:
        if runs and point == runs[-1][1] + 1:
            runs[-1][1] = point
        else:
            runs.append([point, point])
    return "".join(chr(lo) if lo == hi else f"{chr(lo)}-{chr(hi)}" for lo, hi in runs)


# White space that is not a C0 control, as literal characters (RE2 has no
# \u escape); the C0 members are refused as controls anyway.
_SPACES = _char_ranges("".join(ch for ch in WHITE_SPACE if ord(ch) >= 0x20))
# Free text: no C0 control or DEL, and one character that is not white
# space. The leading class holds white space only, so no backtracking.
_USER_TEXT = f"^[{_SPACES}]*[^{_CONTROLS}{_SPACES}][^{_CONTROLS}]*$"
_SLUG = "^[a-z0-9]+(?:-[a-z0-9]+)*$"
_BEARER = "^[Bb][Ee][Aa][Rr][Ee][Rr] aok_[A-Za-z0-9._~+/\\-]+=*$"
_VISIBLE_ASCII = "^[\\x21-\\x7e]+$"
# An https URL with a non-empty authority free of ``@``; none of the
# characters the library refuses anywhere (controls, ASCII space, C1,
# backslash). Every URL the library accepts matches; not the converse.
_URL_CHAR = "\\x00-\\x20\\x7f-\\x9f\\x5c"
_WEBHOOK = f"^[Hh][Tt][Tt][Pp][Ss]://[^{_URL_CHAR}/?#@]+(?:[/?#][^{_URL_CHAR}]*)?$"
_JOB_LOCATION = "^/api/v1/jobs/(?:[A-Za-z0-9._~\\-]|%[0-9A-F]{2})+$"


def caseless(text: str) -> str:
    """A pattern matching ``text`` with ASCII letters in either case."""
    out: list[str] = []
    for char in text:
        if char.isascii() and char.isalpha():
            out.append(f"[{char.upper()}{char.lower()}]")
        elif char in _META:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def media_type_pattern(stage: UploadStage | None, *, parameters: bool) -> str:
    """A pattern for the concrete media types a stage admits.

    ``None`` stands for a stage that admits every type (``*/*``).
    """
    choices = _essence_patterns(stage)
    body = choices[0] if len(choices) == 1 else "(?:" + "|".join(choices) + ")"
    return "^" + body + (_PARAMETERS if parameters else "") + "$"


def _essence_patterns(stage: UploadStage | None) -> list[str]:
    if stage is None:
        return [f"{_NAME_TOKEN}/{_NAME_TOKEN}"]
    ranges: set[str] = set()
    exact: dict[str, set[str]] = {}
    for item in stage.accepted_formats:
        parsed = parse_media_type(item)
        if parsed is None:  # pragma: no cover - the stage validated it
            continue
        if parsed.type == "*":
            return [f"{_NAME_TOKEN}/{_NAME_TOKEN}"]
        if parsed.subtype == "*":
            ranges.add(parsed.type)
        else:
            exact.setdefault(parsed.type, set()).add(parsed.subtype)
    out = [f"{caseless(t)}/{_NAME_TOKEN}" for t in sorted(ranges)]
    for type_, subtypes in sorted(exact.items()):
        if type_ in ranges:
            continue
        alts = [caseless(s) for s in sorted(subtypes)]
        sub = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        out.append(f"{caseless(type_)}/{sub}")
    return out


def _string(pattern: str, **keywords: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", **keywords}
    schema["pattern"] = pattern
    schema["not"] = dict(_NO_LINE_FEED)
    return schema


# -- the request body --------------------------------------------------


def schema_for(
    stage: UploadStage | None,
    policy: Policy | None = None,
    *,
    flavour: Flavour = "portable",
) -> dict[str, Any]:
    """The JSON Schema of a create-session body for one upload stage.

    ``stage=None`` gives the generic schema published in ``schemas/``,
    which holds for every stage. Raises `ConfigurationError` for a bad
    stage, policy or flavour.
    """
    if stage is not None and not isinstance(stage, UploadStage):
        raise ConfigurationError("stage must be an UploadStage or None")
    policy = resolve_policy(policy)
    annotated = _annotated(flavour)
    schema: dict[str, Any] = {"$schema": SCHEMA_DIALECT}
    if stage is None and policy == DEFAULT_POLICY:
        schema["$id"] = _id("create-session-request.json", flavour)
    schema.update(
        title="Create upload session: request body",
        description=_request_description(stage),
        type="object",
        required=["fileCount", "contentTypes", "clientSubmissionId"],
        properties={
            "fileCount": _file_count(stage),
            "contentTypes": _content_types(stage, policy, annotated),
            "clientSubmissionId": _user_text(
                policy.max_client_submission_id,
                "The idempotency key of the request.",
                annotated,
            ),
            "webhookUrl": _webhook(policy, annotated),
            "metadata": _metadata(annotated),
            "externalUser": _external_user(policy, annotated),
        },
    )
    if not policy.ignore_unknown_members:
        schema["additionalProperties"] = False
    window = _window_rules(stage)
    if window:
        schema["allOf"] = window
    schema["$comment"] = _REQUEST_COMMENT
    if annotated:
        schema["x-no-duplicate-keys"] = True
    if policy.null_as_absent:
        _allow_null(schema["properties"])
        _allow_null(schema["properties"]["externalUser"]["properties"])
    return schema


_REQUEST_COMMENT = (
    "Rules this schema cannot state and only the library checks: a webhook"
    " URL must name a valid, public host (with the port and IP-literal"
    " policy); metadata must serialise to at most 4096 UTF-8 bytes and hold"
    " only integers within plus or minus 2^53-1 when written without a"
    " fraction; strings must not hold lone UTF-16 surrogates; member names"
    " must not repeat in the raw JSON text."
)


def _request_description(stage: UploadStage | None) -> str:
    if stage is None:
        return (
            "The body of POST /api/v1/workflows/{slug}/sessions for any upload"
            " stage. A server judges it against the stage it resolved for the"
            " slug: use schema_for(stage) for the exact window and formats."
        )
    formats = ", ".join(stage.accepted_formats)
    return (
        "The body of POST /api/v1/workflows/{slug}/sessions for an upload"
        f" stage of {stage.min_files} to {stage.max_files} files of {formats}."
    )


def _file_count(stage: UploadStage | None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": 0}
    if stage is not None:
        schema.update(minimum=stage.min_files, maximum=stage.max_files)
    schema["description"] = (
        "How many files the session will receive; a number with a zero"
        " fraction (2.0) counts as an integer."
    )
    return schema


def _content_types(
    stage: UploadStage | None, policy: Policy, annotated: bool
) -> dict[str, Any]:
    parameters = not policy.refuse_media_type_parameters
    entry = _string(
        media_type_pattern(stage, parameters=parameters),
        maxLength=MAX_MEDIA_TYPE_LENGTH,
        description=(
            "One concrete media type (RFC 9110), type and subtype in any case"
            + ("; parameters are allowed and ignored." if parameters else ";"
               " parameters are refused.")
        ),
    )  # fmt: skip
    schema: dict[str, Any] = {"type": "array", "items": entry}
    if stage is not None:
        schema.update(minItems=stage.min_files, maxItems=stage.max_files)
    exact = stage is not None and _window_size(stage) <= MAX_EXACT_WINDOW
    schema["description"] = "One media type per file, as many as fileCount."
    if not exact:
        schema["$comment"] = (
            "The array must have exactly fileCount entries; this schema does"
            " not state it (the window is unknown or too wide)."
        )
        if annotated:
            schema["x-same-length-as"] = "fileCount"
    return schema


def _window_size(stage: UploadStage) -> int:
    return stage.max_files - stage.min_files + 1


def _window_rules(stage: UploadStage | None) -> list[dict[str, Any]]:
    """One ``if``/``then`` a count: the array is as long as fileCount."""
    if stage is None or _window_size(stage) > MAX_EXACT_WINDOW:
        return []
    return [
        {
            "if": {
                "required": ["fileCount"],
                "properties": {"fileCount": {"const": count}},
            },
            "then": {
                "properties": {
                    "contentTypes": {
                        "type": "array",
                        "minItems": count,
                        "maxItems": count,
                    }
                }
            },
        }
        for count in range(stage.min_files, stage.max_files + 1)
    ]


def _user_text(maximum: int, what: str, annotated: bool) -> dict[str, Any]:
    schema = _string(
        _USER_TEXT,
        minLength=1,
        maxLength=maximum,
        description=(
            f"{what} Up to {maximum} characters (code points), not blank, no"
            " control characters."
        ),
    )
    schema["$comment"] = "Lone UTF-16 surrogates are refused by the library."
    if annotated:
        schema["x-no-lone-surrogates"] = True
    return schema


def _webhook(policy: Policy, annotated: bool) -> dict[str, Any]:
    schema = _string(
        _WEBHOOK,
        maxLength=policy.max_webhook_url,
        description=(
            "An https URL the server calls when the session finishes. The"
            " library also requires a valid, public host and returns the URL"
            " in canonical form; the server stores that form."
        ),
    )
    schema["$comment"] = (
        "The pattern admits a superset: host validity, public reachability"
        " and the port policy are left to the library."
    )
    if annotated:
        schema["x-public-https-host"] = True
        if policy.allowed_ports is not None:
            schema["x-allowed-ports"] = [
                [r.start, r.stop - 1] for r in policy.allowed_ports if r
            ]
        if not policy.allow_ip_literals:
            schema["x-ip-literals"] = False
    return schema


_LEAF: Mapping[str, Any] = {
    "anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]
}


def _metadata(annotated: bool) -> dict[str, Any]:
    leaf = dict(_LEAF)
    value = {
        "anyOf": [
            *leaf["anyOf"],
            {"type": "array", "items": leaf},
            {"type": "object", "additionalProperties": leaf},
        ]
    }
    schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": value,
        "description": (
            f"Free-form labels, at most {MAX_METADATA_DEPTH} levels deep:"
            " values are strings, numbers, booleans, or arrays and objects"
            " of those."
        ),
        "$comment": (
            f"Only the library checks the size ({MAX_METADATA_BYTES} UTF-8"
            " bytes of JSON.stringify), integers beyond plus or minus 2^53-1"
            " and lone surrogates."
        ),
    }
    if annotated:
        schema["x-max-serialized-bytes"] = MAX_METADATA_BYTES
        schema["x-safe-integers"] = True
        schema["x-no-lone-surrogates"] = True
    return schema


def _external_user(policy: Policy, annotated: bool) -> dict[str, Any]:
    members = {
        name: _user_text(_USER_TEXT_MAX, what, annotated)
        for name, what in (
            ("name", "The user's display name."),
            ("email", "The user's e-mail address, a label only."),
            ("id", "The user's id in the calling system."),
        )
    }
    schema: dict[str, Any] = {
        "type": "object",
        "properties": members,
        "description": "The person on whose behalf the session is created.",
    }
    if not policy.ignore_unknown_members:
        schema["additionalProperties"] = False
    return schema


def _allow_null(properties: dict[str, Any]) -> None:
    """Under the null switch an optional member may be ``null``."""
    for name in ("webhookUrl", "metadata", "externalUser", "name", "email", "id"):
        if name in properties:
            properties[name]["type"] = [properties[name]["type"], "null"]


# -- the upload stage --------------------------------------------------

_RANGE = f"^(?:\\*/\\*|{_NAME_TOKEN}/\\*|{_NAME_TOKEN}/{_NAME_TOKEN})$"


def upload_stage_schema(*, flavour: Flavour = "portable") -> dict[str, Any]:
    """The JSON Schema of an upload stage, the server's configuration."""
    annotated = _annotated(flavour)
    bound = {"type": "integer", "minimum": 0}
    schema: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "$id": _id("upload-stage.json", flavour),
        "title": "Upload stage",
        "description": (
            "The file window and accepted formats a request is judged"
            " against. A bad stage is a server configuration error."
        ),
        "type": "object",
        "required": ["minFiles", "maxFiles", "acceptedFormats"],
        "properties": {
            "minFiles": {**bound, "description": "Fewest files accepted."},
            "maxFiles": {**bound, "description": "Most files accepted."},
            "acceptedFormats": {
                "type": "array",
                "minItems": 1,
                "items": _string(
                    _RANGE,
                    description="A media type, type/* or */*; no parameters.",
                ),
            },
        },
        "$comment": "minFiles must not exceed maxFiles.",
    }
    if annotated:
        schema["x-min-files-not-above-max-files"] = True
    return schema


# -- problem documents -------------------------------------------------


def problem_schema(*, flavour: Flavour = "portable") -> dict[str, Any]:
    """The JSON Schema of a rejection: an RFC 9457 problem document."""
    _annotated(flavour)
    statuses = sorted({info.status for info in CODES.values()})
    record = {
        "type": "object",
        "required": ["field", "pointer", "in", "code", "message", "params"],
        "properties": {
            "field": {"type": "string"},
            "pointer": {"type": ["string", "null"]},
            "in": {"enum": ["body", "header", "path"]},
            "code": _string("^[a-z]+(?:-[a-z]+)*$"),
            "message": {"type": "string"},
            "params": {"type": "object"},
        },
        "additionalProperties": False,
    }
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": _id("problem.json", flavour),
        "title": "Problem document",
        "description": (
            "How a rejected request is answered (application/problem+json):"
            " the status, a summary and one record per problem."
        ),
        "type": "object",
        "required": ["type", "title", "status", "detail", "errors"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"enum": statuses},
            "detail": {"type": "string"},
            "errors": {"type": "array", "minItems": 1, "items": record},
        },
        "allOf": [_status_rule(status) for status in statuses],
    }


def _status_rule(status: int) -> dict[str, Any]:
    codes = sorted(code for code, info in CODES.items() if info.status == status)
    errors: dict[str, Any] = {
        "type": "array",
        "items": {"type": "object", "properties": {"code": {"enum": codes}}},
    }
    if status != 422:
        errors["maxItems"] = 1
    suffix = _problem_slug(status)
    return {
        "if": {"required": ["status"], "properties": {"status": {"const": status}}},
        "then": {
            "properties": {
                "type": _string(f"^[\\x21-\\x7e]*{suffix}$"),
                "errors": errors,
            }
        },
    }


def _problem_slug(status: int) -> str:
    document = Outcome(status).problem(base="")
    assert document is not None  # only accepted outcomes have none
    return str(document["type"])


# -- OpenAPI -----------------------------------------------------------


def openapi_document(
    *, flavour: Flavour = "portable", policy: Policy | None = None
) -> dict[str, Any]:
    """An OpenAPI 3.1 description of ``POST /api/v1/workflows/{slug}/sessions``."""
    annotated = _annotated(flavour)
    policy = resolve_policy(policy)
    request = _embedded(schema_for(None, policy, flavour=flavour))
    stage = _embedded(upload_stage_schema(flavour=flavour))
    problem = _embedded(problem_schema(flavour=flavour))
    location = {
        "description": "Where the session lives: /api/v1/jobs/{sessionId}.",
        "required": True,
        "schema": _string(_JOB_LOCATION),
    }
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    errors = {
        str(status): {
            "description": text,
            "content": {"application/problem+json": {"schema": problem_ref}},
        }
        for status, text in _ERROR_ANSWERS
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Create upload session",
            "version": "1",
            "description": (
                "The request a client sends to open an upload session, and"
                " the answers it gets. Generated by session_rules."
            ),
        },
        "jsonSchemaDialect": SCHEMA_DIALECT,
        "paths": {
            PATH: {
                "post": {
                    "operationId": "createSession",
                    "summary": "Open an upload session for a workflow.",
                    "security": [{"companyApiKey": []}],
                    "parameters": _parameters(annotated),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "$ref": "#/components/schemas/CreateSessionRequest"
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "A new session was created.",
                            "headers": {"Location": location},
                        },
                        "200": {
                            "description": (
                                "A replay: the pending session that already"
                                " holds this clientSubmissionId."
                            ),
                            "headers": {"Location": location},
                        },
                        **errors,
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "CreateSessionRequest": request,
                "Problem": problem,
                "UploadStage": stage,
            },
            "securitySchemes": {
                "companyApiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "company API key starting with aok_",
                }
            },
        },
        "x-id": _id("openapi.json", flavour),
    }


_ERROR_ANSWERS = (
    (400, "The raw body is not acceptable JSON (invalid-json, duplicate-key)."),
    (401, "Authorization is missing or malformed; nothing else is checked."),
    (404, "The slug cannot name a workflow (invalid-slug)."),
    (409, "The clientSubmissionId is held by a conflicting session."),
    (415, "The body is not sent as application/json (charset utf-8 only)."),
    (422, "Every validation problem of the headers and body, in order."),
)


def _parameters(annotated: bool) -> list[dict[str, Any]]:
    content_type = _string(
        "^[\\x09\\x20]*" + caseless("application/json") + _PARAMETERS
        + "[\\x09\\x20]*$",
        description="application/json; a charset parameter must be utf-8.",
    )  # fmt: skip
    if annotated:
        content_type["x-utf8-charset-only"] = True
    return [
        {
            "name": "slug",
            "in": "path",
            "required": True,
            "description": "The workflow: lower-case letters and digits in"
            " groups joined by single hyphens.",
            "schema": _string(_SLUG, maxLength=_SLUG_MAX),
        },
        {
            "name": "Authorization",
            "in": "header",
            "required": True,
            "description": "Bearer and a company API key. OpenAPI tools take"
            " this from the security scheme; the pattern is for readers.",
            "schema": _string(_BEARER),
        },
        {
            "name": "X-Request-Id",
            "in": "header",
            "required": False,
            "description": "An id for tracing: visible ASCII only.",
            "schema": _string(_VISIBLE_ASCII, maxLength=_REQUEST_ID_MAX),
        },
        {
            "name": "Content-Type",
            "in": "header",
            "required": False,
            "description": "OpenAPI tools take this from the request body;"
            " listed for readers.",
            "schema": content_type,
        },
    ]


def _embedded(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema inside the OpenAPI document: the dialect is set there."""
    return {k: v for k, v in schema.items() if k not in ("$schema", "$id")}


# -- publishing --------------------------------------------------------


def published_schemas() -> dict[str, dict[str, Any]]:
    """Every checked-in document under ``schemas/``, by relative path."""
    out: dict[str, dict[str, Any]] = {}
    for flavour in FLAVOURS:
        folder = "v1/" if flavour == "portable" else "v1/annotated/"
        out[folder + "create-session-request.json"] = schema_for(None, flavour=flavour)
        out[folder + "upload-stage.json"] = upload_stage_schema(flavour=flavour)
        out[folder + "problem.json"] = problem_schema(flavour=flavour)
        out[folder + "openapi.json"] = openapi_document(flavour=flavour)
    return out


def dump(document: Mapping[str, Any]) -> str:
    """The text a document is stored as: indented, ASCII, newline-ended."""
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    """Write every published document below ``directory``; return the paths."""
    written: list[Path] = []
    for relative, document in published_schemas().items():
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dump(document), encoding="utf-8")
        written.append(target)
    return written


# -- helpers -----------------------------------------------------------


def _id(name: str, flavour: Flavour) -> str:
    return SCHEMA_BASE + ("" if flavour == "portable" else "annotated/") + name


def _annotated(flavour: object) -> bool:
    if flavour not in FLAVOURS:
        raise ConfigurationError(f"flavour must be one of {', '.join(FLAVOURS)}")
    return flavour == "annotated"


def x_keywords_in(document: object) -> set[str]:
    """Every ``x-`` member name anywhere in a document."""
    found: set[str] = set()
    stack: list[object] = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.update(k for k in item if isinstance(k, str) and k.startswith("x-"))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found
