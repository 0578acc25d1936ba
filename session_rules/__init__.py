"""Exact, safe checks of create-upload-session requests."""

from ._errors import ConfigurationError, FieldError, Outcome
from ._policy import Policy
from ._stage import UploadStage
from ._version import __version__

__all__ = [
    "ConfigurationError",
    "FieldError",
    "Outcome",
    "Policy",
    "UploadStage",
    "__version__",
]
