"""Attach cost as a contract grows, and SQL statements per attach answer.

Cost: a successful attach of a new learner with an unlimited code, timed through Django's test
client in this process (session and user lookup, the DRF view, the attach service, one commit),
on contracts that already hold 0, 10,000 and 100,000 seats. Each size gets a fresh contract and
fresh learners; the first attaches of each size are a warm-up and are not counted.

Statements: one attach request for each answer, counted as the database sees them (BEGIN and
COMMIT included), with the default database-backed attach throttle.
"""

import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import Result
from bench.fixtures import (
    SessionClient,
    code_create,
    contract_create,
    learners_create,
    organization_create,
    remove_all,
    signed_in_clients,
)

SIZES = (0, 10_000, 100_000)
QUICK_SIZES = (0, 200)
SAMPLES, QUICK_SAMPLES = 500, 20
WARM_UP = 30
RATIO_TARGET = 1.2


def run(quick: bool) -> list[Result]:
    try:
        return _cost(quick) + _statements()
    finally:
        remove_all()


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[round(fraction * (len(ordered) - 1))]


def _timed_attaches(held: int, samples: int) -> list[float]:
    """Milliseconds of each successful attach on a contract already holding `held` seats."""
    contract = contract_create(organization_create(), held=held, max_learners=None)
    path = f"/api/v0/b2b/attach/{code_create(contract, unlimited=True).code}/"
    clients = signed_in_clients(learners_create(samples + WARM_UP))
    durations = []
    for client in clients:
        started = time.perf_counter()
        status = client.post(path)
        durations.append((time.perf_counter() - started) * 1000)
        if status != 201:
            raise RuntimeError(f"attach answered {status}, not 201")
    return durations[WARM_UP:]


def _cost(quick: bool) -> list[Result]:
    sizes = QUICK_SIZES if quick else SIZES
    results, medians = [], {}
    for held in sizes:
        durations = _timed_attaches(held, QUICK_SAMPLES if quick else SAMPLES)
        medians[held] = statistics.median(durations)
        label = f"{held:,} seats held"
        results.append(Result("attach cost", f"{label}: median, ms", medians[held]))
        results.append(Result("attach cost", f"{label}: p95, ms", _percentile(durations, 0.95)))
    largest = sizes[-1]
    ratio = medians[largest] / medians[0]
    results.append(
        Result("attach cost", f"median ratio {largest:,} / 0 seats", ratio, RATIO_TARGET)
    )
    return results


def _count(client: SessionClient, code: str, expected: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        status = client.post(f"/api/v0/b2b/attach/{code}/")
    if status != expected:
        raise RuntimeError(f"attach answered {status}, not {expected}")
    return len(captured.captured_queries)


def _statements() -> list[Result]:
    organization = organization_create()
    open_contract = contract_create(organization, held=0, max_learners=None)
    full_contract = contract_create(organization, held=2, max_learners=2)
    unlimited = code_create(open_contract, unlimited=True).code
    one_time = code_create(open_contract, unlimited=False).code
    on_full = code_create(full_contract, unlimited=False).code
    taker, learner, refused, blocked = signed_in_clients(learners_create(4))
    taker.post(f"/api/v0/b2b/attach/{one_time}/")
    for attempt in range(10):
        blocked.post(f"/api/v0/b2b/attach/WRONG{attempt}/")

    cases = [
        ("201 attached (first membership)", learner, unlimited, 201),
        ("200 already attached", learner, unlimited, 200),
        ("404 unknown code", refused, "NOSUCHCODE", 404),
        ("404 malformed code", refused, "not a code!", 404),
        ("404 one-time code used by another", refused, one_time, 404),
        ("409 contract full", refused, on_full, 409),
        ("429 too many failed attempts", blocked, unlimited, 429),
    ]
    return [
        Result("statements per attach", label, _count(client, code, status))
        for label, client, code, status in cases
    ]
