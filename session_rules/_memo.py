"""Bounded tables of results that the checks reuse.

A table holds at most its limit. When it is full it is emptied before the
next entry goes in, so a burst of one-off inputs costs a refill but cannot
shut the usual inputs out for good, as a table that just stopped growing
would (it would keep whatever came first).
"""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")

__all__ = ["REMEMBERED_URL_LENGTH", "remember"]

#: Longest webhook URL kept as a key: one emoji may become twelve
#: characters of canonical form, so a longer URL could keep kilobytes an
#: entry. Longer URLs (rare) are judged every time.
REMEMBERED_URL_LENGTH = 256


def remember(table: dict[K, V], key: K, value: V, limit: int) -> None:
    """Put ``key: value`` in ``table``, emptying it first when full."""
    if len(table) >= limit:
        table.clear()
    table[key] = value
