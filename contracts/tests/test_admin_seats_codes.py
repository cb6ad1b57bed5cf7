"""The seat, code, membership and attempt pages of the staff CMS, signed in as staff."""

import datetime

import pytest
from django.utils import timezone
from reversion.models import Version

from accounts.tests.factories import UserFactory
from contracts import services
from contracts.models import (
    EnrollmentCode,
    MembershipType,
    OrganizationMembership,
    RedemptionAttempt,
    RedemptionType,
    Seat,
    SeatSource,
)
from contracts.tests.factories import (
    ContractFactory,
    EnrollmentCodeFactory,
    OrganizationFactory,
    seats_fill,
)

pytestmark = pytest.mark.django_db

ADMIN = "/admin/contracts"


def versions_of(obj) -> list[Version]:
    return list(Version.objects.get_for_object(obj).select_related("revision__user"))


# Seats ---------------------------------------------------------------------------------------


def test_add_learner_takes_a_seat_as_attach_does(staff_client):
    contract = ContractFactory(membership_type=MembershipType.MANAGED, max_learners=2)
    auto = ContractFactory(organization=contract.organization, membership_type=MembershipType.AUTO)
    learner = UserFactory()

    response = staff_client.post(
        f"{ADMIN}/seat/add/", {"contract": contract.pk, "learner": learner.pk}
    )

    assert response.status_code == 302
    seat = Seat.objects.get(contract=contract)
    assert (seat.learner, seat.source) == (learner, SeatSource.ADMIN)
    assert Seat.objects.get(contract=auto).source == SeatSource.AUTO
    contract.refresh_from_db()
    assert contract.seats_held == 1
    assert OrganizationMembership.objects.filter(user=learner).count() == 1
    assert versions_of(seat)[0].revision.user.email == "staff@example.com"


def test_add_learner_to_a_full_contract_is_refused(staff_client):
    contract = ContractFactory(name="Tiny", max_learners=1)
    seats_fill(contract, 1)
    learner = UserFactory()

    response = staff_client.post(
        f"{ADMIN}/seat/add/", {"contract": contract.pk, "learner": learner.pk}
    )

    assert response.status_code == 200
    assert "Tiny is full: all 1 seats are held." in response.content.decode()
    contract.refresh_from_db()
    assert contract.seats_held == 1
    assert not Seat.objects.filter(learner=learner).exists()
    assert not OrganizationMembership.objects.filter(user=learner).exists()


def test_add_learner_who_holds_a_seat_is_refused(staff_client, contract):
    [learner] = seats_fill(contract, 1)

    response = staff_client.post(
        f"{ADMIN}/seat/add/", {"contract": contract.pk, "learner": learner.pk}
    )

    assert response.status_code == 200
    assert "already holds a seat" in response.content.decode()
    assert Seat.objects.filter(learner=learner).count() == 1


def test_release_action_frees_the_place_and_is_kept_in_history(staff_client, contract):
    learners = seats_fill(contract, 2)
    seats = list(Seat.objects.filter(contract=contract))

    response = staff_client.post(
        f"{ADMIN}/seat/",
        {"action": "release", "_selected_action": [seats[0].pk]},
        follow=True,
    )

    assert "Released 1 seat(s)." in response.content.decode()
    seats[0].refresh_from_db()
    assert seats[0].released_at is not None
    assert seats[0].released_by.email == "staff@example.com"
    contract.refresh_from_db()
    assert contract.seats_held == 1
    [version] = versions_of(seats[0])
    assert version.revision.get_comment() == "Released 1 seat(s)."
    assert learners[0].email in staff_client.get(f"{ADMIN}/seat/", {"held": "no"}).content.decode()


def test_release_action_on_released_seats_changes_nothing(staff_client, contract):
    seats_fill(contract, 1)
    seat = Seat.objects.get()
    services.seat_release(seat=seat)

    response = staff_client.post(
        f"{ADMIN}/seat/", {"action": "release", "_selected_action": [seat.pk]}, follow=True
    )

    assert "None of the selected seats was held." in response.content.decode()
    contract.refresh_from_db()
    assert contract.seats_held == 0


def test_seat_list_filters_by_contract_and_searches_by_email(staff_client, contract):
    [mine] = seats_fill(contract, 1)
    [theirs] = seats_fill(ContractFactory(), 1)

    by_contract = staff_client.get(f"{ADMIN}/seat/", {"contract__id__exact": contract.pk})
    by_email = staff_client.get(f"{ADMIN}/seat/", {"q": theirs.email})

    assert mine.email in by_contract.content.decode()
    assert theirs.email not in by_contract.content.decode()
    assert theirs.email in by_email.content.decode()
    assert mine.email not in by_email.content.decode()


# Codes ---------------------------------------------------------------------------------------


def test_issue_codes_in_a_batch(staff_client, contract):
    response = staff_client.post(
        f"{ADMIN}/enrollmentcode/add/",
        {
            "contract": contract.pk,
            "count": "3",
            "redemption_type": "unlimited",
            "max_redemptions": "20",
            "expiration_date_0": "2030-01-01",
            "expiration_date_1": "00:00:00",
        },
        follow=True,
    )

    assert "Issued 3 code(s) for Pilot." in response.content.decode()
    issued = contract.codes.filter(redemption_type=RedemptionType.UNLIMITED)
    assert issued.count() == 3
    assert {code.max_redemptions for code in issued} == {20}
    assert all(versions_of(code) for code in issued)


def test_issue_refuses_a_cap_on_one_time_codes(staff_client, contract):
    response = staff_client.post(
        f"{ADMIN}/enrollmentcode/add/",
        {
            "contract": contract.pk,
            "count": "1",
            "redemption_type": "one-time",
            "max_redemptions": "2",
        },
    )

    assert response.status_code == 200
    assert "Only unlimited codes take a cap" in response.content.decode()
    assert contract.codes.count() == 3


def test_change_code_cap_below_redemptions_is_refused(staff_client, contract):
    code = EnrollmentCodeFactory(
        contract=contract, redemption_type=RedemptionType.UNLIMITED, redemption_count=4
    )

    response = staff_client.post(
        f"{ADMIN}/enrollmentcode/{code.pk}/change/", {"max_redemptions": "3"}
    )

    assert response.status_code == 200
    assert "lower than the 4 redemptions already made" in response.content.decode()
    code.refresh_from_db()
    assert code.max_redemptions is None


def test_change_code_dates(staff_client, contract):
    code = contract.codes.first()

    response = staff_client.post(
        f"{ADMIN}/enrollmentcode/{code.pk}/change/",
        {"expiration_date_0": "2031-05-01", "expiration_date_1": "12:00:00"},
    )

    assert response.status_code == 302
    code.refresh_from_db()
    assert code.expiration_date == datetime.datetime(2031, 5, 1, 12, tzinfo=datetime.UTC)


def test_expire_action_expires_selected_codes(staff_client, contract):
    first, second, third = contract.codes.all()
    services.code_batch_expire(codes=EnrollmentCode.objects.filter(pk=third.pk))
    used = EnrollmentCodeFactory(contract=contract, redemption_type=RedemptionType.UNLIMITED)
    EnrollmentCode.objects.filter(pk=used.pk).update(redemption_count=2)

    response = staff_client.post(
        f"{ADMIN}/enrollmentcode/",
        {"action": "expire", "_selected_action": [first.pk, third.pk, used.pk]},
        follow=True,
    )

    assert "Expired 2 code(s); 1 had expired already." in response.content.decode()
    assert list(contract.codes.not_expired_at(timezone.now())) == [second]
    assert versions_of(first)[0].revision.get_comment() == "Expired 2 code(s)."
    assert versions_of(used)[0].revision.get_comment() == "Expired 2 code(s)."
    assert not versions_of(third)


def test_code_search_ignores_case_and_dashes(staff_client, contract):
    code = contract.codes.first()
    others = contract.codes.exclude(pk=code.pk)

    text = staff_client.get(
        f"{ADMIN}/enrollmentcode/", {"q": code.display_code.lower()}
    ).content.decode()

    assert code.display_code in text
    assert not any(other.display_code in text for other in others)


def test_code_status_filter(staff_client, contract):
    used, expired, live = contract.codes.all()
    EnrollmentCode.objects.filter(pk=used.pk).update(redemption_count=1)
    services.code_batch_expire(codes=EnrollmentCode.objects.filter(pk=expired.pk))

    def shown(status: str) -> set[str]:
        text = staff_client.get(f"{ADMIN}/enrollmentcode/", {"status": status}).content.decode()
        return {c.display_code for c in (used, expired, live) if c.display_code in text}

    assert shown("live") == {live.display_code}
    assert shown("expired") == {expired.display_code}
    assert shown("used-up") == {used.display_code}
    assert shown("unused") == {expired.display_code, live.display_code}


# Memberships and attempts --------------------------------------------------------------------


def test_add_member_gives_auto_seats_and_names_manager(staff_client):
    organization = OrganizationFactory()
    auto = ContractFactory(organization=organization, membership_type=MembershipType.AUTO)
    user = UserFactory()

    response = staff_client.post(
        f"{ADMIN}/organizationmembership/add/",
        {"user": user.pk, "organization": organization.pk, "is_manager": "on"},
    )

    assert response.status_code == 302
    membership = OrganizationMembership.objects.get()
    assert membership.is_manager
    assert Seat.objects.get(learner=user).contract == auto

    again = staff_client.post(
        f"{ADMIN}/organizationmembership/add/",
        {"user": user.pk, "organization": organization.pk},
    )
    assert again.status_code == 200
    assert "already" in again.content.decode()

    staff_client.post(f"{ADMIN}/organizationmembership/{membership.pk}/change/", {})
    membership.refresh_from_db()
    assert not membership.is_manager
    assert len(versions_of(membership)) == 2


def test_attempt_filters_by_user_address_and_reason(staff_client):
    noisy = UserFactory(email="noisy@example.com")
    for _ in range(3):
        RedemptionAttempt.objects.create(
            user=noisy, client_address="203.0.113.9", code="GUESS", reason="invalid_code"
        )
    RedemptionAttempt.objects.create(
        user=UserFactory(email="calm@example.com"),
        client_address="198.51.100.1",
        code="FULLCODE",
        reason="contract_full",
    )

    page = staff_client.get(f"{ADMIN}/redemptionattempt/").content.decode()
    assert "noisy@example.com (3)" in page
    assert "203.0.113.9 (3)" in page

    def shown(**params) -> str:
        return staff_client.get(f"{ADMIN}/redemptionattempt/", params).content.decode()

    # The codes as typed appear only in the rows, not in the side bar.
    assert "FULLCODE" not in shown(user=noisy.pk)
    assert "GUESS" in shown(user=noisy.pk)
    assert "GUESS" not in shown(address="198.51.100.1")
    assert "GUESS" not in shown(reason__exact="contract_full")
    assert "FULLCODE" not in shown(q="203.0.113.9")


def test_attempts_are_read_only(staff_client):
    attempt = RedemptionAttempt.objects.create(code="X", reason="invalid_code")

    assert staff_client.get(f"{ADMIN}/redemptionattempt/add/").status_code == 403
    response = staff_client.post(
        f"{ADMIN}/redemptionattempt/{attempt.pk}/change/", {"code": "changed"}
    )
    assert response.status_code == 403
    attempt.refresh_from_db()
    assert attempt.code == "X"


def test_add_learner_form_finds_learners_and_takes_the_contract_from_the_link(staff_client):
    contract = ContractFactory(name="Cohort A")
    UserFactory(email="grace@example.com")

    page = staff_client.get(f"{ADMIN}/seat/add/", {"contract": contract.pk}).content.decode()
    found = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "contracts", "model_name": "seat", "field_name": "learner", "term": "grace"},
    ).json()

    assert f'<option value="{contract.pk}" selected>Cohort A</option>' in page
    assert [row["text"] for row in found["results"]] == ["grace@example.com"]
