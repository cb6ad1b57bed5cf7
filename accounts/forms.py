"""Sign-up form: an email address and a password typed twice."""

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm

from accounts.models import User, normalize_email_address


class SignUpForm(BaseUserCreationForm):
    """Create a learner account from an email address and a password."""

    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self) -> str:
        email = normalize_email_address(self.cleaned_data["email"])
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError("An account with this email address already exists.")
        return email
