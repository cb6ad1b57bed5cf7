"""Seats and memberships: add learners as attach does, release seats, name managers."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from contracts import services
from contracts.admin.filters import SeatHeldFilter
from contracts.models import OrganizationMembership, Seat
from core.admin import ServiceAdmin


class SeatAddForm(forms.ModelForm):
    """Add a learner to a contract."""

    class Meta:
        model = Seat
        fields = ("contract", "learner")
        help_texts = {
            "contract": "A full contract is refused; a learner's first seat in an organization "
            "also brings seats on its open auto contracts, as for attach.",
        }


@admin.register(Seat)
class SeatAdmin(ServiceAdmin):
    list_display = ("learner", "contract", "source", "code_display", "created_at", "released_at")
    list_filter = (SeatHeldFilter, "source", "contract", "created_at")
    search_fields = (
        "learner__email",
        "learner__first_name",
        "learner__last_name",
        "contract__name",
    )
    list_select_related = ("learner", "contract", "code")
    autocomplete_fields = ("contract", "learner")
    show_full_result_count = False
    actions = ("release",)
    form = SeatAddForm
    fields = ("contract", "learner")
    readonly_fields = ("source", "code_display", "created_at", "released_at", "released_by")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.fields
        return ("contract", "learner", *self.readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A seat is taken or released, never edited.
        return False

    def has_release_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("contracts.change_seat")

    @admin.display(description="code", ordering="code__code")
    def code_display(self, seat: Seat) -> str:
        return seat.code.display_code if seat.code else ""

    @admin.action(description="Release the selected seats", permissions=["release"])
    def release(self, request: HttpRequest, queryset: QuerySet[Seat]) -> None:
        released = [
            services.seat_release(seat=seat, by=request.user)  # type: ignore[arg-type]
            for seat in queryset.filter(released_at__isnull=True).select_related("learner")
        ]
        self.history_record(released, f"Released {len(released)} seat(s).")
        if released:
            self.message_user(request, f"Released {len(released)} seat(s).", messages.SUCCESS)
        else:
            self.message_user(request, "None of the selected seats was held.", messages.WARNING)

    def service_save(self, request: HttpRequest, obj: Seat, form: Any, change: bool) -> Model:
        return services.seat_add(
            learner=form.cleaned_data["learner"],
            contract=form.cleaned_data["contract"],
            by=request.user,  # type: ignore[arg-type]
        )


@admin.register(OrganizationMembership)
class OrganizationMembershipAdmin(ServiceAdmin):
    list_display = ("user", "organization", "is_manager", "created_at")
    list_filter = ("is_manager", "organization")
    search_fields = ("user__email", "organization__name", "organization__key")
    list_select_related = ("user", "organization")
    autocomplete_fields = ("user", "organization")
    fields = ("user", "organization", "is_manager")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("user", "organization", "created_at") if obj is not None else ()

    def service_save(
        self, request: HttpRequest, obj: OrganizationMembership, form: Any, change: bool
    ) -> Model:
        if change:
            return services.membership_update(
                membership=obj, is_manager=form.cleaned_data["is_manager"]
            )
        return services.membership_add(
            user=form.cleaned_data["user"],
            organization=form.cleaned_data["organization"],
            is_manager=form.cleaned_data["is_manager"],
            by=request.user,  # type: ignore[arg-type]
        )
