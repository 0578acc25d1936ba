"""The switches a server may turn, with the contract's defaults.

A `Policy` is frozen and hashable, so results that depend only on a string
and a policy may be cached. Bad values raise `ConfigurationError` when the
policy is built, never while a request is checked.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import Any

from ._errors import ConfigurationError
from ._frozen import Frozen

IPNetwork = IPv4Network | IPv6Network
#: What ``admitted_addresses`` takes: text or ``ipaddress`` objects.
Admitted = str | IPv4Address | IPv6Address | IPv4Network | IPv6Network

__all__ = ["Policy", "Resolver", "resolve_policy"]

#: A resolver maps a host name (A-label form) to the addresses it answers.
Resolver = Callable[[str], Iterable[str]]

#: Deepest nesting a policy may allow: Python's own JSON parser recurses
#: once per level, and a real request never nests past 3.
MAX_JSON_DEPTH = 256

_HARDENED_PORTS = (range(443, 444), range(1024, 65536))


class Policy(Frozen):
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
            tables, for tests and private deployments: text or
            ``ipaddress`` objects (a lone one counts as one entry).
        max_json_depth: deepest nesting a raw body may have, the body
            object counting as 1.
        refuse_finished_replays: answer 409 when a ``clientSubmissionId``
            was used by a session that already finished.
        problem_base: the prefix of every problem document's ``type``.

    Immutable and hashable; equality leaves ``resolver`` out.  Change a
    copy with `replace`.
    """

    _FIELDS = (
        "ignore_unknown_members",
        "null_as_absent",
        "max_client_submission_id",
        "max_errors",
        "max_webhook_url",
        "allowed_ports",
        "allow_ip_literals",
        "refuse_media_type_parameters",
        "resolver",
        "admitted_addresses",
        "max_json_depth",
        "refuse_finished_replays",
        "problem_base",
    )
    __slots__ = _FIELDS
    _COMPARED = tuple(name for name in _FIELDS if name != "resolver")
    ignore_unknown_members: bool
    null_as_absent: bool
    max_client_submission_id: int
    max_errors: int
    max_webhook_url: int
    allowed_ports: tuple[range, ...] | None
    allow_ip_literals: bool
    refuse_media_type_parameters: bool
    resolver: Resolver | None
    admitted_addresses: tuple[IPNetwork, ...]
    max_json_depth: int
    refuse_finished_replays: bool
    problem_base: str

    def __init__(
        self,
        *,
        ignore_unknown_members: bool = False,
        null_as_absent: bool = False,
        max_client_submission_id: int = 255,
        max_errors: int = 100,
        max_webhook_url: int = 2048,
        allowed_ports: Iterable[range | int] | range | int | None = None,
        allow_ip_literals: bool = True,
        refuse_media_type_parameters: bool = False,
        resolver: Resolver | None = None,
        admitted_addresses: Iterable[Admitted] = (),
        max_json_depth: int = 32,
        refuse_finished_replays: bool = False,
        problem_base: str = "/problems/",
    ) -> None:
        for name, flag in (
            ("ignore_unknown_members", ignore_unknown_members),
            ("null_as_absent", null_as_absent),
            ("allow_ip_literals", allow_ip_literals),
            ("refuse_media_type_parameters", refuse_media_type_parameters),
            ("refuse_finished_replays", refuse_finished_replays),
        ):
            if not isinstance(flag, bool):
                raise ConfigurationError(f"Policy.{name} must be a bool")
        for name, count in (
            ("max_client_submission_id", max_client_submission_id),
            ("max_errors", max_errors),
            ("max_webhook_url", max_webhook_url),
            ("max_json_depth", max_json_depth),
        ):
            _check_positive(name, count)
        if resolver is not None and not callable(resolver):
            raise ConfigurationError("Policy.resolver must be callable or None")
        if not isinstance(problem_base, str):
            raise ConfigurationError("Policy.problem_base must be a string")
        if max_json_depth > MAX_JSON_DEPTH:
            raise ConfigurationError(
                f"Policy.max_json_depth must be at most {MAX_JSON_DEPTH}"
            )
        self._assign(
            (
                ("ignore_unknown_members", ignore_unknown_members),
                ("null_as_absent", null_as_absent),
                ("max_client_submission_id", max_client_submission_id),
                ("max_errors", max_errors),
                ("max_webhook_url", max_webhook_url),
                ("allowed_ports", _ports(allowed_ports)),
                ("allow_ip_literals", allow_ip_literals),
                ("refuse_media_type_parameters", refuse_media_type_parameters),
                ("resolver", resolver),
                ("admitted_addresses", _networks(admitted_addresses)),
                ("max_json_depth", max_json_depth),
                ("refuse_finished_replays", refuse_finished_replays),
                ("problem_base", problem_base),
            )
        )

    def replace(self, **changes: Any) -> Policy:
        """A copy with some switches changed, checked as a new policy is.

        ``policy.replace(resolver=None)``; an unknown name raises
        ``TypeError``.  ``copy.replace`` (Python 3.13) does the same.
        """
        return self._replace(**changes)

    @classmethod
    def hardened(cls, **changes: Any) -> Policy:
        """The stricter preset: ports 443 and 1024..65535, no IP literals."""
        base = cls(allowed_ports=_HARDENED_PORTS, allow_ip_literals=False)
        return base.replace(**changes) if changes else base

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
    if isinstance(value, IPv4Network | IPv6Network | IPv4Address | IPv6Address):
        value = (value,)  # one entry; a network is iterable, address by address
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ConfigurationError(
            "Policy.admitted_addresses must be a collection of addresses"
        )
    items = tuple(value)
    if not items:
        return ()
    out: list[IPNetwork] = []
    for item in items:
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
