"""The example servers, run as real server processes and asked over HTTP.

Each app in docs/examples/servers starts on 127.0.0.1 and a free port
(uvicorn for FastAPI and Starlette, ``flask run`` for Flask) and answers
one request for every status the endpoint has.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

SERVERS = Path(__file__).parent.parent / "docs" / "examples" / "servers"
HOST = "127.0.0.1"
PATH = "/api/v1/workflows/invoice-intake/sessions"
AUTH = {"Authorization": "Bearer aok_demo_acme"}
JSON = {"Content-Type": "application/json"}
STARTUP_SECONDS = 20


def _command(app: str, port: int) -> list[str]:
    if app == "flask":
        return [sys.executable, "-m", "flask", "--app", "flask_app", "run",
                "--host", HOST, "--port", str(port)]  # fmt: skip
    return [sys.executable, "-m", "uvicorn", f"{app}_app:app",
            "--host", HOST, "--port", str(port), "--log-level", "warning"]  # fmt: skip


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(proc: subprocess.Popen[bytes], client: httpx.Client) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode}")
        try:
            client.get("/")  # any HTTP answer, even a 404, means it is up
        except httpx.TransportError:
            time.sleep(0.05)
        else:
            return
    raise RuntimeError("server did not answer in time")


@pytest.fixture(scope="module", params=["fastapi", "starlette", "flask"])
def server(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    app = request.param
    pytest.importorskip(app, reason=f"the {app} example needs {app}")
    if app != "flask":
        pytest.importorskip("uvicorn", reason="the ASGI examples run on uvicorn")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen(
        _command(app, port),
        cwd=SERVERS,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://{HOST}:{port}"
        with httpx.Client(base_url=base, trust_env=False, timeout=10) as client:
            _wait_until_up(proc, client)
            yield client
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode is not None


def _body(submission: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "fileCount": 2,
        "contentTypes": ["application/pdf", "image/png"],
        "clientSubmissionId": submission,
        "webhookUrl": "https://Hooks.Example.com:443/acme/sessions",
    }
    body.update(changes)
    return body


def _new_id() -> str:
    return f"inv-{uuid.uuid4().hex[:12]}"


def _assert_problem(
    response: httpx.Response, status: int, kind: str, title: str,
    errors: list[dict[str, Any]],
) -> None:  # fmt: skip
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert "location" not in response.headers
    detail = (
        errors[0]["message"]
        if len(errors) == 1
        else f"The request has {len(errors)} problems; see errors."
    )
    assert response.json() == {
        "type": f"/problems/{kind}",
        "title": title,
        "status": status,
        "detail": detail,
        "errors": errors,
    }


def _error(field: str, pointer: str | None, where: str, code: str, message: str,
           **params: Any) -> dict[str, Any]:  # fmt: skip
    return {"field": field, "pointer": pointer, "in": where, "code": code,
            "message": message, "params": params}  # fmt: skip


NOT_FOUND = _error("slug", None, "path", "invalid-slug",
                   "slug does not name a workflow")  # fmt: skip


def test_201_creates_a_session_with_a_location(server: httpx.Client) -> None:
    response = server.post(PATH, json=_body(_new_id()), headers=AUTH)
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    session_id = response.json()["sessionId"]
    assert response.json() == {"sessionId": session_id, "state": "pending"}
    assert response.headers["location"] == f"/api/v1/jobs/{session_id}"


def test_200_returns_the_pending_session_for_a_replay(server: httpx.Client) -> None:
    submission = _new_id()
    first = server.post(PATH, json=_body(submission), headers=AUTH)
    # The same request, spelt differently: other key order, white space,
    # number spelling, media type case and webhook spelling.
    replay_text = (
        '{ "webhookUrl": "https://hooks.example.com/acme/sessions",'
        f' "clientSubmissionId": "{submission}", "contentTypes":'
        ' ["Application/PDF", "image/png"], "fileCount": 2.0 }'
    )
    replay = server.post(PATH, content=replay_text, headers=AUTH | JSON)
    assert first.status_code == 201
    assert replay.status_code == 200
    assert replay.headers["content-type"] == "application/json"
    assert replay.headers["location"] == first.headers["location"]
    assert replay.json() == first.json()


def test_the_store_is_keyed_by_company(server: httpx.Client) -> None:
    submission = _new_id()
    first = server.post(PATH, json=_body(submission), headers=AUTH)
    other = {"Authorization": "Bearer aok_demo_globex"}
    second = server.post(PATH, json=_body(submission), headers=other)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.headers["location"] != second.headers["location"]


def test_the_store_is_keyed_by_workflow(server: httpx.Client) -> None:
    submission = _new_id()
    first = server.post(PATH, json=_body(submission), headers=AUTH)
    second = server.post(
        "/api/v1/workflows/id-check/sessions",
        json=_body(submission, contentTypes=["image/png", "image/jpeg"]),
        headers=AUTH,
    )
    assert (first.status_code, second.status_code) == (201, 201)


def test_409_for_a_replay_with_other_content(server: httpx.Client) -> None:
    submission = _new_id()
    first = server.post(PATH, json=_body(submission), headers=AUTH)
    changed = _body(submission, fileCount=1, contentTypes=["text/csv"])
    response = server.post(PATH, json=changed, headers=AUTH)
    assert first.status_code == 201
    _assert_problem(response, 409, "idempotency-conflict", "Conflicting replay", [
        _error("clientSubmissionId", "/clientSubmissionId", "body",
               "idempotency-conflict",
               "clientSubmissionId was already used for a request with other"
               " content", reason="different-content"),
    ])  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b'{"fileCount": 1,', _error("", "", "body", "invalid-json",
            "the request body is not a single JSON document", reason="syntax")),
        (b'{"fileCount": 1, "fileCount": 2}', _error("", "", "body",
            "duplicate-key", 'member "fileCount" appears twice in one object',
            key="fileCount")),
        (b'{"fileCount": NaN}', _error("", "", "body", "invalid-json",
            "the request body holds a number JSON cannot represent",
            reason="non-finite")),
    ],
)  # fmt: skip
def test_400_for_a_body_that_is_not_acceptable_json(
    server: httpx.Client, raw: bytes, error: dict[str, Any]
) -> None:
    response = server.post(PATH, content=raw, headers=AUTH | JSON)
    title = "The request body is not acceptable JSON"
    _assert_problem(response, 400, "invalid-json", title, [error])


@pytest.mark.parametrize(
    ("headers", "code", "message"),
    [
        ({}, "missing-credentials",
         "Authorization is required: send Bearer and a company API key"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "invalid-credentials",
         "Authorization must be Bearer followed by an aok_ API key"),
    ],
)  # fmt: skip
def test_401_before_anything_else(
    server: httpx.Client, headers: dict[str, str], code: str, message: str
) -> None:
    # An unknown workflow and a broken body: still only the 401.
    response = server.post(
        "/api/v1/workflows/no-such-flow/sessions",
        content=b"{",
        headers=headers | {"Content-Type": "text/plain"},
    )
    title = "Missing or malformed credentials"
    error = _error("Authorization", None, "header", code, message)
    _assert_problem(response, 401, "unauthorized", title, [error])
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("slug", ["Invoice_Intake", "no-such-flow", "x" * 129])
def test_404_for_a_slug_that_names_no_workflow(server: httpx.Client, slug: str) -> None:
    # Malformed and unknown slugs get one and the same answer, before the
    # body is looked at.
    response = server.post(
        f"/api/v1/workflows/{slug}/sessions",
        content=b"not json",
        headers=AUTH | {"Content-Type": "text/plain"},
    )
    _assert_problem(response, 404, "workflow-not-found", "No such workflow",
                    [NOT_FOUND])  # fmt: skip


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded",
     "application/json; charset=latin-1"],
)  # fmt: skip
def test_415_for_a_body_not_sent_as_json(
    server: httpx.Client, content_type: str
) -> None:
    response = server.post(
        PATH, content=b"{", headers=AUTH | {"Content-Type": content_type}
    )
    title = "Unsupported request media type"
    error = _error("Content-Type", None, "header", "unsupported-media-type",
                   "the request body must be sent as application/json")  # fmt: skip
    _assert_problem(response, 415, "unsupported-media-type", title, [error])


def test_422_lists_every_problem_in_order(server: httpx.Client) -> None:
    body = {
        "fileCount": 2,
        "contentTypes": ["image/png"],
        "clientSubmissionId": " ",
        "webhookUrl": "https://169.254.169.254/latest/meta-data/",
        "colour": "red",
    }
    response = server.post(PATH, json=body, headers=AUTH | {"X-Request-Id": "x" * 129})
    _assert_problem(response, 422, "validation-error",
                    "The request did not validate", [
        _error("contentTypes", "/contentTypes", "body", "length-mismatch",
               "contentTypes must have 2 entries, one per file; got 1",
               expected=2, actual=1),
        _error("clientSubmissionId", "/clientSubmissionId", "body", "empty",
               "clientSubmissionId must not be empty or only white space"),
        _error("webhookUrl", "/webhookUrl", "body", "host-not-public",
               "webhookUrl host 169.254.169.254 is not public (link local)",
               reason="link-local", host="169.254.169.254", resolved=False),
        _error("colour", "/colour", "body", "unknown-field",
               "colour is not a known member"),
        _error("X-Request-Id", None, "header", "too-long",
               "X-Request-Id must be at most 128 characters; got 129",
               max=128, actual=129),
    ])  # fmt: skip


def test_422_for_a_single_problem_uses_its_message_as_detail(
    server: httpx.Client,
) -> None:
    body = _body(_new_id(), webhookUrl="http://hooks.example.com/")
    response = server.post(PATH, json=body, headers=AUTH)
    _assert_problem(response, 422, "validation-error",
                    "The request did not validate", [
        _error("webhookUrl", "/webhookUrl", "body", "not-https",
               "webhookUrl must use https"),
    ])  # fmt: skip


def test_a_body_without_content_type_is_judged_by_its_bytes(
    server: httpx.Client,
) -> None:
    raw = (
        '{"fileCount": 1, "contentTypes": ["text/csv"],'
        f' "clientSubmissionId": "{_new_id()}"}}'
    )
    response = server.post(PATH, content=raw.encode(), headers=AUTH)
    assert response.status_code == 201
