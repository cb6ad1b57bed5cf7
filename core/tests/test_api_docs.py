"""The OpenAPI schema, Swagger UI and ReDoc, served with the application's own assets."""

import re

import pytest
import yaml
from django.conf import settings
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from contracts.tests.factories import EnrollmentCodeFactory

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("/api/v0/b2b/organizations/", "get"): ("b2b_organizations_list", {"200", "401", "403"}),
    ("/api/v0/b2b/organizations/{organization_slug}/", "get"): (
        "b2b_organizations_retrieve",
        {"200", "401", "403", "404"},
    ),
    ("/api/v0/b2b/contracts/", "get"): ("b2b_contracts_list", {"200", "401", "403"}),
    ("/api/v0/b2b/contracts/{contract_slug}/", "get"): (
        "b2b_contracts_retrieve",
        {"200", "401", "403", "404"},
    ),
    ("/api/v0/b2b/attach/{enrollment_code}/", "post"): (
        "b2b_attach_create",
        {"200", "201", "401", "403", "404", "409", "429"},
    ),
}


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_validates(schema):
    validate_schema(schema)


def test_every_operation_keeps_its_reference_id_and_lists_each_status(schema):
    found = {
        (path, method): (operation["operationId"], set(operation["responses"]))
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }

    assert found == OPERATIONS


def test_every_response_has_a_json_body(schema):
    for item in schema["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                assert "application/json" in response["content"], (operation["operationId"], status)


def test_components_keep_the_reference_names(schema):
    assert {"ContractPage", "OrganizationPage", "Error"} <= set(schema["components"]["schemas"])
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "Server-to-server read access: the value is `Api-Key <key>`.",
    }


def test_attach_states_its_rules_and_retry_after(schema):
    attach = schema["paths"]["/api/v0/b2b/attach/{enrollment_code}/"]["post"]

    for rule in ("429", "404", "200", "409", "201", "Retry-After", "recorded"):
        assert rule in attach["description"]
    assert "Retry-After" in attach["responses"]["429"]["headers"]
    assert attach["security"] == [{"cookieAuth": []}]


def test_schema_is_served_without_signing_in():
    response = Client().get("/api/schema/")

    assert response.status_code == 200
    served = yaml.safe_load(response.content)
    assert served["paths"]["/api/v0/b2b/attach/{enrollment_code}/"]["post"]["operationId"] == (
        "b2b_attach_create"
    )


@pytest.mark.parametrize("page", ["/api/schema/swagger-ui/", "/api/schema/redoc/"])
def test_doc_pages_load_every_asset_from_the_application(page):
    client = Client()
    html = client.get(page).content.decode()

    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css|png))"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/drf_spectacular_sidecar/"), asset
        assert client.get(asset).status_code == 200, asset
    assert "//cdn" not in html
    assert "https://" not in html


def test_assets_are_served_with_debug_off():
    assert settings.DEBUG is False  # as in production: no runserver static view
    response = Client().get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")

    assert response.status_code == 200
    assert b"SwaggerUIBundle" in b"".join(response.streaming_content)


def test_swagger_ui_can_try_attach_with_the_signed_in_session(learner):
    # Swagger UI adds the token its page was rendered with to every unsafe request it sends.
    code = EnrollmentCodeFactory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(learner)
    script = browser.get("/api/schema/swagger-ui/").content.decode()
    token = re.search(r'request\.headers\["X-CSRFTOKEN"\] = "([^"]+)"', script).group(1)

    refused = browser.post(f"/api/v0/b2b/attach/{code.code}/")
    accepted = browser.post(f"/api/v0/b2b/attach/{code.code}/", headers={"X-CSRFToken": token})

    assert refused.status_code == 403
    assert accepted.status_code == 201
