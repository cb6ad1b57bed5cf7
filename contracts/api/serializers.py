"""Response shapes of the B2B API."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from contracts.models import Contract


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


class ErrorSerializer(serializers.Serializer[None]):
    """The body of every error answer."""

    detail = serializers.CharField()
    code = serializers.CharField()
