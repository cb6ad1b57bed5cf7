"""The rows b2b_codes prints: read by selectors, streamed, one tuple per line of output."""

from collections.abc import Iterator, Sequence
from typing import Any

from django.utils import timezone

from contracts import codes, selectors
from contracts.management.base import iso
from contracts.models import Contract, EnrollmentCode, code_status_at

CHUNK = 5000

HAND_OUT = ("contract", "code", "attach_link")
ALL = (
    "contract",
    "code",
    "redemption_type",
    "redemptions",
    "max_redemptions",
    "activates",
    "expires",
    "status",
    "attach_link",
    "created_at",
)
USAGE = ("contract", "code", "learner", "redeemed_at", "released_at")
STATS = (
    "contract",
    "organization",
    "membership_type",
    "active",
    "seat_limit",
    "seats_held",
    "seats_free",
    "codes_issued",
    "codes_used",
    "redemptions",
)
EXPIRE = ("contract", "code", "redemption_type", "redemptions", "expires")


def hand_out_rows(contracts: Sequence[Contract]) -> Iterator[tuple[Any, ...]]:
    """Live unused codes, no more than each contract has free seats."""
    now = timezone.now()
    for contract in contracts:
        queryset = selectors.codes_to_hand_out(contract, now=now).values_list("code", flat=True)
        for value in queryset.iterator(chunk_size=CHUNK):
            yield (contract.slug, codes.format_code(value), codes.attach_url(value))


def all_rows(contracts: Sequence[Contract]) -> Iterator[tuple[Any, ...]]:
    """Every code of the contracts, with its state now."""
    slugs = {contract.pk: contract.slug for contract in contracts}
    queryset = selectors.codes_of(list(slugs)).values_list(
        "contract_id",
        "code",
        "redemption_type",
        "redemption_count",
        "max_redemptions",
        "activation_date",
        "expiration_date",
        code_status_at(timezone.now()),
        "created_at",
    )
    for (
        contract_id,
        value,
        kind,
        count,
        cap,
        activates,
        expires,
        status,
        created,
    ) in queryset.iterator(chunk_size=CHUNK):
        yield (
            slugs[contract_id],
            codes.format_code(value),
            kind,
            count,
            cap,
            iso(activates),
            iso(expires),
            status,
            codes.attach_url(value),
            iso(created),
        )


def usage_rows(contracts: Sequence[Contract]) -> Iterator[tuple[Any, ...]]:
    """Every redemption: which code, which learner, when (and when the seat was released)."""
    slugs = {contract.pk: contract.slug for contract in contracts}
    queryset = selectors.redemptions_of(list(slugs)).values_list(
        "contract_id", "code__code", "learner__email", "created_at", "released_at"
    )
    for contract_id, value, email, created, released in queryset.iterator(chunk_size=CHUNK):
        yield (slugs[contract_id], codes.format_code(value), email, iso(created), iso(released))


def stats_rows(contracts: Sequence[Contract]) -> Iterator[tuple[Any, ...]]:
    """Per contract: seat limit, seats held and free, codes issued and used, redemptions."""
    counts = selectors.code_counts(contract.pk for contract in contracts)
    for contract in contracts:
        tally = counts[contract.pk]
        yield (
            contract.slug,
            contract.organization.key,
            contract.membership_type,
            contract.active,
            contract.max_learners or None,
            contract.seats_held,
            contract.seats_free,
            tally.issued,
            tally.used,
            tally.redemptions,
        )


def expire_rows(contracts: Sequence[Contract]) -> Iterator[tuple[Any, ...]]:
    """The unused, unexpired codes that expiring would change."""
    slugs = {contract.pk: contract.slug for contract in contracts}
    queryset = selectors.codes_expirable(
        selectors.codes_of(list(slugs)), now=timezone.now(), unused_only=True
    ).values_list("contract_id", "code", "redemption_type", "redemption_count", "expiration_date")
    for contract_id, value, kind, count, expires in queryset.iterator(chunk_size=CHUNK):
        yield (slugs[contract_id], codes.format_code(value), kind, count, iso(expires))


def code_rows(issued: Sequence[EnrollmentCode]) -> Iterator[tuple[Any, ...]]:
    """Codes just issued, as the default output shows them."""
    for code in issued:
        yield (code.contract.slug, code.display_code, code.attach_url)
