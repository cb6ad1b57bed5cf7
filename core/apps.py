from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared foundations: error base class, API exception handler, abstract models."""

    name = "core"
