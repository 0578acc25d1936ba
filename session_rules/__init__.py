"""Exact, safe checks of create-upload-session requests.

``validate_create_session`` judges a parsed request and
``validate_create_session_bytes`` the bytes a client sent; both return an
`Outcome` whose errors a server sends as an RFC 9457 problem document.
"""

import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from ._errors import CODES, ConfigurationError, FieldError, Outcome
from ._policy import Policy
from ._request import validate_create_session, validate_create_session_bytes
from ._stage import UploadStage
from ._version import __version__

if _TYPE_CHECKING:
    from ._attribution import attribution_label
    from ._media_types import media_type_essence
    from ._metadata import metadata_size
    from ._replay import (
        PriorSession,
        ReplayDecision,
        decide_replay,
        request_fingerprint,
        session_location,
    )
    from ._schema import schema_for
    from ._webhook import (
        WebhookVerdict,
        check_resolved_addresses,
        check_webhook_url,
    )

# The rarer parts load on first use (PEP 562), so that importing the
# package costs only what checking a request needs.
_LAZY = {
    "attribution_label": "._attribution",
    "media_type_essence": "._media_types",
    "metadata_size": "._metadata",
    "PriorSession": "._replay",
    "ReplayDecision": "._replay",
    "decide_replay": "._replay",
    "request_fingerprint": "._replay",
    "session_location": "._replay",
    "schema_for": "._schema",
    "WebhookVerdict": "._webhook",
    "check_resolved_addresses": "._webhook",
    "check_webhook_url": "._webhook",
}

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


def __getattr__(name: str) -> _Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
