"""Hostile input to the b2b_* commands: each is refused in one line, and changes nothing."""

import datetime
import io
import json
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from contracts import services
from contracts.models import Contract, EnrollmentCode, MembershipType, Organization
from contracts.tests.factories import ContractFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

END_OF_DAY = datetime.time.max


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def pilot() -> Contract:
    """A code contract with three seats (and three codes), slug `pilot`."""
    return services.contract_create(
        organization=OrganizationFactory(name="Acme", key="acme"),
        name="Pilot",
        membership_type=MembershipType.CODE,
        max_learners=3,
    )


def codes_of(contract: Contract) -> list[tuple]:
    return list(
        contract.codes.order_by("pk").values_list(
            "code", "max_redemptions", "activation_date", "expiration_date"
        )
    )


# Prices and seat limits ----------------------------------------------------------------------


@pytest.mark.parametrize("price", ["99999999999", "100000000"])
def test_modify_refuses_a_price_the_column_cannot_hold(pilot, price):
    with pytest.raises(CommandError, match="is not a price: use 0 or more, below 100,000,000"):
        run("b2b_contract", "modify", "pilot", "--price", price)

    assert Contract.objects.get(pk=pilot.pk).enrollment_fixed_price is None
    out, _ = run("b2b_contract", "show", "pilot", "--format", "json")
    assert json.loads(out)["enrollment_fixed_price"] is None


@pytest.mark.parametrize("price", ["1E+400", "1E-400", "sNaN", "-Infinity", "1.001", "abc"])
def test_price_that_cannot_be_a_price_is_an_argument_error(pilot, price):
    with pytest.raises(CommandError, match=r"argument --price: .* is not a price"):
        run("b2b_contract", "modify", "pilot", f"--price={price}")

    assert Contract.objects.get(pk=pilot.pk).enrollment_fixed_price is None


def test_create_takes_the_largest_price():
    OrganizationFactory(key="acme")

    out, _ = run(
        "b2b_contract",
        "create",
        "acme",
        "Dear",
        "managed",
        "--price",
        "99999999.99",
        "--format",
        "json",
    )

    assert Contract.objects.get(pk=json.loads(out)["id"]).enrollment_fixed_price == Decimal(
        "99999999.99"
    )


def test_create_refuses_a_code_contract_with_more_seats_than_codes_can_be_issued():
    OrganizationFactory(key="acme")

    with pytest.raises(CommandError, match="its seat limit is at most 1,000,000"):
        run("b2b_contract", "create", "acme", "Huge", "code", "--max-learners", "1000001")
    with pytest.raises(CommandError, match="not a whole number from 0 to 2,147,483,647"):
        run("b2b_contract", "create", "acme", "Huge", "code", "--max-learners", "3000000000")

    assert not Contract.objects.exists()
    assert not EnrollmentCode.objects.exists()


@pytest.mark.parametrize("count", ["2147483648", "99999999999999999999", "9" * 5000, "٣"])
def test_counts_beyond_an_integer_column_are_argument_errors(count):
    OrganizationFactory(key="acme")

    with pytest.raises(CommandError, match="is not a whole number from 0 to 2,147,483,647"):
        run("b2b_contract", "create", "acme", "Big", "managed", "--max-learners", count)

    assert not Contract.objects.exists()


def test_a_managed_contract_takes_the_largest_seat_limit():
    OrganizationFactory(key="acme")

    out, _ = run(
        "b2b_contract",
        "create",
        "acme",
        "Big",
        "managed",
        "--max-learners",
        "2147483647",
        "--format",
        "json",
    )

    assert json.loads(out)["max_learners"] == 2_147_483_647


# Names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("organization", "name"), [("", ""), ("Acme", ""), ("Acme", "   "), ("x" * 300, "Pilot")]
)
def test_create_refuses_blank_or_too_long_names_and_creates_nothing(organization, name):
    with pytest.raises(CommandError, match="name cannot be blank nor longer than 255"):
        run("b2b_contract", "create", organization, name, "managed", "--create")

    assert not Organization.objects.exists()
    assert not Contract.objects.exists()


def test_create_refuses_a_contract_name_over_255_characters(pilot):
    with pytest.raises(CommandError, match="contract name cannot be blank nor longer than 255"):
        run("b2b_contract", "create", "acme", "y" * 256, "managed")

    assert Contract.objects.count() == 1


# Identifiers ---------------------------------------------------------------------------------


def test_an_all_digit_identifier_is_a_contract_id_never_a_slug():
    first = ContractFactory(name="First")
    OrganizationFactory(key="other")
    out, _ = run("b2b_contract", "create", "other", str(first.pk), "managed", "--format", "json")
    named_like_an_id = Contract.objects.get(pk=json.loads(out)["id"])

    shown, _ = run("b2b_contract", "show", str(first.pk), "--format", "json")
    run("b2b_contract", "modify", str(first.pk), "--inactive")

    assert named_like_an_id.slug == f"contract-{first.pk}"
    assert json.loads(shown)["name"] == "First"
    assert Contract.objects.get(pk=first.pk).active is False
    assert Contract.objects.get(pk=named_like_an_id.pk).active is True


def test_a_slug_of_digits_made_before_is_not_looked_up_as_a_slug():
    ContractFactory(slug="424242")

    with pytest.raises(CommandError, match="No contract has the id or slug '424242'"):
        run("b2b_contract", "show", "424242")


def test_organization_key_comes_before_another_organizations_slug():
    by_slug = OrganizationFactory(key="first", slug="shared")
    by_key = OrganizationFactory(key="shared", slug="second")
    ContractFactory(organization=by_slug, slug="of-slug")
    ContractFactory(organization=by_key, slug="of-key")

    rows = json.loads(
        run("b2b_list", "contracts", "--organization", "shared", "--format", "json")[0]
    )

    assert [row["slug"] for row in rows] == ["of-key"]


def test_organization_id_comes_before_a_key_of_digits():
    holder = OrganizationFactory(key="holder")
    digits = OrganizationFactory(key=str(holder.pk))
    ContractFactory(organization=holder, slug="of-holder")
    ContractFactory(organization=digits, slug="of-digits")

    rows = json.loads(
        run("b2b_list", "contracts", "--organization", str(holder.pk), "--format", "json")[0]
    )

    assert [row["slug"] for row in rows] == ["of-holder"]


def test_a_name_that_several_organizations_have_is_refused_as_ambiguous():
    OrganizationFactory(name="Acme", key="acme-us")
    OrganizationFactory(name="ACME", key="acme-eu")

    with pytest.raises(CommandError, match=r"named 'acme': use its key or id"):
        run("b2b_list", "contracts", "--organization", "acme")
    with pytest.raises(CommandError, match="More than one organization is named"):
        run("b2b_codes", "output", "--organization", "Acme")
    with pytest.raises(CommandError, match="More than one organization is named"):
        run("b2b_contract", "create", "Acme", "Pilot", "managed")

    assert not Contract.objects.exists()
    rows = json.loads(
        run("b2b_list", "contracts", "--organization", "acme-eu", "--format", "json")[0]
    )
    assert rows == []


# Dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--expires", "9999-12-31T23:00-05:00"],
        ["--activates", "0001-01-01T00:00+05:00"],
    ],
)
def test_generate_refuses_moments_outside_the_years_1_to_9999(pilot, args):
    before = codes_of(pilot)

    with pytest.raises(CommandError, match="is out of range"):
        run("b2b_codes", "generate", "--contract", "pilot", *args)

    assert codes_of(pilot) == before


def test_generate_takes_the_last_day_there_is(pilot):
    out, _ = run(
        "b2b_codes",
        "generate",
        "--contract",
        "pilot",
        "--expires",
        "9999-12-31",
        "--format",
        "json",
    )

    [row] = json.loads(out)
    code = EnrollmentCode.objects.get(code=row["code"].replace("-", ""))
    assert code.expiration_date == datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, datetime.UTC)
    listed = json.loads(
        run("b2b_codes", "output", "--contract", "pilot", "--all", "--format", "json")[0]
    )
    assert [r["status"] for r in listed if r["code"] == row["code"]] == ["live"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20300101", datetime.datetime.combine(datetime.date(2030, 1, 1), END_OF_DAY)),
        ("2030-01-01", datetime.datetime.combine(datetime.date(2030, 1, 1), END_OF_DAY)),
        ("2030-01-01T12:00", datetime.datetime(2030, 1, 1, 12)),
        ("2030-01-01T12:00+02:00", datetime.datetime(2030, 1, 1, 10)),
    ],
)
def test_generate_expires_at_the_end_of_a_day_in_any_iso_form(pilot, value, expected):
    out, _ = run(
        "b2b_codes",
        "generate",
        "--contract",
        "pilot",
        "--expires",
        value,
        "--format",
        "json",
    )

    [row] = json.loads(out)
    code = EnrollmentCode.objects.get(code=row["code"].replace("-", ""))
    assert code.expiration_date == expected.replace(tzinfo=datetime.UTC)


def test_generate_starts_a_compact_activation_day_at_midnight(pilot):
    out, _ = run(
        "b2b_codes",
        "generate",
        "--contract",
        "pilot",
        "--activates",
        "20300101",
        "--format",
        "json",
    )

    [row] = json.loads(out)
    code = EnrollmentCode.objects.get(code=row["code"].replace("-", ""))
    assert code.activation_date == datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)


@pytest.mark.parametrize("cap", ["99999999999999999999", "2147483648"])
def test_generate_refuses_a_cap_beyond_an_integer_column(pilot, cap):
    before = codes_of(pilot)

    with pytest.raises(CommandError, match=r"argument --max-redemptions: .* is not a whole number"):
        run("b2b_codes", "generate", "--contract", "pilot", "--unlimited", "--max-redemptions", cap)

    assert codes_of(pilot) == before


# --filename ----------------------------------------------------------------------------------


def test_generate_to_a_file_that_cannot_be_written_issues_nothing(pilot, tmp_path):
    before = codes_of(pilot)

    with pytest.raises(CommandError, match=r"Cannot write .*No such file or directory"):
        run(
            "b2b_codes",
            "generate",
            "--contract",
            "pilot",
            "--count",
            "50",
            "--filename",
            str(tmp_path / "missing" / "codes.csv"),
        )

    assert codes_of(pilot) == before


def test_expire_to_a_file_that_cannot_be_written_expires_nothing(pilot, tmp_path):
    before = codes_of(pilot)

    with pytest.raises(CommandError, match="Cannot write"):
        run(
            "b2b_codes",
            "expire",
            "--contract",
            "pilot",
            "--commit",
            "--filename",
            str(tmp_path / "missing" / "codes.csv"),
        )

    assert codes_of(pilot) == before


# import --------------------------------------------------------------------------------------


def write(tmp_path, content: str | bytes) -> str:
    path = tmp_path / "codes.csv"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("code,max_redemptions,redemption_type\nABC,99999999999999999999,unlimited\n", 2),
        ("code,expiration_date\nABC,2030-01-01\nDEF,0001-01-01T00:00+05:00\n", 3),
        ("code,activation_date\nABC,9999-12-31T23:00-05:00\n", 2),
        ("code\nABC\nDEF,extra\n", 3),
        ("code,redemption_type\nABC,one-time,,\n", 2),
    ],
)
def test_import_refuses_a_bad_cell_by_line_and_imports_nothing(pilot, tmp_path, text, line):
    path = write(tmp_path, text)
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 line"):
        call_command("b2b_codes", "import", path, "--contract", "pilot", stderr=err)

    assert err.getvalue().startswith(f"line {line}: ")
    assert len(codes_of(pilot)) == 3


def test_import_says_how_many_cells_a_row_has_too_many(pilot, tmp_path):
    path = write(tmp_path, "code\nABC,one,two\n")
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 line"):
        call_command("b2b_codes", "import", path, "--contract", "pilot", stderr=err)

    assert err.getvalue().strip() == "line 2: 2 more cell(s) than the header has columns"


def test_import_refuses_a_cell_over_the_csv_limit_in_one_line(pilot, tmp_path):
    path = write(tmp_path, "code\nABC\n" + "D" * 131_073 + "\n")

    with pytest.raises(CommandError, match=r"codes.csv, line 3: field larger than field limit"):
        run("b2b_codes", "import", path, "--contract", "pilot", "--commit")

    assert len(codes_of(pilot)) == 3


def test_import_refuses_a_file_that_is_not_utf8(pilot, tmp_path):
    path = write(tmp_path, b"code\nABC\n\xff\xfe\n")

    with pytest.raises(CommandError, match="is not UTF-8 text"):
        run("b2b_codes", "import", path, "--contract", "pilot", "--commit")

    assert len(codes_of(pilot)) == 3


def stdin_of(monkeypatch, content: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(content), encoding="ascii"))


def test_import_from_standard_input_skips_a_byte_order_mark(pilot, monkeypatch):
    stdin_of(monkeypatch, "\ufeffcode\nstdin-1\n".encode())

    out, _ = run("b2b_codes", "import", "-", "--contract", "pilot", "--commit")

    assert out.strip() == "Imported 1 code(s) into pilot; 0 were there already."
    assert pilot.codes.filter(code="STDIN1").exists()


def test_import_from_standard_input_refuses_bytes_that_are_not_utf8(pilot, monkeypatch):
    stdin_of(monkeypatch, b"code\nABC\n\xc3\x28\n")

    with pytest.raises(CommandError, match="standard input is not UTF-8 text"):
        run("b2b_codes", "import", "-", "--contract", "pilot", "--commit")

    assert len(codes_of(pilot)) == 3


def test_import_from_the_shells_standard_input(shell_database):
    def manage(*args: str, data: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            input=data,
            capture_output=True,
            check=False,
            env=shell_database,
        )

    manage("b2b_contract", "create", "Acme", "Piped", "managed", "--create")
    imported = manage(
        "b2b_codes",
        "import",
        "-",
        "--contract",
        "piped",
        "--commit",
        data="\ufeffcode\npiped-1\n".encode(),
    )
    refused = manage("b2b_codes", "import", "-", "--contract", "piped", data=b"code\n\xff\n")

    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.decode().startswith("Imported 1 code(s) into piped;")
    assert refused.returncode == 1
    assert refused.stderr.decode().splitlines() == [
        "CommandError: standard input is not UTF-8 text."
    ]


# b2b_demo ------------------------------------------------------------------------------------


def test_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="for local use"):
        run("b2b_demo")

    assert not Organization.objects.exists()
