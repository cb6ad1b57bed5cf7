"""The learner's path in a real headless Chromium: code link, sign-up, confirm, dashboard.

Run with the SQLite half of the suite only (`make test-postgres` passes -m "not browser"): they
test pages, and the database behaviour under them is covered on both databases elsewhere.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.tests.factories import UserFactory
from contracts.models import Contract, RedemptionType, Seat
from contracts.services import seat_attach
from contracts.tests.factories import ContractFactory, EnrollmentCodeFactory, OrganizationFactory
from learners.tests.conftest import PHONE

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


def code_link(code) -> str:
    return f"/enrollmentcode/{code.display_code}/"


def sign_in(page: Page, email: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def fits_the_screen(page: Page) -> bool:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return width <= inner


def test_a_new_learner_follows_a_code_link_signs_up_joins_and_sees_the_dashboard(
    open_page, screenshot
):
    contract = ContractFactory(
        organization=OrganizationFactory(name="Acme Corporation"),
        name="Acme Data Science",
        welcome_message="Welcome to Acme's data science programme.",
        welcome_message_extra="Your first course starts on Monday.",
    )
    code = EnrollmentCodeFactory(contract=contract)
    page = open_page()

    page.goto(code_link(code))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to redeem your code")
    screenshot(page, "sign-in")
    page.get_by_role("main").get_by_role("link", name="Create an account").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    page.get_by_label("Email address").fill("new.learner@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    screenshot(page, "sign-up")
    page.get_by_role("button", name="Create the account").click()

    expect(page).to_have_url(re.compile(re.escape(code_link(code)) + "$"))
    expect(page.get_by_text(code.display_code, exact=True)).to_be_visible()
    screenshot(page, "confirm")
    page.get_by_role("button", name="Join with this code").click()

    expect(page.get_by_role("status")).to_have_text("You have joined Acme Data Science.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Data Science")
    expect(page.get_by_text("Welcome to Acme's data science programme.")).to_be_visible()
    expect(page.get_by_text("Your first course starts on Monday.")).to_be_visible()
    screenshot(page, "joined")
    page.reload()  # a GET after the redirect: nothing is redeemed again
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Data Science")
    page.get_by_role("link", name="Go to your dashboard").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your dashboard")
    card = page.get_by_role("article", name="Acme Data Science")
    expect(card).to_contain_text("Welcome to Acme's data science programme.")
    expect(page.get_by_role("region", name="Acme Corporation")).to_contain_text("Open")
    screenshot(page, "dashboard")
    learner = User.objects.get(email="new.learner@example.com")
    assert list(Seat.objects.values_list("learner", "contract")) == [(learner.pk, contract.pk)]
    code.refresh_from_db()
    assert code.redemption_count == 1


def test_a_second_learner_on_a_full_contract_is_told_it_is_full(open_page, screenshot):
    contract = ContractFactory(name="Small Cohort", max_learners=1)
    first, second = (EnrollmentCodeFactory(contract=contract) for _ in range(2))
    seat_attach(learner=UserFactory(), code=first.code)
    UserFactory(email="second@example.com")
    page = open_page()

    page.goto(code_link(second))
    sign_in(page, "second@example.com")
    expect(page.get_by_role("button", name="Join with this code")).to_be_visible()
    page.get_by_role("button", name="Join with this code").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("This contract is full")
    expect(page.get_by_text("your code was not used")).to_be_visible()
    screenshot(page, "full")
    assert Contract.objects.get().seats_held == 1
    assert not Seat.objects.filter(learner__email="second@example.com").exists()


def test_an_invalid_code_shows_the_invalid_message_by_link_and_by_keyboard(open_page, screenshot):
    UserFactory(email="ada@example.com")
    page = open_page()
    page.goto("/enrollmentcode/K7QF-9MZX-2DPA-W3HC/")
    sign_in(page, "ada@example.com")

    page.get_by_role("button", name="Join with this code").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("This code is not valid")
    expect(page.get_by_text("is invalid or has expired")).to_be_visible()
    screenshot(page, "invalid-link")

    page.goto("/dashboard/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.get_by_role("textbox", name="Enrollment code").focus()
    page.keyboard.type("wrong code")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("This code is not valid")
    expect(page.get_by_role("textbox", name="Enrollment code")).to_have_value("wrong code")
    screenshot(page, "invalid-typed")
    assert not Seat.objects.exists()


def test_every_page_fits_a_phone_screen(open_page, screenshot):
    contract = ContractFactory(
        organization=OrganizationFactory(name="Initech Global Learning Partnerships"),
        name="A contract with a rather long name for a narrow screen",
        welcome_message="Start at https://learn.example.org/a/very/long/path/that/does/not/wrap",
        max_learners=1,
    )
    code, spare = (EnrollmentCodeFactory(contract=contract) for _ in range(2))
    unlimited = EnrollmentCodeFactory(redemption_type=RedemptionType.UNLIMITED)
    learner = UserFactory(email="a.rather.long.address.for.a.phone@example.com")
    page = open_page(viewport=PHONE)
    checked: list[str] = []

    def check(label: str) -> None:
        screenshot(page, label)
        assert fits_the_screen(page), f"{label} ({page.url}) scrolls sideways"
        checked.append(label)

    for path, label in [
        ("/", "landing"),
        (f"/accounts/login/?next={code_link(code)}", "sign-in"),
        (f"/accounts/signup/?next={code_link(code)}", "sign-up"),
        ("/accounts/password-reset/", "password-reset"),
    ]:
        page.goto(path)
        check(label)
    page.get_by_role("button", name="Send the link").click()
    check("password-reset-error")
    page.goto(code_link(code))
    sign_in(page, learner.email)
    check("confirm")
    page.get_by_role("button", name="Join with this code").click()
    check("joined")
    page.goto("/dashboard/")
    check("dashboard")
    page.goto(code_link(unlimited))
    page.get_by_role("button", name="Join with this code").click()
    page.goto("/enrollmentcode/")
    page.get_by_role("button", name="Redeem code").click()
    check("enter-code-error")
    page.get_by_role("textbox", name="Enrollment code").fill(spare.code)
    page.get_by_role("button", name="Redeem code").click()
    expect(page.get_by_role("status")).to_contain_text("You are already a member")
    check("already-a-member")
    page.goto("/enrollmentcode/" + "NOTA-CODE-" * 6 + "/")
    page.get_by_role("button", name="Join with this code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This code is not valid")
    check("invalid")
    page.get_by_role("button", name="Sign out").click()
    check("signed-out")
    assert len(checked) == 12
    assert Seat.objects.filter(learner=learner).count() == 2
