"""The staff CMS through Django's test client, signed in as staff."""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from reversion.models import Version

from accounts.tests.factories import UserFactory
from contracts import services
from contracts.models import (
    Contract,
    EnrollmentCode,
    Organization,
    RedemptionAttempt,
    Seat,
)
from contracts.tests.factories import (
    ContractFactory,
    EnrollmentCodeFactory,
    OrganizationFactory,
    seats_fill,
)

pytestmark = pytest.mark.django_db

ADMIN = "/admin/contracts"


def contract_form(contract: Contract, **changes) -> dict:
    data = {
        "name": contract.name,
        "description": contract.description,
        "welcome_message": contract.welcome_message,
        "welcome_message_extra": contract.welcome_message_extra,
        "max_learners": contract.max_learners or "",
        "enrollment_fixed_price": contract.enrollment_fixed_price or "",
        "active": "on" if contract.active else "",
        "contract_start": contract.contract_start or "",
        "contract_end": contract.contract_end or "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def versions_of(obj) -> list[Version]:
    return list(Version.objects.get_for_object(obj).select_related("revision__user"))


# Every page loads ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    ["organization", "contract", "enrollmentcode", "seat", "organizationmembership"],
)
def test_list_and_add_pages_load(staff_client, contract, model):
    seats_fill(contract, 1)

    assert staff_client.get(f"{ADMIN}/{model}/").status_code == 200
    assert staff_client.get(f"{ADMIN}/{model}/add/").status_code == 200


def test_change_pages_load(staff_client, contract):
    [learner] = seats_fill(contract, 1)
    membership = services.membership_add(user=UserFactory(), organization=contract.organization)
    RedemptionAttempt.objects.create(code="NOPE", reason="invalid_code")
    pages = [
        f"{ADMIN}/organization/{contract.organization.pk}/change/",
        f"{ADMIN}/contract/{contract.pk}/change/",
        f"{ADMIN}/enrollmentcode/{contract.codes.first().pk}/change/",
        f"{ADMIN}/seat/{Seat.objects.get(learner=learner).pk}/change/",
        f"{ADMIN}/organizationmembership/{membership.pk}/change/",
        f"{ADMIN}/redemptionattempt/",
        f"{ADMIN}/redemptionattempt/{RedemptionAttempt.objects.get().pk}/change/",
        f"/admin/accounts/user/{learner.pk}/change/",
    ]
    for page in pages:
        assert staff_client.get(page).status_code == 200, page


def test_learners_cannot_open_the_admin(learner_client):
    response = learner_client.get(f"{ADMIN}/contract/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# Organizations -------------------------------------------------------------------------------


def test_add_organization_derives_its_key_and_slug(staff_client):
    response = staff_client.post(
        f"{ADMIN}/organization/add/", {"name": "Globex Corp", "key": "", "description": "New."}
    )

    assert response.status_code == 302
    organization = Organization.objects.get()
    assert (organization.key, organization.slug) == ("globex-corp", "globex-corp")
    [version] = versions_of(organization)
    assert version.revision.user.email == "staff@example.com"


def test_add_organization_refuses_a_taken_key(staff_client):
    OrganizationFactory(key="acme")

    response = staff_client.post(f"{ADMIN}/organization/add/", {"name": "Other", "key": "acme"})

    assert response.status_code == 200
    assert "Another organization already uses the key" in response.content.decode()
    assert Organization.objects.count() == 1


def test_change_organization_keeps_key_and_records_history(staff_client, contract):
    organization = contract.organization
    sso = uuid.uuid4()

    response = staff_client.post(
        f"{ADMIN}/organization/{organization.pk}/change/",
        {
            "name": "Acme Worldwide",
            "description": "",
            "sso_organization_id": str(sso),
            "contracts-TOTAL_FORMS": "1",
            "contracts-INITIAL_FORMS": "1",
            "contracts-MIN_NUM_FORMS": "0",
            "contracts-MAX_NUM_FORMS": "1000",
            "contracts-0-id": str(contract.pk),
            "contracts-0-organization": str(organization.pk),
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    organization.refresh_from_db()
    assert (organization.name, organization.key, organization.sso_organization_id) == (
        "Acme Worldwide",
        "acme",
        sso,
    )
    staff_client.post(
        f"{ADMIN}/organization/{organization.pk}/change/",
        {
            "name": "Acme Global",
            "description": "",
            "sso_organization_id": str(sso),
            "contracts-TOTAL_FORMS": "0",
            "contracts-INITIAL_FORMS": "0",
        },
    )
    history = staff_client.get(f"{ADMIN}/organization/{organization.pk}/history/")
    text = history.content.decode()
    assert "staff@example.com" in text
    assert "Name</strong>: Acme Worldwide &rarr; Acme Global" in text
    assert "Name</strong>: Acme Worldwide</li>" in text  # the first snapshot lists values


def test_organization_page_lists_its_contracts(staff_client, contract):
    other = ContractFactory()

    text = staff_client.get(f"{ADMIN}/organization/{contract.organization.pk}/change/").content
    text = text.decode()

    assert contract.name in text
    assert other.name not in text


def test_organization_search_by_name_and_sso_id(staff_client):
    sso = uuid.uuid4()
    OrganizationFactory(name="Initech", sso_organization_id=sso)
    OrganizationFactory(name="Umbrella")

    by_name = staff_client.get(f"{ADMIN}/organization/", {"q": "initech"}).content.decode()
    by_sso = staff_client.get(f"{ADMIN}/organization/", {"q": str(sso)}).content.decode()

    assert "Initech" in by_name
    assert "Umbrella" not in by_name
    assert "Initech" in by_sso
    assert "Umbrella" not in by_sso


# Contracts -----------------------------------------------------------------------------------


def test_add_contract_goes_through_the_service_and_issues_codes(staff_client):
    organization = OrganizationFactory()

    response = staff_client.post(
        f"{ADMIN}/contract/add/",
        {
            "organization": organization.pk,
            "name": "Spring cohort",
            "membership_type": "code",
            "max_learners": "4",
            "active": "on",
            "contract_start": "2027-01-01",
            "contract_end": "2027-06-30",
        },
    )

    assert response.status_code == 302
    contract = Contract.objects.get()
    assert contract.slug == "spring-cohort"
    assert contract.codes.count() == 4
    assert contract.codes.first().created_by.email == "staff@example.com"
    assert versions_of(contract)[0].revision.get_comment() == "Added."


def test_add_contract_refuses_end_before_start(staff_client):
    response = staff_client.post(
        f"{ADMIN}/contract/add/",
        {
            "organization": OrganizationFactory().pk,
            "name": "Backwards",
            "membership_type": "code",
            "contract_start": "2027-02-01",
            "contract_end": "2027-01-01",
        },
    )

    assert response.status_code == 200
    assert "cannot end before it starts" in response.content.decode()
    assert not Contract.objects.exists()


def test_contract_page_groups_fields_and_shows_usage(staff_client, contract):
    seats_fill(contract, 2)
    EnrollmentCode.objects.filter(pk=contract.codes.first().pk).update(redemption_count=1)

    text = staff_client.get(f"{ADMIN}/contract/{contract.pk}/change/").content.decode()

    for heading in ("Basic information", "Learner provisioning", "Availability"):
        assert heading in text
    assert "2 / 3" in text  # seats held / limit
    assert "1 / 3" in text  # codes used / issued
    assert f"contract__id__exact={contract.pk}" in text


def test_raising_the_limit_issues_codes_and_is_kept_in_history(staff_client, contract):
    response = staff_client.post(
        f"{ADMIN}/contract/{contract.pk}/change/", contract_form(contract, max_learners="5")
    )

    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.max_learners == 5
    assert contract.codes.not_expired_at(timezone.now()).count() == 5
    [latest, *_] = versions_of(contract)
    assert latest.revision.user.email == "staff@example.com"
    assert "Max learners" in latest.revision.get_comment()
    contract.refresh_from_db()
    staff_client.post(
        f"{ADMIN}/contract/{contract.pk}/change/", contract_form(contract, max_learners="6")
    )
    history = staff_client.get(f"{ADMIN}/contract/{contract.pk}/history/").content.decode()
    assert "Max learners</strong>: 5 &rarr; 6" in history
    assert "Changed Max learners." in history


def test_lowering_the_limit_below_seats_held_is_refused_on_the_form(staff_client, contract):
    seats_fill(contract, 3)
    before = Version.objects.count()

    response = staff_client.post(
        f"{ADMIN}/contract/{contract.pk}/change/",
        contract_form(contract, max_learners="2", name="Renamed"),
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "The seat limit cannot be lower than the 3 seats held." in text
    assert 'value="Renamed"' in text  # the form stays open with what was typed
    contract.refresh_from_db()
    assert (contract.max_learners, contract.name) == (3, "Pilot")
    assert contract.codes.not_expired_at(timezone.now()).count() == 3
    assert Version.objects.count() == before


def test_contract_list_search_and_filters(staff_client, contract):
    seats_fill(contract, 3)
    closed = ContractFactory(name="Closed deal", active=False, max_learners=10)

    def names(**params) -> str:
        return staff_client.get(f"{ADMIN}/contract/", params).content.decode()

    assert "Closed deal" not in names(q="pilot")
    assert "Pilot" in names(q="pilot")
    full = names(seats="full")
    assert "Pilot" in full
    assert "Closed deal" not in full
    free = names(seats="free")
    assert "Closed deal" in free
    assert ">Pilot<" not in free
    not_open = names(open="no")
    assert "Closed deal" in not_open
    assert ">Pilot<" not in not_open
    assert closed.name in names(active__exact="0")


def _statements(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_contract_pages_statements_do_not_grow_with_seats_and_codes(staff_client):
    small = ContractFactory(max_learners=2000)
    large = ContractFactory(max_learners=2000)
    seats_fill(small, 10)
    seats_fill(large, 1000)
    EnrollmentCode.objects.bulk_create(
        EnrollmentCode(code=f"BULK{n:06d}", contract=large) for n in range(1000)
    )

    on_small = _statements(staff_client, f"{ADMIN}/contract/{small.pk}/change/")
    on_large = _statements(staff_client, f"{ADMIN}/contract/{large.pk}/change/")
    assert on_small == on_large

    listing = _statements(staff_client, f"{ADMIN}/contract/")
    seats_fill(small, 990)
    assert _statements(staff_client, f"{ADMIN}/contract/") == listing


# History outside the admin ---------------------------------------------------------------------


def test_attach_and_services_outside_the_admin_write_no_history(learner_client):
    code = EnrollmentCodeFactory()

    assert learner_client.post(f"/api/v0/b2b/attach/{code.code}/").status_code == 201
    services.contract_update(contract=code.contract, fields={"name": "Renamed"})

    assert not Version.objects.exists()


def test_user_history_leaves_out_the_password(staff_client):
    user = UserFactory(email="someone@example.com")

    staff_client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "email": user.email,
            "first_name": "Ada",
            "last_name": "",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    [version] = versions_of(user)
    assert version.field_dict["first_name"] == "Ada"
    assert "password" not in version.field_dict
