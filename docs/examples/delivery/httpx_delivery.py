"""Deliver a webhook with httpx, connecting only to an address that was checked.

Copy this file into a server. ``deliver`` re-checks the stored URL, looks its
host up once, refuses delivery unless every answer is public, then connects
to one checked address while TLS still verifies the URL's host name:

    from httpx_delivery import DeliveryRefused, deliver, system_resolver

    try:
        response = deliver(stored_url, body, resolver=system_resolver)
    except DeliveryRefused as refused:
        log.warning("webhook refused: %s", refused.error.code)
    except httpx.HTTPError:
        ...  # unreachable, TLS failure, timeout: retry later

How the address is pinned: the request goes to ``https://<checked IP>:<port>``
with the ``sni_hostname`` request extension set to the URL's host name and an
explicit ``Host`` header. httpx (httpcore) then opens TCP to that IP, with no
second lookup and so no DNS-rebinding window, and hands the name to
``ssl.SSLContext.wrap_socket(server_hostname=...)``, so both the SNI and the
certificate's name check use the name. Should the extension ever be ignored,
the certificate would be checked against the bare IP and fail: it fails closed.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Literal

import httpx

from session_rules import (
    ConfigurationError,
    FieldError,
    Policy,
    check_resolved_addresses,
    check_webhook_url,
)

__all__ = ["DeliveryRefused", "Resolver", "deliver", "system_resolver"]

#: A host name (A-label form, no trailing dot) to the addresses it answers.
Resolver = Callable[
    [str], Iterable[str | ipaddress.IPv4Address | ipaddress.IPv6Address]
]

#: The most of the response body that is read; the rest is never received.
MAX_BODY_BYTES = 64 * 1024


class DeliveryRefused(Exception):
    """A check failed, so no connection was made.

    ``error`` is the library's record (field ``webhookUrl``): its ``code``
    and ``params`` say why. Like the library's errors, the message names at
    most the host, never the path or query, which may hold a secret.
    """

    def __init__(self, error: FieldError) -> None:
        self.error = error
        reason = error.params.get("reason")
        host = error.params.get("host")
        detail = ", ".join(
            f"{name} {value!r}"
            for name, value in (("reason", reason), ("host", host))
            if value is not None
        )
        super().__init__(f"{error.code}: {detail}" if detail else error.code)


def system_resolver(host: str) -> list[str]:
    """Look ``host`` up with the operating system (``socket.getaddrinfo``).

    The name is made absolute with a trailing dot, so the resolver's search
    domains (Kubernetes adds several) are never appended to it. Answers
    keep their order, without repeats. This blocks for as long as the
    system resolver takes; run deliveries off the request path.
    """
    infos = socket.getaddrinfo(
        host + ".", None, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    answers = (
        str(info[4][0])
        for info in infos
        if info[0] in (socket.AF_INET, socket.AF_INET6)
    )
    return list(dict.fromkeys(answers))


def deliver(
    url: str,
    payload: bytes,
    *,
    resolver: Resolver | None = None,
    policy: Policy | None = None,
    timeout: float = 5.0,
    verify: ssl.SSLContext | Literal[True] = True,
    headers: Mapping[str, str] | None = None,
    content_type: str = "application/json",
    max_body_bytes: int = MAX_BODY_BYTES,
) -> httpx.Response:
    """POST ``payload`` to the webhook ``url``, connecting only to a checked
    address.

    Args:
        url: the canonical URL stored when the session was accepted.
        payload: the request body.
        resolver: looks the host up; ``system_resolver`` in production. When
            None, ``policy.resolver`` is used; with neither, this raises
            `ConfigurationError` (it never falls back to DNS by itself).
        policy: the policy the URL was accepted under (ports, admitted
            addresses). Its resolver is not called by the URL re-check;
            the one lookup is the one made here.
        timeout: seconds for each of connect, write and each read, and
            for the whole response body.
        verify: True for httpx's default trust store (``certifi``), or an
            `ssl.SSLContext` that verifies certificates and host names
            (checked here).
        headers: extra request headers (a signature, say); ``Host`` is
            always the URL's own.
        content_type: the ``Content-Type`` of ``payload``.
        max_body_bytes: at most this many bytes of the response body are
            read; the connection is closed after that.

    Returns:
        The response, already read and closed. Redirects are not followed:
        a 3xx comes back as it is and counts as a failed delivery (its
        target was never checked). ``content`` holds the body as sent
        (``Accept-Encoding: identity`` is asked for, and nothing is
        decompressed), cut to ``max_body_bytes``. The wire's
        ``Content-Length``, ``Content-Encoding`` and ``Transfer-Encoding``
        headers are dropped, as they do not describe ``content`` (httpx
        sets a ``Content-Length`` for ``content`` itself).

    Raises:
        DeliveryRefused: the URL, the lookup or one of its answers failed a
            check; nothing was sent.
        httpx.HTTPError: the connection, TLS (a certificate that does not
            match the name, say) or the exchange failed.
        ConfigurationError: no resolver, or a ``verify`` context that would
            not check certificates or host names.
    """
    policy = policy if policy is not None else Policy()
    lookup = resolver if resolver is not None else policy.resolver
    if lookup is None:
        raise ConfigurationError("deliver needs a resolver, e.g. system_resolver")
    _check_tls_context(verify)

    # 1. The string checks again, on the stored URL; call the canonical form.
    #    Without the policy's resolver, so the only lookup is the one below.
    verdict = check_webhook_url(url, policy=policy.replace(resolver=None))
    if verdict.error is not None or verdict.url is None:
        raise _refused(verdict.error)
    target = httpx.URL(verdict.url)
    host = target.host  # A-label name, or an IP address without brackets

    # 2. One lookup; every answer must pass. An IP literal was judged above.
    if verdict.addresses:
        addresses = verdict.addresses
    else:
        try:
            answers: Iterable[object] = lookup(host)
        except Exception:  # any failed lookup refuses delivery
            answers = ()
        checked = check_resolved_addresses(host, answers, policy=policy)
        if checked.error is not None or not checked.addresses:
            raise _refused(checked.error)
        addresses = checked.addresses
    pinned = addresses[0]
    if isinstance(pinned, ipaddress.IPv6Address) and pinned.ipv4_mapped:
        pinned = pinned.ipv4_mapped  # it was judged as this IPv4 address

    # 3. Connect to the checked address; SNI, certificate and Host stay on
    #    the name. 4. No redirects, no proxies from the environment.
    request_headers = httpx.Headers(headers)
    request_headers["Content-Type"] = content_type
    request_headers["Accept-Encoding"] = "identity"
    request_headers["Host"] = target.netloc.decode("ascii")
    with httpx.Client(
        verify=verify,
        trust_env=False,
        follow_redirects=False,
        timeout=httpx.Timeout(timeout),
    ) as client:
        request = client.build_request(
            "POST",
            target.copy_with(host=str(pinned)),
            content=payload,
            headers=request_headers,
            extensions={"sni_hostname": host},
        )
        response = client.send(request, stream=True)
        try:
            body = _read_capped(response, max_body_bytes, timeout)
        finally:
            response.close()
    kept = [
        (name, value)
        for name, value in response.headers.multi_items()
        if name not in ("content-length", "content-encoding", "transfer-encoding")
    ]
    return httpx.Response(
        response.status_code, headers=kept, content=body, request=request
    )


def _refused(error: FieldError | None) -> DeliveryRefused:
    if error is None:  # not expected: a failed verdict always carries one
        raise RuntimeError("a failed check without an error record")
    return DeliveryRefused(error)


def _check_tls_context(verify: object) -> None:
    if verify is True:
        return
    if not isinstance(verify, ssl.SSLContext):
        raise ConfigurationError("verify must be True or an ssl.SSLContext")
    if verify.verify_mode != ssl.CERT_REQUIRED or not verify.check_hostname:
        raise ConfigurationError(
            "the TLS context must verify certificates and host names"
        )


def _read_capped(response: httpx.Response, limit: int, timeout: float) -> bytes:
    """At most ``limit`` raw bytes of the body, within ``timeout`` seconds."""
    if limit <= 0:
        return b""
    deadline = time.monotonic() + timeout
    body = bytearray()
    for chunk in response.iter_raw(chunk_size=min(limit, 16 * 1024)):
        body += chunk
        if len(body) >= limit or time.monotonic() > deadline:
            break
    return bytes(body[:limit])
