"""Production settings: refusals without secrets, a clean deploy check with HTTPS, CORS, CSRF."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from contracts.tests.factories import EnrollmentCodeFactory

STRONG_KEY = "k3Yq9vR2xLm8Tz4Wp6Nc1Hb5Jd7Fg0Sa-Ue_Io+Py*Qt=Rw!Ex^Zv%Cb&Mn#Lk@Jh"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a fresh process with only the given settings in its environment."""
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_refuses_to_start_without_debug_and_secret_key():
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="seats.example.edu")

    assert result.returncode != 0
    assert "With DEBUG off, set SECRET_KEY" in result.stderr


def test_refuses_to_start_without_debug_and_allowed_hosts():
    result = manage("check", DEBUG="0", SECRET_KEY=STRONG_KEY)

    assert result.returncode != 0
    assert "With DEBUG off, set ALLOWED_HOSTS" in result.stderr


def test_refuses_a_malformed_setting():
    result = manage("check", ATTACH_FAILURES_PER_USER="ten")

    assert result.returncode != 0
    assert "ATTACH_FAILURES_PER_USER must be a whole number" in result.stderr


def deploy_check(**env: str) -> subprocess.CompletedProcess[str]:
    """Run `check --deploy` as production would, failing on warnings."""
    production = {"DEBUG": "0", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "seats.example.edu"}
    return manage("check", "--deploy", "--fail-level", "WARNING", **production, **env)


def test_deploy_check_is_clean_with_https_settings():
    result = deploy_check(HTTPS="1", TRUSTED_PROXY_HOPS="1")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_asks_how_many_proxies_stand_in_front():
    result = deploy_check(HTTPS="1")

    assert result.returncode != 0
    assert "seatkeeper.W001" in result.stderr
    assert "TRUSTED_PROXY_HOPS is not set" in result.stderr


def test_deploy_check_warns_without_https_settings():
    result = deploy_check(TRUSTED_PROXY_HOPS="0")

    assert result.returncode != 0
    assert "security.W004" in result.stderr  # no HSTS
    assert "security.W008" in result.stderr  # no redirect to HTTPS


PREFLIGHT = {
    "HTTP_ORIGIN": "https://learn.example.edu",
    "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
}


def test_cors_allows_a_configured_front_end_with_credentials(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://learn.example.edu"]

    response = Client().options("/api/v0/b2b/attach/ANY/", **PREFLIGHT)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://learn.example.edu"
    assert response["Access-Control-Allow-Credentials"] == "true"


def test_cors_ignores_other_origins_and_non_api_pages(settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://learn.example.edu"]

    other = Client().options(
        "/api/v0/b2b/contracts/", **{**PREFLIGHT, "HTTP_ORIGIN": "https://evil.example"}
    )
    page = Client().get("/accounts/login/", HTTP_ORIGIN="https://learn.example.edu")

    assert "Access-Control-Allow-Origin" not in other
    assert "Access-Control-Allow-Origin" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(("trusted", "status"), [([], 403), (["https://learn.example.edu"], 201)])
def test_cross_origin_attach_needs_a_trusted_origin(settings, learner, trusted, status):
    settings.CSRF_TRUSTED_ORIGINS = trusted
    code = EnrollmentCodeFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    client.get("/", secure=True)
    token = client.cookies["csrftoken"].value

    response = client.post(
        f"/api/v0/b2b/attach/{code.code}/",
        secure=True,
        headers={"X-CSRFToken": token, "Origin": "https://learn.example.edu"},
    )

    assert response.status_code == status
