from django.apps import AppConfig


class ContractsConfig(AppConfig):
    """Organizations, contracts, enrollment codes, seats and memberships."""

    name = "contracts"
