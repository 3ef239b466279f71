from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Frequency, MemberKind

METHOD_CHOICES = (
    ("mobile_money", _("mobile money (référence de l'opération)")),
    ("cash", _("guichet (espèces, reçu de caisse)")),
)


class JoinForm(forms.Form):
    person_number = forms.CharField(
        label=_("numéro d'immatriculation de la personne"), max_length=12
    )
    kind = forms.ChoiceField(label=_("catégorie"), choices=MemberKind.choices)
    bracket = forms.ChoiceField(label=_("tranche de revenu"))
    frequency = forms.ChoiceField(label=_("périodicité"), choices=Frequency.choices)
    residence_country = forms.CharField(
        label=_("pays de résidence (diaspora)"),
        max_length=2,
        required=False,
        help_text=_("code ISO à deux lettres (ex. FR, US, CI) ; vide : le pays de l'organisme"),
    )
    address = forms.CharField(label=_("adresse de résidence"), max_length=200, required=False)
    phone = forms.CharField(
        label=_("téléphone"),
        max_length=30,
        required=False,
        help_text=_("forme nationale ou internationale (+33 6 12 34 56 78) ; enregistré en E.164"),
    )

    def __init__(self, *args, brackets=(), frequencies=(), with_person=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bracket"].choices = brackets
        self.fields["frequency"].choices = [c for c in Frequency.choices if c[0] in frequencies]
        if not with_person:
            del self.fields["person_number"]


class PayForm(forms.Form):
    period = forms.ChoiceField(label=_("période payée"))
    paid_on = forms.DateField(
        label=_("date du paiement"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        help_text=_("jj/mm/aaaa"),
    )
    amount = forms.CharField(label=_("montant reçu (francs)"), max_length=20)
    method = forms.ChoiceField(label=_("moyen de paiement"), choices=METHOD_CHOICES)
    reference = forms.CharField(
        label=_("référence (mobile money, reçu de caisse)"), max_length=60, required=False
    )

    def __init__(self, *args, periods=(), self_service=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = periods
        if self_service:
            # the member pays from their phone: mobile money, today
            del self.fields["paid_on"]
            self.fields["method"].choices = METHOD_CHOICES[:1]
            self.fields["reference"].required = True


class ResumeForm(forms.Form):
    bracket = forms.ChoiceField(label=_("tranche de revenu"))
    frequency = forms.ChoiceField(label=_("périodicité"), choices=Frequency.choices)

    def __init__(self, *args, brackets=(), frequencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bracket"].choices = brackets
        self.fields["frequency"].choices = [c for c in Frequency.choices if c[0] in frequencies]
