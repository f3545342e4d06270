"""The client's address as a service should record it.

Behind a reverse proxy or the portal (which calls services on the user's behalf), the
peer is the proxy; the client is named in X-Forwarded-For. The header is believed only
from configured trusted proxies, and then only its rightmost untrusted entry (the one the
nearest trusted proxy saw): anything to its left is whatever the client claimed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import Request


def _trusted(address: str, trusted: Sequence[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in trusted:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _valid(address: str) -> str | None:
    """A plain address (IPv4-mapped IPv6 as IPv4; a zoned link-local address refused: the
    database's inet type has no zones)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return None
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
    return str(ip)


def client_address(request: Request, trusted_proxies: Sequence[str]) -> str | None:
    peer = request.client.host if request.client else None
    peer = _valid(peer) if peer else None
    if peer is None or not _trusted(peer, trusted_proxies):
        return peer
    forwarded = [a.strip() for a in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([a for a in forwarded if a]):
        address = _valid(hop)
        if address is None:
            return peer
        if not _trusted(address, trusted_proxies):
            return address
    return peer
