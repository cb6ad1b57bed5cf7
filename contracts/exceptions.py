"""Business refusals of the contracts domain."""

from core.exceptions import ApplicationError


class CodeInvalid(ApplicationError):
    """Refuse a code that is unknown, malformed, not live, used up, or whose contract is closed."""

    status_code = 404
    code = "invalid_code"
    detail = "Invalid or expired enrollment code."


class ContractFull(ApplicationError):
    """Refuse a seat on a contract whose held seats have reached its limit."""

    status_code = 409
    code = "contract_full"
    detail = "Contract is full."


class SeatLimitBelowHeld(ApplicationError):
    """Refuse a seat limit lower than the seats already held."""

    status_code = 409
    code = "seat_limit_below_held"
    detail = "The seat limit cannot be lower than the seats held."


class ContractDatesInvalid(ApplicationError):
    """Refuse a contract that would end before it starts."""

    status_code = 400
    code = "contract_dates_invalid"
    detail = "The contract cannot end before it starts."


class OrganizationKeyTaken(ApplicationError):
    """Refuse an organization key that another organization already uses."""

    status_code = 409
    code = "organization_key_taken"
    detail = "Another organization already uses this key."


class OrganizationKeyInvalid(ApplicationError):
    """Refuse an organization key outside the allowed characters or length."""

    status_code = 400
    code = "organization_key_invalid"
    detail = "An organization key is 1 to 30 letters, digits, '_' or '-'."


class CodeDatesInvalid(ApplicationError):
    """Refuse codes that would expire before they activate, or have already expired."""

    status_code = 400
    code = "code_dates_invalid"
    detail = "A code cannot expire before it activates, nor be issued already expired."


class AttemptsThrottled(ApplicationError):
    """Refuse an attach after too many failed attempts from the same user or address."""

    status_code = 429
    code = "throttled"
    detail = "Too many failed attempts. Try again later."

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(detail)


class SeatAlreadyHeld(ApplicationError):
    """Refuse a second seat for a learner who already holds one on the contract."""

    status_code = 409
    code = "seat_already_held"
    detail = "The learner already holds a seat on this contract."


class MembershipExists(ApplicationError):
    """Refuse a second membership of a user in the same organization."""

    status_code = 409
    code = "membership_exists"
    detail = "The user already belongs to this organization."


class OrganizationSsoIdTaken(ApplicationError):
    """Refuse an SSO organization id that another organization already uses."""

    status_code = 409
    code = "organization_sso_id_taken"
    detail = "Another organization already uses this SSO id."


class CodeCapInvalid(ApplicationError):
    """Refuse a redemption cap on a one-time code, or one below the redemptions already made."""

    status_code = 400
    code = "code_cap_invalid"
    detail = "Only unlimited codes take a cap, and not below the redemptions already made."


class CodeImportInvalid(ApplicationError):
    """Refuse imported codes that are malformed, repeated, or taken by another contract."""

    status_code = 400
    code = "code_import_invalid"
    detail = "The codes to import are not valid."


class ContractPriceInvalid(ApplicationError):
    """Refuse a price that is negative or does not fit the price column."""

    status_code = 400
    code = "contract_price_invalid"
    detail = "A price is 0 or more, below 100,000,000, with at most two decimal places."


class SeatLimitInvalid(ApplicationError):
    """Refuse a seat limit beyond what the database, or the codes it calls for, can hold."""

    status_code = 400
    code = "seat_limit_invalid"
    detail = "The seat limit is too large."


class NameInvalid(ApplicationError):
    """Refuse an organization or contract name that is blank or too long."""

    status_code = 400
    code = "name_invalid"
    detail = "A name cannot be blank nor longer than 255 characters."


class CodeCountInvalid(ApplicationError):
    """Refuse a batch of codes that is empty or larger than one batch may be."""

    status_code = 400
    code = "code_count_invalid"
    detail = "A batch holds 1 to 1,000,000 codes."


class OrganizationAmbiguous(ApplicationError):
    """Refuse an organization name that more than one organization has."""

    status_code = 409
    code = "organization_ambiguous"
    detail = "More than one organization has this name: use its key or id."
