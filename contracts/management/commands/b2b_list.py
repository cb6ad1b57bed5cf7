"""b2b_list organizations|contracts|learners: browse the B2B data from the shell."""

from collections.abc import Iterator
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from contracts import codes, selectors
from contracts.management.base import (
    B2BCommand,
    add_output_arguments,
    contract_or_error,
    iso,
    organization_or_error,
)
from contracts.models import MembershipType

CHUNK = 2000


class Command(B2BCommand):
    help = "List organizations, contracts or learners, with filters."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = self.add_actions(parser)
        organizations = actions.add_parser("organizations", help="List organizations.")
        organizations.add_argument("--search", help="Part of the name, key or slug.")
        add_output_arguments(organizations)

        contracts = actions.add_parser("contracts", help="List contracts.")
        contracts.add_argument("--organization", help="Id, key, slug, SSO id or name.")
        contracts.add_argument("--membership-type", choices=MembershipType.values)
        state = contracts.add_mutually_exclusive_group()
        state.add_argument("--active", action="store_true", help="Only active contracts.")
        state.add_argument("--inactive", action="store_true", help="Only inactive contracts.")
        contracts.add_argument("--open", action="store_true", help="Only contracts open today.")
        contracts.add_argument("--search", help="Part of the name or slug.")
        add_output_arguments(contracts)

        learners = actions.add_parser("learners", help="List learners and their seats.")
        scope = learners.add_mutually_exclusive_group()
        scope.add_argument("--contract", help="Id or slug of the contract.")
        scope.add_argument("--organization", help="Id, key, slug, SSO id or name.")
        learners.add_argument(
            "--released", action="store_true", help="Include released seats (default: held)."
        )
        learners.add_argument("--search", help="Part of the learner's email or name.")
        add_output_arguments(learners)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "organizations":
            headers, rows = self.organizations(options)
        elif options["action"] == "contracts":
            headers, rows = self.contracts(options)
        else:
            headers, rows = self.learners(options)
        self.emit(options, headers, rows)

    def organizations(self, options: dict[str, Any]) -> tuple[tuple[str, ...], Iterator[Any]]:
        queryset = selectors.organizations_listed(search=options["search"])
        rows = (
            (o.pk, o.key, o.slug, o.name, o.sso_organization_id, o.contract_count, o.member_count)  # type: ignore[attr-defined]
            for o in queryset.iterator(chunk_size=CHUNK)
        )
        return ("id", "key", "slug", "name", "sso_organization_id", "contracts", "members"), rows

    def contracts(self, options: dict[str, Any]) -> tuple[tuple[str, ...], Iterator[Any]]:
        today = timezone.now().date()
        queryset = selectors.contracts_listed(
            organization=organization_or_error(options["organization"])
            if options["organization"]
            else None,
            membership_type=options["membership_type"],
            active=True if options["active"] else False if options["inactive"] else None,
            open_on=today if options["open"] else None,
            search=options["search"],
        )
        rows = (
            (
                c.pk,
                c.slug,
                c.name,
                c.organization.key,
                c.membership_type,
                c.active,
                c.is_open_on(today),
                iso(c.contract_start),
                iso(c.contract_end),
                c.max_learners or None,
                c.seats_held,
                c.enrollment_fixed_price,
            )
            for c in queryset.iterator(chunk_size=CHUNK)
        )
        headers = (
            "id",
            "slug",
            "name",
            "organization",
            "membership_type",
            "active",
            "open_today",
            "start",
            "end",
            "seat_limit",
            "seats_held",
            "price",
        )
        return headers, rows

    def learners(self, options: dict[str, Any]) -> tuple[tuple[str, ...], Iterator[Any]]:
        queryset = selectors.seats_listed(
            contract_ids=[contract_or_error(options["contract"]).pk]
            if options["contract"]
            else None,
            organization=organization_or_error(options["organization"])
            if options["organization"]
            else None,
            held_only=not options["released"],
            search=options["search"],
        ).values_list(
            "learner__email",
            "learner__first_name",
            "learner__last_name",
            "contract__slug",
            "contract__organization__key",
            "source",
            "code__code",
            "created_at",
            "released_at",
        )
        rows = (
            (
                email,
                f"{first} {last}".strip(),
                slug,
                org,
                source,
                codes.format_code(code) if code else None,
                iso(made),
                iso(released),
            )
            for email, first, last, slug, org, source, code, made, released in queryset.iterator(
                chunk_size=CHUNK
            )
        )
        headers = (
            "email",
            "name",
            "contract",
            "organization",
            "source",
            "code",
            "attached_at",
            "released_at",
        )
        return headers, rows
