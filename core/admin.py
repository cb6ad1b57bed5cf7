"""The base of every staff page that changes rows: services write, the history remembers.

A subclass says how a saved form becomes a service call (`service_save`). A business refusal
from the service rolls the whole save back and shows on the form, which stays open with what
was typed. Every change made through these pages (saves, additions, actions) is recorded by
django-reversion with who made it, when, and a snapshot of each row the page saved (not the rows
a service writes on the side, such as the membership a new seat brings); the history page
compares the snapshots to show what changed.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import reversion
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ForeignKey, Model
from django.forms import BaseForm, ModelChoiceField
from django.http import HttpRequest, HttpResponse

from core.exceptions import ApplicationError
from core.history import object_history

_REFUSAL = "_service_refusal"


class _RefusedForm(BaseForm):
    """Show the refusal of the save just rolled back as the form's error."""

    refusal = ""

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        self.add_error(None, self.refusal)
        return cleaned


class IdAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that leaves out a chosen value that cannot be an id of the related row
    (a hand-made link such as ?contract=abc), which it would otherwise fail to look up."""

    def optgroups(self, name: str, value: Sequence[str], attr: dict[str, Any] | None = None) -> Any:
        return super().optgroups(name, [item for item in value if self._is_id(item)], attr)

    def _is_id(self, item: str) -> bool:
        target = self.field.target_field
        try:
            target.run_validators(target.to_python(item))
        except ValidationError:
            return False
        return True


class HistoryAdmin(admin.ModelAdmin):
    """A model admin whose every change is kept in the change history, with who and when."""

    # Fields left out of history snapshots: counters that services keep, secrets.
    history_exclude: tuple[str, ...] = ()
    object_history_template = "core/admin/history.html"

    def __init__(self, model: type[Model], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        if not reversion.is_registered(model):
            reversion.register(model, exclude=self.history_exclude)

    @contextmanager
    def revision(self, request: HttpRequest) -> Iterator[None]:
        """Record what the request changes, if it can change anything (a POST)."""
        # A revision is a transaction, and on SQLite every transaction takes the write lock:
        # reading a list or a form must not queue behind writers, nor make them queue.
        if request.method != "POST":
            yield
            return
        with reversion.create_revision():
            reversion.set_user(request.user)
            yield

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget", IdAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def history_record(self, objs: Iterable[Model], comment: str) -> None:
        """Keep a change made by an action or a batch: a snapshot of each row, one comment."""
        for obj in objs:
            reversion.add_to_revision(obj)
        reversion.set_comment(comment)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        with self.revision(request):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        with self.revision(request):
            return super().changelist_view(request, extra_context)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = {"entries": object_history(obj) if obj is not None else []}
        return super().history_view(request, object_id, {**context, **(extra_context or {})})

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> LogEntry:
        entry = super().log_addition(request, obj, message)
        if reversion.is_active():
            reversion.set_comment(entry.get_change_message() or "Added.")
        return entry

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> LogEntry:
        entry = super().log_change(request, obj, message)
        if reversion.is_active():
            reversion.set_comment(entry.get_change_message() or "Changed.")
        return entry


class ServiceAdmin(HistoryAdmin):
    """A model admin whose writes are service calls; a refusal shows on the form, unsaved."""

    def service_save(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Model:
        """Write the form through a service and return the row it saved."""
        raise NotImplementedError(f"{type(self).__name__} does not save through a service.")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = self.service_save(request, obj, form, change)
        if saved is not obj:
            # The admin goes on with its own instance (change message, redirect): make it the row.
            obj.__dict__.update(saved.__dict__)
        reversion.add_to_revision(saved)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as refusal:
            # Everything the save wrote is rolled back; show the same form again, refused.
            setattr(request, _REFUSAL, refusal.detail)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, _REFUSAL, None)
        if refusal is None or request.method != "POST":
            return form
        return type(form.__name__, (_RefusedForm, form), {"refusal": refusal})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Rows are kept as history: contracts are closed, codes expired, seats released.
        return False
