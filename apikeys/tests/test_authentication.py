"""Authorization: Api-Key <key>: accepted, refused, stored hashed, last use noted."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apikeys.models import ApiKey
from apikeys.services import LAST_USED_PRECISION, api_key_mark_used, api_key_revoke
from apikeys.tests.factories import api_key_issue, key_client
from contracts.models import RedemptionAttempt, Seat
from contracts.tests.factories import EnrollmentCodeFactory

pytestmark = pytest.mark.django_db

CONTRACTS = "/api/v0/b2b/contracts/"


def test_key_is_stored_hashed_and_never_in_clear():
    api_key, secret = api_key_issue()

    row = ApiKey.objects.get(pk=api_key.pk)
    assert secret.startswith(f"{row.prefix}.")
    assert secret not in (row.id, row.hashed_key)
    assert row.hashed_key.startswith("sha512$$")


def test_valid_key_reads_and_notes_its_last_use():
    api_key, secret = api_key_issue()
    assert api_key.last_used_at is None

    response = key_client(secret).get(CONTRACTS)

    assert response.status_code == 200
    api_key.refresh_from_db()
    assert timezone.now() - api_key.last_used_at < datetime.timedelta(seconds=5)


def test_last_use_is_written_at_most_once_a_minute():
    api_key, secret = api_key_issue()
    client = key_client(secret)
    client.get(CONTRACTS)
    first_use = ApiKey.objects.get(pk=api_key.pk).last_used_at

    with CaptureQueriesContext(connection) as captured:
        client.get(CONTRACTS)

    assert not [q for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == first_use


def test_last_use_is_written_again_after_a_minute():
    api_key, _ = api_key_issue()
    start = timezone.now()
    assert api_key_mark_used(api_key=api_key, now=start) is True
    assert api_key_mark_used(api_key=api_key, now=start + datetime.timedelta(seconds=59)) is False

    later = start + LAST_USED_PRECISION + datetime.timedelta(seconds=1)
    assert api_key_mark_used(api_key=api_key, now=later) is True
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == later


def test_stale_copy_does_not_move_last_use_back():
    api_key, _ = api_key_issue()
    now = timezone.now()
    api_key_mark_used(api_key=ApiKey.objects.get(pk=api_key.pk), now=now)

    stale_copy = ApiKey.objects.get(pk=api_key.pk)
    stale_copy.last_used_at = None
    assert api_key_mark_used(api_key=stale_copy, now=now - datetime.timedelta(minutes=5)) is False
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == now


def test_revoked_key_is_refused_with_401_and_a_challenge():
    api_key, secret = api_key_issue()
    api_key_revoke(api_key=api_key)

    response = key_client(secret).get(CONTRACTS)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Api-Key"
    assert response.json() == {
        "detail": "Invalid, expired or revoked API key.",
        "code": "authentication_failed",
    }


def test_expired_key_is_refused():
    _, secret = api_key_issue(expiry_date=timezone.now() - datetime.timedelta(seconds=1))

    assert key_client(secret).get(CONTRACTS).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Api-Key",
        "Api-Key a b",
        "Api-Key nosuchkey",
        "Api-Key AAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
        "api-key ' OR 1=1 --",
        "Api-Key \u00e9\u00e9\u00e9",
    ],
)
def test_malformed_or_unknown_key_is_refused_with_401(header):
    api_key_issue()

    response = Client(headers={"Authorization": header}).get(CONTRACTS)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_key_with_a_changed_secret_is_refused():
    _, secret = api_key_issue()
    prefix, rest = secret.split(".")
    tampered = f"{prefix}.{rest[:-1]}{'A' if rest[-1] != 'A' else 'B'}"

    assert key_client(tampered).get(CONTRACTS).status_code == 401


def test_other_authorization_schemes_are_left_to_the_session():
    response = Client(headers={"Authorization": "Bearer something"}).get(CONTRACTS)

    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"
    assert "WWW-Authenticate" not in response.headers


def test_api_key_cannot_attach():
    code = EnrollmentCodeFactory()
    _, secret = api_key_issue()

    response = key_client(secret).post(f"/api/v0/b2b/attach/{code.code}/")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Attach needs a signed-in learner; an API key gives read access only.",
        "code": "permission_denied",
    }
    assert not Seat.objects.exists()
    assert not RedemptionAttempt.objects.exists()
