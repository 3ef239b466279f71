from django import forms
from django.utils.translation import gettext_lazy as _

from kafo import uploads

from .models import DeclarationKind, PaymentMethod


class DeclarationUploadForm(forms.Form):
    employer_number = forms.CharField(label=_("numéro d'employeur"), max_length=12)
    period = forms.CharField(
        label=_("période"),
        max_length=7,
        help_text=_(
            "AAAA-MM pour un mois, AAAA-Tn ou AAAA-Qn pour un trimestre (ex. 2025-03, 2025-T1)"
        ),
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

    def clean_file(self):
        """Size, lines, columns and an .xlsx's zip, checked before the file is read as a DNS."""
        upload = self.cleaned_data["file"]
        reasons = uploads.upload_errors(upload, uploads.DECLARATION)
        if reasons:
            raise forms.ValidationError(reasons)
        return upload


class PaymentForm(forms.Form):
    paid_on = forms.DateField(
        label=_("date de valeur"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text=_("jj/mm/aaaa"),
    )
    amount = forms.CharField(label=_("montant (francs)"), max_length=20)
    method = forms.ChoiceField(label=_("moyen de paiement"), choices=PaymentMethod.choices)
    reference = forms.CharField(
        label=_("référence (banque, mobile money, reçu de caisse)"), max_length=60, required=False
    )
    confirm_duplicate = forms.BooleanField(
        label=_("confirmer : ce n'est pas un doublon d'un paiement déjà enregistré"),
        required=False,
        help_text=_(
            "À cocher seulement si Kafo signale un doublon probable et qu'il n'en est rien."
        ),
    )


class StatementUploadForm(forms.Form):
    file = forms.FileField(
        label=_("relevé bancaire (CSV : date, amount, employer_number, reference)")
    )

    def clean_file(self):
        """Size, lines and columns, checked before the statement is parsed."""
        upload = self.cleaned_data["file"]
        reasons = uploads.upload_errors(upload, uploads.BANK_STATEMENT)
        if reasons:
            raise forms.ValidationError(reasons)
        return upload


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("motif"), max_length=200)


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("code de vérification"), max_length=20)
