"""The session-rules command line, run as a user runs it."""

from __future__ import annotations

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
