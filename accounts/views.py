from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.views.decorators.http import require_http_methods
from django_otp import DEVICE_ID_SESSION_KEY

from core.middleware import OWNER_COOKIE

from . import two_factor
from .forms import (
    ChangePasswordForm,
    ConfirmAppForm,
    ConfirmPasswordForm,
    ForgotPasswordForm,
    InvitedSetPasswordForm,
    PasswordAgainForm,
    SignInForm,
    TwoFactorCodeForm,
)
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
    never a form kept to be sent again after the next sign-in. It forgets who this browser
    last was (core.middleware.OWNER_COOKIE), so at a shared computer nobody can keep a form
    in the name of the person who has left."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response.delete_cookie(OWNER_COOKIE, samesite="Lax")
        return response


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
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form: ChangePasswordForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        password_checked(self.request)
        messages.success(self.request, "Your password is changed. Anywhere else you were signed in is now signed out.")
        return response


# Your account and two-factor sign-in.


def account_view(request: HttpRequest) -> HttpResponse:
    """The signed-in person's page: their password and their two-factor sign-in."""
    user = request.user
    assert isinstance(user, User)
    app = two_factor.authenticator_of(user)
    return render(
        request,
        "accounts/account.html",
        {
            "required": two_factor.two_factor_required(user),
            "app": app,
            "codes_left": two_factor.recovery_codes_left(user) if app else 0,
            "changes": two_factor.recent_changes(user),
        },
    )


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url}, safe='/')}"


def _locked_out(request: HttpRequest) -> HttpResponse:
    """Signed out, with the lockout page, as django-axes answers a locked sign-in."""
    logout(request)
    return render(
        request, settings.AXES_LOCKOUT_TEMPLATE, {"cooloff_timedelta": settings.AXES_COOLOFF_TIME}, status=429
    )


@require_http_methods(["GET", "POST"])
def two_factor_view(request: HttpRequest) -> HttpResponse:
    """The code after the password. A wrong code is a failed sign-in for django-axes, so
    wrong codes and wrong passwords together lock the account out."""
    next_url = _safe_next(request)
    if two_factor.is_verified(request) or not two_factor.has_authenticator(request, fresh=True):
        return redirect(next_url)
    user = request.user
    assert isinstance(user, User)
    credentials = {settings.AXES_USERNAME_FORM_FIELD: user.email}
    if AxesProxyHandler.is_locked(request, credentials):
        return _locked_out(request)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not two_factor.code_check_allowed(request):
            form.add_error("code", "Too many wrong codes: wait a minute, then enter the code the app shows then")
        elif two_factor.code_check(request, form.cleaned_data["code"]):
            request.session.cycle_key()  # a new session id once fully signed in
            return redirect(next_url)
        else:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request)
            form.add_error("code", "The code is not right: enter the code your app shows now, or a recovery code")
    return render(
        request, "accounts/two_factor.html", {"form": form, "next": next_url, "issuer": settings.OTP_TOTP_ISSUER}
    )


@require_http_methods(["GET", "POST"])
def two_factor_set_up_view(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (or a new one, replacing the old): scan the QR code or
    type the key, then type the first code to show it works."""
    next_url = _safe_next(request)
    if two_factor.has_authenticator(request, fresh=True) and not two_factor.is_verified(request):
        return redirect(_with_next("accounts:two_factor", next_url))  # the code first, then a new app
    user = request.user
    assert isinstance(user, User)
    device = two_factor.app_being_set_up(user)
    form = ConfirmAppForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.app_confirm(request, device, form.cleaned_data["code"]):
            if not two_factor.recovery_codes_left(user):
                request.session[two_factor.CODES_TO_SHOW] = two_factor.recovery_codes_make(user, by=user)
            messages.success(request, "Two-factor sign-in is on: you will be asked for a code each time you sign in.")
            return redirect(_with_next("accounts:recovery_codes", next_url))
        form.add_error("code", "The code is not right: check the app is set up for CSP portal, then enter its code now")
    return render(
        request,
        "accounts/two_factor_set_up.html",
        {
            "form": form,
            "next": next_url,
            "qr_code": two_factor.qr_code_svg(device),
            "secret": two_factor.secret_in_groups(device),
            "required": two_factor.two_factor_required(user),
            "replacing": two_factor.has_authenticator(request),
            "issuer": settings.OTP_TOTP_ISSUER,
        },
    )


@require_http_methods(["GET", "POST"])
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once; making them again needs the password."""
    next_url = _safe_next(request)
    if not two_factor.has_authenticator(request, fresh=True):
        return redirect(_with_next("accounts:two_factor_set_up", next_url))
    user = request.user
    assert isinstance(user, User)
    codes = request.session.pop(two_factor.CODES_TO_SHOW, None)
    if codes:
        return render(
            request,
            "accounts/recovery_codes.html",
            {"codes": [two_factor.code_grouped(code) for code in codes], "next": next_url},
        )
    form = PasswordAgainForm(request.POST or None, request=request, button="Make new recovery codes")
    if request.method == "POST" and form.is_valid():
        password_checked(request)
        request.session[two_factor.CODES_TO_SHOW] = two_factor.recovery_codes_make(user, by=user)
        return redirect(_with_next("accounts:recovery_codes", next_url))
    return render(
        request,
        "accounts/recovery_codes_new.html",
        {"form": form, "next": next_url, "codes_left": two_factor.recovery_codes_left(user)},
    )


@require_http_methods(["GET", "POST"])
def two_factor_turn_off_view(request: HttpRequest) -> HttpResponse:
    """Turn two-factor sign-in off, with the password; CSP admins and superusers cannot."""
    user = request.user
    assert isinstance(user, User)
    if two_factor.two_factor_required(user):
        raise PermissionDenied("CSP admins must keep two-factor sign-in on.")
    if not two_factor.has_authenticator(request, fresh=True):
        return redirect("accounts:account")
    form = PasswordAgainForm(request.POST or None, request=request, button="Turn off two-factor sign-in")
    if request.method == "POST" and form.is_valid():
        password_checked(request)
        two_factor.two_factor_turn_off(user, by=user)
        request.session[two_factor.HAS_APP] = False
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        messages.success(request, "Two-factor sign-in is off: you will sign in with your password alone.")
        return redirect("accounts:account")
    return render(request, "accounts/two_factor_turn_off.html", {"form": form})
