"""The upload stage a request is judged against, validated as configuration.

A stage comes from the server's own workflow data, so a bad one is the
server's fault: it raises `ConfigurationError`, never a 422.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._errors import ConfigurationError, FieldError
from ._frozen import Frozen
from ._media_types import MAX_MEDIA_TYPE_LENGTH, check_media_type, parse_media_type
from ._memo import remember

#: ``judge_media_type``'s answer: None, or a code and its params.
Verdict = tuple[str, dict[str, Any]] | None

__all__ = ["MAX_BOUND", "UploadStage"]

#: Largest file-count bound a stage may have.
MAX_BOUND = 2**53 - 1

#: Most ``contentTypes`` verdicts a stage remembers per parameter switch.
#: Clients send a handful of distinct media types, so a small table holds
#: them all; past the bound, new entries are judged but not kept.
VERDICT_CACHE_SIZE = 512


class UploadStage(Frozen):
    """The upload window and accepted formats of one workflow version.

    ``accepted_formats`` holds exact media types (``image/png``), type
    ranges (``image/*``) or ``*/*``, without parameters.  Immutable and
    compared by value.
    """

    _FIELDS = ("min_files", "max_files", "accepted_formats")
    __slots__ = (*_FIELDS, "_any", "_exact", "_records", "_types", "_verdicts")
    min_files: int
    max_files: int
    accepted_formats: tuple[str, ...]
    _exact: frozenset[str]
    _types: frozenset[str]
    _any: bool
    _verdicts: tuple[dict[str, Verdict], dict[str, Verdict]]
    #: Error records of this stage's judgements, by input: an exact int
    #: fileCount, or (entry, index, refuse_parameters) of contentTypes.
    #: Filled and bounded by the request checks.
    _records: dict[object, FieldError]

    def __init__(
        self, min_files: int, max_files: int, accepted_formats: Sequence[str]
    ) -> None:
        _check_bound("min_files", min_files)
        _check_bound("max_files", max_files)
        if min_files > max_files:
            raise ConfigurationError(
                f"UploadStage: min_files {min_files} is above max_files {max_files}"
            )
        formats = accepted_formats
        if isinstance(formats, str | bytes) or not isinstance(formats, Sequence):
            raise ConfigurationError(
                "UploadStage: accepted_formats must be a list of media types"
            )
        formats = tuple(formats)
        if not formats:
            raise ConfigurationError("UploadStage: accepted_formats is empty")
        exact: set[str] = set()
        types: set[str] = set()
        for item in formats:
            kind, value = _parse_range(item)
            {"exact": exact, "type": types}.get(kind, set()).add(value)
        verdicts: tuple[dict[str, Verdict], dict[str, Verdict]] = ({}, {})
        self._assign(
            (
                ("min_files", min_files),
                ("max_files", max_files),
                ("accepted_formats", formats),
                ("_exact", frozenset(exact)),
                ("_types", frozenset(types)),
                ("_any", "*/*" in formats),
                ("_verdicts", verdicts),
                ("_records", {}),
            )
        )

    @classmethod
    def from_json(cls, obj: Any) -> UploadStage:
        """Build a stage from the API's camelCase form.

        ``{"minFiles": 1, "maxFiles": 10, "acceptedFormats": [...]}``;
        other members are ignored.
        """
        if not isinstance(obj, Mapping):
            raise ConfigurationError("UploadStage: expected a JSON object")
        missing = [
            k for k in ("minFiles", "maxFiles", "acceptedFormats") if k not in obj
        ]
        if missing:
            raise ConfigurationError("UploadStage: missing " + ", ".join(missing))
        formats = obj["acceptedFormats"]
        if not isinstance(formats, list):
            raise ConfigurationError(
                "UploadStage: acceptedFormats must be a list of media types"
            )
        return cls(
            _json_integer(obj["minFiles"]),
            _json_integer(obj["maxFiles"]),
            tuple(formats),
        )

    def to_json(self) -> dict[str, Any]:
        """The stage in the API's camelCase form."""
        return {
            "minFiles": self.min_files,
            "maxFiles": self.max_files,
            "acceptedFormats": list(self.accepted_formats),
        }

    def judge_media_type(self, entry: str, refuse_parameters: bool) -> Verdict:
        """Judge one ``contentTypes`` entry against this stage.

        None when it is a media type the stage accepts; otherwise the
        code (``invalid-media-type`` or ``format-not-accepted``) and its
        params, which the caller must copy, not change. Verdicts depend
        only on the string, the switch and the frozen stage, so short
        strings are remembered in a bounded table.
        """
        # A str subclass could change what is measured; a long string is
        # refused at once for its length, and is not worth hashing.
        if type(entry) is not str or len(entry) > MAX_MEDIA_TYPE_LENGTH:
            return self._judge_media_type(entry, refuse_parameters)
        verdicts = self._verdicts[refuse_parameters]
        try:
            return verdicts[entry]
        except KeyError:
            pass
        verdict = self._judge_media_type(entry, refuse_parameters)
        remember(verdicts, entry, verdict, VERDICT_CACHE_SIZE)
        return verdict

    def _remembered(self, refuse_parameters: bool) -> Mapping[str, Verdict]:
        """The verdicts `judge_media_type` has remembered for the switch."""
        return self._verdicts[refuse_parameters]

    def _judge_media_type(self, entry: str, refuse_parameters: bool) -> Verdict:
        essence, failure = check_media_type(entry, refuse_parameters=refuse_parameters)
        if failure is not None:
            return "invalid-media-type", failure
        if essence is not None and not self.accepts(essence):
            return "format-not-accepted", {"accepted": self.accepted_formats}
        return None

    def accepts(self, essence: str) -> bool:
        """Whether a lower-case ``type/subtype`` is admitted by the stage."""
        if self._any or essence in self._exact:
            return True
        return essence.partition("/")[0] in self._types


def _json_integer(value: Any) -> Any:
    """JSON has one number type: ``2.0`` is the integer 2."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _check_bound(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigurationError(f"UploadStage: {name} must be an integer")
    if value < 0:
        raise ConfigurationError(f"UploadStage: {name} must not be negative")
    # Bounds travel in messages, schemas and JSON: keep them exact there
    # (RFC 7493 I-JSON safe integers).
    if value > MAX_BOUND:
        raise ConfigurationError(f"UploadStage: {name} must be at most 2**53 - 1")


def _parse_range(item: object) -> tuple[str, str]:
    """Classify one accepted format: exact type, type range, or any."""
    if not isinstance(item, str):
        raise ConfigurationError(
            f"UploadStage: accepted format {item!r} is not a string"
        )
    parsed = parse_media_type(item)
    if parsed is None or parsed.parameters or ";" in item:
        raise ConfigurationError(
            f"UploadStage: {item!r} is not a media type without parameters"
        )
    if parsed.type == "*":
        if parsed.subtype != "*":
            raise ConfigurationError(f"UploadStage: {item!r} is not a valid range")
        return "any", "*/*"
    if parsed.subtype == "*":
        if "*" in parsed.type:
            raise ConfigurationError(f"UploadStage: {item!r} is not a valid range")
        return "type", parsed.type
    if "*" in parsed.type or "*" in parsed.subtype:
        raise ConfigurationError(f"UploadStage: {item!r} is not a valid range")
    return "exact", parsed.essence
