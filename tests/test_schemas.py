"""The exported schemas: current, valid, and in agreement with the library.

Three judges must reach the same verdict on every request that JSON Schema
can decide: the library, python-jsonschema and ajv 8 (strict mode) in a
Node process. Node runs once per batch; its tests skip without ``node`` or
``tests/js/node_modules`` (set up with ``npm ci --prefix tests/js``).
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from session_rules import CODES, ConfigurationError, Policy, UploadStage
from session_rules.__main__ import main as cli_main
from session_rules._replay import PriorSession, decide_replay, request_fingerprint
from session_rules._request import (
    validate_create_session,
    validate_create_session_bytes,
)
from session_rules._schema import (
    FLAVOURS,
    MAX_EXACT_WINDOW,
    PATH,
    SCHEMA_BASE,
    SCHEMA_DIALECT,
    X_KEYWORDS,
    dump,
    media_type_pattern,
    openapi_document,
    problem_schema,
    published_schemas,
    schema_for,
    upload_stage_schema,
    x_keywords_in,
)

ROOT = Path(__file__).parent.parent
SCHEMAS = ROOT / "schemas"
JS = Path(__file__).parent / "js"
VECTORS: list[dict[str, Any]] = json.loads(
    (SCHEMAS / "vectors" / "vectors.json").read_text(encoding="utf-8")
)["vectors"]
DECIDABLE = [v for v in VECTORS if v["schema_decidable"]]


# -- running a vector through the library ------------------------------

_POLICY_SWITCHES = {
    "ignoreUnknownMembers": "ignore_unknown_members",
    "nullAsAbsent": "null_as_absent",
    "refuseMediaTypeParameters": "refuse_media_type_parameters",
    "refuseFinishedReplays": "refuse_finished_replays",
    "maxErrors": "max_errors",
    "maxClientSubmissionId": "max_client_submission_id",
}


def make_policy(spec: Mapping[str, Any] | None) -> Policy:
    """A policy from a vector's language-neutral ``policy`` member."""
    spec = dict(spec or {})
    preset = spec.pop("preset", None)
    changes = {_POLICY_SWITCHES[k]: v for k, v in spec.items()}
    return Policy.hardened(**changes) if preset == "hardened" else Policy(**changes)


def run_vector(vector: Mapping[str, Any]) -> dict[str, Any]:
    """The outcome the library gives a vector, in the vectors' own shape."""
    stage = UploadStage.from_json(vector["stage"])
    policy = make_policy(vector.get("policy"))
    request = vector["request"]
    where = {"stage": stage, "slug": request["slug"], "policy": policy}
    headers = request["headers"]
    if "rawBody" in request:
        raw = request["rawBody"].encode("utf-8")
        outcome = validate_create_session_bytes(raw, headers=headers, **where)
    else:
        outcome = validate_create_session(request["body"], headers=headers, **where)
    extra: dict[str, Any] = {}
    status, errors = outcome.status, outcome.errors
    if outcome.ok and "replay" in vector:
        status, errors, extra = _replay(vector["replay"], request["body"], policy)
    expected = {"status": status, **extra}
    expected["errors"] = [{"field": e.field, "code": e.code} for e in errors]
    return expected


def _replay(
    spec: Mapping[str, Any], body: Any, policy: Policy
) -> tuple[int, tuple[Any, ...], dict[str, Any]]:
    prior = spec["prior"]
    decision = decide_replay(
        PriorSession(prior["sessionId"], prior["state"], prior.get("fingerprint")),
        fingerprint=request_fingerprint(body, policy=policy),
        new_session_id=spec.get("newSessionId"),
        policy=policy,
    )
    extra = {} if decision.location is None else {"location": decision.location}
    errors = () if decision.error is None else (decision.error,)
    return decision.status, errors, extra


# -- the composite verdict: body, slug and headers ---------------------


@functools.cache
def _parameter_schemas(flavour: str) -> dict[str, dict[str, Any]]:
    operation = openapi_document(flavour=flavour)["paths"][PATH]["post"]  # type: ignore[arg-type]
    return {p["name"].lower(): p["schema"] for p in operation["parameters"]}


@functools.cache
def _body_schema(stage: UploadStage, policy: Policy, flavour: str) -> dict[str, Any]:
    return schema_for(stage, policy, flavour=flavour)  # type: ignore[arg-type]


def _header(headers: Any, name: str) -> list[Any]:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return [value for key, value in pairs if key.lower() == name]


def schema_checks(
    stage: UploadStage,
    policy: Policy,
    request: Mapping[str, Any],
    flavour: str,
) -> list[tuple[dict[str, Any], Any]]:
    """Every (schema, instance) pair whose conjunction is the verdict.

    A missing Authorization is checked as ``null``, which fails.
    """
    params = _parameter_schemas(flavour)
    headers = request["headers"]
    auth = _header(headers, "authorization")
    checks = [
        (_body_schema(stage, policy, flavour), request["body"]),
        (params["slug"], request["slug"]),
        (params["authorization"], auth[0] if auth else None),
    ]
    request_id = _header(headers, "x-request-id")
    if request_id:
        checks.append((params["x-request-id"], request_id[0]))
    return checks


#: Validators by schema identity; the schemas come from caches above and
#: are kept alive here beside their validators.
_VALIDATORS: dict[int, tuple[dict[str, Any], Draft202012Validator]] = {}


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    if id(schema) not in _VALIDATORS:
        _VALIDATORS[id(schema)] = (schema, Draft202012Validator(schema))
    return _VALIDATORS[id(schema)][1]


def python_verdict(checks: list[tuple[dict[str, Any], Any]]) -> bool:
    return all(_validator(schema).is_valid(instance) for schema, instance in checks)


class NodeBatch:
    """Schemas and instances gathered for one ajv run."""

    def __init__(self, flavour: str) -> None:
        self.flavour = flavour
        self.schemas: list[dict[str, Any]] = []
        self._index: dict[int, int] = {}
        self.checks: list[tuple[int, Any]] = []
        self.groups: list[list[int]] = []

    def schema(self, schema: dict[str, Any]) -> int:
        """The index of a schema, sent once however often it is used."""
        if id(schema) not in self._index:
            self._index[id(schema)] = len(self.schemas)
            self.schemas.append(schema)
        return self._index[id(schema)]

    def add(self, checks: list[tuple[dict[str, Any], Any]]) -> None:
        group = []
        for schema, instance in checks:
            group.append(len(self.checks))
            self.checks.append((self.schema(schema), instance))
        self.groups.append(group)

    def run(self) -> tuple[list[str | None], list[bool]]:
        """Compile errors by schema, and one verdict per group."""
        keywords = list(X_KEYWORDS) if self.flavour == "annotated" else []
        answer = run_ajv(self.schemas, self.checks, keywords)
        verdicts = answer["verdicts"]
        return answer["compileErrors"], [
            all(verdicts[i] is True for i in group) for group in self.groups
        ]


def run_ajv(
    schemas: list[dict[str, Any]], checks: list[tuple[int, Any]], keywords: list[str]
) -> dict[str, Any]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    if not (JS / "node_modules" / "ajv").is_dir():
        pytest.skip("ajv is not installed: run npm ci --prefix tests/js")
    payload = {"keywords": keywords, "schemas": schemas, "checks": checks}
    done = subprocess.run(
        ["node", str(JS / "check.js")],
        input=json.dumps(payload, allow_nan=False).encode("utf-8"),
        capture_output=True,
        check=True,
        timeout=120,
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


# -- the published files -----------------------------------------------


def test_published_files_are_what_the_generator_writes() -> None:
    expected = published_schemas()
    for relative, document in expected.items():
        path = SCHEMAS / relative
        assert path.is_file(), (
            f"missing {relative}: run session-rules schema --write schemas"
        )
        assert path.read_text(encoding="utf-8") == dump(document), (
            f"{relative} is stale: run session-rules schema --write schemas"
        )
    on_disk = {
        p.relative_to(SCHEMAS).as_posix() for p in (SCHEMAS / "v1").rglob("*.json")
    }
    assert on_disk == set(expected)


def _standalone() -> Iterator[tuple[str, dict[str, Any]]]:
    for relative, document in published_schemas().items():
        if not relative.endswith("openapi.json"):
            yield relative, document


@pytest.mark.parametrize(("relative", "document"), list(_standalone()))
def test_schemas_are_valid_2020_12(relative: str, document: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == SCHEMA_DIALECT
    assert document["$id"] == SCHEMA_BASE + relative.removeprefix("v1/")


def _embedded_schemas(document: Any) -> Iterator[dict[str, Any]]:
    """Every Schema Object of an OpenAPI document."""
    yield from document["components"]["schemas"].values()
    for path_item in document["paths"].values():
        for operation in path_item.values():
            for parameter in operation["parameters"]:
                yield parameter["schema"]
            for answer in operation["responses"].values():
                for header in answer.get("headers", {}).values():
                    yield header["schema"]
                for media in answer.get("content", {}).values():
                    yield media["schema"]
            for media in operation["requestBody"]["content"].values():
                yield media["schema"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_openapi_embedded_schemas_are_valid(flavour: str) -> None:
    document = openapi_document(flavour=flavour)  # type: ignore[arg-type]
    for schema in _embedded_schemas(document):
        Draft202012Validator.check_schema(schema)


def _refs(document: Any) -> Iterator[str]:
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(document, list):
        for item in document:
            yield from _refs(item)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_openapi_structure(flavour: str) -> None:
    document = openapi_document(flavour=flavour)  # type: ignore[arg-type]
    assert document["openapi"].startswith("3.1.")
    assert document["jsonSchemaDialect"] == SCHEMA_DIALECT
    assert set(document["paths"]) == {"/api/v1/workflows/{slug}/sessions"}
    operation = document["paths"][PATH]["post"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["slug"]["in"] == "path"
    assert params["slug"]["required"] is True
    assert params["slug"]["schema"]["maxLength"] == 128
    assert params["X-Request-Id"]["schema"]["maxLength"] == 128
    assert params["X-Request-Id"]["required"] is False
    assert {p["in"] for n, p in params.items() if n != "slug"} == {"header"}
    body = operation["requestBody"]
    assert body["required"] is True
    assert list(body["content"]) == ["application/json"]
    answers = operation["responses"]
    assert set(answers) == {"200", "201", "400", "401", "404", "409", "415", "422"}
    for status in ("200", "201"):
        assert answers[status]["headers"]["Location"]["required"] is True
    for status, answer in answers.items():
        if status.startswith("4"):
            assert list(answer["content"]) == ["application/problem+json"]
    for ref in _refs(document):
        target: Any = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        assert isinstance(target, dict)
    scheme = document["components"]["securitySchemes"]["companyApiKey"]
    assert scheme["scheme"] == "bearer"


def test_location_pattern_matches_the_replay_helper() -> None:
    answers = openapi_document()["paths"][PATH]["post"]["responses"]
    validator = Draft202012Validator(answers["201"]["headers"]["Location"]["schema"])
    for session_id in ("s-1", "a b/c", "é", "~x."):
        decision = decide_replay(None, new_session_id=session_id)
        assert validator.is_valid(decision.location)
    assert not validator.is_valid("/api/v1/jobs/a/b")


# -- flavours and patterns ---------------------------------------------


def _without_extensions(document: Any) -> Any:
    if isinstance(document, dict):
        return {
            k: _without_extensions(v)
            for k, v in document.items()
            if not k.startswith("x-") and k != "$id"
        }
    if isinstance(document, list):
        return [_without_extensions(v) for v in document]
    return document


STAGES = [
    UploadStage(1, 3, ("image/png", "image/jpeg", "application/pdf", "text/*")),
    UploadStage(0, 2, ("*/*",)),
    UploadStage(2, 5, ("application/vnd.api+json", "IMAGE/GIF", "image/png")),
    UploadStage(1, 1, ("text/csv",)),
]
POLICIES = [
    Policy(),
    Policy(null_as_absent=True),
    Policy(ignore_unknown_members=True),
    Policy(refuse_media_type_parameters=True),
    Policy(max_client_submission_id=6),
    Policy.hardened(),
]


def _all_documents() -> Iterator[tuple[str, Any, Any]]:
    """(name, portable, annotated) for every kind of document."""
    yield (
        "upload-stage",
        upload_stage_schema(),
        upload_stage_schema(flavour="annotated"),
    )
    yield "problem", problem_schema(), problem_schema(flavour="annotated")
    yield "openapi", openapi_document(), openapi_document(flavour="annotated")
    for i, stage in enumerate([None, *STAGES]):
        for j, policy in enumerate(POLICIES):
            yield (
                f"request-{i}-{j}",
                schema_for(stage, policy),
                schema_for(stage, policy, flavour="annotated"),
            )


def test_annotated_is_portable_plus_extension_keywords() -> None:
    named: set[str] = set()
    for name, portable, annotated in _all_documents():
        schemas = [portable, annotated]
        if name == "openapi":  # x-id is an OpenAPI extension, not a keyword
            schemas = [{k: v for k, v in d.items() if k != "x-id"} for d in schemas]
        assert not x_keywords_in(schemas[0]), name
        assert x_keywords_in(schemas[1]) <= set(X_KEYWORDS), name
        assert _without_extensions(schemas[0]) == _without_extensions(schemas[1]), name
        named |= x_keywords_in(schemas[1])
    assert named == set(X_KEYWORDS)


def _patterns(document: Any) -> Iterator[str]:
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from _patterns(value)
    elif isinstance(document, list):
        for item in document:
            yield from _patterns(item)


_UNPORTABLE = re.compile(
    r"\\[dDwWsSbBAZzuUpPkN1-9]|\(\?[=!<PiLmsux#]|\[\[:|\{,|(?<!\\)\.(?![^\[]*\])"
)


def test_patterns_keep_to_the_portable_subset() -> None:
    patterns = {
        p for _, a, b in _all_documents() for p in (*_patterns(a), *_patterns(b))
    }
    for pattern in patterns - {"\\n"}:
        assert pattern.startswith("^"), pattern
        assert pattern.endswith("$"), pattern
        assert not _UNPORTABLE.search(pattern), pattern
        re.compile(pattern)


def test_every_pattern_has_the_line_feed_guard() -> None:
    def walk(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            yield node
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    for _, portable, _ in _all_documents():
        for node in walk(portable):
            if "pattern" in node and node["pattern"] != "\\n":
                assert node["not"] == {"type": "string", "pattern": "\\n"}


def test_media_type_patterns_by_stage() -> None:
    pattern = media_type_pattern(STAGES[0], parameters=False)
    assert re.search(pattern, "IMAGE/Png")
    assert re.search(pattern, "text/anything")
    assert not re.search(pattern, "image/gif")
    assert not re.search(pattern, "text/*")
    assert not re.search(pattern, "text/csv;a=b")
    generic = media_type_pattern(None, parameters=True)
    assert re.search(generic, 'a/b ;c="d\\"";e=*')
    assert not re.search(generic, "*/*")


# -- the window --------------------------------------------------------


def test_window_gets_one_rule_per_count() -> None:
    schema = schema_for(UploadStage(2, 4, ("*/*",)))
    counts = [
        rule["if"]["properties"]["fileCount"]["const"] for rule in schema["allOf"]
    ]
    assert counts == [2, 3, 4]
    assert schema["properties"]["contentTypes"]["minItems"] == 2
    assert schema["properties"]["contentTypes"]["maxItems"] == 4


def test_window_past_the_bound_falls_back_to_min_and_max_items() -> None:
    at_bound = UploadStage(1, MAX_EXACT_WINDOW, ("*/*",))
    assert len(schema_for(at_bound)["allOf"]) == MAX_EXACT_WINDOW
    wide = UploadStage(0, MAX_EXACT_WINDOW, ("*/*",))
    schema = schema_for(wide, flavour="annotated")
    assert "allOf" not in schema
    items = schema["properties"]["contentTypes"]
    assert (items["minItems"], items["maxItems"]) == (0, MAX_EXACT_WINDOW)
    assert items["x-same-length-as"] == "fileCount"
    body = {"fileCount": 2, "contentTypes": ["a/b"], "clientSubmissionId": "x"}
    assert Draft202012Validator(schema).is_valid(body)  # the documented gap


def test_bad_arguments_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError):
        schema_for(STAGES[0], flavour="loose")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        schema_for({"minFiles": 1})  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        schema_for(STAGES[0], {"null_as_absent": True})  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        problem_schema(flavour="annotated ")  # type: ignore[arg-type]


# -- the upload stage schema -------------------------------------------

STAGE_CASES = [
    {"minFiles": 1, "maxFiles": 3, "acceptedFormats": ["image/png", "text/*", "*/*"]},
    {"minFiles": 0, "maxFiles": 0, "acceptedFormats": ["A/B"], "name": "extra"},
    {"minFiles": 1.0, "maxFiles": 2, "acceptedFormats": ["image/png"]},
    {"minFiles": 1, "maxFiles": 3, "acceptedFormats": []},
    {"minFiles": -1, "maxFiles": 3, "acceptedFormats": ["image/png"]},
    {"minFiles": 1.5, "maxFiles": 3, "acceptedFormats": ["image/png"]},
    {"minFiles": True, "maxFiles": 3, "acceptedFormats": ["image/png"]},
    {"minFiles": 1, "maxFiles": 3, "acceptedFormats": ["image/x-*"]},
    {"minFiles": 1, "maxFiles": 3, "acceptedFormats": ["*/json"]},
    {"minFiles": 1, "maxFiles": 3, "acceptedFormats": ["text/csv;"]},
    {"minFiles": 1, "maxFiles": 3, "acceptedFormats": ["text/csv; charset=utf-8"]},
    {"minFiles": 1, "maxFiles": 3, "acceptedFormats": ["text/csv\n"]},
    {"minFiles": 1, "maxFiles": 3, "acceptedFormats": "image/png"},
    {"minFiles": 1, "acceptedFormats": ["image/png"]},
]


@pytest.mark.parametrize("case", STAGE_CASES)
def test_upload_stage_schema_agrees_with_the_library(case: dict[str, Any]) -> None:
    try:
        UploadStage.from_json(case)
    except ConfigurationError:
        accepted = False
    else:
        accepted = True
    assert Draft202012Validator(upload_stage_schema()).is_valid(case) is accepted


def test_upload_stage_schema_cannot_order_the_bounds() -> None:
    case = {"minFiles": 3, "maxFiles": 1, "acceptedFormats": ["image/png"]}
    assert Draft202012Validator(upload_stage_schema()).is_valid(case)
    with pytest.raises(ConfigurationError):
        UploadStage.from_json(case)


# -- the vectors -------------------------------------------------------


def test_vectors_cover_every_code() -> None:
    seen = {e["code"] for v in VECTORS for e in v["expected"]["errors"]}
    assert seen == set(CODES)
    assert {201, 200} <= {v["expected"]["status"] for v in VECTORS}
    names = [v["name"] for v in VECTORS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["name"])
def test_vector_through_the_library(vector: dict[str, Any]) -> None:
    assert run_vector(vector) == vector["expected"]


def _is_body_vector(vector: Mapping[str, Any]) -> bool:
    return "body" in vector["request"]


def _checks(
    vector: Mapping[str, Any], flavour: str
) -> list[tuple[dict[str, Any], Any]]:
    stage = UploadStage.from_json(vector["stage"])
    return schema_checks(
        stage, make_policy(vector.get("policy")), vector["request"], flavour
    )


@pytest.mark.parametrize("vector", DECIDABLE, ids=lambda v: v["name"])
def test_decidable_vector_through_python_jsonschema(vector: dict[str, Any]) -> None:
    verdict = python_verdict(_checks(vector, "portable"))
    assert verdict is (vector["expected"]["status"] == 201)


def test_schemas_never_refuse_what_the_library_accepts() -> None:
    for vector in filter(_is_body_vector, VECTORS):
        if vector["expected"]["status"] in (200, 201):
            for flavour in FLAVOURS:
                assert python_verdict(_checks(vector, flavour)), vector["name"]


def test_decidable_vectors_are_not_raw_or_replays() -> None:
    for vector in DECIDABLE:
        assert _is_body_vector(vector), vector["name"]
        assert "replay" not in vector, vector["name"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_problem_documents_match_the_problem_schema(flavour: str) -> None:
    validator = Draft202012Validator(problem_schema(flavour=flavour))  # type: ignore[arg-type]
    for vector in VECTORS:
        expected = vector["expected"]
        if expected["status"] >= 400:
            validator.validate(_problem(vector))
    assert not validator.is_valid({"type": "/problems/x", "title": "", "status": 200})


def _problem(vector: Mapping[str, Any]) -> dict[str, Any]:
    request = vector["request"]
    policy = make_policy(vector.get("policy"))
    where: dict[str, Any] = {
        "stage": UploadStage.from_json(vector["stage"]),
        "policy": policy,
    }
    if "rawBody" in request:
        outcome = validate_create_session_bytes(
            request["rawBody"].encode(),
            slug=request["slug"],
            headers=request["headers"],
            **where,
        )
    else:
        outcome = validate_create_session(
            request["body"], slug=request["slug"], headers=request["headers"], **where
        )
    if outcome.ok:
        stored = vector["replay"]["prior"]
        decision = decide_replay(
            PriorSession(
                stored["sessionId"], stored["state"], stored.get("fingerprint")
            ),
            fingerprint=request_fingerprint(request["body"], policy=policy),
            policy=policy,
        )
        outcome = decision.outcome()
    problem = outcome.problem()
    assert problem is not None
    return problem


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_vectors_and_published_schemas_under_ajv(flavour: str) -> None:
    batch = NodeBatch(flavour)
    for vector in filter(_is_body_vector, VECTORS):
        batch.add(_checks(vector, flavour))
    published = [
        d for r, d in _standalone() if ("annotated" in r) == (flavour == "annotated")
    ]
    for document in published:
        batch.schema(document)
    for stage in [None, *STAGES, UploadStage(0, 2000, ("*/*",))]:
        for policy in POLICIES:
            batch.schema(schema_for(stage, policy, flavour=flavour))  # type: ignore[arg-type]
    errors, verdicts = batch.run()
    assert errors == [None] * len(errors)
    body_vectors = list(filter(_is_body_vector, VECTORS))
    for vector, verdict in zip(body_vectors, verdicts, strict=True):
        accepted = vector["expected"]["status"] in (200, 201)
        if vector["schema_decidable"]:
            assert verdict is accepted, vector["name"]
        elif accepted:
            assert verdict, vector["name"]


# -- generated requests ------------------------------------------------
# Each part is valid most of the time, so about a third of the requests
# pass and the rest fail in one or two places. Nothing here is beyond
# what JSON Schema decides: no webhook URL, no lone surrogates, small
# metadata with I-JSON integers.

_TCHAR = "!#$%&'*+-.^_`|~"


def _mostly(
    valid: st.SearchStrategy[Any], invalid: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """``valid`` five times in six, else ``invalid``."""
    return st.sampled_from([valid] * 5 + [invalid]).flatmap(_itself)


def _itself(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return strategy


_ESSENCES = {
    "*": ["a/b", "video/mp4", "x!y/z~1"],
    "image": ["png", "jpeg", "gif"],
    "text": ["csv", "plain", "x-c.s+v"],
    "application": ["pdf", "vnd.api+json"],
}


def _accepted_essences(stage: UploadStage) -> list[str]:
    out: list[str] = []
    for item in stage.accepted_formats:
        type_, _, subtype = item.lower().partition("/")
        if type_ == "*":
            out += _ESSENCES["*"]
        elif subtype == "*":
            out += [f"{type_}/{s}" for s in _ESSENCES.get(type_, ["x"])]
        else:
            out.append(f"{type_}/{subtype}")
    return out


_cases = st.sampled_from([str.lower, str.upper, str.title, str.swapcase])
_token = st.text(alphabet=_TCHAR + "aZ09", min_size=1, max_size=4)
_quoted_ok = st.text(alphabet='aZ \t\\"!~', max_size=4).map(
    lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
)
_quoted_any = st.text(alphabet='aZ \t"\\;=\x7f\u00e9\n', max_size=4).map(
    lambda s: f'"{s}"'
)
_ows = st.sampled_from(["", "", " ", "\t", "  "])
_parameter = st.tuples(
    _ows,
    _ows,
    st.one_of(
        st.just(""),
        st.tuples(_token, st.one_of(_token, _quoted_ok)).map("=".join),
    ),
).map(lambda p: f"{p[0]};{p[1]}{p[2]}")
_bad_parameter = st.tuples(
    st.sampled_from(["charset", "a", "b c", ""]),
    st.one_of(_token, _quoted_any, st.text(alphabet="a =;\n/", max_size=3)),
).map(lambda p: f";{p[0]}={p[1]}")
_junk = st.text(alphabet=_TCHAR + 'aZ09 \t;=/"\\\n\x00\x7f\u00e9', max_size=8)


@functools.cache
def _media_types(stage: UploadStage) -> st.SearchStrategy[Any]:
    good = st.tuples(
        st.sampled_from(_accepted_essences(stage)),
        _cases,
        st.lists(_parameter, max_size=2).map("".join),
    ).map(lambda p: p[1](p[0]) + p[2])
    bad = st.one_of(
        st.tuples(
            st.sampled_from(["image", "Text", "*", "x-*", "video", "a"]),
            st.sampled_from(["png", "*", "CSV", "x!y", "", "pdf"]),
            st.lists(st.one_of(_parameter, _bad_parameter), max_size=2).map("".join),
            st.sampled_from(["", " ", "\n", ";", "x"]),
        ).map(lambda p: f"{p[0]}/{p[1]}{p[2]}{p[3]}"),
        _junk,
        st.integers(0, 3),
        st.sampled_from(["text/csv;a=" + "b" * 244, "text/csv;a=" + "b" * 245]),
    )
    return _mostly(good, bad)


_good_text = st.one_of(
    st.text(alphabet="aZ0-_ \u00e9\U0001f600\u3000\x85", min_size=1, max_size=8).filter(
        lambda s: s.strip(" \u3000\x85")
    ),
    st.just("x" * 6),
)
_texts = _mostly(
    _good_text,
    st.one_of(
        st.text(
            alphabet=st.sampled_from(
                ["a", " ", "\t", "\n", "\x00", "\x1f", "\x7f", "\x85", "\u00a0",
                 "\u2028", "\u3000", "\u200b"]
            ),
            max_size=8,
        ),
        st.sampled_from(["x" * 7, "x" * 255, "x" * 256, "\u3000" * 3]),
        st.integers(0, 1),
        st.none(),
    ),
)  # fmt: skip
_leaves = st.one_of(
    st.text(alphabet='az \u00e9"\\', max_size=4),
    st.integers(-(2**53) + 1, 2**53 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)
_level3 = _mostly(_leaves, st.sampled_from([None, {}, [1], {"a": 1}]))
_metadata = _mostly(
    st.dictionaries(
        st.text(alphabet="abc", max_size=2),
        st.one_of(
            _leaves,
            st.lists(_level3, max_size=2),
            st.dictionaries(st.text(alphabet="xy", max_size=1), _level3, max_size=2),
        ),
        max_size=3,
    ),
    st.sampled_from([[], "m", None, {"a": None}]),
)
_users = _mostly(
    st.fixed_dictionaries({}, optional={"name": _texts, "email": _texts, "id": _texts}),
    st.one_of(
        st.just("user"),
        st.none(),
        st.fixed_dictionaries({"role": _good_text}, optional={"id": _texts}),
    ),
)


@st.composite
def _bodies(draw: st.DrawFn, stage: UploadStage) -> Any:
    count = draw(
        _mostly(
            st.integers(stage.min_files, stage.max_files),
            st.one_of(
                st.sampled_from([stage.min_files - 1, stage.max_files + 1]),
                st.sampled_from([float(stage.max_files), 1.5, "2", True, None, 10**20]),
            ),
        )
    )
    exact = isinstance(count, int | float) and not isinstance(count, bool)
    size = min(max(int(count), 0), 8) if exact and count == int(count) else 1
    size = draw(_mostly(st.just(size), st.sampled_from([max(size - 1, 0), size + 1])))
    entries = _media_types(stage)
    members = {
        "fileCount": st.just(count),
        "contentTypes": _mostly(
            st.lists(entries, min_size=size, max_size=size), st.just("image/png")
        ),
        "clientSubmissionId": _texts,
    }
    body = {
        name: draw(strategy)
        for name, strategy in members.items()
        if draw(_mostly(st.just(True), st.just(False)))
    }
    for name, strategy in (("metadata", _metadata), ("externalUser", _users)):
        if draw(st.booleans()):
            body[name] = draw(strategy)
    if draw(_mostly(st.just(False), st.just(True))):
        body["other"] = 1
    return draw(_mostly(st.just(body), st.just([body])))


_requests = st.sampled_from(STAGES).flatmap(
    lambda stage: st.tuples(
        st.just(stage),
        st.sampled_from(POLICIES),
        st.fixed_dictionaries(
            {
                "slug": _mostly(
                    st.sampled_from(["tax-return", "a", "x" * 128, "a1-b2-c3"]),
                    st.one_of(
                        st.just("x" * 129),
                        st.text(alphabet="az09-A_\n", min_size=1, max_size=6),
                    ),
                ),
                "headers": st.fixed_dictionaries(
                    {
                        "Authorization": _mostly(
                            st.sampled_from(["Bearer aok_k1", "bEARER aok_a/b+c=="]),
                            st.text(alphabet="Bbearr aok_x=+/ \n", max_size=14).map(
                                lambda s: "Bearer aok_" + s
                            ),
                        )
                    },
                    optional={
                        "X-Request-Id": _mostly(
                            st.sampled_from(["r-1", "!~", "r" * 128]),
                            st.one_of(
                                st.text(alphabet="!~a \x7f\n\u00e9", max_size=5),
                                st.just("r" * 129),
                            ),
                        )
                    },
                ),
                "body": _bodies(stage),
            }
        ),
    )
)


def _accepted(stage: UploadStage, policy: Policy, request: Mapping[str, Any]) -> bool:
    outcome = validate_create_session(
        request["body"],
        stage=stage,
        slug=request["slug"],
        headers=request["headers"],
        policy=policy,
    )
    return outcome.status == 201


def test_generated_requests_get_one_verdict_from_three_judges() -> None:
    batches = {flavour: NodeBatch(flavour) for flavour in FLAVOURS}
    library: list[bool] = []
    shown: list[Any] = []

    @given(_requests)
    def judge(drawn: tuple[UploadStage, Policy, dict[str, Any]]) -> None:
        stage, policy, request = drawn
        verdict = _accepted(stage, policy, request)
        for flavour, batch in batches.items():
            checks = schema_checks(stage, policy, request, flavour)
            assert python_verdict(checks) is verdict, flavour
            batch.add(checks)
        library.append(verdict)
        shown.append((stage, policy, request))

    judge()
    assert 0.1 < sum(library) / len(library) < 0.9
    for flavour, batch in batches.items():
        errors, verdicts = batch.run()
        assert errors == [None] * len(errors)
        for drawn, expected, verdict in zip(shown, library, verdicts, strict=True):
            assert verdict is expected, (flavour, drawn)


# -- the command line --------------------------------------------------


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli_main(["schema", *args])
    return status, out.getvalue()


def test_cli_prints_the_generic_schema() -> None:
    status, text = _cli()
    assert status == 0
    assert text == dump(schema_for(None))


def test_cli_prints_a_stage_schema(tmp_path: Path) -> None:
    path = tmp_path / "stage.json"
    path.write_text(json.dumps(STAGES[0].to_json()), encoding="utf-8")
    status, text = _cli("--stage", str(path), "--flavour", "annotated")
    assert status == 0
    assert json.loads(text) == schema_for(STAGES[0], flavour="annotated")


def test_cli_prints_openapi() -> None:
    assert _cli("--openapi") == (0, dump(openapi_document()))


def test_cli_writes_every_file(tmp_path: Path) -> None:
    status, _ = _cli("--write", str(tmp_path))
    assert status == 0
    for relative, document in published_schemas().items():
        assert (tmp_path / relative).read_text(encoding="utf-8") == dump(document)


def test_cli_refuses_a_stage_with_openapi(tmp_path: Path) -> None:
    path = tmp_path / "stage.json"
    path.write_text(json.dumps(STAGES[0].to_json()), encoding="utf-8")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert _cli("--openapi", "--stage", str(path))[0] == 2
    assert "--openapi" in err.getvalue()
