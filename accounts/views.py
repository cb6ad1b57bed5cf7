"""Landing, sign-up and sign-in pages; the rest of the account pages are Django's own views."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_safe

from accounts.exceptions import EmailTaken
from accounts.forms import SignInForm, SignUpForm
from accounts.services import user_sign_up
from learners.forms import CodeForm


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if _safe_onward(request, target):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _safe_onward(request: HttpRequest, target: str) -> bool:
    """Tell whether `next` may be followed: on this site, and not back to this very page."""
    return (
        url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and urlsplit(target).path != request.path
    )


def _leads_to_a_code(next_url: str) -> bool:
    """Tell whether the visitor is on the way to redeeming an enrollment code."""
    return next_url.startswith(reverse("learners:enter"))


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account, sign it in and go on to where the visitor was heading."""
    if request.user.is_authenticated:
        return HttpResponseRedirect(_next_url(request))
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_sign_up(
                email=form.cleaned_data["email"], password=form.cleaned_data["password1"]
            )
        except EmailTaken as refusal:
            form.add_error("email", refusal.detail)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return HttpResponseRedirect(_next_url(request))
    next_url = request.POST.get("next") or request.GET.get("next", "")
    context = {"form": form, "next": next_url, "for_code": _leads_to_a_code(next_url)}
    return render(request, "accounts/signup.html", context)


class SignInView(auth_views.LoginView):
    """Sign in with an email address and a password, then go on to `next`."""

    form_class = SignInForm
    redirect_authenticated_user = True

    def get_redirect_url(self, request: HttpRequest | None = None) -> str:
        # Django answers a `next` that leads back here, for a signed-in user, with a 500.
        url = super().get_redirect_url()
        return url if url and _safe_onward(self.request, url) else ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["for_code"] = _leads_to_a_code(context.get("next") or "")
        return context


class PasswordResetView(auth_views.PasswordResetView):
    """Email a password reset link; the link starts with SITE_URL, like attach links."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Introduce the site, or for a signed-in learner point to the dashboard and a code form."""
    return render(request, "home.html", {"form": CodeForm()})
