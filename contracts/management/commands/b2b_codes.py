"""b2b_codes output|generate: list the enrollment codes to hand out, issue more."""

from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from contracts import selectors, services
from contracts.management.base import (
    FORMATS,
    B2BCommand,
    contract_or_error,
    count_arg,
    moment_arg,
    organization_or_error,
    write_rows,
)
from contracts.models import Contract, EnrollmentCode, RedemptionType
from core.exceptions import ApplicationError

MAX_BATCH = 1_000_000


class Command(B2BCommand):
    help = "Work with B2B enrollment codes."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = self.add_actions(parser)
        output = actions.add_parser(
            "output",
            help="Print the unused codes of a contract, as many as it has free seats.",
        )
        scope = output.add_mutually_exclusive_group(required=True)
        scope.add_argument("--contract", help="Id or slug of the contract.")
        scope.add_argument(
            "--organization", help="Id, key, slug or SSO id of the organization (all contracts)."
        )
        output.add_argument("--format", choices=FORMATS, default="fancy")

        generate = actions.add_parser("generate", help="Issue new codes for a contract.")
        generate.add_argument("--contract", required=True, help="Id or slug of the contract.")
        generate.add_argument("--count", type=count_arg, default=1, help="How many (default 1).")
        generate.add_argument(
            "--unlimited", action="store_true", help="Codes any number of learners can redeem."
        )
        generate.add_argument(
            "--max-redemptions", type=count_arg, help="Cap for --unlimited codes."
        )
        generate.add_argument(
            "--activates",
            type=partial(moment_arg, end_of_day=False),
            help="First day the codes work, YYYY-MM-DD (UTC).",
        )
        generate.add_argument(
            "--expires",
            type=partial(moment_arg, end_of_day=True),
            help="Last day the codes work, YYYY-MM-DD (UTC).",
        )
        generate.add_argument("--format", choices=FORMATS, default="fancy")

    def handle(self, *args: Any, **options: Any) -> None:
        codes: Iterable[EnrollmentCode]
        if options["action"] == "generate":
            codes = self.generate(options)
        else:
            codes = self.codes_to_hand_out(self.contracts(options))
        write_rows(
            self.raw_stdout,
            options["format"],
            ("contract", "code", "attach_link"),
            ((code.contract.slug, code.display_code, code.attach_url) for code in codes),
        )

    def contracts(self, options: dict[str, Any]) -> list[Contract]:
        if options["contract"]:
            return [contract_or_error(options["contract"])]
        organization = organization_or_error(options["organization"])
        return list(organization.contracts.order_by("pk"))

    def codes_to_hand_out(self, contracts: list[Contract]) -> Iterator[EnrollmentCode]:
        now = timezone.now()
        for contract in contracts:
            for code in selectors.codes_to_hand_out(contract, now=now).iterator(chunk_size=2000):
                code.contract = contract
                yield code

    def generate(self, options: dict[str, Any]) -> list[EnrollmentCode]:
        contract = contract_or_error(options["contract"])
        if not 1 <= options["count"] <= MAX_BATCH:
            raise CommandError(f"--count must be between 1 and {MAX_BATCH:,}.")
        if options["max_redemptions"] is not None and not options["unlimited"]:
            raise CommandError("--max-redemptions only applies to --unlimited codes.")
        if options["max_redemptions"] == 0:
            raise CommandError("--max-redemptions must be 1 or more.")
        try:
            return services.code_batch_issue(
                contract=contract,
                count=options["count"],
                redemption_type=RedemptionType.UNLIMITED
                if options["unlimited"]
                else RedemptionType.ONE_TIME,
                max_redemptions=options["max_redemptions"],
                activation_date=options["activates"],
                expiration_date=options["expires"],
            )
        except ApplicationError as refusal:
            raise CommandError(refusal.detail) from None
