"""`{{ line|agreement }}`: a field agreement, as the linkage engine and the hint scorer write it
("date: same year, one date approximate"), in the user's language.

The engine and the scorer are pure modules without Django, and what they write is stored on
review items and links: so they write stable English codes, and this filter translates them
when a page shows them. An unknown line is shown as it is.
"""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

FIELDS = {
    "fam": _("nom"),
    "giv": _("prénoms"),
    "names": _("noms"),
    "date": _("naissance"),
    "birth date": _("naissance"),
    "place": _("lieu de naissance"),
    "birth place": _("lieu de naissance"),
    "mother": _("nom de la mère"),
    "mother's name": _("nom de la mère"),
    "nid": _("identifiant national"),
    "national id": _("identifiant national"),
    "sex": _("sexe"),
    "guard": _("garde-fou"),
    "src": _("organisme"),
    "phone": _("téléphone"),
    "emp": _("employeurs"),
    "spouse": _("nom du conjoint"),
    "father": _("nom du père"),
}

VALUES = {
    "missing": _("absent d'un côté"),
    "same family name": _("identique"),
    "same family name key": _("même clé phonétique"),
    "close": _("proche"),
    "different": _("différent"),
    "same given names": _("identiques"),
    "same given names, two or more": _("identiques, deux prénoms ou plus"),
    "a given name in common": _("un prénom en commun"),
    "first given name close": _("premier prénom proche"),
    "same date": _("même date"),
    "day and month swapped": _("jour et mois inversés"),
    "same year, one date approximate": _("même année, une date approximative"),
    "year off by one (two if approximate)": _("un an d'écart (deux si approximative)"),
    "same year, other day": _("même année, autre jour"),
    "same day and month, year off by one": _("même jour et mois, un an d'écart"),
    "year off by one or two, one date approximate": _(
        "un ou deux ans d'écart, une date approximative"
    ),
    "same year, both dates approximate": _("même année, deux dates approximatives"),
    "years off by one or two, both dates approximate": _(
        "un ou deux ans d'écart, deux dates approximatives"
    ),
    "same organisation": _("même organisme"),
    "same phone number": _("même numéro"),
    "same employers": _("mêmes employeurs"),
    "an employer in common": _("un employeur en commun"),
    "no employer in common": _("aucun employeur en commun"),
    "same spouse's name": _("même nom"),
    "same father's name": _("même nom"),
    "other organisations": _("organismes différents"),
    "same place": _("même lieu"),
    "same mother's name": _("même nom"),
    "same national id": _("identique"),
    "one typing error apart": _("une faute de frappe d'écart"),
    "same national id, ill-formed or unchecked": _("identique, mais mal formé ou non vérifiable"),
    "different, one of them ill-formed": _("différent, l'un des deux mal formé"),
    "same sex": _("même sexe"),
    "agree": _("concordent"),
    "partly agree": _("concordent en partie"),
    "differ": _("diffèrent"),
    "same day": _("même jour"),
    "same year": _("même année"),
    "one year apart": _("un an d'écart"),
    "same": _("identique"),
    "family and given names entered the other way round": _(
        "nom et prénoms saisis dans l'autre sens"
    ),
    "never linked (different national ids, or twins)": _(
        "jamais liés (identifiants nationaux différents, ou jumeaux)"
    ),
}
SWAPPED = " (family and given names swapped)"


@register.filter
def agreement(line: str) -> str:
    field, sep, value = str(line).partition(": ")
    if not sep or field not in FIELDS:
        return line
    swapped = value.endswith(SWAPPED)
    value = value.removesuffix(SWAPPED)
    text = f"{FIELDS[field]} : {VALUES.get(value, value)}"
    if swapped:
        text += " (" + str(_("nom et prénoms inversés")) + ")"
    return text
