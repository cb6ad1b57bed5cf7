"""The enrollment code a learner types by hand."""

from django import forms

from contracts import codes


class CodeForm(forms.Form):
    """An enrollment code as typed; whether it is valid is for the attach service to say."""

    code = forms.CharField(
        label="Enrollment code",
        max_length=codes.MAX_LENGTH,
        help_text="For example K7QF-9MZX-2DPA-W3HC. Upper or lower case, dashes optional.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
