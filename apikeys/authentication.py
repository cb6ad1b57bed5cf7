"""`Authorization: Api-Key <key>`: how another server proves who it is."""

import re

from django.contrib.auth.models import AnonymousUser
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from apikeys.models import ApiKey
from apikeys.services import api_key_mark_used

KEYWORD = "Api-Key"
# The library's keys: an 8-character public prefix, a dot, 32 secret characters.
_KEY_SHAPE = re.compile(r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}")


class ApiKeyAuthentication(BaseAuthentication):
    """Accept a live API key; the caller is then anonymous, holding the key as request.auth."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ApiKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() != KEYWORD.lower():
            return None  # another scheme, or none: let session authentication try
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Use the header 'Authorization: Api-Key <key>'.")
        key = parts[1].decode("latin-1")
        api_key = self._find(key) if _KEY_SHAPE.fullmatch(key) else None
        if api_key is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked API key.")
        api_key_mark_used(api_key=api_key)
        return AnonymousUser(), api_key

    def authenticate_header(self, request: Request) -> str | None:
        # 401 with a challenge only for a caller who tried an API key; a session or anonymous
        # caller is refused with 403, as the reference API answers it.
        if get_authorization_header(request).lower().startswith(KEYWORD.lower().encode()):
            return KEYWORD
        return None

    @staticmethod
    def _find(key: str) -> ApiKey | None:
        try:
            api_key = ApiKey.objects.get_from_key(key)
        except ApiKey.DoesNotExist:
            return None
        return None if api_key.has_expired else api_key  # type: ignore[return-value]
