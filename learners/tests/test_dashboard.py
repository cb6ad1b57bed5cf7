"""/dashboard/ and the landing page: what a signed-in learner holds, and where to go next."""

import datetime

import pytest
from django.db import connection
from django.template import loader
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts import selectors
from contracts.models import OrganizationMembership, Seat, SeatSource
from contracts.services import seat_attach, seat_release
from contracts.tests.factories import ContractFactory, EnrollmentCodeFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 4)


def join(learner, contract) -> Seat:
    code = EnrollmentCodeFactory(contract=contract)
    return seat_attach(learner=learner, code=code.code).seat


def test_the_dashboard_needs_a_signed_in_learner():
    response = Client().get("/dashboard/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/"


def test_the_dashboard_lists_organizations_contracts_dates_and_welcomes(learner_client, learner):
    acme = OrganizationFactory(name="Acme Corporation")
    join(
        learner,
        ContractFactory(
            organization=acme,
            name="Data Science",
            contract_start=datetime.date(2026, 1, 1),
            contract_end=datetime.date(2099, 12, 31),
            welcome_message="Welcome to data science.",
            welcome_message_extra="See https://learn.example.org/start for the first steps.",
        ),
    )
    join(learner, ContractFactory(organization__name="Globex", name="Leadership"))

    response = learner_client.get("/dashboard/")

    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Acme Corporation") < body.index("Data Science") < body.index("Globex")
    assert body.index("Globex") < body.index("Leadership")
    assert "Runs from 1 January 2026 to 31 December 2099" in body
    assert "Welcome to data science." in body
    assert '<a href="https://learn.example.org/start" rel="nofollow">' in body
    assert "No start or end date" in body
    assert 'action="/enrollmentcode/"' in body
    assert "no-cache" in response["Cache-Control"]


def test_the_dashboard_shows_nothing_of_other_learners_or_released_seats(
    learner_client, learner, django_user_model
):
    other = django_user_model.objects.create_user(email="other@example.com")
    join(other, ContractFactory(name="Not Mine", organization__name="Elsewhere"))
    released = join(learner, ContractFactory(name="Left Behind", organization__name="Initech"))
    seat_release(seat=released)

    body = learner_client.get("/dashboard/").content.decode()

    assert "Not Mine" not in body
    assert "Elsewhere" not in body
    assert "Left Behind" not in body
    assert "You are a member of Initech but hold no seat on its contracts." in body


def test_a_learner_without_contracts_is_told_how_to_join(learner_client):
    body = learner_client.get("/dashboard/").content.decode()

    assert "You have not joined any contract yet." in body
    assert 'name="code"' in body


def test_the_dashboard_statements_do_not_grow_with_contracts(learner_client, learner):
    join(learner, ContractFactory())
    with CaptureQueriesContext(connection) as one:
        learner_client.get("/dashboard/")
    for _ in range(5):
        join(learner, ContractFactory())  # a new organization each time

    with CaptureQueriesContext(connection) as six:
        response = learner_client.get("/dashboard/")

    assert response.content.decode().count('class="card contract"') == 6
    assert len(six) == len(one)
    # Session and user for authentication, then the learner's seats and memberships.
    assert len(six) == 4


def test_learner_contracts_groups_by_organization_with_a_status_per_contract(learner):
    acme = OrganizationFactory(name="acme")
    beta = OrganizationFactory(name="Beta")
    open_now = ContractFactory(organization=beta, name="B open")
    ended = ContractFactory(organization=acme, name="A ended", contract_end=TODAY)
    upcoming = ContractFactory(
        organization=acme, name="C upcoming", contract_start=TODAY + datetime.timedelta(days=2)
    )
    paused = ContractFactory(organization=acme, name="D paused", active=False)
    for contract in (open_now, ended, upcoming, paused):
        Seat.objects.create(contract=contract, learner=learner, source=SeatSource.ADMIN)
    OrganizationMembership.objects.create(user=learner, organization=beta)

    result = selectors.learner_contracts(learner=learner, day=TODAY + datetime.timedelta(days=1))

    assert [item.organization for item in result] == [acme, beta]
    assert [(c.contract.name, c.status) for c in result[0].contracts] == [
        ("A ended", "ended"),
        ("C upcoming", "upcoming"),
        ("D paused", "inactive"),
    ]
    assert [(c.contract.name, c.status) for c in result[1].contracts] == [("B open", "open")]


def test_learner_contracts_is_empty_for_a_new_learner(learner):
    assert selectors.learner_contracts(learner=learner, day=TODAY) == []


def test_the_landing_page_invites_a_visitor_to_sign_up_or_sign_in():
    body = Client().get("/").content.decode()

    assert 'href="/accounts/signup/"' in body
    assert 'href="/accounts/login/"' in body


def test_the_landing_page_points_a_learner_to_the_dashboard(learner_client, learner):
    body = learner_client.get("/").content.decode()

    assert learner.email in body
    assert 'href="/dashboard/"' in body
    assert 'action="/enrollmentcode/"' in body


def test_an_unknown_page_answers_with_our_404_page():
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_joined_time_is_the_seat_creation_day(learner_client, learner):
    seat = join(learner, ContractFactory())

    body = learner_client.get("/dashboard/").content.decode()

    assert f"You joined on {timezone.localdate(seat.created_at):%-d %B %Y}" in body


def test_welcome_messages_are_shown_as_text_not_markup(learner_client, learner):
    join(learner, ContractFactory(welcome_message='<img src=x onerror="alert(1)">Hi'))

    body = learner_client.get("/dashboard/").content.decode()

    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Hi" in body


def test_the_error_page_renders_without_a_request():
    # Django renders 500.html with no context at all when something fails.
    body = loader.get_template("500.html").render()

    assert "Something went wrong on our side" in body
