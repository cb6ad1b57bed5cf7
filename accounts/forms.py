"""Sign-up and sign-in forms: an email address and a password."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm, UsernameField

from accounts.exceptions import EmailTaken
from accounts.models import User, normalize_email_address


class SignUpForm(BaseUserCreationForm):
    """Create a learner account from an email address and a password."""

    class Meta:
        model = User
        fields = ("email",)
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email"})}

    def clean_email(self) -> str:
        # A friendly early answer; user_sign_up's unique email is what decides.
        email = normalize_email_address(self.cleaned_data["email"])
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError(EmailTaken.detail)
        return email


class SignInForm(AuthenticationForm):
    """Sign in with an email address; the field keeps Django's name, username."""

    username = UsernameField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
