"""Authorization, X-Request-Id and the workflow slug.

Authorization follows RFC 6750's ``b64token`` with the company key prefix
``aok_``, narrowed to exactly one space after the scheme. X-Request-Id is
visible ASCII (RFC 9110 VCHAR), so characters and octets agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ._errors import ConfigurationError, FieldError, header_error
from ._memo import remember
from ._text import is_blank

__all__ = [
    "check_authorization",
    "check_request_id",
    "check_slug",
    "is_bearer",
    "is_request_id",
    "read_headers",
]

MAX_REQUEST_ID = 128
MAX_SLUG = 128

_BEARER = re.compile(r"[Bb][Ee][Aa][Rr][Ee][Rr] aok_[A-Za-z0-9._~+/\-]+=*")
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
#: A match for a well-formed Authorization value, else None.
is_bearer = _BEARER.fullmatch
#: A match for an X-Request-Id of visible ASCII only (any length), else None.
is_request_id = _VISIBLE_ASCII.fullmatch

HeaderValues = dict[str, list[object]]

#: Most good slugs remembered; a server has a bounded set of workflows.
SLUG_CACHE_SIZE = 1024
# Slugs already found good: a pure result, so remembering it is safe.
_GOOD_SLUGS: dict[str, bool] = {}


def read_headers(headers: object) -> HeaderValues:
    """Group header values by lower-case name.

    Accepts a mapping or an iterable of ``(name, value)`` pairs; names and
    values may be ``str`` or ``bytes`` (read as Latin-1, as ASGI gives
    them). Anything else is the caller's misuse: `ConfigurationError`.
    """
    if headers is None:
        return {}
    if type(headers) is dict:
        plain = _read_plain(headers)
        if plain is not None:
            return plain
    if isinstance(headers, Mapping):
        pairs: Iterable[Any] = headers.items()
    elif isinstance(headers, str | bytes) or not isinstance(headers, Iterable):
        raise ConfigurationError("headers must be a mapping or (name, value) pairs")
    else:
        pairs = headers
    grouped: HeaderValues = {}
    for pair in pairs:
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ConfigurationError("headers must be (name, value) pairs")
        name, value = pair
        if isinstance(name, bytes):
            name = name.decode("latin-1")
        if not isinstance(name, str):
            raise ConfigurationError("header names must be str or bytes")
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        grouped.setdefault(name.lower(), []).append(value)
    return grouped


def _read_plain(headers: dict[Any, Any]) -> HeaderValues | None:
    """A plain dict of str names and values, grouped; None for anything else.

    The usual case, so it skips the pair checks a dict cannot fail.
    """
    grouped: HeaderValues = {}
    for name, value in headers.items():
        if type(name) is not str or type(value) is not str:
            return None
        key = name.lower()
        if key in grouped:
            grouped[key].append(value)
        else:
            grouped[key] = [value]
    return grouped


def check_authorization(headers: HeaderValues) -> FieldError | None:
    """The 401 check: the header's form only, never whether the key exists."""
    values = headers.get("authorization", [])
    # Fast path: one value of the right form (which is never blank).
    if len(values) == 1 and type(values[0]) is str and _BEARER.fullmatch(values[0]):
        return None
    if not values or (
        len(values) == 1 and isinstance(values[0], str) and is_blank(values[0])
    ):
        return header_error("Authorization", "missing-credentials")
    value = values[0]
    if len(values) > 1 or not isinstance(value, str) or not _BEARER.fullmatch(value):
        return header_error("Authorization", "invalid-credentials")
    return None


def check_slug(slug: object) -> FieldError | None:
    """The 404 check: a slug that cannot name any workflow."""
    if type(slug) is str and len(slug) <= MAX_SLUG and slug in _GOOD_SLUGS:
        return None
    if isinstance(slug, str) and len(slug) <= MAX_SLUG and _SLUG.fullmatch(slug):
        if type(slug) is str:
            remember(_GOOD_SLUGS, slug, True, SLUG_CACHE_SIZE)
        return None
    return header_error("slug", "invalid-slug")


def check_request_id(headers: HeaderValues) -> FieldError | None:
    """X-Request-Id: optional, visible ASCII, at most 128 characters."""
    values = headers.get("x-request-id")
    if not values:
        return None
    value = values[0]
    if (
        len(values) > 1
        or not isinstance(value, str)
        or not _VISIBLE_ASCII.fullmatch(value)
    ):
        return header_error("X-Request-Id", "invalid-header-value")
    if len(value) > MAX_REQUEST_ID:
        return header_error(
            "X-Request-Id", "too-long", max=MAX_REQUEST_ID, actual=len(value)
        )
    return None
