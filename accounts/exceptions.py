"""Refusals of the accounts domain."""

from core.exceptions import ApplicationError


class EmailTaken(ApplicationError):
    """Refuse a second account for an email address."""

    status_code = 409
    code = "email_taken"
    detail = "An account with this email address already exists."
