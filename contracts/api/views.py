"""B2B API views: parse, call one service or selector, serialize."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.api.serializers import ContractSerializer, ErrorSerializer
from contracts.services import seat_attach
from core.http import client_address


class ContractAttachApi(APIView):
    """Attach the signed-in learner to a contract with an enrollment code."""

    @extend_schema(
        operation_id="b2b_attach_create",
        request=None,
        responses={
            200: OpenApiResponse(
                ContractSerializer(many=True), "Already attached; nothing was written."
            ),
            201: OpenApiResponse(ContractSerializer(many=True), "Attached to the contract."),
            403: OpenApiResponse(ErrorSerializer, "Not signed in, or CSRF token missing."),
            404: OpenApiResponse(ErrorSerializer, "Invalid or expired enrollment code."),
            409: OpenApiResponse(ErrorSerializer, "Contract is full."),
        },
    )
    def post(self, request: Request, enrollment_code: str) -> Response:
        """Redeem an enrollment code: attach to its contract, or confirm an existing seat.

        The code may be typed in any case, with or without dashes. Answers 201 with the
        contract when a seat was taken, 200 when the learner already holds one (a retried
        request is safe), 404 when the code is unknown, not live, used up or its contract is not
        open, and 409 when the contract has no free seat.
        """
        attachment = seat_attach(
            learner=request.user,  # type: ignore[arg-type]
            code=enrollment_code,
            client_address=client_address(request),
        )
        body = ContractSerializer([attachment.seat.contract], many=True).data
        return Response(body, status=201 if attachment.created else 200)
