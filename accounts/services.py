"""Writes of the accounts domain."""

from django.db import IntegrityError, transaction

from accounts.exceptions import EmailTaken
from accounts.models import User


def user_sign_up(*, email: str, password: str) -> User:
    """Create a learner account; the unique email decides between two at the same instant."""
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password)
    except IntegrityError:
        raise EmailTaken() from None
