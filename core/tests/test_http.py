"""The client address: REMOTE_ADDR unless proxies are trusted, then the right X-Forwarded-For."""

import pytest
from django.test import RequestFactory

from core.http import client_address, normalize_address


def request(remote: str = "10.0.0.5", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_header_is_ignored_by_default():
    assert client_address(request(forwarded="198.51.100.1")) == "10.0.0.5"


@pytest.mark.parametrize(
    ("hops", "forwarded", "expected"),
    [
        (1, "198.51.100.1", "198.51.100.1"),
        # A client that writes its own header cannot choose its address: the proxy's entry wins.
        (1, "1.2.3.4, 198.51.100.1", "198.51.100.1"),
        (2, "1.2.3.4, 198.51.100.1, 10.0.0.9", "198.51.100.1"),
        (2, "198.51.100.1", "198.51.100.1"),
        (1, "2001:db8::1", "2001:db8::1"),
        (1, " 198.51.100.1 ,", "198.51.100.1"),
        (1, "", "10.0.0.5"),
        (1, "not-an-address", "10.0.0.5"),
    ],
)
def test_trusted_proxy_hops_pick_the_entry_the_last_trusted_proxy_saw(
    settings, hops, forwarded, expected
):
    settings.TRUSTED_PROXY_HOPS = hops

    assert client_address(request(forwarded=forwarded)) == expected


def test_missing_remote_address_is_none():
    assert client_address(request(remote="")) is None


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("2001:DB8:0::1", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("2001:db8::1%" + "a" * 80, "2001:db8::1"),
        ("not an address", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_address_gives_one_form_per_client(text, normalized):
    assert normalize_address(text) == normalized
