"""Enrollment codes: issue them in batches, change when they work, expire them."""

from typing import Any

import reversion
from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from contracts import codes, selectors, services
from contracts.admin.filters import CodeStatusFilter
from contracts.admin.links import changelist_url
from contracts.exceptions import CodeCapInvalid, CodeDatesInvalid
from contracts.models import EnrollmentCode, RedemptionType, code_status_at
from contracts.services.codes import CODE_EDITABLE_FIELDS
from core.admin import ServiceAdmin

MAX_ADMIN_BATCH = 10_000


class CodeForm(forms.ModelForm):
    """Check a code's dates and cap by the service's rules, so a mistake shows on its field."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            services.code_rules_check(
                redemption_type=RedemptionType(
                    cleaned.get("redemption_type", self.instance.redemption_type)
                ),
                max_redemptions=cleaned.get("max_redemptions"),
                activation_date=cleaned.get("activation_date"),
                expiration_date=cleaned.get("expiration_date"),
                redemption_count=self.instance.redemption_count,
            )
        except CodeDatesInvalid as refusal:
            self.add_error("expiration_date", refusal.detail)
        except CodeCapInvalid as refusal:
            self.add_error("max_redemptions", refusal.detail)
        return cleaned


class CodeIssueForm(CodeForm):
    """Issue a batch of new random codes for a contract."""

    count = forms.IntegerField(
        min_value=1,
        max_value=MAX_ADMIN_BATCH,
        initial=1,
        help_text=f"How many codes to issue (at most {MAX_ADMIN_BATCH:,}; "
        "use `b2b_codes generate` for more).",
    )

    class Meta:
        model = EnrollmentCode
        fields = (
            "contract",
            "count",
            "redemption_type",
            "max_redemptions",
            "activation_date",
            "expiration_date",
        )


@admin.register(EnrollmentCode)
class EnrollmentCodeAdmin(ServiceAdmin):
    list_display = (
        "display_code",
        "contract",
        "redemption_type",
        "redemptions",
        "status",
        "activation_date",
        "expiration_date",
        "created_at",
    )
    list_filter = (CodeStatusFilter, "redemption_type", "contract", "created_at")
    search_fields = ("contract__name", "contract__slug")
    search_help_text = "A code (any case, with or without dashes), or a contract's name or slug."
    list_select_related = ("contract",)
    show_full_result_count = False
    autocomplete_fields = ("contract",)
    form = CodeForm
    actions = ("expire",)
    history_exclude = ("redemption_count", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[EnrollmentCode]:
        # The status column reads the same expression as the status filter, so they agree.
        return super().get_queryset(request).annotate(code_status=code_status_at(timezone.now()))

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = CodeIssueForm if obj is None else CodeForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return CodeIssueForm.Meta.fields
        return (
            "display_code",
            "contract",
            "redemption_type",
            "redemption_count",
            "max_redemptions",
            "activation_date",
            "expiration_date",
            "status",
            "attach_url",
            "created_by",
            "created_at",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return tuple(f for f in self.get_fields(request, obj) if f not in CODE_EDITABLE_FIELDS)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        normalized = codes.normalize_code(search_term)
        results, duplicates = super().get_search_results(request, queryset, search_term)
        if normalized:
            results = results | queryset.filter(code__startswith=normalized)
        return results, duplicates

    @admin.display(description="code", ordering="code")
    def display_code(self, code: EnrollmentCode) -> str:
        return code.display_code

    @admin.display(description="redeemed")
    def redemptions(self, code: EnrollmentCode) -> str:
        if code.redemption_type == RedemptionType.ONE_TIME:
            return f"{code.redemption_count} / 1"
        return f"{code.redemption_count} / {code.max_redemptions or 'no cap'}"

    @admin.display(description="status")
    def status(self, code: EnrollmentCode) -> str:
        return code.code_status  # type: ignore[attr-defined]

    @admin.display(description="attach link")
    def attach_url(self, code: EnrollmentCode) -> str:
        return code.attach_url

    @admin.action(description="Expire the selected codes now", permissions=["change"])
    def expire(self, request: HttpRequest, queryset: QuerySet[EnrollmentCode]) -> None:
        chosen = queryset.count()
        expired = services.code_batch_expire(
            codes=EnrollmentCode.objects.filter(pk__in=queryset.values("pk")), unused_only=False
        )
        self.history_record(selectors.codes_with_ids(expired), f"Expired {len(expired)} code(s).")
        self.message_user(
            request,
            f"Expired {len(expired)} code(s); {chosen - len(expired)} had expired already.",
            messages.SUCCESS if expired else messages.WARNING,
        )

    def service_save(
        self, request: HttpRequest, obj: EnrollmentCode, form: Any, change: bool
    ) -> Model:
        data = form.cleaned_data
        if change:
            fields = {name: data[name] for name in form.changed_data}
            return services.code_update(code=obj, fields=fields) if fields else obj
        issued = services.code_batch_issue(
            contract=data["contract"],
            count=data["count"],
            redemption_type=RedemptionType(data["redemption_type"]),
            max_redemptions=data["max_redemptions"],
            activation_date=data["activation_date"],
            expiration_date=data["expiration_date"],
            created_by=request.user,  # type: ignore[arg-type]
        )
        request._codes_issued = len(issued)  # type: ignore[attr-defined]
        self.history_record(issued, f"Issued {len(issued)} code(s) for {data['contract']}.")
        return issued[0]

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        # The batch's comment, set when it was issued, says more than "Added."
        comment = reversion.get_comment()
        entry = super().log_addition(request, obj, message)
        reversion.set_comment(comment)
        return entry

    def response_add(
        self, request: HttpRequest, obj: EnrollmentCode, post_url_continue: str | None = None
    ) -> HttpResponse:
        issued = getattr(request, "_codes_issued", 1)
        self.message_user(request, f"Issued {issued} code(s) for {obj.contract}.", messages.SUCCESS)
        return HttpResponseRedirect(
            changelist_url("enrollmentcode", contract__id__exact=obj.contract_id)
        )
