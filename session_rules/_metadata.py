"""The metadata rules: size, depth and leaf types, in one bounded walk.

Size is the UTF-8 length of what JavaScript's ``JSON.stringify`` writes,
which equals the length of the RFC 8785 canonical form; integers must be
I-JSON safe (RFC 7493 section 2.2).  The walk reads members in insertion
order and stops once the text so far is over the limit, so neither a
huge value nor deep nesting costs more than a full-size request.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from itertools import islice
from typing import Any

from ._errors import Finding, PathSegment, clip
from ._jsjson import MAX_SAFE_INTEGER, js_number, js_string_size, valid_string_size
from ._memo import remember

__all__ = [
    "MAX_METADATA_BYTES",
    "MAX_METADATA_DEPTH",
    "metadata_size",
    "plain_size",
    "scan",
    "walk_metadata",
]

#: Largest serialised metadata, in UTF-8 bytes of ``JSON.stringify``.
MAX_METADATA_BYTES = 4096
#: Deepest container level: the metadata object itself is level 1.
MAX_METADATA_DEPTH = 2

_LITERAL_SIZES = {None: 4, True: 4, False: 5}
# Characters JSON.stringify writes as an escape: ASCII text without them
# is exactly its length plus two quotes.
_ESCAPED = re.compile('["\\\\\x00-\x1f]')


# -- exact size --------------------------------------------------------


def metadata_size(value: Any) -> int:
    """UTF-8 byte length of ``JSON.stringify(value)`` for a JSON value.

    Objects are ``dict`` with ``str`` keys and arrays are ``list``; the
    walk uses a stack of its own, so any depth works.  Raise ``TypeError``
    for anything else (tuple, bytes, datetime, a non-string key) and
    ``ValueError`` for NaN, the infinities, an int beyond a double's range
    or a container that holds itself.
    """
    total = 0
    stack: list[tuple[Iterator[tuple[int, Any]], int]] = []
    on_path: set[int] = set()
    item = value
    while True:
        if isinstance(item, dict | list):
            if id(item) in on_path:
                raise ValueError("a container holds itself")
            on_path.add(id(item))
            # Two brackets and one comma between each pair of members.
            total += 2 + max(len(item) - 1, 0)
            stack.append((_sized_members(item), id(item)))
        else:
            total += _scalar_size(item)
        while stack:
            members, ident = stack[-1]
            member = next(members, None)
            if member is None:
                stack.pop()
                on_path.discard(ident)
                continue
            total += member[0]
            item = member[1]
            break
        else:
            return total


def _sized_members(
    container: dict[Any, Any] | list[Any],
) -> Iterator[tuple[int, Any]]:
    """Each member's value, after the bytes of its ``"key":`` (0 in arrays)."""
    if isinstance(container, dict):
        return ((_key_size(k) + 1, v) for k, v in container.items())
    return ((0, v) for v in container)


def _key_size(key: Any) -> int:
    if not isinstance(key, str):
        raise TypeError(f"object keys must be str, not {type(key).__name__}")
    return js_string_size(key)


def _scalar_size(value: Any) -> int:
    if isinstance(value, str):
        return js_string_size(value)
    if value is None or isinstance(value, bool):
        return _LITERAL_SIZES[value]
    if isinstance(value, int | float):
        return len(js_number(value))
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def walk_metadata(
    metadata: dict[Any, Any],
    *,
    stop_after: int | None = None,
    scanned: tuple[int | None, int, int] | None = None,
) -> list[Finding]:
    """Every metadata problem, in text order, up to the size limit.

    Paths are relative to the metadata object.  An invalid member or a
    too-deep container is reported and left out of the size; once the
    text so far passes the limit the walk stops and ``metadata-too-large``
    comes last, with the size at that point.  With ``stop_after``, the
    walk also stops once it has that many findings (the caller's error
    cap is full and more would only be counted).  ``scanned`` is what
    `scan` already gave for this metadata, if the caller has it.
    """
    size, done, walked = scanned or _scan(metadata)
    if size is not None:
        return []
    walk = _Walk(stop_after)
    try:
        return walk.run(metadata, start=done, size=walked)
    except _Enough:
        return walk.findings


class _Enough(Exception):
    """Raised inside a walk once it holds ``stop_after`` findings."""


# -- the fast path -----------------------------------------------------


def plain_size(metadata: dict[Any, Any]) -> int | None:
    """The size of small, plain, valid metadata; None means "walk it"."""
    return _scan(metadata)[0]


def _scan(metadata: dict[Any, Any]) -> tuple[int | None, int, int]:
    """Size plain metadata in one pass, or say where the walk may start.

    Plain: exact ``dict``, ``list``, ``str``, ``int``, ``bool`` and
    ``float`` values, containers only at level 2, no member the walk would
    report, and at most the size limit in all.  For such metadata the walk
    would report nothing and count exactly the size returned first.
    Otherwise the size is None, and the first ``done`` members, plain and
    exactly ``walked`` bytes with the opening brace, are ones the walk
    would pass without a finding and without stopping, so it may start
    after them (``done`` 0: from the start).  Bounded: each member adds
    at least 4 bytes and the loop leaves as soon as the count passes the
    limit.
    """
    # The count takes each string as one byte per character; the strings
    # are kept and measured at the end in one piece, which gives the same
    # figure as measuring each: no escape, so bytes are UTF-8 bytes.
    size = 2
    strings: list[str] = []
    keep = strings.append
    done = kept = 0
    before = 2
    for key, value in metadata.items():
        if type(key) is not str:
            break
        keep(key)
        # Two quotes, the colon and a comma, then the value.
        size += 4 + len(key)
        kind = type(value)
        if kind is str:
            keep(value)
            size += 2 + len(value)
        elif kind is int:
            if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
                break
            size += len(str(value))
        elif kind is bool:
            size += 4 if value else 5
        elif kind is float:
            value_size = _FLOAT_SIZES.get(value) or _float_size(value)
            if value_size is None:
                break
            size += value_size
        else:
            value_size = _plain_value(value, kind, strings, MAX_METADATA_BYTES - size)
            if value_size is None:
                break
            size += value_size
        if size > MAX_METADATA_BYTES:
            break
        done += 1
        kept = len(strings)
        before = size
    else:
        if metadata:
            size -= 1  # n members have n - 1 commas
        text = "".join(strings)
        if text.isascii() and _ESCAPED.search(text) is None:
            return size, 0, 0  # the common case, inline
        size = _exact_size(strings, size)
        return (size if size <= MAX_METADATA_BYTES else None), 0, 0
    if not done:
        return None, 0, 0
    # After k members the walk has written "{", the members and k - 1
    # commas: the count so far less its closing brace and spare comma.
    walked = _exact_size(strings[:kept], before - 2)
    if walked > MAX_METADATA_BYTES:
        return None, 0, 0
    return None, done, walked


def _exact_size(strings: list[str], counted: int) -> int:
    """``counted`` corrected for the UTF-8 length of ``strings``.

    Past the limit (so never taken as exact) when a string holds
    something to escape or a lone surrogate: the walk counts those.
    """
    text = "".join(strings)  # at most the limit: each char counted
    if _ESCAPED.search(text) is not None:
        return _OVER  # an escape to count: the walk counts it exactly
    if text.isascii():
        return counted
    try:
        return counted + len(text.encode("utf-8")) - len(text)
    except UnicodeEncodeError:  # a lone surrogate: the walk reports it
        return _OVER


_OVER = MAX_METADATA_BYTES + 1

#: `_scan`, for callers that may then walk (see `walk_metadata`).
scan = _scan


def _plain_value(value: Any, kind: type, strings: list[str], room: int) -> int | None:
    """Bytes of a plain level-2 container, string contents aside.

    None for anything the walk might report or measure otherwise, and
    once the bytes pass ``room``.  The common leaves are judged inline,
    as `_plain_leaf` judges them.
    """
    keep = strings.append
    size = 1
    if kind is dict:
        for key, leaf in value.items():
            if type(key) is not str:
                return None
            keep(key)
            leaf_kind = type(leaf)
            if leaf_kind is str:
                keep(leaf)
                size += len(key) + len(leaf) + 6
            elif leaf_kind is int and -MAX_SAFE_INTEGER <= leaf <= MAX_SAFE_INTEGER:
                size += len(key) + len(str(leaf)) + 4
            else:
                leaf_size = _plain_leaf(leaf, strings)
                if leaf_size is None:
                    return None
                size += len(key) + leaf_size + 4
            if size > room:
                return None
        return size + (0 if value else 1)
    if kind is list:
        for leaf in value:
            leaf_kind = type(leaf)
            if leaf_kind is str:
                keep(leaf)
                size += len(leaf) + 3
            elif leaf_kind is int and -MAX_SAFE_INTEGER <= leaf <= MAX_SAFE_INTEGER:
                size += len(str(leaf)) + 1
            else:
                leaf_size = _plain_leaf(leaf, strings)
                if leaf_size is None:
                    return None
                size += leaf_size + 1
            if size > room:
                return None
        return size + (0 if value else 1)
    return None


def _plain_leaf(value: Any, strings: list[str]) -> int | None:
    """Bytes of a valid leaf, string contents aside (kept in ``strings``).

    None for anything the walk might report or measure otherwise.
    """
    kind = type(value)
    if kind is str:
        if len(value) > MAX_METADATA_BYTES:
            return None
        strings.append(value)
        return 2 + len(value)
    if kind is int:
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return len(str(value))
        return None
    if kind is bool:
        return 4 if value else 5
    if kind is float:
        return _FLOAT_SIZES.get(value) or _float_size(value)
    return None


#: Most float sizes remembered (prices and amounts recur).
FLOAT_CACHE_SIZE = 1024
# Equal floats print alike, but for -0.0 == 0.0, which JavaScript prints
# as "0" both; NaN equals nothing, so it is never found.
_FLOAT_SIZES: dict[float, int] = {}


def _float_size(value: float) -> int | None:
    """Bytes of a float as JavaScript prints it; None unless finite."""
    # For 1e-4 <= |x| < 1e16 Python and JavaScript print the same
    # shortest digits in the same fixed layout, but for the ".0" of an
    # integral value (a fraction is below 2**52); -0 prints as "0".
    text = repr(value)
    if "e" in text or "n" in text:  # an exponent, inf or nan
        if not math.isfinite(value):
            return None
        size = len(js_number(value))
    elif text.endswith(".0"):
        size = len(text) - 2 if value else 1
    else:
        size = len(text)
    remember(_FLOAT_SIZES, value, size, FLOAT_CACHE_SIZE)
    return size


# -- the bounded walk --------------------------------------------------


class _Walk:
    """The state of one walk: the findings and the running size."""

    __slots__ = ("findings", "size", "stop_after")

    def __init__(self, stop_after: int | None = None) -> None:
        self.findings: list[Finding] = []
        self.size = 0
        self.stop_after = stop_after

    def run(
        self, metadata: dict[Any, Any], *, start: int = 0, size: int = 0
    ) -> list[Finding]:
        """Walk ``metadata`` and return its findings.

        With ``start``, the first ``start`` members are taken as read,
        without a finding, in ``size`` bytes (the opening brace included).
        """
        # Each frame: the members still to read, the container's path and
        # level, and whether a member has been written (so a comma is due).
        stack: list[
            tuple[
                Iterator[tuple[PathSegment, Any, Any]],
                tuple[PathSegment, ...],
                int,
                list[bool],
            ]
        ] = []
        # The opening brace alone never passes the limit.
        self.size = size if start else 1  # "{"
        stack.append((_members(metadata, start), (), 1, [start > 0]))
        while stack:
            members, path, level, written = stack[-1]
            member = next(members, None)
            if member is None:
                stack.pop()
                if self._grow(1):  # "}" or "]"
                    return self._too_large()
                continue
            segment, key, value = member
            comma = 1 if written[0] else 0
            if isinstance(key, str) and len(key) > MAX_METADATA_BYTES:
                # Even at a byte a character the key passes the limit: its
                # smallest text, comma and colon included, is the lower
                # bound, and neither it nor anything after it is read
                # (SPEC 3: "places past the limit are not examined").
                return self._stop_at(comma + len(key) + 3)
            place = (*path, segment)
            key_size = self._judge_key(key, place)
            if key_size is None:
                continue
            lead = key_size + comma
            if isinstance(value, dict | list):
                if level >= MAX_METADATA_DEPTH:
                    self._report(place, "metadata-too-deep", max=MAX_METADATA_DEPTH)
                    continue
                written[0] = True
                if self._grow(lead + 1):  # the opening bracket
                    return self._too_large()
                stack.append((_members(value), place, level + 1, [False]))
                continue
            if isinstance(value, str) and len(value) > MAX_METADATA_BYTES:
                return self._stop_at(lead + len(value) + 2)  # likewise
            value_size = self._judge_leaf(value, place)
            if value_size is None:
                continue
            written[0] = True
            if self._grow(lead + value_size):
                return self._too_large()
        return self.findings

    def _stop_at(self, least: int) -> list[Finding]:
        """Stop once ``least`` bytes, a lower bound of what comes next, are
        added: called only where they alone pass the limit."""
        self.size += least
        return self._too_large()

    def _grow(self, count: int) -> bool:
        """Add ``count`` bytes; True once the text so far is over the limit."""
        self.size += count
        return self.size > MAX_METADATA_BYTES

    def _too_large(self) -> list[Finding]:
        self._report((), "metadata-too-large", max=MAX_METADATA_BYTES, actual=self.size)
        return self.findings

    def _report(self, place: tuple[PathSegment, ...], code: str, **params: Any) -> None:
        self.findings.append(Finding(code, params, place))
        if self.stop_after is not None and len(self.findings) >= self.stop_after:
            raise _Enough

    def _judge_key(self, key: Any, place: tuple[PathSegment, ...]) -> int | None:
        """Bytes of ``"key":`` (0 inside an array), or None if it is invalid."""
        if key is _NO_KEY:
            return 0
        if not isinstance(key, str):
            self._report(place, "metadata-invalid-value", type="non-string-key")
            return None
        size = valid_string_size(key)
        if size is None:
            self._report(place, "metadata-invalid-value", type="lone-surrogate")
            return None
        return size + 1

    def _judge_leaf(self, value: Any, place: tuple[PathSegment, ...]) -> int | None:
        """Bytes of a leaf, or None once it has been reported as invalid."""
        size, kind = _leaf_size(value)
        if size is None:
            self._report(place, "metadata-invalid-value", type=kind)
        return size


_NO_KEY = object()


def _members(
    container: dict[Any, Any] | list[Any], start: int = 0
) -> Iterator[tuple[PathSegment, Any, Any]]:
    """Path segment, key (``_NO_KEY`` in an array) and value of each member.

    ``start`` skips the first members of an object, in C.
    """
    if isinstance(container, dict):
        for key, value in islice(container.items(), start, None):
            yield _key_segment(key), key, value
    else:
        for index, value in enumerate(container):
            yield index, _NO_KEY, value


def _key_segment(key: Any) -> str:
    """The path segment for a key: the key itself, or how JavaScript names it.

    A scalar key reads as JavaScript's ``String(key)`` would read it (``1``,
    ``true``, ``null``, ``NaN``); any other key as its type name in angle
    brackets, never as its ``str()`` (a huge int cannot be printed).
    """
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool):
        return "null" if key is None else "true" if key else "false"
    if isinstance(key, float) and not math.isfinite(key):
        return "NaN" if math.isnan(key) else "Infinity" if key > 0 else "-Infinity"
    if isinstance(key, int | float) and _is_safe_number(key):
        return js_number(key)
    return "<" + clip(type(key).__name__)[0] + ">"


def _is_safe_number(value: int | float) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER


def _leaf_size(value: Any) -> tuple[int, None] | tuple[None, str]:
    """The leaf's bytes, or None and the name of what makes it invalid."""
    if isinstance(value, str):
        size = valid_string_size(value)
        return (None, "lone-surrogate") if size is None else (size, None)
    if value is None:
        return None, "null"
    if isinstance(value, bool):
        return _LITERAL_SIZES[value], None
    if isinstance(value, int):
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return len(js_number(value)), None
        return None, "unsafe-integer"
    if isinstance(value, float):
        if math.isnan(value):
            return None, "NaN"
        if math.isinf(value):
            return None, "Infinity" if value > 0 else "-Infinity"
        return len(js_number(value)), None
    return None, clip(type(value).__name__)[0]
