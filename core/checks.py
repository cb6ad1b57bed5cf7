"""Deployment checks of our own, run by `manage.py check --deploy`."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def trusted_proxy_hops_given(**kwargs: Any) -> list[CheckMessage]:
    """Warn when production does not say how many proxies stand before the application."""
    if settings.TRUSTED_PROXY_HOPS_GIVEN or settings.ATTACH_FAILURES_PER_ADDRESS <= 0:
        return []
    return [
        Warning(
            "TRUSTED_PROXY_HOPS is not set, so every request counts as coming from its "
            "REMOTE_ADDR. Behind a load balancer that is the balancer's address for every "
            "client, and one client's failed attaches would block attach for all of them.",
            hint="Set TRUSTED_PROXY_HOPS to the number of proxies in front of the application "
            "(0 if clients connect to it directly).",
            id="seatkeeper.W001",
        )
    ]
