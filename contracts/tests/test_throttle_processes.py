"""The failed-attach limit holds across server processes: its counters live outside them.

Two real application servers (gunicorn, one worker each) run against the test database; the
learner's failed attempts alternate between them, and the eleventh is refused whichever
process answers it.
"""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils.crypto import get_random_string

from accounts.tests.factories import UserFactory
from contracts.models import RedemptionAttempt

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

PORTS = (8041, 8042)


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_until_serving(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read() if server.stderr else "server exited"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/schema/", timeout=2)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"no server on port {port}")


@pytest.fixture
def servers(request) -> Iterator[list[int]]:
    env = {**os.environ, "DATABASE_URL": _database_url(), "DEBUG": "1"}
    env.update(request.param)
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for port in PORTS
    ]
    try:
        for port, server in zip(PORTS, started, strict=True):
            _wait_until_serving(port, server)
        yield list(PORTS)
    finally:
        for server in started:
            server.terminate()
            server.wait(timeout=30)


def _session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def attach(port: int, session: str, code: str) -> tuple[int, str | None]:
    token = get_random_string(32)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v0/b2b/attach/{code}/",
        method="POST",
        headers={"Cookie": f"sessionid={session}; csrftoken={token}", "X-CSRFToken": token},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, None
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers.get("Retry-After")


REDIS = {"REDIS_URL": "redis://127.0.0.1:6379/0", "REDIS_KEY_PREFIX": f"sk-{uuid.uuid4().hex}"}


@pytest.mark.parametrize("servers", [{}, REDIS], ids=["database", "redis"], indirect=True)
def test_failure_limit_holds_across_two_server_processes(servers):
    learner, other = UserFactory(), UserFactory()
    session, other_session = _session_of(learner), _session_of(other)

    failures = [attach(servers[n % 2], session, "NOSUCHCODE")[0] for n in range(10)]
    eleventh = [attach(port, session, "NOSUCHCODE") for port in servers]

    assert failures == [404] * 10
    assert [status for status, _ in eleventh] == [429, 429]
    assert all(1 <= int(retry_after) <= 60 for _, retry_after in eleventh)
    assert [attach(port, other_session, "NOSUCHCODE")[0] for port in servers] == [404, 404]
    assert RedemptionAttempt.objects.filter(user=learner, reason="throttled").count() == 2


@pytest.fixture(autouse=True)
def _forget_redis_counters() -> Iterator[None]:
    yield
    client = redis.Redis.from_url(REDIS["REDIS_URL"])
    for key in client.scan_iter(f"{REDIS['REDIS_KEY_PREFIX']}:*"):
        client.delete(key)
