"""b2b_list and b2b_contract show, through call_command; exit codes through the shell."""

import csv
import io
import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from accounts.tests.factories import UserFactory
from contracts import services
from contracts.models import Contract, MembershipType
from contracts.tests.factories import ContractFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def listed(*args: str) -> list[dict]:
    return json.loads(run(*args, "--format", "json"))


@pytest.fixture
def acme() -> Contract:
    organization = OrganizationFactory(name="Acme", key="acme")
    contract = services.contract_create(
        organization=organization,
        name="Pilot",
        membership_type=MembershipType.CODE,
        max_learners=3,
    )
    ada = UserFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    services.seat_attach(learner=ada, code=contract.codes.first().code)
    return contract


# b2b_contract show ---------------------------------------------------------------------------


def test_show_prints_terms_seats_and_codes(acme):
    data = json.loads(run("b2b_contract", "show", "pilot", "--format", "json"))

    assert data["id"] == acme.pk
    assert data["organization"] == "acme"
    assert (data["max_learners"], data["seats_held"], data["seats_free"]) == (3, 1, 2)
    assert (data["codes_issued"], data["codes_used"], data["redemptions"]) == (3, 1, 1)
    assert data["open_today"] is True


def test_show_as_text(acme):
    out = run("b2b_contract", "show", str(acme.pk))

    assert out.splitlines()[0] == f"Contract {acme.pk} (pilot)."
    assert "  seats_held: 1" in out


def test_show_refuses_unknown_contract():
    with pytest.raises(CommandError, match="No contract has the id or slug 'nope'"):
        run("b2b_contract", "show", "nope")


# b2b_list ------------------------------------------------------------------------------------


def test_list_organizations_with_counts_and_search(acme):
    OrganizationFactory(name="Globex", key="globex")

    assert [row["key"] for row in listed("b2b_list", "organizations")] == ["acme", "globex"]
    [row] = listed("b2b_list", "organizations", "--search", "acm")
    assert (row["name"], row["contracts"], row["members"]) == ("Acme", 1, 1)


def test_list_contracts_with_filters(acme):
    ContractFactory(name="Closed", slug="closed", organization=acme.organization, active=False)
    ContractFactory(slug="elsewhere", membership_type=MembershipType.AUTO)

    def slugs(*args: str) -> list[str]:
        return [row["slug"] for row in listed("b2b_list", "contracts", *args)]

    assert slugs("--organization", "acme") == ["closed", "pilot"]
    assert slugs("--inactive") == ["closed"]
    assert slugs("--active", "--organization", "acme") == ["pilot"]
    assert slugs("--open", "--organization", "acme") == ["pilot"]
    assert slugs("--membership-type", "auto") == ["elsewhere"]
    assert slugs("--search", "clos") == ["closed"]
    [pilot] = listed("b2b_list", "contracts", "--search", "pilot")
    assert (pilot["seat_limit"], pilot["seats_held"], pilot["open_today"]) == (3, 1, True)


def test_list_learners_held_and_released(acme):
    seat = acme.seats.get()
    grace = UserFactory(email="grace@example.com")
    services.seat_add(learner=grace, contract=acme)
    services.seat_release(seat=seat)

    held = listed("b2b_list", "learners", "--contract", "pilot")
    everyone = listed("b2b_list", "learners", "--organization", "acme", "--released")

    assert [row["email"] for row in held] == ["grace@example.com"]
    assert held[0]["source"] == "admin"
    assert [row["email"] for row in everyone] == ["ada@example.com", "grace@example.com"]
    assert everyone[0]["name"] == "Ada Lovelace"
    assert everyone[0]["released_at"] is not None
    assert everyone[0]["code"] == seat.code.display_code


def test_list_learners_search_and_csv(acme):
    rows = list(
        csv.DictReader(
            io.StringIO(run("b2b_list", "learners", "--search", "lovelace", "--format", "csv"))
        )
    )

    assert [row["email"] for row in rows] == ["ada@example.com"]


def test_list_fancy_is_a_table(acme):
    out = run("b2b_list", "contracts")

    assert out.startswith("╒")
    assert "pilot" in out


def test_list_writes_to_a_file(acme, tmp_path):
    target = tmp_path / "orgs.csv"

    run("b2b_list", "organizations", "--format", "csv", "--filename", str(target))

    assert (
        target.read_text().splitlines()[0]
        == "id,key,slug,name,sso_organization_id,contracts,members"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["contracts", "--membership-type", "sometimes"], "invalid choice"),
        (["contracts", "--active", "--inactive"], "not allowed with"),
        (["contracts", "--organization", "nobody"], "No organization"),
        (["learners", "--contract", "nope"], "No contract"),
        (["everything"], "invalid choice"),
    ],
)
def test_list_refuses_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        run("b2b_list", *args)


# From the shell: one line and a non-zero exit ----------------------------------------------------


def test_argument_error_from_the_shell_is_one_line_with_exit_2(shell_database):
    result = subprocess.run(
        [sys.executable, "manage.py", "b2b_list", "contracts", "--format", "xml"],
        capture_output=True,
        text=True,
        check=False,
        env=shell_database,
    )

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "CommandError: argument --format: invalid choice: 'xml' "
        "(choose from 'fancy', 'csv', 'json') (see manage.py b2b_list contracts --help)"
    ]


def test_refusal_from_the_shell_is_one_line_with_exit_1(shell_database):
    result = subprocess.run(
        [sys.executable, "manage.py", "b2b_codes", "expire", "--contract", "no-such-contract"],
        capture_output=True,
        text=True,
        check=False,
        env=shell_database,
    )

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "CommandError: No contract has the id or slug 'no-such-contract'."
    ]
