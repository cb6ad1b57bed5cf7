"""What the b2b_* commands share: one-line argument errors, argument types, lookups, output."""

import argparse
import csv
import datetime
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import IO, Any, NoReturn, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tabulate import tabulate

from contracts import selectors
from contracts.exceptions import OrganizationAmbiguous
from contracts.models import INTEGER_MAX, Contract, Organization

FORMATS = ("fancy", "csv", "json")


class OneLineErrorParser(CommandParser):
    """Report a bad argument as one line, pointing to --help."""

    def error(self, message: str) -> NoReturn:
        if self.called_from_command_line:
            self.exit(2, f"CommandError: {message} (see {self.prog} --help)\n")
        raise CommandError(f"Error: {message}")


class B2BCommand(BaseCommand):
    """A command whose argument errors, like its other errors, are one line."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = OneLineErrorParser
        return parser

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except BrokenPipeError:
            # The reader (head, less) stopped reading early: nothing went wrong here. Point
            # stdout at /dev/null so the interpreter's final flush does not fail again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return None

    @property
    def raw_stdout(self) -> IO[str]:
        """The stream under self.stdout, which would add a newline to every write."""
        return cast(IO[str], self.stdout._out)

    @contextmanager
    def output(self, filename: str | None) -> Iterator[IO[str]]:
        """Yield where the data goes: standard output, or the file named by --filename, opened
        before the body runs (so a command can make sure of it before it changes anything)."""
        if not filename:
            yield self.raw_stdout
            return
        try:
            with open(filename, "w", encoding="utf-8", newline="") as handle:
                yield handle
        except OSError as error:
            raise CommandError(f"Cannot write {filename}: {error.strerror}.") from None

    def emit(
        self, options: dict[str, Any], headers: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> int:
        """Write rows in the chosen format to stdout or --filename; return how many."""
        with self.output(options.get("filename")) as out:
            count = write_rows(out, options["format"], headers, rows)
        self.wrote(options, count)
        return count

    def wrote(self, options: dict[str, Any], count: int) -> None:
        """Say on standard error how many rows went to --filename, if one was given."""
        if options.get("filename"):
            self.stderr.write(f"Wrote {count} row(s) to {options['filename']}.")

    def add_actions(self, parser: CommandParser) -> Any:
        """Add the sub-actions (create, modify, ...) that each get their own --help."""
        return parser.add_subparsers(
            dest="action", required=True, metavar="ACTION", parser_class=OneLineErrorParser
        )


class _Counted:
    """Pass rows through, counting them."""

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def add_output_arguments(parser: CommandParser, *, filename: bool = True) -> None:
    """Add --format (a table for people, CSV or JSON for scripts) and --filename."""
    parser.add_argument(
        "--format", choices=FORMATS, default="fancy", help="fancy (a table), csv or json."
    )
    if filename:
        parser.add_argument("--filename", help="Write to this file instead of standard output.")


def iso(moment: datetime.date | None) -> str | None:
    """Show a date or time as ISO 8601, as CSV and JSON readers expect."""
    return moment.isoformat() if moment is not None else None


def date_arg(value: str) -> datetime.date:
    """Parse YYYY-MM-DD."""
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def moment_arg(value: str, *, end_of_day: bool) -> datetime.datetime:
    """Parse a date (the start or end of that UTC day) or an ISO 8601 date and time (UTC when
    it names no offset), as an aware moment in UTC."""
    try:
        return _moment(value, end_of_day=end_of_day)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    except OverflowError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is out of range: it falls outside the years 1 to 9999 in UTC"
        ) from None


def _moment(value: str, *, end_of_day: bool) -> datetime.datetime:
    try:
        # First, so that a day in any ISO form (2030-01-01, 20300101) is a whole day.
        day = datetime.date.fromisoformat(value)
    except ValueError:
        moment = datetime.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            return moment.replace(tzinfo=datetime.UTC)
        return moment.astimezone(datetime.UTC)
    time = datetime.time.max if end_of_day else datetime.time.min
    return datetime.datetime.combine(day, time, tzinfo=datetime.UTC)


def count_arg(value: str) -> int:
    """Parse a whole number from 0 to the largest an integer column holds."""
    try:
        number = int(value) if value.isascii() and value.isdecimal() else -1
    except ValueError:  # more digits than int() reads
        number = -1
    if not 0 <= number <= INTEGER_MAX:
        raise argparse.ArgumentTypeError(
            f"{value[:20]!r} is not a whole number from 0 to {INTEGER_MAX:,}"
        )
    return number


def price_arg(value: str) -> Decimal:
    """Parse a price: a decimal amount, zero or more, at most two decimal places."""
    try:
        price = Decimal(value)
        if price.is_finite() and price >= 0 and price == price.quantize(Decimal("0.01")):
            return price
    except ArithmeticError:  # not a number, or too many digits to round to cents
        pass
    raise argparse.ArgumentTypeError(f"{value[:40]!r} is not a price (0 or more, 2 decimals)")


def contract_or_error(identifier: str) -> Contract:
    """Return the contract with this id (all digits) or else slug, or stop the command."""
    contract = selectors.contract_find(identifier)
    if contract is None:
        raise CommandError(f"No contract has the id or slug {identifier!r}.")
    return contract


def organization_or_error(identifier: str) -> Organization:
    """Return the organization with this id, key, slug, SSO id or name, or stop the command."""
    try:
        organization = selectors.organization_find(identifier)
    except OrganizationAmbiguous as refusal:
        raise CommandError(refusal.detail) from None
    if organization is None:
        raise CommandError(f"No organization has the id, key, slug, SSO id or name {identifier!r}.")
    return organization


def write_rows(
    out: IO[str], fmt: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Write rows as a table for people, or stream them as CSV or JSON for scripts; return how
    many."""
    counted = _Counted(rows)
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(counted)
    elif fmt == "json":
        out.write("[")
        for index, row in enumerate(counted):
            item = json.dumps(dict(zip(headers, row, strict=True)), default=str)
            out.write(f"{',' if index else ''}\n{item}")
        out.write("\n]\n")
    else:
        out.write(tabulate(list(counted), headers=headers, tablefmt="fancy_grid") + "\n")
    return counted.count
