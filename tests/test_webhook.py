"""The webhook URL check: the corpus, every step, spellings, lookups."""

from __future__ import annotations

import ipaddress
import json
import random
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from session_rules import Policy
from session_rules._addresses import (
    IPV4_BLOCKS,
    IPV6_BLOCKS,
    NAME_RULES,
    classify_address,
    embedded_ipv4,
)
from session_rules._webhook import (
    DEFAULT_IGNORABLE,
    MAX_ANSWERS,
    WHITE_SPACE,
    WebhookVerdict,
    check_resolved_addresses,
    check_webhook_url,
    judge_webhook,
)

CORPUS = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "webhook-urls.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]
HARDENED = Policy.hardened()

#: Public IPv4 literals the corpus accepts without noting the hardened
#: verdict; the contract's hardened preset refuses every public IP literal.
CORPUS_IPV4_LITERALS = {
    "https://172.32.0.1/",
    "https://11.0.0.1/",
    "https://192.169.0.1/",
    "https://172.15.255.255/",
}


def _summary(verdict: WebhookVerdict) -> tuple[str | None, str | None, str | None]:
    if verdict.ok:
        return None, None, verdict.url
    assert verdict.error is not None
    return verdict.error.code, verdict.error.params.get("reason"), None


def _nets(*texts: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(t) for t in texts)


def _fake_resolver(answers: Iterable[Any]) -> Callable[[str], Iterable[Any]]:
    def resolve(host: str) -> Iterable[Any]:
        assert isinstance(host, str)
        return list(answers)

    return resolve


# -- the shared corpus -------------------------------------------------------


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: ascii(c["url"])[1:60])
def test_corpus_default_policy(case: dict[str, Any]) -> None:
    verdict = check_webhook_url(case["url"])
    assert verdict.ok == (case["verdict"] == "accept")
    if not verdict.ok:
        assert verdict.error is not None
        assert verdict.error.code == case.get("code", verdict.error.code)
        assert verdict.error.params.get("reason") == case.get(
            "reason", verdict.error.params.get("reason")
        )


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: ascii(c["url"])[1:60])
def test_corpus_hardened_policy(case: dict[str, Any]) -> None:
    verdict = check_webhook_url(case["url"], policy=HARDENED)
    if case["url"] in CORPUS_IPV4_LITERALS:
        assert _summary(verdict)[:2] == ("host-not-public", "ip-literal")
        return
    expected = case.get("hardened_verdict", case["verdict"])
    assert verdict.ok == (expected == "accept")
    if "hardened_code" in case:
        assert verdict.error is not None
        assert verdict.error.code == case["hardened_code"]


@pytest.mark.parametrize(
    "case",
    [c for c in CORPUS if "resolved_addresses" in c],
    ids=lambda c: c["url"],
)
def test_corpus_resolved(case: dict[str, Any]) -> None:
    policy = Policy(resolver=_fake_resolver(case["resolved_addresses"]))
    verdict = check_webhook_url(case["url"], policy=policy)
    assert verdict.ok == (case["resolved_verdict"] == "accept")
    assert verdict.error is not None
    assert verdict.error.code == case["resolved_code"]
    assert verdict.error.params["resolved"] is True


# -- every step, exactly -----------------------------------------------------

MALFORMED = "malformed-url"
NOT_PUBLIC = "host-not-public"
AMBIGUOUS = "ambiguous-host"

STEP_TABLE: list[tuple[str, str | None, str | None, str | None]] = [
    # step 1: characters, first offender by position
    ("https://exa mple.com/", MALFORMED, "whitespace", None),
    ("https://example.com/\u3000", MALFORMED, "whitespace", None),
    ("https://example.com/\u0085", MALFORMED, "whitespace", None),
    ("https://example.com/\u00a0", MALFORMED, "whitespace", None),
    ("https://example.com/\r", MALFORMED, "whitespace", None),
    ("https://example.com/\x1c", MALFORMED, "control-character", None),
    ("https://example.com/\x7f", MALFORMED, "control-character", None),
    ("https://example.com/\x9f", MALFORMED, "control-character", None),
    ("https://example.com/\ud800", MALFORMED, "control-character", None),
    ("https://example.com\\@evil/", MALFORMED, "backslash", None),
    ("https://ex\u200bample.com/", MALFORMED, "invisible-character", None),
    ("https://example.com/\u202e", MALFORMED, "invisible-character", None),
    ("https://example.com/\u2066", MALFORMED, "invisible-character", None),
    ("https://example.com/\ufeff", MALFORMED, "invisible-character", None),
    ("https://example.com/\U000e0041", MALFORMED, "invisible-character", None),
    ("https://\u200c\\ \x00/", MALFORMED, "invisible-character", None),
    ("https://\\\u200c \x00/", MALFORMED, "backslash", None),
    ("\x00https://example.com/ ", MALFORMED, "control-character", None),
    # step 2: another scheme
    ("HTTP://example.com/", "not-https", None, None),
    ("javascript:alert(1)", "not-https", None, None),
    ("localhost:8080/x", "not-https", None, None),
    ("https+unix://x/", "not-https", None, None),
    # step 3: structure
    ("https:x", MALFORMED, "not-absolute", None),
    ("https:/x", MALFORMED, "not-absolute", None),
    ("https:///x", MALFORMED, "not-absolute", None),
    ("https://", MALFORMED, "not-absolute", None),
    ("https://?q", MALFORMED, "not-absolute", None),
    ("//example.com/", MALFORMED, "not-absolute", None),
    ("", MALFORMED, "not-absolute", None),
    ("1https://example.com/", MALFORMED, "not-absolute", None),
    # step 4: user information
    ("https://a@b@example.com/", "credentials-in-url", None, None),
    ("https://[::1]@example.com/", "credentials-in-url", None, None),
    # step 5, in its order
    ("https://ex[ample.com/", MALFORMED, "bad-brackets", None),
    ("https://[::1]x/", MALFORMED, "bad-brackets", None),
    ("https://[::1]:4[3]/", MALFORMED, "bad-brackets", None),
    ("https://[[::1]]/", MALFORMED, "bad-brackets", None),
    ("https://[fe80::1%25eth0]/", AMBIGUOUS, "zone-id", None),
    ("https://[%]:x/", AMBIGUOUS, "zone-id", None),
    ("https://%31.2.3.4/", AMBIGUOUS, "percent-encoded", None),
    ("https://%:0/", AMBIGUOUS, "percent-encoded", None),
    ("https://[]/", MALFORMED, "bad-brackets", None),
    ("https://[1.2.3.4]/", MALFORMED, "bad-brackets", None),
    ("https://[::1::2]/", MALFORMED, "bad-brackets", None),
    ("https://[::ffff:127.0.0.01]/", MALFORMED, "bad-brackets", None),
    ("https://[\uff11::]/", MALFORMED, "bad-brackets", None),
    ("https://[::1]:0/", MALFORMED, "bad-port", None),
    ("https://:x/", MALFORMED, "empty-host", None),
    ("https://:/", MALFORMED, "empty-host", None),
    ("https://example.com:/", MALFORMED, "bad-port", None),
    ("https://example.com:+443/", MALFORMED, "bad-port", None),
    ("https://example.com:00000/", MALFORMED, "bad-port", None),
    ("https://example.com:" + "9" * 40 + "/", MALFORMED, "bad-port", None),
    # step 6: mapping and reading
    ("https://.", MALFORMED, "invalid-host", None),
    ("https://a..b/", MALFORMED, "invalid-host", None),
    ("https://-a.example/", MALFORMED, "invalid-host", None),
    ("https://a-.example/", MALFORMED, "invalid-host", None),
    ("https://a!b.example/", MALFORMED, "invalid-host", None),
    ("https://\U0001f4a9.la/", MALFORMED, "invalid-host", None),
    ("https://xn--ls8h.la/", MALFORMED, "invalid-host", None),
    ("https://xn--abc-.example/", MALFORMED, "invalid-host", None),
    ("https://xn--a.example/", MALFORMED, "invalid-host", None),
    ("https://evil.com\uff0f.good.com/", MALFORMED, "invalid-host", None),
    ("https://a\uff20b.example/", MALFORMED, "invalid-host", None),
    ("https://x\u2488y.example/", MALFORMED, "invalid-host", None),
    ("https://" + "a." * 127 + "com/", MALFORMED, "invalid-host", None),
    ("https://256.1.1.1/", MALFORMED, "invalid-host", None),
    ("https://1.2.3.256/", MALFORMED, "invalid-host", None),
    ("https://1.256.65536/", MALFORMED, "invalid-host", None),
    ("https://foo.0x/", MALFORMED, "invalid-host", None),
    ("https://0xg.1/", MALFORMED, "invalid-host", None),
    ("https://1..1/", MALFORMED, "invalid-host", None),
    ("https://1" + "0" * 1500 + "/", MALFORMED, "invalid-host", None),
    ("https://0x" + "f" * 1500 + "/", MALFORMED, "invalid-host", None),
    ("https://example.123/", MALFORMED, "invalid-host", None),
    ("https://\u00fc.1/", MALFORMED, "invalid-host", None),
    # step 7: names
    ("https://LOCALHOST/", NOT_PUBLIC, "localhost", None),
    ("https://\u24db\u24de\u24d2\u24d0\u24db\u24d7\u24de\u24e2\u24e3/", NOT_PUBLIC,
     "localhost", None),
    ("https://a.localdomain/", NOT_PUBLIC, "localhost", None),
    ("https://foo\uff0einternal/", NOT_PUBLIC, "internal-name", None),
    ("https://printer.local./", NOT_PUBLIC, "local-name", None),
    ("https://x.in-addr.arpa/", NOT_PUBLIC, "special-use-name", None),
    ("https://xn--mnchen-3ya/", NOT_PUBLIC, "single-label", None),
    ("https://_/", NOT_PUBLIC, "single-label", None),
    # step 7: addresses, one per reason
    ("https://127.0.0.1/", NOT_PUBLIC, "loopback", None),
    ("https://10.1.2.3/", NOT_PUBLIC, "private", None),
    ("https://100.100.100.200/", NOT_PUBLIC, "shared", None),
    ("https://169.254.169.254/", NOT_PUBLIC, "link-local", None),
    ("https://0.0.0.0/", NOT_PUBLIC, "unspecified", None),
    ("https://0x/", NOT_PUBLIC, "unspecified", None),
    ("https://0/", NOT_PUBLIC, "unspecified", None),
    ("https://224.0.0.251/", NOT_PUBLIC, "multicast", None),
    ("https://255.255.255.255/", NOT_PUBLIC, "reserved", None),
    ("https://240.1.2.3/", NOT_PUBLIC, "reserved", None),
    ("https://198.18.0.1/", NOT_PUBLIC, "special-purpose", None),
    ("https://192.0.0.9/", NOT_PUBLIC, "special-purpose", None),
    ("https://[fd00:ec2::254]/", NOT_PUBLIC, "unique-local", None),
    ("https://[fec0::1]/", NOT_PUBLIC, "site-local", None),
    ("https://168.63.129.16/", NOT_PUBLIC, "cloud-platform", None),
    ("https://[FE80::1]/", NOT_PUBLIC, "link-local", None),
    ("https://[febf::1]/", NOT_PUBLIC, "link-local", None),
    ("https://[ff02::1]/", NOT_PUBLIC, "multicast", None),
    ("https://[100::1]/", NOT_PUBLIC, "reserved", None),
    ("https://[2001::1]/", NOT_PUBLIC, "special-purpose", None),
    ("https://[2001:4:112::1]/", NOT_PUBLIC, "special-purpose", None),
    ("https://[3fff::1]/", NOT_PUBLIC, "special-purpose", None),
    ("https://[2620:4f:8000::1]/", NOT_PUBLIC, "special-purpose", None),
    ("https://[::2]/", NOT_PUBLIC, "unspecified", None),
    ("https://[::169.254.169.254]/", NOT_PUBLIC, "link-local", None),
    # step 8: spelling of a public address
    ("https://8.8.8.8./", None, None, "https://8.8.8.8/"),
    ("https://\uff18.\uff18.\uff18.\uff18/", None, None, "https://8.8.8.8/"),
    ("https://8\u30028\u30028\u30028/", None, None, "https://8.8.8.8/"),
    ("https://010.8.8.8/", AMBIGUOUS, "noncanonical-ipv4", None),
    ("https://8.8.2056/", AMBIGUOUS, "noncanonical-ipv4", None),
    ("https://0x8.8.8.8/", AMBIGUOUS, "noncanonical-ipv4", None),
    ("https://[::8.8.8.8]/", AMBIGUOUS, "ipv4-in-ipv6", None),
    ("https://[::ffff:0:808:808]/", AMBIGUOUS, "ipv4-in-ipv6", None),
    # step 9: ports
    ("https://example.com:80/", None, None, "https://example.com:80/"),
    ("https://example.com:00443/", None, None, "https://example.com/"),
    ("https://example.com:08080/", None, None, "https://example.com:8080/"),
    ("https://example.com:1/", None, None, "https://example.com:1/"),
    # canonical forms
    ("HTTPS://Example.COM", None, None, "https://example.com/"),
    ("hTtPs://example.com?q", None, None, "https://example.com/?q"),
    ("https://example.com#x", None, None, "https://example.com/"),
    ("https://example.com/#", None, None, "https://example.com/"),
    ("https://example.com/?", None, None, "https://example.com/?"),
    ("https://example.com/p\u00e4th?q=\u00fc#\u00e4", None, None,
     "https://example.com/p%C3%A4th?q=%C3%BC"),
    ("https://example.com/\U0001f600", None, None, "https://example.com/%F0%9F%98%80"),
    ("https://example.com/a/../b", None, None, "https://example.com/a/../b"),
    ("https://example.com/%zz", None, None, "https://example.com/%zz"),
    ("https://M\u00dcNCHEN.de/", None, None, "https://xn--mnchen-3ya.de/"),
    ("https://XN--MNCHEN-3YA.de/", None, None, "https://xn--mnchen-3ya.de/"),
    ("https://fa\u00df.example/", None, None, "https://xn--fa-hia.example/"),
    ("https://\uff4d\uff59_host.example/", None, None, "https://my_host.example/"),
    ("https://r3---sn-x.example/", None, None, "https://r3---sn-x.example/"),
    ("https://a.example\u3002/", None, None, "https://a.example/"),
    ("https://x.test/", None, None, "https://x.test/"),
    ("https://x.invalid/", None, None, "https://x.invalid/"),
    ("https://[2001:DB9:0:0:1:0:0:1]/", None, None, "https://[2001:db9::1:0:0:1]/"),
    ("https://[2001:db9:0:1:0:0:0:1]:443/", None, None, "https://[2001:db9:0:1::1]/"),
    ("https://[2001:db9:0:0:1:0:0:0]/", None, None, "https://[2001:db9:0:0:1::]/"),
    ("https://[2001:db9:1:1:1:1:0:1]/", None, None, "https://[2001:db9:1:1:1:1:0:1]/"),
    ("https://[2606:4700::1111]:8443/", None, None, "https://[2606:4700::1111]:8443/"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("url", "code", "reason", "canonical"), STEP_TABLE, ids=lambda v: ascii(v)[:50]
)
def test_step_table(
    url: str, code: str | None, reason: str | None, canonical: str | None
) -> None:
    assert _summary(check_webhook_url(url)) == (code, reason, canonical)


LOOPBACK_SPELLINGS = [
    "127.0.0.1",
    "2130706433",
    "0177.0.0.1",
    "0x7f.1",
    "0X7F.1",
    "0x7f000001",
    "017700000001",
    "127.1",
    "127.0.1",
    "127.000.000.001",
    "0000177.0.0.1",
    "\uff11\uff12\uff17\uff0e\uff10\uff0e\uff10\uff0e\uff11",
    "\uff11\uff12\uff17.\uff10.\uff10.\uff11",
    "127\u30020\u30020\u30021",
    "127\uff610\uff610\uff611",
    "127.0.0.1.",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[0:0:0:0:0:ffff:7f00:1]",
    "[::ffff:0:127.0.0.1]",
    "[::127.0.0.1]",
    "[64:ff9b::7f00:1]",
    "[64:ff9b::127.0.0.1]",
    "[64:ff9b:1:7f00:0:1::]",
    "[2002:7f00:1::]",
    "[2002:7f00:0001:ffff::1]",
    "[::1]",
    "[0:0:0:0:0:0:0:1]",
]


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_every_spelling_of_loopback(host: str) -> None:
    for url in (f"https://{host}/", f"https://{host}:8443/x?y#z"):
        assert _summary(check_webhook_url(url)) == (NOT_PUBLIC, "loopback", None)
        hard = _summary(check_webhook_url(url, policy=HARDENED))
        assert hard == (NOT_PUBLIC, "loopback", None)


@pytest.mark.parametrize(
    "url",
    [
        "https://%31%32%37.0.0.1/",
        "https://127.0.0.%31/",
        "https://%6c%6f%63%61%6c%68%6f%73%74/",
        "https://[::ffff:127.0.0.1%25lo]/",
    ],
)
def test_percent_escaped_hosts_are_ambiguous(url: str) -> None:
    assert _summary(check_webhook_url(url))[0] == AMBIGUOUS


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("169.254.169.254", "link-local"),
        ("0xa9fea9fe", "link-local"),
        ("[::ffff:169.254.169.254]", "link-local"),
        ("[64:ff9b::a9fe:a9fe]", "link-local"),
        ("100.100.100.200", "shared"),
        ("[fd00:ec2::254]", "unique-local"),
        ("168.63.129.16", "cloud-platform"),
        ("[::ffff:168.63.129.16]", "cloud-platform"),
        ("192.0.0.192", "special-purpose"),
        ("metadata.google.internal", "internal-name"),
        ("metadata", "single-label"),
    ],
)
def test_cloud_metadata_hosts(host: str, reason: str) -> None:
    verdict = check_webhook_url(f"https://{host}/latest/meta-data/")
    assert _summary(verdict) == (NOT_PUBLIC, reason, None)


# -- the error record --------------------------------------------------------


def test_error_record_shape_and_message() -> None:
    verdict = check_webhook_url("https://0x7f.1/secret-token?key=abc")
    assert verdict.error is not None
    assert verdict.error.to_dict() == {
        "field": "webhookUrl",
        "pointer": "/webhookUrl",
        "in": "body",
        "code": NOT_PUBLIC,
        "message": "webhookUrl host 0x7f.1 is not public (loopback)",
        "params": {"reason": "loopback", "host": "0x7f.1", "resolved": False},
    }


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.1/SECRET?SECRET",
        "https://u:SECRET@example.com/SECRET",
        "http://example.com/SECRET",
        "https://example.com:99999/SECRET",
        "https://example.com/SECRET\u200b",
        "https://[::1]/SECRET#SECRET",
        "https://localhost/SECRET",
    ],
)
def test_errors_never_repeat_path_or_query(url: str) -> None:
    verdict = check_webhook_url(url)
    assert verdict.error is not None
    assert "SECRET" not in json.dumps(verdict.error.to_dict())


def test_long_host_is_clipped() -> None:
    host = "a" * 60 + "." + "b" * 60 + ".local"
    verdict = check_webhook_url(f"https://{host}/")
    assert verdict.error is not None
    params = verdict.error.params
    assert params["reason"] == "local-name"
    assert params["truncated"] is True
    assert len(params["host"]) == 64
    assert params["host"].endswith("\u2026")
    assert params["host"][:63] == host[:63]


@pytest.mark.parametrize(
    ("value", "actual"),
    [
        (None, "null"),
        (True, "boolean"),
        (3, "integer"),
        (1.0, "integer"),
        (1.5, "number"),
        (float("nan"), "NaN"),
        (["https://example.com/"], "array"),
        ({"url": "https://example.com/"}, "object"),
        (b"https://example.com/", "bytes"),
        (10**5000, "integer"),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, str) else v,
)
def test_wrong_type(value: object, actual: str) -> None:
    verdict = check_webhook_url(value)
    assert verdict.error is not None
    assert verdict.error.code == "wrong-type"
    assert dict(verdict.error.params) == {"expected": "string", "actual": actual}


def test_too_long_is_refused_before_anything_else() -> None:
    url = "https://" + "\u200b" * 5_000_000
    started = time.perf_counter()
    verdict = check_webhook_url(url)
    assert time.perf_counter() - started < 0.5
    assert verdict.error is not None
    assert dict(verdict.error.params) == {
        "reason": "too-long",
        "max": 2048,
        "actual": len(url),
    }
    edge = "https://example.com/" + "a" * (2048 - 20)
    assert check_webhook_url(edge).ok
    assert _summary(check_webhook_url(edge + "a"))[1] == "too-long"
    short = Policy(max_webhook_url=20)
    assert check_webhook_url("https://example.com/", policy=short).ok
    assert _summary(check_webhook_url("https://example.com/x", policy=short))[1] == (
        "too-long"
    )


def test_judge_webhook_internal_api() -> None:
    assert judge_webhook("https://Example.com", Policy()) == (
        "https://example.com/",
        None,
    )
    canonical, finding = judge_webhook("https://10.0.0.1/", Policy())
    assert canonical is None
    assert finding is not None
    assert finding.code == NOT_PUBLIC
    assert finding.path == ()
    finding.params["reason"] = "tampered"  # a caller's change stays its own
    again = judge_webhook("https://10.0.0.1/", Policy())[1]
    assert again is not None
    assert again.params["reason"] == "private"


# -- policy: hardened, ports, admitted addresses ----------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/", (None, None, "https://example.com/")),
        ("https://example.com:1024/", (None, None, "https://example.com:1024/")),
        ("https://example.com:65535/", (None, None, "https://example.com:65535/")),
        ("https://8.8.8.8/", (NOT_PUBLIC, "ip-literal", None)),
        ("https://[2606:4700::1111]/", (NOT_PUBLIC, "ip-literal", None)),
        ("https://134744072/", (NOT_PUBLIC, "ip-literal", None)),
        ("https://[::ffff:8.8.8.8]/", (NOT_PUBLIC, "ip-literal", None)),
        ("https://10.0.0.1/", (NOT_PUBLIC, "private", None)),
        ("https://localhost:80/", (NOT_PUBLIC, "localhost", None)),
        ("https://example.com:0/", (MALFORMED, "bad-port", None)),
    ],
)
def test_hardened_preset(
    url: str, expected: tuple[str | None, str | None, str | None]
) -> None:
    assert _summary(check_webhook_url(url, policy=HARDENED)) == expected


@pytest.mark.parametrize("port", [1, 80, 442, 444, 1023])
def test_hardened_ports(port: int) -> None:
    verdict = check_webhook_url(f"https://example.com:{port}/", policy=HARDENED)
    assert verdict.error is not None
    assert verdict.error.code == "port-not-allowed"
    assert dict(verdict.error.params) == {"port": port}
    assert verdict.error.message == f"webhookUrl port {port} is not allowed"


def test_port_policy_includes_the_default_port() -> None:
    only_8443 = Policy(allowed_ports=(range(8443, 8444),))
    verdict = check_webhook_url("https://example.com/", policy=only_8443)
    assert verdict.error is not None
    assert dict(verdict.error.params) == {"port": 443}
    assert check_webhook_url("https://example.com:8443/", policy=only_8443).ok


def test_admitted_addresses() -> None:
    policy = Policy(admitted_addresses=_nets("10.0.0.0/8", "fd00::/8"))
    assert check_webhook_url("https://10.1.2.3/", policy=policy).url == (
        "https://10.1.2.3/"
    )
    assert check_webhook_url("https://[fd00::1]/", policy=policy).ok
    assert _summary(check_webhook_url("https://10.1.2.3:/", policy=policy))[1] == (
        "bad-port"
    )
    # still spelled ambiguously, and still a literal under the hardened preset
    assert _summary(check_webhook_url("https://012.1.2.3/", policy=policy))[1] == (
        "noncanonical-ipv4"
    )
    assert _summary(check_webhook_url("https://[::ffff:10.1.2.3]/", policy=policy))[
        1
    ] == ("ipv4-in-ipv6")
    hardened = Policy.hardened(admitted_addresses=_nets("10.0.0.0/8"))
    assert _summary(check_webhook_url("https://10.1.2.3/", policy=hardened))[1] == (
        "ip-literal"
    )
    # names are judged by the name tables alone
    assert not check_webhook_url("https://localhost/", policy=policy).ok


# -- the resolver ------------------------------------------------------------


class _Recorder:
    def __init__(self, answers: Iterable[Any]) -> None:
        self.answers = list(answers)
        self.calls: list[str] = []

    def __call__(self, host: str) -> list[Any]:
        self.calls.append(host)
        return self.answers


def test_resolver_runs_only_after_the_string_checks() -> None:
    resolver = _Recorder(["93.184.215.14"])
    policy = Policy(resolver=resolver)
    for url in (
        "http://example.com/",
        "https://localhost/",
        "https://example.com:0/",
        "https://8.8.8.8/",
        "https://[2606:4700::1111]/",
    ):
        check_webhook_url(url, policy=policy)
    assert resolver.calls == []
    verdict = check_webhook_url("https://M\u00fcnchen.de./x", policy=policy)
    assert resolver.calls == ["xn--mnchen-3ya.de"]
    assert verdict.url == "https://xn--mnchen-3ya.de/x"
    assert verdict.addresses == (IPv4Address("93.184.215.14"),)
    check_webhook_url("https://M\u00fcnchen.de./x", policy=policy)
    assert len(resolver.calls) == 2  # lookups are never cached


def test_ip_literal_verdict_lists_the_address() -> None:
    verdict = check_webhook_url("https://[2606:4700::1111]/")
    assert verdict.addresses == (IPv6Address("2606:4700::1111"),)


def _raising(host: str) -> list[str]:
    raise OSError(host)


def _broken_iterable(host: str) -> Iterable[str]:
    yield "8.8.8.8"
    raise RuntimeError(host)


def _endless(host: str) -> Iterable[str]:
    while host:
        yield "8.8.8.8"


@pytest.mark.parametrize(
    ("resolver", "expected"),
    [
        (_fake_resolver(["8.8.8.8", "2606:4700::1111"]), (None, None)),
        (_fake_resolver(["64:ff9b::808:808"]), (None, None)),
        (_fake_resolver(["64:ff9b:1:808:8:800::"]), (None, None)),
        (_fake_resolver(["::ffff:8.8.8.8"]), (None, None)),
        (_fake_resolver([IPv4Address("8.8.8.8")]), (None, None)),
        (_fake_resolver(["8.8.8.8", "127.0.0.1"]), (NOT_PUBLIC, "loopback")),
        (_fake_resolver(["::ffff:127.0.0.1"]), (NOT_PUBLIC, "loopback")),
        (_fake_resolver(["64:ff9b::a9fe:a9fe"]), (NOT_PUBLIC, "link-local")),
        (_fake_resolver(["2002:a00:1::"]), (NOT_PUBLIC, "private")),
        (_fake_resolver(["fe80::1%eth0"]), (NOT_PUBLIC, "link-local")),
        (_fake_resolver(["fd00:ec2::254"]), (NOT_PUBLIC, "unique-local")),
        (_fake_resolver([]), (NOT_PUBLIC, "unresolvable")),
        (_fake_resolver(["8.8.8.8", "not-an-address"]), (NOT_PUBLIC, "unresolvable")),
        (_fake_resolver(["010.1.1.1"]), (NOT_PUBLIC, "unresolvable")),
        (_fake_resolver([b"8.8.8.8"]), (NOT_PUBLIC, "unresolvable")),
        (_fake_resolver([8]), (NOT_PUBLIC, "unresolvable")),
        (_fake_resolver(["8" * 10_000]), (NOT_PUBLIC, "unresolvable")),
        (_fake_resolver(["8.8.8.8"] * (MAX_ANSWERS + 1)), (NOT_PUBLIC, "unresolvable")),
        (_raising, (NOT_PUBLIC, "unresolvable")),
        (_broken_iterable, (NOT_PUBLIC, "unresolvable")),
        (_endless, (NOT_PUBLIC, "unresolvable")),
        (lambda host: None, (NOT_PUBLIC, "unresolvable")),
        (lambda host: "8.8.8.8", (None, None)),
        (lambda host: "10.0.0.1", (NOT_PUBLIC, "private")),
        (lambda host: IPv6Address("::1"), (NOT_PUBLIC, "loopback")),
    ],
)
def test_resolver_answers(
    resolver: Callable[[str], Iterable[Any]], expected: tuple[str | None, str | None]
) -> None:
    verdict = check_webhook_url(
        "https://hooks.example.com/", policy=Policy(resolver=resolver)
    )
    assert _summary(verdict)[:2] == expected
    if not verdict.ok:
        assert verdict.error is not None
        assert verdict.error.params["resolved"] is True
        assert verdict.error.params["host"] == "hooks.example.com"


def test_resolver_respects_admitted_addresses() -> None:
    policy = Policy(
        resolver=_fake_resolver(["127.0.0.1", "::ffff:127.0.0.2"]),
        admitted_addresses=_nets("127.0.0.0/8"),
    )
    assert check_webhook_url("https://hooks.test/", policy=policy).ok


def test_resolver_failure_message() -> None:
    verdict = check_webhook_url("https://h.example/", policy=Policy(resolver=_raising))
    assert verdict.error is not None
    assert verdict.error.message == "webhookUrl host h.example could not be resolved"
    resolved = check_webhook_url(
        "https://h.example/", policy=Policy(resolver=_fake_resolver(["10.0.0.1"]))
    )
    assert resolved.error is not None
    assert resolved.error.message == (
        "webhookUrl host h.example resolves to an address that is not public (private)"
    )


@pytest.mark.parametrize(
    ("addresses", "expected"),
    [
        (["8.8.8.8", "2606:4700::1111"], (None, None)),
        ("8.8.8.8", (None, None)),
        (IPv6Address("2606:4700::1111"), (None, None)),
        (iter(["64:ff9b::808:808"]), (None, None)),
        (["8.8.8.8", "192.168.1.1"], (NOT_PUBLIC, "private")),
        ("169.254.169.254", (NOT_PUBLIC, "link-local")),
        ([], (NOT_PUBLIC, "unresolvable")),
        (None, (NOT_PUBLIC, "unresolvable")),
        (42, (NOT_PUBLIC, "unresolvable")),
        (["8.8.8.8", None], (NOT_PUBLIC, "unresolvable")),
    ],
)
def test_check_resolved_addresses(
    addresses: Any, expected: tuple[str | None, str | None]
) -> None:
    verdict = check_resolved_addresses("hooks.example.com", addresses)
    assert _summary(verdict)[:2] == expected
    assert verdict.url is None
    if verdict.ok:
        assert all(isinstance(a, IPv4Address | IPv6Address) for a in verdict.addresses)
    else:
        assert verdict.error is not None
        assert verdict.error.params["resolved"] is True
        assert verdict.error.field == "webhookUrl"


def test_check_resolved_addresses_admits_by_policy() -> None:
    policy = Policy(admitted_addresses=_nets("192.168.0.0/16"))
    verdict = check_resolved_addresses("h.test", ["192.168.1.1"], policy=policy)
    assert verdict.addresses == (IPv4Address("192.168.1.1"),)


# -- the character tables -----------------------------------------------------


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed; the WHATWG comparison needs it")
    return node


def _expand(ranges: Iterable[tuple[int, int]]) -> set[int]:
    return {c for lo, hi in ranges for c in range(lo, hi + 1)}


def test_character_tables_match_node_unicode_properties() -> None:
    script = r"""
    const out = {};
    for (const p of ["White_Space", "Default_Ignorable_Code_Point"]) {
      const re = new RegExp("^\\p{" + p + "}$", "u");
      out[p] = [];
      for (let c = 0; c < 0x110000; c++) {
        if (c >= 0xd800 && c <= 0xdfff) continue;
        if (re.test(String.fromCodePoint(c))) out[p].push(c);
      }
    }
    process.stdout.write(JSON.stringify(out));
    """
    done = subprocess.run(
        [_node(), "-e", script], capture_output=True, check=True, timeout=120
    )
    found = json.loads(done.stdout)
    assert set(found["White_Space"]) == _expand(WHITE_SPACE)
    assert set(found["Default_Ignorable_Code_Point"]) == _expand(DEFAULT_IGNORABLE)


# -- properties ----------------------------------------------------------------

_V4_BLOCKED = [b for b in IPV4_BLOCKS if b.reason is not None]
_V6_BLOCKED = [b for b in IPV6_BLOCKS if b.reason is not None]


@st.composite
def _address_in(draw: st.DrawFn, blocks: list[Any], version: int) -> int:
    block = draw(st.sampled_from(blocks))
    net = ipaddress.ip_network(block.network)
    assert net.version == version
    first = int(net.network_address)
    return draw(
        st.integers(first, int(net.broadcast_address))
        | st.sampled_from([first, int(net.broadcast_address)])
    )


def _ipv4_spellings(value: int) -> list[str]:
    a, b, c, d = value.to_bytes(4, "big")
    dotted = f"{a}.{b}.{c}.{d}"
    wide = dotted.translate({ord(ch): ord(ch) + 0xFEE0 for ch in "0123456789"})
    spellings = [
        dotted,
        f"{dotted}.",
        str(value),
        f"{value:#x}",
        f"0{value:o}",
        f"{a:#x}.{b:#x}.{c:#x}.{d:#x}",
        f"0{a:o}.0{b:o}.0{c:o}.0{d:o}",
        f"{a}.{b}.{c * 256 + d}",
        f"{a}.{b * 65536 + c * 256 + d}",
        f"00{a:o}.{b}.{c}.{d}",
        wide,
        wide.replace(".", "\uff0e"),
        dotted.replace(".", "\u3002"),
        dotted.replace(".", "\uff61"),
        f"[::ffff:{dotted}]",
        f"[::ffff:{value >> 16:x}:{value & 0xFFFF:x}]",
        f"[0:0:0:0:0:FFFF:{dotted}]",
        f"[::ffff:0:{dotted}]",
        f"[64:ff9b::{dotted}]",
        f"[64:ff9b::{value >> 16:x}:{value & 0xFFFF:x}]",
        f"[64:ff9b:1:{value >> 16:x}:{c:x}:{d << 8:x}::]",
        f"[2002:{value >> 16:x}:{value & 0xFFFF:x}::1]",
    ]
    if value > 1:
        spellings.append(f"[::{dotted}]")
    return spellings


@settings(deadline=None)
@given(_address_in(_V4_BLOCKED, 4), st.sampled_from(["", ":8443", ":443"]))
def test_blocked_ipv4_rejected_in_every_spelling(value: int, port: str) -> None:
    reason = classify_address(IPv4Address(value))
    assert reason is not None
    for host in _ipv4_spellings(value):
        for policy in (Policy(), HARDENED):
            verdict = check_webhook_url(f"https://{host}{port}/x", policy=policy)
            assert _summary(verdict) == (NOT_PUBLIC, reason, None), host


def _ipv6_spellings(addr: IPv6Address) -> list[str]:
    return [
        f"[{addr.compressed}]",
        f"[{addr.exploded}]",
        f"[{addr.exploded.upper()}]",
        "[" + ":".join(f"{int(g, 16):x}" for g in addr.exploded.split(":")) + "]",
    ]


@settings(deadline=None)
@given(_address_in(_V6_BLOCKED, 6))
def test_blocked_ipv6_rejected_in_every_spelling(value: int) -> None:
    addr = IPv6Address(value)
    reason = classify_address(addr)
    assume(reason is not None)
    for host in _ipv6_spellings(addr):
        verdict = check_webhook_url(f"https://{host}/")
        assert _summary(verdict) == (NOT_PUBLIC, reason, None), host


_PUBLIC_FIRST_OCTETS = [
    n for n in range(1, 224) if n not in {10, 100, 127, 168, 169, 172, 192, 198, 203}
]
_public_ipv4 = st.builds(
    lambda first, rest: first << 24 | rest,
    st.sampled_from(_PUBLIC_FIRST_OCTETS),
    st.integers(0, 2**24 - 1),
)


@settings(deadline=None)
@given(_public_ipv4)
def test_public_ipv4_accepted_only_when_plain(value: int) -> None:
    addr = IPv4Address(value)
    assume(classify_address(addr) is None)
    spellings = _ipv4_spellings(value)
    plain = {spellings[0], spellings[1], spellings[10], spellings[11], spellings[12]}
    plain.add(spellings[13])
    for host in spellings:
        verdict = check_webhook_url(f"https://{host}/")
        if host in plain:
            assert verdict.url == f"https://{addr}/"
        else:
            assert _summary(verdict)[0] == AMBIGUOUS, host
        hard = _summary(check_webhook_url(f"https://{host}/", policy=HARDENED))
        assert hard == (NOT_PUBLIC, "ip-literal", None)


@settings(deadline=None)
@given(st.integers(0x2000 << 112, (0x4000 << 112) - 1))
def test_public_ipv6_accepted_in_rfc5952_form(value: int) -> None:
    addr = IPv6Address(value)
    assume(embedded_ipv4(addr) is None and classify_address(addr) is None)
    for host in _ipv6_spellings(addr):
        verdict = check_webhook_url(f"https://{host}/")
        assert verdict.url is not None
        assert verdict.url == check_webhook_url(verdict.url).url
        assert IPv6Address(verdict.url[9:-2]) == addr


_LDH = "abcdefghijklmnopqrstuvwxyz0123456789"
_label = st.text(_LDH + "-_", min_size=1, max_size=20).filter(
    lambda s: s[0] != "-" and s[-1] != "-"
)
_tld = st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8).filter(
    lambda s: s not in {r.suffix for r in NAME_RULES}
)
_unicode_label = st.sampled_from(
    [
        "m\u00fcnchen",
        "b\u00fccher",
        "fa\u00df",
        "\u4f8b\u3048",
        "\u043f\u0440\u0438\u043c\u0435\u0440",
    ]
)
_path = st.text(_LDH + "ABCXYZ-._~!$&'()*+,;=:@/%\u00e4\u4e2d\U0001f600", max_size=30)


@st.composite
def public_urls(draw: st.DrawFn) -> str:
    labels = draw(st.lists(_label | _unicode_label, min_size=1, max_size=3))
    host = ".".join([*labels, draw(_tld)])
    if draw(st.booleans()):
        host = host.upper()
    port = draw(st.sampled_from(["", ":443", ":8443", ":1", ":065535"]))
    query = draw(st.none() | _path)
    tail = "/" + draw(_path) + ("" if query is None else "?" + query)
    return f"{draw(st.sampled_from(['https', 'HTTPS']))}://{host}{port}{tail}"


@settings(deadline=None)
@given(public_urls())
def test_public_names_accepted_and_canonical_is_idempotent(url: str) -> None:
    verdict = check_webhook_url(url)
    assume(
        verdict.error is None or verdict.error.params.get("reason") != "invalid-host"
    )
    assert verdict.ok, verdict.error
    assert verdict.url is not None
    assert verdict.url.isascii()
    assert check_webhook_url(verdict.url).url == verdict.url


@settings(deadline=None)
@given(st.text(max_size=60))
def test_any_text_gets_a_verdict(text: str) -> None:
    for url in (text, "https://" + text, "https://example.com" + text):
        verdict = check_webhook_url(url)
        assert verdict.ok == (verdict.url is not None)
        if verdict.ok:
            assert verdict.url is not None
            assert check_webhook_url(verdict.url).url == verdict.url


# -- WHATWG agreement ------------------------------------------------------------

_NODE_PARSE = r"""
let data = "";
process.stdin.on("data", (c) => (data += c));
process.stdin.on("end", () => {
  const out = JSON.parse(data).map((u) => {
    try {
      const p = new URL(u);
      return [p.href, p.hostname, p.port, p.pathname + p.search];
    } catch (e) {
      return null;
    }
  });
  process.stdout.write(JSON.stringify(out));
});
"""

#: Canonical URLs keep dot segments, which WHATWG parsers resolve; the
#: host and port never change (docs/webhooks.md, "Decisions").
_DOT_SEGMENTS = re.compile(r"/\.\.?(?:/|\?|$)")


def _whatwg_batch(urls: list[str]) -> list[Any]:
    done = subprocess.run(
        [_node(), "-e", _NODE_PARSE],
        input=json.dumps(urls).encode(),
        capture_output=True,
        check=True,
        timeout=120,
    )
    result: list[Any] = json.loads(done.stdout)
    return result


def _split_canonical(url: str) -> tuple[str, str, str]:
    """Host, port and path-and-query of a canonical URL."""
    authority, slash, rest = url[len("https://") :].partition("/")
    if authority.startswith("["):
        host, _, port = authority.partition("]")
        return host + "]", port[1:], slash + rest
    host, _, port = authority.partition(":")
    return host, port, slash + rest


def _differential_inputs() -> list[str]:
    rng = random.Random(20261204)
    safe_path = _LDH + "ABCXYZ-_~!$&()*+,;=:@/%.\u00e4\u4e2d"
    urls = [case["url"] for case in CORPUS]
    urls += [row[0] for row in STEP_TABLE]
    names = [
        "example.com",
        "m\u00fcnchen.de",
        "fa\u00df.example",
        "a_b.example",
        "XN--BCHER-KVA.example",
        "\uff45\uff58.com",
        "r3---sn-x.example",
    ]
    for _ in range(400):
        host = rng.choice(names)
        if rng.random() < 0.3:
            value = rng.getrandbits(32)
            if classify_address(IPv4Address(value)) is None:
                host = str(IPv4Address(value))
        elif rng.random() < 0.2:
            addr = IPv6Address((0x1 << 125) | rng.getrandbits(125))
            if classify_address(addr) is None and embedded_ipv4(addr) is None:
                host = f"[{addr.exploded}]"
        port = rng.choice(["", ":443", ":8443", ":0080", ":65535"])
        path = "".join(rng.choice(safe_path) for _ in range(rng.randrange(12)))
        query = "".join(rng.choice(safe_path + "?") for _ in range(rng.randrange(8)))
        urls.append(f"https://{host}{port}/{path}?{query}")
    return urls


def test_canonical_urls_parse_the_same_in_whatwg() -> None:
    canonical: list[str] = []
    for url in _differential_inputs():
        verdict = check_webhook_url(url)
        if verdict.url is not None and not _DOT_SEGMENTS.search(verdict.url):
            canonical.append(verdict.url)
    assert len(canonical) > 300
    parsed = _whatwg_batch(canonical)
    for url, result in zip(canonical, parsed, strict=True):
        assert result is not None, url
        href, hostname, port, path_query = result
        host, our_port, tail = _split_canonical(url)
        assert (hostname, port) == (host, our_port), url
        assert path_query == tail or path_query + "?" == tail, url
        assert href == url


def test_whatwg_resolves_dot_segments_but_keeps_the_host() -> None:
    url = check_webhook_url("https://example.com/a/../b/./c").url
    assert url == "https://example.com/a/../b/./c"
    [[href, hostname, port, _]] = _whatwg_batch([url])
    assert (href, hostname, port) == ("https://example.com/b/c", "example.com", "")
