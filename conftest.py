"""Fixtures shared by every app's tests."""

import pytest
from django.conf import settings
from django.test import Client

from accounts.tests.factories import UserFactory


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the tests that need PostgreSQL when the suite runs on SQLite."""
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    keep = [item for item in items if item.get_closest_marker("postgresql") is None]
    left_out = [item for item in items if item.get_closest_marker("postgresql") is not None]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = keep


@pytest.fixture(autouse=True)
def _fast_passwords(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def learner(db):  # type: ignore[no-untyped-def]
    return UserFactory()


@pytest.fixture
def learner_client(learner) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(learner)
    return client
