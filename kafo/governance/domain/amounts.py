"""Display of amounts as the zone writes them: "125 000 FCFA"."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

WHOLE_UNIT_CURRENCIES = {"XOF", "XAF", "GNF", "KMF"}


def format_amount(amount: Decimal | None, currency: str) -> str:
    """Return the amount with thousands separated by a space and the currency's unit.

    CFA francs (and the other currencies without minor unit) show whole units, rounded half up.
    """
    if amount is None:
        return ""
    unit = "FCFA" if currency in ("XOF", "XAF") else currency
    exponent = 0 if currency in WHOLE_UNIT_CURRENCIES else 2
    q = Decimal(amount).quantize(Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_UP)
    sign = "-" if q < 0 else ""
    whole = f"{abs(int(q)):,}".replace(",", " ")
    if exponent:
        frac = f"{abs(q) % 1:.2f}"[1:].replace(".", ",")
        return f"{sign}{whole}{frac} {unit}"
    return f"{sign}{whole} {unit}"
