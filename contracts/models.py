"""Organizations, their contracts, enrollment codes, seats and memberships.

The two invariants of the product live here as database constraints:
- held seats on a contract never exceed its limit (`seats_held` is kept by conditional updates
  and bounded by a check constraint), and a learner holds at most one seat per contract
  (a partial unique index);
- a code is never redeemed more often than it allows (a check constraint on its counter).
"""

import datetime
from typing import ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from contracts import codes
from core.models import TimestampedModel

ORGANIZATION_KEY_PATTERN = r"^[A-Za-z0-9_-]{1,30}$"
# The largest value of an integer column on every database we run (PostgreSQL's `integer`);
# SQLite would store more, which PostgreSQL would then refuse.
INTEGER_MAX = 2_147_483_647
NAME_MAX_LENGTH = 255  # of an organization or a contract
# A price per enrollment: below 100,000,000, in cents.
PRICE_MAX_DIGITS = 10
PRICE_DECIMAL_PLACES = 2


class Organization(TimestampedModel):
    """A customer that buys contracts for its learners."""

    name = models.CharField(max_length=NAME_MAX_LENGTH)
    key = models.CharField(
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(ORGANIZATION_KEY_PATTERN, "Use at most 30 letters, digits, '_' and '-'.")
        ],
        help_text="Short identifier used in course-run keys.",
    )
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    logo = models.ImageField(upload_to="organization_logos/", blank=True)
    sso_organization_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class MembershipType(models.TextChoices):
    CODE = "code", "Enrollment codes"
    MANAGED = "managed", "Added by staff or managers"
    AUTO = "auto", "Every organization member"


# No seat limit: max_learners empty or 0.
_UNLIMITED = Q(max_learners__isnull=True) | Q(max_learners=0)


class ContractQuerySet(models.QuerySet["Contract"]):
    def unlimited(self) -> "ContractQuerySet":
        """Keep contracts without a seat limit."""
        return self.filter(_UNLIMITED)

    def full(self) -> "ContractQuerySet":
        """Keep contracts whose held seats have reached their limit."""
        return self.exclude(_UNLIMITED).filter(seats_held__gte=F("max_learners"))

    def with_free_seats(self) -> "ContractQuerySet":
        """Keep contracts with a seat limit and seats still free under it."""
        return self.exclude(_UNLIMITED).filter(seats_held__lt=F("max_learners"))

    def open_on(self, day: datetime.date) -> "ContractQuerySet":
        """Keep contracts that are active and whose dates include the day."""
        return self.filter(
            Q(contract_start__isnull=True) | Q(contract_start__lte=day),
            Q(contract_end__isnull=True) | Q(contract_end__gte=day),
            active=True,
        )


class Contract(TimestampedModel):
    """What an organization bought: seats for its learners over a period."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="contracts"
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    welcome_message = models.TextField(blank=True)
    welcome_message_extra = models.TextField(blank=True)
    membership_type = models.CharField(
        max_length=16, choices=MembershipType.choices, default=MembershipType.CODE
    )
    active = models.BooleanField(default=True)
    contract_start = models.DateField(null=True, blank=True)
    contract_end = models.DateField(null=True, blank=True)
    max_learners = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seat limit. Empty or 0 means unlimited."
    )
    enrollment_fixed_price = models.DecimalField(
        max_digits=PRICE_MAX_DIGITS,
        decimal_places=PRICE_DECIMAL_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Price per enrollment. Empty or 0 means free.",
    )
    # Maintained only by conditional UPDATEs in services, so reading it never counts seats.
    seats_held = models.PositiveIntegerField(default=0, editable=False)

    objects: ClassVar[ContractQuerySet] = ContractQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ("organization__name", "name")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_learners__isnull=True)
                | Q(max_learners=0)
                | Q(seats_held__lte=F("max_learners")),
                name="contract_seats_within_limit",
                violation_error_message="More seats are held than the seat limit allows.",
            ),
            models.CheckConstraint(
                condition=Q(contract_start__isnull=True)
                | Q(contract_end__isnull=True)
                | Q(contract_end__gte=F("contract_start")),
                name="contract_end_not_before_start",
                violation_error_message="The contract cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(enrollment_fixed_price__isnull=True) | Q(enrollment_fixed_price__gte=0),
                name="contract_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_unlimited(self) -> bool:
        return not self.max_learners

    @property
    def is_full(self) -> bool:
        return bool(self.max_learners) and self.seats_held >= (self.max_learners or 0)

    @property
    def seats_free(self) -> int | None:
        """Seats still free, or None when the contract has no limit."""
        if not self.max_learners:
            return None
        return max(self.max_learners - self.seats_held, 0)

    @property
    def is_free(self) -> bool:
        return not self.enrollment_fixed_price

    def is_open_on(self, day: datetime.date) -> bool:
        return (
            self.active
            and (self.contract_start is None or self.contract_start <= day)
            and (self.contract_end is None or self.contract_end >= day)
        )


class RedemptionType(models.TextChoices):
    ONE_TIME = "one-time", "One-time"
    UNLIMITED = "unlimited", "Unlimited"


class CodeStatus(models.TextChoices):
    """The state of a code at an instant; the first that applies, in this order, wins."""

    EXPIRED = "expired", "Expired"
    SCHEDULED = "scheduled", "Not active yet"
    USED_UP = "used up", "Used up"
    LIVE = "live", "Live and redeemable"


# Redeemed as often as the code allows. True or false on every row, never NULL, so it negates
# safely in SQL.
_USED_UP = Q(redemption_type=RedemptionType.ONE_TIME, redemption_count__gte=1) | Q(
    redemption_type=RedemptionType.UNLIMITED,
    max_redemptions__isnull=False,
    redemption_count__gte=F("max_redemptions"),
)


class EnrollmentCodeQuerySet(models.QuerySet["EnrollmentCode"]):
    def live_at(self, instant: datetime.datetime) -> "EnrollmentCodeQuerySet":
        """Keep codes whose activation and expiration bracket the instant."""
        return self.filter(
            Q(activation_date__isnull=True) | Q(activation_date__lte=instant),
            Q(expiration_date__isnull=True) | Q(expiration_date__gte=instant),
        )

    def not_expired_at(self, instant: datetime.datetime) -> "EnrollmentCodeQuerySet":
        """Keep codes that have not expired by the instant (they may not be active yet)."""
        return self.filter(Q(expiration_date__isnull=True) | Q(expiration_date__gte=instant))

    def redeemable(self) -> "EnrollmentCodeQuerySet":
        """Keep codes that can be redeemed at least once more."""
        return self.exclude(_USED_UP)

    def used_up(self) -> "EnrollmentCodeQuerySet":
        """Keep codes redeemed as often as they allow."""
        return self.filter(_USED_UP)

    def in_status_at(self, status: str, instant: datetime.datetime) -> "EnrollmentCodeQuerySet":
        """Keep the codes in this state (a CodeStatus value) at the instant."""
        return self.alias(status_now=code_status_at(instant)).filter(status_now=status)


def code_status_at(instant: datetime.datetime) -> models.Case:
    """Return the state of a code at the instant (a CodeStatus value), as an SQL expression to
    read or filter codes by."""
    return models.Case(
        models.When(expiration_date__lt=instant, then=models.Value(CodeStatus.EXPIRED.value)),
        models.When(activation_date__gt=instant, then=models.Value(CodeStatus.SCHEDULED.value)),
        models.When(_USED_UP, then=models.Value(CodeStatus.USED_UP.value)),
        default=models.Value(CodeStatus.LIVE.value),
        output_field=models.CharField(),
    )


class EnrollmentCode(TimestampedModel):
    """A secret that grants a seat on one contract."""

    code = models.CharField(max_length=codes.MAX_LENGTH, unique=True)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="codes")
    redemption_type = models.CharField(
        max_length=16, choices=RedemptionType.choices, default=RedemptionType.ONE_TIME
    )
    max_redemptions = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Cap for an unlimited code. Empty means no cap.",
    )
    activation_date = models.DateTimeField(null=True, blank=True)
    expiration_date = models.DateTimeField(null=True, blank=True)
    # Raised only by a conditional UPDATE in services; the check constraints bound it.
    redemption_count = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects: ClassVar[EnrollmentCodeQuerySet] = EnrollmentCodeQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ("id",)
        constraints = [
            models.CheckConstraint(
                condition=Q(redemption_type=RedemptionType.UNLIMITED) | Q(redemption_count__lte=1),
                name="code_one_time_redeemed_once",
            ),
            models.CheckConstraint(
                condition=Q(max_redemptions__isnull=True)
                | Q(redemption_count__lte=F("max_redemptions")),
                name="code_within_max_redemptions",
            ),
            models.CheckConstraint(
                condition=Q(redemption_type=RedemptionType.UNLIMITED)
                | Q(max_redemptions__isnull=True),
                name="code_cap_only_for_unlimited",
            ),
            models.CheckConstraint(condition=~Q(code=""), name="code_not_empty"),
        ]

    def __str__(self) -> str:
        return codes.format_code(self.code)

    @property
    def display_code(self) -> str:
        return codes.format_code(self.code)

    @property
    def attach_url(self) -> str:
        return codes.attach_url(self.code)

    # The rules of one row; EnrollmentCodeQuerySet holds the same rules for filtering.
    @property
    def is_used_up(self) -> bool:
        """Redeemed as often as the code allows."""
        if self.redemption_type == RedemptionType.ONE_TIME:
            return self.redemption_count >= 1
        return self.max_redemptions is not None and self.redemption_count >= self.max_redemptions

    def is_live_at(self, instant: datetime.datetime) -> bool:
        """Tell whether the instant lies between the activation and the expiration."""
        return (self.activation_date is None or self.activation_date <= instant) and (
            self.expiration_date is None or self.expiration_date >= instant
        )


class SeatSource(models.TextChoices):
    CODE = "code", "Enrollment code"
    ADMIN = "admin", "Added by staff"
    AUTO = "auto", "Automatic (organization member)"
    IMPORT = "import", "Imported"


class Seat(models.Model):
    """One learner attached to one contract; released seats stay as history."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="seats")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seats"
    )
    code = models.ForeignKey(
        EnrollmentCode, on_delete=models.PROTECT, null=True, blank=True, related_name="seats"
    )
    source = models.CharField(max_length=16, choices=SeatSource.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "learner"],
                condition=Q(released_at__isnull=True),
                name="seat_one_held_per_learner",
                violation_error_message="This learner already holds a seat on the contract.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner} on {self.contract}"

    @property
    def is_held(self) -> bool:
        return self.released_at is None


class OrganizationMembership(models.Model):
    """A user belongs to an organization, possibly as one of its managers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    is_manager = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="membership_once_per_organization"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization}"


class RedemptionAttempt(models.Model):
    """A refused attach, kept for support and abuse detection."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    client_address = models.GenericIPAddressField(null=True, blank=True)
    code = models.CharField(max_length=codes.MAX_LENGTH, blank=True, help_text="As typed.")
    reason = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at",)
        # The attach throttle reads a user's or an address's recent failures on every attach.
        indexes = [
            models.Index(fields=["user", "created_at"], name="attempt_user_recent"),
            models.Index(fields=["client_address", "created_at"], name="attempt_address_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.reason}: {self.code!r}"
