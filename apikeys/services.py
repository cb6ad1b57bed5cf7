"""Every write on API keys: create, revoke, and note when a key was used."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from apikeys.models import ApiKey

# How stale last_used_at may get: a busy key costs one UPDATE a minute, not one per request.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


@transaction.atomic
def api_key_create(
    *, name: str, expiry_date: datetime.datetime | None = None, created_by: User | None = None
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is never stored and never shown again."""
    api_key, secret = ApiKey.objects.create_key(
        name=name, expiry_date=expiry_date, created_by=created_by
    )
    return api_key, secret  # type: ignore[return-value]


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key for good: clients using it are refused from the next request on."""
    ApiKey.objects.filter(pk=api_key.pk).update(revoked=True)
    api_key.refresh_from_db()
    return api_key


@transaction.atomic
def api_key_mark_used(*, api_key: ApiKey, now: datetime.datetime | None = None) -> bool:
    """Record that the key was used, unless that was already recorded within the last minute."""
    now = now or timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_PRECISION:
        return False
    # A conditional UPDATE: concurrent requests of one key write once, and never move it back.
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    updated = ApiKey.objects.filter(stale, pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now
    return updated == 1
