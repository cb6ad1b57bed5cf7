"""The staff CMS given hand-made links and read-only visits: no error pages, no write lock; and
the code status column and filter, which read one rule."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from reversion.models import Version

from contracts import services
from contracts.models import EnrollmentCode, RedemptionType, Seat
from contracts.tests.factories import ContractFactory, EnrollmentCodeFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

ADMIN = "/admin/contracts"
DAY = datetime.timedelta(days=1)


# Reading takes no transaction ----------------------------------------------------------------


@pytest.mark.parametrize(
    "page", ["contract/", "enrollmentcode/", "seat/", "organization/", "organizationmembership/"]
)
def test_a_list_page_opens_no_transaction(staff_client, contract, page):
    # Inside the test's own transaction, any atomic block the page opened would be a savepoint.
    with CaptureQueriesContext(connection) as captured:
        assert staff_client.get(f"{ADMIN}/{page}").status_code == 200

    assert not [q["sql"] for q in captured if "SAVEPOINT" in q["sql"].upper()]


def test_an_action_is_still_kept_in_history(staff_client, contract):
    code = contract.codes.first()

    staff_client.post(
        f"{ADMIN}/enrollmentcode/", {"action": "expire", "_selected_action": [code.pk]}
    )

    [version] = Version.objects.get_for_object(code)
    assert version.revision.user.email == "staff@example.com"
    assert version.revision.get_comment() == "Expired 1 code(s)."


# Hand-made links -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "field"),
    [
        ("seat/add/", "contract"),
        ("seat/add/", "learner"),
        ("enrollmentcode/add/", "contract"),
        ("contract/add/", "organization"),
        ("organizationmembership/add/", "organization"),
    ],
)
@pytest.mark.parametrize("value", ["abc", "1.5", "99999999999999999999", "-1"])
def test_an_add_page_leaves_out_a_prefilled_value_that_is_no_id(staff_client, page, field, value):
    response = staff_client.get(f"{ADMIN}/{page}", {field: value})

    assert response.status_code == 200
    [select] = re.findall(
        rf'<select name="{field}".*?</select>', response.content.decode(), flags=re.DOTALL
    )
    assert "selected" not in select


def test_an_add_page_still_fills_in_a_real_id(staff_client):
    contract = ContractFactory(name="Cohort B")

    page = staff_client.get(f"{ADMIN}/seat/add/", {"contract": contract.pk}).content.decode()

    assert f'<option value="{contract.pk}" selected>Cohort B</option>' in page


def test_posting_a_value_that_is_no_id_shows_the_form_again(staff_client, learner):
    response = staff_client.post(f"{ADMIN}/seat/add/", {"contract": "abc", "learner": learner.pk})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Seat.objects.exists()


# Code status: column and filter --------------------------------------------------------------


def test_an_expired_code_that_was_used_is_expired_in_the_column_and_the_filter(staff_client):
    contract = ContractFactory()
    code = EnrollmentCodeFactory(contract=contract)
    EnrollmentCode.objects.filter(pk=code.pk).update(
        redemption_count=1, expiration_date=timezone.now() - DAY
    )

    def listed(status: str) -> str:
        return staff_client.get(f"{ADMIN}/enrollmentcode/", {"status": status}).content.decode()

    assert code.display_code in listed("expired")
    assert code.display_code not in listed("used-up")
    assert '<td class="field-status">expired</td>' in listed("expired")
    change = staff_client.get(f"{ADMIN}/enrollmentcode/{code.pk}/change/").content.decode()
    assert '<div class="readonly">expired</div>' in change


def test_every_code_is_listed_under_the_status_its_column_shows(staff_client):
    contract = ContractFactory()
    now = timezone.now()
    states = {
        "live": EnrollmentCodeFactory(contract=contract),
        "scheduled": EnrollmentCodeFactory(contract=contract, activation_date=now + DAY),
        "expired": EnrollmentCodeFactory(contract=contract, expiration_date=now - DAY),
        "used-up": EnrollmentCodeFactory(
            contract=contract, redemption_type=RedemptionType.UNLIMITED, max_redemptions=1
        ),
    }
    EnrollmentCode.objects.filter(pk=states["used-up"].pk).update(redemption_count=1)

    for status, code in states.items():
        page = staff_client.get(f"{ADMIN}/enrollmentcode/", {"status": status}).content.decode()
        shown = [other for other in states.values() if other.display_code in page]
        assert shown == [code], status
        column = status.replace("-", " ")
        assert f'<td class="field-status">{column}</td>' in page


def test_contract_seat_filter_no_limit(staff_client):
    organization = OrganizationFactory()
    ContractFactory(organization=organization, name="Endless", max_learners=None)
    ContractFactory(organization=organization, name="Zero means none", max_learners=0)
    ContractFactory(organization=organization, name="Capped", max_learners=4)

    page = staff_client.get(f"{ADMIN}/contract/", {"seats": "unlimited"}).content.decode()

    assert "Endless" in page
    assert "Zero means none" in page
    assert "Capped" not in page


def test_expire_action_records_the_codes_the_service_expired(staff_client, contract):
    live, expired, _ = contract.codes.all()
    services.code_batch_expire(codes=EnrollmentCode.objects.filter(pk=expired.pk))

    staff_client.post(
        f"{ADMIN}/enrollmentcode/",
        {"action": "expire", "_selected_action": [live.pk, expired.pk]},
    )

    assert [v.revision.get_comment() for v in Version.objects.get_for_object(live)] == [
        "Expired 1 code(s)."
    ]
    assert not Version.objects.get_for_object(expired).exists()
