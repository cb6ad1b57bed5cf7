"""The limit on failed attach attempts, per user and per client address.

The rule: a caller (a user, or a client address) that has had `limit` failed attaches within the
last `window` seconds is refused every attach with 429 until the oldest of those leaves the
window, whatever code it sends, so that a blocked caller learns nothing about which codes are
valid. Only failures count (404 and 409 answers); successes, 200s and the 429s themselves do not.

The counters must be seen by every worker process: by default they are the RedemptionAttempt
rows that every refusal writes anyway; with REDIS_URL set they are sorted sets in Redis, and the
check costs no SQL statement.
"""

import datetime
import functools
import logging
import math
import uuid
from dataclasses import dataclass

import redis
from django.conf import settings

from contracts import selectors
from contracts.exceptions import AttemptsThrottled

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Limit:
    """One counter: the failures of one user, or of one client address."""

    kind: str
    value: str
    limit: int

    @property
    def redis_key(self) -> str:
        return f"{settings.REDIS_KEY_PREFIX}:attach-failures:{self.kind}:{self.value}"


def _limits(user_id: int | None, client_address: str | None) -> list[_Limit]:
    limits = []
    if user_id is not None and settings.ATTACH_FAILURES_PER_USER > 0:
        limits.append(_Limit("user", str(user_id), settings.ATTACH_FAILURES_PER_USER))
    if client_address and settings.ATTACH_FAILURES_PER_ADDRESS > 0:
        limits.append(_Limit("address", client_address, settings.ATTACH_FAILURES_PER_ADDRESS))
    return limits


def attach_throttle_check(
    *, user_id: int | None, client_address: str | None, now: datetime.datetime
) -> None:
    """Refuse with AttemptsThrottled while the user or the address is over its failure limit."""
    window = datetime.timedelta(seconds=settings.ATTACH_FAILURE_WINDOW)
    limits = _limits(user_id, client_address)
    if not limits:
        return
    oldest = _redis_oldest_blocking if settings.REDIS_URL else _database_oldest_blocking
    blocked_since = [moment for moment in oldest(limits, now - window) if moment is not None]
    if blocked_since:
        free_at = max(blocked_since) + window
        wait = max(1, math.ceil((free_at - now).total_seconds()))
        raise AttemptsThrottled(
            retry_after=wait, detail=f"Too many failed attempts. Try again in {wait} seconds."
        )


def attach_failure_count(
    *, user_id: int | None, client_address: str | None, now: datetime.datetime
) -> None:
    """Count a failed attach (in Redis; in the database the attempt's row is the count)."""
    if not settings.REDIS_URL:
        return
    try:
        pipe = _redis().pipeline(transaction=False)
        for limit in _limits(user_id, client_address):
            pipe.zadd(limit.redis_key, {uuid.uuid4().hex: now.timestamp()})
            pipe.expire(limit.redis_key, settings.ATTACH_FAILURE_WINDOW + 1)
        pipe.execute()
    except redis.RedisError:
        log.exception("Could not count a failed attach in Redis.")


def _database_oldest_blocking(
    limits: list[_Limit], since: datetime.datetime
) -> list[datetime.datetime | None]:
    """For each limit, when the limit-th newest failure in the window happened, if any.

    One query serves every limit: the newest (sum of the limits) failures of the user or of
    the address. If a limit's own limit-th failure is not among them, the other key's failures
    filled them: that limit is reached and its limit-th failure is newer, so it blocks for
    longer. The block, and when it ends, come out exact."""
    user = next((limit for limit in limits if limit.kind == "user"), None)
    address = next((limit for limit in limits if limit.kind == "address"), None)
    rows = selectors.attempts_failed_since(
        since=since,
        user_id=int(user.value) if user else None,
        client_address=address.value if address else None,
        limit=sum(limit.limit for limit in limits),
    )
    oldest: list[datetime.datetime | None] = []
    for limit in limits:
        column = 0 if limit.kind == "user" else 1
        moments = [row[2] for row in rows if row[column]]
        oldest.append(moments[limit.limit - 1] if len(moments) >= limit.limit else None)
    return oldest


def _redis_oldest_blocking(
    limits: list[_Limit], since: datetime.datetime
) -> list[datetime.datetime | None]:
    try:
        pipe = _redis().pipeline(transaction=False)
        for limit in limits:
            pipe.zremrangebyscore(limit.redis_key, "-inf", f"({since.timestamp()}")
            pipe.zrevrange(limit.redis_key, limit.limit - 1, limit.limit - 1, withscores=True)
        replies = pipe.execute()[1::2]
    except redis.RedisError:
        # Abuse protection must not take attach down with it: let the attempt through.
        log.exception("Could not read the attach failure counters from Redis.")
        return []
    return [
        datetime.datetime.fromtimestamp(reply[0][1], tz=datetime.UTC) if reply else None
        for reply in replies
    ]


@functools.cache
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def _redis() -> redis.Redis:
    return _redis_client(settings.REDIS_URL)
