"""Strict parsing of a request body that arrives as bytes.

The text must be UTF-8 (RFC 8259 section 8.1) holding one JSON value
(RFC 8259 section 2), with finite numbers, integers Python can convert,
bounded nesting and unique member names (RFC 8259 section 4 leaves
duplicates open; RFC 7493 I-JSON forbids them). One finding names the
first problem in the text. The request's media type is judged here too.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import sys
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NoReturn, cast

from ._errors import Finding, PathSegment, clip
from ._media_types import MAX_MEDIA_TYPE_LENGTH, parse_media_type
from ._policy import Policy

__all__ = ["MAX_INTEGER_DIGITS", "check_content_type", "parse_body"]

#: Most digits an integer literal may have (Python 3.11 refuses 4301).
MAX_INTEGER_DIGITS = 4000

# Python's int() may be limited to as few as 640 digits per call
# (sys.set_int_max_str_digits); longer literals are converted in slices.
_INT_SLICE = 600

# The C string scanner json.loads uses: unescapes and stops at the quote.
_scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]

_UTF8_BOM = b"\xef\xbb\xbf"
_WS = re.compile(r"[ \t\n\r]*")
# A JSON string, also one left open at the end of the text: enough to
# step over it, since a bracket inside a string is not nesting.
_STRING = r'"(?:[^"\\]++|\\[\s\S]?)*+(?:"|\Z)'
_ATOM = rf'[^"\[\]{{}}]++|{_STRING}'
# RFC 8259 section 6 numbers, and the three literals Python also reads.
_SCALAR = re.compile(
    r"(-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)"
    r"|true|false|null|NaN|Infinity|-Infinity"
)
# RFC 8259 section 11 defines no parameters for application/json; a
# charset naming anything but UTF-8 contradicts section 8.1.
_UTF8_NAMES = frozenset({"utf-8"})


def parse_body(raw: bytes, policy: Policy) -> tuple[Any, Finding | None]:
    """Parse a request body: ``(value, None)`` or ``(None, finding)``.

    The finding is ``invalid-json`` (``params.reason``: ``encoding``,
    ``syntax``, ``non-finite``, ``number-too-long`` or ``too-deep`` with
    ``max``) or ``duplicate-key`` (``params.key``, path at the object
    holding the name twice). Encoding is judged on the whole body first;
    after that the finding is the problem that comes first in the text.
    """
    text = _decode(raw)
    if text is None:
        return None, _invalid("encoding")
    max_depth = policy.max_json_depth
    # Nesting never exceeds the number of opening brackets (those inside
    # strings included), so a body with few needs no scan. An unbalanced
    # one then fails to decode and reaches the same slow path below.
    few = text.count("[") + text.count("{") <= max_depth
    if not few and not _within_depth(text, max_depth):  # too deep, or unbalanced
        return None, _first_problem(text, max_depth) or _invalid("syntax")
    try:
        return _decoder_for(text).decode(text), None
    except (_Refused, ValueError):
        pass  # JSONDecodeError is a ValueError
    except RecursionError:
        # The caller was already deep in its own stack: the depth is within
        # the bound, so decode again where the stack is fresh.
        value, refused = _decode_on_fresh_stack(text)
        if not refused:
            return value, None
    return None, _first_problem(text, max_depth) or _invalid("syntax")


def _decode_on_fresh_stack(text: str) -> tuple[Any, bool]:
    """Decode in a new thread, whose recursion count starts at zero.

    Only reached when the caller's own stack was nearly full; the policy
    bounds nesting (at most 256 levels), so the new thread has room.
    """
    result: list[Any] = []

    def run() -> None:
        with contextlib.suppress(_Refused, ValueError, RecursionError):
            result.append(_decoder_for(text).decode(text))

    worker = threading.Thread(target=run, name="session-rules-json")
    worker.start()
    worker.join()
    return (result[0], False) if result else (None, True)


def check_content_type(value: str | bytes | None) -> bool:
    """Whether a ``Content-Type`` value declares a JSON body we accept.

    The essence must be ``application/json`` in any case; a ``charset``
    parameter must say ``utf-8`` (any case, quoted or not); other
    parameters are allowed and ignored. Bytes are read as Latin-1.
    None (no header) and values over 255 characters are refused.
    """
    if value is None:
        return False
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if len(value) > MAX_MEDIA_TYPE_LENGTH:  # the bound contentTypes has
        return False
    # RFC 9110 section 5.5: a field value has no leading or trailing OWS.
    parsed = parse_media_type(value.strip(" \t"))
    if parsed is None or parsed.essence != "application/json":
        return False
    return all(
        val.lower() in _UTF8_NAMES
        for name, val in parsed.parameters
        if name.lower() == "charset"
    )


# -- the fast path -----------------------------------------------------


class _Refused(Exception):
    """Raised by a decoder hook: the text holds a problem, find it."""


def _decode(raw: bytes) -> str | None:
    # A NUL byte never occurs in UTF-8 JSON text (it is neither white
    # space nor allowed raw in a string), but every ASCII character of
    # UTF-16 or UTF-32 text brings one (RFC 4627 section 3).
    if raw.startswith(_UTF8_BOM) or b"\x00" in raw:
        return None
    try:
        return raw.decode("utf-8")  # strict: overlong forms, surrogates fail
    except UnicodeDecodeError:
        return None


def _within_depth(text: str, max_depth: int) -> bool:
    """True when no bracket outside a string opens past ``max_depth``.

    False also for unbalanced brackets, which the slow path reports.
    `Policy` bounds ``max_depth`` at 256, so one compiled pattern always
    decides.
    """
    return _nesting_pattern(max_depth).fullmatch(text) is not None


@lru_cache(maxsize=8)
def _nesting_pattern(max_depth: int) -> re.Pattern[str]:
    """Text whose brackets (outside strings) nest at most ``max_depth``.

    Each level wraps the one inside it, so the regular engine, not
    Python code, walks the text; possessive repeats never backtrack.
    """
    level = f"(?:{_ATOM})*+"
    for _ in range(max_depth):
        level = rf"(?:{_ATOM}|[\[{{]{level}[\]}}])*+"
    return re.compile(level)


def _integer(literal: str) -> int:
    digits = len(literal) - literal.startswith("-")
    if digits > MAX_INTEGER_DIGITS:
        raise _Refused
    if len(literal) <= _INT_SLICE:
        return int(literal)
    sign = -1 if literal.startswith("-") else 1
    body = literal.lstrip("-")
    value = 0
    for start in range(0, len(body), _INT_SLICE):
        part = body[start : start + _INT_SLICE]
        value = value * 10 ** len(part) + int(part)
    return sign * value


def _finite_float(literal: str) -> float:
    value = float(literal)
    if math.isinf(value):
        raise _Refused
    return value


def _refuse_constant(_literal: str) -> NoReturn:
    raise _Refused


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Refused
    return obj


_DECODER = json.JSONDecoder(
    object_pairs_hook=_unique_members,
    parse_int=_integer,
    parse_float=_finite_float,
    parse_constant=_refuse_constant,
    strict=True,
)
# The same without the integer hook, which only matters for literals of
# over 4000 digits or past Python's int() digit limit.
_SHORT_DECODER = json.JSONDecoder(
    object_pairs_hook=_unique_members,
    parse_float=_finite_float,
    parse_constant=_refuse_constant,
    strict=True,
)


def _decoder_for(text: str) -> json.JSONDecoder:
    """`_SHORT_DECODER` when no integer literal can be that long.

    A literal has at most ``len(text)`` digits; int() reads every literal
    up to its digit limit (0 is none) exactly as `_integer` would.
    """
    if len(text) <= MAX_INTEGER_DIGITS:
        limit = sys.get_int_max_str_digits()
        if limit == 0 or len(text) <= limit:
            return _SHORT_DECODER
    return _DECODER


# -- the slow path: where is the first problem? ------------------------

# What the walk expects next.
_VALUE, _FIRST_VALUE, _KEY, _FIRST_KEY, _COLON, _AFTER = range(6)


def _first_problem(text: str, max_depth: int) -> Finding | None:
    """Walk the text once, left to right, and report its first problem.

    Runs only once the fast path has refused the text, so its Python
    loop costs time only for bodies that are rejected anyway, and it
    stops at the first problem (a nesting bomb costs ``max_depth`` steps).
    """
    # Each open container: its member names (a set) or None for an array.
    open_: list[set[str] | None] = []
    path: list[PathSegment] = []
    expect = _VALUE
    pos = _WS.match(text).end()  # type: ignore[union-attr]
    end = len(text)
    while True:
        if pos >= end:
            return None if expect == _AFTER and not open_ else _invalid("syntax")
        char = text[pos]
        if expect == _AFTER:
            if not open_ or char not in ",]}":
                return _invalid("syntax")
            names = open_[-1]
            if char == ",":
                expect = _next_member(names, path)
            elif char == ("]" if names is None else "}"):
                open_.pop()
                path.pop()
            else:
                return _invalid("syntax")
            pos += 1
        elif expect in (_KEY, _FIRST_KEY):
            if char == "}" and expect == _FIRST_KEY:
                open_.pop()
                expect = _AFTER
                pos += 1
            elif char == '"':
                try:
                    name, pos = _scanstring(text, pos + 1, True)
                except ValueError:
                    return _invalid("syntax")
                names = cast(set[str], open_[-1])  # keys occur in objects only
                if name in names:
                    return _duplicate(name, tuple(path))
                names.add(name)
                path.append(name)
                expect = _COLON
            else:
                return _invalid("syntax")
        elif expect == _COLON:
            if char != ":":
                return _invalid("syntax")
            expect = _VALUE
            pos += 1
        elif char == "]" and expect == _FIRST_VALUE:
            open_.pop()
            path.pop()
            expect = _AFTER
            pos += 1
        elif char in "[{":
            if len(open_) >= max_depth:
                return _too_deep(max_depth)
            expect = _open(char, open_, path)
            pos += 1
        else:
            problem, pos = _scalar(text, pos)
            if problem is not None:
                return problem
            expect = _AFTER
        pos = _WS.match(text, pos).end()  # type: ignore[union-attr]


def _open(char: str, open_: list[set[str] | None], path: list[PathSegment]) -> int:
    if char == "{":
        open_.append(set())
        return _FIRST_KEY
    open_.append(None)
    path.append(0)
    return _FIRST_VALUE


def _next_member(names: set[str] | None, path: list[PathSegment]) -> int:
    """Step past a comma: the next array index, or the next key."""
    last = path.pop()
    if names is None:
        path.append(cast(int, last) + 1)  # an array's segment is its index
        return _VALUE
    return _KEY


def _scalar(text: str, pos: int) -> tuple[Finding | None, int]:
    """Judge the string, number or literal at ``pos``; return its end."""
    if text[pos] == '"':
        try:
            return None, _scanstring(text, pos + 1, True)[1]
        except ValueError:
            return _invalid("syntax"), pos
    match = _SCALAR.match(text, pos)
    if match is None:
        return _invalid("syntax"), pos
    number, fraction, exponent = match.groups()
    if number is None:
        literal = match.group()
        bad = literal not in ("true", "false", "null")
        return (_invalid("non-finite") if bad else None), match.end()
    if fraction is None and exponent is None:
        digits = len(number) - number.startswith("-")
        too_long = digits > MAX_INTEGER_DIGITS
        return (_invalid("number-too-long") if too_long else None), match.end()
    finite = not math.isinf(float(number))
    return (None if finite else _invalid("non-finite")), match.end()


# -- findings ----------------------------------------------------------


def _invalid(reason: str) -> Finding:
    return Finding("invalid-json", {"reason": reason})


def _too_deep(max_depth: int) -> Finding:
    return Finding("invalid-json", {"reason": "too-deep", "max": max_depth})


def _duplicate(name: str, path: tuple[PathSegment, ...]) -> Finding:
    key, cut = clip(name)
    params: dict[str, Any] = {"key": key}
    if cut:
        params["truncated"] = True
    return Finding("duplicate-key", params, path)
