"""Error records, outcomes and problem documents.

Every rule family reports `Finding` values (a code, its params and a path
below the field); `build_error` turns one into the public `FieldError`,
with the field name, RFC 6901 pointer and message the contract fixes.
Outcomes render as RFC 9457 problem documents.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from ._frozen import Frozen
from ._lazy_re import LazyPattern
from ._memo import remember

Location = Literal["body", "header", "path"]

__all__ = [
    "CODES",
    "ConfigurationError",
    "FieldError",
    "Finding",
    "Outcome",
]

PathSegment = str | int

#: Longest piece of caller text that a record repeats (SPEC section 2).
ECHO_LIMIT = 64
_ELLIPSIS = "…"
_IDENTIFIER = LazyPattern(r"[A-Za-z_$][A-Za-z0-9_$]*")


class ConfigurationError(ValueError):
    """A stage or policy the server configured is unusable."""


class Finding(NamedTuple):
    """One problem found by a rule family, before it gets a field name."""

    code: str
    params: dict[str, Any]
    path: tuple[PathSegment, ...] = ()


class CodeInfo(NamedTuple):
    """What the catalogue says of one code."""

    status: int
    fields: str
    params: tuple[str, ...]


#: The code catalogue (SPEC section 8): status, fields, params at least.
CODES: Mapping[str, CodeInfo] = MappingProxyType(
    {
        "missing-credentials": CodeInfo(401, "Authorization", ()),
        "invalid-credentials": CodeInfo(401, "Authorization", ()),
        "invalid-slug": CodeInfo(404, "slug", ()),
        "unsupported-media-type": CodeInfo(415, "Content-Type", ()),
        "invalid-json": CodeInfo(400, '""', ("reason",)),
        "duplicate-key": CodeInfo(400, '"" (pointer at the object)', ("key",)),
        "wrong-type": CodeInfo(422, "any", ("expected", "actual")),
        "required": CodeInfo(422, "fileCount, contentTypes, clientSubmissionId", ()),
        "unknown-field": CodeInfo(422, "unknown members", ()),
        "out-of-window": CodeInfo(422, "fileCount", ("min", "max", "actual")),
        "length-mismatch": CodeInfo(422, "contentTypes", ("expected", "actual")),
        "invalid-media-type": CodeInfo(422, "contentTypes[i]", ("reason",)),
        "format-not-accepted": CodeInfo(422, "contentTypes[i]", ("accepted",)),
        "invalid-string": CodeInfo(422, "any string member", ("reason",)),
        "empty": CodeInfo(422, "clientSubmissionId, externalUser.*", ()),
        "too-long": CodeInfo(
            422,
            "clientSubmissionId, externalUser.*, X-Request-Id",
            ("max", "actual"),
        ),
        "malformed-url": CodeInfo(422, "webhookUrl", ("reason",)),
        "not-https": CodeInfo(422, "webhookUrl", ()),
        "credentials-in-url": CodeInfo(422, "webhookUrl", ()),
        "ambiguous-host": CodeInfo(422, "webhookUrl", ("reason",)),
        "host-not-public": CodeInfo(422, "webhookUrl", ("reason", "host", "resolved")),
        "port-not-allowed": CodeInfo(422, "webhookUrl", ("port",)),
        "metadata-too-large": CodeInfo(422, "metadata", ("max", "actual")),
        "metadata-too-deep": CodeInfo(422, "metadata", ("max",)),
        "metadata-invalid-value": CodeInfo(422, "metadata", ("type",)),
        "invalid-header-value": CodeInfo(422, "X-Request-Id", ()),
        "too-many-errors": CodeInfo(422, '""', ("omitted",)),
        "idempotency-conflict": CodeInfo(409, "clientSubmissionId", ()),
    }
)


class FieldError(Frozen):
    """One problem with one field of a request, ready to send to a client.

    Immutable, compared by value and hashed by field, pointer, location
    and code.  ``params`` is kept as a read-only mapping (lists become
    tuples); ``location`` is rendered as ``in`` by :meth:`to_dict`.
    """

    _FIELDS = ("field", "pointer", "location", "code", "message", "params")
    __slots__ = _FIELDS
    field: str
    pointer: str | None
    location: Location
    code: str
    message: str
    params: Mapping[str, Any]

    def __init__(  # noqa: PLR0917 (the record's fields, in order)
        self,
        field: str,
        pointer: str | None,
        location: Location,
        code: str,
        message: str,
        params: Mapping[str, Any],
    ) -> None:
        self._assign(
            (
                ("field", field),
                ("pointer", pointer),
                ("location", location),
                ("code", code),
                ("message", message),
                ("params", _freeze(params)),
            )
        )

    def __hash__(self) -> int:
        return hash((self.field, self.pointer, self.location, self.code))

    def _arguments(self) -> dict[str, Any]:
        return {**Frozen._arguments(self), "params": _thaw(self.params)}

    def to_dict(self) -> dict[str, Any]:
        """The record as plain JSON values, ``location`` as ``in``."""
        return {
            "field": self.field,
            "pointer": self.pointer,
            "in": self.location,
            "code": self.code,
            "message": self.message,
            "params": _thaw(self.params),
        }


# Values that freeze to themselves; checked by exact type before the
# slower abstract Mapping test, with the same result.
_ATOMS = frozenset({str, int, float, bool, type(None)})


def _freeze(value: Any) -> Any:
    if type(value) in _ATOMS:
        return value
    if type(value) is dict:
        return MappingProxyType(
            {k: v if type(v) in _ATOMS else _freeze(v) for k, v in value.items()}
        )
    if isinstance(value, Mapping):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


_PROBLEM_TYPES: Mapping[int, tuple[str, str]] = MappingProxyType(
    {
        400: ("invalid-json", "The request body is not acceptable JSON"),
        401: ("unauthorized", "Missing or malformed credentials"),
        404: ("workflow-not-found", "No such workflow"),
        409: ("idempotency-conflict", "Conflicting replay"),
        415: ("unsupported-media-type", "Unsupported request media type"),
        422: ("validation-error", "The request did not validate"),
    }
)


class Outcome(Frozen):
    """The verdict on one request: a status, its errors, the webhook to keep.

    ``webhook_url`` is the canonical form of the request's webhook URL,
    set only when the request was accepted and carried one.  Immutable
    and compared by value.
    """

    _FIELDS = ("status", "errors", "webhook_url", "problem_base")
    __slots__ = _FIELDS
    status: int
    errors: tuple[FieldError, ...]
    webhook_url: str | None
    problem_base: str

    def __init__(
        self,
        status: int,
        errors: tuple[FieldError, ...] = (),
        webhook_url: str | None = None,
        problem_base: str = "/problems/",
    ) -> None:
        self._assign(
            (
                ("status", status),
                ("errors", errors),
                ("webhook_url", webhook_url),
                ("problem_base", problem_base),
            )
        )

    @property
    def ok(self) -> bool:
        """True when the request was accepted (201, or 200 for a replay)."""
        return self.status < 300

    def problem(self, *, base: str | None = None) -> dict[str, Any] | None:
        """The RFC 9457 problem document, or None for an accepted request."""
        if self.ok:
            return None
        slug, title = _PROBLEM_TYPES.get(self.status, ("error", "Error"))
        count = len(self.errors)
        detail = (
            self.errors[0].message
            if count == 1
            else f"The request has {count} problems; see errors."
        )
        return {
            "type": (self.problem_base if base is None else base) + slug,
            "title": title,
            "status": self.status,
            "detail": detail,
            "errors": [e.to_dict() for e in self.errors],
        }


# -- cheap construction ------------------------------------------------
#
# The constructors check their arguments and set each field through
# Frozen._assign, and FieldError's freezes params again. The library
# builds records from params it has already frozen, so it sets the slots
# directly through their descriptors: the same instance, several times
# faster.

_new = object.__new__


def _slot_setter(cls: type, name: str) -> Callable[[Any, Any], None]:
    """The slot descriptor's setter, which skips the frozen __setattr__."""
    setter: Callable[[Any, Any], None] = cls.__dict__[name].__set__
    return setter


_SET_FIELD = _slot_setter(FieldError, "field")
_SET_POINTER = _slot_setter(FieldError, "pointer")
_SET_LOCATION = _slot_setter(FieldError, "location")
_SET_CODE = _slot_setter(FieldError, "code")
_SET_MESSAGE = _slot_setter(FieldError, "message")
_SET_PARAMS = _slot_setter(FieldError, "params")
_SET_STATUS = _slot_setter(Outcome, "status")
_SET_ERRORS = _slot_setter(Outcome, "errors")
_SET_WEBHOOK = _slot_setter(Outcome, "webhook_url")
_SET_BASE = _slot_setter(Outcome, "problem_base")


def new_record(
    field: str,
    pointer: str | None,
    location: Location,
    code: str,
    message: str,
    *,
    frozen_params: Mapping[str, Any],
) -> FieldError:
    """A `FieldError` whose params are already frozen (`_freeze` output)."""
    record: FieldError = _new(FieldError)
    _SET_FIELD(record, field)
    _SET_POINTER(record, pointer)
    _SET_LOCATION(record, location)
    _SET_CODE(record, code)
    _SET_MESSAGE(record, message)
    _SET_PARAMS(record, frozen_params)
    return record


def new_outcome(
    status: int,
    errors: tuple[FieldError, ...],
    webhook_url: str | None,
    problem_base: str,
) -> Outcome:
    """An `Outcome`, as ``Outcome(...)`` would build it, only faster."""
    outcome: Outcome = _new(Outcome)
    _SET_STATUS(outcome, status)
    _SET_ERRORS(outcome, errors)
    _SET_WEBHOOK(outcome, webhook_url)
    _SET_BASE(outcome, problem_base)
    return outcome


# -- records -----------------------------------------------------------


def clip(text: str) -> tuple[str, bool]:
    """Caller text as a record may repeat it: cut and sendable as UTF-8.

    At most ECHO_LIMIT characters, ending in an ellipsis when cut; a lone
    surrogate, which no UTF-8 encoder accepts, is written as the text of
    its ``\\u`` escape, as ``field`` writes it.
    """
    text, cut = _clip_raw(text)
    return _LONE_SURROGATE.sub(_escape_one, text), cut


def _clip_raw(text: str) -> tuple[str, bool]:
    if len(text) <= ECHO_LIMIT:
        return text, False
    return text[: ECHO_LIMIT - 1] + _ELLIPSIS, True


def build_error(
    finding: Finding,
    root: tuple[PathSegment, ...],
    *,
    location: Location = "body",
    field_path: tuple[PathSegment, ...] | None = None,
) -> FieldError:
    """Turn a finding at ``root + finding.path`` into a public record.

    ``field_path`` names the field when it differs from the pointer's
    path (metadata points inside while its field stays ``metadata``).
    Records are immutable, so one built before for the same code, path
    and params is given again: for paths of exact, short ``str`` and
    ``int`` segments and params of exact atoms only, so that the own
    ``__eq__`` and ``__hash__`` of a subclass never run.
    """
    code, given, below = finding
    path = root + below if below else root
    named = path if field_path is None else field_path
    names = (path, named)
    short = _short(names)
    key = _record_key(code, path, named, location, given) if short else None
    if key is not None:
        record = _RECORDS.get(key)
        if record is not None:
            return record
    params = dict(given)
    known = _NAMES.get(names) if short else None
    if known is None:
        pointer_text, cut1 = pointer(path)
        field_text, cut2 = field_name(named)
        if cut1 or cut2:
            params["truncated"] = True
            key = None
        elif short:
            remember(_NAMES, names, (pointer_text, field_text), NAMES_CACHE_SIZE)
    else:
        pointer_text, field_text = known
    record = new_record(
        field_text,
        pointer_text if location == "body" else None,
        location,
        code,
        render_message(code, field_text, params),
        frozen_params=_freeze(params),
    )
    if key is not None:
        remember(_RECORDS, key, record, RECORDS_CACHE_SIZE)
    return record


#: A finding not yet built into a record: finding, root, field path.
Pending = tuple[Finding, tuple[PathSegment, ...], tuple[PathSegment, ...] | None]


def pending(
    path: tuple[PathSegment, ...], code: str, params: dict[str, Any]
) -> Pending | FieldError:
    """A finding at a body path (which also names the field): the record
    `build_error` made for it before, if one was kept; else the finding,
    to be built by `build_error` if the caller needs it.

    ``params`` is kept by the finding: pass a dict nobody changes later.
    Path segments must be exact ``str`` or ``int`` (a subclass's own
    ``__eq__`` would otherwise run in the lookup).
    """
    key = _record_key(code, path, path, "body", params)
    if key is not None:
        record = _RECORDS.get(key)
        if record is not None:
            return record
    # tuple.__new__ is Finding(code, params) without the Python-level
    # __new__ a named tuple has.
    return _new_tuple(Finding, (code, params, ())), path, None


_new_tuple = tuple.__new__


#: Most (pointer, field) pairs remembered for paths of short segments.
NAMES_CACHE_SIZE = 1024
_NAMES: dict[
    tuple[tuple[PathSegment, ...], tuple[PathSegment, ...]], tuple[str, str]
] = {}
#: Most whole records remembered, for short paths and params of atoms.
RECORDS_CACHE_SIZE = 1024
_RECORDS: dict[tuple[Any, ...], FieldError] = {}
# Param values a remembered record may hold, by exact type: hashable, and
# equal only to values of the same type that print the same (so no bool,
# True == 1, and no float, -0.0 == 0.0).
_KEY_ATOMS = frozenset({str, int, type(None)})


def _record_key(
    code: str,
    path: tuple[PathSegment, ...],
    named: tuple[PathSegment, ...],
    location: str,
    params: Mapping[str, Any],
) -> tuple[Any, ...] | None:
    """The key of a kept record, or None when params may not be part of
    one. The caller checks the paths (`_short`)."""
    if not params:
        return (code, path, named, location, ())
    if _keyable(params):
        return (code, path, named, location, tuple(params.items()))
    return None


def _keyable(params: Mapping[str, Any]) -> bool:
    """Whether params may be part of a key: atoms, or tuples of exact strs
    (format-not-accepted lists the stage's formats)."""
    if _KEY_ATOMS.issuperset(map(type, params.values())):
        return True
    return all(
        type(value) in _KEY_ATOMS
        or (type(value) is tuple and all(type(item) is str for item in value))
        for value in params.values()
    )


def _short(key: tuple[tuple[PathSegment, ...], ...]) -> bool:
    """Whether every segment is an exact int or a str short enough to keep.

    Such paths are never clipped, and keeping them costs little memory.
    """
    for path in key:
        for seg in path:
            if type(seg) is int:
                continue
            if not (type(seg) is str and len(seg) <= ECHO_LIMIT):
                return False
    return True


def header_error(name: str, code: str, **params: Any) -> FieldError:
    """A record for a header or the path, which has no pointer.

    Remembered, like `build_error`'s records, when params are atoms.
    """
    key = None
    if _KEY_ATOMS.issuperset(map(type, params.values())):
        key = (name, code, tuple(params.items()))
        record = _HEADER_RECORDS.get(key)
        if record is not None:
            return record
    record = FieldError(
        field=name,
        pointer=None,
        location="path" if name == "slug" else "header",
        code=code,
        message=render_message(code, name, params),
        params=params,
    )
    if key is not None:
        remember(_HEADER_RECORDS, key, record, RECORDS_CACHE_SIZE)
    return record


_HEADER_RECORDS: dict[tuple[Any, ...], FieldError] = {}


def pointer(path: tuple[PathSegment, ...]) -> tuple[str, bool]:
    """RFC 6901 pointer for a path, with over-long keys clipped."""
    parts: list[str] = []
    cut = False
    for seg in path:
        if isinstance(seg, int):
            parts.append(str(seg))
            continue
        text, was_cut = clip(seg)
        cut = cut or was_cut
        parts.append(text.replace("~", "~0").replace("/", "~1"))
    return "".join("/" + p for p in parts), cut


def field_name(path: tuple[PathSegment, ...]) -> tuple[str, bool]:
    """The field as the API docs name it: ``a.b``, ``a[0]``, ``a["x y"]``."""
    out: list[str] = []
    cut = False
    for seg in path:
        if isinstance(seg, int):
            out.append(f"[{seg}]")
            continue
        text, was_cut = _clip_raw(seg)
        cut = cut or was_cut
        if _IDENTIFIER.fullmatch(text) and not was_cut:
            out.append(("." if out else "") + text)
        else:
            out.append("[" + json_string(text) + "]")
    return "".join(out), cut


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n",
            "\r": "\\r", "\t": "\\t"}  # fmt: skip
_LONE_SURROGATE = LazyPattern("[\ud800-\udfff]")
_NEEDS_ESCAPE = LazyPattern('["\\\\\x00-\x1f\ud800-\udfff]')


def json_string(text: str) -> str:
    """A JSON string literal as ``JSON.stringify`` writes it.

    Non-ASCII stays raw; control characters and lone surrogates become
    ``\\u`` escapes (ECMA-262 well-formed JSON.stringify).
    """
    return '"' + _NEEDS_ESCAPE.sub(_escape_one, text) + '"'


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or f"\\u{ord(char):04x}"


# -- messages ----------------------------------------------------------


def _a(expected: str) -> str:
    return ("an " if expected[:1] in "aeiou" else "a ") + expected


_REASONS: Mapping[str, str] = MappingProxyType(
    {
        # invalid-media-type
        "syntax": "is not a media type of the form type/subtype",
        "wildcard": "must name a concrete media type, not a range with *",
        "too-long": "is longer than 255 characters",
        "parameters": "must not carry parameters",
        # invalid-string
        "lone-surrogate": "holds a lone UTF-16 surrogate",
        "control-character": "holds a control character",
    }
)

_URL_REASONS: Mapping[str, str] = MappingProxyType(
    {
        "too-long": "is longer than {max} characters",
        "whitespace": "contains white space",
        "control-character": "contains a control character",
        "backslash": "contains a backslash",
        "invisible-character": "contains an invisible character",
        "not-absolute": "is not an absolute https://host/ URL",
        "bad-brackets": "has a malformed bracketed IPv6 host",
        "empty-host": "has an empty host",
        "bad-port": "has a port that is not a number from 1 to 65535",
        "invalid-host": "has a host that is not a valid name or address",
        "zone-id": "has an IPv6 zone identifier in its host",
        "percent-encoded": "has percent-escapes in its host",
        "noncanonical-ipv4": "spells an IPv4 address in a non-standard form",
        "ipv4-in-ipv6": "hides an IPv4 address inside an IPv6 address",
        "unstable-mapping": "has a host character that URL parsers map differently",
    }
)

_JSON_REASONS: Mapping[str, str] = MappingProxyType(
    {
        "encoding": "the request body is not UTF-8 encoded JSON",
        "syntax": "the request body is not a single JSON document",
        "non-finite": "the request body holds a number JSON cannot represent",
        "number-too-long": "the request body holds an integer of over 4000 digits",
        "too-deep": "the request body nests deeper than {max} levels",
    }
)


def _host_not_public(field: str, p: Mapping[str, Any]) -> str:
    where = "resolves to an address that is" if p.get("resolved") else "is"
    reason = str(p.get("reason", "")).replace("-", " ")
    if reason == "unresolvable":
        return f"{field} host {p.get('host')} could not be resolved"
    if reason == "ip literal":
        return f"{field} must name its host, not an IP address"
    return f"{field} host {p.get('host')} {where} not public ({reason})"


_MESSAGES: Mapping[str, Callable[[str, Mapping[str, Any]], str]] = MappingProxyType(
    {
        "missing-credentials": lambda f, p: (
            "Authorization is required: send Bearer and a company API key"
        ),
        "invalid-credentials": lambda f, p: (
            "Authorization must be Bearer followed by an aok_ API key"
        ),
        "invalid-slug": lambda f, p: "slug does not name a workflow",
        "unsupported-media-type": lambda f, p: (
            "the request body must be sent as application/json"
        ),
        "invalid-json": lambda f, p: _JSON_REASONS.get(
            p.get("reason", ""), "the request body is not valid JSON"
        ).format(**p),
        "duplicate-key": lambda f, p: (
            f"member {json_string(str(p.get('key', '')))} appears twice in one object"
        ),
        "wrong-type": lambda f, p: (
            f"{f or 'the body'} must be {_a(str(p['expected']))}; got {p['actual']}"
        ),
        "required": lambda f, p: f"{f} is required",
        "unknown-field": lambda f, p: f"{f} is not a known member",
        "out-of-window": lambda f, p: (
            f"{f} must be between {p['min']} and {p['max']};"
            + (
                f" got {p['actual']}"
                if "actual" in p
                else " got a number too long to show"
            )
        ),
        "length-mismatch": lambda f, p: (
            f"{f} must have {p['expected']} entries, one per file; got {p['actual']}"
        ),
        "invalid-media-type": lambda f, p: (
            f"{f} {_REASONS.get(p.get('reason', ''), 'is not a media type')}"
        ),
        "format-not-accepted": lambda f, p: (
            f"{f} is not an accepted format; accepted: " + ", ".join(p["accepted"])
        ),
        "invalid-string": lambda f, p: (
            f"{f} {_REASONS.get(p.get('reason', ''), 'is not valid text')}"
        ),
        "empty": lambda f, p: f"{f} must not be empty or only white space",
        "too-long": lambda f, p: (
            f"{f} must be at most {p['max']} characters; got {p['actual']}"
        ),
        "malformed-url": lambda f, p: (
            f"{f} "
            + _URL_REASONS.get(p.get("reason", ""), "is not a valid URL").format(**p)
        ),
        "not-https": lambda f, p: f"{f} must use https",
        "credentials-in-url": lambda f, p: (
            f"{f} must not carry a user name or password"
        ),
        "ambiguous-host": lambda f, p: (
            f"{f} " + _URL_REASONS.get(p.get("reason", ""), "has an ambiguous host")
        ),
        "host-not-public": _host_not_public,
        "port-not-allowed": lambda f, p: f"{f} port {p['port']} is not allowed",
        "metadata-too-large": lambda f, p: (
            f"{f} serialises to more than {p['max']} bytes (at least {p['actual']})"
        ),
        "metadata-too-deep": lambda f, p: (
            f"{f} must not nest deeper than {p['max']} levels"
        ),
        "metadata-invalid-value": lambda f, p: (
            f"{f} values must be strings, finite numbers or booleans; got {p['type']}"
        ),
        "invalid-header-value": lambda f, p: (
            f"{f} must be 1 or more visible ASCII characters"
        ),
        "too-many-errors": lambda f, p: (
            ("at least " if p.get("at_least") else "")
            + (
                "1 more problem was not listed"
                if p["omitted"] == 1
                else f"{p['omitted']} more problems were not listed"
            )
        ),
        "idempotency-conflict": lambda f, p: (
            f"{f} was already used by a session that is {p['state']}"
            if p.get("reason") == "finished"
            else f"{f} was already used for a request with other content"
        ),
    }
)


def render_message(code: str, field: str, params: Mapping[str, Any]) -> str:
    """The one-sentence English message for a code, built from params."""
    return _MESSAGES[code](field, params)


def json_type(value: object) -> str:
    """The JSON type name of a value, or its Python type name if not JSON.

    A float with a zero fraction is an ``integer``, as in JSON Schema
    2020-12; NaN and the infinities are named by their JavaScript literal.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
