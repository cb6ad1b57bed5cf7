"""Helpers for reading facts off a request."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """Return the address the request came from.

    By default the peer the WSGI server saw (REMOTE_ADDR): X-Forwarded-For is written by the
    client and proves nothing. Behind TRUSTED_PROXY_HOPS proxies that each append the address
    they received the request from, the client is the entry that many places from the right;
    entries further left were written by the client and are ignored.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    hops = settings.TRUSTED_PROXY_HOPS
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote
    candidate = forwarded[-hops] if len(forwarded) >= hops else forwarded[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote  # a proxy that writes garbage: count the request against the proxy
