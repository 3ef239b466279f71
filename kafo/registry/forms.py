from django import forms
from django.utils.translation import gettext_lazy as _

from .domain import birth_dates
from .models import Dependant, Employer, Employment, Person

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "jj/mm/aaaa"})


class ApproximateDateField(forms.CharField):
    """A birth date as known: 12/03/1961, 03/1961 or 1961 (« vers 1961 »)."""

    default_error_messages = {
        "invalid": _("Date invalide : écrivez jj/mm/aaaa, mm/aaaa ou aaaa (« vers 1961 »).")
    }

    def to_python(self, value):
        value = super().to_python(value).strip().lower().removeprefix("vers").strip()
        if not value:
            return None
        try:
            return birth_dates.parse(value)
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


def approximate_initial(date, precision) -> str:
    if date is None:
        return ""
    return birth_dates.display(date, birth_dates.Precision(precision)).removeprefix("vers ")


BIRTH_ALIASES = {"birth_date": "birth", "birth_date_precision": "birth"}


class PersonForm(forms.ModelForm):
    SERVICE_FIELD_ALIASES = BIRTH_ALIASES
    birth = ApproximateDateField(
        label=_("Date de naissance"),
        help_text=_("jj/mm/aaaa, ou mm/aaaa, ou l'année seule si la personne est née « vers »"),
    )
    number = forms.CharField(
        label=_("Numéro existant (reprise)"),
        required=False,
        help_text=_("Laisser vide : Kafo attribue le numéro."),
    )

    class Meta:
        model = Person
        fields = [
            "family_name",
            "given_names",
            "sex",
            "birth_place",
            "mother_name",
            "national_id",
            "phone",
            "address",
        ]

    field_order = ["number", "family_name", "given_names", "sex", "birth"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["number"]
            self.initial["birth"] = approximate_initial(
                self.instance.birth_date, self.instance.birth_date_precision
            )

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("number", None)
        date, precision = data.pop("birth")
        return data | {"birth_date": date, "birth_date_precision": precision.value}


class EmployerForm(forms.ModelForm):
    number = forms.CharField(
        label=_("Numéro existant (reprise)"),
        required=False,
        help_text=_("Laisser vide : Kafo attribue le numéro."),
    )

    class Meta:
        model = Employer
        fields = [
            "legal_name",
            "trade_register_id",
            "tax_id",
            "sector",
            "risk_class",
            "address",
            "city",
            "phone",
            "status",
            "status_since",
        ]
        widgets = {"status_since": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status_since"].required = False
        if self.instance.pk:
            del self.fields["number"]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("number", None)
        return data


class DependantForm(forms.ModelForm):
    SERVICE_FIELD_ALIASES = BIRTH_ALIASES
    birth = ApproximateDateField(label=_("Date de naissance"), required=False)

    class Meta:
        model = Dependant
        fields = [
            "relationship",
            "family_name",
            "given_names",
            "sex",
            "marriage_date",
            "marriage_end_date",
            "filiation",
            "other_parent",
        ]
        widgets = {"marriage_date": DATE_WIDGET, "marriage_end_date": DATE_WIDGET}

    field_order = ["relationship", "family_name", "given_names", "sex", "birth"]

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other_parent"].queryset = Dependant.objects.filter(
            person=person, relationship="spouse"
        )
        if self.instance.pk:
            self.initial["birth"] = approximate_initial(
                self.instance.birth_date, self.instance.birth_date_precision
            )

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        birth = data.pop("birth")
        if birth:
            data |= {"birth_date": birth[0], "birth_date_precision": birth[1].value}
        else:
            data |= {"birth_date": None, "birth_date_precision": "day"}
        return data


class EmploymentForm(forms.ModelForm):
    SERVICE_FIELD_ALIASES = {"employer": "employer_number"}
    employer_number = forms.CharField(label=_("Numéro de l'employeur"))

    class Meta:
        model = Employment
        fields = ["start_date", "end_date", "job_title"]
        widgets = {"start_date": DATE_WIDGET, "end_date": DATE_WIDGET}

    field_order = ["employer_number", "start_date", "end_date", "job_title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["employer_number"] = self.instance.employer.number

    def clean_employer_number(self):
        number = self.cleaned_data["employer_number"].strip()
        employer = Employer.objects.filter(number=number).first()
        if employer is None:
            raise forms.ValidationError(_("Aucun employeur de votre organisme n'a ce numéro."))
        self.cleaned_data["employer"] = employer
        return number

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("employer_number", None)
        return data
