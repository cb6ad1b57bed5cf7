"""Enrollment code strings: generate, normalize and display them. Pure functions, no ORM."""

import re
import secrets

from django.conf import settings

# No look-alikes: 0/O, 1/I/L and U (read as V) are left out. 30 symbols, 16 of them: ~78.5 bits.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
GENERATED_LENGTH = 16
GROUP_SIZE = 4
MAX_LENGTH = 64

# Hyphens, typographic dashes (codes pasted from rich-text email) and any white space.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]+")
_NORMALIZED = re.compile(r"[A-Z0-9]+")


def generate_code() -> str:
    """Return a new random code in normalized form, from a cryptographically secure source."""
    return "".join(secrets.choice(ALPHABET) for _ in range(GENERATED_LENGTH))


def normalize_code(text: str) -> str | None:
    """Return the stored form of a code as typed, or None when it cannot be a code.

    Case is ignored and separators are dropped, so "k7qf-9mzx 2dpa-w3hc" matches
    "K7QF9MZX2DPAW3HC", and an imported lower-case UUID matches its upper-case hex form.
    """
    if len(text) > MAX_LENGTH:
        return None
    value = _SEPARATORS.sub("", text)
    if not value.isascii() or not _NORMALIZED.fullmatch(value.upper()):
        return None
    return value.upper()


def format_code(code: str) -> str:
    """Return a stored code as people read it: groups of four joined by dashes."""
    return "-".join(code[i : i + GROUP_SIZE] for i in range(0, len(code), GROUP_SIZE))


def attach_url(code: str) -> str:
    """Return the link that redeems a stored code: SITE_URL/enrollmentcode/<code as shown>/."""
    return f"{settings.SITE_URL}/enrollmentcode/{format_code(code)}/"


def printable_excerpt(text: str) -> str:
    """Return text as it may be stored for the record: printable and at most MAX_LENGTH long."""
    return "".join(ch for ch in text[:MAX_LENGTH] if ch.isprintable())
