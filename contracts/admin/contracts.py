"""Contracts: the page staff use most. Seats and codes are counted, never loaded."""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from contracts import selectors, services
from contracts.admin.filters import ContractOpenFilter, ContractSeatsFilter
from contracts.admin.links import changelist_url, link
from contracts.models import Contract, MembershipType
from core.admin import ServiceAdmin

BASIC = ("organization", "name", "slug", "description", "welcome_message", "welcome_message_extra")
PROVISIONING = (
    "membership_type",
    "max_learners",
    "enrollment_fixed_price",
    "seats_summary",
    "codes_summary",
)
AVAILABILITY = ("active", "contract_start", "contract_end")
FIXED_AFTER_CREATE = ("organization", "slug", "membership_type")


@admin.register(Contract)
class ContractAdmin(ServiceAdmin):
    list_display = (
        "name",
        "organization",
        "membership_type",
        "active",
        "is_open",
        "seats",
        "enrollment_fixed_price",
        "contract_start",
        "contract_end",
    )
    list_filter = (
        "membership_type",
        "active",
        ContractOpenFilter,
        ContractSeatsFilter,
        "organization",
    )
    search_fields = ("name", "slug", "organization__name", "organization__key")
    list_select_related = ("organization",)
    autocomplete_fields = ("organization",)
    history_exclude = ("seats_held", "updated_at")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        hidden = {"slug", "seats_summary", "codes_summary"} if obj is None else set()
        return (
            ("Basic information", {"fields": [f for f in BASIC if f not in hidden]}),
            ("Learner provisioning", {"fields": [f for f in PROVISIONING if f not in hidden]}),
            ("Availability", {"fields": AVAILABILITY}),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return (*FIXED_AFTER_CREATE, "seats_summary", "codes_summary")

    @admin.display(description="open today", boolean=True)
    def is_open(self, contract: Contract) -> bool:
        return contract.is_open_on(timezone.now().date())

    @admin.display(description="seats held / limit", ordering="seats_held")
    def seats(self, contract: Contract) -> str:
        return f"{contract.seats_held} / {contract.max_learners or 'no limit'}"

    @admin.display(description="seats held / limit")
    def seats_summary(self, contract: Contract) -> Any:
        add_url = reverse("admin:contracts_seat_add") + f"?contract={contract.pk}"
        return format_html(
            "{} / {} &nbsp; {} &middot; {}",
            contract.seats_held,
            contract.max_learners or "no limit",
            link(changelist_url("seat", contract__id__exact=contract.pk, held="yes"), "seats"),
            link(add_url, "add a learner"),
        )

    @admin.display(description="codes used / issued")
    def codes_summary(self, contract: Contract) -> Any:
        counts = selectors.code_counts([contract.pk])[contract.pk]
        codes_url = changelist_url("enrollmentcode", contract__id__exact=contract.pk)
        add_url = reverse("admin:contracts_enrollmentcode_add") + f"?contract={contract.pk}"
        return format_html(
            "{} / {} &nbsp; {} &middot; {}",
            counts.used,
            counts.issued,
            link(codes_url, "codes"),
            link(add_url, "issue codes"),
        )

    def service_save(self, request: HttpRequest, obj: Contract, form: Any, change: bool) -> Model:
        data = form.cleaned_data
        if change:
            fields = {name: data[name] for name in form.changed_data}
            if not fields:
                return obj
            return services.contract_update(contract=obj, fields=fields, by=request.user)  # type: ignore[arg-type]
        return services.contract_create(
            organization=data["organization"],
            name=data["name"],
            membership_type=MembershipType(data["membership_type"]),
            description=data["description"],
            welcome_message=data["welcome_message"],
            welcome_message_extra=data["welcome_message_extra"],
            contract_start=data["contract_start"],
            contract_end=data["contract_end"],
            max_learners=data["max_learners"] or None,
            enrollment_fixed_price=data["enrollment_fixed_price"],
            active=data["active"],
            created_by=request.user,  # type: ignore[arg-type]
        )
