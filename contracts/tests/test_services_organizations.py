"""Organization and contract services: what they create, and every input they refuse."""

import datetime
import uuid
from decimal import Decimal

import pytest

from contracts import services
from contracts.exceptions import (
    ContractDatesInvalid,
    ContractPriceInvalid,
    NameInvalid,
    OrganizationKeyInvalid,
    OrganizationKeyTaken,
    OrganizationSsoIdTaken,
    SeatLimitBelowHeld,
    SeatLimitInvalid,
)
from contracts.models import Contract, MembershipType, Organization
from contracts.tests.factories import ContractFactory, OrganizationFactory, seats_fill

pytestmark = pytest.mark.django_db

TOO_LONG = "x" * 256


def create(**fields) -> Contract:
    defaults = {
        "organization": fields.pop("organization", None) or OrganizationFactory(),
        "name": "Pilot",
        "membership_type": MembershipType.MANAGED,
    }
    return services.contract_create(**{**defaults, **fields})


# organization_create / organization_update ---------------------------------------------------


def test_organization_create_derives_key_and_slug_from_the_name():
    organization = services.organization_create(name="Acme Corp")

    assert (organization.key, organization.slug) == ("acme-corp", "acme-corp")


def test_organization_create_never_derives_an_all_digit_key_or_slug():
    organization = services.organization_create(name="1999")

    assert not organization.key.isdecimal()
    assert not organization.slug.isdecimal()
    assert organization.slug == "organization-1999"


@pytest.mark.parametrize("name", ["", "   ", TOO_LONG])
def test_organization_create_refuses_a_blank_or_too_long_name(name):
    with pytest.raises(NameInvalid, match="cannot be blank nor longer than 255"):
        services.organization_create(name=name)

    assert not Organization.objects.exists()


def test_organization_create_takes_a_name_of_255_characters():
    organization = services.organization_create(name="x" * 255)

    assert len(Organization.objects.get(pk=organization.pk).name) == 255


@pytest.mark.parametrize("key", ["", "has space", "k" * 31, "ключ"])
def test_organization_create_refuses_a_bad_key(key):
    with pytest.raises(OrganizationKeyInvalid):
        services.organization_create(name="Acme", key=key)

    assert not Organization.objects.exists()


def test_organization_create_refuses_a_taken_key_and_sso_id():
    sso_id = uuid.uuid4()
    OrganizationFactory(key="acme", sso_organization_id=sso_id)

    with pytest.raises(OrganizationKeyTaken):
        services.organization_create(name="Acme", key="acme")
    with pytest.raises(OrganizationSsoIdTaken):
        services.organization_create(name="Acme", sso_organization_id=sso_id)

    assert Organization.objects.count() == 1


@pytest.mark.parametrize("name", ["", " ", TOO_LONG])
def test_organization_update_refuses_a_blank_or_too_long_name(name):
    organization = OrganizationFactory(name="Acme")

    with pytest.raises(NameInvalid):
        services.organization_update(organization=organization, fields={"name": name})

    assert Organization.objects.get(pk=organization.pk).name == "Acme"


def test_organization_update_changes_the_name_and_keeps_key_and_slug():
    organization = OrganizationFactory(name="Acme", key="acme", slug="acme")

    services.organization_update(organization=organization, fields={"name": "Acme Inc."})

    stored = Organization.objects.get(pk=organization.pk)
    assert (stored.name, stored.key, stored.slug) == ("Acme Inc.", "acme", "acme")


def test_organization_update_refuses_another_organizations_sso_id():
    taken = OrganizationFactory(sso_organization_id=uuid.uuid4())
    organization = OrganizationFactory()

    with pytest.raises(OrganizationSsoIdTaken):
        services.organization_update(
            organization=organization,
            fields={"sso_organization_id": taken.sso_organization_id},
        )

    assert Organization.objects.get(pk=organization.pk).sso_organization_id is None


# contract_create -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["1", "2027", " 42 "])
def test_contract_slug_is_never_all_digits(name):
    contract = create(name=name)

    assert not contract.slug.isdecimal()
    assert contract.slug.startswith("contract-")


@pytest.mark.parametrize("name", ["", "  ", TOO_LONG])
def test_contract_create_refuses_a_blank_or_too_long_name(name):
    with pytest.raises(NameInvalid, match="contract name"):
        create(name=name)

    assert not Contract.objects.exists()


@pytest.mark.parametrize(
    "price",
    [
        Decimal("100000000"),
        Decimal("99999999999"),
        Decimal("1E+400"),
        Decimal("-0.01"),
        Decimal("0.001"),
        Decimal("NaN"),
        Decimal("Infinity"),
    ],
)
def test_contract_create_refuses_a_price_the_column_cannot_hold(price):
    with pytest.raises(ContractPriceInvalid):
        create(enrollment_fixed_price=price)

    assert not Contract.objects.exists()


@pytest.mark.parametrize("price", [Decimal("0"), Decimal("99999999.99"), Decimal("12.50")])
def test_contract_create_takes_the_prices_the_column_holds(price):
    contract = create(enrollment_fixed_price=price)

    assert Contract.objects.get(pk=contract.pk).enrollment_fixed_price == price


@pytest.mark.parametrize(
    ("membership_type", "max_learners"),
    [
        (MembershipType.MANAGED, 2_147_483_648),
        (MembershipType.AUTO, 2**63),
        (MembershipType.MANAGED, -1),
        (MembershipType.CODE, 1_000_001),
    ],
)
def test_contract_create_refuses_a_seat_limit_out_of_range(membership_type, max_learners):
    with pytest.raises(SeatLimitInvalid):
        create(membership_type=membership_type, max_learners=max_learners)

    assert not Contract.objects.exists()


def test_contract_create_takes_the_largest_seat_limit_of_a_managed_contract():
    contract = create(max_learners=2_147_483_647)

    assert Contract.objects.get(pk=contract.pk).max_learners == 2_147_483_647


def test_contract_create_refuses_end_before_start():
    with pytest.raises(ContractDatesInvalid):
        create(contract_start=datetime.date(2027, 2, 1), contract_end=datetime.date(2027, 1, 1))

    assert not Contract.objects.exists()


def test_contract_create_gives_a_code_contract_one_code_per_seat():
    contract = create(membership_type=MembershipType.CODE, max_learners=4)

    assert contract.codes.count() == 4


# contract_update -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"name": ""},
        {"name": TOO_LONG},
        {"enrollment_fixed_price": Decimal("99999999999")},
        {"enrollment_fixed_price": Decimal("1E+400")},
        {"max_learners": 2_147_483_648},
        {"contract_start": datetime.date(2027, 2, 1), "contract_end": datetime.date(2027, 1, 1)},
    ],
)
def test_contract_update_refuses_bad_terms_and_changes_nothing(fields):
    contract = ContractFactory(name="Pilot", membership_type=MembershipType.MANAGED, max_learners=5)

    with pytest.raises((NameInvalid, ContractPriceInvalid, SeatLimitInvalid, ContractDatesInvalid)):
        services.contract_update(contract=contract, fields=fields)

    stored = Contract.objects.get(pk=contract.pk)
    assert (stored.name, stored.enrollment_fixed_price, stored.max_learners) == ("Pilot", None, 5)
    assert (stored.contract_start, stored.contract_end) == (None, None)


def test_contract_update_refuses_a_code_contract_limit_above_the_code_cap():
    contract = create(membership_type=MembershipType.CODE, max_learners=2)

    with pytest.raises(SeatLimitInvalid, match="at most 1,000,000"):
        services.contract_update(contract=contract, fields={"max_learners": 1_000_001})

    assert Contract.objects.get(pk=contract.pk).max_learners == 2
    assert contract.codes.count() == 2


def test_contract_update_refuses_a_limit_below_the_seats_held():
    contract = ContractFactory(membership_type=MembershipType.MANAGED, max_learners=5)
    seats_fill(contract, 3)

    with pytest.raises(SeatLimitBelowHeld, match="3 seats held"):
        services.contract_update(contract=contract, fields={"max_learners": 2})

    assert Contract.objects.get(pk=contract.pk).max_learners == 5


def test_contract_update_leaves_an_old_name_alone_when_it_changes_something_else():
    contract = ContractFactory(name="", membership_type=MembershipType.MANAGED)

    services.contract_update(contract=contract, fields={"active": False})

    assert Contract.objects.get(pk=contract.pk).active is False


def test_contract_update_refuses_a_field_it_does_not_edit():
    contract = ContractFactory()

    with pytest.raises(ValueError, match="Not editable: slug"):
        services.contract_update(contract=contract, fields={"slug": "other"})
