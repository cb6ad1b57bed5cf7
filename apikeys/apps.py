from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    """Keys that let other servers read the B2B API without a user session."""

    name = "apikeys"
    verbose_name = "API keys"

    def ready(self) -> None:
        # Registers the OpenAPI description of the Api-Key scheme.
        from apikeys import schema  # noqa: F401
