"""Code services: issue, sync, change, import and expire codes; and the one rule of a code's
state, which the admin column, its filter and `b2b_codes output --all` all read."""

import datetime
import itertools

import pytest
from django.utils import timezone

from contracts import services
from contracts.exceptions import (
    CodeCapInvalid,
    CodeCountInvalid,
    CodeDatesInvalid,
    CodeImportInvalid,
)
from contracts.models import (
    CodeStatus,
    Contract,
    EnrollmentCode,
    MembershipType,
    RedemptionType,
    code_status_at,
)
from contracts.services import CodeImport
from contracts.tests.factories import ContractFactory, EnrollmentCodeFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now
DAY = datetime.timedelta(days=1)


def code_contract(max_learners: int | None) -> Contract:
    return services.contract_create(
        organization=OrganizationFactory(),
        name="Pilot",
        membership_type=MembershipType.CODE,
        max_learners=max_learners,
    )


def unexpired(contract: Contract) -> list[EnrollmentCode]:
    return list(contract.codes.not_expired_at(timezone.now()))


# code_batch_issue ----------------------------------------------------------------------------


def test_issue_creates_the_codes_with_their_terms():
    contract = ContractFactory()
    activates, expires = NOW() + DAY, NOW() + 30 * DAY

    issued = services.code_batch_issue(
        contract=contract,
        count=3,
        redemption_type=RedemptionType.UNLIMITED,
        max_redemptions=7,
        activation_date=activates,
        expiration_date=expires,
    )

    stored = list(contract.codes.all())
    assert sorted(c.pk for c in stored) == sorted(c.pk for c in issued)
    assert {(c.redemption_type, c.max_redemptions) for c in stored} == {
        (RedemptionType.UNLIMITED, 7)
    }
    assert {(c.activation_date, c.expiration_date) for c in stored} == {(activates, expires)}


@pytest.mark.parametrize("count", [0, -1, 1_000_001, 2**63])
def test_issue_refuses_a_count_outside_one_batch(count):
    contract = ContractFactory()

    with pytest.raises(CodeCountInvalid, match="1 to 1,000,000"):
        services.code_batch_issue(contract=contract, count=count)

    assert not contract.codes.exists()


def test_issue_says_expiry_before_activation_even_when_both_are_past():
    contract = ContractFactory()

    with pytest.raises(CodeDatesInvalid, match="cannot expire before it activates"):
        services.code_batch_issue(
            contract=contract,
            count=1,
            activation_date=NOW() - DAY,
            expiration_date=NOW() - 2 * DAY,
        )


def test_issue_refuses_codes_already_expired():
    contract = ContractFactory()

    with pytest.raises(CodeDatesInvalid, match="already expired"):
        services.code_batch_issue(contract=contract, count=1, expiration_date=NOW() - DAY)

    assert not contract.codes.exists()


@pytest.mark.parametrize(
    ("redemption_type", "cap", "message"),
    [
        (RedemptionType.ONE_TIME, 3, "Only unlimited codes"),
        (RedemptionType.UNLIMITED, 0, "from 1 to 2,147,483,647"),
        (RedemptionType.UNLIMITED, 2_147_483_648, "from 1 to 2,147,483,647"),
    ],
)
def test_issue_refuses_a_bad_cap(redemption_type, cap, message):
    contract = ContractFactory()

    with pytest.raises(CodeCapInvalid, match=message):
        services.code_batch_issue(
            contract=contract, count=1, redemption_type=redemption_type, max_redemptions=cap
        )

    assert not contract.codes.exists()


# contract_codes_sync -------------------------------------------------------------------------


def test_sync_works_from_the_stored_row_not_a_stale_copy():
    contract = code_contract(10)
    stale = Contract.objects.get(pk=contract.pk)
    services.contract_update(contract=contract, fields={"max_learners": 5})

    change = services.contract_codes_sync(contract=stale)

    assert (change.seat_limit, change.issued, change.expired) == (5, 0, 0)
    assert len(unexpired(contract)) == 5


def test_sync_issues_the_missing_codes_and_expires_the_surplus():
    contract = code_contract(3)
    Contract.objects.filter(pk=contract.pk).update(max_learners=5)

    raised = services.contract_codes_sync(contract=contract)
    Contract.objects.filter(pk=contract.pk).update(max_learners=2)
    lowered = services.contract_codes_sync(contract=contract)

    assert (raised.issued, raised.expired) == (2, 0)
    assert (lowered.issued, lowered.expired) == (0, 3)
    assert len(unexpired(contract)) == 2
    assert contract.codes.count() == 5


def test_sync_never_expires_a_used_code():
    contract = code_contract(2)
    EnrollmentCode.objects.filter(contract=contract).update(redemption_count=1)
    Contract.objects.filter(pk=contract.pk).update(max_learners=1)

    change = services.contract_codes_sync(contract=contract)

    assert change.expired == 0
    assert len(unexpired(contract)) == 2


def test_sync_dry_run_tells_and_changes_nothing():
    contract = code_contract(2)
    Contract.objects.filter(pk=contract.pk).update(max_learners=6)

    change = services.contract_codes_sync(contract=contract, commit=False)

    assert change.issued == 4
    assert contract.codes.count() == 2


def test_sync_keeps_one_redeemable_unlimited_code_without_a_limit():
    contract = code_contract(None)
    [first] = unexpired(contract)
    EnrollmentCode.objects.filter(pk=first.pk).update(max_redemptions=1, redemption_count=1)

    change = services.contract_codes_sync(contract=contract)
    again = services.contract_codes_sync(contract=contract)

    assert (change.seat_limit, change.issued) == (None, 1)
    assert again.issued == 0
    assert contract.codes.filter(redemption_type=RedemptionType.UNLIMITED).count() == 2


def test_sync_leaves_other_contracts_alone():
    contract = ContractFactory(membership_type=MembershipType.MANAGED, max_learners=4)

    change = services.contract_codes_sync(contract=contract)

    assert (change.issued, change.expired) == (0, 0)
    assert not contract.codes.exists()


# code_update ---------------------------------------------------------------------------------


def test_update_changes_dates_and_cap():
    code = EnrollmentCodeFactory(redemption_type=RedemptionType.UNLIMITED)
    expires = NOW() + 10 * DAY

    services.code_update(code=code, fields={"expiration_date": expires, "max_redemptions": 4})

    code.refresh_from_db()
    assert (code.expiration_date, code.max_redemptions) == (expires, 4)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"max_redemptions": 2}, CodeCapInvalid),
        ({"max_redemptions": 0}, CodeCapInvalid),
        ({"max_redemptions": 2_147_483_648}, CodeCapInvalid),
        ({"activation_date": NOW() + 2 * DAY, "expiration_date": NOW() + DAY}, CodeDatesInvalid),
    ],
)
def test_update_refuses_bad_terms_and_changes_nothing(fields, error):
    code = EnrollmentCodeFactory(redemption_type=RedemptionType.UNLIMITED)
    EnrollmentCode.objects.filter(pk=code.pk).update(redemption_count=3)

    with pytest.raises(error):
        services.code_update(code=code, fields=fields)

    stored = EnrollmentCode.objects.get(pk=code.pk)
    assert (stored.max_redemptions, stored.activation_date, stored.expiration_date) == (
        None,
        None,
        None,
    )


def test_update_refuses_a_cap_on_a_one_time_code():
    code = EnrollmentCodeFactory()

    with pytest.raises(CodeCapInvalid, match="Only unlimited codes"):
        services.code_update(code=code, fields={"max_redemptions": 1})


def test_update_refuses_a_field_it_does_not_edit():
    code = EnrollmentCodeFactory()

    with pytest.raises(ValueError, match="Not editable: code"):
        services.code_update(code=code, fields={"code": "OTHER"})


# code_batch_import ---------------------------------------------------------------------------


def test_import_stores_codes_normalized_and_skips_those_already_there():
    contract = ContractFactory()
    EnrollmentCodeFactory(contract=contract, code="OLD1")

    result = services.code_batch_import(
        contract=contract,
        imports=[CodeImport(code="old-1"), CodeImport(code=" new-2 ")],
    )

    assert (result.imported, result.already_there) == (1, 1)
    assert sorted(contract.codes.values_list("code", flat=True)) == ["NEW2", "OLD1"]


def test_import_dry_run_stores_nothing():
    contract = ContractFactory()

    result = services.code_batch_import(
        contract=contract, imports=[CodeImport(code="abc")], commit=False
    )

    assert result.imported == 1
    assert not contract.codes.exists()


@pytest.mark.parametrize(
    ("imports", "message"),
    [
        ([CodeImport(code="abc-1"), CodeImport(code="ABC1")], "appears twice"),
        ([CodeImport(code="x" * 65)], "is not a code"),
        ([CodeImport(code="été")], "is not a code"),
        ([CodeImport(code="ok", max_redemptions=2)], "Only unlimited codes"),
        (
            [
                CodeImport(
                    code="ok",
                    activation_date=NOW() + 2 * DAY,
                    expiration_date=NOW() + DAY,
                )
            ],
            "cannot expire",
        ),
    ],
)
def test_import_refuses_a_bad_batch_whole(imports, message):
    contract = ContractFactory()

    with pytest.raises((CodeImportInvalid, CodeCapInvalid, CodeDatesInvalid), match=message):
        services.code_batch_import(contract=contract, imports=[CodeImport(code="fine"), *imports])

    assert not contract.codes.exists()


def test_import_refuses_a_code_of_another_contract():
    EnrollmentCodeFactory(code="TAKEN")
    contract = ContractFactory()

    with pytest.raises(CodeImportInvalid, match="belong to another contract"):
        services.code_batch_import(
            contract=contract, imports=[CodeImport(code="free"), CodeImport(code="taken")]
        )

    assert not contract.codes.exists()


# code_batch_expire ---------------------------------------------------------------------------


def test_expire_returns_the_ids_it_expired():
    contract = ContractFactory()
    unused, used, expired = EnrollmentCodeFactory.create_batch(3, contract=contract)
    EnrollmentCode.objects.filter(pk=used.pk).update(redemption_count=1)
    EnrollmentCode.objects.filter(pk=expired.pk).update(expiration_date=NOW() - DAY)

    unused_only = services.code_batch_expire(codes=contract.codes.all())
    every = services.code_batch_expire(codes=contract.codes.all(), unused_only=False)

    assert unused_only == [unused.pk]
    assert every == [used.pk]
    assert unexpired(contract) == []


# One rule for a code's state -----------------------------------------------------------------


def code_states():
    """A code in every combination of dates and redemptions, with its state now."""
    now = NOW()
    contract = ContractFactory()
    expected = {}
    terms = itertools.product(
        [None, now - DAY, now + DAY],  # activation
        [None, now - DAY, now + DAY],  # expiration
        [  # type, cap, redemptions
            (RedemptionType.ONE_TIME, None, 0),
            (RedemptionType.ONE_TIME, None, 1),
            (RedemptionType.UNLIMITED, None, 5),
            (RedemptionType.UNLIMITED, 2, 1),
            (RedemptionType.UNLIMITED, 2, 2),
        ],
    )
    for activates, expires, (kind, cap, count) in terms:
        code = EnrollmentCodeFactory(
            contract=contract,
            activation_date=activates,
            expiration_date=expires,
            redemption_type=kind,
            max_redemptions=cap,
        )
        EnrollmentCode.objects.filter(pk=code.pk).update(redemption_count=count)
        code.redemption_count = count
        if expires is not None and expires < now:
            expected[code.pk] = CodeStatus.EXPIRED
        elif activates is not None and activates > now:
            expected[code.pk] = CodeStatus.SCHEDULED
        else:
            expected[code.pk] = CodeStatus.USED_UP if code.is_used_up else CodeStatus.LIVE
    return now, expected


def test_status_expired_comes_first_then_scheduled_then_used_up():
    now, expected = code_states()

    shown = dict(EnrollmentCode.objects.values_list("pk", code_status_at(now)))

    assert shown == expected
    assert set(expected.values()) == set(CodeStatus)


def test_status_filters_keep_exactly_the_codes_in_that_state():
    now, expected = code_states()

    for status in CodeStatus:
        kept = set(EnrollmentCode.objects.in_status_at(status, now).values_list("pk", flat=True))
        assert kept == {pk for pk, state in expected.items() if state == status}, status


def test_redeemable_and_used_up_split_the_codes_as_the_row_rule_does():
    code_states()
    codes = list(EnrollmentCode.objects.all())

    redeemable = set(EnrollmentCode.objects.redeemable().values_list("pk", flat=True))
    used_up = set(EnrollmentCode.objects.used_up().values_list("pk", flat=True))

    assert used_up == {code.pk for code in codes if code.is_used_up}
    assert redeemable == {code.pk for code in codes if not code.is_used_up}
