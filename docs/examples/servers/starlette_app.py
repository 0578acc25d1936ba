"""A complete Starlette server for the create-session endpoint.

Run it with ``uvicorn starlette_app:app --host 127.0.0.1 --port 8000`` from
this folder. The endpoint reads the raw body, lets `session_rules` judge
it, then settles replays against an in-memory store. Every rejection is
an ``application/problem+json`` document built by the library.
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from session_rules import (
    Outcome,
    PriorSession,
    UploadStage,
    decide_replay,
    request_fingerprint,
    validate_create_session_bytes,
)

#: The upload stage of each workflow, by slug. A real server reads the
#: workflow version it resolved for the slug from its database.
STAGES: dict[str, UploadStage] = {
    "invoice-intake": UploadStage(
        min_files=1,
        max_files=5,
        accepted_formats=("application/pdf", "image/*", "text/csv"),
    ),
    "id-check": UploadStage(
        min_files=2, max_files=2, accepted_formats=("image/jpeg", "image/png")
    ),
}

#: Any stage will do where the slug names no workflow: an empty body is
#: never accepted, so only the 401 and 404 checks can decide.
_GATE_STAGE = UploadStage(min_files=1, max_files=1, accepted_formats=("*/*",))

#: The library's own 404 record; an unknown workflow gets the same answer
#: as a slug that cannot name one.
UNKNOWN_WORKFLOW = validate_create_session_bytes(
    b"", stage=_GATE_STAGE, slug="", headers={"Authorization": "Bearer aok_x"}
)

#: Sessions by (company, workflow, clientSubmissionId).
SESSIONS: dict[tuple[str, str, str], PriorSession] = {}
#: The canonical webhook URL of each session: the one string to call later.
WEBHOOKS: dict[str, str] = {}
_SESSIONS_LOCK = threading.Lock()


async def create_session(request: Request) -> Response:
    """Create an upload session, or answer a replay of one."""
    slug: str = request.path_params["slug"]
    raw = await request.body()
    headers = request.headers.raw
    stage = STAGES.get(slug)
    if stage is None:
        gate = validate_create_session_bytes(
            b"", stage=_GATE_STAGE, slug=slug, headers=headers
        )
        return problem(gate if gate.status in (401, 404) else UNKNOWN_WORKFLOW)
    outcome = validate_create_session_bytes(
        raw, stage=stage, slug=slug, headers=headers
    )
    if not outcome.ok:
        return problem(outcome)
    # The library accepted these bytes, so plain json.loads reads them safely.
    body: dict[str, Any] = json.loads(raw)
    company = api_key(request.headers["authorization"])
    return settle(company, slug, body, outcome.webhook_url)


def api_key(authorization: str) -> str:
    """The company behind a request; here, simply its API key.

    A real server looks the key up and answers 401 for one it does not
    know; the library checks only the header's form.
    """
    return authorization.split(" ", 1)[1]


def settle(
    company: str, slug: str, body: dict[str, Any], webhook_url: str | None
) -> Response:
    """Create the session (201), return the pending one (200), or 409."""
    key = (company, slug, body["clientSubmissionId"])
    fingerprint = request_fingerprint(body)
    with _SESSIONS_LOCK:
        decision = decide_replay(
            SESSIONS.get(key),
            fingerprint=fingerprint,
            new_session_id=uuid.uuid4().hex,
        )
        if decision.status == 409:
            return problem(decision.outcome())
        assert decision.session_id is not None
        if decision.create:
            SESSIONS[key] = PriorSession(decision.session_id, "pending", fingerprint)
            if webhook_url is not None:
                WEBHOOKS[decision.session_id] = webhook_url
    answer = {"sessionId": decision.session_id, "state": "pending"}
    return Response(
        json.dumps(answer),
        status_code=decision.status,
        media_type="application/json",
        headers={"Location": decision.location or ""},
    )


def problem(outcome: Outcome) -> Response:
    """An RFC 9457 problem response for a rejected outcome."""
    headers = {"WWW-Authenticate": "Bearer"} if outcome.status == 401 else {}
    return Response(
        json.dumps(outcome.problem(), ensure_ascii=False),
        status_code=outcome.status,
        media_type="application/problem+json",
        headers=headers,
    )


app = Starlette(
    routes=[
        Route("/api/v1/workflows/{slug}/sessions", create_session, methods=["POST"]),
    ]
)
