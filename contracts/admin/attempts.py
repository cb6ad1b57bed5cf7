"""Refused attaches, for support and abuse detection: read only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from contracts.admin.filters import AttemptAddressFilter, AttemptUserFilter
from contracts.models import RedemptionAttempt


@admin.register(RedemptionAttempt)
class RedemptionAttemptAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user_link", "address_link", "code", "reason")
    list_filter = ("reason", AttemptUserFilter, AttemptAddressFilter, "created_at")
    search_fields = ("user__email", "client_address", "code")
    search_help_text = "A user's email, a client address, or (part of) the code as typed."
    list_select_related = ("user",)
    show_full_result_count = False
    fields = ("created_at", "user", "client_address", "code", "reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="user", ordering="user__email")
    def user_link(self, attempt: RedemptionAttempt) -> Any:
        if attempt.user is None:
            return "—"
        return format_html(
            '<a href="?{}={}" title="Attempts of this user">{}</a>',
            AttemptUserFilter.parameter_name,
            attempt.user_id,
            attempt.user,
        )

    @admin.display(description="client address", ordering="client_address")
    def address_link(self, attempt: RedemptionAttempt) -> Any:
        if not attempt.client_address:
            return "—"
        return format_html(
            '<a href="?{}={}" title="Attempts from this address">{}</a>',
            AttemptAddressFilter.parameter_name,
            attempt.client_address,
            attempt.client_address,
        )
