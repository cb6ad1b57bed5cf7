"""Enrollment codes: issue, import, change and expire them, and keep a code contract's codes in
line with its limit."""

import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from contracts import codes, selectors
from contracts.exceptions import CodeCapInvalid, CodeDatesInvalid, CodeImportInvalid
from contracts.models import (
    Contract,
    EnrollmentCode,
    EnrollmentCodeQuerySet,
    MembershipType,
    RedemptionType,
)

BATCH_SIZE = 5000


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
    code_rules_check(
        redemption_type=redemption_type,
        max_redemptions=max_redemptions,
        activation_date=activation_date,
        expiration_date=expiration_date,
    )
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
        batch_size=BATCH_SIZE,
    )


@transaction.atomic
def contract_codes_sync(
    *, contract: Contract, created_by: User | None = None, commit: bool = True
) -> CodeSync:
    """Bring a code contract's codes in line with its seat limit (with commit=False, only tell
    what that would change).

    A limited code contract keeps exactly max_learners unexpired one-time codes; an unlimited
    one keeps one redeemable unlimited code. Used codes are never expired."""
    if contract.membership_type != MembershipType.CODE:
        return CodeSync(issued=0, expired=0)
    now = timezone.now()
    unexpired = contract.codes.not_expired_at(now)
    if not contract.max_learners:
        if unexpired.filter(redemption_type=RedemptionType.UNLIMITED).redeemable().exists():
            return CodeSync(issued=0, expired=0)
        if commit:
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
        if commit:
            code_batch_issue(contract=contract, count=missing, created_by=created_by)
        return CodeSync(issued=missing, expired=0)
    surplus = list(
        one_time.filter(redemption_count=0)
        .order_by("-pk")
        .values_list("pk", flat=True)[: have - contract.max_learners]
    )
    if commit:
        EnrollmentCode.objects.filter(pk__in=surplus).update(expiration_date=now)
    return CodeSync(issued=0, expired=len(surplus))


@transaction.atomic
def code_batch_expire(*, codes: EnrollmentCodeQuerySet, unused_only: bool = True) -> int:
    """Expire the codes now (with unused_only, those never redeemed); return how many.

    The rows stay: an expired code still shows who redeemed it."""
    now = timezone.now()
    expirable = selectors.codes_expirable(codes, now=now, unused_only=unused_only)
    return expirable.update(expiration_date=now)


CODE_EDITABLE_FIELDS = frozenset({"activation_date", "expiration_date", "max_redemptions"})


@transaction.atomic
def code_update(*, code: EnrollmentCode, fields: dict[str, Any]) -> EnrollmentCode:
    """Change when a code works, or the cap of an unlimited code."""
    unknown = set(fields) - CODE_EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    # The row lock makes redemption_count exact while the new cap is checked against it.
    locked = EnrollmentCode.objects.select_for_update().get(pk=code.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    code_rules_check(
        redemption_type=RedemptionType(locked.redemption_type),
        max_redemptions=locked.max_redemptions,
        activation_date=locked.activation_date,
        expiration_date=locked.expiration_date,
        redemption_count=locked.redemption_count,
    )
    locked.save()
    return locked


def code_rules_check(
    *,
    redemption_type: RedemptionType,
    max_redemptions: int | None,
    activation_date: datetime.datetime | None,
    expiration_date: datetime.datetime | None,
    redemption_count: int = 0,
) -> None:
    """Refuse a code that expires before it activates, or whose cap breaks the rules."""
    if activation_date and expiration_date and expiration_date < activation_date:
        raise CodeDatesInvalid("A code cannot expire before it activates.")
    if max_redemptions is None:
        return
    if redemption_type == RedemptionType.ONE_TIME:
        raise CodeCapInvalid("Only unlimited codes take a cap on redemptions.")
    if max_redemptions < max(redemption_count, 1):
        raise CodeCapInvalid(
            f"The cap cannot be lower than the {redemption_count} redemptions already made"
            " (nor lower than 1)."
        )


@dataclass(frozen=True)
class CodeImport:
    """One code from another system, as the import reads it."""

    code: str
    redemption_type: RedemptionType = RedemptionType.ONE_TIME
    max_redemptions: int | None = None
    activation_date: datetime.datetime | None = None
    expiration_date: datetime.datetime | None = None


@dataclass(frozen=True)
class ImportResult:
    """What an import added, and how many of its codes the contract had already."""

    imported: int
    already_there: int


@transaction.atomic
def code_batch_import(
    *,
    contract: Contract,
    imports: Sequence[CodeImport],
    created_by: User | None = None,
    commit: bool = True,
) -> ImportResult:
    """Add codes from another system to the contract, stored normalized (with commit=False,
    only tell what that would add). Codes the contract has already are skipped, so an import
    can be run again; a code that another contract uses refuses the whole import."""
    rows = [_import_normalized(row) for row in imports]
    values = [row.code for row in rows]
    repeated = [value for value, times in Counter(values).items() if times > 1]
    if repeated:
        raise CodeImportInvalid(f"The code {codes.format_code(repeated[0])} appears twice.")
    existing = selectors.codes_contracts(values)
    taken = sorted(value for value, owner in existing.items() if owner != contract.pk)
    if taken:
        raise CodeImportInvalid(
            f"{len(taken)} of the codes belong to another contract, "
            f"for example {codes.format_code(taken[0])}."
        )
    fresh = [row for row in rows if row.code not in existing]
    if commit:
        _import_insert(contract=contract, rows=fresh, created_by=created_by)
    return ImportResult(imported=len(fresh), already_there=len(existing))


def _import_normalized(row: CodeImport) -> CodeImport:
    normalized = codes.normalize_code(row.code)
    if not normalized:
        raise CodeImportInvalid(
            f"{codes.printable_excerpt(row.code)!r} is not a code: use at most "
            f"{codes.MAX_LENGTH} letters and digits (dashes and spaces are dropped)."
        )
    code_rules_check(
        redemption_type=row.redemption_type,
        max_redemptions=row.max_redemptions,
        activation_date=row.activation_date,
        expiration_date=row.expiration_date,
    )
    return CodeImport(
        code=normalized,
        redemption_type=row.redemption_type,
        max_redemptions=row.max_redemptions,
        activation_date=row.activation_date,
        expiration_date=row.expiration_date,
    )


def _import_insert(
    *, contract: Contract, rows: Sequence[CodeImport], created_by: User | None
) -> None:
    try:
        with transaction.atomic():
            EnrollmentCode.objects.bulk_create(
                (
                    EnrollmentCode(
                        code=row.code,
                        contract=contract,
                        redemption_type=row.redemption_type,
                        max_redemptions=row.max_redemptions,
                        activation_date=row.activation_date,
                        expiration_date=row.expiration_date,
                        created_by=created_by,
                    )
                    for row in rows
                ),
                batch_size=BATCH_SIZE,
            )
    except IntegrityError:
        # Another import or issue stored one of these codes after the check above.
        raise CodeImportInvalid(
            "Some of the codes were stored meanwhile by someone else; run the import again."
        ) from None
