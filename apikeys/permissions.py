"""Who may call what, for callers holding an API key."""

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from apikeys.models import ApiKey

if TYPE_CHECKING:
    from rest_framework.views import APIView


class HasApiKey(BasePermission):
    """Let in a caller that presented a live API key."""

    def has_permission(self, request: Request, view: "APIView") -> bool:
        return isinstance(request.auth, ApiKey)
