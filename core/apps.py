from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared foundations: error base class, API exception handler, abstract models."""

    name = "core"

    def ready(self) -> None:
        from core import checks  # noqa: F401  (registers the deployment checks)
