"""Every write of the contracts domain: one function per use case, each its own transaction."""

from contracts.services.codes import (
    CodeImport,
    CodeSync,
    ImportResult,
    code_batch_expire,
    code_batch_import,
    code_batch_issue,
    code_rules_check,
    code_update,
    contract_codes_sync,
)
from contracts.services.organizations import (
    contract_create,
    contract_update,
    organization_create,
    organization_update,
)
from contracts.services.seats import (
    Attachment,
    membership_add,
    membership_update,
    redemption_attempt_record,
    seat_add,
    seat_attach,
    seat_release,
)

__all__ = [
    "Attachment",
    "CodeImport",
    "CodeSync",
    "ImportResult",
    "code_batch_expire",
    "code_batch_import",
    "code_batch_issue",
    "code_rules_check",
    "code_update",
    "contract_codes_sync",
    "contract_create",
    "contract_update",
    "membership_add",
    "membership_update",
    "organization_create",
    "organization_update",
    "redemption_attempt_record",
    "seat_add",
    "seat_attach",
    "seat_release",
]
