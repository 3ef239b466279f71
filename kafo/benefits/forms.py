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


class ClaimOpenForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("prestation demandée"),
        error_messages={
            "required": _("Choisissez la prestation demandée."),
            "invalid_choice": _("Prestation inconnue : choisissez dans la liste."),
        },
    )
    claim_date = forms.DateField(
        label=_("date de la demande"),
        input_formats=DATE_FORMATS,
        help_text=_("jj/mm/aaaa"),
        error_messages={
            "required": _("La date de la demande est obligatoire (jj/mm/aaaa)."),
            "invalid": _("Date de la demande invalide : jj/mm/aaaa attendu (ex. 15/01/2026)."),
        },
    )
    death_date = forms.DateField(
        label=_("date du décès (pension de survivants)"),
        required=False,
        input_formats=DATE_FORMATS,
        help_text=_("jj/mm/aaaa, seulement pour une pension de survivants"),
        error_messages={
            "invalid": _("Date du décès invalide : jj/mm/aaaa attendu (ex. 15/01/2026).")
        },
    )
    category = forms.CharField(
        label=_("catégorie"),
        required=False,
        max_length=10,
        error_messages={"max_length": _("Catégorie trop longue (10 caractères au plus).")},
    )

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds)


class ProvenPeriodForm(forms.Form):
    period = forms.CharField(
        label=_("période (AAAA-MM)"),
        max_length=7,
        error_messages={"required": _("La période est obligatoire (AAAA-MM).")},
    )
    gross_salary = forms.CharField(
        label=_("salaire brut (francs)"),
        max_length=20,
        error_messages={"required": _("Le salaire brut est obligatoire (0 si aucun).")},
    )
    days_worked = forms.IntegerField(
        label=_("jours travaillés"),
        required=False,
        error_messages={"invalid": _("Jours travaillés : entier de 0 à 31.")},
    )
    document_reference = forms.CharField(
        label=_("pièce justificative"),
        max_length=200,
        error_messages={
            "required": _("La pièce justificative est obligatoire."),
            "max_length": _("Référence trop longue (200 caractères au plus)."),
        },
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("motif du rejet"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": _("Le motif du rejet est obligatoire."),
            "max_length": _("Motif trop long (2000 caractères au plus)."),
        },
    )


def add_service_errors(form: forms.Form, errors: dict) -> None:
    """Show a service's ValidationError on the form: on its field when the form has it."""
    for field, messages in errors.items():
        form.add_error(field if field in form.fields else None, messages)
