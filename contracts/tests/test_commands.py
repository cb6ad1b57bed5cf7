"""b2b_contract and b2b_codes, through call_command as staff use them from a shell."""

import csv
import datetime
import io
import json
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from contracts import services
from contracts.models import Contract, EnrollmentCode, MembershipType, Organization, RedemptionType
from contracts.tests.factories import (
    ContractFactory,
    EnrollmentCodeFactory,
    OrganizationFactory,
    seats_fill,
)

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def unexpired(contract: Contract) -> list[EnrollmentCode]:
    return list(contract.codes.not_expired_at(timezone.now()))


# b2b_contract create -----------------------------------------------------------------------


def test_create_with_new_organization_issues_one_code_per_seat():
    out = run(
        "b2b_contract",
        "create",
        "Acme Corp",
        "Pilot 2027",
        "code",
        "--create",
        "--org-key",
        "acme",
        "--max-learners",
        "3",
        "--start",
        "2027-01-01",
        "--end",
        "2027-12-31",
        "--price",
        "99.50",
        "--description",
        "A pilot.",
        "--format",
        "json",
    )

    data = json.loads(out)
    contract = Contract.objects.get(pk=data["id"])
    assert data["slug"] == contract.slug == "pilot-2027"
    assert contract.organization.key == "acme"
    assert contract.organization.name == "Acme Corp"
    assert (contract.contract_start, contract.contract_end) == (
        datetime.date(2027, 1, 1),
        datetime.date(2027, 12, 31),
    )
    assert contract.enrollment_fixed_price == Decimal("99.50")
    assert contract.description == "A pilot."
    codes = unexpired(contract)
    assert len(codes) == 3
    assert {c.redemption_type for c in codes} == {RedemptionType.ONE_TIME}


def test_create_prints_id_and_slug_as_text():
    OrganizationFactory(name="Acme", key="acme")

    out = run("b2b_contract", "create", "acme", "Open", "code")

    contract = Contract.objects.get()
    assert f"Created contract {contract.pk} ({contract.slug})." in out


def test_create_without_limit_issues_one_unlimited_code():
    OrganizationFactory(name="Acme", key="acme")

    run("b2b_contract", "create", "Acme", "Open", "code")

    [code] = unexpired(Contract.objects.get())
    assert code.redemption_type == RedemptionType.UNLIMITED


@pytest.mark.parametrize("membership_type", ["managed", "auto"])
def test_create_non_code_contract_issues_no_codes(membership_type):
    OrganizationFactory(key="acme")

    run("b2b_contract", "create", "acme", "Staff only", membership_type, "--max-learners", "5")

    contract = Contract.objects.get()
    assert contract.membership_type == membership_type
    assert not contract.codes.exists()


def test_create_gives_each_contract_a_unique_slug():
    OrganizationFactory(key="acme")

    run("b2b_contract", "create", "acme", "Pilot", "code")
    run("b2b_contract", "create", "acme", "Pilot", "code")

    assert sorted(Contract.objects.values_list("slug", flat=True)) == ["pilot", "pilot-2"]


def test_create_refuses_unknown_organization_without_create():
    with pytest.raises(CommandError, match="pass --create"):
        run("b2b_contract", "create", "Nobody", "Pilot", "code")
    assert not Organization.objects.exists()


def test_create_refuses_org_key_for_an_existing_organization():
    OrganizationFactory(name="Acme", key="acme")

    with pytest.raises(CommandError, match="exists already"):
        run("b2b_contract", "create", "Acme", "Pilot", "code", "--org-key", "other")


@pytest.mark.parametrize("key", ["has space", "x" * 31, "ümlaut"])
def test_create_refuses_a_bad_organization_key(key):
    with pytest.raises(CommandError, match="30 letters"):
        run("b2b_contract", "create", "New Org", "Pilot", "code", "--create", "--org-key", key)
    assert not Organization.objects.exists()


def test_create_refuses_a_taken_organization_key():
    OrganizationFactory(name="Acme", key="acme")

    with pytest.raises(CommandError, match="already uses the key 'acme'"):
        run("b2b_contract", "create", "New Org", "Pilot", "code", "--create", "--org-key", "acme")


def test_create_refuses_end_before_start_and_changes_nothing():
    with pytest.raises(CommandError, match="cannot end"):
        run(
            "b2b_contract",
            "create",
            "New Org",
            "Pilot",
            "code",
            "--create",
            "--start",
            "2027-02-01",
            "--end",
            "2027-01-31",
        )
    assert not Organization.objects.exists()
    assert not Contract.objects.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--start", "2027-13-01"],
        ["--end", "tomorrow"],
        ["--max-learners", "-1"],
        ["--max-learners", "ten"],
        ["--price", "-5"],
        ["--price", "1.234"],
        ["--price", "NaN"],
    ],
)
def test_create_refuses_malformed_arguments(args):
    with pytest.raises(CommandError, match="Error: argument"):
        run("b2b_contract", "create", "Acme", "Pilot", "code", "--create", *args)
    assert not Contract.objects.exists()


def test_create_refuses_unknown_membership_type():
    with pytest.raises(CommandError, match="invalid choice"):
        run("b2b_contract", "create", "Acme", "Pilot", "sometimes", "--create")


# b2b_contract modify -----------------------------------------------------------------------


@pytest.fixture
def code_contract():
    organization = OrganizationFactory()
    return services.contract_create(
        organization=organization, name="Pilot", membership_type=MembershipType.CODE, max_learners=3
    )


def test_modify_raising_the_limit_issues_the_missing_codes(code_contract):
    run("b2b_contract", "modify", str(code_contract.pk), "--max-learners", "5")

    code_contract.refresh_from_db()
    assert code_contract.max_learners == 5
    assert len(unexpired(code_contract)) == 5


def test_modify_lowering_the_limit_expires_surplus_unused_codes(code_contract):
    used = code_contract.codes.first()
    EnrollmentCode.objects.filter(pk=used.pk).update(redemption_count=1)

    run("b2b_contract", "modify", code_contract.slug, "--max-learners", "1")

    assert [c.pk for c in unexpired(code_contract)] == [used.pk]
    assert code_contract.codes.count() == 3


def test_modify_refuses_a_limit_below_the_seats_held(code_contract):
    seats_fill(code_contract, 3)

    with pytest.raises(CommandError, match="lower than the 3 seats held"):
        run("b2b_contract", "modify", code_contract.slug, "--max-learners", "2")

    code_contract.refresh_from_db()
    assert code_contract.max_learners == 3
    assert len(unexpired(code_contract)) == 3


def test_modify_removing_the_cap_issues_an_unlimited_code(code_contract):
    run("b2b_contract", "modify", code_contract.slug, "--no-learner-cap")

    code_contract.refresh_from_db()
    assert code_contract.max_learners is None
    assert code_contract.codes.filter(redemption_type=RedemptionType.UNLIMITED).count() == 1


def test_modify_dates_price_and_state(code_contract):
    run(
        "b2b_contract",
        "modify",
        code_contract.slug,
        "--start",
        "2027-01-01",
        "--end",
        "2027-06-30",
        "--price",
        "10",
        "--inactive",
    )
    code_contract.refresh_from_db()
    assert code_contract.contract_start == datetime.date(2027, 1, 1)
    assert code_contract.contract_end == datetime.date(2027, 6, 30)
    assert code_contract.enrollment_fixed_price == Decimal("10")
    assert code_contract.active is False

    out = run(
        "b2b_contract",
        "modify",
        code_contract.slug,
        "--no-start-date",
        "--no-end-date",
        "--no-price",
        "--active",
        "--format",
        "json",
    )
    code_contract.refresh_from_db()
    assert (code_contract.contract_start, code_contract.contract_end) == (None, None)
    assert code_contract.enrollment_fixed_price is None
    assert code_contract.active is True
    assert json.loads(out)["active"] is True


def test_modify_refuses_end_before_start(code_contract):
    run("b2b_contract", "modify", code_contract.slug, "--start", "2027-03-01")

    with pytest.raises(CommandError, match="cannot end"):
        run("b2b_contract", "modify", code_contract.slug, "--end", "2027-02-01")
    code_contract.refresh_from_db()
    assert code_contract.contract_end is None


def test_modify_refuses_unknown_contract():
    with pytest.raises(CommandError, match="No contract has the id or slug 'nope'"):
        run("b2b_contract", "modify", "nope", "--active")


def test_modify_refuses_no_change(code_contract):
    with pytest.raises(CommandError, match="Nothing to change"):
        run("b2b_contract", "modify", code_contract.slug)


def test_modify_refuses_contradictory_options(code_contract):
    with pytest.raises(CommandError, match="not allowed with"):
        run("b2b_contract", "modify", code_contract.slug, "--active", "--inactive")


# b2b_codes output and generate -------------------------------------------------------------


def test_output_lists_unused_codes_as_many_as_free_seats(code_contract):
    used = code_contract.codes.first()
    EnrollmentCode.objects.filter(pk=used.pk).update(redemption_count=1)
    seats_fill(code_contract, 1)

    rows = list(
        csv.DictReader(
            io.StringIO(
                run("b2b_codes", "output", "--contract", code_contract.slug, "--format", "csv")
            )
        )
    )

    unused = [c for c in code_contract.codes.all() if c.pk != used.pk]
    assert rows == [
        {
            "contract": code_contract.slug,
            "code": code.display_code,
            "attach_link": f"{settings.SITE_URL}/enrollmentcode/{code.display_code}/",
        }
        for code in unused
    ]


def test_output_stops_at_free_seats(code_contract):
    seats_fill(code_contract, 2)

    data = json.loads(
        run("b2b_codes", "output", "--contract", str(code_contract.pk), "--format", "json")
    )

    assert len(data) == 1
    assert data[0]["contract"] == code_contract.slug


def test_output_leaves_out_expired_and_future_codes():
    contract = ContractFactory()
    now = timezone.now()
    live = EnrollmentCodeFactory(contract=contract)
    EnrollmentCodeFactory(contract=contract, expiration_date=now - datetime.timedelta(days=1))
    EnrollmentCodeFactory(contract=contract, activation_date=now + datetime.timedelta(days=1))

    data = json.loads(run("b2b_codes", "output", "--contract", contract.slug, "--format", "json"))

    assert [row["code"] for row in data] == [live.display_code]


def test_output_fancy_is_a_table(code_contract):
    out = run("b2b_codes", "output", "--contract", code_contract.slug)

    lines = out.splitlines()
    assert lines[0].startswith("╒")
    assert "attach_link" in lines[1]
    for code in code_contract.codes.all():
        assert code.display_code in out


def test_output_for_an_organization_covers_its_contracts(code_contract):
    other = services.contract_create(
        organization=code_contract.organization, name="Open", membership_type=MembershipType.CODE
    )

    data = json.loads(
        run(
            "b2b_codes",
            "output",
            "--organization",
            code_contract.organization.key,
            "--format",
            "json",
        )
    )

    assert [row["contract"] for row in data] == [code_contract.slug] * 3 + [other.slug]


def test_output_refuses_unknown_scope():
    with pytest.raises(CommandError, match="No organization"):
        run("b2b_codes", "output", "--organization", "nobody")
    with pytest.raises(CommandError, match="No contract"):
        run("b2b_codes", "output", "--contract", "404")


def test_output_needs_a_scope():
    with pytest.raises(CommandError, match="one of the arguments --contract --organization"):
        run("b2b_codes", "output")


def test_generate_issues_and_prints_codes(code_contract):
    out = run(
        "b2b_codes",
        "generate",
        "--contract",
        code_contract.slug,
        "--count",
        "2",
        "--unlimited",
        "--max-redemptions",
        "10",
        "--activates",
        "2027-01-01",
        "--expires",
        "2027-01-31",
        "--format",
        "json",
    )

    data = json.loads(out)
    issued = EnrollmentCode.objects.filter(redemption_type=RedemptionType.UNLIMITED)
    assert sorted(row["code"] for row in data) == sorted(c.display_code for c in issued)
    for code in issued:
        assert code.max_redemptions == 10
        assert code.activation_date == datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)
        assert code.expiration_date.date() == datetime.date(2027, 1, 31)
        assert code.expiration_date.time() == datetime.time.max


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--count", "0"], "1 to 1,000,000 codes"),
        (["--count", "1000001"], "1 to 1,000,000 codes"),
        (["--max-redemptions", "3"], "Only unlimited codes take a cap"),
        (["--unlimited", "--max-redemptions", "0"], "from 1 to"),
        (["--expires", "2020-01-01"], "already expired"),
        (["--activates", "2027-02-01", "--expires", "2027-01-01"], "cannot expire"),
        (["--expires", "someday"], "not a date"),
    ],
)
def test_generate_refuses_bad_arguments_and_issues_nothing(code_contract, args, message):
    before = code_contract.codes.count()

    with pytest.raises(CommandError, match=message):
        run("b2b_codes", "generate", "--contract", code_contract.slug, *args)

    assert code_contract.codes.count() == before


def test_argument_errors_from_the_shell_are_one_line_and_exit_non_zero():
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "b2b_contract",
            "create",
            "Acme",
            "Pilot",
            "code",
            "--max-learners",
            "lots",
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        "CommandError: argument --max-learners: 'lots' is not a whole number from 0 to "
        "2,147,483,647 "
        "(see manage.py b2b_contract create --help)"
    ]
