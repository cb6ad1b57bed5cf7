"""Learner pages: redeem an enrollment code, and the dashboard of the contracts joined.

A code is redeemed only on a POST, by the attach service the API uses. A success redirects to
the code's page, which then shows the contract joined, so reloading it never posts again
(Post/Redirect/Get); a refusal is shown at once, with its HTTP status.
"""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import User
from contracts import codes, selectors
from contracts.exceptions import AttemptsThrottled, CodeInvalid
from contracts.services import seat_attach
from core.exceptions import ApplicationError
from core.http import client_address
from learners.forms import CodeForm


@never_cache
@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """List the learner's organizations and contracts, with a form to enter a code."""
    organizations = selectors.learner_contracts(
        learner=_learner(request), day=timezone.now().date()
    )
    return render(
        request, "learners/dashboard.html", {"organizations": organizations, "form": CodeForm()}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def code_redeem(request: HttpRequest, code: str) -> HttpResponse:
    """Show an enrollment code with one button to redeem it, and redeem it on POST."""
    if request.method == "POST":
        return _redeem(request, code)
    if codes.normalize_code(code) is None:
        # Not a code in any form: say so now rather than offer a button that cannot work.
        return refusal_page(request, CodeInvalid(), code=code)
    seat = selectors.seat_held_for_code(learner=_learner(request), code=code)
    template = "learners/redeem_confirm.html" if seat is None else "learners/redeem_member.html"
    return render(request, template, {"code": _display(code), "seat": seat})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def code_enter(request: HttpRequest) -> HttpResponse:
    """Take an enrollment code typed by hand and redeem it."""
    if request.method == "GET":
        return render(request, "learners/code_enter.html", {"form": CodeForm()})
    form = CodeForm(request.POST)
    if not form.is_valid():
        return render(request, "learners/code_enter.html", {"form": form}, status=400)
    return _redeem(request, form.cleaned_data["code"])


def _redeem(request: HttpRequest, code: str) -> HttpResponse:
    """Attach the learner with the code: the one place where these pages meet its refusals."""
    try:
        attachment = seat_attach(
            learner=_learner(request), code=code, client_address=client_address(request)
        )
    except ApplicationError as refusal:
        return refusal_page(request, refusal, code=code)
    contract = attachment.seat.contract
    if attachment.created:
        messages.success(request, f"You have joined {contract.name}.")
    else:
        messages.info(request, f"You are already a member of {contract.name}. Nothing changed.")
    return redirect("learners:redeem", code=_display(code))


def refusal_page(request: HttpRequest, refusal: ApplicationError, *, code: str) -> HttpResponse:
    """Say in words why the code was refused, with a form to try another one."""
    retry_after = refusal.retry_after if isinstance(refusal, AttemptsThrottled) else None
    context = {
        "refusal": refusal,
        "code": codes.printable_excerpt(code),  # as typed, so that a typo can be spotted
        "form": CodeForm(initial={"code": codes.printable_excerpt(code)}),
        "retry_in": None if retry_after is None else _wait_in_words(retry_after),
    }
    response = render(request, "learners/redeem_refused.html", context, status=refusal.status_code)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _learner(request: HttpRequest) -> User:
    # Every caller is behind login_required, so the user is a signed-in User.
    return cast(User, request.user)


def _display(code: str) -> str:
    """The code as links and people show it (K7QF-9MZX-2DPA-W3HC); code must be well-formed."""
    return codes.format_code(codes.normalize_code(code) or "")


def _wait_in_words(seconds: int) -> str:
    if seconds < 60:
        seconds = max(seconds, 1)
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
