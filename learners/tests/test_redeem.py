"""/enrollmentcode/<code>/ and /enrollmentcode/: redeem a code from a link or typed by hand."""

import datetime

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from contracts.exceptions import AttemptsThrottled, CodeInvalid
from contracts.models import EnrollmentCode, RedemptionAttempt, RedemptionType, Seat, SeatSource
from contracts.tests.factories import ContractFactory, EnrollmentCodeFactory, seats_fill
from learners.views import refusal_page

pytestmark = pytest.mark.django_db


def page(code: str) -> str:
    return f"/enrollmentcode/{code}/"


def test_a_signed_out_visitor_is_sent_to_sign_in_and_brought_back():
    code = EnrollmentCodeFactory()
    link = page(code.display_code)

    response = Client().get(link)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={link}"
    sign_in = Client().get(response["Location"])
    body = sign_in.content.decode()
    assert "Sign in to redeem your code" in body
    assert f'href="/accounts/signup/?next={link}"' in body
    assert f'name="next" value="{link}"' in body


def test_signing_in_from_a_code_link_returns_to_the_code():
    learner = UserFactory(email="ada@example.com")
    code = EnrollmentCodeFactory()
    link = page(code.display_code)

    response = Client().post(
        "/accounts/login/",
        {"username": "ada@example.com", "password": "correct horse battery staple", "next": link},
    )

    assert response.status_code == 302
    assert response["Location"] == link
    assert not Seat.objects.filter(learner=learner).exists()


def test_a_signed_out_post_is_sent_to_sign_in_and_redeems_nothing():
    code = EnrollmentCodeFactory()

    response = Client().post(page(code.code))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not Seat.objects.exists()
    assert not RedemptionAttempt.objects.exists()


def test_the_page_shows_the_code_and_one_button_and_writes_nothing(learner_client):
    code = EnrollmentCodeFactory()

    response = learner_client.get(page(code.code.lower()))

    body = response.content.decode()
    assert response.status_code == 200
    assert code.display_code in body
    assert body.count('<form method="post" action=""') == 1
    assert 'name="csrfmiddlewaretoken"' in body
    assert "Join with this code" in body
    assert code.contract.name not in body  # GET tells nothing about the code
    assert not Seat.objects.exists()
    assert not RedemptionAttempt.objects.exists()
    assert EnrollmentCode.objects.get().redemption_count == 0
    assert "no-cache" in response["Cache-Control"]


def test_confirming_joins_and_shows_the_contract_with_its_welcome(learner_client, learner):
    contract = ContractFactory(
        name="Data Science",
        welcome_message="Welcome to data science.",
        welcome_message_extra="Your first course opens on Monday.",
        contract_start=datetime.date(2026, 1, 1),
        contract_end=datetime.date(2027, 6, 30),
        organization__name="Acme Corporation",
    )
    code = EnrollmentCodeFactory(contract=contract)

    response = learner_client.post(page(code.code.lower()))

    assert response.status_code == 302
    assert response["Location"] == page(code.display_code)
    seat = Seat.objects.get()
    assert (seat.learner, seat.contract, seat.code, seat.source) == (
        learner,
        contract,
        code,
        SeatSource.CODE,
    )
    body = learner_client.get(response["Location"]).content.decode()
    assert "You have joined Data Science." in body
    assert "Acme Corporation" in body
    assert "Welcome to data science." in body
    assert "Your first course opens on Monday." in body
    assert "Runs from 1 January 2026 to 30 June 2027" in body
    assert "Join with this code" not in body


def test_reloading_the_joined_page_redeems_nothing_more(learner_client):
    code = EnrollmentCodeFactory(redemption_type=RedemptionType.UNLIMITED)
    joined = learner_client.post(page(code.code))

    first = learner_client.get(joined["Location"])
    again = learner_client.get(joined["Location"])

    assert first.status_code == again.status_code == 200
    assert "You hold a seat on this contract" in again.content.decode()
    assert "You have joined" not in again.content.decode()  # the message is shown once
    assert Seat.objects.count() == 1
    code.refresh_from_db()
    assert code.redemption_count == 1


def test_confirming_twice_says_already_a_member_and_changes_nothing(learner_client):
    code = EnrollmentCodeFactory(contract__name="Data Science")
    learner_client.post(page(code.code))

    response = learner_client.post(page(code.code), follow=True)

    assert "You are already a member of Data Science. Nothing changed." in (
        response.content.decode()
    )
    assert Seat.objects.count() == 1
    code.refresh_from_db()
    assert code.redemption_count == 1


def test_a_full_contract_is_refused_in_words(learner_client, learner):
    contract = ContractFactory(max_learners=2)
    seats_fill(contract, 2)
    code = EnrollmentCodeFactory(contract=contract)

    response = learner_client.post(page(code.code))

    assert response.status_code == 409
    body = response.content.decode()
    assert "This contract is full" in body
    assert "your code was not used" in body
    assert not Seat.objects.filter(learner=learner).exists()
    assert RedemptionAttempt.objects.get().reason == "contract_full"


@pytest.mark.parametrize(
    "code_fields",
    [
        {"expiration_date": timezone.now() - datetime.timedelta(days=1)},
        {"activation_date": timezone.now() + datetime.timedelta(days=1)},
        {"contract__active": False},
    ],
    ids=["expired", "not-yet-active", "contract-closed"],
)
def test_a_code_that_is_not_live_is_refused_as_invalid(learner_client, code_fields):
    code = EnrollmentCodeFactory(**code_fields)

    response = learner_client.post(page(code.code))

    assert response.status_code == 404
    assert "is invalid or has expired" in response.content.decode()
    assert not Seat.objects.exists()


def test_an_unknown_code_is_refused_with_a_form_to_try_again(learner_client, learner):
    response = learner_client.post(page("k7qf-9mzx-2dpa-w3hc"), REMOTE_ADDR="198.51.100.7")

    body = response.content.decode()
    assert response.status_code == 404
    assert "This code is not valid" in body
    assert 'The enrollment code <span class="code inline">k7qf-9mzx-2dpa-w3hc</span>' in body
    assert 'value="k7qf-9mzx-2dpa-w3hc"' in body  # the form keeps the code as typed
    attempt = RedemptionAttempt.objects.get()
    assert (attempt.user, attempt.client_address, attempt.code, attempt.reason) == (
        learner,
        "198.51.100.7",
        "k7qf-9mzx-2dpa-w3hc",
        "invalid_code",
    )


@pytest.mark.parametrize(
    "path_code",
    ["not a code!", "A" * 65, "A" * 5_000, "%00", "%C3%28", "a%2Fb", "<script>x</script>"],
)
def test_something_that_cannot_be_a_code_is_refused_on_sight(learner_client, path_code):
    response = learner_client.get(page(path_code))

    assert response.status_code == 404
    body = response.content.decode()
    assert "is invalid or has expired" in body
    assert "<script>x" not in body
    assert not RedemptionAttempt.objects.exists()  # a page view is not an attempt


def test_a_member_following_the_link_again_sees_the_contract(learner_client):
    code = EnrollmentCodeFactory(contract__name="Data Science")
    learner_client.post(page(code.code))
    learner_client.get(page(code.code))  # the page after the redirect shows the message

    response = learner_client.get(page(code.code))

    body = response.content.decode()
    assert "Data Science" in body
    assert "You hold a seat on this contract" in body
    assert "Join with this code" not in body


def test_another_learners_code_page_does_not_show_their_contract(learner_client):
    code = EnrollmentCodeFactory(contract__name="Secret Programme")
    other = Client()
    other.force_login(UserFactory())
    other.post(page(code.code))

    body = learner_client.get(page(code.code)).content.decode()

    assert "Join with this code" in body
    assert "Secret Programme" not in body


def test_confirming_needs_the_csrf_token(learner):
    code = EnrollmentCodeFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)

    response = client.post(page(code.code))

    assert response.status_code == 403
    assert "Please try again" in response.content.decode()
    assert not Seat.objects.exists()


def test_other_methods_are_refused(learner_client):
    assert learner_client.put(page("ANYCODE")).status_code == 405


def test_a_code_typed_by_hand_joins_at_once(learner_client, learner):
    code = EnrollmentCodeFactory()

    response = learner_client.post("/enrollmentcode/", {"code": f"  {code.code.lower()} "})

    assert response.status_code == 302
    assert response["Location"] == page(code.display_code)
    assert Seat.objects.get().learner == learner


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "This field is required."), ("   ", "This field is required."), ("A" * 65, "at most 64")],
)
def test_a_blank_or_overlong_typed_code_is_refused_before_the_service(
    learner_client, typed, message
):
    response = learner_client.post("/enrollmentcode/", {"code": typed})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RedemptionAttempt.objects.exists()


def test_a_wrong_code_typed_by_hand_is_refused_in_words(learner_client):
    response = learner_client.post("/enrollmentcode/", {"code": "WRONG-CODE"})

    assert response.status_code == 404
    assert "This code is not valid" in response.content.decode()
    assert RedemptionAttempt.objects.get().reason == "invalid_code"


def test_the_code_form_page_loads(learner_client):
    response = learner_client.get("/enrollmentcode/")

    assert response.status_code == 200
    assert '<label for="id_code">Enrollment code</label>' in response.content.decode()


@pytest.mark.parametrize(
    ("retry_after", "words"),
    [(0, "1 second"), (1, "1 second"), (45, "45 seconds"), (60, "1 minute"), (61, "2 minutes")],
)
def test_too_many_attempts_says_when_to_try_again(learner, retry_after, words):
    request = RequestFactory().post(page("ANYCODE"))
    request.user = learner

    response = refusal_page(request, AttemptsThrottled(retry_after=retry_after), code="ANYCODE")

    assert response.status_code == 429
    assert response["Retry-After"] == str(retry_after)
    body = response.content.decode()
    assert "Too many attempts" in body
    assert f"Please try again in {words}." in body


def test_the_eleventh_wrong_code_in_a_minute_is_refused_as_too_many_attempts(learner_client):
    valid = EnrollmentCodeFactory()
    for attempt in range(10):
        assert learner_client.post(page(f"WRONG{attempt}")).status_code == 404

    response = learner_client.post(page(valid.code))

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts" in response.content.decode()
    assert not Seat.objects.exists()
    assert RedemptionAttempt.objects.filter(reason="throttled").count() == 1


def test_a_refusal_page_has_no_retry_header_unless_throttled(learner):
    request = RequestFactory().post(page("ANYCODE"))
    request.user = learner

    response = refusal_page(request, CodeInvalid(), code="ANYCODE")

    assert response.status_code == 404
    assert not response.has_header("Retry-After")
