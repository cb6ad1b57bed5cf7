"""Error pages: JSON in the API's error shape under /api/, Django's HTML pages elsewhere."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _error(detail: str, code: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer a request Django refused before any view (a bad Host header, say)."""
    if _is_api(request):
        return _error("Bad request.", "bad_request", 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer a request refused outside the API's own permission checks."""
    if _is_api(request):
        return _error(
            "You do not have permission to perform this action.", "permission_denied", 403
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Answer an unknown URL."""
    if _is_api(request):
        return _error("Not found.", "not_found", 404)
    return defaults.page_not_found(request, exception)


@csrf_exempt  # it changes nothing; a CSRF refusal would answer in HTML, not the API's shape
def api_not_found(request: HttpRequest) -> HttpResponse:
    """Answer any other path under /api/ with the JSON 404, slash or no slash.

    Matching here keeps Django from redirecting a POST to the same path with a slash added,
    which is an HTML 301 (or, with DEBUG on, an error) instead of the API's error shape."""
    return _error("Not found.", "not_found", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Answer an unexpected failure without showing its details."""
    if _is_api(request):
        return _error("Something went wrong on our side.", "server_error", 500)
    return defaults.server_error(request)
