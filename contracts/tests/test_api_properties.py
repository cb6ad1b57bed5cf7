"""Property-based test of every API operation, generated from the OpenAPI schema itself.

For every operation, as each kind of caller, Schemathesis sends generated requests (path values,
headers) through the WSGI application: no answer may be a 5xx, and every answer must be listed in
the schema for its operation, with the declared content type, headers and body.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.tests.factories import UserFactory
from apikeys.tests.factories import api_key_issue
from config.wsgi import application
from contracts.models import OrganizationMembership
from contracts.tests.factories import ContractFactory, EnrollmentCodeFactory

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# The schema as the application serves it; requests go to the application in this process, so
# they see the test's database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def keep_connection(callers):
    # Requests reach the WSGI application itself, which closes the database connection when a
    # request starts and ends; that would end the test's transaction. (Django's test client
    # does the same, so this comes after the callers' sign-ins.)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _session_headers(user) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    client.get("/")  # sets the CSRF cookie
    session, token = client.cookies["sessionid"].value, client.cookies["csrftoken"].value
    return {"Cookie": f"sessionid={session}; csrftoken={token}", "X-CSRFToken": token}


@pytest.fixture
def callers(db) -> dict[str, dict[str, str]]:
    """Data to find, and the headers of each kind of caller."""
    contract = ContractFactory(max_learners=3)
    EnrollmentCodeFactory(contract=contract)
    learner = UserFactory()
    OrganizationMembership.objects.create(user=learner, organization=contract.organization)
    return {
        "anonymous": {},
        "learner": _session_headers(learner),
        "staff": _session_headers(UserFactory(is_staff=True)),
        "api_key": {"Authorization": f"Api-Key {api_key_issue()[1]}"},
    }


@pytest.mark.django_db
@pytest.mark.parametrize("caller", ["anonymous", "learner", "staff", "api_key"])
@schema.parametrize()
# Derandomized: CI sees the same examples on every run, so a red build always means a change
# broke something. To explore wider by hand, drop `derandomize` and raise `max_examples`
# (300 random examples a run found nothing more when this was set).
@settings(
    max_examples=50,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_within_its_schema(case, callers, caller, keep_connection):
    case.call_and_validate(headers=callers[caller], checks=CHECKS)
