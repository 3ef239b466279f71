"""How an indicator's figure reads on a page or in a file: "42,5 %", "37 j", "1 250",
"125 000 FCFA", "3,2 mois"; "pas encore de données" when there is no value."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

NBSP = "\u202f"


def _grouped(value: Decimal, places: int = 0) -> str:
    q = Decimal(1).scaleb(-places)
    text = f"{value.quantize(q, rounding=ROUND_HALF_UP):,.{places}f}"
    return text.replace(",", NBSP).replace(".", ",")


def cell_text(unit: str, cell) -> str:
    """Return the value of `cell` as shown for an indicator of `unit`."""
    if cell is None or not cell.has_data:
        return _("pas encore de données")
    value = Decimal(cell.value)
    if unit == "ratio":
        return f"{_grouped(value * 100, 1)} %"
    if unit == "days":
        return _("%(n)s j") % {"n": _grouped(value, 0)}
    if unit == "months":
        return _("%(n)s mois") % {"n": _grouped(value, 1)}
    if unit == "amount":
        return f"{_grouped(value)} FCFA"
    return _grouped(value)


def period_label(period: str | None) -> str:
    """ "2026-10" -> "10/2026"."""
    if not period:
        return ""
    return f"{period[5:7]}/{period[:4]}"
