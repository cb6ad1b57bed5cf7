"""Every read of the contracts domain that filters, joins or computes."""

import datetime
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)

from accounts.models import User
from contracts import codes
from contracts.exceptions import AttemptsThrottled, OrganizationAmbiguous
from contracts.models import (
    Contract,
    ContractQuerySet,
    EnrollmentCode,
    EnrollmentCodeQuerySet,
    MembershipType,
    Organization,
    OrganizationMembership,
    RedemptionAttempt,
    Seat,
)


def code_get(text: str) -> EnrollmentCode | None:
    """Return the code a person typed, with its contract, or None when there is none."""
    normalized = codes.normalize_code(text)
    if normalized is None:
        return None
    try:
        return EnrollmentCode.objects.select_related("contract").get(code=normalized)
    except EnrollmentCode.DoesNotExist:
        return None


def seat_held_for_code(*, learner: User, code: str) -> Seat | None:
    """Return the seat the learner holds on the contract of a code as typed, if any."""
    normalized = codes.normalize_code(code)
    if normalized is None:
        return None
    return (
        Seat.objects.filter(
            learner=learner, released_at__isnull=True, contract__codes__code=normalized
        )
        .select_related("contract__organization")
        .first()
    )


ContractStatus = Literal["open", "upcoming", "ended", "inactive"]


@dataclass(frozen=True)
class LearnerContract:
    """A contract the learner holds a seat on, as the learner's dashboard shows it."""

    contract: Contract
    joined_at: datetime.datetime
    status: ContractStatus  # on the day asked about


@dataclass(frozen=True)
class LearnerOrganization:
    """An organization the learner belongs to, with the contracts the learner holds seats on."""

    organization: Organization
    contracts: list[LearnerContract]


def learner_contracts(*, learner: User, day: datetime.date) -> list[LearnerOrganization]:
    """Return the learner's organizations by name, each with the contracts held there by name.

    An organization appears when the learner is a member or holds a seat there (a seat added by
    staff may come without a membership); two statements, however many contracts.
    """
    seats = (
        Seat.objects.filter(learner=learner, released_at__isnull=True)
        .select_related("contract__organization")
        .order_by("contract__name", "contract_id")
    )
    memberships = OrganizationMembership.objects.filter(user=learner).select_related("organization")
    organizations = {m.organization_id: m.organization for m in memberships}
    held: dict[int, list[LearnerContract]] = {pk: [] for pk in organizations}
    for seat in seats:
        contract = seat.contract
        organizations.setdefault(contract.organization_id, contract.organization)
        held.setdefault(contract.organization_id, []).append(
            LearnerContract(
                contract=contract, joined_at=seat.created_at, status=_contract_status(contract, day)
            )
        )
    ordered = sorted(organizations.values(), key=lambda org: (org.name.casefold(), org.pk))
    return [LearnerOrganization(organization=org, contracts=held[org.pk]) for org in ordered]


def _contract_status(contract: Contract, day: datetime.date) -> ContractStatus:
    if contract.is_open_on(day):
        return "open"
    if not contract.active:
        return "inactive"
    if contract.contract_start is not None and contract.contract_start > day:
        return "upcoming"
    return "ended"


@dataclass(frozen=True)
class LearnerStanding:
    """Where a learner stands with a contract, as a seat claim needs to know it."""

    held_seat_id: int | None
    is_member: bool  # of the contract's organization
    autos_open: bool  # the organization has open auto contracts besides this one


# The hot path of attach: one round trip, and raw SQL because the ORM spent several times the
# database's own time building the equivalent three subqueries (see docs/performance.md).
_STANDING_SQL = """
SELECT
  (SELECT id FROM contracts_seat
    WHERE contract_id = %(contract)s AND learner_id = %(learner)s AND released_at IS NULL),
  EXISTS (SELECT 1 FROM contracts_organizationmembership
    WHERE user_id = %(learner)s AND organization_id = %(organization)s),
  EXISTS (SELECT 1 FROM contracts_contract
    WHERE organization_id = %(organization)s AND membership_type = %(auto)s
      AND id <> %(contract)s AND active = %(true)s
      AND (contract_start IS NULL OR contract_start <= %(day)s)
      AND (contract_end IS NULL OR contract_end >= %(day)s))
"""


def learner_standing(*, learner: User, contract: Contract, day: datetime.date) -> LearnerStanding:
    """Return the learner's held seat on the contract, membership of its organization, and
    whether that organization has other auto contracts open on the day."""
    params: dict[str, int | str | bool | datetime.date | None] = {
        "learner": learner.pk,
        "contract": contract.pk,
        "organization": contract.organization_id,
        "auto": MembershipType.AUTO.value,
        "true": True,
        "day": connection.ops.adapt_datefield_value(day),
    }
    with connection.cursor() as cursor:
        cursor.execute(_STANDING_SQL, params)
        held_seat_id, is_member, autos_open = cursor.fetchone()
    return LearnerStanding(held_seat_id, bool(is_member), bool(autos_open))


def membership_exists(*, user: User, organization_id: int) -> bool:
    """Tell whether the user belongs to the organization."""
    return OrganizationMembership.objects.filter(
        user=user, organization_id=organization_id
    ).exists()


def contracts_auto_for_new_member(
    *, learner: User, organization_id: int, exclude: Contract | None, day: datetime.date
) -> list[Contract]:
    """Return the organization's open auto contracts on which the learner holds no seat."""
    held = Seat.objects.filter(contract=OuterRef("pk"), learner=learner, released_at__isnull=True)
    autos = Contract.objects.open_on(day).filter(
        organization_id=organization_id, membership_type=MembershipType.AUTO
    )
    if exclude is not None:
        autos = autos.exclude(pk=exclude.pk)
    return list(autos.exclude(Exists(held)))


def contract_find(identifier: str) -> Contract | None:
    """Return the contract an identifier names: its id when the identifier is all digits,
    else its slug (generated slugs are never all digits)."""
    contracts = Contract.objects.select_related("organization")
    if _is_id(identifier):
        return contracts.filter(pk=int(identifier)).first() if len(identifier) <= 20 else None
    return contracts.filter(slug=identifier).first()


def organization_find(identifier: str) -> Organization | None:
    """Return the organization an identifier names, trying in turn its id (all digits), key,
    slug, SSO id and (case-insensitive) name; refuse a name that several organizations have."""
    for lookup in _organization_lookups(identifier):
        found = Organization.objects.filter(**lookup).first()
        if found is not None:
            return found
    named = list(Organization.objects.filter(name__iexact=identifier).order_by("pk")[:2])
    if len(named) > 1:
        raise OrganizationAmbiguous(
            f"More than one organization is named {identifier!r}: use its key or id."
        )
    return named[0] if named else None


def _organization_lookups(identifier: str) -> Iterator[dict[str, Any]]:
    if _is_id(identifier) and len(identifier) <= 20:  # longer is no id, and more than int() reads
        yield {"pk": int(identifier)}
    yield {"key": identifier}
    yield {"slug": identifier}
    try:
        sso_id = uuid.UUID(identifier)
    except ValueError:
        return
    yield {"sso_organization_id": sso_id}


def _is_id(identifier: str) -> bool:
    return identifier.isascii() and identifier.isdecimal()


def codes_to_hand_out(contract: Contract, *, now: datetime.datetime) -> EnrollmentCodeQuerySet:
    """Return live codes that can still be redeemed, no more than the contract has free seats."""
    queryset = contract.codes.live_at(now).redeemable().order_by("pk")
    free = contract.seats_free
    return queryset if free is None else queryset[:free]


def attempts_failed_since(
    *,
    since: datetime.datetime,
    user_id: int | None,
    client_address: str | None,
    limit: int,
) -> list[tuple[bool, bool, datetime.datetime]]:
    """Return the newest failed attaches since the instant by the user or from the address,
    at most `limit`, newest first, as (by the user, from the address, when). Refusals for
    throttling are not failures."""
    by_user = Q(user_id=user_id) if user_id is not None else Q(pk__in=[])
    from_address = Q(client_address=client_address) if client_address is not None else Q(pk__in=[])
    attempts = (
        RedemptionAttempt.objects.filter(by_user | from_address, created_at__gte=since)
        .exclude(reason=AttemptsThrottled.code)
        .annotate(
            by_user=ExpressionWrapper(by_user, output_field=BooleanField()),
            from_address=ExpressionWrapper(from_address, output_field=BooleanField()),
        )
        .order_by("-created_at")
        .values_list("by_user", "from_address", "created_at")
    )
    return list(attempts[:limit])


def organizations_visible(*, learner: User | None, day: datetime.date) -> QuerySet[Organization]:
    """Return the organizations a caller may see, each with its contracts open on the day in
    `open_contracts`; a learner sees the organizations they belong to, None means every one."""
    organizations = Organization.objects.order_by("name", "pk").prefetch_related(
        Prefetch(
            "contracts",
            queryset=Contract.objects.open_on(day).order_by("name", "pk"),
            to_attr="open_contracts",
        )
    )
    if learner is not None:
        organizations = organizations.filter(memberships__user=learner)
    return organizations


def contracts_visible(*, learner: User | None, day: datetime.date) -> ContractQuerySet:
    """Return the contracts open on the day that a caller may see: a learner's are those of the
    organizations they belong to; None means every one."""
    contracts = Contract.objects.open_on(day).order_by("organization__name", "name", "pk")
    if learner is not None:
        contracts = contracts.filter(organization__memberships__user=learner)
    return contracts


def organization_visible_get(
    *, slug: str, learner: User | None, day: datetime.date
) -> Organization | None:
    """Return the organization with this slug if the caller may see it."""
    return organizations_visible(learner=learner, day=day).filter(slug=slug).first()


def contract_visible_get(*, slug: str, learner: User | None, day: datetime.date) -> Contract | None:
    """Return the contract with this slug if it is open on the day and the caller may see it."""
    return contracts_visible(learner=learner, day=day).filter(slug=slug).first()


def codes_expirable(
    codes_in: EnrollmentCodeQuerySet, *, now: datetime.datetime, unused_only: bool
) -> EnrollmentCodeQuerySet:
    """Keep the codes that expiring now would change: unexpired ones (and unused, if asked)."""
    expirable = codes_in.not_expired_at(now)
    return expirable.filter(redemption_count=0) if unused_only else expirable


def codes_contracts(values: Sequence[str], *, chunk: int = 5000) -> dict[str, int]:
    """Return the contract id of each of these stored (normalized) codes that exists."""
    found: dict[str, int] = {}
    for start in range(0, len(values), chunk):
        found.update(
            EnrollmentCode.objects.filter(code__in=values[start : start + chunk]).values_list(
                "code", "contract_id"
            )
        )
    return found


def codes_with_ids(ids: Sequence[int], *, chunk: int = 5000) -> Iterator[EnrollmentCode]:
    """Yield the codes with these ids, a chunk of ids per statement."""
    for start in range(0, len(ids), chunk):
        yield from EnrollmentCode.objects.filter(pk__in=ids[start : start + chunk])


@dataclass(frozen=True)
class CodeCounts:
    """How many codes a contract has: issued ever, redeemed at least once, redemptions made."""

    issued: int = 0
    used: int = 0
    redemptions: int = 0


def code_counts(contract_ids: Iterable[int]) -> dict[int, CodeCounts]:
    """Return the code counts of each contract, in one statement whatever its size."""
    ids = list(contract_ids)
    rows = (
        EnrollmentCode.objects.filter(contract_id__in=ids)
        .order_by()
        .values("contract_id")
        .annotate(
            issued=Count("pk"),
            used=Count("pk", filter=Q(redemption_count__gt=0)),
            redemptions=Sum("redemption_count"),
        )
    )
    counts = {contract_id: CodeCounts() for contract_id in ids}
    for row in rows:
        counts[row["contract_id"]] = CodeCounts(
            issued=row["issued"], used=row["used"], redemptions=row["redemptions"] or 0
        )
    return counts


def codes_of(contract_ids: Sequence[int]) -> EnrollmentCodeQuerySet:
    """Return every code of these contracts, contract by contract, oldest first."""
    return EnrollmentCode.objects.filter(contract_id__in=contract_ids).order_by("contract_id", "pk")


def redemptions_of(contract_ids: Sequence[int]) -> QuerySet[Seat]:
    """Return the seats taken with a code on these contracts, contract by contract, oldest first."""
    return Seat.objects.filter(contract_id__in=contract_ids, code__isnull=False).order_by(
        "contract_id", "pk"
    )


def organizations_listed(*, search: str | None = None) -> QuerySet[Organization]:
    """Return organizations by name, with how many contracts and members each has."""
    queryset = Organization.objects.annotate(
        contract_count=Count("contracts", distinct=True),
        member_count=Count("memberships", distinct=True),
    ).order_by("name", "pk")
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(key__icontains=search) | Q(slug__icontains=search)
        )
    return queryset


def contracts_listed(
    *,
    organization: Organization | None = None,
    membership_type: str | None = None,
    active: bool | None = None,
    open_on: datetime.date | None = None,
    search: str | None = None,
) -> QuerySet[Contract]:
    """Return contracts with their organization, filtered as asked, by organization and name."""
    queryset = Contract.objects.select_related("organization").order_by(
        "organization__name", "name", "pk"
    )
    if organization is not None:
        queryset = queryset.filter(organization=organization)
    if membership_type is not None:
        queryset = queryset.filter(membership_type=membership_type)
    if active is not None:
        queryset = queryset.filter(active=active)
    if open_on is not None:
        queryset = queryset.open_on(open_on)
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(slug__icontains=search))
    return queryset


def seats_listed(
    *,
    contract_ids: Sequence[int] | None = None,
    organization: Organization | None = None,
    held_only: bool = True,
    search: str | None = None,
) -> QuerySet[Seat]:
    """Return seats (learners on contracts), filtered as asked, contract by contract."""
    queryset = Seat.objects.order_by("contract_id", "pk")
    if contract_ids is not None:
        queryset = queryset.filter(contract_id__in=contract_ids)
    if organization is not None:
        queryset = queryset.filter(contract__organization=organization)
    if held_only:
        queryset = queryset.filter(released_at__isnull=True)
    if search:
        queryset = queryset.filter(
            Q(learner__email__icontains=search)
            | Q(learner__first_name__icontains=search)
            | Q(learner__last_name__icontains=search)
        )
    return queryset
