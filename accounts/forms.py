from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fluid, Layout
from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.http import HttpRequest
from django.template.loader import render_to_string

from core.forms import PortalFormMixin
from core.queue import queue
from core.tasks import send_email


class SignInForm(PortalFormMixin, AuthenticationForm):
    """Email and password, in GOV.UK style."""

    username = forms.EmailField(
        label="Email address",
        # The longest address the standards allow; a longer one is refused here, before the
        # lockout records the attempt (its column holds 255).
        max_length=254,
        error_messages={"max_length": "Email address must be 254 characters or fewer"},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "Enter a correct email address and password",
        "inactive": "This account is inactive",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's template owns the <form>
        self.helper.layout = Layout(
            Field.text("username", field_width=Fluid.TWO_THIRDS),
            Field.text("password", field_width=Fluid.ONE_HALF),
            Button("submit", "Sign in"),
        )

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()


class ConfirmPasswordForm(PortalFormMixin, forms.Form):
    """The signed-in person's password, asked again before a sensitive action.

    It is checked through `authenticate`, so a wrong password counts towards the sign-in
    lockout (django-axes) exactly as a wrong password at sign-in does.
    """

    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's template owns the <form>
        self.helper.layout = Layout(
            Field.text("password", field_width=Fluid.ONE_HALF),
            Button("submit", "Confirm password"),
        )

    def clean_password(self) -> str:
        password = str(self.cleaned_data["password"])
        user = self.request.user
        checked = authenticate(self.request, username=getattr(user, "email", ""), password=password)
        if checked is None or checked.pk != user.pk:
            raise forms.ValidationError("The password is not correct")
        return password


class InvitedSetPasswordForm(PortalFormMixin, SetPasswordForm):
    """An invited person's first password (the password validators apply)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "Enter a password"
        self.fields["new_password2"].error_messages["required"] = "Enter the password again"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("new_password1", field_width=Fluid.ONE_HALF),
            Field.text("new_password2", field_width=Fluid.ONE_HALF),
            Button("submit", "Set password"),
        )


class ForgotPasswordForm(PortalFormMixin, PasswordResetForm):
    """The email address to send a reset link to. Django's form: it sends only to an active
    account with a password, and the page says the same whether one exists or not."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address, like name@example.org",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("email", field_width=Fluid.TWO_THIRDS), Button("submit", "Send the link")
        )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Written here, sent by a worker: the page does not wait for the mail server (whose
        wait would also tell whether the address has an account)."""
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        queue(send_email, subject, render_to_string(email_template_name, context), [to_email])


class ChangePasswordForm(PortalFormMixin, PasswordChangeForm):
    """The signed-in person's new password, after their current one (the validators apply)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
        self.error_messages = {**self.error_messages, "password_incorrect": "Your current password is not correct"}
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("old_password", field_width=Fluid.ONE_HALF),
            Field.text("new_password1", field_width=Fluid.ONE_HALF),
            Field.text("new_password2", field_width=Fluid.ONE_HALF),
            Button("submit", "Change password"),
        )


class TwoFactorCodeForm(PortalFormMixin, forms.Form):
    """The code asked for after the password: six digits from the authenticator app, or one
    of the recovery codes. A wrong code is a failed sign-in (the view tells django-axes)."""

    code = forms.CharField(
        label="Code",
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes",
        max_length=20,
        error_messages={
            "required": "Enter the code from your authenticator app",
            "max_length": "Enter the 6-digit code from your authenticator app, or a recovery code",
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Field.text("code", field_width=Fluid.ONE_THIRD), Button("submit", "Continue"))


class ConfirmAppForm(PortalFormMixin, forms.Form):
    """The first code of an authenticator app being set up, to show it was set up right."""

    code = forms.RegexField(
        label="Code from the app",
        help_text="The 6-digit code the app shows now",
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "invalid": "Enter the 6 digits the app shows, like 123456",
        },
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("code", field_width=Fluid.ONE_THIRD), Button("submit", "Confirm and turn on")
        )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).replace(" ", "").strip()


class PasswordAgainForm(ConfirmPasswordForm):
    """The password, asked before the recovery codes are replaced or two-factor sign-in is
    turned off (a wrong one counts towards the lockout, as at sign-in)."""

    def __init__(self, *args: Any, button: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.text("password", field_width=Fluid.ONE_HALF), Button("submit", button))
