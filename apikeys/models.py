"""API keys for server-to-server callers of the read API.

The key itself is shown once, when staff create it; only its SHA-512 hash is stored (the
library's AbstractAPIKey: a public prefix to find the row, the hash to check the rest).
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager


class ApiKey(AbstractAPIKey):
    """A secret that grants another server read access to the B2B API."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    last_used_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the key was last accepted, to within a minute.",
    )

    objects: ClassVar[APIKeyManager] = APIKeyManager()

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"
        verbose_name_plural = "API keys"
