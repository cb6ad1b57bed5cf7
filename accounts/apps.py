from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users who sign in with their email address."""

    name = "accounts"
