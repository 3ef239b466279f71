"""The form a zone administrator or a director registers a partner with."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kafo.organisations.models import Organisation

from .models import PartnerKind, RecordAttribute


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("Nom du partenaire"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=PartnerKind.choices)
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organismes dont il peut consulter les dossiers"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    attributes = forms.MultipleChoiceField(
        label=_("Attributs qu'il peut recevoir et rechercher"),
        choices=RecordAttribute.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    callback_urls = forms.CharField(
        label=_("Adresses de rappel (une par ligne)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kafo n'envoie de réponses et de notifications qu'à ces adresses."),
    )
    public_key = forms.CharField(
        label=_("Clé publique de signature (PEM, facultative)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Si elle est donnée, chaque message du partenaire doit être signé."),
    )
    rate_limit_per_minute = forms.IntegerField(
        label=_("Requêtes par minute au plus"), min_value=1, max_value=600, initial=60
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organisation.objects.order_by("code")
        if not user.is_zone_admin:
            orgs = orgs.filter(pk=user.organisation_id)
        self.fields["organisations"].queryset = orgs

    def callback_url_list(self) -> list[str]:
        return [u.strip() for u in self.cleaned_data["callback_urls"].splitlines() if u.strip()]
