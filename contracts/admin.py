"""Staff pages for the contracts domain. Writes go through services, never straight to rows."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from contracts.models import (
    Contract,
    EnrollmentCode,
    Organization,
    OrganizationMembership,
    RedemptionAttempt,
    Seat,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse rows whose changes must go through services (the management commands for now)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ("name", "key", "slug", "sso_organization_id")
    search_fields = ("name", "key", "slug")


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "organization",
        "membership_type",
        "active",
        "seats_held",
        "max_learners",
    )
    list_filter = ("membership_type", "active")
    search_fields = ("name", "slug", "organization__name")
    list_select_related = ("organization",)


@admin.register(EnrollmentCode)
class EnrollmentCodeAdmin(ReadOnlyAdmin):
    list_display = (
        "display_code",
        "contract",
        "redemption_type",
        "redemption_count",
        "expiration_date",
    )
    list_filter = ("redemption_type",)
    search_fields = ("code", "contract__name")
    list_select_related = ("contract",)


@admin.register(Seat)
class SeatAdmin(ReadOnlyAdmin):
    list_display = ("learner", "contract", "source", "created_at", "released_at")
    list_filter = ("source",)
    search_fields = ("learner__email", "contract__name")
    list_select_related = ("learner", "contract")


@admin.register(OrganizationMembership)
class OrganizationMembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "organization", "is_manager", "created_at")
    search_fields = ("user__email", "organization__name")
    list_select_related = ("user", "organization")


@admin.register(RedemptionAttempt)
class RedemptionAttemptAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "client_address", "code", "reason")
    list_filter = ("reason",)
    search_fields = ("user__email", "client_address", "code")
    list_select_related = ("user",)
