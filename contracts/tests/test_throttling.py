"""Failed attaches are limited per learner and per client address; successes never are."""

import datetime
import uuid

import pytest
import redis
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from contracts import services
from contracts.exceptions import AttemptsThrottled, CodeInvalid
from contracts.models import RedemptionAttempt, RedemptionType, Seat
from contracts.tests.factories import ContractFactory, EnrollmentCodeFactory

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"


def url(code: str) -> str:
    return f"/api/v0/b2b/attach/{code}/"


def signed_in(user=None) -> Client:
    client = Client()
    client.force_login(user or UserFactory())
    return client


def fail(client: Client, times: int, address: str = ADDRESS) -> list[int]:
    return [client.post(url("NOSUCHCODE"), REMOTE_ADDR=address).status_code for _ in range(times)]


def test_eleventh_failure_of_a_learner_gets_429_while_another_learner_is_served():
    blocked, other = signed_in(), signed_in()
    code = EnrollmentCodeFactory(redemption_type=RedemptionType.UNLIMITED)

    assert fail(blocked, 10, address="198.51.100.1") == [404] * 10
    eleventh = blocked.post(url("NOSUCHCODE"), REMOTE_ADDR="198.51.100.1")

    assert eleventh.status_code == 429
    assert eleventh.json() == {
        "detail": f"Too many failed attempts. Try again in {eleventh['Retry-After']} seconds.",
        "code": "throttled",
    }
    assert 1 <= int(eleventh["Retry-After"]) <= 60
    assert other.post(url("NOSUCHCODE"), REMOTE_ADDR="198.51.100.2").status_code == 404
    assert other.post(url(code.code), REMOTE_ADDR="198.51.100.2").status_code == 201


def test_blocked_learner_gets_429_for_a_valid_code_too():
    # Answering 201 to a valid code and 429 to the others would tell which codes are valid.
    client = signed_in()
    code = EnrollmentCodeFactory()
    fail(client, 10)

    response = client.post(url(code.code), REMOTE_ADDR=ADDRESS)

    assert response.status_code == 429
    assert not Seat.objects.exists()
    code.refresh_from_db()
    assert code.redemption_count == 0


def test_429_is_recorded_and_does_not_extend_the_block():
    learner = UserFactory()
    client = signed_in(learner)
    fail(client, 10)

    assert fail(client, 5) == [429] * 5

    reasons = list(RedemptionAttempt.objects.filter(user=learner).values_list("reason", flat=True))
    assert reasons.count("invalid_code") == 10
    assert reasons.count("throttled") == 5
    assert RedemptionAttempt.objects.filter(reason="throttled").first().client_address == ADDRESS


def test_successful_attaches_are_never_throttled():
    learner = UserFactory()
    client = signed_in(learner)
    contracts = ContractFactory.create_batch(15)

    statuses = [
        client.post(url(EnrollmentCodeFactory(contract=c).code), REMOTE_ADDR=ADDRESS).status_code
        for c in contracts
    ]

    assert statuses == [201] * 15
    assert Seat.objects.filter(learner=learner).count() == 15


def test_already_attached_answers_do_not_count_as_failures():
    client = signed_in()
    code = EnrollmentCodeFactory()
    client.post(url(code.code), REMOTE_ADDR=ADDRESS)

    assert [client.post(url(code.code), REMOTE_ADDR=ADDRESS).status_code for _ in range(12)] == [
        200
    ] * 12
    assert fail(client, 10) == [404] * 10


def test_success_between_failures_does_not_reset_the_count():
    client = signed_in()
    fail(client, 9)
    assert client.post(url(EnrollmentCodeFactory().code), REMOTE_ADDR=ADDRESS).status_code == 201

    assert fail(client, 2) == [404, 429]


def test_full_contract_answers_count_as_failures():
    client = signed_in()
    full = ContractFactory(max_learners=1)
    EnrollmentCodeFactory(contract=full)
    services.seat_attach(learner=UserFactory(), code=full.codes.get().code)
    spare = EnrollmentCodeFactory(contract=full, redemption_type=RedemptionType.UNLIMITED)

    statuses = [client.post(url(spare.code), REMOTE_ADDR=ADDRESS).status_code for _ in range(11)]

    assert statuses == [409] * 10 + [429]


def test_sixty_first_failure_from_one_address_is_refused_for_a_new_learner():
    for _ in range(6):
        assert fail(signed_in(), 10) == [404] * 10

    fresh = signed_in()
    assert fresh.post(url("NOSUCHCODE"), REMOTE_ADDR=ADDRESS).status_code == 429
    assert fresh.post(url("NOSUCHCODE"), REMOTE_ADDR="198.51.100.9").status_code == 404


def test_block_ends_when_the_oldest_failure_leaves_the_window():
    learner = UserFactory()
    for _ in range(10):
        with pytest.raises(CodeInvalid):
            services.seat_attach(learner=learner, code="NOSUCHCODE", client_address=ADDRESS)
    now = timezone.now()
    # Age the failures: the oldest 61 s ago, the others 30 s ago.
    attempts = RedemptionAttempt.objects.filter(user=learner).order_by("pk")
    RedemptionAttempt.objects.filter(pk=attempts[0].pk).update(
        created_at=now - datetime.timedelta(seconds=61)
    )
    RedemptionAttempt.objects.filter(pk__in=[a.pk for a in attempts[1:]]).update(
        created_at=now - datetime.timedelta(seconds=30)
    )

    with pytest.raises(CodeInvalid):
        services.seat_attach(learner=learner, code="NOSUCHCODE", client_address=ADDRESS)
    with pytest.raises(AttemptsThrottled) as refused:
        services.seat_attach(learner=learner, code="NOSUCHCODE", client_address=ADDRESS)
    assert 29 <= refused.value.retry_after <= 31


def test_limits_come_from_settings_and_zero_turns_one_off(settings):
    settings.ATTACH_FAILURES_PER_USER = 2
    settings.ATTACH_FAILURES_PER_ADDRESS = 0
    client = signed_in()

    assert fail(client, 3) == [404, 404, 429]
    for _ in range(3):
        assert fail(signed_in(), 2) == [404, 404]


def test_service_raises_throttled_for_other_interfaces_too():
    learner = UserFactory()
    for _ in range(10):
        with pytest.raises(CodeInvalid):
            services.seat_attach(learner=learner, code="WRONG", client_address=None)

    with pytest.raises(AttemptsThrottled) as refused:
        services.seat_attach(learner=learner, code=EnrollmentCodeFactory().code)

    assert refused.value.status_code == 429
    assert refused.value.retry_after >= 1


# Redis: the same rule with the counters in Redis, and no SQL for the check.


@pytest.fixture
def redis_counters(settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    settings.REDIS_KEY_PREFIX = f"seatkeeper-test-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(settings.REDIS_URL)
    yield client
    for key in client.scan_iter(f"{settings.REDIS_KEY_PREFIX}:*"):
        client.delete(key)


def test_redis_counters_block_the_eleventh_failure(redis_counters, settings):
    client = signed_in()
    assert fail(client, 10) == [404] * 10
    response = client.post(url("NOSUCHCODE"), REMOTE_ADDR=ADDRESS)

    assert response.status_code == 429
    keys = {key.decode() for key in redis_counters.scan_iter(f"{settings.REDIS_KEY_PREFIX}:*")}
    assert keys == {
        f"{settings.REDIS_KEY_PREFIX}:attach-failures:address:{ADDRESS}",
        f"{settings.REDIS_KEY_PREFIX}:attach-failures:user:{response.wsgi_request.user.pk}",
    }


def test_redis_counters_ignore_the_database_rows(redis_counters):
    learner = UserFactory()
    RedemptionAttempt.objects.bulk_create(
        RedemptionAttempt(user=learner, client_address=ADDRESS, reason="invalid_code")
        for _ in range(20)
    )

    assert fail(signed_in(learner), 1) == [404]


def test_redis_window_forgets_old_failures(redis_counters, settings):
    learner = UserFactory()
    old = timezone.now() - datetime.timedelta(seconds=61)
    key = f"{settings.REDIS_KEY_PREFIX}:attach-failures:user:{learner.pk}"
    redis_counters.zadd(key, {f"old-{n}": old.timestamp() for n in range(10)})

    assert fail(signed_in(learner), 1) == [404]
    assert redis_counters.zcard(key) == 1


def test_redis_success_path_adds_no_sql_statement(redis_counters):
    code = EnrollmentCodeFactory(redemption_type=RedemptionType.UNLIMITED)
    client = signed_in()

    with CaptureQueriesContext(connection) as captured:
        assert client.post(url(code.code)).status_code == 201

    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 9  # the 10 of test_api.py less the failure count
    assert not [sql for sql in statements if "redemptionattempt" in sql]


def test_unreachable_redis_lets_attach_through(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    client = signed_in()

    assert fail(client, 12) == [404] * 12
    assert client.post(url(EnrollmentCodeFactory().code)).status_code == 201


@pytest.mark.parametrize("mapped", ["::ffff:203.0.113.9", "::ffff:cb00:7109"])
def test_an_ipv4_client_seen_through_an_ipv6_socket_counts_as_its_ipv4_address(settings, mapped):
    settings.ATTACH_FAILURES_PER_USER = 0
    settings.ATTACH_FAILURES_PER_ADDRESS = 3
    answers = [
        signed_in().post(url("NOSUCHCODE"), REMOTE_ADDR=mapped).status_code for _ in range(3)
    ]
    answers.append(signed_in().post(url("NOSUCHCODE"), REMOTE_ADDR="203.0.113.9").status_code)

    assert answers == [404, 404, 404, 429]
    assert set(RedemptionAttempt.objects.values_list("client_address", flat=True)) == {
        "203.0.113.9"
    }
