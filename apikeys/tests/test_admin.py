"""Staff create and revoke API keys in the admin; the secret is shown once."""

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from accounts.tests.factories import UserFactory
from apikeys.models import ApiKey
from apikeys.tests.factories import api_key_issue, key_client

pytestmark = pytest.mark.django_db

ADMIN = "/admin/apikeys/apikey/"


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_creates_a_key_and_shows_its_secret_once(staff_client):
    add_page = staff_client.get(f"{ADMIN}add/").content.decode()
    assert 'name="revoked"' not in add_page

    response = staff_client.post(f"{ADMIN}add/", {"name": "Reporting server"}, follow=True)

    assert response.status_code == 200
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    secret = re.search(r"is: (\S+) Store it now", " ".join(shown)).group(1)
    api_key = ApiKey.objects.get()
    assert api_key.name == "Reporting server"
    assert api_key.created_by.is_staff
    assert secret not in api_key.hashed_key
    assert key_client(secret).get("/api/v0/b2b/organizations/").status_code == 200
    assert api_key.revoked is False
    # The change page of the key never shows the secret again.
    assert secret not in staff_client.get(f"{ADMIN}{api_key.pk}/change/").content.decode()


def test_admin_revokes_a_key_from_its_page(staff_client):
    api_key, secret = api_key_issue()

    response = staff_client.post(f"{ADMIN}{api_key.pk}/change/", {"revoked": "on"})

    assert response.status_code == 302
    assert ApiKey.objects.get(pk=api_key.pk).revoked is True
    assert key_client(secret).get("/api/v0/b2b/organizations/").status_code == 401


def test_admin_revokes_selected_keys_with_the_action(staff_client):
    first, first_secret = api_key_issue(name="one")
    second, _ = api_key_issue(name="two")
    _, kept_secret = api_key_issue(name="kept")

    staff_client.post(
        ADMIN, {"action": "revoke_selected", "_selected_action": [first.pk, second.pk]}
    )

    assert set(ApiKey.objects.filter(revoked=True).values_list("name", flat=True)) == {
        "one",
        "two",
    }
    assert key_client(first_secret).get("/api/v0/b2b/contracts/").status_code == 401
    assert key_client(kept_secret).get("/api/v0/b2b/contracts/").status_code == 200


def test_admin_cannot_delete_or_unrevoke_a_key(staff_client):
    api_key, _ = api_key_issue()
    staff_client.post(f"{ADMIN}{api_key.pk}/change/", {"revoked": "on"})

    staff_client.post(f"{ADMIN}{api_key.pk}/change/", {})
    deleted = staff_client.post(f"{ADMIN}{api_key.pk}/delete/", {"post": "yes"})

    assert deleted.status_code == 403
    assert ApiKey.objects.get(pk=api_key.pk).revoked is True


def test_admin_lists_keys_with_last_use_and_hides_the_library_table(staff_client):
    api_key_issue(name="Listed key")

    page = staff_client.get(ADMIN).content.decode()
    index = staff_client.get("/admin/").content.decode()

    assert "Listed key" in page
    assert "Last used at" in page
    assert "/admin/rest_framework_api_key/" not in index


def test_creating_and_revoking_a_key_is_kept_in_history_without_its_secret(staff_client):
    created = staff_client.post(f"{ADMIN}add/", {"name": "Reporting server"}, follow=True)
    shown = " ".join(str(m) for m in get_messages(created.wsgi_request))
    secret = re.search(r"is: (\S+) Store it now", shown).group(1)
    api_key = ApiKey.objects.get()
    staff_client.post(f"{ADMIN}{api_key.pk}/change/", {"revoked": "on"})

    history = staff_client.get(f"{ADMIN}{api_key.pk}/history/").content.decode()

    assert "Revoked</strong>: False &rarr; True" in history
    assert secret not in history
    assert secret.split(".", 1)[1] not in history
