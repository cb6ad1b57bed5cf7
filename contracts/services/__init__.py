"""Every write of the contracts domain: one function per use case, each its own transaction."""

from contracts.services.codes import CodeSync, code_batch_issue, contract_codes_sync
from contracts.services.organizations import contract_create, contract_update, organization_create
from contracts.services.seats import (
    Attachment,
    redemption_attempt_record,
    seat_attach,
    seat_release,
)

__all__ = [
    "Attachment",
    "CodeSync",
    "code_batch_issue",
    "contract_codes_sync",
    "contract_create",
    "contract_update",
    "organization_create",
    "redemption_attempt_record",
    "seat_attach",
    "seat_release",
]
