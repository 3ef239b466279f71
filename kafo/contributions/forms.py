from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DeclarationKind


class DeclarationUploadForm(forms.Form):
    employer_number = forms.CharField(label=_("numéro d'employeur"), max_length=12)
    period = forms.CharField(
        label=_("période"), max_length=7, help_text=_("AAAA-MM ou AAAA-Tn (ex. 2025-03, 2025-Q1)")
    )
    kind = forms.ChoiceField(
        label=_("nature"), choices=DeclarationKind.choices, initial=DeclarationKind.ORIGINAL
    )
    file = forms.FileField(label=_("fichier DNS (CSV ou Excel)"))

    def __init__(self, *args, employer=None, **kwargs):
        super().__init__(*args, **kwargs)
        if employer is not None:
            self.fields["employer_number"].initial = employer.number
            self.fields["employer_number"].disabled = True
