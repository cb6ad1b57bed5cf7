"""The staff CMS for the contracts domain: one module per subject, every write a service call."""

from contracts.admin import attempts, codes, contracts, organizations, seats

__all__ = ["attempts", "codes", "contracts", "organizations", "seats"]
