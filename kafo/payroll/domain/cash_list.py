"""Cash payment lists: one list per paying agency, with a column for the payee's signature
(or thumbprint), as PDF (reportlab) and Excel (openpyxl), through `kafo.exports`.

The agency's cashier pays each line against an identity document and has it signed; the list
ends with its count and total in words of figures, and the cashier's and controller's
signatures. Texts are French by default; the caller passes `translate` (Django's `gettext`)
so that the labels follow the user's language (they are marked with `gettext_noop` for
makemessages). Pure: no Django.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer

from kafo.contributions.domain.compute import format_amount
from kafo.exports import paragraph, pdf_table, xlsx_append


def gettext_noop(text: str) -> str:
    return text


TITLE = gettext_noop("Liste de paiement en espèces")
COLUMNS = (
    gettext_noop("N°"),
    gettext_noop("Référence"),
    gettext_noop("Bénéficiaire"),
    gettext_noop("Pièce d'identité"),
    gettext_noop("Montant"),
    gettext_noop("Signature ou empreinte"),
)
AGENCY = gettext_noop("Agence de paiement")
PERIOD = gettext_noop("Période")
PAYMENT_DATE = gettext_noop("Date de paiement")
TOTAL = gettext_noop("Total")
CLOSING = gettext_noop("Liste arrêtée à %(count)s paiement(s) pour un total de %(total)s.")
CASHIER = gettext_noop("Le caissier (nom, date, signature)")
CONTROLLER = gettext_noop("Le contrôleur (nom, date, signature)")
NO_AGENCY = gettext_noop("Agence non précisée")


class CashListError(ValueError):
    """A payment that cannot go on a cash list (French message naming it)."""


@dataclass(frozen=True)
class CashPayment:
    reference: str
    payee_name: str
    amount: Decimal | int
    agency: str = ""
    identity: str = ""  # the identity document or pension number the cashier checks


def _as_payment(line) -> CashPayment:
    if isinstance(line, CashPayment):
        return line
    if isinstance(line, Mapping):
        return CashPayment(**{k: v for k, v in line.items() if v is not None})
    raise TypeError(f"a CashPayment or a mapping is expected, not {type(line).__name__}")


def by_agency(payments: Iterable[CashPayment | Mapping]) -> dict[str, list[CashPayment]]:
    """Group the payments by paying agency (agencies and payees in alphabetical order);
    refuse a non-whole or non-positive amount, naming the line."""
    groups: dict[str, list[CashPayment]] = {}
    for position, raw in enumerate(payments, start=1):
        payment = _as_payment(raw)
        amount = Decimal(str(payment.amount))
        if amount != amount.to_integral_value() or amount <= 0:
            raise CashListError(
                f"ligne {position} ({payment.reference}) : montant {amount} : "
                "francs CFA entiers et positifs attendus"
            )
        groups.setdefault(payment.agency or "", []).append(payment)
    return {
        agency: sorted(groups[agency], key=lambda p: (p.payee_name.casefold(), p.reference))
        for agency in sorted(groups, key=str.casefold)
    }


def _totals(payments: list[CashPayment]) -> tuple[int, Decimal]:
    return len(payments), sum((Decimal(str(p.amount)) for p in payments), Decimal(0))


def cash_list_pdf(
    payments: Iterable[CashPayment | Mapping],
    *,
    organisation: str,
    period: str,
    payment_date: date,
    currency: str = "XOF",
    translate: Callable[[str], str] = gettext_noop,
) -> bytes:
    """Return the PDF: one section per agency (a new page each), a signature column."""
    _ = translate
    groups = by_agency(payments)
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("kafo-cash-small", fontSize=8, leading=10)
    story: list = []
    for index, (agency, lines) in enumerate(groups.items()):
        if index:
            story.append(PageBreak())
        count, total = _totals(lines)
        story += [
            paragraph(organisation, styles["Heading3"]),
            paragraph(_(TITLE), styles["Title"]),
            paragraph(f"{_(AGENCY)} : {agency or _(NO_AGENCY)}", styles["Heading2"]),
            paragraph(
                f"{_(PERIOD)} : {period} — {_(PAYMENT_DATE)} : {payment_date:%d/%m/%Y}",
                styles["BodyText"],
            ),
            Spacer(1, 0.3 * cm),
        ]
        rows = [[paragraph(_(c), small, bold=True) for c in COLUMNS]]
        for number, p in enumerate(lines, start=1):
            rows.append(
                [
                    str(number),
                    paragraph(p.reference, small),
                    paragraph(p.payee_name, small),
                    paragraph(p.identity, small),
                    paragraph(format_amount(Decimal(str(p.amount)), currency), small),
                    "",
                ]
            )
        rows.append(["", "", paragraph(_(TOTAL), small, bold=True), "",
                     paragraph(format_amount(total, currency), small, bold=True), ""])  # fmt: skip
        table = pdf_table(rows, [1.0 * cm, 4.2 * cm, 6.5 * cm, 4.2 * cm, 3.3 * cm, 6.5 * cm])
        # Room to sign: taller rows.
        table.setStyle(
            [("TOPPADDING", (0, 1), (-1, -2), 9), ("BOTTOMPADDING", (0, 1), (-1, -2), 9)]
        )
        story += [
            table,
            Spacer(1, 0.4 * cm),
            paragraph(
                _(CLOSING) % {"count": count, "total": format_amount(total, currency)},
                styles["BodyText"],
            ),
            Spacer(1, 0.8 * cm),
            pdf_table([[_(CASHIER), _(CONTROLLER)], ["\n\n\n", "\n\n\n"]], [12 * cm, 12 * cm]),
        ]
    if not story:
        raise CashListError("aucun paiement en espèces")
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=landscape(A4), title=_(TITLE), leftMargin=1.5 * cm, rightMargin=1.5 * cm
    ).build(story)
    return buffer.getvalue()


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def cash_list_xlsx(
    payments: Iterable[CashPayment | Mapping],
    *,
    organisation: str,
    period: str,
    payment_date: date,
    currency: str = "XOF",
    translate: Callable[[str], str] = gettext_noop,
) -> bytes:
    """Return the Excel workbook: one sheet per agency, amounts as whole numbers."""
    _ = translate
    groups = by_agency(payments)
    if not groups:
        raise CashListError("aucun paiement en espèces")
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for agency, lines in groups.items():
        name = _SHEET_FORBIDDEN.sub(" ", agency or _(NO_AGENCY)).strip()[:28] or "-"
        base, n = name, 2
        while name.casefold() in used:
            name, n = f"{base[:26]} {n}", n + 1
        used.add(name.casefold())
        sheet = workbook.create_sheet(name)
        count, total = _totals(lines)
        xlsx_append(sheet, [organisation])
        xlsx_append(sheet, [_(TITLE)])
        xlsx_append(sheet, [_(AGENCY), agency or _(NO_AGENCY)])
        xlsx_append(sheet, [_(PERIOD), period, _(PAYMENT_DATE), f"{payment_date:%d/%m/%Y}"])
        xlsx_append(sheet, [])
        xlsx_append(sheet, [_(c) for c in COLUMNS[:4]] + [f"{_(COLUMNS[4])} ({currency})",
                                                          _(COLUMNS[5])])  # fmt: skip
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for number, p in enumerate(lines, start=1):
            xlsx_append(
                sheet,
                [number, p.reference, p.payee_name, p.identity, int(Decimal(str(p.amount))), ""],
            )
        xlsx_append(sheet, ["", "", _(TOTAL), "", int(total), ""])
        xlsx_append(sheet, [])
        xlsx_append(sheet, [_(CLOSING) % {"count": count, "total": format_amount(total, currency)}])
        for column, width in zip("ABCDEF", (6, 22, 34, 20, 16, 30), strict=True):
            sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
