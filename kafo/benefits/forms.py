"""Forms of the benefits pages: they parse and say what is wrong, in French, per field; the
services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class SimulationForm(forms.Form):
    """'At which date can I retire, and with how much': the date to look from and the facts
    the registry does not hold."""

    on = forms.DateField(
        label=_("à la date du"),
        input_formats=DATE_FORMATS,
        help_text=_("jj/mm/aaaa ; les dates suivantes où un droit s'ouvre sont aussi calculées"),
        error_messages={
            "required": _("Indiquez la date à laquelle calculer (jj/mm/aaaa)."),
            "invalid": _("Date invalide : jj/mm/aaaa attendu (ex. 15/01/2026)."),
        },
    )
    children = forms.IntegerField(
        label=_("enfants"),
        min_value=0,
        max_value=30,
        help_text=_("enfants nés (réduction d'âge des femmes au Mali) et à charge (majoration)"),
        error_messages={
            "required": _("Indiquez le nombre d'enfants (0 si aucun)."),
            "invalid": _("Nombre d'enfants : un entier de 0 à 30."),
            "min_value": _("Nombre d'enfants : un entier de 0 à 30."),
            "max_value": _("Nombre d'enfants : un entier de 0 à 30."),
        },
    )
    category = forms.ChoiceField(label=_("catégorie"), required=False, choices=[("", "—")])

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("générale"))] + [(c, c) for c in categories]
        if not categories:
            self.fields["category"].widget = forms.HiddenInput()
        self.fields["category"].error_messages["invalid_choice"] = _(
            "Catégorie « %(value)s » inconnue pour cet organisme."
        )
