"""The summary of decisions (the analogue of the EU's P7000, benefits.md §12): one PDF for the
claimant listing, for each organisation of a coordinated claim, what it decided — its benefit,
its amount a month and the date it starts —, the months it counted and its share of the
totalised career.

The PDF is drawn from plain values (`CoordinationSummary`), so it is tested without a database;
`claim_summary` (kafo/exchange/summary_data.py) gathers them from a claim and its messages.
Every text goes through kafo.exports: a name is printed as typed, never read as markup.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from kafo.benefits.trace_view import money
from kafo.exports import paragraph, pdf_table, pdf_text


class DecisionState:
    DECIDED = "decided"  # an amount a month (or nothing due) was decided
    REJECTED = "rejected"  # the organisation refused the claim
    AWAITED = "awaited"  # not decided yet


@dataclass(frozen=True)
class DecisionLine:
    """One organisation's decision on the coordinated claim."""

    organisation_code: str
    organisation_name: str
    state: str = DecisionState.AWAITED
    benefit: str = ""  # e.g. "pension de vieillesse"
    monthly_amount: Decimal | None = None
    start_date: dt.date | None = None
    own_months: int = 0
    decided_on: dt.date | None = None
    reference: str = ""  # the organisation's own reference of its decision
    note: str = ""  # e.g. "moins de 12 mois : comptés pour les autres organismes"


@dataclass(frozen=True)
class CoordinationSummary:
    """What the claimant receives: who they are, the claim, the totalised months and every
    organisation's decision (the organisation where the claim was opened first)."""

    person_name: str
    person_number: str
    birth_date_display: str
    origin_code: str
    origin_name: str
    claim_reference: str
    claim_date: dt.date
    total_months: int
    issued_on: dt.date
    lines: list[DecisionLine] = field(default_factory=list)

    @property
    def monthly_total(self) -> Decimal:
        """The sum of the amounts decided a month (each paid from its own start date)."""
        return sum(
            (
                line.monthly_amount
                for line in self.lines
                if line.state == DecisionState.DECIDED and line.monthly_amount is not None
            ),
            Decimal(0),
        )

    @property
    def complete(self) -> bool:
        return all(line.state != DecisionState.AWAITED for line in self.lines)


def share_text(own_months: int, total_months: int) -> str:
    """'96/216 (44,44 %)': the organisation's months over the totalised months."""
    if not total_months:
        return "—"
    percent = (Decimal(own_months) * 100 / Decimal(total_months)).quantize(Decimal("0.01"))
    return f"{own_months}/{total_months} ({str(percent).replace('.', ',')} %)"


def _d(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "—"


def _amount(line: DecisionLine) -> str:
    if line.state == DecisionState.AWAITED:
        return _("décision attendue")
    if line.state == DecisionState.REJECTED:
        return _("rejet")
    if line.monthly_amount is None:
        return _("aucun montant dû")
    return f"{money(line.monthly_amount)} {_('par mois')}"


def summary_pdf(summary: CoordinationSummary) -> bytes:
    """The summary of decisions as a PDF (A4): the claimant, the claim, one row per
    organisation (amount a month, start date, months, share), the total and what it means."""
    s = getSampleStyleSheet()
    small = s["BodyText"].clone("kafo-small", fontSize=8, leading=10)
    title = _("Récapitulatif des décisions")
    story = [
        paragraph(f"{summary.origin_name} ({summary.origin_code})", s["Heading3"]),
        paragraph(title, s["Title"]),
        pdf_table(
            [
                [paragraph(a, small), paragraph(b, small)]
                for a, b in [
                    [_("Assuré"), summary.person_name],
                    [_("Numéro"), summary.person_number],
                    [_("Né(e) le"), summary.birth_date_display],
                    [_("Demande"), f"{summary.claim_reference} {_('du')} {_d(summary.claim_date)}"],
                    [_("Mois d'assurance totalisés"), str(summary.total_months)],
                    [_("Établi le"), _d(summary.issued_on)],
                ]
            ],
            [5 * cm, 12 * cm],
            header=False,
        ),
        Spacer(1, 0.4 * cm),
        paragraph(_("Décision de chaque organisme"), s["Heading2"]),
    ]
    rows = [
        [
            paragraph(h, small, bold=True)
            for h in (
                _("Organisme"),
                _("Prestation"),
                _("Montant"),
                _("À compter du"),
                _("Mois"),
                _("Part"),
            )
        ]
    ]
    for line in summary.lines:
        organisation = f"{line.organisation_name} ({line.organisation_code})"
        if line.reference or line.decided_on:
            organisation += f" — {line.reference} {_d(line.decided_on) if line.decided_on else ''}"
        benefit = line.benefit + (f" — {line.note}" if line.note else "")
        rows.append(
            [
                paragraph(organisation.strip(), small),
                paragraph(benefit or "—", small),
                paragraph(_amount(line), small),
                paragraph(_d(line.start_date), small),
                paragraph(str(line.own_months), small),
                paragraph(share_text(line.own_months, summary.total_months), small),
            ]
        )
    story.append(pdf_table(rows, [4.6 * cm, 3.4 * cm, 3 * cm, 2.2 * cm, 1.3 * cm, 2.9 * cm]))
    story.append(Spacer(1, 0.3 * cm))
    story.append(
        Paragraph(
            f"{pdf_text(_('Total des montants décidés'))} : "
            f"<b>{pdf_text(money(summary.monthly_total))} {pdf_text(_('par mois'))}</b>",
            s["BodyText"],
        )
    )
    if not summary.complete:
        story.append(
            paragraph(
                _(
                    "Certaines décisions sont encore attendues : un nouveau récapitulatif vous "
                    "sera remis dès qu'elles seront connues."
                ),
                small,
            )
        )
    story += [
        Spacer(1, 0.3 * cm),
        paragraph(_("Comment lire ce récapitulatif"), s["Heading2"]),
        paragraph(
            _(
                "Vos périodes d'assurance dans les organismes de la zone CIPRES sont additionnées "
                "pour ouvrir le droit. Chaque organisme calcule la pension comme si toute la "
                "carrière s'était déroulée chez lui, puis en paie la part de ses propres mois "
                "(sa part). Chaque organisme paie à l'âge de départ de sa propre législation : "
                "les dates d'effet peuvent donc différer. Chaque décision peut être contestée "
                "auprès de l'organisme qui l'a prise, dans les conditions indiquées par sa "
                "notification."
            ),
            small,
        ),
    ]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, title=title, leftMargin=1.8 * cm, rightMargin=1.8 * cm
    )
    doc.build(story)
    return buf.getvalue()
