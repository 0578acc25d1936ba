"""The switches a server may turn, with the contract's defaults.

A `Policy` is frozen and hashable, so results that depend only on a string
and a policy may be cached. Bad values raise `ConfigurationError` when the
policy is built, never while a request is checked.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ._errors import ConfigurationError

__all__ = ["Policy", "Resolver", "resolve_policy"]

#: A resolver maps a host name (A-label form) to the addresses it answers.
Resolver = Callable[[str], Iterable[str]]

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Deepest nesting a policy may allow: Python's own JSON parser recurses
#: once per level, and a real request never nests past 3.
MAX_JSON_DEPTH = 256

_HARDENED_PORTS = (range(443, 444), range(1024, 65536))


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """Every switch of the contract, defaulting to the contract's choices.

    Attributes:
        ignore_unknown_members: ignore unknown body and ``externalUser``
            members instead of reporting ``unknown-field``.
        null_as_absent: treat ``null`` for an optional member as absent
            instead of reporting ``wrong-type``.
        max_client_submission_id: longest ``clientSubmissionId``, in
            characters.
        max_errors: how many records a rejection lists before one
            ``too-many-errors`` record closes the list.
        max_webhook_url: longest ``webhookUrl``, in characters.
        allowed_ports: the webhook ports admitted, as ranges (or single
            ints); None admits every port 1..65535.
        allow_ip_literals: admit public IP addresses as webhook hosts.
        refuse_media_type_parameters: report ``invalid-media-type``
            (reason ``parameters``) for a ``contentTypes`` entry with
            parameters.
        resolver: looks a webhook host up after the string checks pass;
            None (the default) means no lookup at all.
        admitted_addresses: addresses or networks admitted despite the
            tables, for tests and private deployments.
        max_json_depth: deepest nesting a raw body may have, the body
            object counting as 1.
        refuse_finished_replays: answer 409 when a ``clientSubmissionId``
            was used by a session that already finished.
        problem_base: the prefix of every problem document's ``type``.
    """

    ignore_unknown_members: bool = False
    null_as_absent: bool = False
    max_client_submission_id: int = 255
    max_errors: int = 100
    max_webhook_url: int = 2048
    allowed_ports: tuple[range, ...] | None = None
    allow_ip_literals: bool = True
    refuse_media_type_parameters: bool = False
    resolver: Resolver | None = field(default=None, compare=False)
    admitted_addresses: tuple[IPNetwork, ...] = ()
    max_json_depth: int = 32
    refuse_finished_replays: bool = False
    problem_base: str = "/problems/"

    def __post_init__(self) -> None:
        for name in (
            "ignore_unknown_members",
            "null_as_absent",
            "allow_ip_literals",
            "refuse_media_type_parameters",
            "refuse_finished_replays",
        ):
            if not isinstance(getattr(self, name), bool):
                raise ConfigurationError(f"Policy.{name} must be a bool")
        for name in (
            "max_client_submission_id",
            "max_errors",
            "max_webhook_url",
            "max_json_depth",
        ):
            _check_positive(name, getattr(self, name))
        if self.resolver is not None and not callable(self.resolver):
            raise ConfigurationError("Policy.resolver must be callable or None")
        if not isinstance(self.problem_base, str):
            raise ConfigurationError("Policy.problem_base must be a string")
        if self.max_json_depth > MAX_JSON_DEPTH:
            raise ConfigurationError(
                f"Policy.max_json_depth must be at most {MAX_JSON_DEPTH}"
            )
        object.__setattr__(self, "allowed_ports", _ports(self.allowed_ports))
        object.__setattr__(
            self, "admitted_addresses", _networks(self.admitted_addresses)
        )

    @classmethod
    def hardened(cls, **changes: Any) -> Policy:
        """The stricter preset: ports 443 and 1024..65535, no IP literals."""
        base = cls(allowed_ports=_HARDENED_PORTS, allow_ip_literals=False)
        return replace(base, **changes) if changes else base

    def port_allowed(self, port: int) -> bool:
        """Whether a webhook port (already known to be 1..65535) is admitted."""
        ports = self.allowed_ports
        return ports is None or any(port in r for r in ports)


def _check_positive(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigurationError(f"Policy.{name} must be a positive integer")


def _ports(value: object) -> tuple[range, ...] | None:
    if value is None:
        return None
    if isinstance(value, int | range | str | bytes):
        value = (value,)
    if not isinstance(value, Iterable):
        raise ConfigurationError("Policy.allowed_ports must be ranges or ints")
    out: list[range] = []
    for given in value:
        item = (
            range(given, given + 1)
            if isinstance(given, int) and not isinstance(given, bool)
            else given
        )
        if not isinstance(item, range) or item.step != 1:
            raise ConfigurationError(
                "Policy.allowed_ports entries must be ints or step-1 ranges"
            )
        if item and (item.start < 1 or item.stop > 65536):
            raise ConfigurationError("Policy.allowed_ports must lie in 1..65535")
        out.append(item)
    return tuple(out)


def _networks(value: object) -> tuple[IPNetwork, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ConfigurationError(
            "Policy.admitted_addresses must be a collection of addresses"
        )
    out: list[IPNetwork] = []
    for item in value:
        if isinstance(item, ipaddress.IPv4Network | ipaddress.IPv6Network):
            out.append(item)
            continue
        # Text and address objects only: ipaddress would also take an int,
        # and its error message would print one of any size.
        if not isinstance(item, str | ipaddress.IPv4Address | ipaddress.IPv6Address):
            raise ConfigurationError(
                "Policy.admitted_addresses entries must be address or network"
                f" strings, not {type(item).__name__}"
            )
        try:
            out.append(ipaddress.ip_network(item))
        except ValueError as exc:
            shown = item if isinstance(item, str) and len(item) <= 64 else "an entry"
            raise ConfigurationError(
                f"Policy.admitted_addresses: {shown!r} is not an address or network"
            ) from exc
    return tuple(out)


DEFAULT_POLICY = Policy()


def resolve_policy(policy: object) -> Policy:
    """The policy a public function was given: None means the default."""
    if policy is None:
        return DEFAULT_POLICY
    if not isinstance(policy, Policy):
        raise ConfigurationError("policy must be a Policy or None")
    return policy
