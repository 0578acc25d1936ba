"""The session-rules command line, run as a user runs it."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from session_rules.__main__ import main

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "docs" / "examples"
STAGE = str(EXAMPLES / "stage.json")


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "session_rules", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def test_examples_print_their_documented_outcomes() -> None:
    files = sorted(str(p) for p in (EXAMPLES / "requests").glob("*.json"))
    done = run("check", "--stage", STAGE, *files)
    assert done.returncode == 1
    expected = (EXAMPLES / "expected.jsonl").read_text(encoding="utf-8")
    assert done.stdout == expected
    assert done.stderr == ""


def test_accepted_request_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["check", "--stage", STAGE, str(EXAMPLES / "requests/02-full.json")]) == 0
    )
    shown = json.loads(capsys.readouterr().out)
    assert shown == {
        "status": 201,
        "webhookUrl": "https://hooks.example.com/steve/sessions?tenant=acme",
    }


def test_jsonl_from_stdin_with_stage_per_record() -> None:
    record = json.loads(
        (ROOT / "tests/data/requests.jsonl").read_text().splitlines()[0]
    )
    done = run("check", "--jsonl", "-", stdin=json.dumps(record) + "\n\n")
    assert (done.returncode, json.loads(done.stdout)) == (0, {"status": 201})


def test_raw_body_file(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_bytes(b'{"fileCount": 1, "contentTypes": ["text/csv"], "fileCount": 1}')
    done = run(
        "check", "--stage", STAGE, "--raw", "--slug", "wf",
        "--header", "Authorization: Bearer aok_x", str(body),
    )  # fmt: skip
    assert done.returncode == 1
    assert json.loads(done.stdout)["errors"][0]["code"] == "duplicate-key"


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        (["check", "-"], '{"body": {}}', "no stage"),
        (["check", "--stage", STAGE, "-"], "[1]", "must be a JSON object"),
        (["check", "--stage", STAGE, "-"], "{", "not JSON"),
        (["check", "--stage", STAGE, "-"], '{"slug": "a"}', "needs body"),
        (["check", "--stage", STAGE, "-"], '{"body_b64": "@@"}', "not base64"),
        (["check", "--stage", STAGE, "missing.json"], "", "missing.json"),
        (
            ["check", "-"],
            '{"stage": {"minFiles": 2, "maxFiles": 1}, "body": {}}',
            "missing acceptedFormats",
        ),
        (["check", "--stage", STAGE, "--raw", "-"], "{}", "--raw needs --slug"),
    ],
)
def test_bad_usage_exits_two_with_one_line(
    args: list[str], stdin: str, words: str
) -> None:
    done = run(*args, stdin=stdin)
    assert done.returncode == 2
    assert words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_no_command_is_usage_error() -> None:
    assert run().returncode == 2


def run_here(args: list[str], stdin: bytes, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    return main(args)


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        (["check", "-"], b'{"body": {}}', "no stage"),
        (["check", "--stage", STAGE, "-"], b"[1]", "must be a JSON object"),
        (["check", "--stage", STAGE, "-"], b"{", "not JSON"),
        (["check", "--stage", STAGE, "-"], b"[" * 100_000, "not JSON"),
        (["check", "--stage", STAGE, "-"], b'{"slug": "a"}', "needs body"),
        (["check", "--stage", STAGE, "-"], b'{"body_b64": "@@"}', "not base64"),
        (["check", "--stage", STAGE, "-"], b'{"body_json": 5}', "JSON text"),
        (["check", "--stage", STAGE, "nowhere.json"], b"", "nowhere.json"),
        (["check", "--stage", STAGE, "--raw", "-"], b"{}", "--raw needs --slug"),
        (
            ["check", "--stage", STAGE, "--raw", "--slug", "a", "--header", "X", "-"],
            b"{}",
            "expected NAME:VALUE",
        ),
        (["check", "-"], b'{"stage": [], "body": {}}', "JSON object"),
    ],
)
def test_usage_errors_in_process(
    args: list[str],
    stdin: bytes,
    words: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_here(args, stdin, monkeypatch) == 2
    err = capsys.readouterr().err
    assert words in err
    assert err.count("\n") == 1


def test_jsonl_body_json_and_b64_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    body = b'{"fileCount": 1, "contentTypes": ["text/csv"], "clientSubmissionId": "a"}'
    records = [
        {"slug": "wf", "headers": {"Authorization": "Bearer aok_x"},
         "body_json": body.decode()},
        {"slug": "wf", "headers": {"Authorization": "Bearer aok_x"},
         "body_b64": base64.b64encode(body).decode()},
        {"slug": "wf", "body": {}},
    ]  # fmt: skip
    stdin = "\n".join(json.dumps(r) for r in records).encode() + b"\n\n"
    assert (
        run_here(["check", "--stage", STAGE, "--jsonl", "-"], stdin, monkeypatch) == 1
    )
    shown = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [s["status"] for s in shown] == [201, 201, 401]


def test_raw_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    body = b'{"fileCount": 1, "contentTypes": ["text/csv"], "clientSubmissionId": "a"}'
    args = ["check", "--stage", STAGE, "--raw", "--slug", "wf",
            "--header", "Authorization: Bearer aok_x", "-"]  # fmt: skip
    assert run_here(args, body, monkeypatch) == 0
    assert json.loads(capsys.readouterr().out) == {"status": 201}


def test_schema_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--stage", STAGE]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["properties"]["fileCount"]["maximum"] == 5
    assert main(["schema", "--openapi", "--flavour", "annotated"]) == 0
    assert json.loads(capsys.readouterr().out)["openapi"].startswith("3.1")
    assert main(["schema", "--openapi", "--stage", STAGE]) == 2
    assert "drop --stage" in capsys.readouterr().err
    assert main(["schema", "--write", str(tmp_path)]) == 0
    written = capsys.readouterr().out.split()
    assert written
    assert all(Path(p).exists() for p in written)
