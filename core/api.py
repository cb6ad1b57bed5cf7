"""The one place where API errors become responses."""

from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ApplicationError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Answer every API error as {"detail", "code"}, adding "errors" for invalid input."""
    if isinstance(exc, ApplicationError):
        return Response({"detail": exc.detail, "code": exc.code}, status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": "Invalid input.", "code": "invalid", "errors": response.data}
    else:
        detail = response.data.get("detail", "")
        response.data = {"detail": str(detail), "code": getattr(detail, "code", "error")}
    return response
