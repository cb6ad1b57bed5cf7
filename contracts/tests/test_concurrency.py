"""The seat and code invariants under real collisions against PostgreSQL.

Each request runs in its own thread with its own database connection. Every thread connects
first, then waits at a barrier, so the requests reach the database together.
"""

import threading
from collections import Counter
from collections.abc import Callable
from functools import partial

import pytest
from django.db import connection, connections
from django.test import Client

from accounts.tests.factories import UserFactory
from contracts import services
from contracts.exceptions import ContractFull
from contracts.models import (
    Contract,
    EnrollmentCode,
    MembershipType,
    OrganizationMembership,
    RedemptionType,
    Seat,
    SeatSource,
)
from contracts.tests.factories import (
    ContractFactory,
    EnrollmentCodeFactory,
    OrganizationFactory,
    seats_fill,
)
from core.exceptions import ApplicationError

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_address_limit(settings):
    # Every simulated learner posts from the test client's one address: 90 refusals from it would
    # trip the per-address throttle, which is not what these tests are about.
    settings.ATTACH_FAILURES_PER_ADDRESS = 0


def race(calls: list[Callable[[], object]]) -> list[object]:
    """Run every call at the same instant, each in its own thread and connection; return what
    each returned, or the business refusal it raised, in order. Any other error fails the test."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            outcomes[index] = call()
        except ApplicationError as refusal:
            outcomes[index] = refusal
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    # The main thread's connection is not needed while the others run: leave room for them.
    connections.close_all()
    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return outcomes


def collide(clients: list[Client], path: str) -> Counter[int]:
    """Post to path from every client at the same instant; count the answers by status."""
    return Counter(race([partial(post, client, path) for client in clients]))


def post(client: Client, path: str) -> int:
    return client.post(path).status_code


def signed_in(users) -> list[Client]:
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def test_hundred_learners_for_the_last_ten_seats():
    contract = ContractFactory(max_learners=50)
    seats_fill(contract, 40)
    code = EnrollmentCodeFactory(contract=contract, redemption_type=RedemptionType.UNLIMITED)
    learners = UserFactory.create_batch(100)
    clients = signed_in(learners)

    statuses = collide(clients, f"/api/v0/b2b/attach/{code.code}/")

    assert statuses == {201: 10, 409: 90}
    contract.refresh_from_db()
    assert contract.seats_held == 50
    assert Seat.objects.filter(contract=contract, released_at__isnull=True).count() == 50
    assert EnrollmentCode.objects.get(pk=code.pk).redemption_count == 10
    assert OrganizationMembership.objects.filter(user__in=learners).count() == 10


def test_twenty_learners_with_one_one_time_code():
    code = EnrollmentCodeFactory(contract__max_learners=100)
    clients = signed_in(UserFactory.create_batch(20))

    statuses = collide(clients, f"/api/v0/b2b/attach/{code.code}/")

    assert statuses == {201: 1, 404: 19}
    assert Seat.objects.filter(code=code).count() == 1
    assert EnrollmentCode.objects.get(pk=code.pk).redemption_count == 1
    assert Contract.objects.get(pk=code.contract_id).seats_held == 1


@pytest.mark.parametrize("redemption_type", [RedemptionType.ONE_TIME, RedemptionType.UNLIMITED])
def test_one_learner_posting_one_code_ten_times(redemption_type):
    code = EnrollmentCodeFactory(contract__max_learners=5, redemption_type=redemption_type)
    learner = UserFactory()
    clients = signed_in([learner] * 10)

    statuses = collide(clients, f"/api/v0/b2b/attach/{code.code}/")

    assert statuses == {201: 1, 200: 9}
    assert Seat.objects.filter(learner=learner).count() == 1
    assert EnrollmentCode.objects.get(pk=code.pk).redemption_count == 1
    assert Contract.objects.get(pk=code.contract_id).seats_held == 1
    assert OrganizationMembership.objects.filter(user=learner).count() == 1


def test_staff_adding_learners_while_learners_attach_for_the_last_seats():
    contract = ContractFactory(max_learners=30)
    seats_fill(contract, 20)
    code = EnrollmentCodeFactory(contract=contract, redemption_type=RedemptionType.UNLIMITED)
    attaching = signed_in(UserFactory.create_batch(15))
    added = UserFactory.create_batch(15)
    staff = UserFactory(is_staff=True)
    path = f"/api/v0/b2b/attach/{code.code}/"

    outcomes = race(
        [partial(post, client, path) for client in attaching]
        + [partial(services.seat_add, learner=u, contract=contract, by=staff) for u in added]
    )

    answers = Counter(outcomes[:15])
    seats_added = [o for o in outcomes[15:] if isinstance(o, Seat)]
    refused = [o for o in outcomes[15:] if not isinstance(o, Seat)]
    assert set(answers) <= {201, 409}
    assert all(isinstance(refusal, ContractFull) for refusal in refused)
    assert answers[201] + len(seats_added) == 10
    contract.refresh_from_db()
    assert contract.seats_held == 30
    assert Seat.objects.filter(contract=contract, released_at__isnull=True).count() == 30
    assert Seat.objects.filter(contract=contract, source=SeatSource.ADMIN).count() == 20 + len(
        seats_added
    )
    assert EnrollmentCode.objects.get(pk=code.pk).redemption_count == answers[201]


def test_two_code_syncs_at_once_issue_the_missing_codes_once():
    contract = services.contract_create(
        organization=OrganizationFactory(),
        name="Pilot",
        membership_type=MembershipType.CODE,
        max_learners=5,
    )
    Contract.objects.filter(pk=contract.pk).update(max_learners=15)
    contract.refresh_from_db()  # each run starts from the row as it reads it, as validate does

    changes = race([partial(services.contract_codes_sync, contract=contract)] * 2)

    assert sorted(change.issued for change in changes) == [0, 10]
    assert contract.codes.filter(redemption_type=RedemptionType.ONE_TIME).count() == 15
