"""The history of admin changes, read from the snapshots django-reversion keeps.

Each admin save, action or addition runs inside a revision: who made it, when, the admin's
change message, and a snapshot of every row it wrote. A row's history is its snapshots, newest
first, each compared with the one before it to tell what changed. The oldest snapshot has
nothing to compare with (the row may have been made by attach or a command): it lists the
values the row had then.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from reversion.models import Version

EMPTY = "—"


@dataclass(frozen=True)
class Change:
    """One field of a row, before and after a revision (before is None on the first snapshot)."""

    field: str
    before: str | None
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    """One revision of a row: who, when, the change message and the fields that changed."""

    when: datetime.datetime
    user: Any
    comment: str
    changes: list[Change]


def object_history(obj: Model, *, limit: int = 100) -> list[HistoryEntry]:
    """Return the latest revisions of the row, newest first, with what each one changed."""
    versions = list(
        Version.objects.get_for_object(obj)
        .select_related("revision__user")
        .order_by("-pk")[: limit + 1]
    )
    values = _Values(type(obj))
    entries = []
    for index, version in enumerate(versions[:limit]):
        before = versions[index + 1].field_dict if index + 1 < len(versions) else None
        entries.append(
            HistoryEntry(
                when=version.revision.date_created,
                user=version.revision.user,
                comment=version.revision.get_comment(),
                changes=values.changes(before, version.field_dict),
            )
        )
    return entries


class _Values:
    """Show snapshot values as staff read them: labels, choice names, related rows by name."""

    def __init__(self, model: type[Model]) -> None:
        self.fields = {
            field.attname: field
            for field in model._meta.concrete_fields
            if field.editable and not field.primary_key
        }
        self.related: dict[tuple[type[Model], Any], str] = {}

    def changes(self, before: dict[str, Any] | None, after: dict[str, Any]) -> list[Change]:
        """Compare two snapshots; with no earlier one, list the values that are set."""
        if before is None:
            return [
                Change(field=self.label(name), before=None, after=self.show(name, value))
                for name, value in after.items()
                if name in self.fields and value not in (None, "")
            ]
        return [
            Change(
                field=self.label(name),
                before=self.show(name, before.get(name)),
                after=self.show(name, value),
            )
            for name, value in after.items()
            if name in self.fields and before.get(name) != value
        ]

    def label(self, name: str) -> str:
        return str(self.fields[name].verbose_name)

    def show(self, name: str, value: Any) -> str:
        if value is None or value == "":
            return EMPTY
        field = self.fields[name]
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if field.is_relation and field.related_model is not None:
            return self.related_name(field.related_model, value)
        if isinstance(value, datetime.datetime):
            return value.isoformat(sep=" ", timespec="seconds")
        return str(value)

    def related_name(self, model: type[Model], pk: Any) -> str:
        key = (model, pk)
        if key not in self.related:
            row = model._default_manager.filter(pk=pk).first()
            self.related[key] = str(row) if row is not None else f"#{pk} (deleted)"
        return self.related[key]
