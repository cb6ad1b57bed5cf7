"""b2b_contract create|modify|show: set up, change and look at contracts from the shell."""

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from contracts import selectors, services
from contracts.management.base import (
    B2BCommand,
    contract_or_error,
    count_arg,
    date_arg,
    price_arg,
)
from contracts.models import Contract, MembershipType, Organization
from core.exceptions import ApplicationError


class Command(B2BCommand):
    help = "Create, modify or show a B2B contract."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = self.add_actions(parser)

        create = actions.add_parser("create", help="Create a contract for an organization.")
        create.add_argument("organization", help="Name or key of the organization.")
        create.add_argument("name", help="Name of the new contract.")
        create.add_argument("membership_type", choices=MembershipType.values)
        create.add_argument(
            "--create", action="store_true", help="Create the organization if it does not exist."
        )
        create.add_argument("--org-key", help="Key for the organization created by --create.")
        create.add_argument("--description", default="")
        create.add_argument("--start", type=date_arg, help="First day, YYYY-MM-DD.")
        create.add_argument("--end", type=date_arg, help="Last day, YYYY-MM-DD.")
        create.add_argument("--max-learners", type=count_arg, help="Seat limit (0: unlimited).")
        create.add_argument("--price", type=price_arg, help="Fixed price per enrollment.")
        create.add_argument("--format", choices=("text", "json"), default="text")

        modify = actions.add_parser("modify", help="Change a contract's dates, limit or price.")
        modify.add_argument("contract", help="Id or slug of the contract.")
        start = modify.add_mutually_exclusive_group()
        start.add_argument("--start", type=date_arg, help="First day, YYYY-MM-DD.")
        start.add_argument("--no-start-date", action="store_true", help="Remove the first day.")
        end = modify.add_mutually_exclusive_group()
        end.add_argument("--end", type=date_arg, help="Last day, YYYY-MM-DD.")
        end.add_argument("--no-end-date", action="store_true", help="Remove the last day.")
        limit = modify.add_mutually_exclusive_group()
        limit.add_argument("--max-learners", type=count_arg, help="New seat limit.")
        limit.add_argument("--no-learner-cap", action="store_true", help="Remove the seat limit.")
        price = modify.add_mutually_exclusive_group()
        price.add_argument("--price", type=price_arg, help="Fixed price per enrollment.")
        price.add_argument("--no-price", action="store_true", help="Make enrollment free.")
        active = modify.add_mutually_exclusive_group()
        active.add_argument("--active", action="store_true", help="Open the contract.")
        active.add_argument("--inactive", action="store_true", help="Close the contract.")
        modify.add_argument("--format", choices=("text", "json"), default="text")

        show = actions.add_parser("show", help="Show a contract: its terms, seats and codes.")
        show.add_argument("contract", help="Id or slug of the contract.")
        show.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "show":
            contract = contract_or_error(options["contract"])
            self.write(
                f"Contract {contract.pk} ({contract.slug}).", self.details(contract), options
            )
            return
        try:
            if options["action"] == "create":
                contract = self.create(options)
                verb = "Created"
            else:
                contract = self.modify(options)
                verb = "Modified"
        except ApplicationError as refusal:
            raise CommandError(refusal.detail) from None
        self.report(verb, contract, options["format"])

    @transaction.atomic
    def create(self, options: dict[str, Any]) -> Contract:
        organization = self.organization(options)
        return services.contract_create(
            organization=organization,
            name=options["name"],
            membership_type=MembershipType(options["membership_type"]),
            description=options["description"],
            contract_start=options["start"],
            contract_end=options["end"],
            max_learners=options["max_learners"] or None,
            enrollment_fixed_price=options["price"],
        )

    def organization(self, options: dict[str, Any]) -> Organization:
        identifier = options["organization"]
        organization = selectors.organization_find(identifier)
        if organization is not None:
            if options["org_key"]:
                raise CommandError(
                    f"Organization {organization.name!r} exists already; --org-key is only "
                    "for one created with --create."
                )
            return organization
        if not options["create"]:
            raise CommandError(
                f"No organization has the name or key {identifier!r}; pass --create to create it."
            )
        return services.organization_create(name=identifier, key=options["org_key"])

    def modify(self, options: dict[str, Any]) -> Contract:
        contract = contract_or_error(options["contract"])
        fields: dict[str, Any] = {}
        if options["start"] or options["no_start_date"]:
            fields["contract_start"] = options["start"]
        if options["end"] or options["no_end_date"]:
            fields["contract_end"] = options["end"]
        if options["max_learners"] is not None or options["no_learner_cap"]:
            fields["max_learners"] = options["max_learners"] or None
        if options["price"] is not None or options["no_price"]:
            fields["enrollment_fixed_price"] = options["price"]
        if options["active"] or options["inactive"]:
            fields["active"] = options["active"]
        if not fields:
            raise CommandError("Nothing to change: give at least one option (see --help).")
        return services.contract_update(contract=contract, fields=fields)

    def details(self, contract: Contract) -> dict[str, Any]:
        counts = selectors.code_counts([contract.pk])[contract.pk]
        return {
            "id": contract.pk,
            "slug": contract.slug,
            "name": contract.name,
            "organization": contract.organization.key,
            "organization_name": contract.organization.name,
            "membership_type": contract.membership_type,
            "description": contract.description,
            "welcome_message": contract.welcome_message,
            "welcome_message_extra": contract.welcome_message_extra,
            "active": contract.active,
            "open_today": contract.is_open_on(timezone.now().date()),
            "contract_start": contract.contract_start,
            "contract_end": contract.contract_end,
            "max_learners": contract.max_learners,
            "seats_held": contract.seats_held,
            "seats_free": contract.seats_free,
            "enrollment_fixed_price": contract.enrollment_fixed_price,
            "codes_issued": counts.issued,
            "codes_used": counts.used,
            "redemptions": counts.redemptions,
            "codes_unexpired": contract.codes.not_expired_at(timezone.now()).count(),
        }

    def write(self, title: str, data: dict[str, Any], options: dict[str, Any]) -> None:
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, default=str))
            return
        self.stdout.write(title)
        for key, value in data.items():
            self.stdout.write(f"  {key}: {'' if value is None else value}")

    def report(self, verb: str, contract: Contract, fmt: str) -> None:
        data = {
            "id": contract.pk,
            "slug": contract.slug,
            "name": contract.name,
            "organization": contract.organization.key,
            "membership_type": contract.membership_type,
            "active": contract.active,
            "contract_start": contract.contract_start,
            "contract_end": contract.contract_end,
            "max_learners": contract.max_learners,
            "seats_held": contract.seats_held,
            "enrollment_fixed_price": contract.enrollment_fixed_price,
            "codes_unexpired": contract.codes.not_expired_at(timezone.now()).count(),
        }
        self.write(f"{verb} contract {contract.pk} ({contract.slug}).", data, {"format": fmt})
