"""The attach service, step by step as SPEC section 3 orders it."""

import datetime

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from accounts.tests.factories import UserFactory
from contracts import services
from contracts.exceptions import CodeInvalid, ContractFull
from contracts.models import (
    Contract,
    MembershipType,
    OrganizationMembership,
    RedemptionAttempt,
    RedemptionType,
    Seat,
    SeatSource,
)
from contracts.tests.factories import ContractFactory, EnrollmentCodeFactory, seats_fill

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


def attach(learner, code, address="203.0.113.7"):
    return services.seat_attach(learner=learner, code=code, client_address=address)


def test_attach_takes_a_seat_and_counts_it(learner):
    code = EnrollmentCodeFactory(contract__max_learners=3)

    attachment = attach(learner, code.code)

    assert attachment.created is True
    seat = Seat.objects.get(learner=learner)
    assert seat == attachment.seat
    assert (seat.contract, seat.code, seat.source) == (code.contract, code, SeatSource.CODE)
    assert seat.released_at is None
    code.refresh_from_db()
    code.contract.refresh_from_db()
    assert code.redemption_count == 1
    assert code.contract.seats_held == 1
    assert OrganizationMembership.objects.filter(
        user=learner, organization=code.contract.organization, is_manager=False
    ).exists()
    assert not RedemptionAttempt.objects.exists()


def test_attach_accepts_the_code_in_any_case_with_or_without_dashes(learner):
    code = EnrollmentCodeFactory()
    typed = f"  {code.display_code.lower()} "

    assert attach(learner, typed).created is True


def test_attach_again_answers_existing_seat_and_writes_nothing(learner):
    code = EnrollmentCodeFactory(redemption_type=RedemptionType.UNLIMITED)
    first = attach(learner, code.code)

    again = attach(learner, code.code)

    assert again.created is False
    assert again.seat == first.seat
    code.refresh_from_db()
    assert code.redemption_count == 1
    assert Seat.objects.count() == 1
    assert not RedemptionAttempt.objects.exists()


def test_retry_with_own_one_time_code_answers_existing_seat(learner):
    code = EnrollmentCodeFactory()
    attach(learner, code.code)

    assert attach(learner, code.code).created is False


def test_holder_using_another_code_does_not_consume_it(learner):
    contract = ContractFactory()
    attach(learner, EnrollmentCodeFactory(contract=contract).code)
    second = EnrollmentCodeFactory(contract=contract)

    assert attach(learner, second.code).created is False
    second.refresh_from_db()
    assert second.redemption_count == 0


@pytest.mark.parametrize("typed", ["NOSUCHCODE", "", "A" * 65, "bad/code", "A\x00B"])
def test_attach_refuses_unknown_or_malformed_code_and_records_it(learner, typed):
    with pytest.raises(CodeInvalid):
        attach(learner, typed)

    attempt = RedemptionAttempt.objects.get()
    assert (attempt.user, attempt.client_address, attempt.reason) == (
        learner,
        "203.0.113.7",
        "invalid_code",
    )
    assert len(attempt.code) <= 64
    assert "\x00" not in attempt.code
    assert not Seat.objects.exists()


@pytest.mark.parametrize(
    ("activation", "expiration"),
    [
        (datetime.timedelta(hours=1), None),
        (None, -datetime.timedelta(seconds=1)),
    ],
)
def test_attach_refuses_code_that_is_not_live(learner, activation, expiration):
    now = timezone.now()
    code = EnrollmentCodeFactory(
        activation_date=now + activation if activation else None,
        expiration_date=now + expiration if expiration else None,
    )

    with pytest.raises(CodeInvalid):
        attach(learner, code.code)
    assert not Seat.objects.exists()


def test_attach_accepts_code_inside_its_window(learner):
    now = timezone.now()
    code = EnrollmentCodeFactory(
        activation_date=now - datetime.timedelta(minutes=1),
        expiration_date=now + datetime.timedelta(minutes=1),
    )

    assert attach(learner, code.code).created is True


@pytest.mark.parametrize(
    "contract_fields",
    [
        {"active": False},
        {"contract_start": datetime.date.today() + datetime.timedelta(days=1)},
        {"contract_end": datetime.date.today() - datetime.timedelta(days=1)},
    ],
)
def test_attach_refuses_code_of_contract_that_is_not_open(learner, contract_fields):
    code = EnrollmentCodeFactory(contract=ContractFactory(**contract_fields))

    with pytest.raises(CodeInvalid):
        attach(learner, code.code)


def test_contract_dates_are_inclusive(learner):
    today = timezone.now().date()
    code = EnrollmentCodeFactory(contract=ContractFactory(contract_start=today, contract_end=today))

    assert attach(learner, code.code).created is True


def test_holder_of_a_seat_gets_404_once_the_code_expired(learner):
    code = EnrollmentCodeFactory()
    attach(learner, code.code)
    code.expiration_date = timezone.now() - datetime.timedelta(seconds=1)
    code.save()

    with pytest.raises(CodeInvalid):
        attach(learner, code.code)


def test_one_time_code_used_by_someone_else_is_invalid_while_seats_are_free(learner):
    code = EnrollmentCodeFactory(contract__max_learners=5)
    attach(UserFactory(), code.code)

    with pytest.raises(CodeInvalid):
        attach(learner, code.code)
    assert RedemptionAttempt.objects.get().reason == "invalid_code"


def test_one_time_code_used_by_someone_else_on_full_contract_is_full(learner):
    code = EnrollmentCodeFactory(contract__max_learners=1)
    attach(UserFactory(), code.code)

    with pytest.raises(ContractFull):
        attach(learner, code.code)
    assert RedemptionAttempt.objects.get().reason == "contract_full"


def test_unlimited_code_stops_at_its_cap(learner):
    code = EnrollmentCodeFactory(redemption_type=RedemptionType.UNLIMITED, max_redemptions=2)
    attach(UserFactory(), code.code)
    attach(UserFactory(), code.code)

    with pytest.raises(CodeInvalid):
        attach(learner, code.code)
    code.refresh_from_db()
    assert code.redemption_count == 2


def test_attach_refuses_full_contract_and_writes_nothing(learner):
    contract = ContractFactory(max_learners=2)
    seats_fill(contract, 2)
    code = EnrollmentCodeFactory(contract=contract)

    with pytest.raises(ContractFull):
        attach(learner, code.code)

    contract.refresh_from_db()
    code.refresh_from_db()
    assert contract.seats_held == 2
    assert code.redemption_count == 0
    assert not Seat.objects.filter(learner=learner).exists()
    assert not OrganizationMembership.objects.filter(user=learner).exists()
    assert RedemptionAttempt.objects.get().reason == "contract_full"


@pytest.mark.parametrize("limit", [None, 0])
def test_no_limit_or_zero_means_unlimited(learner, limit):
    contract = ContractFactory(max_learners=limit)
    seats_fill(contract, 3)
    code = EnrollmentCodeFactory(contract=contract, redemption_type=RedemptionType.UNLIMITED)

    assert attach(learner, code.code).created is True


def test_released_seat_frees_the_place_and_learner_can_return(learner):
    contract = ContractFactory(max_learners=1)
    first = attach(learner, EnrollmentCodeFactory(contract=contract).code).seat

    services.seat_release(seat=first)
    contract.refresh_from_db()
    assert contract.seats_held == 0

    again = attach(learner, EnrollmentCodeFactory(contract=contract).code)
    assert again.created is True
    assert Seat.objects.filter(learner=learner).count() == 2
    assert Seat.objects.get(pk=first.pk).released_at is not None


def test_existing_member_keeps_one_membership(learner):
    contract = ContractFactory()
    OrganizationMembership.objects.create(user=learner, organization=contract.organization)

    attach(learner, EnrollmentCodeFactory(contract=contract).code)

    assert OrganizationMembership.objects.filter(user=learner).count() == 1


def test_first_membership_gives_seats_on_open_auto_contracts(learner):
    contract = ContractFactory()
    organization = contract.organization
    auto_open = ContractFactory(organization=organization, membership_type=MembershipType.AUTO)
    auto_full = ContractFactory(
        organization=organization, membership_type=MembershipType.AUTO, max_learners=1
    )
    seats_fill(auto_full, 1)
    ContractFactory(organization=organization, membership_type=MembershipType.AUTO, active=False)
    ContractFactory(organization=organization, membership_type=MembershipType.MANAGED)
    ContractFactory(membership_type=MembershipType.AUTO)  # another organization

    attach(learner, EnrollmentCodeFactory(contract=contract).code)

    seats = Seat.objects.filter(learner=learner)
    assert {(s.contract, s.source, s.code_id) for s in seats} == {
        (contract, SeatSource.CODE, seats.get(contract=contract).code_id),
        (auto_open, SeatSource.AUTO, None),
    }
    auto_open.refresh_from_db()
    auto_full.refresh_from_db()
    assert (auto_open.seats_held, auto_full.seats_held) == (1, 1)


def test_existing_member_gets_no_auto_seats(learner):
    contract = ContractFactory()
    ContractFactory(organization=contract.organization, membership_type=MembershipType.AUTO)
    OrganizationMembership.objects.create(user=learner, organization=contract.organization)

    attach(learner, EnrollmentCodeFactory(contract=contract).code)

    assert Seat.objects.filter(learner=learner).count() == 1


def _install_failing_trigger(table: str) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION injected_failure() RETURNS trigger AS "
                "$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER injected_failure BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION injected_failure()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER injected_failure BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            )


@pytest.mark.parametrize("table", ["contracts_organizationmembership", "contracts_seat"])
def test_failure_half_way_leaves_nothing_behind(learner, table):
    contract = ContractFactory(max_learners=5)
    auto = ContractFactory(organization=contract.organization, membership_type=MembershipType.AUTO)
    code = EnrollmentCodeFactory(contract=contract)
    _install_failing_trigger(table)

    with pytest.raises(DatabaseError):
        attach(learner, code.code)

    code.refresh_from_db()
    assert code.redemption_count == 0
    assert list(
        Contract.objects.filter(pk__in=[contract.pk, auto.pk]).values_list("seats_held", flat=True)
    ) == [0, 0]
    assert not Seat.objects.exists()
    assert not OrganizationMembership.objects.exists()
