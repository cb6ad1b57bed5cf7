"""b2b_codes import: read a CSV of codes from another system, check it whole, then store it."""

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import IO, Any

from django.core.management.base import CommandError, CommandParser

from contracts import services
from contracts.management.base import B2BCommand, contract_or_error, count_arg, moment_arg
from contracts.models import RedemptionType

REQUIRED = ("code",)
OPTIONAL = ("redemption_type", "max_redemptions", "activation_date", "expiration_date")
ERRORS_SHOWN = 10


def add_import_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "file",
        help="CSV file with a header line and a 'code' column ('-' reads standard input). "
        f"Optional columns: {', '.join(OPTIONAL)}.",
    )
    parser.add_argument("--contract", required=True, help="Id or slug of the contract.")
    parser.add_argument(
        "--commit", action="store_true", help="Store the codes (without it: a dry run)."
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")


def import_codes(command: B2BCommand, options: dict[str, Any]) -> None:
    """Check every line of the file, then import it whole (or, in a dry run, tell what would be)."""
    contract = contract_or_error(options["contract"])
    rows = _read(options["file"], command)
    result = services.code_batch_import(contract=contract, imports=rows, commit=options["commit"])
    if options["format"] == "json":
        data = {
            "contract": contract.slug,
            "imported": result.imported,
            "already_there": result.already_there,
            "committed": options["commit"],
        }
        command.stdout.write(json.dumps(data))
    else:
        verb = "Imported" if options["commit"] else "Would import"
        command.stdout.write(
            f"{verb} {result.imported} code(s) into {contract.slug}; "
            f"{result.already_there} were there already."
        )
    if not options["commit"]:
        command.stderr.write("Dry run: nothing was changed. Add --commit to store the codes.")


def _read(path: str, command: B2BCommand) -> list[services.CodeImport]:
    name = "standard input" if path == "-" else path
    try:
        with _opened(path) as handle:
            return _parse(handle, name, command)
    except OSError as error:
        raise CommandError(f"Cannot read {name}: {error.strerror}.") from None
    except UnicodeDecodeError:
        raise CommandError(f"{name} is not UTF-8 text.") from None


@contextmanager
def _opened(path: str) -> Iterator[IO[str]]:
    """Open the file, or standard input for '-', as UTF-8 text whose byte order mark (as some
    spreadsheets write) is skipped."""
    if path != "-":
        with open(path, encoding="utf-8-sig", newline="") as handle:
            yield handle
        return
    handle = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
    try:
        yield handle
    finally:
        handle.detach()  # leave standard input open


def _parse(handle: IO[str], name: str, command: B2BCommand) -> list[services.CodeImport]:
    reader = csv.DictReader(handle)
    try:
        _columns_check(reader.fieldnames or [], name)
        rows, errors = _rows(reader)
    except csv.Error as malformed:  # a cell over the csv module's size limit, for one
        # The DictReader's own line_num is only updated after a row is read whole.
        raise CommandError(f"{name}, line {reader.reader.line_num}: {malformed}.") from None
    if errors:
        for error in errors[:ERRORS_SHOWN]:
            command.stderr.write(error)
        raise CommandError(f"{len(errors)} line(s) of {name} are invalid; nothing was imported.")
    if not rows:
        raise CommandError(f"{name} has no codes.")
    return rows


def _columns_check(columns: Sequence[str], name: str) -> None:
    if "code" not in columns:
        raise CommandError(f"{name} has no 'code' column in its header line.")
    unknown = [column for column in columns if column not in (*REQUIRED, *OPTIONAL)]
    if unknown:
        raise CommandError(
            f"{name} has unknown column(s) {', '.join(map(repr, unknown))}; "
            f"the columns are code, {', '.join(OPTIONAL)}."
        )


def _rows(reader: "csv.DictReader[str]") -> tuple[list[services.CodeImport], list[str]]:
    rows: list[services.CodeImport] = []
    errors: list[str] = []
    for record in reader:
        try:
            rows.append(_row(record))
        except (ValueError, argparse.ArgumentTypeError) as error:
            errors.append(f"line {reader.line_num}: {error}")
    return rows, errors


def _row(record: dict[Any, Any]) -> services.CodeImport:
    if None in record:  # csv.DictReader puts the cells beyond the header under None
        raise ValueError(f"{len(record[None])} more cell(s) than the header has columns")
    code = (record.get("code") or "").strip()
    if not code:
        raise ValueError("the code is empty")
    kind = (record.get("redemption_type") or "").strip() or RedemptionType.ONE_TIME
    if kind not in RedemptionType.values:
        raise ValueError(
            f"redemption_type {kind!r} is not one of {', '.join(RedemptionType.values)}"
        )
    return services.CodeImport(
        code=code,
        redemption_type=RedemptionType(kind),
        max_redemptions=_optional(record, "max_redemptions", count_arg),
        activation_date=_optional(record, "activation_date", partial(moment_arg, end_of_day=False)),
        expiration_date=_optional(record, "expiration_date", partial(moment_arg, end_of_day=True)),
    )


def _optional(record: dict[str, str], column: str, parse: Callable[[str], Any]) -> Any:
    value = (record.get(column) or "").strip()
    if not value:
        return None
    try:
        return parse(value)
    except argparse.ArgumentTypeError as error:
        raise ValueError(f"{column}: {error}") from None


__all__ = ["add_import_arguments", "import_codes"]
