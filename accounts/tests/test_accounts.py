"""Sign-up, sign-in and sign-out with an email address."""

import pytest
from django.test import Client

from accounts.exceptions import EmailTaken
from accounts.models import User
from accounts.services import user_sign_up
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def test_manager_stores_email_in_lower_case_and_finds_it_in_any_case():
    user = User.objects.create_user(email="  Ada@Example.COM ", password=PASSWORD)

    assert user.email == "ada@example.com"
    assert Client().login(email="ADA@example.com", password=PASSWORD)


def test_create_superuser_is_staff():
    user = User.objects.create_superuser(email="root@example.com", password=PASSWORD)

    assert user.is_staff
    assert user.is_superuser


def test_create_user_needs_an_email():
    with pytest.raises(ValueError, match="email"):
        User.objects.create_user(email="", password=PASSWORD)


def test_signup_creates_the_account_signs_in_and_follows_next():
    client = Client()

    response = client.post(
        "/accounts/signup/",
        {
            "email": "New@Example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": "/next/",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/next/"
    user = User.objects.get(email="new@example.com")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_ignores_a_next_url_on_another_site():
    response = Client().post(
        "/accounts/signup/",
        {
            "email": "new@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": "https://evil.example/",
        },
    )

    assert response["Location"] == "/dashboard/"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"email": "taken@example.com", "password1": PASSWORD, "password2": PASSWORD},
            "already exists",
        ),
        ({"email": "not-an-email", "password1": PASSWORD, "password2": PASSWORD}, "valid email"),
        ({"email": "a@example.com", "password1": PASSWORD, "password2": "other words"}, "didn"),
        ({"email": "a@example.com", "password1": "123", "password2": "123"}, "too short"),
    ],
)
def test_signup_refuses_bad_input_and_creates_nothing(data, message):
    UserFactory(email="taken@example.com")

    response = Client().post("/accounts/signup/", data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == 1


def test_signup_page_loads():
    response = Client().get("/accounts/signup/?next=/somewhere/")

    assert response.status_code == 200
    assert 'value="/somewhere/"' in response.content.decode()


def test_login_and_logout():
    UserFactory(email="ada@example.com")
    client = Client()

    assert client.get("/accounts/login/").status_code == 200
    response = client.post(
        "/accounts/login/", {"username": "ADA@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert "_auth_user_id" in client.session

    response = client.post("/accounts/logout/")
    assert response.status_code == 200
    assert "You are signed out" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_refuses_a_wrong_password():
    UserFactory(email="ada@example.com")

    response = Client().post(
        "/accounts/login/", {"username": "ada@example.com", "password": "nope"}
    )

    assert response.status_code == 200
    assert "enter a correct email address and password" in response.content.decode()


def test_home_shows_who_is_signed_in(learner_client, learner):
    assert learner.email in learner_client.get("/").content.decode()


def test_a_signed_in_visitor_sent_back_to_sign_in_goes_to_the_dashboard(learner_client):
    response = learner_client.get("/accounts/login/?next=/accounts/login/")

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_sign_up_does_not_send_the_new_account_back_to_sign_up():
    response = Client().post(
        "/accounts/signup/?next=/accounts/signup/",
        {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response["Location"] == "/dashboard/"


def test_the_second_of_two_sign_ups_with_one_email_is_refused_in_words():
    user_sign_up(email="twice@example.com", password=PASSWORD)

    with pytest.raises(EmailTaken):
        user_sign_up(email="twice@example.com", password=PASSWORD)
    assert User.objects.filter(email="twice@example.com").count() == 1
