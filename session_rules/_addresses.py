"""Which addresses and host names a webhook may not point at.

The tables follow the IANA special-purpose address registries for IPv4 and
IPv6 (RFC 6890) and the special-use domain names registry (RFC 6761), with
a few deliberate extra blocks; every entry names its source and is dated.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

__all__ = [
    "CHECKED",
    "EMBEDDED_IPV4_FORMS",
    "IPV4_BLOCKS",
    "IPV6_BLOCKS",
    "NAME_RULES",
    "AddressBlock",
    "NameRule",
    "classify_address",
    "classify_name",
    "embedded_ipv4",
]

#: The day every entry below was last compared with its source.
CHECKED = "2026-12-04"

_IANA_V4 = "IANA IPv4 Special-Purpose Address Registry"
_IANA_V6 = "IANA IPv6 Special-Purpose Address Registry"
_IANA_V4_MCAST = "IANA IPv4 Multicast Address Space Registry"
_IANA_V6_SPACE = "IANA Internet Protocol Version 6 Address Space"
_IANA_NAMES = "IANA Special-Use Domain Names Registry"


@dataclass(frozen=True, slots=True)
class AddressBlock:
    """One network of the tables and why it is (or is not) refused.

    ``reason`` None marks a block that is public; the most specific block
    holding an address decides. ``deviation`` says that IANA calls the
    block globally reachable and this table refuses it anyway.
    """

    network: str
    reason: str | None
    source: str
    checked: str = CHECKED
    deviation: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class NameRule:
    """One host name suffix that never reaches the public internet."""

    suffix: str
    reason: str
    source: str
    checked: str = CHECKED
    note: str = ""


def _block(
    network: str, reason: str, source: str, *, deviation: bool = False, note: str = ""
) -> AddressBlock:
    return AddressBlock(network, reason, source, deviation=deviation, note=note)


#: IPv4 blocks a webhook may not use. Anything not listed is public.
IPV4_BLOCKS: tuple[AddressBlock, ...] = (
    _block(
        "0.0.0.0/8",
        "unspecified",
        f"RFC 791, RFC 1122 3.2.1.3; {_IANA_V4}",
        note="Linux connects 0.0.0.0 to the local host",
    ),
    _block("10.0.0.0/8", "private", f"RFC 1918; {_IANA_V4}"),
    _block(
        "100.64.0.0/10",
        "shared",
        f"RFC 6598; {_IANA_V4}",
        note="carrier-grade NAT; Alibaba Cloud metadata at 100.100.100.200",
    ),
    _block("127.0.0.0/8", "loopback", f"RFC 1122 3.2.1.3; {_IANA_V4}"),
    _block(
        "169.254.0.0/16",
        "link-local",
        f"RFC 3927; {_IANA_V4}",
        note="cloud metadata at 169.254.169.254 and 169.254.170.2",
    ),
    _block("172.16.0.0/12", "private", f"RFC 1918; {_IANA_V4}"),
    _block(
        "192.0.0.0/24",
        "special-purpose",
        f"RFC 6890 2.1; {_IANA_V4}",
        note="IETF protocol assignments; Oracle Cloud metadata at 192.0.0.192",
    ),
    _block(
        "192.0.0.9/32",
        "special-purpose",
        f"RFC 7723 (PCP anycast); {_IANA_V4}",
        deviation=True,
    ),
    _block(
        "192.0.0.10/32",
        "special-purpose",
        f"RFC 8155 (TURN anycast); {_IANA_V4}",
        deviation=True,
    ),
    _block("192.0.2.0/24", "special-purpose", f"RFC 5737 (TEST-NET-1); {_IANA_V4}"),
    _block(
        "192.31.196.0/24",
        "special-purpose",
        f"RFC 7535 (AS112-v4); {_IANA_V4}",
        deviation=True,
    ),
    _block(
        "192.52.193.0/24",
        "special-purpose",
        f"RFC 7450 (AMT); {_IANA_V4}",
        deviation=True,
    ),
    _block(
        "192.88.99.0/24",
        "special-purpose",
        f"RFC 7526 (deprecated 6to4 relay anycast); {_IANA_V4}",
    ),
    _block("192.168.0.0/16", "private", f"RFC 1918; {_IANA_V4}"),
    _block(
        "192.175.48.0/24",
        "special-purpose",
        f"RFC 7534 (AS112 direct delegation); {_IANA_V4}",
        deviation=True,
    ),
    _block("198.18.0.0/15", "special-purpose", f"RFC 2544 (benchmarking); {_IANA_V4}"),
    _block("198.51.100.0/24", "special-purpose", f"RFC 5737 (TEST-NET-2); {_IANA_V4}"),
    _block("203.0.113.0/24", "special-purpose", f"RFC 5737 (TEST-NET-3); {_IANA_V4}"),
    _block("224.0.0.0/4", "multicast", f"RFC 5771; {_IANA_V4_MCAST}"),
    _block("240.0.0.0/4", "reserved", f"RFC 1112 4; {_IANA_V4}"),
    _block(
        "255.255.255.255/32",
        "reserved",
        f"RFC 919 7, RFC 8190 (limited broadcast); {_IANA_V4}",
    ),
    _block(
        "168.63.129.16/32",
        "cloud-platform",
        "Microsoft Azure documentation, 'What is IP address 168.63.129.16?'",
        note="public-looking, answers only inside Azure (DNS, health, agent)",
    ),
)


#: IPv6 blocks. The catch-all refuses everything, ``2000::/3`` opens the
#: global unicast space, and longer prefixes close parts of it again.
IPV6_BLOCKS: tuple[AddressBlock, ...] = (
    _block(
        "::/0",
        "reserved",
        f"RFC 4291 2.4; {_IANA_V6_SPACE}",
        note="everything outside 2000::/3 that no entry below names",
    ),
    AddressBlock("2000::/3", None, f"RFC 4291 2.4 (global unicast); {_IANA_V6_SPACE}"),
    _block("::/128", "unspecified", f"RFC 4291 2.5.2; {_IANA_V6}"),
    _block("::1/128", "loopback", f"RFC 4291 2.5.3; {_IANA_V6}"),
    _block("100::/64", "reserved", f"RFC 6666 (discard-only); {_IANA_V6}"),
    _block("100:0:0:1::/64", "reserved", f"RFC 9780 (dummy prefix); {_IANA_V6}"),
    _block(
        "2001::/23",
        "special-purpose",
        f"RFC 2928 (IETF protocol assignments); {_IANA_V6}",
        note="Teredo 2001::/32 lies here",
    ),
    _block(
        "2001:1::1/128",
        "special-purpose",
        f"RFC 7723 (PCP anycast); {_IANA_V6}",
        deviation=True,
    ),
    _block(
        "2001:1::2/128",
        "special-purpose",
        f"RFC 8155 (TURN anycast); {_IANA_V6}",
        deviation=True,
    ),
    _block(
        "2001:1::3/128",
        "special-purpose",
        f"RFC 9665 (DNS-SD SRP anycast); {_IANA_V6}",
        deviation=True,
    ),
    _block(
        "2001:3::/32",
        "special-purpose",
        f"RFC 7450 (AMT); {_IANA_V6}",
        deviation=True,
    ),
    _block(
        "2001:4:112::/48",
        "special-purpose",
        f"RFC 7535 (AS112-v6); {_IANA_V6}",
        deviation=True,
    ),
    _block(
        "2001:20::/28",
        "special-purpose",
        f"RFC 7343 (ORCHIDv2); {_IANA_V6}",
        deviation=True,
    ),
    _block(
        "2001:30::/28",
        "special-purpose",
        f"RFC 9374 (DRIP entity tags); {_IANA_V6}",
        deviation=True,
    ),
    _block("2001:db8::/32", "special-purpose", f"RFC 3849 (documentation); {_IANA_V6}"),
    _block(
        "2620:4f:8000::/48",
        "special-purpose",
        f"RFC 7534 (AS112 direct delegation); {_IANA_V6}",
        deviation=True,
    ),
    _block("3fff::/20", "special-purpose", f"RFC 9637 (documentation); {_IANA_V6}"),
    _block("5f00::/16", "reserved", f"RFC 9602 (SRv6 SIDs); {_IANA_V6}"),
    _block(
        "fc00::/7",
        "unique-local",
        f"RFC 4193; {_IANA_V6}",
        note="AWS instance metadata at fd00:ec2::254",
    ),
    _block("fe80::/10", "link-local", f"RFC 4291 2.5.6; {_IANA_V6}"),
    _block("fec0::/10", "site-local", f"RFC 3879 (deprecated); {_IANA_V6_SPACE}"),
    _block("ff00::/8", "multicast", f"RFC 4291 2.7; {_IANA_V6_SPACE}"),
)


#: IPv6 forms that carry an IPv4 address; it is unwrapped and judged.
EMBEDDED_IPV4_FORMS: tuple[AddressBlock, ...] = (
    AddressBlock("::ffff:0:0/96", None, f"RFC 4291 2.5.5.2 (mapped); {_IANA_V6}"),
    AddressBlock(
        "::/96",
        None,
        "RFC 4291 2.5.5.1 (compatible, deprecated)",
        note=":: and ::1 keep their own meaning",
    ),
    AddressBlock("::ffff:0:0:0/96", None, "RFC 2765 2.1 (translated)"),
    AddressBlock("64:ff9b::/96", None, f"RFC 6052 2.1 (NAT64); {_IANA_V6}"),
    AddressBlock(
        "64:ff9b:1::/48",
        None,
        f"RFC 8215 (local-use NAT64), RFC 6052 2.2 layout; {_IANA_V6}",
        note="bits 64..71 are skipped",
    ),
    AddressBlock("2002::/16", None, f"RFC 3056 2 (6to4); {_IANA_V6}"),
)


#: Host names by suffix. A rule matches the name itself only for
#: ``localhost``; the others match names strictly under the suffix, and a
#: bare suffix is a single-label name.
NAME_RULES: tuple[NameRule, ...] = (
    NameRule("localhost", "localhost", f"RFC 6761 6.3; {_IANA_NAMES}"),
    NameRule(
        "localdomain",
        "localhost",
        "de facto /etc/hosts convention (not in the IANA registry)",
    ),
    NameRule("local", "local-name", f"RFC 6762 (multicast DNS); {_IANA_NAMES}"),
    NameRule(
        "internal",
        "internal-name",
        "ICANN Board resolution 2024.07.29.06 (private-use TLD)",
    ),
    NameRule(
        "arpa",
        "special-use-name",
        f"RFC 3172; RFC 8375 (home.arpa); {_IANA_NAMES}",
    ),
    NameRule("onion", "special-use-name", f"RFC 7686; {_IANA_NAMES}"),
)

_NAME_REASONS = {rule.suffix: rule.reason for rule in NAME_RULES}


def classify_address(addr: IPv4Address | IPv6Address) -> str | None:
    """The class of address a webhook must not use, or None when public.

    An IPv6 address that embeds an IPv4 address (see
    ``EMBEDDED_IPV4_FORMS``) is judged by that IPv4 address.
    """
    if isinstance(addr, IPv6Address):
        inner = embedded_ipv4(addr)
        if inner is None:
            return _lookup(_V6_STARTS, _V6_REASONS, int(addr))
        addr = inner
    return _lookup(_V4_STARTS, _V4_REASONS, int(addr))


def embedded_ipv4(addr: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address carries, or None when it has none."""
    value = int(addr)
    top96 = value >> 32
    if top96 in (0xFFFF, 0xFFFF_0000, 0x0064_FF9B_0000_0000_0000_0000):
        return IPv4Address(value & 0xFFFF_FFFF)
    if top96 == 0 and value > 1:
        return IPv4Address(value)
    if value >> 80 == 0x0064_FF9B_0001:
        # RFC 6052 2.2, /48 prefix: 16 bits, then the u octet, then 16 bits.
        high = (value >> 64) & 0xFFFF
        low = (value >> 40) & 0xFFFF
        return IPv4Address(high << 16 | low)
    if value >> 112 == 0x2002:
        return IPv4Address((value >> 80) & 0xFFFF_FFFF)
    return None


def classify_name(host: str) -> str | None:
    """The class of host name a webhook must not use, or None.

    ``host`` is expected in A-label form; case and one trailing dot are
    ignored.
    """
    name = host.lower()
    if name.endswith("."):
        name = name[:-1]
    if name == "localhost":
        return "localhost"
    _, dot, last = name.rpartition(".")
    if not dot:
        return "single-label"
    return _NAME_REASONS.get(last)


# -- lookup tables, built once at import ----------------------------------


def _flatten(
    blocks: tuple[AddressBlock, ...], bits: int
) -> tuple[list[int], list[str | None]]:
    """Cut the nested blocks into disjoint runs; the longest prefix wins."""
    nets = [
        (IPv4Network(b.network) if bits == 32 else IPv6Network(b.network), b.reason)
        for b in blocks
    ]
    edges = sorted(
        {0}
        | {int(n.network_address) for n, _ in nets}
        | {int(n.broadcast_address) + 1 for n, _ in nets}
    )
    starts: list[int] = []
    reasons: list[str | None] = []
    for start in edges:
        if start >= 1 << bits:
            break
        holders = [
            (n.prefixlen, r)
            for n, r in nets
            if int(n.network_address) <= start <= int(n.broadcast_address)
        ]
        reason = max(holders, key=lambda h: h[0])[1] if holders else None
        if not reasons or reasons[-1] != reason:
            starts.append(start)
            reasons.append(reason)
    return starts, reasons


def _lookup(starts: list[int], reasons: list[str | None], value: int) -> str | None:
    return reasons[bisect.bisect_right(starts, value) - 1]


_V4_STARTS, _V4_REASONS = _flatten(IPV4_BLOCKS, 32)
_V6_STARTS, _V6_REASONS = _flatten(IPV6_BLOCKS, 128)
