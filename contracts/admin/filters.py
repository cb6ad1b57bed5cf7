"""Side-bar filters of the contracts admin pages."""

import datetime
from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from contracts.models import CodeStatus, RedemptionAttempt

RECENT = datetime.timedelta(hours=24)


class ContractOpenFilter(admin.SimpleListFilter):
    """Contracts open today, or not."""

    title = "open today"
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Open"), ("no", "Not open")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = timezone.now().date()
        open_ids = queryset.model.objects.open_on(today).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=open_ids)
        if self.value() == "no":
            return queryset.exclude(pk__in=open_ids)
        return queryset


class ContractSeatsFilter(admin.SimpleListFilter):
    """Contracts by room left: full, with free seats, or without a limit."""

    title = "seats"
    parameter_name = "seats"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("full", "Full"), ("free", "Free seats left"), ("unlimited", "No limit")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "full":
            return queryset.full()  # type: ignore[attr-defined]
        if self.value() == "free":
            return queryset.with_free_seats()  # type: ignore[attr-defined]
        if self.value() == "unlimited":
            return queryset.unlimited()  # type: ignore[attr-defined]
        return queryset


class CodeStatusFilter(admin.SimpleListFilter):
    """Codes by state now, as the status column shows it; or never redeemed."""

    title = "status"
    parameter_name = "status"
    statuses = {
        "live": CodeStatus.LIVE,
        "scheduled": CodeStatus.SCHEDULED,
        "expired": CodeStatus.EXPIRED,
        "used-up": CodeStatus.USED_UP,
    }

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            *((value, status.label) for value, status in self.statuses.items()),
            ("unused", "Never redeemed"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value in self.statuses:
            return queryset.in_status_at(self.statuses[value], timezone.now())  # type: ignore[attr-defined]
        if value == "unused":
            return queryset.filter(redemption_count=0)
        return queryset


class SeatHeldFilter(admin.SimpleListFilter):
    """Seats held now, or released."""

    title = "held"
    parameter_name = "held"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Held"), ("no", "Released")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("yes", "no"):
            return queryset.filter(released_at__isnull=self.value() == "yes")
        return queryset


class AttemptUserFilter(admin.SimpleListFilter):
    """Refused attempts of one user; offers the ten users refused most in the last day."""

    title = "user (most refused, last 24 h)"
    parameter_name = "user"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        top = (
            RedemptionAttempt.objects.filter(
                user__isnull=False, created_at__gte=timezone.now() - RECENT
            )
            .values("user_id", "user__email")
            .annotate(refused=Count("pk"))
            .order_by("-refused", "user_id")[:10]
        )
        return [(str(row["user_id"]), f"{row['user__email']} ({row['refused']})") for row in top]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(user_id=self.value()) if self.value() else queryset


class AttemptAddressFilter(admin.SimpleListFilter):
    """Refused attempts from one address; offers the ten addresses refused most in the last day."""

    title = "client address (most refused, last 24 h)"
    parameter_name = "address"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        top = (
            RedemptionAttempt.objects.filter(
                client_address__isnull=False, created_at__gte=timezone.now() - RECENT
            )
            .values("client_address")
            .annotate(refused=Count("pk"))
            .order_by("-refused", "client_address")[:10]
        )
        return [
            (str(row["client_address"]), f"{row['client_address']} ({row['refused']})")
            for row in top
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(client_address=self.value()) if self.value() else queryset
