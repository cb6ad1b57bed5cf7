"""Staff create and revoke API keys here; a new key's secret is shown once, on creation.

Creating and revoking are kept in the change history, as on every staff page. The secret is
never stored anywhere; its SHA-512 hash is part of the row's id (the library's design), so it
shows in links and history entries, but it is kept out of the snapshots' fields.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework_api_key.models import APIKey

from apikeys.models import ApiKey
from apikeys.services import api_key_create, api_key_revoke
from core.admin import ServiceAdmin

# The library's own model is only its base; its admin page would show an empty, unused table.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


@admin.register(ApiKey)
class ApiKeyAdmin(ServiceAdmin):
    history_exclude = ("hashed_key", "last_used_at")
    list_display = (
        "name",
        "prefix",
        "created",
        "created_by",
        "last_used_at",
        "expiry_date",
        "_has_expired",
        "revoked",
    )
    list_filter = ("revoked", "created", "last_used_at")
    search_fields = ("name", "prefix")
    list_select_related = ("created_by",)
    actions = ("revoke_selected",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A key's name and expiry are fixed once it exists; staff can only revoke it.
        if obj is None:
            return ("prefix",)
        readonly = ("prefix", "name", "expiry_date", "created", "created_by", "last_used_at")
        return (*readonly, "revoked") if obj.revoked else readonly

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("revoked",) if obj is None else ()  # a new key is live; revoke it afterwards

    def service_save(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> ApiKey:
        if change:
            return api_key_revoke(api_key=obj) if obj.revoked else obj
        created, secret = api_key_create(
            name=obj.name,
            expiry_date=obj.expiry_date,
            created_by=request.user,  # type: ignore[arg-type]
        )
        self.message_user(
            request,
            f"The API key for {created.name} is: {secret} Store it now: it will not be shown "
            "again. Callers send it as 'Authorization: Api-Key <key>'.",
            messages.WARNING,
        )
        return created

    @admin.action(description="Revoke selected API keys")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        keys = [api_key_revoke(api_key=api_key) for api_key in queryset.filter(revoked=False)]
        self.history_record(keys, "Revoked with the action.")
        self.message_user(request, f"Revoked {len(keys)} API key(s).", messages.SUCCESS)
