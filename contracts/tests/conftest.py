"""Fixtures of the contracts tests: a signed-in staff member for the admin pages."""

import pytest
from django.test import Client

from accounts.models import User


@pytest.fixture
def staff() -> User:
    return User.objects.create_superuser(email="staff@example.com", password="x")


@pytest.fixture
def staff_client(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client
