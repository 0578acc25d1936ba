"""JSON text exactly as JavaScript writes it.

Numbers follow ECMA-262 Number::toString (section 6.1.6.1.20), strings
follow the well-formed ``JSON.stringify`` of ECMA-262 2019 and later, and
``canonical_json`` is the RFC 8785 (JCS) form built from those two.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from ._errors import json_string

__all__ = [
    "MAX_SAFE_INTEGER",
    "canonical_json",
    "js_number",
    "js_string_size",
    "valid_string_size",
]

#: Largest integer a double holds exactly with its neighbours (2**53 - 1).
MAX_SAFE_INTEGER = 2**53 - 1

# Ints wider than this overflow a double; float() would raise.
_MAX_DOUBLE_BITS = 1024
# Strings are measured in slices so a huge one needs no huge temporary.
_CHUNK = 1 << 16
# C0 controls: JSON.stringify writes \b \t \n \f \r as two bytes and the
# other 27 as six (\u00XX).  Both sets are deleted in bytes, so counting
# them is a C loop, not a Python one.
_C0 = bytes(range(0x20))
_SHORT_C0 = b"\b\t\n\f\r"
# What JSON.stringify escapes; ASCII text without any is its own length.
_ESCAPED = re.compile('["\\\\\x00-\x1f]')


# -- numbers -----------------------------------------------------------


def js_number(x: int | float) -> str:
    """The text ``String(x)`` gives in JavaScript for a finite number.

    An int is first rounded to a double, as ``JSON.parse`` would round its
    literal.  Raise ``ValueError`` for NaN, the infinities and ints too
    large for a double.
    """
    if isinstance(x, int) and not isinstance(x, bool):
        if -MAX_SAFE_INTEGER <= x <= MAX_SAFE_INTEGER:
            return str(int(x))
        return js_number(_int_to_double(x))
    value = float(x)
    if not math.isfinite(value):
        raise ValueError(f"{value!r} has no JSON form")
    if value == 0:
        return "0"  # -0 prints as 0 too
    sign = "-" if value < 0 else ""
    digits, point = _shortest_digits(abs(value))
    return sign + _layout(digits, point)


def _int_to_double(x: int) -> float:
    # bit_length first: never stringify an int past Python's digit limit.
    if x.bit_length() > _MAX_DOUBLE_BITS:
        raise ValueError("integer is too large for a double")
    try:
        return float(x)
    except OverflowError:
        raise ValueError("integer is too large for a double") from None


def _shortest_digits(value: float) -> tuple[str, int]:
    """Digits ``d`` and exponent ``n`` with ``value == 0.d * 10**n``.

    ``repr`` already yields the shortest digits that round-trip, nearest to
    the value on a tie (the choice Number::toString asks for); only its
    layout differs from JavaScript's.
    """
    mantissa, _, exponent = repr(value).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + int(exponent or 0)
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    return stripped.rstrip("0"), point


def _layout(digits: str, point: int) -> str:
    """ECMA-262 Number::toString steps 6 to 10, for ``0.digits * 10**point``."""
    k = len(digits)
    if k <= point <= 21:
        return digits + "0" * (point - k)
    if 0 < point <= 21:
        return digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return "0." + "0" * -point + digits
    exponent = point - 1
    sign = "+" if exponent >= 0 else "-"
    head = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{head}e{sign}{abs(exponent)}"


# -- strings -----------------------------------------------------------


def js_string_size(s: str) -> int:
    """UTF-8 byte length of ``JSON.stringify(s)``, both quotes included.

    Each surrogate code point in ``s`` counts as a six-byte ``\\uXXXX``
    escape: a Python string holds code points, so a surrogate in it is
    always unpaired (``json.loads`` joins escaped pairs into one).
    """
    size = 2
    for start in range(0, len(s), _CHUNK):
        part = s[start : start + _CHUNK]
        # backslashreplace writes a surrogate as \udXXX: six bytes, the
        # same as its JSON escape.
        size += _escaped_size(part, part.encode("utf-8", "backslashreplace"))
    return size


def valid_string_size(s: str) -> int | None:
    """Like :func:`js_string_size`, or None if ``s`` holds a surrogate."""
    if len(s) <= _CHUNK and s.isascii() and _ESCAPED.search(s) is None:
        return len(s) + 2  # ASCII, nothing escaped: one byte a character
    size = 2
    for start in range(0, len(s), _CHUNK):
        part = s[start : start + _CHUNK]
        try:
            data = part.encode("utf-8")
        except UnicodeEncodeError:
            return None
        size += _escaped_size(part, data)
    return size


def _escaped_size(part: str, data: bytes) -> int:
    # " and \ take one extra byte each; counted on the text, because
    # backslashreplace adds backslashes of its own to ``data``.
    size = len(data) + part.count('"') + part.count("\\")
    controls = len(data) - len(data.translate(None, _C0))
    if controls:
        short = len(data) - len(data.translate(None, _SHORT_C0))
        size += short + 5 * (controls - short)
    return size


# -- canonical form ----------------------------------------------------


def canonical_json(value: Any) -> str:
    """The RFC 8785 canonical JSON text of a JSON value.

    Keys sort by their UTF-16 code units (RFC 8785 section 3.2.3); numbers
    and strings are written as ``JSON.stringify`` writes them.  Raise
    ``TypeError`` for a value JSON cannot hold and ``ValueError`` for a
    non-finite number or a container that holds itself.
    """
    out: list[str] = []
    stack: list[_Frame] = []
    on_path: set[int] = set()
    item = value
    while True:
        if isinstance(item, dict | list):
            stack.append(_Frame(item, on_path))
            out.append("{" if isinstance(item, dict) else "[")
        else:
            out.append(_scalar_text(item))
        while stack:
            frame = stack[-1]
            step = frame.next_member()
            if step is None:
                out.append(frame.close)
                stack.pop()
                on_path.discard(frame.ident)
                continue
            out.append(step[0])
            item = step[1]
            break
        else:
            return "".join(out)


class _Frame:
    """One open container of :func:`canonical_json`."""

    __slots__ = ("close", "first", "ident", "members")

    def __init__(self, container: dict[Any, Any] | list[Any], on_path: set[int]):
        self.ident = id(container)
        if self.ident in on_path:
            raise ValueError("a container holds itself")
        on_path.add(self.ident)
        self.first = True
        self.members: Iterator[tuple[str, Any]]
        if isinstance(container, dict):
            self.close = "}"
            keys = sorted(_string_keys(container), key=_utf16_units)
            self.members = ((json_string(k) + ":", container[k]) for k in keys)
        else:
            self.close = "]"
            self.members = (("", v) for v in container)

    def next_member(self) -> tuple[str, Any] | None:
        """The text before the next member (comma, key), and its value."""
        member = next(self.members, None)
        if member is None:
            return None
        if not self.first:
            member = ("," + member[0], member[1])
        self.first = False
        return member


def _string_keys(container: dict[Any, Any]) -> list[str]:
    keys = list(container)
    for key in keys:
        if not isinstance(key, str):
            raise TypeError(f"object keys must be str, not {type(key).__name__}")
    return keys


def _utf16_units(key: str) -> bytes:
    # Big-endian UTF-16 bytes compare exactly as the code units do.
    return key.encode("utf-16-be", "surrogatepass")


def _scalar_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return js_number(value)
    if isinstance(value, str):
        return json_string(value)
    raise TypeError(f"{type(value).__name__} is not a JSON value")
