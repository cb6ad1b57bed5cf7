"""Organizations and contracts: create them and change them within the seat rules."""

import datetime
import re
import uuid
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils.text import slugify

from accounts.models import User
from contracts.exceptions import (
    ContractDatesInvalid,
    OrganizationKeyInvalid,
    OrganizationKeyTaken,
    OrganizationSsoIdTaken,
    SeatLimitBelowHeld,
)
from contracts.models import ORGANIZATION_KEY_PATTERN, Contract, MembershipType, Organization
from contracts.services.codes import contract_codes_sync


def _unique_slug(model: type[Model], text: str, *, max_length: int, field: str = "slug") -> str:
    base = slugify(text)[:max_length].strip("-") or model.__name__.lower()
    candidate, suffix = base, 2
    while model._default_manager.filter(**{field: candidate}).exists():
        tail = f"-{suffix}"
        candidate = f"{base[: max_length - len(tail)]}{tail}"
        suffix += 1
    return candidate


@transaction.atomic
def organization_create(
    *,
    name: str,
    key: str | None = None,
    description: str = "",
    logo: Any = "",
    sso_organization_id: uuid.UUID | None = None,
) -> Organization:
    """Create an organization; its key comes from the name unless given."""
    if key is None:
        key = _unique_slug(Organization, name, max_length=30, field="key")
    elif not re.fullmatch(ORGANIZATION_KEY_PATTERN, key):
        raise OrganizationKeyInvalid()
    elif Organization.objects.filter(key=key).exists():
        raise OrganizationKeyTaken(f"Another organization already uses the key {key!r}.")
    _check_sso_id_free(sso_organization_id, organization=None)
    return Organization.objects.create(
        name=name,
        key=key,
        slug=_unique_slug(Organization, name, max_length=80),
        description=description,
        logo=logo,
        sso_organization_id=sso_organization_id,
    )


ORGANIZATION_EDITABLE_FIELDS = frozenset({"name", "description", "logo", "sso_organization_id"})


@transaction.atomic
def organization_update(*, organization: Organization, fields: dict[str, Any]) -> Organization:
    """Change an organization's name, description, logo or SSO id (its key and slug stay)."""
    unknown = set(fields) - ORGANIZATION_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    if "sso_organization_id" in fields:
        _check_sso_id_free(fields["sso_organization_id"], organization=organization)
    for name, value in fields.items():
        setattr(organization, name, value)
    organization.save()
    return organization


def _check_sso_id_free(sso_id: uuid.UUID | None, *, organization: Organization | None) -> None:
    if sso_id is None:
        return
    others = Organization.objects.filter(sso_organization_id=sso_id)
    if organization is not None:
        others = others.exclude(pk=organization.pk)
    if others.exists():
        raise OrganizationSsoIdTaken(f"Another organization already uses the SSO id {sso_id}.")


def _check_dates(start: datetime.date | None, end: datetime.date | None) -> None:
    if start is not None and end is not None and end < start:
        raise ContractDatesInvalid(f"The contract cannot end ({end}) before it starts ({start}).")


@transaction.atomic
def contract_create(
    *,
    organization: Organization,
    name: str,
    membership_type: MembershipType,
    description: str = "",
    welcome_message: str = "",
    welcome_message_extra: str = "",
    contract_start: datetime.date | None = None,
    contract_end: datetime.date | None = None,
    max_learners: int | None = None,
    enrollment_fixed_price: Decimal | None = None,
    active: bool = True,
    created_by: User | None = None,
) -> Contract:
    """Create a contract and, for a code contract, the codes its seat limit calls for."""
    _check_dates(contract_start, contract_end)
    contract = Contract.objects.create(
        organization=organization,
        name=name,
        slug=_unique_slug(Contract, name, max_length=80),
        description=description,
        welcome_message=welcome_message,
        welcome_message_extra=welcome_message_extra,
        membership_type=membership_type,
        contract_start=contract_start,
        contract_end=contract_end,
        max_learners=max_learners,
        enrollment_fixed_price=enrollment_fixed_price,
        active=active,
    )
    contract_codes_sync(contract=contract, created_by=created_by)
    return contract


CONTRACT_EDITABLE_FIELDS = frozenset(
    {
        "name",
        "description",
        "welcome_message",
        "welcome_message_extra",
        "active",
        "contract_start",
        "contract_end",
        "max_learners",
        "enrollment_fixed_price",
    }
)


@transaction.atomic
def contract_update(
    *, contract: Contract, fields: dict[str, Any], by: User | None = None
) -> Contract:
    """Change a contract's fields; a new seat limit re-issues or expires codes to match."""
    unknown = set(fields) - CONTRACT_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    # The row lock makes seats_held exact: attaches wait until the new limit is in place.
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    old_limit = locked.max_learners
    for name, value in fields.items():
        setattr(locked, name, value)
    _check_dates(locked.contract_start, locked.contract_end)
    if locked.max_learners and locked.max_learners < locked.seats_held:
        raise SeatLimitBelowHeld(
            f"The seat limit cannot be lower than the {locked.seats_held} seats held."
        )
    locked.save()
    if locked.max_learners != old_limit:
        contract_codes_sync(contract=locked, created_by=by)
    return locked
