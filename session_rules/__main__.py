"""The ``session-rules`` command: check requests from files or stdin.

Exit status: 0 when every request was accepted, 1 when any was rejected,
2 for bad usage, an unreadable request file or a bad stage.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ._errors import ConfigurationError, Outcome
from ._request import validate_create_session, validate_create_session_bytes
from ._schema import dump, openapi_document, schema_for, write_schemas
from ._stage import UploadStage

__all__ = ["main"]


class UsageError(Exception):
    """A problem with the command line or its input files (exit 2)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except (UsageError, ConfigurationError) as exc:
        print(f"session-rules: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="session-rules",
        description="Check create-upload-session requests against the contract.",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="check request files; print one JSON outcome a request",
        description=(
            "Each FILE holds one request: an object with slug, headers and"
            " body (or body_json, or body_b64 for raw bytes). '-' reads"
            " standard input."
        ),
    )
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("--stage", type=Path, help="upload stage JSON file")
    check.add_argument(
        "--jsonl", action="store_true", help="files hold one request a line"
    )
    check.add_argument(
        "--raw",
        action="store_true",
        help="files are bare request bodies (needs --stage, --slug)",
    )
    check.add_argument("--slug", help="workflow slug for --raw bodies")
    check.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="NAME:VALUE",
        help="a request header for --raw bodies (repeatable)",
    )
    check.set_defaults(run=_check)
    schema = commands.add_parser(
        "schema",
        help="print the request JSON Schema or the OpenAPI document",
        description=(
            "Print the JSON Schema of a request body (for --stage, or for"
            " any stage), or the OpenAPI document; --write DIR writes every"
            " published file below DIR."
        ),
    )
    schema.add_argument("--stage", type=Path, help="upload stage JSON file")
    schema.add_argument(
        "--flavour", choices=("portable", "annotated"), default="portable"
    )
    schema.add_argument(
        "--openapi", action="store_true", help="the OpenAPI 3.1 document"
    )
    schema.add_argument("--write", type=Path, metavar="DIR", help="write all files")
    schema.set_defaults(run=_schema)
    return parser


def _check(args: argparse.Namespace) -> int:
    stage = _load_stage(args.stage) if args.stage else None
    rejected = False
    for record in _records(args):
        outcome = _judge(record, stage)
        rejected = rejected or not outcome.ok
        print(json.dumps(_render(outcome), ensure_ascii=False))
    return 1 if rejected else 0


def _schema(args: argparse.Namespace) -> int:
    if args.write is not None:
        try:
            written = write_schemas(args.write)
        except OSError as exc:
            raise UsageError(f"{args.write}: {exc.strerror or exc}") from None
        for path in written:
            print(path)
        return 0
    if args.openapi:
        if args.stage is not None:
            raise UsageError("--openapi describes every stage; drop --stage")
        document = openapi_document(flavour=args.flavour)
    else:
        stage = _load_stage(args.stage) if args.stage is not None else None
        document = schema_for(stage, flavour=args.flavour)
    sys.stdout.write(dump(document))
    return 0


def _render(outcome: Outcome) -> dict[str, Any]:
    problem = outcome.problem()
    if problem is not None:
        return problem
    shown: dict[str, Any] = {"status": outcome.status}
    if outcome.webhook_url is not None:
        shown["webhookUrl"] = outcome.webhook_url
    return shown


def _load_stage(path: Path) -> UploadStage:
    return UploadStage.from_json(_read_json(_read(str(path)), str(path)))


def _read_json(data: bytes, where: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise UsageError(f"{where}: not JSON ({exc})") from None


def _read(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise UsageError(f"{name}: {exc.strerror or exc}") from None


def _records(args: argparse.Namespace) -> Iterator[dict[str, Any]]:
    for name in args.files:
        data = _read(name)
        if args.raw:
            yield _raw_record(data, args)
        elif args.jsonl:
            for number, line in enumerate(data.splitlines(), 1):
                if line.strip():
                    yield _as_record(_read_json(line, f"{name}:{number}"), name)
        else:
            yield _as_record(_read_json(data, name), name)


def _raw_record(data: bytes, args: argparse.Namespace) -> dict[str, Any]:
    if args.slug is None:
        raise UsageError("--raw needs --slug")
    headers = []
    for item in args.header:
        name, sep, value = item.partition(":")
        if not sep:
            raise UsageError(f"--header {item!r}: expected NAME:VALUE")
        headers.append((name.strip(), value.strip()))
    return {"slug": args.slug, "headers": headers, "raw": data}


def _as_record(obj: Any, where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise UsageError(f"{where}: a request must be a JSON object")
    if "body_b64" in obj:
        try:
            obj = {**obj, "raw": base64.b64decode(obj["body_b64"], validate=True)}
        except (binascii.Error, TypeError, ValueError):
            raise UsageError(f"{where}: body_b64 is not base64") from None
    elif "body_json" in obj:
        if not isinstance(obj["body_json"], str):
            raise UsageError(f"{where}: body_json must be JSON text")
        obj = {**obj, "raw": obj["body_json"].encode("utf-8", "surrogatepass")}
    elif "body" not in obj:
        raise UsageError(f"{where}: a request needs body, body_json or body_b64")
    record: dict[str, Any] = obj
    return record


def _judge(record: dict[str, Any], stage: UploadStage | None) -> Outcome:
    if "stage" in record:
        stage = UploadStage.from_json(record["stage"])
    if stage is None:
        raise UsageError("no stage: pass --stage or give each request a stage")
    headers = record.get("headers") or {}
    slug = record.get("slug")
    if "raw" in record:
        return validate_create_session_bytes(
            record["raw"], stage=stage, slug=slug, headers=headers
        )
    return validate_create_session(
        record["body"], stage=stage, slug=slug, headers=headers
    )


if __name__ == "__main__":
    raise SystemExit(main())
