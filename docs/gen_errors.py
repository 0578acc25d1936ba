"""Write docs/errors.md, the error catalogue, from ``session_rules.CODES``.

Every code gets a request that triggers it; the page shows the record the
library actually returns for that request, so the examples cannot drift
from the code. Run from anywhere:

    python docs/gen_errors.py           # rewrite docs/errors.md
    python docs/gen_errors.py --check   # exit 1 if the page is stale
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from session_rules import (
    CODES,
    FieldError,
    Policy,
    PriorSession,
    UploadStage,
    decide_replay,
    validate_create_session,
    validate_create_session_bytes,
)

PAGE = Path(__file__).parent / "errors.md"
STAGE = UploadStage(
    min_files=1,
    max_files=5,
    accepted_formats=("application/pdf", "image/*", "text/csv"),
)
SLUG = "invoice-intake"
AUTH = {"Authorization": "Bearer aok_live_7Hq2xP9mWv"}
VALID = {
    "fileCount": 1,
    "contentTypes": ["application/pdf"],
    "clientSubmissionId": "inv-2026-0100",
}


def _with(**changes: Any) -> dict[str, Any]:
    body = {**VALID, **changes}
    return {k: v for k, v in body.items() if v is not _DROP}


_DROP = object()

#: One line per code, in our words, and the request that triggers it. A
#: request is what the command line reads: slug, headers and a body (or
#: ``body_json``, raw text); ``policy`` names a non-default Policy.
TRIGGERS: Mapping[str, dict[str, Any]] = {
    "missing-credentials": {
        "about": "No Authorization header, or one that is blank.",
        "headers": {},
    },
    "invalid-credentials": {
        "about": "An Authorization header that is not `Bearer aok_...`; "
        "the record never repeats any of it.",
        "headers": {"Authorization": "Token 7Hq2xP9mWv"},
    },
    "invalid-slug": {
        "about": "A slug that cannot name any workflow (the example servers "
        "also use it for a well-formed slug they do not know).",
        "slug": "Invoice_Intake",
    },
    "unsupported-media-type": {
        "about": "The request's Content-Type is not JSON; only checked when "
        "the server hands over the raw bytes.",
        "headers": {**AUTH, "Content-Type": "text/plain"},
        "body_json": json.dumps(VALID),
    },
    "invalid-json": {
        "about": "Raw bytes that are not one UTF-8 JSON document the library "
        "can read safely; `reason` says which rule failed.",
        "body_json": '{"fileCount": 1,',
    },
    "duplicate-key": {
        "about": "A member name given twice in one object of a raw body; "
        "`pointer` names the object.",
        "body_json": '{"fileCount": 1, "fileCount": 2}',
    },
    "wrong-type": {
        "about": "A value of the wrong JSON type; `expected` and `actual` "
        "are JSON type names.",
        "body": _with(fileCount="3"),
    },
    "required": {
        "about": "A required body member is missing.",
        "body": _with(clientSubmissionId=_DROP),
    },
    "unknown-field": {
        "about": "A body or `externalUser` member the API does not define "
        "(unless the policy ignores them).",
        "body": _with(colour="red"),
    },
    "out-of-window": {
        "about": "`fileCount` lies outside the stage's `minFiles..maxFiles`.",
        "body": _with(fileCount=12),
    },
    "length-mismatch": {
        "about": "`contentTypes` does not hold one entry per file.",
        "body": _with(fileCount=2),
    },
    "invalid-media-type": {
        "about": "An entry that is not one concrete RFC 9110 media type.",
        "body": _with(contentTypes=["image/*"]),
    },
    "format-not-accepted": {
        "about": "A well-formed media type the stage does not accept.",
        "body": _with(contentTypes=["video/mp4"]),
    },
    "invalid-string": {
        "about": "Text that no store can hold safely: a lone surrogate or a "
        "control character.",
        "body": _with(clientSubmissionId="inv-2026\u00000100"),
    },
    "empty": {
        "about": "Text that is empty or only white space.",
        "body": _with(clientSubmissionId=" "),
    },
    "too-long": {
        "about": "Text over its maximum length, in code points.",
        "body": _with(clientSubmissionId="x" * 256),
    },
    "malformed-url": {
        "about": "A webhook URL that is not a well-formed absolute https URL; "
        "`reason` names the first problem.",
        "body": _with(webhookUrl="https://hooks.example.com/a b"),
    },
    "not-https": {
        "about": "A webhook URL with a scheme other than https.",
        "body": _with(webhookUrl="http://hooks.example.com/sessions"),
    },
    "credentials-in-url": {
        "about": "A webhook URL with a user name or password.",
        "body": _with(webhookUrl="https://bot:s3cret@hooks.example.com/"),
    },
    "ambiguous-host": {
        "about": "A public address spelt in a form that parsers read differently.",
        "body": _with(webhookUrl="https://134744072/hook"),
    },
    "host-not-public": {
        "about": "A webhook host that points (or resolves) inside a private "
        "network; `reason` names the class of address.",
        "body": _with(webhookUrl="https://169.254.169.254/latest/meta-data/"),
    },
    "port-not-allowed": {
        "about": "A webhook port outside the policy's allowed ports "
        "(`Policy.hardened()` in this example).",
        "policy": "hardened",
        "body": _with(webhookUrl="https://hooks.example.com:22/"),
    },
    "metadata-too-large": {
        "about": "Metadata whose compact JSON text is over 4096 bytes; "
        "`actual` is where the count stopped.",
        "body": _with(metadata={"notes": "x" * 5000}),
    },
    "metadata-too-deep": {
        "about": "Metadata nested past two levels; `pointer` names the place.",
        "body": _with(metadata={"customer": {"address": {"city": "Porto"}}}),
    },
    "metadata-invalid-value": {
        "about": "A metadata value that is not a string, finite number or "
        "boolean, or a bad key.",
        "body": _with(metadata={"note": None}),
    },
    "invalid-header-value": {
        "about": "An `X-Request-Id` that is not visible ASCII.",
        "headers": {**AUTH, "X-Request-Id": "req 42"},
    },
    "too-many-errors": {
        "about": "Closes a list cut at the policy's maximum; `omitted` counts "
        "what was left out (`Policy(max_errors=1)` in this example).",
        "policy": "max_errors=1",
        "body": _with(colour="red", size="L", shape="round"),
    },
    "idempotency-conflict": {
        "about": "From `decide_replay`: a replay whose content differs from "
        "the pending session's, or (by policy) a finished session's id.",
        "replay": True,
    },
}

_POLICIES = {"hardened": Policy.hardened(), "max_errors=1": Policy(max_errors=1)}
_REPLAY_CALL = """decide_replay(
    PriorSession("ses_01", "pending", fingerprint="v1:sha256:aaaa"),
    fingerprint="v1:sha256:bbbb",
).error"""


def example_error(code: str) -> tuple[dict[str, Any] | None, FieldError]:
    """The request shown for a code, and the record the library returns."""
    trigger = TRIGGERS[code]
    if trigger.get("replay"):
        return None, _replay_example()
    request: dict[str, Any] = {
        "slug": trigger.get("slug", SLUG),
        "headers": trigger.get("headers", AUTH),
    }
    policy = _POLICIES.get(trigger.get("policy", ""))
    if "body_json" in trigger:
        request["body_json"] = trigger["body_json"]
        outcome = validate_create_session_bytes(
            trigger["body_json"].encode("utf-8"),
            stage=STAGE,
            slug=request["slug"],
            headers=request["headers"],
            policy=policy,
        )
    else:
        request["body"] = trigger.get("body", VALID)
        outcome = validate_create_session(
            request["body"],
            stage=STAGE,
            slug=request["slug"],
            headers=request["headers"],
            policy=policy,
        )
    found = [e for e in outcome.errors if e.code == code]
    if not found:
        raise SystemExit(f"gen_errors: the example for {code} does not trigger it")
    return request, found[0]


def _replay_example() -> FieldError:
    # The page shows _REPLAY_CALL; evaluating that very text keeps them one.
    names = {"decide_replay": decide_replay, "PriorSession": PriorSession}
    error = eval(_REPLAY_CALL, names)
    if not isinstance(error, FieldError):
        raise SystemExit("gen_errors: the replay example gave no error")
    return error


def render() -> str:
    """The whole page, as the generator writes it."""
    missing = sorted(set(CODES) - set(TRIGGERS))
    if missing:
        raise SystemExit(f"gen_errors: no example for {', '.join(missing)}")
    lines = [
        "# Error catalogue",
        "",
        "<!-- Generated by docs/gen_errors.py from session_rules.CODES;"
        " do not edit. -->",
        "",
        "Every rejection carries one or more records, each with a stable",
        "`code`. This page lists every code the library can return, with the",
        "status it leads to, the fields it is reported on and the `params` it",
        "always carries. Each example below was produced by running the",
        "library on the request shown (a request in the format that",
        "`session-rules check` reads), so the message is the real one.",
        "",
        "Codes are stable: a released code keeps its meaning, and new codes",
        "may appear, so treat an unknown code as a generic failure of its",
        "status. Messages are English for developers and may be reworded;",
        "build your own text from `code` and `params`.",
        "",
        "| code | status | fields | params |",
        "| --- | --- | --- | --- |",
    ]
    for code, info in CODES.items():
        params = ", ".join(f"`{p}`" for p in info.params) or "–"
        fields = _fields(info.fields)
        lines.append(f"| [`{code}`](#{code}) | {info.status} | {fields} "
                     f"| {params} |")  # fmt: skip
    for code, info in CODES.items():
        request, error = example_error(code)
        lines += [
            "",
            f"## `{code}`",
            "",
            f"Status {info.status}. {TRIGGERS[code]['about']}",
            "",
            "Example message: " + _quoted(error.message),
            "",
        ]
        if request is None:
            lines += ["The call:", "", "```python", _REPLAY_CALL, "```"]
        else:
            lines += ["The request:", "", "```json", _json(request), "```"]
        lines += ["", "The record:", "", "```json", _json(error.to_dict()), "```"]
    return "\n".join(lines) + "\n"


def _fields(text: str) -> str:
    """Field names as code, prose as it is."""
    out = []
    for part in text.split(", "):
        name, space, rest = part.partition(" ")
        if name == '""' or (not space and name != "any"):
            out.append(f"`{name}`" + space + rest)
        else:
            out.append(part)
    return ", ".join(out)


def _quoted(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def _json(value: Any) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    # Long repeated strings are cut for the page; the library saw them whole.
    for long in ("x" * 5000, "x" * 256):
        text = text.replace(long, f"{long[:8]}… ({len(long)} × x)")
    return text


def main(argv: list[str]) -> int:
    """Rewrite the page, or with ``--check`` report whether it is stale."""
    page = render()
    if "--check" in argv:
        if PAGE.read_text(encoding="utf-8") != page:
            print("docs/errors.md is stale: run python docs/gen_errors.py")
            return 1
        return 0
    PAGE.write_text(page, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
