"""One error shape for every answer the API refuses, from DRF and from Django alike."""

import pytest
from django.test import Client
from rest_framework import exceptions

from core.api import exception_handler

pytestmark = pytest.mark.django_db

CONTRACTS = "/api/v0/b2b/contracts/"


def test_django_level_bad_request_under_api_is_json():
    response = Client().get(CONTRACTS, HTTP_HOST="bad host!")

    assert response.status_code == 400
    assert response.json() == {"detail": "Bad request.", "code": "bad_request"}


def test_django_level_bad_request_elsewhere_stays_html():
    response = Client().get("/accounts/login/", HTTP_HOST="bad host!")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_unknown_api_url_is_json_404():
    response = Client().get("/api/v0/b2b/nothing-here/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_wrong_method_on_read_endpoint_is_405_in_the_shape(learner_client):
    response = learner_client.delete(CONTRACTS)

    assert response.status_code == 405
    assert response.json() == {
        "detail": 'Method "DELETE" not allowed.',
        "code": "method_not_allowed",
    }


def test_unsatisfiable_accept_header_is_406_in_the_shape(learner_client):
    response = learner_client.get(CONTRACTS, HTTP_ACCEPT="application/xml")

    assert response.status_code == 406
    assert response.json() == {
        "detail": "Could not satisfy the request Accept header.",
        "code": "not_acceptable",
    }


def test_validation_errors_keep_the_shape_and_add_errors():
    error = exceptions.ValidationError({"slug": ["This field is required."]})

    response = exception_handler(error, {})

    assert response.status_code == 400
    assert response.data == {
        "detail": "Invalid input.",
        "code": "invalid",
        "errors": {"slug": ["This field is required."]},
    }


def test_drf_throttling_keeps_the_shape_and_says_when_to_retry():
    response = exception_handler(exceptions.Throttled(wait=7), {})

    assert response.status_code == 429
    assert response["Retry-After"] == "7"
    assert response.data["code"] == "throttled"
    assert set(response.data) == {"detail", "code"}


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (exceptions.ParseError(), 400, "parse_error"),
        (exceptions.AuthenticationFailed(), 401, "authentication_failed"),
        (exceptions.NotAuthenticated(), 401, "not_authenticated"),
        (exceptions.PermissionDenied(), 403, "permission_denied"),
        (exceptions.NotFound(), 404, "not_found"),
        (exceptions.MethodNotAllowed("PUT"), 405, "method_not_allowed"),
        (exceptions.UnsupportedMediaType("text/csv"), 415, "unsupported_media_type"),
    ],
)
def test_every_drf_error_has_detail_and_code(error, status, code):
    response = exception_handler(error, {})

    assert response.status_code == status
    assert set(response.data) == {"detail", "code"}
    assert response.data["code"] == code
    assert isinstance(response.data["detail"], str)
    assert response.data["detail"]


@pytest.mark.parametrize("cookie", ["abcdefgh\x00ijklmnop", "abcdefgh ijklmnop", "é" * 32])
def test_malformed_session_cookie_is_no_session_not_an_error(cookie):
    client = Client()
    client.cookies["sessionid"] = cookie

    response = client.get(CONTRACTS)

    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_real_session_cookie_still_signs_in(learner_client):
    assert learner_client.get(CONTRACTS).status_code == 200
