"""Links between the contracts admin pages: a changelist filtered to one row's relations."""

from typing import Any

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString


def changelist_url(model_name: str, **filters: Any) -> str:
    """Return the admin list of a contracts model, filtered by exact lookups."""
    url = reverse(f"admin:contracts_{model_name}_changelist")
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return f"{url}?{query}" if query else url


def link(url: str, text: str) -> SafeString:
    return format_html('<a href="{}">{}</a>', url, text)
