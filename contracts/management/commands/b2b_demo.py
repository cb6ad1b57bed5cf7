"""b2b_demo: load demo data and print how to sign in and try an attach."""

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from contracts import selectors, services
from contracts.management.base import B2BCommand
from contracts.models import Contract, MembershipType, Organization


class Command(B2BCommand):
    help = "Load demo data (safe to run again) and print sign-ins and attach links (DEBUG only)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            # It gives admin@example.com, a superuser, a new password and prints it.
            raise CommandError(
                "b2b_demo is for local use: it resets the demo superuser's password and prints "
                "it. Run it with DEBUG on."
            )
        organization = Organization.objects.filter(key="acme").first() or (
            services.organization_create(
                name="Acme Corporation",
                key="acme",
                description="A demo customer.",
            )
        )
        today = timezone.now().date()
        limited = self.contract(
            organization,
            slug="acme-data-science",
            name="Acme Data Science",
            max_learners=5,
            contract_start=today - datetime.timedelta(days=30),
            contract_end=today + datetime.timedelta(days=365),
            welcome_message="Welcome to Acme's data science programme.",
        )
        unlimited = self.contract(
            organization,
            slug="acme-open-library",
            name="Acme Open Library",
            max_learners=None,
            welcome_message="Welcome to the Acme open library.",
        )
        staff_password = self.user("admin@example.com", staff=True)
        learner_password = self.user("learner@example.com", staff=False)

        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        site = settings.SITE_URL
        self.stdout.write(f"Sign in at {site}/accounts/login/")
        self.stdout.write(f"  staff:   admin@example.com / {staff_password}   ({site}/admin/)")
        self.stdout.write(
            f"  learner: learner@example.com / {learner_password}   ({site}/dashboard/)"
        )
        self.stdout.write(f"Attach links ({limited.name}, {limited.seats_held}/5 seats held):")
        now = timezone.now()
        for code in selectors.codes_to_hand_out(limited, now=now)[:3]:
            self.stdout.write(f"  {code.attach_url}")
        self.stdout.write(f"Attach link ({unlimited.name}, no seat limit):")
        for code in selectors.codes_to_hand_out(unlimited, now=now)[:1]:
            self.stdout.write(f"  {code.attach_url}")
        self.stdout.write(f"API docs: {site}/api/schema/swagger-ui/ (try attach while signed in)")

    def contract(
        self, organization: Organization, *, slug: str, name: str, **fields: Any
    ) -> Contract:
        existing = Contract.objects.filter(slug=slug).first()
        if existing is not None:
            return existing
        contract = services.contract_create(
            organization=organization, name=name, membership_type=MembershipType.CODE, **fields
        )
        return contract

    def user(self, email: str, *, staff: bool) -> str:
        """Create the user if needed and give it a fresh random password, returned for printing."""
        password = secrets.token_urlsafe(9)
        user = User.objects.filter(email=email).first()
        if user is None:
            create = User.objects.create_superuser if staff else User.objects.create_user
            create(email=email, password=password)
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        return password
