"""Organizations and contracts: create them and change them within the seat rules."""

import datetime
import re
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils.text import slugify

from accounts.models import User
from contracts.exceptions import (
    ContractDatesInvalid,
    ContractPriceInvalid,
    NameInvalid,
    OrganizationKeyInvalid,
    OrganizationKeyTaken,
    OrganizationSsoIdTaken,
    SeatLimitBelowHeld,
    SeatLimitInvalid,
)
from contracts.models import (
    INTEGER_MAX,
    NAME_MAX_LENGTH,
    ORGANIZATION_KEY_PATTERN,
    PRICE_DECIMAL_PLACES,
    PRICE_MAX_DIGITS,
    Contract,
    MembershipType,
    Organization,
)
from contracts.services.codes import CODE_BATCH_MAX, contract_codes_sync

PRICE_LIMIT = Decimal(10) ** (PRICE_MAX_DIGITS - PRICE_DECIMAL_PLACES)
CENT = Decimal(1).scaleb(-PRICE_DECIMAL_PLACES)


def _unique_slug(model: type[Model], text: str, *, max_length: int, field: str = "slug") -> str:
    """Return a free slug (or key) made from the text; never all digits, which would read as
    an id where commands take an id or a slug."""
    prefix = model.__name__.lower()
    base = slugify(text)[:max_length].strip("-") or prefix
    if base.isdecimal():
        base = f"{prefix}-{base}"[:max_length]
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
    _check_name(name, "organization")
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
    if "name" in fields:
        _check_name(fields["name"], "organization")
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


def _check_name(name: str, what: str) -> None:
    if not name.strip() or len(name) > NAME_MAX_LENGTH:
        raise NameInvalid(
            f"A {what} name cannot be blank nor longer than {NAME_MAX_LENGTH} characters."
        )


def _check_price(price: Decimal | None) -> None:
    # Checked here because SQLite stores any number, which then cannot be read back as a price.
    if price is None:
        return
    if not price.is_finite() or not 0 <= price < PRICE_LIMIT or price != price.quantize(CENT):
        raise ContractPriceInvalid(
            f"{price} is not a price: use 0 or more, below {PRICE_LIMIT:,}, "
            f"with at most {PRICE_DECIMAL_PLACES} decimal places."
        )


def _check_seat_limit(max_learners: int | None, membership_type: str) -> None:
    if max_learners is None:
        return
    if not 0 <= max_learners <= INTEGER_MAX:
        raise SeatLimitInvalid(f"A seat limit is a whole number from 0 to {INTEGER_MAX:,}.")
    if membership_type == MembershipType.CODE and max_learners > CODE_BATCH_MAX:
        # A code contract gets one code per seat, issued in one transaction.
        raise SeatLimitInvalid(
            f"A code contract has one code per seat: its seat limit is at most {CODE_BATCH_MAX:,}."
        )


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
    _check_name(name, "contract")
    _check_dates(contract_start, contract_end)
    _check_seat_limit(max_learners, membership_type)
    _check_price(enrollment_fixed_price)
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
    _check_changed_terms(locked, changed=fields.keys())
    if locked.max_learners and locked.max_learners < locked.seats_held:
        raise SeatLimitBelowHeld(
            f"The seat limit cannot be lower than the {locked.seats_held} seats held."
        )
    locked.save()
    if locked.max_learners != old_limit:
        contract_codes_sync(contract=locked, created_by=by)
    return locked


def _check_changed_terms(contract: Contract, *, changed: Iterable[str]) -> None:
    changed = set(changed)
    if "name" in changed:
        _check_name(contract.name, "contract")
    _check_dates(contract.contract_start, contract.contract_end)
    if "max_learners" in changed:
        _check_seat_limit(contract.max_learners, contract.membership_type)
    if "enrollment_fixed_price" in changed:
        _check_price(contract.enrollment_fixed_price)
