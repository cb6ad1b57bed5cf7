"""Response shapes of the B2B API."""

from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from contracts.models import Contract, MembershipType, Organization


@extend_schema_serializer(component_name="ContractPage")
class ContractSerializer(serializers.Serializer[Any]):
    """A contract as the B2B API shows it; the component keeps the reference API's name."""

    # Declared, not derived from the model: a ModelSerializer rebuilds its fields from the
    # model on every response, which was a third of the attach view's own time.

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    slug = serializers.SlugField(read_only=True)
    description = serializers.CharField(read_only=True)
    membership_type = serializers.ChoiceField(choices=MembershipType.choices, read_only=True)
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    contract_start = serializers.DateField(read_only=True, allow_null=True)
    contract_end = serializers.DateField(read_only=True, allow_null=True)
    active = serializers.BooleanField(read_only=True)
    welcome_message = serializers.CharField(read_only=True)
    welcome_message_extra = serializers.CharField(read_only=True)
    programs = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_programs(self, contract: Contract) -> list[int]:
        # Program ids of the contract; the catalog (SPEC section 7) does not exist yet.
        return []


@extend_schema_serializer(component_name="OrganizationPage")
class OrganizationSerializer(serializers.ModelSerializer[Organization]):
    """An organization with its open contracts; the component keeps the reference API's name.

    Expects organizations from selectors.organizations_visible (open contracts prefetched)."""

    logo = serializers.ImageField(read_only=True, allow_null=True)
    contracts = ContractSerializer(many=True, read_only=True, source="open_contracts")

    class Meta:
        model = Organization
        fields = ("id", "name", "description", "logo", "slug", "sso_organization_id", "contracts")
        read_only_fields = fields


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer[None]):
    """The body of every error answer."""

    detail = serializers.CharField(help_text="What went wrong, in words for people.")
    code = serializers.CharField(help_text="A stable code for programs, e.g. `invalid_code`.")
