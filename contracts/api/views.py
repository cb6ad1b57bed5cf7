"""B2B API views: parse, call one service or selector, serialize."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from apikeys.models import ApiKey
from apikeys.permissions import HasApiKey
from contracts import selectors
from contracts.api.serializers import ContractSerializer, ErrorSerializer, OrganizationSerializer
from contracts.services import seat_attach
from core.http import client_address

BAD_KEY = OpenApiResponse(ErrorSerializer, "An API key was sent, but it is invalid or revoked.")
ANONYMOUS = OpenApiResponse(ErrorSerializer, "No credentials: sign in, or send an API key.")
READ_ERRORS = {401: BAD_KEY, 403: ANONYMOUS}


def _learner_scope(request: Request) -> User | None:
    """Return the learner whose organizations bound what the caller sees; None sees all."""
    if isinstance(request.auth, ApiKey) or request.user.is_staff:
        return None
    return request.user  # type: ignore[return-value]


class IsSignedIn(IsAuthenticated):
    """Let in a signed-in user only; an API key gives read access, not a learner to attach."""

    message = "Attach needs a signed-in learner; an API key gives read access only."


class OrganizationListApi(APIView):
    """List the organizations the caller may see."""

    permission_classes = [HasApiKey | IsAuthenticated]

    @extend_schema(
        operation_id="b2b_organizations_list",
        responses={200: OrganizationSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Organizations with their open contracts: every one for staff and API keys, the
        caller's own for a learner."""
        organizations = selectors.organizations_visible(
            learner=_learner_scope(request), day=timezone.now().date()
        )
        serializer = OrganizationSerializer(organizations, many=True, context={"request": request})
        return Response(serializer.data)


class OrganizationDetailApi(APIView):
    """Show one organization the caller may see."""

    permission_classes = [HasApiKey | IsAuthenticated]

    @extend_schema(
        operation_id="b2b_organizations_retrieve",
        responses={
            200: OrganizationSerializer,
            **READ_ERRORS,
            404: OpenApiResponse(ErrorSerializer, "No such organization, or not the caller's."),
        },
    )
    def get(self, request: Request, organization_slug: str) -> Response:
        """One organization by slug, with its open contracts."""
        organization = selectors.organization_visible_get(
            slug=organization_slug, learner=_learner_scope(request), day=timezone.now().date()
        )
        if organization is None:
            raise NotFound("No such organization.")
        return Response(OrganizationSerializer(organization, context={"request": request}).data)


class ContractListApi(APIView):
    """List the open contracts the caller may see."""

    permission_classes = [HasApiKey | IsAuthenticated]

    @extend_schema(
        operation_id="b2b_contracts_list",
        responses={200: ContractSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Contracts open today: every one for staff and API keys, those of the caller's
        organizations for a learner."""
        contracts = selectors.contracts_visible(
            learner=_learner_scope(request), day=timezone.now().date()
        )
        return Response(ContractSerializer(contracts, many=True).data)


class ContractDetailApi(APIView):
    """Show one open contract the caller may see."""

    permission_classes = [HasApiKey | IsAuthenticated]

    @extend_schema(
        operation_id="b2b_contracts_retrieve",
        responses={
            200: ContractSerializer,
            **READ_ERRORS,
            404: OpenApiResponse(ErrorSerializer, "No such open contract, or not the caller's."),
        },
    )
    def get(self, request: Request, contract_slug: str) -> Response:
        """One open contract by slug."""
        contract = selectors.contract_visible_get(
            slug=contract_slug, learner=_learner_scope(request), day=timezone.now().date()
        )
        if contract is None:
            raise NotFound("No such contract.")
        return Response(ContractSerializer(contract).data)


ATTACH_RULES = """Attach the signed-in learner to the contract of an enrollment code.

No request body. The code may be typed in any case, with or without dashes. A session caller
sends its CSRF token in `X-CSRFToken`. An API key cannot attach: a learner must be signed in.
The answer is decided in this order:

1. The learner or the client address has had too many failed attempts within the window
   (by default 10 a minute per learner, 60 a minute per address): **429** `throttled`, with
   `Retry-After` in seconds. Every attach is refused while blocked, whatever the code.
2. The code is longer than 64 characters, unknown, not live, or its contract is not open
   today: **404** `invalid_code`.
3. The learner already holds a seat on the code's contract: **200** with the contract; nothing
   is written and the code is not consumed (a retried request is safe).
4. The code is used up: **409** `contract_full` when the contract is full, else the 404.
5. The contract is full: **409** `contract_full`.
6. Otherwise a seat is taken, the code counted and the organization membership made, in one
   transaction: **201** with the contract.

Every 404, 409 and 429 is recorded as a redemption attempt. Only 404 and 409 count as failed
attempts: successes, 200s and the 429s themselves do not.
"""


class ContractAttachApi(APIView):
    """Attach the signed-in learner to a contract with an enrollment code."""

    permission_classes = [IsSignedIn]

    @extend_schema(
        operation_id="b2b_attach_create",
        description=ATTACH_RULES,
        # Only a session can attach. (drf-spectacular hints list[str]; it takes requirements.)
        auth=[{"cookieAuth": []}],  # type: ignore[list-item]
        request=None,
        parameters=[
            OpenApiParameter(
                "Retry-After",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                response=[429],
                description="Seconds to wait before the next attempt can succeed.",
            )
        ],
        responses={
            200: OpenApiResponse(
                ContractSerializer(many=True), "Already attached; nothing was written."
            ),
            201: OpenApiResponse(ContractSerializer(many=True), "Attached to the contract."),
            401: BAD_KEY,
            403: OpenApiResponse(
                ErrorSerializer, "Not signed in, CSRF token missing, or an API key caller."
            ),
            404: OpenApiResponse(ErrorSerializer, "Invalid or expired enrollment code."),
            409: OpenApiResponse(ErrorSerializer, "Contract is full."),
            429: OpenApiResponse(ErrorSerializer, "Too many failed attempts; see Retry-After."),
        },
    )
    def post(self, request: Request, enrollment_code: str) -> Response:
        """Redeem an enrollment code: attach to its contract, or confirm an existing seat."""
        attachment = seat_attach(
            learner=request.user,  # type: ignore[arg-type]
            code=enrollment_code,
            client_address=client_address(request),
        )
        body = ContractSerializer([attachment.seat.contract], many=True).data
        return Response(body, status=201 if attachment.created else 200)
