"""Helpers for reading facts off a request."""

from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """Return the address the request came from, as the WSGI server saw it."""
    return request.META.get("REMOTE_ADDR") or None
