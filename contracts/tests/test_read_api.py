"""GET organizations/ and contracts/: who sees what, the shapes, and the cost per request."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from apikeys.services import api_key_revoke
from apikeys.tests.factories import api_key_issue, key_client
from contracts.models import OrganizationMembership
from contracts.tests.factories import ContractFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

API = "/api/v0/b2b"
TODAY = datetime.date.today()


@pytest.fixture
def world():
    """Two organizations, each with an open and a closed contract, and a member of each."""
    acme, globex = OrganizationFactory(name="Acme"), OrganizationFactory(name="Globex")
    data = {
        "acme": acme,
        "globex": globex,
        "acme_open": ContractFactory(organization=acme, name="Acme open"),
        "acme_inactive": ContractFactory(organization=acme, active=False),
        "acme_ended": ContractFactory(
            organization=acme, contract_end=TODAY - datetime.timedelta(days=1)
        ),
        "globex_open": ContractFactory(
            organization=globex, name="Globex open", contract_start=TODAY
        ),
        "globex_future": ContractFactory(
            organization=globex, contract_start=TODAY + datetime.timedelta(days=1)
        ),
        "acme_learner": UserFactory(),
        "globex_learner": UserFactory(),
    }
    OrganizationMembership.objects.create(user=data["acme_learner"], organization=acme)
    OrganizationMembership.objects.create(user=data["globex_learner"], organization=globex)
    return data


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def callers(world) -> dict[str, Client]:
    _, secret = api_key_issue()
    revoked, revoked_secret = api_key_issue(name="Old partner")
    api_key_revoke(api_key=revoked)
    return {
        "staff": signed_in(UserFactory(is_staff=True)),
        "api_key": key_client(secret),
        "revoked_key": key_client(revoked_secret),
        "acme_learner": signed_in(world["acme_learner"]),
        "globex_learner": signed_in(world["globex_learner"]),
        "outsider": signed_in(UserFactory()),
        "anonymous": Client(),
    }


def contract_json(contract) -> dict:
    return {
        "id": contract.pk,
        "name": contract.name,
        "slug": contract.slug,
        "description": contract.description,
        "membership_type": contract.membership_type,
        "organization": contract.organization_id,
        "contract_start": contract.contract_start.isoformat() if contract.contract_start else None,
        "contract_end": contract.contract_end.isoformat() if contract.contract_end else None,
        "active": contract.active,
        "welcome_message": contract.welcome_message,
        "welcome_message_extra": contract.welcome_message_extra,
        "programs": [],
    }


def organization_json(organization, open_contracts) -> dict:
    return {
        "id": organization.pk,
        "name": organization.name,
        "description": organization.description,
        "logo": None,
        "slug": organization.slug,
        "sso_organization_id": None,
        "contracts": [contract_json(contract) for contract in open_contracts],
    }


# Which organizations and open contracts each kind of caller sees; None: refused.
SEES = {
    "staff": (["acme", "globex"], ["acme_open", "globex_open"]),
    "api_key": (["acme", "globex"], ["acme_open", "globex_open"]),
    "acme_learner": (["acme"], ["acme_open"]),
    "globex_learner": (["globex"], ["globex_open"]),
    "outsider": ([], []),
}
REFUSED = {
    "revoked_key": (401, "authentication_failed"),
    "anonymous": (403, "not_authenticated"),
}


@pytest.mark.parametrize("caller", [*SEES, *REFUSED])
def test_organization_list_for_each_caller(world, caller):
    response = callers(world)[caller].get(f"{API}/organizations/")

    if caller in REFUSED:
        status, code = REFUSED[caller]
        assert (response.status_code, response.json()["code"]) == (status, code)
        return
    organizations, _ = SEES[caller]
    assert response.status_code == 200
    open_of = {"acme": [world["acme_open"]], "globex": [world["globex_open"]]}
    assert response.json() == [organization_json(world[o], open_of[o]) for o in organizations]


@pytest.mark.parametrize("caller", [*SEES, *REFUSED])
def test_contract_list_for_each_caller(world, caller):
    response = callers(world)[caller].get(f"{API}/contracts/")

    if caller in REFUSED:
        status, code = REFUSED[caller]
        assert (response.status_code, response.json()["code"]) == (status, code)
        return
    _, contracts = SEES[caller]
    assert response.status_code == 200
    assert response.json() == [contract_json(world[c]) for c in contracts]


@pytest.mark.parametrize("caller", [*SEES, *REFUSED])
@pytest.mark.parametrize("organization", ["acme", "globex"])
def test_organization_detail_for_each_caller(world, caller, organization):
    response = callers(world)[caller].get(f"{API}/organizations/{world[organization].slug}/")

    if caller in REFUSED:
        assert response.status_code == REFUSED[caller][0]
    elif organization in SEES[caller][0]:
        assert response.status_code == 200
        assert response.json() == organization_json(
            world[organization], [world[f"{organization}_open"]]
        )
    else:
        # Another organization's data is not merely hidden from the list: it does not exist.
        assert response.status_code == 404
        assert response.json() == {"detail": "No such organization.", "code": "not_found"}


@pytest.mark.parametrize("caller", [*SEES, *REFUSED])
@pytest.mark.parametrize("contract", ["acme_open", "globex_open"])
def test_contract_detail_for_each_caller(world, caller, contract):
    response = callers(world)[caller].get(f"{API}/contracts/{world[contract].slug}/")

    if caller in REFUSED:
        assert response.status_code == REFUSED[caller][0]
    elif contract in SEES[caller][1]:
        assert response.status_code == 200
        assert response.json() == contract_json(world[contract])
    else:
        assert response.status_code == 404
        assert response.json() == {"detail": "No such contract.", "code": "not_found"}


@pytest.mark.parametrize("closed", ["acme_inactive", "acme_ended", "globex_future"])
def test_closed_contract_is_not_found_even_for_staff(world, closed):
    staff = signed_in(UserFactory(is_staff=True))

    response = staff.get(f"{API}/contracts/{world[closed].slug}/")

    assert response.status_code == 404


def test_unknown_slugs_answer_404_in_the_error_shape(world):
    staff = signed_in(UserFactory(is_staff=True))

    for path in ("organizations/nope/", "contracts/nope/", "contracts/a%20b/", "contracts/%00/"):
        response = staff.get(f"{API}/{path}")
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_organization_shows_logo_url_and_sso_id(world):
    acme = world["acme"]
    acme.logo = "organization_logos/acme.png"
    acme.sso_organization_id = "0b5a3c3e-1111-4222-8333-944455556666"
    acme.save()

    body = key_client(api_key_issue()[1]).get(f"{API}/organizations/{acme.slug}/").json()

    assert body["logo"] == "http://testserver/media/organization_logos/acme.png"
    assert body["sso_organization_id"] == "0b5a3c3e-1111-4222-8333-944455556666"


def test_learner_of_two_organizations_sees_both_once(world):
    learner = world["acme_learner"]
    OrganizationMembership.objects.create(user=learner, organization=world["globex"])

    body = signed_in(learner).get(f"{API}/organizations/").json()

    assert [organization["slug"] for organization in body] == [
        world["acme"].slug,
        world["globex"].slug,
    ]


def _statements(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("path", ["organizations/", "contracts/"])
def test_list_statements_do_not_grow_with_rows(world, path):
    staff = signed_in(UserFactory(is_staff=True))
    few = _statements(staff, f"{API}/{path}")
    for _ in range(20):
        organization = OrganizationFactory()
        ContractFactory.create_batch(3, organization=organization)

    many = _statements(staff, f"{API}/{path}")

    # Session and user, then one statement for the rows and one for their open contracts.
    assert few == many == (4 if path == "organizations/" else 3)
