from __future__ import annotations

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_view, name="account"),
    path("two-factor/", views.two_factor_view, name="two_factor"),
    path("two-factor/set-up/", views.two_factor_set_up_view, name="two_factor_set_up"),
    path("two-factor/recovery-codes/", views.recovery_codes_view, name="recovery_codes"),
    path("two-factor/turn-off/", views.two_factor_turn_off_view, name="two_factor_turn_off"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("set-password/<str:uidb64>/<str:token>/", views.set_password_view, name="set_password"),
    path("forgot-password/", views.ForgotPasswordView.as_view(), name="password_reset"),
    path("forgot-password/sent/", views.PasswordResetSentView.as_view(), name="password_reset_sent"),
    path("reset-password/<str:uidb64>/<str:token>/", views.ResetPasswordView.as_view(), name="password_reset_confirm"),
    path("change-password/", views.ChangePasswordView.as_view(), name="password_change"),
    path("confirm-password/", views.confirm_password_view, name="confirm_password"),
]
