"""Where webhooks may be sent: the guard against server-side request forgery (SSRF).

A subscription's URL is checked when it is saved (its scheme, and its host when that is an address or a name of
this machine) and again at every delivery, after its name is resolved: every address it resolves to must be
allowed, and the connection goes to one of those checked addresses, never to a second lookup's answer (DNS
rebinding). Never allowed: loopback, link-local (169.254.169.254, the cloud metadata service, included),
unspecified, multicast, reserved and other non-public special ranges, in IPv4 and IPv6. Private networks (10/8,
172.16/12, 192.168/16, fc00::/7) are how government intranets (政务外网) reach their systems, so they are allowed
unless WEBHOOK_ALLOW_PRIVATE_NETWORKS is False. WEBHOOK_ALLOWED_HOSTS lists host names, addresses or networks
(CIDR) allowed all the same (a receiver on this machine in tests).
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

SCHEMES = ("http", "https")
PRIVATE_NETWORKS: tuple[Network, ...] = tuple(
    ipaddress.ip_network(network) for network in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
# Legacy IPv4 spellings that resolvers still accept as addresses: 127.1, 0x7f.0.0.1, 2130706433.
_LEGACY_IPV4 = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$")


class TargetRefused(Exception):
    """The URL may not receive webhooks; the message says why, for people (the admin form, the delivery log)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (addresses already checked) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    # (family, socket address) as getaddrinfo gives them: (host, port) or (host, port, flowinfo, scope id).
    addresses: tuple[tuple[socket.AddressFamily, tuple[Any, ...]], ...]


def _allowed() -> tuple[frozenset[str], tuple[Network, ...]]:
    names: set[str] = set()
    networks: list[Network] = []
    for entry in getattr(settings, "WEBHOOK_ALLOWED_HOSTS", []):
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            names.add(entry.strip().lower().rstrip("."))
    return frozenset(names), tuple(networks)


def address_refusal(address: Address) -> str | None:
    """Why webhooks may not go to `address` (for people), or None when they may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(address in network for network in _allowed()[1]):
        return None
    shown = {"address": str(address)}
    if address.is_loopback:
        return _("%(address)s is a loopback address (this machine).") % shown
    if address.is_link_local:
        return _("%(address)s is a link-local address (such as the cloud metadata service).") % shown
    if address.is_unspecified:
        return _("%(address)s is the unspecified address.") % shown
    if address.is_multicast:
        return _("%(address)s is a multicast address.") % shown
    if any(address in network for network in PRIVATE_NETWORKS):
        if getattr(settings, "WEBHOOK_ALLOW_PRIVATE_NETWORKS", True):
            return None
        return _("%(address)s is a private network address, and this site does not send webhooks there.") % shown
    if address.is_reserved or not address.is_global:
        return _("%(address)s is a reserved or special-purpose address.") % shown
    return None


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if _LEGACY_IPV4.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def check_url(url: str) -> tuple[str, str, int, str]:
    """Check what can be checked without the network; return (scheme, host, port, path with query).

    Raises TargetRefused for another scheme than http/https, no host, a bad port, a name of this machine
    (localhost) or an address that address_refusal refuses.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused(_("This is not a valid URL.")) from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise TargetRefused(_("Webhooks are sent over http or https only."))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise TargetRefused(_("The URL has no host."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    port = port or (443 if scheme == "https" else 80)
    names, _networks = _allowed()
    if host in names:
        return scheme, host, port, path
    literal = _literal(host)
    if literal is not None:
        reason = address_refusal(literal)
        if reason is not None:
            raise TargetRefused(_("Webhooks are not sent there: %(reason)s") % {"reason": reason})
    elif host == "localhost" or host.endswith(".localhost"):
        raise TargetRefused(_("Webhooks are not sent there: %(host)s is this machine.") % {"host": host})
    return scheme, host, port, path


def validate_target_url(value: str) -> None:
    """The field validator of a subscription's URL: raise ValidationError when check_url refuses it."""
    try:
        check_url(value)
    except TargetRefused as exc:
        raise ValidationError(exc.message, code="webhook_target_refused") from None


def resolve(url: str) -> Target:
    """Check the URL, resolve its host and check every address it resolves to.

    Raises TargetRefused (refused for good: sending again changes nothing unless the URL, the DNS or the
    settings change) or OSError when the name does not resolve (a failure like any other, tried again later).
    """
    scheme, host, port, path = check_url(url)
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    addresses = tuple((family, sockaddr) for family, _type, _proto, _name, sockaddr in infos)
    if host not in _allowed()[0]:
        for _family, sockaddr in addresses:
            reason = address_refusal(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]))
            if reason is not None:
                raise TargetRefused(
                    _("Webhooks are not sent there: %(host)s resolves to an address they may not go to. %(reason)s")
                    % {"host": host, "reason": reason}
                )
    if not addresses:
        raise OSError(f"{host} resolves to no address")
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)


def _connect(target: Target, timeout: float) -> socket.socket:
    """A TCP connection to the first of the target's checked addresses that answers."""
    error: OSError | None = None
    for family, sockaddr in target.addresses:
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    raise error or OSError(f"no address to connect to for {target.host}")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address; the Host header still names the host."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._target, self._connect_timeout = target, timeout

    def connect(self) -> None:
        self.sock = _connect(self._target, self._connect_timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the checked address; TLS still checks the certificate against the host name (SNI too)."""

    def __init__(self, target: Target, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self._tls)
        self._target, self._connect_timeout = target, timeout

    def connect(self) -> None:
        sock = _connect(self._target, self._connect_timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self._target.host)


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float, excerpt: int) -> tuple[int, str]:
    """POST to the checked target (no proxy, no redirect followed); return (status, the answer's first bytes).

    Raises OSError or http.client.HTTPException when there is no HTTP answer."""
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(target, timeout) if target.scheme == "https" else _PinnedHTTPConnection(target, timeout)
    )
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(excerpt).decode("utf-8", "replace")
    finally:
        connection.close()
