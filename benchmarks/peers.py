"""The same request as the peers can express it.

Each peer checks less than `session_rules` (no media-type grammar, no
stage, no SSRF rules, no exact metadata size), so these models are the
closest each can come: types, required members, unknown members, the
count window, string lengths and a non-blank id. A peer that is not
installed is left out and named in `MISSING`.
"""

import importlib
from collections.abc import Callable
from typing import Any

#: Peers that could not be imported, with the reason.
MISSING: dict[str, str] = {}

# RFC 9110 tokens; "$" is written \x24 so no peer mistakes it for an anchor.
TOKEN = r"[!#\x24%&'*+.^_`|~0-9A-Za-z-]+"
MEDIA_TYPE = rf"^{TOKEN}/{TOKEN}(;.*)?$"
NOT_BLANK = r"\S"

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["fileCount", "contentTypes", "clientSubmissionId"],
    "additionalProperties": False,
    "properties": {
        "fileCount": {"type": "integer", "minimum": 1, "maximum": 5},
        "contentTypes": {
            "type": "array",
            "maxItems": 5,
            "items": {"type": "string", "maxLength": 255, "pattern": MEDIA_TYPE},
        },
        "clientSubmissionId": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255,
            "pattern": NOT_BLANK,
        },
        "webhookUrl": {"type": "string", "maxLength": 2048, "pattern": "^https://"},
        "metadata": {
            "type": "object",
            "additionalProperties": {
                "anyOf": [
                    {"type": ["string", "number", "boolean"]},
                    {
                        "type": ["array", "object"],
                        "items": {"type": ["string", "number", "boolean"]},
                        "additionalProperties": {
                            "type": ["string", "number", "boolean"]
                        },
                    },
                ]
            },
        },
        "externalUser": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                name: {"type": "string", "minLength": 1, "maxLength": 255}
                for name in ("name", "email", "id")
            },
        },
    },
}


def _optional(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as exc:  # reported in the table, never fatal
        MISSING[name] = str(exc)
        return None


def pydantic_validators() -> tuple[Callable[[Any], Any], Callable[[bytes], Any]]:
    """``model_validate`` and ``model_validate_json`` of an equivalent model."""
    from typing import Annotated  # noqa: PLC0415

    from pydantic import (  # noqa: PLC0415
        BaseModel,
        ConfigDict,
        Field,
        HttpUrl,
    )

    text = Annotated[str, Field(min_length=1, max_length=255)]
    leaf = str | float | bool

    class ExternalUser(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: text | None = None
        email: text | None = None
        id: text | None = None

    class CreateSession(BaseModel):
        model_config = ConfigDict(extra="forbid")
        fileCount: Annotated[int, Field(ge=1, le=5, strict=True)]
        contentTypes: list[Annotated[str, Field(max_length=255, pattern=MEDIA_TYPE)]]
        clientSubmissionId: Annotated[
            str, Field(min_length=1, max_length=255, pattern=NOT_BLANK)
        ]
        webhookUrl: HttpUrl | None = None
        metadata: dict[str, leaf | list[leaf] | dict[str, leaf]] | None = None
        externalUser: ExternalUser | None = None

    return CreateSession.model_validate, CreateSession.model_validate_json


def msgspec_validators() -> tuple[Callable[[Any], Any], Callable[[bytes], Any]] | None:
    """``msgspec.convert`` and ``msgspec.json.decode`` of an equivalent Struct."""
    msgspec = _optional("msgspec")
    if msgspec is None:
        return None
    from typing import Annotated  # noqa: PLC0415

    meta = msgspec.Meta
    text = Annotated[str, meta(min_length=1, max_length=255)]
    leaf = str | float | bool

    class ExternalUser(msgspec.Struct, forbid_unknown_fields=True):
        name: text | None = None
        email: text | None = None
        id: text | None = None

    class CreateSession(msgspec.Struct, forbid_unknown_fields=True):
        fileCount: Annotated[int, meta(ge=1, le=5)]
        contentTypes: list[Annotated[str, meta(max_length=255, pattern=MEDIA_TYPE)]]
        clientSubmissionId: Annotated[
            str, meta(min_length=1, max_length=255, pattern=NOT_BLANK)
        ]
        webhookUrl: Annotated[str, meta(pattern="^https://")] | None = None
        metadata: dict[str, leaf | list[leaf] | dict[str, leaf]] | None = None
        externalUser: ExternalUser | None = None

    decoder = msgspec.json.Decoder(CreateSession)

    def convert(body: Any) -> Any:
        return msgspec.convert(body, CreateSession)

    return convert, decoder.decode


def schema_validators() -> dict[str, Callable[[Any], Any]]:
    """Each JSON Schema peer's full error list (or first error) for a body."""
    found: dict[str, Callable[[Any], Any]] = {}
    fastjsonschema = _optional("fastjsonschema")
    if fastjsonschema is not None:
        check = fastjsonschema.compile(SCHEMA)
        error = fastjsonschema.JsonSchemaException

        def fast(body: Any) -> Any:
            try:
                return check(body)
            except error as exc:  # stops at the first error
                return exc

        found["fastjsonschema"] = fast
    jsonschema = _optional("jsonschema")
    if jsonschema is not None:
        validator = jsonschema.Draft202012Validator(SCHEMA)
        found["jsonschema"] = lambda body: list(validator.iter_errors(body))
    jsonschema_rs = _optional("jsonschema_rs")
    if jsonschema_rs is not None:
        rs = jsonschema_rs.Draft202012Validator(SCHEMA)
        found["jsonschema-rs"] = lambda body: list(rs.iter_errors(body))
    return found
