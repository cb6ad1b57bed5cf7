"""Enrollment codes: issue them, and keep a code contract's codes in line with its limit."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from contracts import codes
from contracts.exceptions import CodeDatesInvalid
from contracts.models import Contract, EnrollmentCode, MembershipType, RedemptionType


@dataclass(frozen=True)
class CodeSync:
    """What bringing a contract's codes in line with its seat limit changed."""

    issued: int
    expired: int


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
    """Bring a code contract's codes in line with its seat limit.

    A limited code contract keeps exactly max_learners unexpired one-time codes; an unlimited
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
