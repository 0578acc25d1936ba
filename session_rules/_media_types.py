"""Media types as RFC 9110 writes them, and matching against a stage.

The grammar is RFC 9110 section 8.3.1 (``type "/" subtype``) with the
parameters of section 5.6.6; quoted strings are narrowed to visible ASCII,
space and tab (no obs-text). Matching compares the essence
(``type/subtype``) case-insensitively and ignores parameters.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from ._lazy_re import LazyPattern

__all__ = [
    "MAX_MEDIA_TYPE_LENGTH",
    "MediaType",
    "media_type_essence",
    "parse_media_type",
]

#: Longest media type a client may send, in characters.
MAX_MEDIA_TYPE_LENGTH = 255

# RFC 9110 5.6.2 tchar, spelled as explicit ASCII classes.
_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
# RFC 9110 5.6.4 quoted-string without obs-text.
_QUOTED = r'"(?:[\t !#-\[\]-~]|\\[\t -~])*"'
_PARAMETER = rf"({_TOKEN})=({_TOKEN}|{_QUOTED})"
_MEDIA_TYPE = re.compile(rf"({_TOKEN})/({_TOKEN})((?:[ \t]*;[ \t]*(?:{_PARAMETER})?)*)")
_ONE_PARAMETER = LazyPattern(rf"[ \t]*;[ \t]*(?:{_PARAMETER})?")
_PLAIN_TOKEN = LazyPattern(_TOKEN)
_QUOTED_PAIR = LazyPattern(r"\\(.)")


class MediaType(NamedTuple):
    """A parsed media type: lower-case type and subtype, raw parameters."""

    type: str
    subtype: str
    parameters: tuple[tuple[str, str], ...]

    @property
    def essence(self) -> str:
        """``type/subtype`` in lower case."""
        return f"{self.type}/{self.subtype}"

    def normalised(self) -> str:
        """Essence plus parameters, names lower-cased and sorted."""
        params = sorted((name.lower(), value) for name, value in self.parameters)
        return self.essence + "".join(
            f";{name}={_quote(value)}" for name, value in params
        )


def parse_media_type(text: str) -> MediaType | None:
    """Parse one media type by the RFC 9110 grammar; None if it is not one.

    The length limit and the wildcard rule are not applied here.
    """
    match = _MEDIA_TYPE.fullmatch(text)
    if match is None:
        return None
    type_, subtype, rest = match.groups()[:3]
    params = tuple(
        (m.group(1), _unquote(m.group(2)))
        for m in _ONE_PARAMETER.finditer(rest)
        if m.group(1) is not None
    )
    return MediaType(type_.lower(), subtype.lower(), params)


def media_type_essence(text: str) -> str | None:
    """The lower-case ``type/subtype`` of a media type, or None."""
    parsed = parse_media_type(text)
    return None if parsed is None else parsed.essence


def check_media_type(
    value: str, *, refuse_parameters: bool
) -> tuple[str | None, dict[str, Any] | None]:
    """Judge one ``contentTypes`` entry: ``(essence, None)`` or a failure.

    The failure is the params of ``invalid-media-type``. Order: length
    first (so cost is bounded), then syntax, wildcard, parameters.
    """
    if len(value) > MAX_MEDIA_TYPE_LENGTH:
        return None, {"reason": "too-long", "max": MAX_MEDIA_TYPE_LENGTH}
    parsed = parse_media_type(value)
    if parsed is None:
        return None, {"reason": "syntax"}
    if "*" in parsed.type or "*" in parsed.subtype:
        return None, {"reason": "wildcard"}
    if refuse_parameters and ";" in value:
        return None, {"reason": "parameters"}
    return parsed.essence, None


def _unquote(value: str) -> str:
    if value.startswith('"'):
        return _QUOTED_PAIR.sub(r"\1", value[1:-1])
    return value


def _quote(value: str) -> str:
    if _PLAIN_TOKEN.fullmatch(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
