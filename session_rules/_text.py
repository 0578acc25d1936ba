"""Character classes the contract names, as the library's own tables.

White space is the Unicode ``White_Space`` property (PropList.txt, stable
since Unicode 6.3; checked 2026-12-04), not ``str.isspace``, which also
counts U+001C..U+001F. Keeping the table here makes results independent
of the running Python's Unicode version.
"""

from __future__ import annotations

from typing import Any

from ._lazy_re import LazyPattern

__all__ = ["WHITE_SPACE", "check_text", "is_blank", "is_good_text"]

#: Unicode White_Space (PropList.txt, Unicode 16.0).
WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_BLANK = LazyPattern(f"[{WHITE_SPACE}]*")
# C0 controls and DEL (reason control-character), lone surrogates.
_BAD_CHAR = LazyPattern("[\x00-\x1f\x7f\ud800-\udfff]")
# Text that passes every check at once: no bad character anywhere and at
# least one that is not white space. One scan instead of two; possessive
# repeats, so it never backtracks. (Tab, CR and LF are white space and bad.)
_GOOD_TEXT = LazyPattern(
    "[" + "".join(c for c in WHITE_SPACE if c > "\x1f") + "]*+"
    f"[^{WHITE_SPACE}\x00-\x1f\x7f\ud800-\udfff]"
    "[^\x00-\x1f\x7f\ud800-\udfff]*+"
)


def is_good_text(text: str) -> bool:
    """Whether an exact ``str`` passes every check of `check_text` but
    its length.

    ``str.isprintable`` is False for every C0 control, DEL, surrogate
    and White_Space character but the ASCII space, in every Unicode
    version, so printable text with something besides spaces passes;
    for any other text the pattern decides.
    """
    if text.isprintable() and text.strip(" "):
        return True
    return _GOOD_TEXT.fullmatch(text) is not None


def is_blank(text: str) -> bool:
    """True for the empty string and strings of White_Space only."""
    return _BLANK.fullmatch(text) is not None


def check_text(text: str, max_length: int) -> tuple[str, dict[str, Any]] | None:
    """Judge a free-text member: the first failing check, or None.

    Order (SPEC section 3): invalid-string, empty, too-long. Of several
    bad characters, the first by position names the reason.
    """
    if type(text) is str and text.isprintable():
        # No bad character, and the ASCII space is the only white space
        # left (see is_good_text): the order below, decided at once.
        if not text.strip(" "):
            return "empty", {}
        if len(text) <= max_length:
            return None
        return "too-long", {"max": max_length, "actual": len(text)}
    if len(text) <= max_length and _GOOD_TEXT.fullmatch(text) is not None:
        return None
    bad = _BAD_CHAR.search(text)
    if bad is not None:
        reason = "lone-surrogate" if bad.group() >= "\ud800" else "control-character"
        return "invalid-string", {"reason": reason}
    if is_blank(text):
        return "empty", {}
    if len(text) > max_length:
        return "too-long", {"max": max_length, "actual": len(text)}
    return None  # pragma: no cover - _GOOD_TEXT took text with no bad char
