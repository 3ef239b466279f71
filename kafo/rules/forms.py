from django import forms
from django.forms import modelform_factory
from django.utils.translation import gettext_lazy as _

from kafo.organisations.models import Organisation

from .services import COMMON_FIELDS, FIELDS, RULE_MODELS


def rule_form_class(kind: str) -> type[forms.ModelForm]:
    """Return a form for a new version of a rule of `kind` (rate, penalty, declaration)."""
    base = modelform_factory(
        RULE_MODELS[kind],
        fields=(*FIELDS[kind], *COMMON_FIELDS),
        widgets={"effective_from": forms.DateInput(attrs={"type": "date"})},
    )

    class RuleForm(base):
        organisation = forms.ModelChoiceField(
            queryset=Organisation.objects.all(), label=_("organisme"), to_field_name="code"
        )

        field_order = ["organisation"]

    return RuleForm
