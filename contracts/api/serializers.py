"""Response shapes of the B2B API."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from contracts.models import Contract, Organization


@extend_schema_serializer(component_name="ContractPage")
class ContractSerializer(serializers.ModelSerializer[Contract]):
    """A contract as the B2B API shows it; the component keeps the reference API's name."""

    programs = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = (
            "id",
            "name",
            "slug",
            "description",
            "membership_type",
            "organization",
            "contract_start",
            "contract_end",
            "active",
            "welcome_message",
            "welcome_message_extra",
            "programs",
        )
        read_only_fields = fields

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
