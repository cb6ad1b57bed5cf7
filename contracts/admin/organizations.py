"""Organizations: create and change them, and see their contracts."""

import uuid
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest

from contracts import services
from contracts.admin.links import changelist_url, link
from contracts.models import ORGANIZATION_KEY_PATTERN, Contract, Organization
from core.admin import ServiceAdmin


class OrganizationAddForm(forms.ModelForm):
    """A new organization; its key is derived from the name unless given."""

    key = forms.RegexField(
        regex=ORGANIZATION_KEY_PATTERN,
        required=False,
        max_length=30,
        help_text="Short identifier used in course-run keys: at most 30 letters, digits, '_' "
        "and '-'. Leave empty to derive it from the name. It cannot change later.",
        error_messages={"invalid": "Use at most 30 letters, digits, '_' and '-'."},
    )

    class Meta:
        model = Organization
        fields = ("name", "key", "description", "logo", "sso_organization_id")


class ContractInline(admin.TabularInline):
    """The organization's contracts, read only, each linking to its own page."""

    model = Contract
    fields = ("name", "membership_type", "active", "seats", "contract_start", "contract_end")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="seats held / limit")
    def seats(self, contract: Contract) -> str:
        return f"{contract.seats_held} / {contract.max_learners or 'no limit'}"


@admin.register(Organization)
class OrganizationAdmin(ServiceAdmin):
    list_display = ("name", "key", "slug", "contract_count", "member_count", "created_at")
    list_filter = (("sso_organization_id", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("name", "key", "slug")
    readonly_fields = ("key", "slug", "created_at", "updated_at", "members")
    inlines = (ContractInline,)
    history_exclude = ("updated_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                contract_count=Count("contracts", distinct=True),
                member_count=Count("memberships", distinct=True),
            )
        )

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = OrganizationAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return OrganizationAddForm.Meta.fields
        return ("name", "key", "slug", "description", "logo", "sso_organization_id", "members")

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return self.inlines if obj is not None else ()

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        try:
            sso_id = uuid.UUID(search_term.strip())
        except ValueError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(sso_organization_id=sso_id), False

    @admin.display(description="contracts", ordering="contract_count")
    def contract_count(self, organization: Organization) -> int:
        return organization.contract_count  # type: ignore[attr-defined]

    @admin.display(description="members", ordering="member_count")
    def member_count(self, organization: Organization) -> int:
        return organization.member_count  # type: ignore[attr-defined]

    @admin.display(description="members")
    def members(self, organization: Organization) -> Any:
        return link(
            changelist_url("organizationmembership", organization__id__exact=organization.pk),
            "List the members",
        )

    def service_save(
        self, request: HttpRequest, obj: Organization, form: Any, change: bool
    ) -> Model:
        data = form.cleaned_data
        if not change:
            return services.organization_create(
                name=data["name"],
                key=data["key"] or None,
                description=data["description"],
                logo=data["logo"] or "",
                sso_organization_id=data["sso_organization_id"],
            )
        fields = {name: getattr(obj, name) for name in form.changed_data}
        return services.organization_update(organization=obj, fields=fields)
