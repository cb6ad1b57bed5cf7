from django.test import Client

from apikeys.models import ApiKey
from apikeys.services import api_key_create


def api_key_issue(name: str = "Partner server", **kwargs) -> tuple[ApiKey, str]:
    """Issue a key the way staff do; return the row and the secret the caller sends."""
    return api_key_create(name=name, **kwargs)


def key_client(secret: str) -> Client:
    """A client that sends the API key on every request, with no session."""
    return Client(headers={"Authorization": f"Api-Key {secret}"})
