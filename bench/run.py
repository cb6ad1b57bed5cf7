"""Run the benchmarks against PostgreSQL and print one table of figures.

    DATABASE_URL=postgres://... python -m bench.run [--quick] [names...]

`make bench` creates and migrates its own database first. Timings on a shared machine are
noisy: run it on a quiet one, and read the figures as orders of magnitude.
"""

import argparse
import importlib
import os
import secrets
import sys

from tabulate import tabulate

from bench import Result

# name -> module exposing run(quick: bool) -> list[Result]
BENCHMARKS = {
    "attach": "bench.attach",
    "endtoend": "bench.endtoend",
    "codes": "bench.codes",
}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="Tiny sizes: check the scripts run.")
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"Benchmarks to run (default all: {', '.join(BENCHMARKS)}).",
    )
    options = parser.parse_args(argv)
    unknown = [name for name in options.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    return options


def table(results: list[Result]) -> str:
    rows = [
        (
            r.benchmark,
            r.measure,
            f"{r.value:,.2f}",
            r.target_text,
            {None: "", True: "yes", False: "NO"}[r.met],
        )
        for r in results
    ]
    return tabulate(rows, headers=("benchmark", "measure", "value", "target", "met"))


def main(argv: list[str] | None = None) -> int:
    options = parse(sys.argv[1:] if argv is None else argv)
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("The benchmarks need PostgreSQL: set DATABASE_URL=postgres://...", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    if not settings.configured:
        # Measure the application as production runs it: DEBUG off, so no query log in memory.
        os.environ.setdefault("DEBUG", "0")
        os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
        os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    import django

    django.setup()
    results: list[Result] = []
    for name in options.names or list(BENCHMARKS):
        module = importlib.import_module(BENCHMARKS[name])
        results.extend(module.run(quick=options.quick))
    print(table(results))
    return 1 if any(result.met is False for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
