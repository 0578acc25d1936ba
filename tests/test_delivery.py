"""The httpx delivery recipe in docs/examples/delivery, against a local server.

A throwaway CA (trustme) signs a certificate for ``hooks.example.test``; an
HTTPS server on 127.0.0.1 and a free port serves with it. Fake resolvers
answer for the name, and the tests' policy admits exactly 127.0.0.1/32.
Nothing else is ever contacted: ``socket.getaddrinfo`` is replaced by a
guard that allows numeric addresses only (so no DNS, and ``system_resolver``
fails the test if called), and ``socket.connect`` by one that allows
127.0.0.1 only.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import socket
import ssl
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

httpx = pytest.importorskip(
    "httpx", reason="the delivery recipe needs httpx: pip install -e '.[test]'"
)
trustme = pytest.importorskip(
    "trustme", reason="the delivery tests need trustme: pip install -e '.[test]'"
)

from session_rules import ConfigurationError, Policy  # noqa: E402

RECIPE = Path(__file__).parent.parent / "docs/examples/delivery/httpx_delivery.py"
LOOPBACK = "127.0.0.1"
NAME = "hooks.example.test"
PAYLOAD = b'{"event":"session.finished","id":"s-1"}'
BIG_BODY = 200_000


def _load_recipe() -> ModuleType:
    spec = importlib.util.spec_from_file_location("httpx_delivery", RECIPE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


recipe = _load_recipe()
DeliveryRefused = recipe.DeliveryRefused
deliver = recipe.deliver


# -- the guards: no DNS, no address but 127.0.0.1 ---------------------------


@pytest.fixture(autouse=True)
def _network_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail on any name lookup and on any connection not to 127.0.0.1."""
    lookups: list[str] = []
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            lookups.append(repr(host))
            pytest.fail(f"a DNS lookup was attempted for {host!r}")
        kwargs["flags"] = kwargs.get("flags", 0) | socket.AI_NUMERICHOST
        return real_getaddrinfo(host, port, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> None:
        if not (isinstance(address, tuple) and address[0] == LOOPBACK):
            pytest.fail(f"a connection to {address!r} was attempted")
        real_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield lookups
    assert lookups == [], "system_resolver or DNS was used"


# -- a local HTTPS server ----------------------------------------------------


@dataclass
class Seen:
    """What the server saw: connections, SNI names, requests, errors."""

    connections: int = 0
    sni: list[str | None] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 5
    server: _TLSServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with self.server.seen.lock:
            self.server.seen.requests.append(
                {"path": self.path, "headers": dict(self.headers), "body": body}
            )
        if self.path.startswith("/redirect"):
            port = self.server.server_address[1]
            self._answer(302, b"", (("Location", f"https://{NAME}:{port}/elsewhere"),))
        elif self.path.startswith("/big"):
            self._answer(200, b"x" * BIG_BODY)
        else:
            self._answer(200, b"ok")

    def _answer(
        self, status: int, body: bytes, extra: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.send_response(status)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _TLSServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__((LOOPBACK, 0), _Handler)
        self.context = context
        self.seen = Seen()

    def verify_request(self, request: Any, client_address: Any) -> bool:  # noqa: ARG002
        with self.seen.lock:
            self.seen.connections += 1
        return True

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(5)
        with self.context.wrap_socket(request, server_side=True) as tls:
            _Handler(tls, client_address, self)

    def handle_error(self, request: Any, client_address: Any) -> None:  # noqa: ARG002
        with self.seen.lock:
            self.seen.errors.append(sys.exc_info()[1] or RuntimeError("?"))


@dataclass
class Server:
    port: int
    seen: Seen

    def url(self, path: str = "/hook?secret=x", host: str = NAME) -> str:
        return f"https://{host}:{self.port}{path}"


@pytest.fixture(scope="module")
def ca() -> Any:
    return trustme.CA()


@pytest.fixture
def client_context(ca: Any) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=None)
    context.load_verify_locations(cadata=ca.cert_pem.bytes().decode("ascii"))
    return context


@pytest.fixture
def start_server(ca: Any) -> Iterator[Callable[[str], Server]]:
    running: list[tuple[_TLSServer, threading.Thread]] = []

    def start(cert_name: str = NAME) -> Server:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert(cert_name).configure_cert(context)
        httpd = _TLSServer(context)

        def on_sni(_sock: Any, server_name: str | None, _ctx: Any) -> None:
            with httpd.seen.lock:
                httpd.seen.sni.append(server_name)

        context.sni_callback = on_sni
        thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        running.append((httpd, thread))
        return Server(port=httpd.server_address[1], seen=httpd.seen)

    yield start
    for httpd, thread in running:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def server(start_server: Callable[[str], Server]) -> Server:
    return start_server(NAME)


@pytest.fixture
def policy() -> Policy:
    admitted = Policy(admitted_addresses=(ipaddress.ip_network("127.0.0.1/32"),))
    assert admitted.admitted_addresses == (ipaddress.ip_network("127.0.0.1/32"),)
    return admitted


class FakeResolver:
    """Answers every name with the given addresses, and records the names."""

    def __init__(self, *answers: str, error: Exception | None = None) -> None:
        self.answers = list(answers)
        self.error = error
        self.calls: list[str] = []

    def __call__(self, host: str) -> list[str]:
        self.calls.append(host)
        if self.error is not None:
            raise self.error
        return self.answers


# -- delivery ----------------------------------------------------------------


def test_delivery_connects_to_the_checked_address_and_verifies_the_name(
    server: Server, policy: Policy, client_context: ssl.SSLContext
) -> None:
    resolver = FakeResolver(LOOPBACK)
    response = deliver(
        server.url(),
        PAYLOAD,
        resolver=resolver,
        policy=policy,
        verify=client_context,
        headers={"X-Signature": "sig", "Host": "evil.example"},
    )
    assert response.status_code == 200
    assert response.content == b"ok"
    assert resolver.calls == [NAME]
    assert server.seen.sni == [NAME]
    [seen] = server.seen.requests
    assert seen["path"] == "/hook?secret=x"
    assert seen["headers"]["Host"] == f"{NAME}:{server.port}"
    assert seen["headers"]["X-Signature"] == "sig"
    assert seen["headers"]["Content-Type"] == "application/json"
    assert seen["body"] == PAYLOAD


def test_the_stored_url_is_rechecked_and_its_canonical_form_called(
    server: Server, policy: Policy, client_context: ssl.SSLContext
) -> None:
    resolver = FakeResolver(LOOPBACK)
    url = f"https://HOOKS.Example.TEST.:{server.port}/hook?secret=x#fragment"
    response = deliver(
        url, PAYLOAD, resolver=resolver, policy=policy, verify=client_context
    )
    assert response.status_code == 200
    assert resolver.calls == [NAME]
    [seen] = server.seen.requests
    assert seen["headers"]["Host"] == f"{NAME}:{server.port}"
    assert seen["path"] == "/hook?secret=x"


def test_the_policy_resolver_is_called_once(
    server: Server, client_context: ssl.SSLContext
) -> None:
    resolver = FakeResolver(LOOPBACK)
    policy = Policy(
        admitted_addresses=(ipaddress.ip_network("127.0.0.1/32"),), resolver=resolver
    )
    response = deliver(server.url(), PAYLOAD, policy=policy, verify=client_context)
    assert response.status_code == 200
    assert resolver.calls == [NAME]  # not once more by the URL re-check


def test_an_ip_literal_is_called_without_a_lookup(
    start_server: Callable[[str], Server],
    policy: Policy,
    client_context: ssl.SSLContext,
) -> None:
    server = start_server(LOOPBACK)  # a certificate for the IP address itself
    resolver = FakeResolver("10.0.0.5")
    response = deliver(
        server.url(host=LOOPBACK),
        PAYLOAD,
        resolver=resolver,
        policy=policy,
        verify=client_context,
    )
    assert response.status_code == 200
    assert resolver.calls == []
    assert server.seen.sni == [None]  # no SNI for an IP address
    [seen] = server.seen.requests
    assert seen["headers"]["Host"] == f"{LOOPBACK}:{server.port}"


def test_an_ipv4_mapped_answer_is_dialled_as_ipv4(
    server: Server, policy: Policy, client_context: ssl.SSLContext
) -> None:
    # Judged as 127.0.0.1, so dialled as 127.0.0.1 (the guard checks).
    response = deliver(
        server.url(),
        PAYLOAD,
        resolver=FakeResolver("::ffff:127.0.0.1"),
        policy=policy,
        verify=client_context,
    )
    assert response.status_code == 200
    assert server.seen.sni == [NAME]


def test_a_redirect_is_not_followed(
    server: Server, policy: Policy, client_context: ssl.SSLContext
) -> None:
    response = deliver(
        server.url("/redirect?secret=x"),
        PAYLOAD,
        resolver=FakeResolver(LOOPBACK),
        policy=policy,
        verify=client_context,
    )
    assert response.status_code == 302
    assert not response.is_success
    assert response.headers["location"].endswith("/elsewhere")
    assert [r["path"] for r in server.seen.requests] == ["/redirect?secret=x"]


def test_the_response_body_is_capped(
    server: Server, policy: Policy, client_context: ssl.SSLContext
) -> None:
    response = deliver(
        server.url("/big"),
        PAYLOAD,
        resolver=FakeResolver(LOOPBACK),
        policy=policy,
        verify=client_context,
        max_body_bytes=1000,
    )
    assert response.status_code == 200
    assert response.content == b"x" * 1000
    assert response.headers["content-length"] == "1000"  # of content, not the wire


def test_proxy_variables_are_ignored(
    server: Server,
    policy: Policy,
    client_context: ssl.SSLContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, f"http://{LOOPBACK}:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    response = deliver(
        server.url(),
        PAYLOAD,
        resolver=FakeResolver(LOOPBACK),
        policy=policy,
        verify=client_context,
    )
    assert response.status_code == 200
    assert len(server.seen.requests) == 1


def test_a_certificate_for_another_name_fails_tls(
    start_server: Callable[[str], Server],
    policy: Policy,
    client_context: ssl.SSLContext,
) -> None:
    other = start_server("other.example.test")
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        deliver(
            other.url(),
            PAYLOAD,
            resolver=FakeResolver(LOOPBACK),
            policy=policy,
            verify=client_context,
        )
    assert other.seen.sni == [NAME]
    assert other.seen.requests == []


def test_an_untrusted_certificate_fails_tls(server: Server, policy: Policy) -> None:
    # The default trust store does not know the throwaway CA.
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        deliver(server.url(), PAYLOAD, resolver=FakeResolver(LOOPBACK), policy=policy)
    assert server.seen.requests == []


# -- refusals: nothing is sent -----------------------------------------------


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        (["10.0.0.5"], "private"),
        ([LOOPBACK, "10.0.0.5"], "private"),
        (["10.0.0.5", LOOPBACK], "private"),
        ([LOOPBACK, "169.254.169.254"], "link-local"),
        ([LOOPBACK, "::ffff:10.0.0.5"], "private"),
        ([LOOPBACK, "::1"], "loopback"),
    ],
)
def test_any_refused_answer_refuses_delivery(
    server: Server, policy: Policy, answers: list[str], reason: str
) -> None:
    resolver = FakeResolver(*answers)
    with pytest.raises(DeliveryRefused) as refused:
        deliver(server.url(), PAYLOAD, resolver=resolver, policy=policy)
    error = refused.value.error
    assert error.code == "host-not-public"
    assert error.params["reason"] == reason
    assert error.params["resolved"] is True
    assert "secret" not in str(refused.value)
    assert server.seen.connections == 0


@pytest.mark.parametrize(
    "resolver",
    [
        FakeResolver(error=OSError("no such name")),
        FakeResolver(error=socket.gaierror(socket.EAI_NONAME, "unknown")),
        FakeResolver(),
        FakeResolver("not-an-address"),
    ],
    ids=["raises", "gaierror", "empty", "garbage"],
)
def test_a_failed_lookup_refuses_delivery(
    server: Server, policy: Policy, resolver: FakeResolver
) -> None:
    with pytest.raises(DeliveryRefused) as refused:
        deliver(server.url(), PAYLOAD, resolver=resolver, policy=policy)
    assert refused.value.error.code == "host-not-public"
    assert refused.value.error.params["reason"] == "unresolvable"
    assert server.seen.connections == 0


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://hooks.example.test/hook", "not-https"),
        ("https://user@hooks.example.test/hook", "credentials-in-url"),
        ("https://localhost/hook", "host-not-public"),
        ("https://10.0.0.5/hook", "host-not-public"),
        ("https://[::1]/hook", "host-not-public"),
        (" https://hooks.example.test/hook", "malformed-url"),
    ],
)
def test_a_url_failing_the_string_check_is_never_looked_up(
    policy: Policy, url: str, code: str
) -> None:
    resolver = FakeResolver(LOOPBACK)
    with pytest.raises(DeliveryRefused) as refused:
        deliver(url, PAYLOAD, resolver=resolver, policy=policy)
    assert refused.value.error.code == code
    assert resolver.calls == []


def test_the_default_policy_refuses_loopback(server: Server) -> None:
    with pytest.raises(DeliveryRefused) as refused:
        deliver(server.url(), PAYLOAD, resolver=FakeResolver(LOOPBACK))
    assert refused.value.error.params["reason"] == "loopback"
    assert server.seen.connections == 0


# -- configuration -------------------------------------------------------------


def test_a_resolver_is_required(policy: Policy) -> None:
    with pytest.raises(ConfigurationError, match="resolver"):
        deliver(f"https://{NAME}/hook", PAYLOAD, policy=policy)


@pytest.mark.parametrize("weaken", ["check_hostname", "verify_mode"])
def test_a_tls_context_that_does_not_verify_is_refused(
    policy: Policy, weaken: str
) -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    if weaken == "verify_mode":
        context.verify_mode = ssl.CERT_NONE
    resolver = FakeResolver(LOOPBACK)
    with pytest.raises(ConfigurationError, match="verify"):
        deliver(
            f"https://{NAME}/hook",
            PAYLOAD,
            resolver=resolver,
            policy=policy,
            verify=context,
        )
    assert resolver.calls == []


# -- system_resolver, with a fake getaddrinfo --------------------------------


def test_system_resolver_asks_for_the_absolute_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[tuple[Any, ...]] = []
    stream, tcp = socket.SOCK_STREAM, socket.IPPROTO_TCP

    def fake_getaddrinfo(host: str, port: Any, **kwargs: Any) -> Any:
        asked.append((host, port, kwargs))
        return [
            (socket.AF_INET, stream, tcp, "", ("203.0.113.7", 0)),
            (socket.AF_INET6, stream, tcp, "", ("2001:db8::7", 0, 0, 0)),
            (socket.AF_INET, stream, tcp, "", ("203.0.113.7", 0)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    assert recipe.system_resolver(NAME) == ["203.0.113.7", "2001:db8::7"]
    assert [(host, port) for host, port, _ in asked] == [(f"{NAME}.", None)]
