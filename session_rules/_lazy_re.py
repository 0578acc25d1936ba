"""Regular expressions compiled on first use.

Patterns that only rejected input needs (and those with surrogate ranges,
which take the ``re`` compiler up to a millisecond each) are not compiled
by ``import session_rules``. After the first use, a method is a slot read
away, as fast as on a compiled pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

__all__ = ["LazyPattern"]

_METHODS = ("fullmatch", "search", "sub", "finditer")


class LazyPattern:
    """The methods of ``re.compile(source)``, compiled when first read."""

    __slots__ = ("finditer", "fullmatch", "search", "source", "sub")
    fullmatch: Callable[[str], re.Match[str] | None]
    search: Callable[[str], re.Match[str] | None]
    sub: Callable[[Callable[[re.Match[str]], str] | str, str], str]
    finditer: Callable[[str], Iterator[re.Match[str]]]

    def __init__(self, source: str) -> None:
        self.source = source

    def __getattr__(self, name: str) -> object:
        # Reached only while a method's slot is empty: fill them all. Two
        # threads may both compile; they store equal methods.
        if name not in _METHODS:
            raise AttributeError(name)
        compiled = re.compile(self.source)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)
