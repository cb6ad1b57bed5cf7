"""Every write of the contracts domain: one function per use case, each its own transaction.

Lock order, the same on every path so concurrent writers never deadlock: the learner's user
row, then contract rows in ascending id order, then the enrollment code row.
"""

import datetime
import ipaddress
import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from contracts import codes, selectors
from contracts.exceptions import (
    CodeDatesInvalid,
    CodeInvalid,
    ContractDatesInvalid,
    ContractFull,
    OrganizationKeyInvalid,
    OrganizationKeyTaken,
    SeatLimitBelowHeld,
)
from contracts.models import (
    ORGANIZATION_KEY_PATTERN,
    Contract,
    EnrollmentCode,
    MembershipType,
    Organization,
    OrganizationMembership,
    RedemptionAttempt,
    RedemptionType,
    Seat,
    SeatSource,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    """The learner's seat after an attach, and whether this call created it."""

    seat: Seat
    created: bool


@dataclass(frozen=True)
class CodeSync:
    """What bringing a contract's codes in line with its seat limit changed."""

    issued: int
    expired: int


# Attach -------------------------------------------------------------------------------------


def seat_attach(*, learner: User, code: str, client_address: str | None = None) -> Attachment:
    """Attach the learner to the contract of an enrollment code, recording any refusal."""
    now = timezone.now()
    try:
        enrollment_code = selectors.code_get(code)
        if (
            enrollment_code is None
            or not enrollment_code.is_live_at(now)
            or not enrollment_code.contract.is_open_on(now.date())
        ):
            raise CodeInvalid()
        return _code_redeem(learner=learner, code=enrollment_code, today=now.date())
    except (CodeInvalid, ContractFull) as refusal:
        redemption_attempt_record(
            user=learner, client_address=client_address, code=code, reason=refusal.code
        )
        raise


@transaction.atomic
def _code_redeem(*, learner: User, code: EnrollmentCode, today: datetime.date) -> Attachment:
    contract = code.contract
    _learner_lock(learner)
    held = selectors.seat_held(learner=learner, contract=contract)
    if held is not None:
        return Attachment(seat=held, created=False)
    # Friendly answers from the rows as read; the conditional updates below are what guarantee.
    if code.is_used_up:
        raise ContractFull() if contract.is_full else CodeInvalid()
    if contract.is_full:
        raise ContractFull()
    seat = _seats_claim(
        learner=learner, contract=contract, source=SeatSource.CODE, code=code, today=today
    )
    return Attachment(seat=seat, created=True)


def _learner_lock(learner: User) -> None:
    # Serializes one learner's attaches: a doubled or retried request waits for the first, then
    # finds its seat and answers 200 instead of racing it into the unique index.
    User.objects.select_for_update().filter(pk=learner.pk).values_list("pk").get()


def _seats_claim(
    *,
    learner: User,
    contract: Contract,
    source: SeatSource,
    today: datetime.date,
    code: EnrollmentCode | None = None,
) -> Seat:
    """Take a seat on the contract, and on a first membership seats on the organization's open
    auto contracts (each within its own limit; a full one is skipped). The caller holds the
    learner lock inside a transaction."""
    organization_id = contract.organization_id
    is_member = selectors.membership_exists(user=learner, organization_id=organization_id)
    autos = (
        []
        if is_member
        else selectors.contracts_auto_for_new_member(
            learner=learner, organization_id=organization_id, exclude=contract, day=today
        )
    )
    granted = []
    for target in sorted([contract, *autos], key=lambda c: c.pk):
        if _contract_seat_take(target):
            granted.append(target)
        elif target is contract:
            raise ContractFull()
        else:
            log.warning("Auto contract %s is full; %s gets no seat on it.", target.pk, learner.pk)
    if code is not None and not _code_redemption_take(code):
        raise CodeInvalid()
    if not is_member:
        OrganizationMembership.objects.create(user=learner, organization_id=organization_id)
    seats = Seat.objects.bulk_create(
        Seat(
            contract=target,
            learner=learner,
            code=code if target is contract else None,
            source=source if target is contract else SeatSource.AUTO,
        )
        for target in granted
    )
    return next(seat for seat in seats if seat.contract_id == contract.pk)


def _contract_seat_take(contract: Contract) -> bool:
    taken = (
        Contract.objects.filter(pk=contract.pk)
        .with_free_seat()
        .update(seats_held=F("seats_held") + 1)
    )
    return taken == 1


def _code_redemption_take(code: EnrollmentCode) -> bool:
    taken = (
        EnrollmentCode.objects.filter(pk=code.pk)
        .redeemable()
        .update(redemption_count=F("redemption_count") + 1)
    )
    return taken == 1


@transaction.atomic
def seat_release(*, seat: Seat, by: User | None = None) -> Seat:
    """Release a held seat: the row stays as history and the contract gets the place back."""
    _learner_lock(seat.learner)
    released = Seat.objects.filter(pk=seat.pk, released_at__isnull=True).update(
        released_at=timezone.now(), released_by=by
    )
    if released:
        Contract.objects.filter(pk=seat.contract_id).update(seats_held=F("seats_held") - 1)
    seat.refresh_from_db()
    return seat


def redemption_attempt_record(
    *, user: User | None, client_address: str | None, code: str, reason: str
) -> RedemptionAttempt:
    """Record a refused attach, with the code as typed made safe to store."""
    try:
        address = str(ipaddress.ip_address(client_address or ""))
    except ValueError:
        address = None
    return RedemptionAttempt.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        client_address=address,
        code=codes.printable_excerpt(code),
        reason=reason,
    )


# Organizations and contracts ----------------------------------------------------------------


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
    *, name: str, key: str | None = None, description: str = ""
) -> Organization:
    """Create an organization; its key comes from the name unless given."""
    if key is None:
        key = _unique_slug(Organization, name, max_length=30, field="key")
    elif not re.fullmatch(ORGANIZATION_KEY_PATTERN, key):
        raise OrganizationKeyInvalid()
    elif Organization.objects.filter(key=key).exists():
        raise OrganizationKeyTaken(f"Another organization already uses the key {key!r}.")
    return Organization.objects.create(
        name=name,
        key=key,
        slug=_unique_slug(Organization, name, max_length=80),
        description=description,
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
    )
    _codes_sync(contract, created_by=created_by)
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
        _codes_sync(locked, created_by=by)
    return locked


# Codes ---------------------------------------------------------------------------------------


def code_batch_issue(
    *,
    contract: Contract,
    count: int,
    redemption_type: RedemptionType = RedemptionType.ONE_TIME,
    max_redemptions: int | None = None,
    activation_date: datetime.datetime | None = None,
    expiration_date: datetime.datetime | None = None,
    created_by: User | None = None,
) -> list[EnrollmentCode]:
    """Issue count new random codes for the contract."""
    if expiration_date is not None and (
        expiration_date < timezone.now()
        or (activation_date is not None and expiration_date < activation_date)
    ):
        raise CodeDatesInvalid()
    fresh: set[str] = set()
    while len(fresh) < count:
        fresh.add(codes.generate_code())
    return EnrollmentCode.objects.bulk_create(
        (
            EnrollmentCode(
                code=value,
                contract=contract,
                redemption_type=redemption_type,
                max_redemptions=max_redemptions,
                activation_date=activation_date,
                expiration_date=expiration_date,
                created_by=created_by,
            )
            for value in fresh
        ),
        batch_size=5000,
    )


@transaction.atomic
def contract_codes_sync(*, contract: Contract, created_by: User | None = None) -> CodeSync:
    """Bring a code contract's codes in line with its seat limit."""
    return _codes_sync(contract, created_by=created_by)


def _codes_sync(contract: Contract, *, created_by: User | None) -> CodeSync:
    """A limited code contract keeps exactly max_learners unexpired one-time codes; an unlimited
    one keeps one redeemable unlimited code. Used codes are never expired."""
    if contract.membership_type != MembershipType.CODE:
        return CodeSync(issued=0, expired=0)
    now = timezone.now()
    unexpired = contract.codes.not_expired_at(now)
    if not contract.max_learners:
        if unexpired.filter(redemption_type=RedemptionType.UNLIMITED).redeemable().exists():
            return CodeSync(issued=0, expired=0)
        code_batch_issue(
            contract=contract,
            count=1,
            redemption_type=RedemptionType.UNLIMITED,
            created_by=created_by,
        )
        return CodeSync(issued=1, expired=0)
    one_time = unexpired.filter(redemption_type=RedemptionType.ONE_TIME)
    have = one_time.count()
    if have < contract.max_learners:
        missing = contract.max_learners - have
        code_batch_issue(contract=contract, count=missing, created_by=created_by)
        return CodeSync(issued=missing, expired=0)
    surplus = list(
        one_time.filter(redemption_count=0)
        .order_by("-pk")
        .values_list("pk", flat=True)[: have - contract.max_learners]
    )
    EnrollmentCode.objects.filter(pk__in=surplus).update(expiration_date=now)
    return CodeSync(issued=0, expired=len(surplus))
