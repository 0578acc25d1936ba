"""The public value classes: compared by value, immutable, picklable.

FieldError, Outcome, UploadStage and Policy are written by hand (not with
dataclasses, whose import would dominate the package's), so the behaviour
a dataclass would give is pinned here.
"""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
from typing import Any

import pytest

from session_rules import (
    FieldError,
    Outcome,
    Policy,
    UploadStage,
    validate_create_session,
)

STAGE = UploadStage(1, 3, ("application/pdf", "image/*"))
HEADERS = {"Authorization": "Bearer aok_live_x"}


def rejected() -> Outcome:
    body = {"fileCount": 9, "contentTypes": ["text/plain"], "clientSubmissionId": ""}
    return validate_create_session(body, stage=STAGE, slug="intake", headers=HEADERS)


def values() -> list[Any]:
    outcome = rejected()
    return [
        outcome,
        outcome.errors[0],
        Outcome(201, (), "https://hooks.example.com/", "/p/"),
        STAGE,
        Policy(),
        Policy.hardened(max_errors=3, admitted_addresses=["10.0.0.0/8"]),
    ]


@pytest.mark.parametrize("value", values(), ids=lambda v: type(v).__name__)
def test_fields_cannot_be_set_or_deleted(value: Any) -> None:
    name = type(value)._FIELDS[0]
    before = getattr(value, name)
    with pytest.raises(AttributeError, match="immutable"):
        setattr(value, name, before)
    with pytest.raises(AttributeError, match="immutable"):
        delattr(value, name)
    with pytest.raises(AttributeError):
        value.extra = 1  # no __dict__ either
    assert getattr(value, name) == before


@pytest.mark.parametrize("value", values(), ids=lambda v: type(v).__name__)
def test_pickle_and_copy_give_an_equal_value(value: Any) -> None:
    for again in (
        pickle.loads(pickle.dumps(value)),
        copy.copy(value),
        copy.deepcopy(value),
    ):
        assert type(again) is type(value)
        assert again == value
        assert hash(again) == hash(value)
        assert repr(again) == repr(value)


def test_unpickling_runs_the_constructor_checks() -> None:
    error = rejected().errors[0]
    assert type(error.params).__name__ == "mappingproxy"
    again = pickle.loads(pickle.dumps(error))
    assert type(again.params).__name__ == "mappingproxy"
    assert again.to_dict() == error.to_dict()


def test_equality_is_by_class_and_value() -> None:
    assert UploadStage(1, 3, ["application/pdf", "image/*"]) == STAGE
    assert UploadStage(1, 4, ("application/pdf", "image/*")) != STAGE
    assert STAGE != (1, 3, ("application/pdf", "image/*"))
    assert STAGE.__eq__(object()) is NotImplemented
    assert Outcome(201) == Outcome(201, (), None, "/problems/")
    assert Outcome(201) != Outcome(422)


def test_policy_equality_leaves_the_resolver_out() -> None:
    def resolve(host: str) -> list[str]:
        return ["192.0.2.1"] if host else []

    assert Policy(resolver=resolve) == Policy()
    assert hash(Policy(resolver=resolve)) == hash(Policy())
    assert "resolver=<function" in repr(Policy(resolver=resolve))


def test_field_error_hash_ignores_message_and_params() -> None:
    one = FieldError("fileCount", "/fileCount", "body", "required", "a", {})
    two = FieldError("fileCount", "/fileCount", "body", "required", "b", {"x": 1})
    assert hash(one) == hash(two)
    assert one != two


def test_reprs_name_the_public_fields_in_order() -> None:
    assert repr(STAGE) == (
        "UploadStage(min_files=1, max_files=3,"
        " accepted_formats=('application/pdf', 'image/*'))"
    )
    assert repr(Outcome(201)) == (
        "Outcome(status=201, errors=(), webhook_url=None, problem_base='/problems/')"
    )
    assert repr(Policy()).startswith("Policy(ignore_unknown_members=False, ")


def test_policy_replace_checks_the_new_values() -> None:
    policy = Policy(max_errors=5)
    assert policy.replace(null_as_absent=True) == Policy(
        max_errors=5, null_as_absent=True
    )
    assert policy.replace() == policy
    assert policy.__replace__(max_errors=2).max_errors == 2  # copy.replace
    with pytest.raises(TypeError):
        policy.replace(no_such_switch=True)
    with pytest.raises(ValueError, match="positive integer"):
        policy.replace(max_errors=0)


@pytest.mark.parametrize("value", values(), ids=lambda v: type(v).__name__)
def test_copy_replace_protocol_rebuilds_with_changes(value: Any) -> None:
    """``copy.replace`` (Python 3.13) calls ``__replace__``, as for dataclasses."""
    name = type(value)._FIELDS[-1]
    assert value.__replace__() == value
    changed = value.__replace__(**{name: getattr(value, name)})
    assert changed == value
    assert changed is not value
    with pytest.raises(TypeError):
        value.__replace__(no_such_field=1)


def test_match_statements_see_the_fields_in_order() -> None:
    match rejected():
        case Outcome(status, errors):
            assert status == 422
            assert len(errors) == 3
    match STAGE:
        case UploadStage(low, high, formats):
            assert (low, high, formats) == (1, 3, ("application/pdf", "image/*"))


def test_import_loads_no_module_a_first_call_could() -> None:
    """``import session_rules`` leaves dataclasses and inspect out, and the
    webhook, raw-body and schema code (with IDNA and JSON) for later."""
    code = (
        "import sys, session_rules;"
        "print(' '.join(sorted(m for m in ("
        "'dataclasses', 'inspect', 'ast', 'dis', 'idna', 'rfc3986',"
        "'json', 'session_rules._webhook', 'session_rules._raw',"
        "'session_rules._schema') if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""
