import factory
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from contracts import codes
from contracts.models import (
    Contract,
    EnrollmentCode,
    MembershipType,
    Organization,
    RedemptionType,
    Seat,
    SeatSource,
)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    key = factory.Sequence(lambda n: f"org{n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Contract {n}")
    slug = factory.Sequence(lambda n: f"contract-{n}")
    membership_type = MembershipType.CODE
    welcome_message = "Welcome aboard."


class EnrollmentCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnrollmentCode

    code = factory.LazyFunction(codes.generate_code)
    contract = factory.SubFactory(ContractFactory)
    redemption_type = RedemptionType.ONE_TIME


def seats_fill(contract: Contract, count: int) -> list[User]:
    """Give count new learners a held seat on the contract, keeping its counter in step."""
    stamp = timezone.now().strftime("%H%M%S%f")
    learners = User.objects.bulk_create(
        User(email=f"filler-{contract.pk}-{stamp}-{n}@example.com") for n in range(count)
    )
    Seat.objects.bulk_create(
        Seat(contract=contract, learner=learner, source=SeatSource.ADMIN) for learner in learners
    )
    contract.seats_held += count
    Contract.objects.filter(pk=contract.pk).update(seats_held=contract.seats_held)
    return learners


__all__ = ["UserFactory"]
