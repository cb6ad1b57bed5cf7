"""b2b_codes: list, issue, validate, expire and import enrollment codes."""

from functools import partial
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from contracts import selectors, services
from contracts.management import code_rows
from contracts.management.base import (
    B2BCommand,
    add_output_arguments,
    contract_or_error,
    count_arg,
    moment_arg,
    organization_or_error,
    write_rows,
)
from contracts.management.code_import import add_import_arguments, import_codes
from contracts.models import Contract, MembershipType, RedemptionType
from contracts.services.codes import CODE_BATCH_MAX
from core.exceptions import ApplicationError


def add_scope(parser: CommandParser) -> None:
    scope = parser.add_mutually_exclusive_group(required=True)
    scope.add_argument("--contract", help="Id or slug of the contract.")
    scope.add_argument(
        "--organization", help="Id, key, slug or SSO id of the organization (all its contracts)."
    )


def add_commit(parser: CommandParser) -> None:
    parser.add_argument(
        "--commit", action="store_true", help="Apply the changes (without it: a dry run)."
    )


class Command(B2BCommand):
    help = "Work with B2B enrollment codes: output, generate, validate, expire, import."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = self.add_actions(parser)
        output = actions.add_parser(
            "output",
            help="Print the codes to hand out (live, unused, no more than the free seats).",
        )
        add_scope(output)
        what = output.add_mutually_exclusive_group()
        what.add_argument("--all", action="store_true", help="Every code, with its state.")
        what.add_argument("--usage", action="store_true", help="Every redemption: code, learner.")
        what.add_argument("--stats", action="store_true", help="Seat and code counts.")
        add_output_arguments(output)

        generate = actions.add_parser("generate", help="Issue new codes for a contract.")
        generate.add_argument("--contract", required=True, help="Id or slug of the contract.")
        generate.add_argument(
            "--count",
            type=count_arg,
            default=1,
            help=f"How many (default 1, at most {CODE_BATCH_MAX:,}).",
        )
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
        add_output_arguments(generate)

        validate = actions.add_parser(
            "validate",
            help="Bring code contracts' codes in line with their seat limits (dry run).",
        )
        add_scope(validate)
        add_commit(validate)
        add_output_arguments(validate, filename=False)

        expire = actions.add_parser("expire", help="Expire the unused codes (dry run).")
        add_scope(expire)
        add_commit(expire)
        add_output_arguments(expire)

        add_import_arguments(actions.add_parser("import", help="Import codes from a CSV file."))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "output":
                self.output_codes(options)
            elif action == "generate":
                self.generate(options)
            elif action == "validate":
                self.validate(options)
            elif action == "expire":
                self.expire(options)
            else:
                import_codes(self, options)
        except ApplicationError as refusal:
            raise CommandError(refusal.detail) from None

    def contracts(self, options: dict[str, Any]) -> list[Contract]:
        if options["contract"]:
            return [contract_or_error(options["contract"])]
        organization = organization_or_error(options["organization"])
        return list(organization.contracts.order_by("pk"))

    def output_codes(self, options: dict[str, Any]) -> None:
        contracts = self.contracts(options)
        if options["all"]:
            self.emit(options, code_rows.ALL, code_rows.all_rows(contracts))
        elif options["usage"]:
            self.emit(options, code_rows.USAGE, code_rows.usage_rows(contracts))
        elif options["stats"]:
            self.emit(options, code_rows.STATS, code_rows.stats_rows(contracts))
        else:
            self.emit(options, code_rows.HAND_OUT, code_rows.hand_out_rows(contracts))

    def generate(self, options: dict[str, Any]) -> None:
        contract = contract_or_error(options["contract"])
        # The file is opened first: a --filename that cannot be written issues no codes.
        with self.output(options["filename"]) as out:
            issued = services.code_batch_issue(
                contract=contract,
                count=options["count"],
                redemption_type=RedemptionType.UNLIMITED
                if options["unlimited"]
                else RedemptionType.ONE_TIME,
                max_redemptions=options["max_redemptions"],
                activation_date=options["activates"],
                expiration_date=options["expires"],
            )
            rows = code_rows.code_rows(issued)
            count = write_rows(out, options["format"], code_rows.HAND_OUT, rows)
        self.wrote(options, count)

    def validate(self, options: dict[str, Any]) -> None:
        commit = options["commit"]
        contracts = [c for c in self.contracts(options) if c.membership_type == MembershipType.CODE]
        rows = []
        with transaction.atomic():
            for contract in contracts:
                change = services.contract_codes_sync(contract=contract, commit=commit)
                rows.append((contract.slug, change.seat_limit, change.issued, change.expired))
        verbs = ("issued", "expired") if commit else ("to_issue", "to_expire")
        self.emit(options, ("contract", "seat_limit", *verbs), rows)
        issued, expired = sum(row[2] for row in rows), sum(row[3] for row in rows)
        if commit:
            self.stderr.write(f"Issued {issued} and expired {expired} code(s).")
        else:
            self.dry_run_note(f"would issue {issued} and expire {expired} code(s)")

    def expire(self, options: dict[str, Any]) -> None:
        contracts = self.contracts(options)
        if not options["commit"]:
            listed = self.emit(options, code_rows.EXPIRE, code_rows.expire_rows(contracts))
            self.dry_run_note(f"would expire {listed} unused code(s)")
            return
        # List first, then expire: the rows printed are the ones the update is about to change.
        self.emit(options, code_rows.EXPIRE, code_rows.expire_rows(contracts))
        expired = services.code_batch_expire(
            codes=selectors.codes_of([contract.pk for contract in contracts]), unused_only=True
        )
        self.stderr.write(f"Expired {len(expired)} unused code(s).")

    def dry_run_note(self, outcome: str) -> None:
        self.stderr.write(f"Dry run: {outcome}; nothing was changed. Add --commit to apply.")
