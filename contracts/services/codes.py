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
from contracts.exceptions import (
    CodeCapInvalid,
    CodeCountInvalid,
    CodeDatesInvalid,
    CodeImportInvalid,
)
from contracts.models import (
    INTEGER_MAX,
    Contract,
    EnrollmentCode,
    EnrollmentCodeQuerySet,
    MembershipType,
    RedemptionType,
)

BATCH_SIZE = 5000
# The most codes one call issues: `b2b_codes generate --count`, and the seat limit of a code
# contract, whose codes are issued one per seat in one transaction.
CODE_BATCH_MAX = 1_000_000


@dataclass(frozen=True)
class CodeSync:
    """What bringing a contract's codes in line with its seat limit changed."""

    seat_limit: int | None
    issued: int
    expired: int


@transaction.atomic
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
    if not 1 <= count <= CODE_BATCH_MAX:
        raise CodeCountInvalid(f"A batch holds 1 to {CODE_BATCH_MAX:,} codes, not {count:,}.")
    code_rules_check(
        redemption_type=redemption_type,
        max_redemptions=max_redemptions,
        activation_date=activation_date,
        expiration_date=expiration_date,
    )
    if expiration_date is not None and expiration_date < timezone.now():
        raise CodeDatesInvalid("A code cannot be issued already expired.")
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
    # Work from the locked row, not the one given: a limit changed meanwhile, or another sync
    # running at the same time, would otherwise make this one issue codes twice.
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    limit = contract.max_learners or None
    if contract.membership_type != MembershipType.CODE:
        return CodeSync(seat_limit=limit, issued=0, expired=0)
    now = timezone.now()
    unexpired = contract.codes.not_expired_at(now)
    if limit is None:
        if unexpired.filter(redemption_type=RedemptionType.UNLIMITED).redeemable().exists():
            return CodeSync(seat_limit=None, issued=0, expired=0)
        if commit:
            code_batch_issue(
                contract=contract,
                count=1,
                redemption_type=RedemptionType.UNLIMITED,
                created_by=created_by,
            )
        return CodeSync(seat_limit=None, issued=1, expired=0)
    one_time = unexpired.filter(redemption_type=RedemptionType.ONE_TIME)
    have = one_time.count()
    if have < limit:
        if commit:
            code_batch_issue(contract=contract, count=limit - have, created_by=created_by)
        return CodeSync(seat_limit=limit, issued=limit - have, expired=0)
    surplus = list(
        one_time.filter(redemption_count=0)
        .order_by("-pk")
        .values_list("pk", flat=True)[: have - limit]
    )
    if commit:
        EnrollmentCode.objects.filter(pk__in=surplus).update(expiration_date=now)
    return CodeSync(seat_limit=limit, issued=0, expired=len(surplus))


@transaction.atomic
def code_batch_expire(*, codes: EnrollmentCodeQuerySet, unused_only: bool = True) -> list[int]:
    """Expire the codes now (with unused_only, those never redeemed); return the ids of those
    it expired.

    The rows stay: an expired code still shows who redeemed it."""
    now = timezone.now()
    expirable = selectors.codes_expirable(codes, now=now, unused_only=unused_only)
    # Locked as read (in id order, so two runs cannot deadlock), so a code redeemed meanwhile
    # is neither expired nor reported.
    locked = expirable.select_for_update().order_by("pk")
    expired = list(locked.values_list("pk", flat=True))
    for start in range(0, len(expired), BATCH_SIZE):
        EnrollmentCode.objects.filter(pk__in=expired[start : start + BATCH_SIZE]).update(
            expiration_date=now
        )
    return expired


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
    if not 1 <= max_redemptions <= INTEGER_MAX:
        raise CodeCapInvalid(f"A cap on redemptions is a whole number from 1 to {INTEGER_MAX:,}.")
    if max_redemptions < redemption_count:
        raise CodeCapInvalid(
            f"The cap cannot be lower than the {redemption_count} redemptions already made."
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
