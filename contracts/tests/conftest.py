"""Fixtures of the contracts tests: a signed-in staff member and a contract for the admin."""

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
