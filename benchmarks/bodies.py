"""The request bodies every benchmark judges, and the adversarial ones.

One stage, one set of headers, and bodies built once, so every library
times the same objects. The adversarial builders take a size, so the
runner can time each at two sizes ten times apart.
"""

from __future__ import annotations

import json
from typing import Any

from session_rules import UploadStage

STAGE = UploadStage(
    min_files=1,
    max_files=5,
    accepted_formats=("application/pdf", "image/*", "text/csv"),
)
SLUG = "invoice-intake"
HEADERS = {
    "Authorization": "Bearer aok_live_7Hq2xP9mWv",
    "X-Request-Id": "req-5c1e9a7b",
}

#: The typical valid request: 3 files, a webhook, small metadata, a user.
TYPICAL: dict[str, Any] = {
    "fileCount": 3,
    "contentTypes": ["application/pdf", "image/jpeg", "text/csv; charset=utf-8"],
    "clientSubmissionId": "inv-2026-0002",
    "webhookUrl": "https://hooks.example.com/steve/sessions?tenant=acme",
    "metadata": {
        "orderId": "A-1001",
        "rush": True,
        "amount": 129.5,
        "tags": ["q4", "eu"],
        "customer": {"tier": "gold", "since": 2019},
    },
    "externalUser": {"id": "u_42", "email": "ana@example.com", "name": "Ana Souza"},
}
TYPICAL_BYTES = json.dumps(TYPICAL, separators=(",", ":")).encode()

#: Three errors: a count outside the window, a wildcard entry, a blank id.
THREE_ERRORS: dict[str, Any] = {
    **TYPICAL,
    "fileCount": 9,
    "contentTypes": ["application/pdf", "image/*", "text/csv"],
    "clientSubmissionId": "   ",
}
THREE_ERRORS_BYTES = json.dumps(THREE_ERRORS, separators=(",", ":")).encode()


def fresh_three_errors(count: int) -> list[dict[str, Any]]:
    """``count`` bodies with THREE_ERRORS' faults, each count and wildcard
    different, so that no record or verdict is found remembered."""
    return [
        {
            **THREE_ERRORS,
            "fileCount": 10 + i,
            "contentTypes": ["application/pdf", f"x-{i}/*", "text/csv"],
        }
        for i in range(count)
    ]


def content_types(size: int) -> dict[str, Any]:
    """A contentTypes array of ``size`` entries."""
    return {**TYPICAL, "contentTypes": ["image/png"] * size}


def metadata_string(size: int) -> dict[str, Any]:
    """One metadata string of ``size`` characters."""
    return {**TYPICAL, "metadata": {"note": "x" * size}}


def metadata_depth(size: int) -> dict[str, Any]:
    """Metadata nested ``size`` objects deep."""
    inner: dict[str, Any] = {}
    for _ in range(size):
        inner = {"k": inner}
    return {**TYPICAL, "metadata": inner}


def metadata_keys(size: int) -> dict[str, Any]:
    """Metadata with ``size`` small, valid members."""
    return {**TYPICAL, "metadata": {f"k{i}": i for i in range(size)}}


def metadata_bad_keys(size: int) -> dict[str, Any]:
    """Metadata with ``size`` members whose value (null) is invalid."""
    return {**TYPICAL, "metadata": {f"k{i}": None for i in range(size)}}


def unknown_key(size: int) -> dict[str, Any]:
    """An unknown top-level member whose name is ``size`` characters."""
    return {**TYPICAL, "k" * size: 1}


#: name, builder, base size (the target's), target in seconds.
ADVERSARIAL = (
    ("contentTypes entries", content_types, 100_000),
    ("metadata string chars", metadata_string, 5_000_000),
    ("metadata nesting depth", metadata_depth, 10_000),
    ("metadata keys (valid)", metadata_keys, 10_000),
    ("metadata keys (null)", metadata_bad_keys, 10_000),
    ("unknown key chars", unknown_key, 10_000_000),
)
