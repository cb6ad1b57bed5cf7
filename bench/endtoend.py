"""End to end: gunicorn workers on PostgreSQL, concurrent clients attaching on one contract.

The application runs as in production (gunicorn, DEBUG off, persistent database connections).
Client threads take the next learner's session from a shared queue and post one attach each,
over a new loopback connection (gunicorn's sync workers close every connection), until every
learner has posted once. There are more learners than seats, so the run must end with the
contract exactly full, the rest refused with 409, and no 5xx.

Each learner redeems a one-time code of its own, as a limited code contract hands them out
(SPEC section 2), so the contract's seat counter is the one row every request contends for. A
third run shares one unlimited code among all learners: the worst case, two hot rows.

Every simulated learner comes from 127.0.0.1, so the per-address limit on failed attaches is
switched off for the run (ATTACH_FAILURES_PER_ADDRESS=0); the per-learner limit stays on.
Failure counters are in the database (the default) or in Redis (REDIS_URL).
"""

import http.client
import os
import queue
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

from bench import Result
from bench.fixtures import (
    code_create,
    contract_create,
    learners_create,
    organization_create,
    remove_all,
    sessions_create,
)
from contracts.models import Contract, Seat
from contracts.services import code_batch_issue

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
FULL = {"workers": 4, "clients": 32, "seats": 3_000, "learners": 4_000}
QUICK = {"workers": 2, "clients": 4, "seats": 20, "learners": 30}
REDIS_URL = os.getenv("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
THROUGHPUT_TARGET = 300


@dataclass(frozen=True)
class Answer:
    status: int
    milliseconds: float
    finished: float


def run(quick: bool) -> list[Result]:
    shape = QUICK if quick else FULL
    try:
        return (
            _run(shape, "database counters, own codes", redis_url="", shared_code=False)
            + _run(shape, "Redis counters, own codes", redis_url=REDIS_URL, shared_code=False)
            + _run(shape, "Redis counters, one shared code", redis_url=REDIS_URL, shared_code=True)
        )
    finally:
        remove_all()


def _run(shape: dict[str, int], label: str, *, redis_url: str, shared_code: bool) -> list[Result]:
    contract = contract_create(organization_create(), held=0, max_learners=shape["seats"])
    sessions = sessions_create(learners_create(shape["learners"]))
    if shared_code:
        codes = [code_create(contract, unlimited=True)] * len(sessions)
    else:
        codes = code_batch_issue(contract=contract, count=len(sessions))
    jobs = [(s, f"/api/v0/b2b/attach/{c.code}/") for s, c in zip(sessions, codes, strict=True)]
    warm_up = sessions_create(learners_create(shape["workers"] * 4))
    server = _server(shape["workers"], redis_url)
    try:
        for session in warm_up:
            # A GET is answered 405 after the session lookup: every worker opens its database
            # connection before the clock starts, without writing or counting as a failure.
            _request("GET", jobs[0][1], session)
        answers, started = _load(jobs, shape["clients"])
    finally:
        server.terminate()
        server.wait(timeout=30)
    return _figures(answers, started, contract, shape, label)


def _server(workers: int, redis_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions were signed with it
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": _database_url(),
        "DB_CONN_MAX_AGE": "60",
        "ATTACH_FAILURES_PER_ADDRESS": "0",
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "ERROR",
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(workers)]
    command += ["--bind", f"127.0.0.1:{PORT}", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", PORT), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start within 30 seconds")


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _request(method: str, path: str, session_key: str) -> Answer:
    token = "bench" + session_key[:27]  # any 32 characters: cookie and header must match
    started = time.perf_counter()
    link = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    link.request(
        method,
        path,
        headers={
            "Cookie": f"sessionid={session_key}; csrftoken={token}",
            "X-CSRFToken": token,
            "Content-Length": "0",
        },
    )
    response = link.getresponse()
    response.read()
    link.close()
    finished = time.perf_counter()
    return Answer(response.status, (finished - started) * 1000, finished)


def _load(jobs: list[tuple[str, str]], clients: int) -> tuple[list[Answer], float]:
    """Post every (session, path) once from `clients` threads; return the answers."""
    pending: queue.SimpleQueue[tuple[str, str]] = queue.SimpleQueue()
    for job in jobs:
        pending.put(job)
    answers: list[Answer] = []  # list.append is atomic: threads share it without a lock

    def client() -> None:
        while True:
            try:
                session, path = pending.get_nowait()
            except queue.Empty:
                return
            answers.append(_request("POST", path, session))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, started


def _figures(
    answers: list[Answer], started: float, contract: Contract, shape: dict[str, int], label: str
) -> list[Result]:
    attached = [answer for answer in answers if answer.status == 201]
    last_attach = max((answer.finished for answer in attached), default=started) - started
    latencies = sorted(answer.milliseconds for answer in answers)
    held = Contract.objects.get(pk=contract.pk).seats_held
    rows = Seat.objects.filter(contract=contract, released_at__isnull=True).count()
    name = (
        f"end to end, {label} ({shape['workers']} workers, {shape['clients']} "
        f"clients, {shape['learners']:,} learners, {shape['seats']:,} seats)"
    )
    count = {status: sum(1 for a in answers if a.status == status) for status in (201, 409)}
    return [
        Result(
            name,
            "successful attaches / s",
            len(attached) / last_attach if attached else 0.0,
            THROUGHPUT_TARGET,
            "at least",
        ),
        Result(name, "answers 201", count[201], shape["seats"], "exactly"),
        Result(name, "answers 409", count[409], shape["learners"] - shape["seats"], "exactly"),
        Result(name, "answers 5xx", sum(1 for a in answers if a.status >= 500), 0),
        Result(name, "latency median, ms", statistics.median(latencies)),
        Result(name, "latency p95, ms", latencies[round(0.95 * (len(latencies) - 1))]),
        Result(name, "seats held (counter)", held, shape["seats"], "exactly"),
        Result(name, "seats held (rows)", rows, shape["seats"], "exactly"),
    ]
