from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.views.decorators.http import require_http_methods

from .forms import ChangePasswordForm, ConfirmPasswordForm, ForgotPasswordForm, InvitedSetPasswordForm, SignInForm
from .invitations import invitation_tokens
from .models import User
from .reauth import DO_AGAIN, password_checked


@method_decorator(login_not_required, name="dispatch")
class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: SignInForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        password_checked(self.request)  # so no sensitive action asks again straight after sign-in
        return response


@method_decorator(login_not_required, name="dispatch")
class SignOutView(auth_views.LogoutView):
    """POST only (Django's rule); shows the signed-out page via LOGOUT_REDIRECT_URL. Open to
    the signed-out too: pressing Sign out after the session has ended just says so, and is
    never a form kept to be sent again after the next sign-in."""


def _safe_next(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return next_url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def confirm_password_view(request: HttpRequest) -> HttpResponse:
    """Ask the signed-in person for their password again, then return them to `next`."""
    next_url = _safe_next(request)
    form = ConfirmPasswordForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        password_checked(request)
        again = request.session.pop(DO_AGAIN, "")
        messages.success(request, f"Password confirmed: now {again}." if again else "Password confirmed.")
        return redirect(next_url)
    return render(request, "accounts/confirm_password.html", {"form": form, "next": next_url})


def _invited_user(uidb64: str, token: str) -> User | None:
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    return user if invitation_tokens.check_token(user, token) else None


@login_not_required
@require_http_methods(["GET", "POST"])
def set_password_view(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The invitation's link: set a first password, then sign in. A used or expired link says so."""
    user = _invited_user(uidb64, token)
    if user is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = InvitedSetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your password is set: sign in with your email address and new password.")
        return redirect("accounts:login")
    return render(request, "accounts/set_password.html", {"form": form, "invited": user})


@method_decorator(login_not_required, name="dispatch")
class ForgotPasswordView(auth_views.PasswordResetView):
    """Django's reset: a link valid for PASSWORD_RESET_TIMEOUT that stops working once used.
    The page that follows says the same whether the address has an account or not."""

    template_name = "accounts/forgot_password.html"
    form_class = ForgotPasswordForm
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_sent")

    def form_valid(self, form: ForgotPasswordForm) -> HttpResponse:  # type: ignore[override]
        # The link uses the portal's real address, as every other email does, not the Host header.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "timeout_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}


@method_decorator(login_not_required, name="dispatch")
class ResetPasswordView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/reset_password.html"
    form_class = InvitedSetPasswordForm
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form: InvitedSetPasswordForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        messages.success(self.request, "Your password is changed: sign in with your new password.")
        return response


class ChangePasswordView(auth_views.PasswordChangeView):
    """Django's change: the new password ends every other session of the person (their session
    hash changes), and this one carries on (update_session_auth_hash)."""

    template_name = "accounts/change_password.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("priorities:partnerships")

    def form_valid(self, form: ChangePasswordForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        password_checked(self.request)
        messages.success(self.request, "Your password is changed. Anywhere else you were signed in is now signed out.")
        return response
