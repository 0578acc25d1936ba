"""The webhook URL check: ordered string rules, then an optional lookup.

Hosts are mapped by UTS #46 and IDNA 2008 (RFC 5891), IPv4 literals are
read the way the WHATWG URL Standard reads them, and the address tables
live in ``_addresses``. A URL that passes comes back in one canonical form.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address
from itertools import islice
from types import ModuleType
from typing import Any, NamedTuple

from ._addresses import classify_address, classify_name, embedded_ipv4
from ._errors import (
    FieldError,
    Finding,
    build_error,
    clip,
    json_type,
)
from ._memo import REMEMBERED_URL_LENGTH
from ._policy import Policy, resolve_policy

__all__ = ["WebhookVerdict", "check_resolved_addresses", "check_webhook_url"]

IPAddress = IPv4Address | IPv6Address

_ROOT = ("webhookUrl",)

#: Most answers one lookup may give; a longer answer is not checked.
MAX_ANSWERS = 256
#: Longest resolver answer read as an address (a scoped IPv6 fits).
_MAX_ANSWER_TEXT = 100
_CACHE_SIZE = 1024

# -- character classes (step 1) --------------------------------------------
# The library's own copies, so every Python version agrees. White_Space is
# from PropList.txt and Default_Ignorable_Code_Point from
# DerivedCoreProperties.txt; both are unchanged from Unicode 15.1 to 16.0.

#: Unicode White_Space (PropList.txt, Unicode 16.0).
WHITE_SPACE: tuple[tuple[int, int], ...] = (
    (0x0009, 0x000D),
    (0x0020, 0x0020),
    (0x0085, 0x0085),
    (0x00A0, 0x00A0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
)

#: C0 controls, DEL, C1 controls and surrogates (Unicode general categories
#: Cc and Cs); the white space among them is classed as white space first.
CONTROLS: tuple[tuple[int, int], ...] = (
    (0x0000, 0x001F),
    (0x007F, 0x009F),
    (0xD800, 0xDFFF),
)

#: Unicode Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode
#: 16.0); it holds the bidi isolates U+2066..U+2069 as well.
DEFAULT_IGNORABLE: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


def _char_class(ranges: Iterable[tuple[int, int]]) -> str:
    return "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)


_WHITE_SPACE_RE = re.compile(f"[{_char_class(WHITE_SPACE)}]")
_CONTROL_RE = re.compile(f"[{_char_class(CONTROLS)}]")
_INVISIBLE_RE = re.compile(f"[{_char_class(DEFAULT_IGNORABLE)}]")
_OFFENDING_RE = re.compile(
    "[\\\\"
    + _char_class(WHITE_SPACE)
    + _char_class(CONTROLS)
    + _char_class(DEFAULT_IGNORABLE)
    + "]"
)

# -- grammar -----------------------------------------------------------------
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_AUTHORITY_END_RE = re.compile(r"[/?#]")
_BRACKETED_RE = re.compile(r"\[([^\[\]]*)\](?::([^\[\]]*))?")
_IPV6_TEXT_RE = re.compile(r"[0-9A-Fa-f:.]{2,45}")
_PORT_RE = re.compile(r"[0-9]+")
_LABEL_RE = re.compile(r"[a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?")
_NUMERIC_LABEL_RE = re.compile(r"[0-9]+|0[xX][0-9A-Fa-f]*")
_PLAIN_IPV4_RE = re.compile(r"(?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2})){3}")
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]+")


@dataclass(frozen=True, slots=True)
class WebhookVerdict:
    """The verdict on one webhook URL, or on the addresses a host resolved to.

    Attributes:
        ok: True when every check passed.
        error: the one problem found, on field ``webhookUrl``.
        url: the canonical URL to store and later call (None on failure,
            and always None from :func:`check_resolved_addresses`).
        addresses: the resolved addresses that passed, in the order given,
            when a lookup took place; the IP address itself for an IP
            literal host; empty otherwise.
    """

    ok: bool
    error: FieldError | None = None
    url: str | None = None
    addresses: tuple[IPAddress, ...] = ()


def check_webhook_url(url: object, *, policy: Policy | None = None) -> WebhookVerdict:
    """Check a ``webhookUrl`` value and give its canonical form.

    Calls ``policy.resolver`` (when set) only after every string check has
    passed, and only for host names.
    """
    policy = resolve_policy(policy)
    if not isinstance(url, str):
        wrong = Finding("wrong-type", {"expected": "string", "actual": json_type(url)})
        return WebhookVerdict(ok=False, error=build_error(wrong, _ROOT))
    canonical, finding, addresses = _judge(url, policy)
    if finding is not None:
        return WebhookVerdict(ok=False, error=build_error(finding, _ROOT))
    return WebhookVerdict(ok=True, url=canonical, addresses=addresses)


def check_resolved_addresses(
    host: str, addresses: Iterable[object], *, policy: Policy | None = None
) -> WebhookVerdict:
    """Check what a webhook host resolved to, before connecting to it.

    ``addresses`` holds address strings (or ``ipaddress`` objects); a lone
    string counts as one address. Every answer must be public (or admitted
    by the policy); none at all, one that is not an address, or more than
    ``MAX_ANSWERS`` fail as ``unresolvable``. ``host`` only labels the error.
    """
    policy = resolve_policy(policy)
    shown = host if isinstance(host, str) else ""
    try:
        answers = _first_answers(addresses)
    except Exception:  # a broken iterable is a failed lookup
        answers = []
    passed, finding = _judge_answers(answers, shown, policy)
    if finding is not None:
        return WebhookVerdict(ok=False, error=build_error(finding, _ROOT))
    return WebhookVerdict(ok=True, addresses=passed)


def judge_webhook(url: str, policy: Policy) -> tuple[str | None, Finding | None]:
    """The canonical URL, or the one finding, for the request validator.

    Its callers pass a ``str`` only (they report any other type first).
    """
    canonical, finding, _ = _judge(url, policy)
    return canonical, finding


def accepted_webhook(url: str, policy: Policy) -> str | None:
    """The canonical URL when every string check passes and no lookup is
    due; None otherwise (a failure, or a resolver to call)."""
    if len(url) > policy.max_webhook_url:
        return None
    judged = _judge_text(url, policy)
    if judged.code is not None:
        return None
    lookup = judged.lookup_name is not None and policy.resolver is not None
    if judged.literal is None and lookup:
        return None
    return judged.canonical


# -- the ordered checks ------------------------------------------------------


class _Judged(NamedTuple):
    """What the string checks found; immutable, so it may be cached."""

    canonical: str | None
    code: str | None
    params: tuple[tuple[str, Any], ...]
    lookup_name: str | None
    shown_host: str
    literal: IPAddress | None


def _judge(
    url: str, policy: Policy
) -> tuple[str | None, Finding | None, tuple[IPAddress, ...]]:
    if len(url) > policy.max_webhook_url:
        too_long = _malformed("too-long", max=policy.max_webhook_url, actual=len(url))
        return None, too_long, ()
    judged = _judge_text(url, policy)
    if judged.code is not None:
        return None, Finding(judged.code, dict(judged.params)), ()
    if judged.literal is not None:
        return judged.canonical, None, (judged.literal,)
    if policy.resolver is None or judged.lookup_name is None:
        return judged.canonical, None, ()
    passed, finding = _resolve(judged.lookup_name, judged.shown_host, policy)
    if finding is not None:
        return None, finding, ()
    return judged.canonical, None, passed


def _judge_text(url: str, policy: Policy) -> _Judged:
    """The string checks of a URL, remembered when it is short.

    A ``str`` subclass is judged by its text, as an exact ``str``: its own
    methods (``__eq__`` in the cache, ``lower``, ``split``) never run.
    """
    if type(url) is not str:
        url = str.__str__(url)
    if len(url) > REMEMBERED_URL_LENGTH:
        return _judge_string.__wrapped__(url, policy)
    return _judge_string(url, policy)


# The string checks never call the resolver, so their result depends only
# on the URL and the policy's hashable switches (resolver excluded).
@functools.lru_cache(maxsize=_CACHE_SIZE)
def _judge_string(url: str, policy: Policy) -> _Judged:
    failure = _check_characters(url)
    if failure is not None:
        return failure
    scheme = _SCHEME_RE.match(url)
    if scheme is not None and scheme.group().lower() != "https:":
        return _fail("not-https")
    if scheme is None or url[6:8] != "//":
        return _fail("malformed-url", reason="not-absolute")
    rest = url[8:]
    end = _AUTHORITY_END_RE.search(rest)
    cut = len(rest) if end is None else end.start()
    authority, tail = rest[:cut], rest[cut:]
    if not authority:
        return _fail("malformed-url", reason="not-absolute")
    if "@" in authority:
        return _fail("credentials-in-url")
    return _judge_authority(authority, tail, policy)


def _check_characters(url: str) -> _Judged | None:
    found = _OFFENDING_RE.search(url)
    if found is None:
        return None
    char = found.group()
    if _WHITE_SPACE_RE.match(char):
        reason = "whitespace"
    elif _CONTROL_RE.match(char):
        reason = "control-character"
    elif char == "\\":
        reason = "backslash"
    else:
        reason = "invisible-character"
    return _fail("malformed-url", reason=reason)


def _judge_authority(authority: str, tail: str, policy: Policy) -> _Judged:
    # Step 5: brackets, percent signs, an empty host, the port.
    bracketed = _BRACKETED_RE.fullmatch(authority)
    if bracketed is None and ("[" in authority or "]" in authority):
        return _fail("malformed-url", reason="bad-brackets")
    if bracketed is not None:
        host_text, port_text = bracketed.group(1), bracketed.group(2)
        if "%" in host_text:
            return _fail("ambiguous-host", reason="zone-id")
    else:
        host_text, colon, after = authority.partition(":")
        port_text = after if colon else None
        if "%" in host_text:
            return _fail("ambiguous-host", reason="percent-encoded")
    literal6 = None
    if bracketed is not None:
        literal6 = _parse_ipv6(host_text)
        if literal6 is None:
            return _fail("malformed-url", reason="bad-brackets")
    elif not host_text:
        return _fail("malformed-url", reason="empty-host")
    port = 443 if port_text is None else _parse_port(port_text)
    if port is None:
        return _fail("malformed-url", reason="bad-port")

    # Steps 6 to 8: read the host, judge where it points, judge its spelling.
    if literal6 is not None:
        judged = _judge_ipv6(literal6, f"[{host_text}]", policy)
    else:
        judged = _judge_host(host_text, policy)
    if judged.code is not None:
        return judged

    # Step 9: the port policy.
    if not policy.port_allowed(port):
        return _fail("port-not-allowed", port=port)
    port_part = "" if port == 443 else f":{port}"
    url = f"https://{judged.canonical}{port_part}{_path_and_query(tail)}"
    return judged._replace(canonical=url)


def _judge_ipv6(addr: IPv6Address, shown: str, policy: Policy) -> _Judged:
    inner = embedded_ipv4(addr)
    admitted = _admitted(addr, policy) or (
        inner is not None and _admitted(inner, policy)
    )
    reason = None if admitted else classify_address(addr)
    failure = _not_public(reason, shown, policy)
    if failure is not None:
        return failure
    if inner is not None:
        return _fail("ambiguous-host", reason="ipv4-in-ipv6")
    return _Judged(f"[{_rfc5952(addr)}]", None, (), None, shown, addr)


def _judge_host(host_text: str, policy: Policy) -> _Judged:
    mapped = _map_host(host_text)
    if mapped is None:
        return _fail("malformed-url", reason="invalid-host")
    labels = mapped.split(".")
    if _NUMERIC_LABEL_RE.fullmatch(labels[-1]):
        return _judge_ipv4(labels, mapped, policy)
    ascii_host = _to_ascii(labels)
    if ascii_host is None:
        return _fail("malformed-url", reason="invalid-host")
    failure = _not_public(classify_name(ascii_host), mapped, policy, literal=False)
    if failure is not None:
        return failure
    if _UNSTABLE_MAPPING_RE.search(host_text):
        return _fail("ambiguous-host", reason="unstable-mapping")
    return _Judged(ascii_host, None, (), ascii_host, mapped, None)


def _judge_ipv4(labels: list[str], mapped: str, policy: Policy) -> _Judged:
    value = _parse_ipv4(labels)
    if value is None:
        return _fail("malformed-url", reason="invalid-host")
    addr = IPv4Address(value)
    reason = None if _admitted(addr, policy) else classify_address(addr)
    failure = _not_public(reason, mapped, policy)
    if failure is not None:
        return failure
    if not _PLAIN_IPV4_RE.fullmatch(mapped):
        return _fail("ambiguous-host", reason="noncanonical-ipv4")
    return _Judged(str(addr), None, (), None, mapped, addr)


def _not_public(
    reason: str | None, shown: str, policy: Policy, *, literal: bool = True
) -> _Judged | None:
    """Step 7: a host that is not public, or an IP literal where none may be."""
    if reason is None and literal and not policy.allow_ip_literals:
        reason = "ip-literal"
    if reason is None:
        return None
    return _fail("host-not-public", **_host_params(reason, shown, resolved=False))


# -- hosts -------------------------------------------------------------------


# Characters that common parsers lower-case or map to different hosts
# (found by tests/test_webhook_differential.py, checked 2026-12-04):
# U+1E9E becomes "ß" under the idna package's UTS #46 data but "ss" under
# Node 20's ICU; U+03A3 at the end of a word becomes final "ς" under
# Python's str.lower (urllib3, httpx, urlsplit) but "σ" under UTS #46.
_UNSTABLE_MAPPING_RE = re.compile("[\u1e9e\u03a3]")


def _map_host(host_text: str) -> str | None:
    """UTS #46 mapping (non-transitional, STD3 off), one trailing dot gone."""
    if host_text.isascii():
        # UTS #46 maps ASCII by lower-casing it alone (STD3 rules off).
        mapped = host_text.lower()
    else:
        try:
            mapped = _idna().uts46_remap(
                host_text, std3_rules=False, transitional=False
            )
        except Exception:  # idna's exceptions are not a fixed set
            return None
    if mapped.endswith("."):
        mapped = mapped[:-1]
    return mapped or None


def _to_ascii(labels: list[str]) -> str | None:
    """Each label as an A-label (RFC 5891), or None when one is invalid."""
    out: list[str] = []
    for label in labels:
        alabel = _ascii_label(label) if label.isascii() else _idna_label(label)
        if alabel is None:
            return None
        out.append(alabel)
    host = ".".join(out)
    return host if len(host) <= 253 else None


def _idna() -> ModuleType:
    """The idna package, imported on first use: only hosts with non-ASCII
    or ``xn--`` labels need it, and it is slow to import."""
    import idna  # noqa: PLC0415

    return idna


def _ascii_label(label: str) -> str | None:
    label = label.lower()
    if not _LABEL_RE.fullmatch(label):
        return None
    if label.startswith("xn--"):
        # The label must be the exact A-label of a valid IDNA 2008 U-label.
        try:
            idna = _idna()
            again = idna.encode(idna.decode(label)).decode("ascii")
        except Exception:  # idna's exceptions are not a fixed set
            return None
        return label if again == label else None
    return label


def _idna_label(label: str) -> str | None:
    try:
        alabel: str = _idna().encode(label).decode("ascii")
        return alabel
    except Exception:  # idna's exceptions are not a fixed set
        return None


def _parse_ipv4(parts: list[str]) -> int | None:
    """An IPv4 host by the WHATWG URL Standard's IPv4 parser, or None."""
    if len(parts) > 4:
        return None
    numbers: list[int] = []
    for part in parts:
        number = _parse_ipv4_number(part)
        if number is None:
            return None
        numbers.append(number)
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for index, number in enumerate(head):
        value += number << (8 * (3 - index))
    return value


def _parse_ipv4_number(part: str) -> int | None:
    if part[:2] in ("0x", "0X"):
        digits, base, allowed = part[2:], 16, "0123456789abcdefABCDEF"
    elif len(part) > 1 and part[0] == "0":
        digits, base, allowed = part[1:], 8, "01234567"
    else:
        digits, base, allowed = part, 10, "0123456789"
    if not digits:
        return 0 if base == 16 else None
    if not all(c in allowed for c in digits):
        return None
    significant = digits.lstrip("0")
    if len(significant) > 11:  # far past 2**32 in any base; skip the big int
        return None
    return int(significant or "0", base)


def _parse_ipv6(text: str) -> IPv6Address | None:
    if not _IPV6_TEXT_RE.fullmatch(text):
        return None
    try:
        return IPv6Address(text)
    except ValueError:
        return None


def _parse_port(text: str) -> int | None:
    if not _PORT_RE.fullmatch(text):
        return None
    significant = text.lstrip("0")
    if not significant or len(significant) > 5:
        return None
    port = int(significant)
    return port if port <= 65535 else None


def _rfc5952(addr: IPv6Address) -> str:
    """RFC 5952 section 4 text, the same on every Python version."""
    value = int(addr)
    groups = [(value >> (112 - 16 * i)) & 0xFFFF for i in range(8)]
    best_start, best_len, run_start = -1, 1, -1
    for i, group in enumerate([*groups, 1]):
        if group == 0 and run_start < 0:
            run_start = i
        elif group != 0 and run_start >= 0:
            if i - run_start > best_len:
                best_start, best_len = run_start, i - run_start
            run_start = -1
    texts = [f"{g:x}" for g in groups]
    if best_start < 0:
        return ":".join(texts)
    left = ":".join(texts[:best_start])
    right = ":".join(texts[best_start + best_len :])
    return f"{left}::{right}"


def _path_and_query(tail: str) -> str:
    """Path and query kept, non-ASCII percent-encoded, fragment dropped."""
    tail = tail.partition("#")[0]
    if not tail.startswith("/"):
        tail = "/" + tail
    if tail.isascii():
        return tail
    return _NON_ASCII_RE.sub(_percent_encode, tail)


def _percent_encode(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group().encode("utf-8"))


# -- resolved addresses ------------------------------------------------------


def _resolve(
    name: str, shown: str, policy: Policy
) -> tuple[tuple[IPAddress, ...], Finding | None]:
    resolver = policy.resolver
    try:
        found: object = resolver(name) if resolver else ()
        answers = _first_answers(found)
    except Exception:  # any failure of the lookup is unresolvable
        answers = []
    return _judge_answers(answers, shown, policy)


def _first_answers(found: object) -> list[object]:
    """Up to one more answer than the limit; a lone address is one answer."""
    if isinstance(found, str | IPv4Address | IPv6Address):
        return [found]
    if not isinstance(found, Iterable):
        return []
    return list(islice(found, MAX_ANSWERS + 1))


def _judge_answers(
    answers: Sequence[object], shown: str, policy: Policy
) -> tuple[tuple[IPAddress, ...], Finding | None]:
    unresolvable = Finding(
        "host-not-public", _host_params("unresolvable", shown, resolved=True)
    )
    if not answers or len(answers) > MAX_ANSWERS:
        return (), unresolvable
    passed: list[IPAddress] = []
    for answer in answers:
        addr = _parse_answer(answer)
        if addr is None:
            return (), unresolvable
        reason = None if _admitted_answer(addr, policy) else classify_address(addr)
        if reason is not None:
            return (), Finding(
                "host-not-public", _host_params(reason, shown, resolved=True)
            )
        passed.append(addr)
    return tuple(passed), None


def _parse_answer(answer: object) -> IPAddress | None:
    if isinstance(answer, IPv4Address | IPv6Address):
        return answer
    if not isinstance(answer, str) or len(answer) > _MAX_ANSWER_TEXT:
        return None
    try:
        return ipaddress.ip_address(answer)
    except ValueError:
        return None


def _admitted_answer(addr: IPAddress, policy: Policy) -> bool:
    if _admitted(addr, policy):
        return True
    inner = embedded_ipv4(addr) if isinstance(addr, IPv6Address) else None
    return inner is not None and _admitted(inner, policy)


def _admitted(addr: IPAddress, policy: Policy) -> bool:
    return any(addr in network for network in policy.admitted_addresses)


# -- small helpers -----------------------------------------------------------


def _fail(code: str, **params: Any) -> _Judged:
    return _Judged(None, code, tuple(params.items()), None, "", None)


def _malformed(reason: str, **params: Any) -> Finding:
    return Finding("malformed-url", {"reason": reason, **params})


def _host_params(reason: str, shown: str, *, resolved: bool) -> dict[str, Any]:
    host, truncated = clip(shown)
    params: dict[str, Any] = {"reason": reason, "host": host, "resolved": resolved}
    if truncated:
        params["truncated"] = True
    return params
