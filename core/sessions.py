"""Database sessions that ignore a malformed session cookie instead of querying with it."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    """Django's database sessions; a cookie that cannot be a session key is no session.

    Django's keys are 32 lower-case letters and digits. Anything else (a NUL byte, say, which
    PostgreSQL refuses in text) would turn a forged cookie into a server error."""

    def _validate_session_key(self, key: str | None) -> bool:
        # Django's own rule (at least 8 characters) plus: ASCII letters and digits only.
        return bool(key) and len(key or "") >= 8 and (key or "").isascii() and (key or "").isalnum()
