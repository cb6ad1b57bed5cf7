"""Seats: attach with a code, add by staff, release, memberships, and refused attempts.

Lock order, the same on every path so concurrent writers never deadlock: the learner's user
row, then contract rows in ascending id order, then the enrollment code row.
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from contracts import codes, selectors, throttling
from contracts.exceptions import (
    AttemptsThrottled,
    CodeInvalid,
    ContractFull,
    MembershipExists,
    SeatAlreadyHeld,
)
from contracts.models import (
    Contract,
    EnrollmentCode,
    Organization,
    OrganizationMembership,
    RedemptionAttempt,
    RedemptionType,
    Seat,
    SeatSource,
)
from core.http import normalize_address

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    """The learner's seat after an attach, and whether this call created it."""

    seat: Seat
    created: bool


def seat_attach(*, learner: User, code: str, client_address: str | None = None) -> Attachment:
    """Attach the learner to the contract of an enrollment code, recording any refusal.

    A learner or address over its limit of failed attempts is refused before the code is
    looked at (contracts.throttling)."""
    now = timezone.now()
    address = normalize_address(client_address)
    try:
        throttling.attach_throttle_check(user_id=learner.pk, client_address=address, now=now)
        enrollment_code = selectors.code_get(code)
        if (
            enrollment_code is None
            or not enrollment_code.is_live_at(now)
            or not enrollment_code.contract.is_open_on(now.date())
        ):
            raise CodeInvalid()
        return _code_redeem(learner=learner, code=enrollment_code, today=now.date())
    except (CodeInvalid, ContractFull, AttemptsThrottled) as refusal:
        redemption_attempt_record(
            user=learner, client_address=address, code=code, reason=refusal.code
        )
        if not isinstance(refusal, AttemptsThrottled):
            throttling.attach_failure_count(user_id=learner.pk, client_address=address, now=now)
        raise


@transaction.atomic
def _code_redeem(*, learner: User, code: EnrollmentCode, today: datetime.date) -> Attachment:
    contract = code.contract
    standing = _learner_lock_standing(learner=learner, contract=contract, today=today)
    if standing.held_seat_id is not None:
        held = Seat.objects.get(pk=standing.held_seat_id)
        held.contract = contract
        return Attachment(seat=held, created=False)
    # Friendly answers from the rows as read; the conditional updates below are what guarantee.
    if code.is_used_up:
        raise ContractFull() if contract.is_full else CodeInvalid()
    if contract.is_full:
        raise ContractFull()
    seat = _seats_claim(
        learner=learner,
        contract=contract,
        standing=standing,
        source=SeatSource.CODE,
        code=code,
        today=today,
    )
    return Attachment(seat=seat, created=True)


def _learner_lock(learner: User) -> None:
    # Serializes one learner's writes: a doubled or retried request waits for the first, then
    # finds its seat and answers 200 instead of racing it into the unique index.
    User.objects.select_for_update().filter(pk=learner.pk).values_list("pk").get()


def _learner_lock_standing(
    *, learner: User, contract: Contract, today: datetime.date
) -> selectors.LearnerStanding:
    """Take the learner lock, then read where the learner stands with the contract.

    Two statements, not one: under READ COMMITTED a statement reads from the snapshot it
    started with, so reads folded into the locking SELECT would miss the seat that the request
    it waited for has just committed."""
    _learner_lock(learner)
    return selectors.learner_standing(learner=learner, contract=contract, day=today)


def _seats_claim(
    *,
    learner: User,
    contract: Contract,
    standing: selectors.LearnerStanding,
    source: SeatSource,
    today: datetime.date,
    code: EnrollmentCode | None = None,
) -> Seat:
    """Take a seat on the contract, and on a first membership seats on the organization's open
    auto contracts (each within its own limit; a full one is skipped). The caller holds the
    learner lock inside a transaction.

    A contract's seat counter, and a code shared by many learners, are hot rows: each stays
    locked from its conditional UPDATE to the commit. So the new rows are written first and
    those updates come last, to keep that window to the final statements."""
    organization_id = contract.organization_id
    first_membership = not standing.is_member
    autos = (
        selectors.contracts_auto_for_new_member(
            learner=learner, organization_id=organization_id, exclude=contract, day=today
        )
        if first_membership and standing.autos_open
        else []
    )
    if first_membership:
        OrganizationMembership.objects.create(user=learner, organization_id=organization_id)
    [seat] = Seat.objects.bulk_create(
        [Seat(contract=contract, learner=learner, code=code, source=source)]
    )
    granted = []
    for target in sorted([contract, *autos], key=lambda c: c.pk):  # row locks in id order
        if _contract_seat_take(target):
            granted.append(target)
        elif target is contract:
            raise ContractFull()
        else:
            log.warning("Auto contract %s is full; %s gets no seat on it.", target.pk, learner.pk)
    Seat.objects.bulk_create(
        Seat(contract=target, learner=learner, source=SeatSource.AUTO)
        for target in granted
        if target is not contract
    )
    if code is not None and not _code_redemption_take(code):
        raise CodeInvalid()
    return seat


# The two statements that enforce the invariants: each an atomic conditional UPDATE, which
# PostgreSQL re-checks against the latest row version when it had to wait for the row. Written
# in SQL because they are the hot path of attach, where the ORM spent more time building them
# than the database took to run them (docs/performance.md). The code's condition is
# EnrollmentCodeQuerySet.redeemable; the check constraints on both tables back them up.
_SEAT_TAKE_SQL = """
UPDATE contracts_contract SET seats_held = seats_held + 1
WHERE id = %s AND (max_learners IS NULL OR max_learners = 0 OR seats_held < max_learners)
"""
_REDEMPTION_TAKE_SQL = """
UPDATE contracts_enrollmentcode SET redemption_count = redemption_count + 1
WHERE id = %s AND (
  (redemption_type = %s AND redemption_count = 0)
  OR (redemption_type = %s AND (max_redemptions IS NULL OR redemption_count < max_redemptions)))
"""


def _contract_seat_take(contract: Contract) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(_SEAT_TAKE_SQL, [contract.pk])
        return cursor.rowcount == 1


def _code_redemption_take(code: EnrollmentCode) -> bool:
    one_time, unlimited = RedemptionType.ONE_TIME.value, RedemptionType.UNLIMITED.value
    with connection.cursor() as cursor:
        cursor.execute(_REDEMPTION_TAKE_SQL, [code.pk, one_time, unlimited])
        return cursor.rowcount == 1


@transaction.atomic
def seat_add(*, learner: User, contract: Contract, by: User | None = None) -> Seat:
    """Give the learner a seat on the contract as staff do, by the same rules as attach.

    The contract need not be open: staff may seat learners before it starts. A first membership
    in the organization brings seats on its open auto contracts, as for attach."""
    today = timezone.now().date()
    standing = _learner_lock_standing(learner=learner, contract=contract, today=today)
    if standing.held_seat_id is not None:
        raise SeatAlreadyHeld(f"{learner} already holds a seat on {contract.name}.")
    try:
        seat = _seats_claim(
            learner=learner,
            contract=contract,
            standing=standing,
            source=SeatSource.ADMIN,
            today=today,
        )
    except ContractFull:
        raise ContractFull(
            f"{contract.name} is full: all {contract.max_learners} seats are held."
        ) from None
    log.info("Seat %s on contract %s added by %s.", seat.pk, contract.pk, by.pk if by else None)
    return seat


@transaction.atomic
def membership_add(
    *, user: User, organization: Organization, is_manager: bool = False, by: User | None = None
) -> OrganizationMembership:
    """Make the user a member of the organization, with seats on its open auto contracts."""
    _learner_lock(user)
    if selectors.membership_exists(user=user, organization_id=organization.pk):
        raise MembershipExists(f"{user} already belongs to {organization.name}.")
    autos = selectors.contracts_auto_for_new_member(
        learner=user, organization_id=organization.pk, exclude=None, day=timezone.now().date()
    )
    granted = [target for target in sorted(autos, key=lambda c: c.pk) if _auto_seat_take(target)]
    membership = OrganizationMembership.objects.create(
        user=user, organization=organization, is_manager=is_manager
    )
    Seat.objects.bulk_create(
        Seat(contract=target, learner=user, source=SeatSource.AUTO) for target in granted
    )
    log.info("Membership %s added by %s.", membership.pk, by.pk if by else None)
    return membership


def _auto_seat_take(contract: Contract) -> bool:
    if _contract_seat_take(contract):
        return True
    log.warning("Auto contract %s is full; the new member gets no seat on it.", contract.pk)
    return False


@transaction.atomic
def membership_update(
    *, membership: OrganizationMembership, is_manager: bool
) -> OrganizationMembership:
    """Make a member one of the organization's managers, or no longer one."""
    membership.is_manager = is_manager
    membership.save(update_fields=["is_manager"])
    return membership


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
    return RedemptionAttempt.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        client_address=normalize_address(client_address),
        code=codes.printable_excerpt(code),
        reason=reason,
    )
