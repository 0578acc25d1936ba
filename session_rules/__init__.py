"""Exact, safe checks of create-upload-session requests.

``validate_create_session`` judges a parsed request and
``validate_create_session_bytes`` the bytes a client sent; both return an
`Outcome` whose errors a server sends as an RFC 9457 problem document.
"""

from ._attribution import attribution_label
from ._errors import CODES, ConfigurationError, FieldError, Outcome
from ._media_types import media_type_essence
from ._metadata import metadata_size
from ._policy import Policy
from ._replay import (
    PriorSession,
    ReplayDecision,
    decide_replay,
    request_fingerprint,
    session_location,
)
from ._request import validate_create_session, validate_create_session_bytes
from ._schema import schema_for
from ._stage import UploadStage
from ._version import __version__
from ._webhook import WebhookVerdict, check_resolved_addresses, check_webhook_url

__all__ = [
    "CODES",
    "ConfigurationError",
    "FieldError",
    "Outcome",
    "Policy",
    "PriorSession",
    "ReplayDecision",
    "UploadStage",
    "WebhookVerdict",
    "__version__",
    "attribution_label",
    "check_resolved_addresses",
    "check_webhook_url",
    "decide_replay",
    "media_type_essence",
    "metadata_size",
    "request_fingerprint",
    "schema_for",
    "session_location",
    "validate_create_session",
    "validate_create_session_bytes",
]


def __dir__() -> list[str]:
    return list(__all__)
