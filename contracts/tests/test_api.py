"""POST /api/v0/b2b/attach/<code>/: statuses, bodies and error codes of the HTTP shell."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from contracts.models import RedemptionAttempt, RedemptionType, Seat
from contracts.tests.factories import ContractFactory, EnrollmentCodeFactory, seats_fill

pytestmark = pytest.mark.django_db

INVALID = {"detail": "Invalid or expired enrollment code.", "code": "invalid_code"}
FULL = {"detail": "Contract is full.", "code": "contract_full"}


def url(code: str) -> str:
    return f"/api/v0/b2b/attach/{code}/"


def contract_body(contract) -> list[dict]:
    return [
        {
            "id": contract.pk,
            "name": contract.name,
            "slug": contract.slug,
            "description": contract.description,
            "membership_type": contract.membership_type,
            "organization": contract.organization_id,
            "contract_start": None,
            "contract_end": None,
            "active": True,
            "welcome_message": contract.welcome_message,
            "welcome_message_extra": contract.welcome_message_extra,
            "programs": [],
        }
    ]


def test_attach_answers_201_with_the_contract(learner_client):
    code = EnrollmentCodeFactory()

    response = learner_client.post(url(code.display_code))

    assert response.status_code == 201
    assert response.json() == contract_body(code.contract)


def test_attach_again_answers_200_with_the_contract(learner_client):
    code = EnrollmentCodeFactory()
    learner_client.post(url(code.code))

    response = learner_client.post(url(code.code))

    assert response.status_code == 200
    assert response.json() == contract_body(code.contract)


def test_attach_unknown_code_answers_404(learner_client):
    response = learner_client.post(url("NOSUCHCODE"))

    assert response.status_code == 404
    assert response.json() == INVALID


def test_attach_full_contract_answers_409(learner_client):
    contract = ContractFactory(max_learners=1)
    seats_fill(contract, 1)
    code = EnrollmentCodeFactory(contract=contract)

    response = learner_client.post(url(code.code))

    assert response.status_code == 409
    assert response.json() == FULL


def test_attach_records_the_client_address(learner_client):
    learner_client.post(url("NOSUCHCODE"), REMOTE_ADDR="198.51.100.4")

    assert RedemptionAttempt.objects.get().client_address == "198.51.100.4"


def test_attach_refuses_anonymous_caller_with_403():
    code = EnrollmentCodeFactory()

    response = Client().post(url(code.code))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }
    assert not Seat.objects.exists()


def test_attach_requires_the_csrf_token_of_the_session(learner):
    code = EnrollmentCodeFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)

    refused = client.post(url(code.code))
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert not Seat.objects.exists()

    client.get("/")  # a page with a form (here: sign out) sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(url(code.code), headers={"X-CSRFToken": token})
    assert accepted.status_code == 201


def test_attach_answers_405_to_get_in_the_error_shape(learner_client):
    response = learner_client.get(url("ANYCODE"))

    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "GET" not allowed.', "code": "method_not_allowed"}


@pytest.mark.parametrize(
    "path_code",
    [
        "A" * 65,
        "A" * 10_000,
        "%00",
        "AB%00CD",
        "%FF%FE%FD",
        "%C3%28",
        "%25%32%35",
        "a%2Fb",
        "..%2F..%2Fetc%2Fpasswd",
        "%E2%80%AE",
        "%F0%9F%92%A5",
        "'%20OR%201=1%20--",
        "%20%20%20",
        "-",
        "<script>alert(1)</script>",
        "a/b/c",
    ],
)
def test_attach_answers_404_to_junk_codes(learner_client, path_code):
    response = learner_client.post(f"/api/v0/b2b/attach/{path_code}/")

    assert response.status_code == 404
    assert response.json()["code"] in {"invalid_code", "not_found"}
    assert not Seat.objects.exists()


def test_unknown_api_path_answers_json_404(learner_client):
    response = learner_client.post("/api/v0/b2b/attach//")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_internal_failure_answers_json_500_without_details(learner):
    code = EnrollmentCodeFactory()
    client = Client(raise_request_exception=False)
    client.force_login(learner)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE contracts_redemptionattempt")

    response = client.post(url("NOSUCHCODE"))

    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong on our side.",
        "code": "server_error",
    }
    assert code.code not in response.content.decode()


def _success_queries(contract) -> list[str]:
    code = EnrollmentCodeFactory(contract=contract, redemption_type=RedemptionType.UNLIMITED)
    client = Client()
    client.force_login(UserFactory())
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url(code.code))
    assert response.status_code == 201
    # Savepoints stand in for BEGIN/COMMIT because the test itself runs in a transaction.
    return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_attach_statements_are_bounded_and_do_not_grow_with_seats_held():
    empty = ContractFactory(max_learners=10_000)
    crowded = ContractFactory(max_learners=10_000)
    seats_fill(crowded, 5_000)

    on_empty = _success_queries(empty)
    on_crowded = _success_queries(crowded)

    assert len(on_empty) == len(on_crowded)
    # Session and user (2), the recent failures of the learner and of the address (1), then
    # the code, the learner lock, where the learner stands (seat, membership), the membership
    # and seat inserts, the contract's seat and the code's redemption (7).
    assert len(on_crowded) == 10
    assert not [sql for sql in on_crowded if "COUNT(" in sql.upper()]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v0/b2b/attach/NOSLASH"),
        ("get", "/api/v0/b2b/organizations"),
        ("post", "/api/v0/b2b/nothing-here/"),
        ("get", "/api/v1/"),
        ("post", "/api/v0/b2b/attach/%0A/"),  # a newline: no route matches the code
    ],
)
def test_other_api_paths_answer_json_404_without_redirecting(learner, method, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)

    response = getattr(client, method)(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
