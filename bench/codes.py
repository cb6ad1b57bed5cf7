"""Codes at scale: issue N one-time codes for one contract, then export them all.

Issuing is timed in this process. Each export runs `b2b_codes output --all` in a child process,
as staff run it, so its wall time includes starting Django, and its peak memory (the child's
own maximum resident set, from wait4, taken by the small launcher bench.peak) is the export's
alone. The export writes to a file
through --filename, which is then checked to hold every code.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from bench import Result
from contracts import services
from contracts.models import Contract, EnrollmentCode, MembershipType, Organization

SIZES = (10_000, 100_000)
QUICK_SIZES = (50, 200)
ISSUE_TARGET = {100_000: 10.0}  # seconds
EXPORT_TARGET = 5.0  # seconds, each format
GROWTH_TARGET = 20.0  # MiB of peak memory added between the smallest and largest export


def run(quick: bool) -> list[Result]:
    sizes = QUICK_SIZES if quick else SIZES
    results: list[Result] = []
    peaks: dict[str, list[float]] = {"csv": [], "json": []}
    for size in sizes:
        contract = _contract()
        try:
            results.append(_issue(contract, size))
            for fmt in ("csv", "json"):
                seconds, peak = _export(contract, size, fmt)
                peaks[fmt].append(peak)
                results.append(
                    Result("codes", f"export {size:,} codes as {fmt}, s", seconds, EXPORT_TARGET)
                )
                results.append(Result("codes", f"export {size:,} codes as {fmt}, peak MiB", peak))
        finally:
            _remove(contract)
    for fmt, values in peaks.items():
        growth = values[-1] - values[0]
        label = f"{fmt} export peak growth {sizes[0]:,} -> {sizes[-1]:,} codes, MiB"
        results.append(Result("codes", label, growth, GROWTH_TARGET))
    return results


def _contract() -> Contract:
    tag = uuid.uuid4().hex[:8]
    organization = services.organization_create(name=f"Bench {tag}", key=f"bench-{tag}")
    return services.contract_create(
        organization=organization, name=f"Bench {tag}", membership_type=MembershipType.MANAGED
    )


def _issue(contract: Contract, size: int) -> Result:
    started = time.perf_counter()
    services.code_batch_issue(contract=contract, count=size)
    seconds = time.perf_counter() - started
    assert contract.codes.count() == size
    return Result("codes", f"issue {size:,} one-time codes, s", seconds, ISSUE_TARGET.get(size))


def _export(contract: Contract, size: int, fmt: str) -> tuple[float, float]:
    """Run the export in a child process; return its wall time and its peak memory in MiB."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"codes.{fmt}"
        command = [
            sys.executable,
            "-m",
            "bench.peak",
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "b2b_codes",
            "output",
            "--contract",
            contract.slug,
            "--all",
            "--format",
            fmt,
            "--filename",
            str(target),
        ]
        done = subprocess.run(
            command,
            env=_child_env(),
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"Export failed: {done.stderr}")
        figures = json.loads(done.stdout.splitlines()[-1])
        _check(target, size, fmt)
    return figures["seconds"], figures["peak_kib"] / 1024  # KiB on Linux


def _check(target: Path, size: int, fmt: str) -> None:
    if fmt == "csv":
        with target.open() as handle:
            lines = sum(1 for _ in handle)
        assert lines == size + 1, f"{lines} lines for {size} codes"
    else:
        assert len(json.loads(target.read_text())) == size


def _child_env() -> dict[str, str]:
    """The environment of a child that uses the same database as this process (in tests, the
    test database)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    url = f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url}


def _remove(contract: Contract) -> None:
    EnrollmentCode.objects.filter(contract=contract).delete()
    organization = contract.organization
    Contract.objects.filter(pk=contract.pk).delete()
    Organization.objects.filter(pk=organization.pk).delete()
