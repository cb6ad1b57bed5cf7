"""Password reset by email, password change, and the email settings read from the environment."""

import os
import re
import subprocess
import sys

import pytest
from django.core import mail
from django.test import Client

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase"


def reset_link(settings) -> str:
    (message,) = mail.outbox
    match = re.search(
        rf"{re.escape(settings.SITE_URL)}(/accounts/password-reset/\S+/)", message.body
    )
    assert match, message.body
    return match.group(1)


def test_a_reset_link_is_emailed_and_sets_a_new_password(settings):
    settings.SITE_URL = "https://seats.example.org"
    user = UserFactory(email="ada@example.com")
    client = Client()

    sent = client.post("/accounts/password-reset/", {"email": "ADA@example.com"})

    assert sent.status_code == 302
    assert sent["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox[0].to == ["ada@example.com"]
    assert mail.outbox[0].subject == "Reset your Seatkeeper password"
    form_page = client.get(reset_link(settings), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done["Location"] == "/accounts/password-reset/done/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert Client().login(email="ada@example.com", password=NEW_PASSWORD)


def test_a_reset_link_works_only_once(settings):
    UserFactory(email="ada@example.com")
    client = Client()
    client.post("/accounts/password-reset/", {"email": "ada@example.com"})
    link = reset_link(settings)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = Client().get(link, follow=True)

    assert "This link does not work any more" in again.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_email():
    response = Client().post("/accounts/password-reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_a_malformed_address_is_refused_in_words():
    response = Client().post("/accounts/password-reset/", {"email": "not-an-email"})

    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert mail.outbox == []


def test_a_signed_in_learner_changes_the_password(learner, learner_client):
    response = learner_client.post(
        "/accounts/password-change/",
        {
            "old_password": "correct horse battery staple",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response["Location"] == "/accounts/password-change/done/"
    learner.refresh_from_db()
    assert learner.check_password(NEW_PASSWORD)


def settings_with(**environment: str) -> subprocess.CompletedProcess[str]:
    """Load the settings in a fresh interpreter with these environment variables."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    env = {**inherited, "DJANGO_SETTINGS_MODULE": "config.settings", **environment}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_PORT)",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_email_goes_to_the_console_unless_an_smtp_host_is_set():
    console = settings_with()
    smtp = settings_with(EMAIL_HOST="smtp.example.org", EMAIL_PORT="587", EMAIL_USE_TLS="1")

    assert console.stdout.split() == ["django.core.mail.backends.console.EmailBackend", "25"]
    assert smtp.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", "587"]


def test_tls_and_ssl_together_stop_the_start_with_a_message():
    result = settings_with(EMAIL_HOST="smtp.example.org", EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")

    assert result.returncode != 0
    assert "Set EMAIL_USE_TLS (STARTTLS, port 587) or EMAIL_USE_SSL, not both." in result.stderr
