"""Helpers for reading facts off a request."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def normalize_address(text: str | None) -> str | None:
    """Return an IP address in the one form it is stored and counted in, or None.

    An IPv4 client seen through an IPv6 socket (::ffff:1.2.3.4) is the IPv4 address, and a
    zone (fe80::1%eth0) is dropped: the same client must always count as the same address."""
    try:
        address = ipaddress.ip_address((text or "").split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def client_address(request: HttpRequest) -> str | None:
    """Return the address the request came from.

    By default the peer the WSGI server saw (REMOTE_ADDR): X-Forwarded-For is written by the
    client and proves nothing. Behind TRUSTED_PROXY_HOPS proxies that each append the address
    they received the request from, the client is the entry that many places from the right;
    entries further left were written by the client and are ignored.
    """
    remote = normalize_address(request.META.get("REMOTE_ADDR"))
    hops = settings.TRUSTED_PROXY_HOPS
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote
    candidate = forwarded[-hops] if len(forwarded) >= hops else forwarded[0]
    # A proxy that writes garbage: count the request against the proxy.
    return normalize_address(candidate) or remote
