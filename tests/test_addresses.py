"""The address and name tables: their shape, their edges, their lookups."""

from __future__ import annotations

from ipaddress import (
    IPv4Address,
    IPv4Network,
    IPv6Address,
    IPv6Network,
    ip_address,
)
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from session_rules._addresses import (
    CHECKED,
    EMBEDDED_IPV4_FORMS,
    IPV4_BLOCKS,
    IPV6_BLOCKS,
    NAME_RULES,
    AddressBlock,
    NameRule,
    classify_address,
    classify_name,
    embedded_ipv4,
)

ADDRESS_REASONS = {
    "loopback",
    "private",
    "shared",
    "link-local",
    "unspecified",
    "multicast",
    "reserved",
    "special-purpose",
    "unique-local",
    "site-local",
    "cloud-platform",
}
NAME_REASONS = {
    "localhost",
    "local-name",
    "internal-name",
    "special-use-name",
    "single-label",
}


def _network(block: AddressBlock) -> IPv4Network | IPv6Network:
    if ":" in block.network:
        return IPv6Network(block.network)
    return IPv4Network(block.network)


def _reference(addr: IPv4Address | IPv6Address) -> str | None:
    """A slow, obvious lookup: the longest matching prefix decides."""
    blocks = IPV6_BLOCKS if isinstance(addr, IPv6Address) else IPV4_BLOCKS
    best: tuple[int, str | None] = (-1, None)
    for block in blocks:
        net = _network(block)
        if addr in net and net.prefixlen > best[0]:
            best = (net.prefixlen, block.reason)
    return best[1]


# -- the tables themselves ---------------------------------------------------


@pytest.mark.parametrize(
    "block", IPV4_BLOCKS + IPV6_BLOCKS + EMBEDDED_IPV4_FORMS, ids=str
)
def test_every_block_is_sourced_dated_and_exact(block: AddressBlock) -> None:
    net = _network(block)
    assert str(net) == block.network
    assert block.source
    assert block.checked == CHECKED == "2026-12-04"
    assert block.reason is None or block.reason in ADDRESS_REASONS


@pytest.mark.parametrize("rule", NAME_RULES, ids=lambda r: r.suffix)
def test_every_name_rule_is_sourced_and_dated(rule: NameRule) -> None:
    assert rule.source
    assert rule.checked == CHECKED
    assert rule.reason in NAME_REASONS


def test_deviations_from_iana_are_marked() -> None:
    marked = {b.network for b in IPV4_BLOCKS + IPV6_BLOCKS if b.deviation}
    assert marked == {
        "192.0.0.9/32",
        "192.0.0.10/32",
        "192.31.196.0/24",
        "192.52.193.0/24",
        "192.175.48.0/24",
        "2001:1::1/128",
        "2001:1::2/128",
        "2001:1::3/128",
        "2001:3::/32",
        "2001:4:112::/48",
        "2001:20::/28",
        "2001:30::/28",
        "2620:4f:8000::/48",
    }


def test_every_reason_of_the_vocabulary_is_used() -> None:
    used = {b.reason for b in IPV4_BLOCKS + IPV6_BLOCKS}
    assert used - {None} == ADDRESS_REASONS


# -- edges of every block ----------------------------------------------------


def _edges() -> list[tuple[str, str | None]]:
    cases: list[tuple[str, str | None]] = []
    for block in IPV4_BLOCKS + IPV6_BLOCKS:
        net = _network(block)
        first, last = int(net.network_address), int(net.broadcast_address)
        cls = IPv6Address if net.version == 6 else IPv4Address
        top = (1 << net.max_prefixlen) - 1
        for value in (first - 1, first, last, last + 1):
            if 0 <= value <= top:
                addr = cls(value)
                if isinstance(addr, IPv6Address) and embedded_ipv4(addr):
                    continue  # judged by the IPv4 address; tested below
                cases.append((str(addr), _reference(addr)))
    return cases


@pytest.mark.parametrize(("text", "expected"), _edges())
def test_block_edges_match_the_longest_prefix(text: str, expected: str) -> None:
    assert classify_address(ip_address(text)) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.255", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("0.255.255.255", "unspecified"),
        ("10.0.0.1", "private"),
        ("172.16.0.0", "private"),
        ("172.31.255.255", "private"),
        ("172.32.0.0", None),
        ("172.15.255.255", None),
        ("192.168.1.1", "private"),
        ("192.169.0.1", None),
        ("100.64.0.0", "shared"),
        ("100.127.255.255", "shared"),
        ("100.128.0.0", None),
        ("100.100.100.200", "shared"),
        ("169.254.169.254", "link-local"),
        ("169.254.170.2", "link-local"),
        ("192.0.0.9", "special-purpose"),
        ("192.0.0.10", "special-purpose"),
        ("192.0.0.192", "special-purpose"),
        ("192.0.2.1", "special-purpose"),
        ("192.31.196.1", "special-purpose"),
        ("192.52.193.1", "special-purpose"),
        ("192.88.99.2", "special-purpose"),
        ("192.175.48.1", "special-purpose"),
        ("198.18.0.1", "special-purpose"),
        ("198.19.255.255", "special-purpose"),
        ("198.20.0.0", None),
        ("198.51.100.7", "special-purpose"),
        ("203.0.113.9", "special-purpose"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.255", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("168.63.129.16", "cloud-platform"),
        ("168.63.129.17", None),
        ("8.8.8.8", None),
        ("1.1.1.1", None),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("::2", "unspecified"),
        ("100::1", "reserved"),
        ("100:0:0:1::1", "reserved"),
        ("1::", "reserved"),
        ("4000::1", "reserved"),
        ("5f00::1", "reserved"),
        ("2001::1", "special-purpose"),
        ("2001:1::1", "special-purpose"),
        ("2001:3::1", "special-purpose"),
        ("2001:4:112::1", "special-purpose"),
        ("2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", "special-purpose"),
        ("2001:200::1", None),
        ("2001:db8::1", "special-purpose"),
        ("2001:db9::1", None),
        ("2620:4f:8000::1", "special-purpose"),
        ("3fff::1", "special-purpose"),
        ("3fff:1000::1", None),
        ("2606:4700:4700::1111", None),
        ("2001:4860:4860::8888", None),
        ("fc00::1", "unique-local"),
        ("fd00:ec2::254", "unique-local"),
        ("fe80::1", "link-local"),
        ("febf:ffff::1", "link-local"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:0.0.0.0", "unspecified"),
        ("::ffff:8.8.8.8", None),
        ("::ffff:0:10.0.0.1", "private"),
        ("::169.254.169.254", "link-local"),
        ("64:ff9b::7f00:1", "loopback"),
        ("64:ff9b::808:808", None),
        ("64:ff9b:1:a9fe:a9:fe00::", "link-local"),
        ("64:ff9b:1:808:8:800::", None),
        ("64:ff9b:2::1", "reserved"),
        ("2002:7f00:1::", "loopback"),
        ("2002:a9fe:a9fe::1", "link-local"),
        ("2002:808:808::", None),
    ],
)
def test_classify_address(text: str, reason: str | None) -> None:
    assert classify_address(ip_address(text)) == reason


@pytest.mark.parametrize(
    ("text", "inner"),
    [
        ("::ffff:1.2.3.4", "1.2.3.4"),
        ("::1.2.3.4", "1.2.3.4"),
        ("::ffff:0:1.2.3.4", "1.2.3.4"),
        ("64:ff9b::1.2.3.4", "1.2.3.4"),
        ("64:ff9b:1:102:3:400::", "1.2.3.4"),
        ("64:ff9b:1:102:ff03:4ff::", "1.2.3.4"),  # u octet and suffix ignored
        ("2002:102:304::", "1.2.3.4"),
        ("::", None),
        ("::1", None),
        ("2001:db8::1", None),
        ("64:ff9b:2::1", None),
    ],
)
def test_embedded_ipv4(text: str, inner: str | None) -> None:
    found = embedded_ipv4(IPv6Address(text))
    assert (None if found is None else str(found)) == inner


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("localhost", "localhost"),
        ("LOCALHOST.", "localhost"),
        ("api.localhost", "localhost"),
        ("box.localdomain", "localhost"),
        ("printer.local", "local-name"),
        ("a.b.svc.cluster.local", "local-name"),
        ("metadata.google.internal", "internal-name"),
        ("nas.home.arpa", "special-use-name"),
        ("1.0.0.127.in-addr.arpa", "special-use-name"),
        ("abc.onion", "special-use-name"),
        ("intranet", "single-label"),
        ("internal", "single-label"),
        ("local", "single-label"),
        ("localdomain", "single-label"),
        ("example.com", None),
        ("localhost.example.com", None),
        ("example.local.com", None),
        ("internal.example.com", None),
        ("x.example", None),
        ("x.test", None),
        ("x.invalid", None),
    ],
)
def test_classify_name(name: str, reason: str | None) -> None:
    assert classify_name(name) == reason


# -- the fast lookup agrees with the obvious one ----------------------------


@st.composite
def _near_edges(draw: st.DrawFn, version: int) -> int:
    blocks = IPV6_BLOCKS if version == 6 else IPV4_BLOCKS
    net = _network(draw(st.sampled_from(blocks)))
    edge = int(draw(st.sampled_from([net.network_address, net.broadcast_address])))
    top = (1 << net.max_prefixlen) - 1
    return min(max(edge + draw(st.integers(-3, 3)), 0), top)


@settings(deadline=None)
@given(st.integers(0, 2**32 - 1) | _near_edges(4))
def test_ipv4_lookup_matches_reference(value: int) -> None:
    addr = IPv4Address(value)
    assert classify_address(addr) == _reference(addr)


@settings(deadline=None)
@given(st.integers(0, 2**128 - 1) | _near_edges(6))
def test_ipv6_lookup_matches_reference(value: int) -> None:
    addr = IPv6Address(value)
    inner = embedded_ipv4(addr)
    expected = _reference(addr) if inner is None else _reference(inner)
    assert classify_address(addr) == expected


def test_docs_list_every_entry() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "webhooks.md").read_text(
        encoding="utf-8"
    )
    for block in IPV4_BLOCKS + IPV6_BLOCKS + EMBEDDED_IPV4_FORMS:
        assert f"`{block.network}`" in docs, block.network
    for rule in NAME_RULES:
        assert f"`{rule.suffix}`" in docs, rule.suffix
