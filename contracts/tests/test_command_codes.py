"""b2b_codes output modes, validate, expire and import, through call_command."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.tests.factories import UserFactory
from contracts import services
from contracts.models import Contract, EnrollmentCode, RedemptionType, Seat
from contracts.tests.factories import ContractFactory, EnrollmentCodeFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def rows(*args: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(run(*args, "--format", "csv")[0])))


def unexpired(contract: Contract) -> list[EnrollmentCode]:
    return list(contract.codes.not_expired_at(timezone.now()))


def attach(contract: Contract, code: EnrollmentCode, email: str) -> Seat:
    learner = UserFactory(email=email)
    return services.seat_attach(learner=learner, code=code.code).seat


# output --all, --usage, --stats, --filename --------------------------------------------------


def test_output_all_lists_every_code_with_its_state(contract):
    used, expired, live = contract.codes.all()
    attach(contract, used, "ada@example.com")
    services.code_batch_expire(codes=EnrollmentCode.objects.filter(pk=expired.pk))

    listed = rows("b2b_codes", "output", "--contract", "pilot", "--all")

    assert [row["code"] for row in listed] == [c.display_code for c in (used, expired, live)]
    assert [row["status"] for row in listed] == ["used up", "expired", "live"]
    assert listed[0]["redemptions"] == "1"
    assert listed[0]["redemption_type"] == "one-time"
    assert listed[2]["attach_link"].endswith(f"/enrollmentcode/{live.display_code}/")
    assert listed[1]["expires"] != ""


def test_output_usage_lists_redemptions(contract):
    code = contract.codes.first()
    attach(contract, code, "ada@example.com")

    [row] = rows("b2b_codes", "output", "--contract", "pilot", "--usage")

    assert (row["contract"], row["code"], row["learner"]) == (
        "pilot",
        code.display_code,
        "ada@example.com",
    )
    assert row["redeemed_at"].startswith(str(timezone.now().year))
    assert row["released_at"] == ""


def test_output_stats_counts_seats_and_codes_per_contract(contract):
    attach(contract, contract.codes.first(), "ada@example.com")
    other = ContractFactory(organization=contract.organization, membership_type="managed")

    data = json.loads(
        run("b2b_codes", "output", "--organization", "acme", "--stats", "--format", "json")[0]
    )

    assert data == [
        {
            "contract": "pilot",
            "organization": "acme",
            "membership_type": "code",
            "active": True,
            "seat_limit": 3,
            "seats_held": 1,
            "seats_free": 2,
            "codes_issued": 3,
            "codes_used": 1,
            "redemptions": 1,
        },
        {
            "contract": other.slug,
            "organization": "acme",
            "membership_type": "managed",
            "active": True,
            "seat_limit": None,
            "seats_held": 0,
            "seats_free": None,
            "codes_issued": 0,
            "codes_used": 0,
            "redemptions": 0,
        },
    ]


def test_output_modes_are_exclusive(contract):
    with pytest.raises(CommandError, match="not allowed with"):
        run("b2b_codes", "output", "--contract", "pilot", "--all", "--stats")


@pytest.mark.parametrize("fmt", ["csv", "json", "fancy"])
def test_output_filename_writes_the_same_output_to_a_file(contract, tmp_path, fmt):
    target = tmp_path / f"codes.{fmt}"

    out, err = run(
        "b2b_codes",
        "output",
        "--contract",
        "pilot",
        "--all",
        "--format",
        fmt,
        "--filename",
        str(target),
    )

    assert out == ""
    assert err.strip() == f"Wrote 3 row(s) to {target}."
    printed, _ = run("b2b_codes", "output", "--contract", "pilot", "--all", "--format", fmt)
    assert target.read_text() == printed


def test_output_filename_in_a_missing_directory_is_refused(contract, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot write .*No such file or directory"):
        run("b2b_codes", "output", "--contract", "pilot", "--filename", str(tmp_path / "x/y.csv"))


def test_output_json_is_a_list_of_objects(contract):
    data = json.loads(run("b2b_codes", "output", "--contract", "pilot", "--format", "json")[0])

    assert len(data) == 3
    assert set(data[0]) == {"contract", "code", "attach_link"}


def test_generate_can_write_to_a_file(contract, tmp_path):
    target = tmp_path / "new.csv"

    run(
        "b2b_codes",
        "generate",
        "--contract",
        "pilot",
        "--count",
        "2",
        "--format",
        "csv",
        "--filename",
        str(target),
    )

    written = list(csv.DictReader(target.open()))
    assert len(written) == 2
    assert contract.codes.count() == 5


# validate ------------------------------------------------------------------------------------


@pytest.fixture
def drifted(contract) -> Contract:
    """A code contract whose limit went up without its codes following."""
    Contract.objects.filter(pk=contract.pk).update(max_learners=5)
    contract.refresh_from_db()
    return contract


def test_validate_dry_run_tells_and_changes_nothing(drifted):
    out, err = run("b2b_codes", "validate", "--contract", "pilot", "--format", "json")

    assert json.loads(out) == [
        {"contract": "pilot", "seat_limit": 5, "to_issue": 2, "to_expire": 0}
    ]
    assert "Dry run: would issue 2 and expire 0 code(s); nothing was changed." in err
    assert len(unexpired(drifted)) == 3


def test_validate_commit_issues_the_missing_codes(drifted):
    out, err = run("b2b_codes", "validate", "--contract", "pilot", "--commit", "--format", "csv")

    assert list(csv.DictReader(io.StringIO(out))) == [
        {"contract": "pilot", "seat_limit": "5", "issued": "2", "expired": "0"}
    ]
    assert "Issued 2 and expired 0 code(s)." in err
    assert len(unexpired(drifted)) == 5


def test_validate_expires_surplus_and_skips_other_contracts(contract):
    Contract.objects.filter(pk=contract.pk).update(max_learners=1)
    ContractFactory(organization=contract.organization, membership_type="managed")

    out, _ = run("b2b_codes", "validate", "--organization", "acme", "--commit", "--format", "json")

    assert json.loads(out) == [{"contract": "pilot", "seat_limit": 1, "issued": 0, "expired": 2}]
    assert len(unexpired(contract)) == 1


def test_validate_gives_a_limitless_code_contract_one_unlimited_code():
    open_contract = ContractFactory(slug="open", max_learners=None)

    run("b2b_codes", "validate", "--contract", "open", "--commit")

    [code] = unexpired(open_contract)
    assert code.redemption_type == RedemptionType.UNLIMITED


# expire --------------------------------------------------------------------------------------


def test_expire_dry_run_lists_unused_codes_and_changes_nothing(contract):
    used = contract.codes.first()
    attach(contract, used, "ada@example.com")

    out, err = run("b2b_codes", "expire", "--contract", "pilot", "--format", "csv")

    listed = [row["code"] for row in csv.DictReader(io.StringIO(out))]
    assert listed == [c.display_code for c in contract.codes.exclude(pk=used.pk)]
    assert "Dry run: would expire 2 unused code(s); nothing was changed." in err
    assert len(unexpired(contract)) == 3


def test_expire_commit_expires_unused_codes_only(contract):
    used = contract.codes.first()
    attach(contract, used, "ada@example.com")

    _, err = run("b2b_codes", "expire", "--contract", "pilot", "--commit")

    assert "Expired 2 unused code(s)." in err
    assert unexpired(contract) == [used]
    assert contract.codes.count() == 3  # expired, never deleted


def test_expire_needs_a_scope():
    with pytest.raises(CommandError, match="one of the arguments --contract --organization"):
        run("b2b_codes", "expire")


# import --------------------------------------------------------------------------------------


def write(tmp_path, text: str):
    path = tmp_path / "codes.csv"
    path.write_text(text)
    return str(path)


def test_import_dry_run_checks_and_changes_nothing(contract, tmp_path):
    path = write(tmp_path, "code\n3f2a9c1e-0b7d-4c2e-9a51-6d0e8f7b1a23\n")

    out, err = run("b2b_codes", "import", path, "--contract", "pilot")

    assert out.strip() == "Would import 1 code(s) into pilot; 0 were there already."
    assert "Dry run" in err
    assert contract.codes.count() == 3


def test_import_commit_stores_normalized_codes_with_their_terms(contract, tmp_path):
    path = write(
        tmp_path,
        "code,redemption_type,max_redemptions,activation_date,expiration_date\n"
        "3f2a9c1e-0b7d-4c2e-9a51-6d0e8f7b1a23,,,,\n"
        "team-pass-2027,unlimited,50,2027-01-01,2027-12-31\n",
    )

    out, _ = run("b2b_codes", "import", path, "--contract", "pilot", "--commit", "--format", "json")

    assert json.loads(out) == {
        "contract": "pilot",
        "imported": 2,
        "already_there": 0,
        "committed": True,
    }
    uuid_code = EnrollmentCode.objects.get(code="3F2A9C1E0B7D4C2E9A516D0E8F7B1A23")
    assert uuid_code.redemption_type == RedemptionType.ONE_TIME
    team = EnrollmentCode.objects.get(code="TEAMPASS2027")
    assert (team.redemption_type, team.max_redemptions) == (RedemptionType.UNLIMITED, 50)
    assert team.activation_date == datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)
    assert team.expiration_date.date() == datetime.date(2027, 12, 31)
    # A learner types the UUID as they had it, in lower case with dashes.
    learner = UserFactory()
    attached = services.seat_attach(learner=learner, code="3f2a9c1e-0b7d-4c2e-9a51-6d0e8f7b1a23")
    assert attached.seat.code == uuid_code


def test_import_again_skips_codes_already_there(contract, tmp_path):
    path = write(tmp_path, "code\nABC-123\nDEF-456\n")
    run("b2b_codes", "import", path, "--contract", "pilot", "--commit")

    out, _ = run("b2b_codes", "import", path, "--contract", "pilot", "--commit")

    assert out.strip() == "Imported 0 code(s) into pilot; 2 were there already."
    assert contract.codes.count() == 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("number\n1\n", "no 'code' column"),
        ("code,expiry\nABC,2027-01-01\n", "unknown column"),
        ("code\n", "has no codes"),
        ("code,expiration_date\nABC,someday\n", "1 line"),
        ("code,redemption_type\nABC,twice\n", "1 line"),
        ("code\nABC\n\u00e9t\u00e9\n", "is not a code"),
        ("code\nabc-1\nABC1\n", "appears twice"),
        ("code,max_redemptions\nABC,3\n", "Only unlimited codes take a cap"),
        ("code,activation_date,expiration_date\nABC,2027-02-01,2027-01-01\n", "cannot expire"),
    ],
)
def test_import_refuses_bad_files_whole(contract, tmp_path, text, message):
    path = write(tmp_path, text)

    with pytest.raises(CommandError, match=message):
        run("b2b_codes", "import", path, "--contract", "pilot", "--commit")

    assert contract.codes.count() == 3


def test_import_reports_bad_lines_by_number(contract, tmp_path):
    path = write(tmp_path, "code,expiration_date\nABC,2027-01-01\n,\nDEF,soon\n")
    err = io.StringIO()

    with pytest.raises(CommandError, match="2 line"):
        call_command("b2b_codes", "import", path, "--contract", "pilot", stderr=err)

    assert err.getvalue().splitlines() == [
        "line 3: the code is empty",
        "line 4: expiration_date: 'soon' is not a date (YYYY-MM-DD)",
    ]


def test_import_refuses_a_code_of_another_contract(contract, tmp_path):
    EnrollmentCodeFactory(code="TAKEN1", contract=ContractFactory())
    path = write(tmp_path, "code\nfree-1\ntaken-1\n")

    with pytest.raises(CommandError, match="1 of the codes belong to another contract"):
        run("b2b_codes", "import", path, "--contract", "pilot", "--commit")

    assert not EnrollmentCode.objects.filter(code="FREE1").exists()


def test_import_refuses_a_missing_file(contract, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*No such file"):
        run("b2b_codes", "import", str(tmp_path / "none.csv"), "--contract", "pilot")
