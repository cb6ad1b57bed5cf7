"""The one place where API errors become responses."""

from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ApplicationError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Answer every API error as {"detail", "code"}, adding "errors" for invalid input.

    A refusal that says when to come back (a `retry_after` in seconds) gets `Retry-After`, as
    DRF's own throttling answers do."""
    if isinstance(exc, ApplicationError):
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        body = {"detail": exc.detail, "code": exc.code}
        return Response(body, status=exc.status_code, headers=headers)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": "Invalid input.", "code": "invalid", "errors": response.data}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        response.data = {"detail": str(detail), "code": getattr(detail, "code", "error")}
    return response
