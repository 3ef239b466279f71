"""Display names of the codes rules are keyed by: a branch or a component is never shown raw.

Components are free codes of kafo/reference/rules.yaml (not model choices); the known ones are
named here, an unknown one is shown as written by the rules file's author.
"""

from django.utils.translation import gettext_lazy as _

from kafo.organisations.models import Branch

COMPONENT_LABELS = {
    "allowances": _("prestations familiales"),
    "amo": _("assurance maladie obligatoire"),
    "cmu": _("couverture maladie universelle"),
    "executives": _("régime des cadres"),
    "general": _("régime général"),
    "maternity": _("maternité"),
    "pension": _("pension"),
    "risk": _("risques professionnels"),
}


def branch_label(code: str) -> str:
    """Return the display name of a branch code (`old_age` -> "Vieillesse, invalidité, décès")."""
    try:
        return str(Branch(code).label)
    except ValueError:
        return code


def component_label(code: str) -> str:
    """Return the display name of a rate component code (`risk` -> "risques professionnels")."""
    label = COMPONENT_LABELS.get(code)
    return str(label) if label is not None else code
