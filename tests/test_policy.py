"""Policy switches: defaults, the hardened preset, and bad values."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from session_rules import ConfigurationError, Policy


def test_defaults_follow_the_contract() -> None:
    policy = Policy()
    assert policy.ignore_unknown_members is False
    assert policy.null_as_absent is False
    assert policy.max_client_submission_id == 255
    assert policy.max_errors == 100
    assert policy.max_webhook_url == 2048
    assert policy.allowed_ports is None
    assert policy.allow_ip_literals is True
    assert policy.max_json_depth == 32
    assert policy.problem_base == "/problems/"
    assert all(policy.port_allowed(p) for p in (1, 80, 443, 65535))


def test_hardened_preset() -> None:
    policy = Policy.hardened()
    assert policy.allow_ip_literals is False
    assert [policy.port_allowed(p) for p in (443, 80, 1023, 1024, 65535)] == [
        True,
        False,
        False,
        True,
        True,
    ]
    assert Policy.hardened(max_errors=5).max_errors == 5
    assert Policy.hardened(max_errors=5).allow_ip_literals is False


def test_ports_and_networks_are_normalised() -> None:
    policy = Policy(allowed_ports=[443, range(8000, 8100)], admitted_addresses=[
        "127.0.0.1", ipaddress.ip_network("10.0.0.0/8"), "::1"])  # fmt: skip
    assert policy.allowed_ports == (range(443, 444), range(8000, 8100))
    assert policy.port_allowed(8099)
    assert not policy.port_allowed(8100)
    assert Policy(allowed_ports=443).allowed_ports == (range(443, 444),)
    assert [str(n) for n in policy.admitted_addresses] == [
        "127.0.0.1/32",
        "10.0.0.0/8",
        "::1/128",
    ]


def test_policies_are_hashable_and_compare_by_value() -> None:
    assert Policy(max_errors=3) == Policy(max_errors=3)
    assert hash(Policy(max_errors=3)) == hash(Policy(max_errors=3))
    with pytest.raises(AttributeError):
        Policy().max_errors = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"null_as_absent": 1}, "must be a bool"),
        ({"max_errors": 0}, "positive integer"),
        ({"max_errors": True}, "positive integer"),
        ({"max_json_depth": 2.0}, "positive integer"),
        ({"resolver": "dns"}, "callable"),
        ({"problem_base": None}, "string"),
        ({"allowed_ports": object()}, "ranges or ints"),
        ({"allowed_ports": ["443"]}, "ints or step-1 ranges"),
        ({"allowed_ports": [range(1, 10, 2)]}, "ints or step-1 ranges"),
        ({"allowed_ports": [0]}, "1..65535"),
        ({"allowed_ports": [range(60000, 70000)]}, "1..65535"),
        ({"admitted_addresses": "127.0.0.1"}, "collection"),
        ({"admitted_addresses": 5}, "collection"),
        ({"admitted_addresses": ["localhost"]}, "not an address"),
        ({"admitted_addresses": [None]}, "not NoneType"),
        ({"admitted_addresses": [10**5000]}, "not int"),
        ({"admitted_addresses": [{10**5000: None}]}, "not dict"),
        ({"admitted_addresses": ["x" * 10_000]}, "'an entry' is not an address"),
    ],
)
def test_bad_values_raise(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(ConfigurationError, match=words):
        Policy(**changes)
    assert issubclass(ConfigurationError, ValueError)
