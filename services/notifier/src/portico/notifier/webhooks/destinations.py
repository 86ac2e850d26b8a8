"""Where a webhook may be sent: the rules on its URL and on the addresses it reaches.

A webhook is a request the notifier makes from inside the deployment to an address an
admin typed: pointed at an internal service (a database's HTTP port, a cloud's metadata
address), it would turn the notifier into a way in, and the delivery log (which keeps
what the receiver answered) into a way out. So:

- https only; http for ``localhost`` and loopback addresses only, and only where
  ``allow_local`` (the embedded mode, or the setting) says so;
- no credentials in the URL (a receiver authenticates Portico by the signature, and a
  password in a URL ends up in logs), no scheme but these two;
- no loopback address unless ``allow_local``, no private network (10/8, 172.16/12,
  192.168/16, fc00::/7, 100.64/10) unless ``allow_private`` (an on-premises receiver),
  never a link-local address (169.254/16: the cloud's metadata), a multicast, reserved or
  unspecified one.

The address rules apply to a URL's literal address here, and to every address its name
resolves to before each try (``delivery.py``). Pure: no resolution, no I/O.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
LOCAL_NAMES = frozenset({"localhost"})
# Carrier-grade NAT: not "private" to Python, but no public receiver lives there either.
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
URL_MAX = 2000


class InvalidDestination(ValueError):
    """Why a URL or an address is refused, in words an admin can act on; ``code`` says
    which rule, for a page that says it in its reader's language: ``malformed``,
    ``scheme`` (not https), ``credentials``, ``address`` (inside the network)."""

    def __init__(self, message: str, code: str = "address") -> None:
        super().__init__(message)
        self.code = code


def is_local_name(host: str) -> bool:
    return host in LOCAL_NAMES or host.endswith(".localhost")


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_address(address: IPAddress, *, allow_local: bool, allow_private: bool) -> None:
    """Raises ``InvalidDestination`` for an address a webhook must not reach."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        if not allow_local:
            raise InvalidDestination(f"{address} is a loopback address")
        return
    if address.is_link_local:
        raise InvalidDestination(f"{address} is a link-local address")
    if address.is_unspecified or address.is_multicast or address.is_reserved:
        raise InvalidDestination(f"{address} is not an address a receiver can have")
    if address.is_private or address in SHARED_ADDRESS_SPACE:
        if not allow_private:
            raise InvalidDestination(f"{address} is on a private network")
        return
    if not address.is_global:
        raise InvalidDestination(f"{address} is not a public address")


def check_url(url: str, *, allow_local: bool, allow_private: bool) -> str:
    """The URL, checked; raises ``InvalidDestination`` saying what is wrong with it."""
    if len(url) > URL_MAX:
        raise InvalidDestination(f"a URL has at most {URL_MAX} characters", "malformed")
    if any(character.isspace() or ord(character) < 32 for character in url):
        raise InvalidDestination("a URL has no spaces or control characters", "malformed")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidDestination(f"not a URL ({error})", "malformed") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise InvalidDestination("the URL must start with https://", "scheme")
    if parts.username is not None or parts.password is not None:
        raise InvalidDestination(
            "the URL must not carry a user name or password: receivers check the signature",
            "credentials",
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise InvalidDestination("the URL names no host", "malformed")
    if port == 0:
        raise InvalidDestination("port 0 is no port", "malformed")
    address = literal_address(host)
    local = is_local_name(host) or (address is not None and address.is_loopback)
    if scheme == "http" and not (local and allow_local):
        raise InvalidDestination(
            "the URL must start with https:// (http:// only for localhost in development)",
            "scheme",
        )
    if is_local_name(host) and not allow_local:
        raise InvalidDestination(f"{host} is this machine")
    if address is not None:
        check_address(address, allow_local=allow_local, allow_private=allow_private)
    return url
