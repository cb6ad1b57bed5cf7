"""Fixtures of the contracts tests: a signed-in staff member, a contract for the admin, and a
shell whose commands use their own database."""

import os
import subprocess
import sys

import pytest
from django.test import Client

from accounts.models import User
from contracts import services
from contracts.models import Contract, MembershipType
from contracts.tests.factories import OrganizationFactory


@pytest.fixture
def staff() -> User:
    return User.objects.create_superuser(email="staff@example.com", password="x")


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def contract() -> Contract:
    """A code contract of Acme with three seats, made as staff make one (with its codes)."""
    return services.contract_create(
        organization=OrganizationFactory(name="Acme", key="acme"),
        name="Pilot",
        membership_type=MembershipType.CODE,
        max_learners=3,
    )


@pytest.fixture(scope="module")
def shell_database(tmp_path_factory) -> dict[str, str]:
    """The environment of a shell whose commands use a fresh, migrated SQLite file."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["SQLITE_PATH"] = str(tmp_path_factory.mktemp("shell") / "db.sqlite3")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        env=env,
        check=True,
        capture_output=True,
    )
    return env
