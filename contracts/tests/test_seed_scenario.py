"""The whole flow as staff and learners work it from a fresh clone, end to end."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.tests.factories import UserFactory
from contracts.models import Contract, Seat

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def signed_in() -> Client:
    client = Client()
    client.force_login(UserFactory())
    return client


def test_seed_scenario():
    created = json.loads(
        run(
            "b2b_contract",
            "create",
            "Acme",
            "Pilot",
            "code",
            "--create",
            "--org-key",
            "acme",
            "--max-learners",
            "1",
            "--format",
            "json",
        )
    )
    contract_id = str(created["id"])
    [row] = json.loads(run("b2b_codes", "output", "--contract", contract_id, "--format", "json"))

    first = signed_in()
    attach_url = f"/api/v0/b2b/attach/{row['code']}/"
    joined = first.post(attach_url)
    assert joined.status_code == 201
    assert [c["slug"] for c in joined.json()] == [created["slug"]]

    again = first.post(attach_url)
    assert again.status_code == 200
    assert again.json() == joined.json()

    [other] = json.loads(
        run("b2b_codes", "generate", "--contract", contract_id, "--format", "json")
    )
    full = signed_in().post(f"/api/v0/b2b/attach/{other['code']}/")
    assert full.status_code == 409
    assert full.json() == {"detail": "Contract is full.", "code": "contract_full"}

    assert Contract.objects.get(pk=contract_id).seats_held == 1
    assert Seat.objects.count() == 1


def test_demo_data_loads_twice_and_prints_sign_in_and_links(settings):
    settings.DEBUG = True
    first = run("b2b_demo")
    second = run("b2b_demo")

    for out in (first, second):
        assert "admin@example.com / " in out
        assert "/enrollmentcode/" in out
    assert Contract.objects.count() == 2
    password = first.split("admin@example.com / ")[1].split()[0]
    new_password = second.split("admin@example.com / ")[1].split()[0]
    client = Client()
    assert not client.login(email="admin@example.com", password=password)
    assert client.login(email="admin@example.com", password=new_password)
    assert client.get("/admin/").status_code == 200
