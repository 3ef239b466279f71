"""Forms of the governance pages: they parse and show field errors; services validate and write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kafo.accounts.models import User
from kafo.benefits.models import ClaimKind
from kafo.organisations.models import Organisation

from .models import BodyKind, DecisionKind, DelegationKind, PlanKind
from .services import MANUAL_STATUSES

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class DateInput(forms.DateInput):
    """A date typed and shown dd/mm/yyyy, whatever the browser's locale: a browser date picker
    showed mm/dd/yyyy under an English system (issue 18)."""

    input_type = "text"

    def __init__(self, **kwargs):
        attrs = {"placeholder": _("jj/mm/aaaa"), "inputmode": "numeric", "maxlength": "10"}
        super().__init__(format="%d/%m/%Y", attrs=attrs, **kwargs)


def date_field(label, required=True):
    return forms.DateField(
        label=label, required=required, input_formats=DATE_FORMATS, widget=DateInput()
    )


def users_of(organisation_id):
    return User.objects.filter(organisation_id=organisation_id, is_active=True).order_by(
        "last_name", "username"
    )


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (unknown fields: on the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class OrganisationChoiceMixin:
    """Zone administrators choose the organisation; agents create in their own."""

    def add_organisation_field(self, user):
        if user.organisation_id is None:
            self.fields["organisation"] = forms.ModelChoiceField(
                label=_("Organisme"), queryset=Organisation.objects.all()
            )


class BodyForm(OrganisationChoiceMixin, forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=BodyKind.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_organisation_field(user)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=200)
    role = forms.CharField(label=_("Qualité"), max_length=100)
    unit = forms.CharField(label=_("Structure représentée"), max_length=200, required=False)
    user = forms.ModelChoiceField(
        label=_("Compte utilisateur"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, organisation_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users_of(organisation_id)


class SessionForm(forms.Form):
    date = date_field(_("Date"))
    place = forms.CharField(label=_("Lieu"), max_length=200, required=False)
    agenda = forms.CharField(label=_("Ordre du jour"), widget=forms.Textarea, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("Présents"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_attendees = forms.CharField(
        label=_("Autres participants"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    minutes = forms.FileField(label=_("Procès-verbal"), required=False)

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = body.members.all()


class DecisionForm(forms.Form):
    title = forms.CharField(label=_("Intitulé"), max_length=300)
    kind = forms.ChoiceField(label=_("Nature"), choices=DecisionKind.choices)
    text = forms.CharField(
        label=_("Texte"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    owner_name = forms.CharField(label=_("Responsable"), max_length=200)
    owner_unit = forms.CharField(label=_("Structure"), max_length=200, required=False)
    owner_email = forms.EmailField(label=_("Courriel du responsable"), required=False)
    owner_user = forms.ModelChoiceField(
        label=_("Compte du responsable"), queryset=User.objects.none(), required=False
    )
    deadline = date_field(_("Échéance"), required=False)

    def __init__(self, *args, organisation_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = users_of(organisation_id)


class DecisionStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Nouveau statut"), choices=[(s.value, s.label) for s in MANUAL_STATUSES]
    )
    note = forms.CharField(
        label=_("Commentaire"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    evidence = forms.FileField(label=_("Justificatif"), required=False)
    follow_up_note = forms.CharField(
        label=_("Note de suivi (présentée à la prochaine session)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class PlanForm(OrganisationChoiceMixin, forms.Form):
    title = forms.CharField(label=_("Intitulé"), max_length=300)
    kind = forms.ChoiceField(label=_("Type"), choices=PlanKind.choices)
    start_date = date_field(_("Début"))
    end_date = date_field(_("Fin"))
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_organisation_field(user)


class PriorityForm(forms.Form):
    title = forms.CharField(label=_("Intitulé"), max_length=300)
    owner_name = forms.CharField(label=_("Responsable"), max_length=200, required=False)
    owner_unit = forms.CharField(label=_("Structure"), max_length=200, required=False)


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Intitulé"), max_length=300)
    owner_name = forms.CharField(label=_("Responsable"), max_length=200)
    owner_unit = forms.CharField(label=_("Structure"), max_length=200, required=False)
    owner_email = forms.EmailField(label=_("Courriel du responsable"), required=False)
    owner_user = forms.ModelChoiceField(
        label=_("Compte du responsable"), queryset=User.objects.none(), required=False
    )
    start_date = date_field(_("Début"), required=False)
    end_date = date_field(_("Échéance"))
    budget = forms.DecimalField(label=_("Budget"), required=False, min_value=0, decimal_places=2)

    def __init__(self, *args, organisation_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = users_of(organisation_id)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Statut"), choices=[(s.value, s.label) for s in MANUAL_STATUSES]
    )
    percent_done = forms.IntegerField(
        label=_("Avancement (%)"), min_value=0, max_value=100, required=False
    )
    note = forms.CharField(
        label=_("Note de suivi"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Indicateur"), max_length=300)
    unit = forms.CharField(label=_("Unité"), max_length=40, required=False)
    baseline = forms.DecimalField(label=_("Valeur de référence"), decimal_places=2)
    target = forms.DecimalField(label=_("Cible"), decimal_places=2)
    priority = forms.ModelChoiceField(label=_("Axe"), queryset=None, required=False)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = plan.priorities.all()


class MeasureForm(forms.Form):
    date = date_field(_("Date"))
    value = forms.DecimalField(label=_("Valeur mesurée"), decimal_places=2)
    note = forms.CharField(label=_("Source / note"), max_length=300, required=False)


class DelegationForm(forms.Form):
    delegate = forms.ModelChoiceField(label=_("Délégataire"), queryset=User.objects.none())
    kind = forms.ChoiceField(label=_("Actes délégués"), choices=DelegationKind.choices)
    amount_ceiling = forms.DecimalField(label=_("Plafond"), min_value=0, decimal_places=2)
    start_date = date_field(_("À compter du"))
    end_date = date_field(_("Jusqu'au"), required=False)
    benefit_kinds = forms.MultipleChoiceField(
        label=_("Prestations couvertes (approbation des prestations ; aucune : toutes)"),
        choices=ClaimKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organisation_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = users_of(organisation_id)
