"""Data for the attach benchmarks, made with set-based SQL (PostgreSQL only), and removed after.

Everything made here is named with a `bench-` prefix, so that `remove_all` can take it away
again and runs of `make bench` do not pile up rows in the benchmark database.
"""

import datetime
import secrets

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import User
from contracts.models import Contract, EnrollmentCode, MembershipType, Organization, RedemptionType

BACKEND = "django.contrib.auth.backends.ModelBackend"
_session_keys: list[str] = []


def _tag() -> str:
    return secrets.token_hex(4)


def organization_create() -> Organization:
    tag = _tag()
    return Organization.objects.create(name=f"Bench {tag}", key=f"bench-{tag}", slug=f"bench-{tag}")


def learners_create(count: int) -> list[User]:
    """Create count learners (unusable passwords) in one statement."""
    tag = _tag()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, first_name, last_name, email,
                                       is_staff, is_active, date_joined)
            SELECT '!', false, '', '', 'bench-' || %s || '-' || g || '@example.com',
                   false, true, now()
            FROM generate_series(1, %s) AS g
            """,
            [tag, count],
        )
    return list(User.objects.filter(email__startswith=f"bench-{tag}-").order_by("pk"))


def contract_create(organization: Organization, *, held: int, max_learners: int | None) -> Contract:
    """Create a code contract on which `held` new learners already hold a seat."""
    tag = _tag()
    contract = Contract.objects.create(
        organization=organization,
        name=f"Bench {tag}",
        slug=f"bench-{tag}",
        membership_type=MembershipType.CODE,
        max_learners=max_learners,
    )
    if held:
        learners = learners_create(held)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO contracts_seat (contract_id, learner_id, source, created_at)
                SELECT %s, id, 'import', now() FROM accounts_user WHERE id = ANY(%s)
                """,
                [contract.pk, [learner.pk for learner in learners]],
            )
            cursor.execute("ANALYZE contracts_seat")
        Contract.objects.filter(pk=contract.pk).update(seats_held=held)
        contract.refresh_from_db()
    return contract


def code_create(contract: Contract, *, unlimited: bool) -> EnrollmentCode:
    return EnrollmentCode.objects.create(
        code=f"BENCH{secrets.token_hex(8).upper()}",
        contract=contract,
        redemption_type=RedemptionType.UNLIMITED if unlimited else RedemptionType.ONE_TIME,
    )


def sessions_create(learners: list[User]) -> list[str]:
    """Create a signed-in session for each learner, in bulk; return the session keys."""
    store = SessionStore()
    expires = timezone.now() + datetime.timedelta(days=1)
    sessions = [
        Session(
            session_key=secrets.token_hex(16),
            session_data=store.encode(
                {
                    SESSION_KEY: str(learner.pk),
                    BACKEND_SESSION_KEY: BACKEND,
                    HASH_SESSION_KEY: learner.get_session_auth_hash(),
                }
            ),
            expire_date=expires,
        )
        for learner in learners
    ]
    Session.objects.bulk_create(sessions, batch_size=2000)
    keys = [session.session_key for session in sessions]
    _session_keys.extend(keys)
    return keys


class SessionClient:
    """Post as a signed-in learner through one shared test client.

    Each Django test client builds its own request handler, middleware and all (WhiteNoise
    scans every static file then), which a server does once per process: sharing one client
    keeps that start-up cost out of the figures."""

    shared = Client()

    def __init__(self, session_key: str) -> None:
        self.session_key = session_key

    def post(self, path: str) -> int:
        self.shared.cookies["sessionid"] = self.session_key
        return self.shared.post(path).status_code


def signed_in_clients(learners: list[User]) -> list[SessionClient]:
    """Return a client for each learner, each with its own session."""
    return [SessionClient(key) for key in sessions_create(learners)]


def remove_all() -> None:
    """Delete every row the attach benchmarks made, children first (set-based: fast at 100k)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM accounts_user WHERE email LIKE 'bench-%%@example.com'")
        users = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT id FROM contracts_organization WHERE key LIKE 'bench-%%'")
        organizations = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT id FROM contracts_contract WHERE organization_id = ANY(%s)", [organizations]
        )
        contracts = [row[0] for row in cursor.fetchall()]
        for statement, ids in (
            ("DELETE FROM django_session WHERE session_key = ANY(%s)", _session_keys),
            ("DELETE FROM contracts_seat WHERE learner_id = ANY(%s)", users),
            ("DELETE FROM contracts_seat WHERE contract_id = ANY(%s)", contracts),
            ("DELETE FROM contracts_enrollmentcode WHERE contract_id = ANY(%s)", contracts),
            ("DELETE FROM contracts_contract WHERE id = ANY(%s)", contracts),
            ("DELETE FROM contracts_organizationmembership WHERE user_id = ANY(%s)", users),
            ("DELETE FROM contracts_organization WHERE id = ANY(%s)", organizations),
            ("DELETE FROM contracts_redemptionattempt WHERE user_id = ANY(%s)", users),
            ("DELETE FROM accounts_user WHERE id = ANY(%s)", users),
        ):
            cursor.execute(statement, [ids])
    _session_keys.clear()
