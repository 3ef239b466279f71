"""PDF documents of the employer account (reportlab): the account statement and the
certificate of good standing with its verification code."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from kafo.exports import paragraph, pdf_table, pdf_text

from .domain.compute import format_amount
from .domain.ledger import BUCKETS


def _d(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _money(value) -> str:
    # reportlab's standard fonts lack the narrow no-break space: keep plain spaces.
    return format_amount(Decimal(value))


def statement_pdf(*, employer, state) -> bytes:
    """The account statement: every entry with its running balance, then the position."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=_("Relevé de compte employeur"))
    s = getSampleStyleSheet()
    org = employer.organisation
    story = [
        paragraph(f"{org.name} ({org.code})", s["Heading3"]),
        paragraph(_("Relevé de compte employeur"), s["Title"]),
        paragraph(
            f"{employer.legal_name} · {_('n°')} {employer.number} · "
            f"{_('situation au')} {_d(state.as_of)}",
            s["Normal"],
        ),
        Spacer(1, 0.4 * cm),
    ]
    rows = [[_("Date"), _("Libellé"), _("Débit"), _("Crédit"), _("Solde")]]
    for e in state.entries:
        rows.append(
            [
                _d(e.due_date),
                paragraph(e.label, s["BodyText"]),
                _money(e.amount) if e.amount > 0 else "",
                _money(-e.amount) if e.amount < 0 else "",
                _money(e.running_balance),
            ]
        )
    story.append(pdf_table(rows, [2.2 * cm, 8 * cm, 2.6 * cm, 2.6 * cm, 2.8 * cm]))
    story.append(Spacer(1, 0.5 * cm))
    labels = {name: label for name, label in _bucket_labels()}
    position = [
        [_("Solde"), _money(state.balance)],
        [_("Arriérés"), _money(state.arrears_total)],
        *[[labels[name], _money(state.arrears[name])] for name, _l, _h in BUCKETS],
        [_("Majorations impayées"), _money(state.unpaid_penalties)],
    ]
    story.append(pdf_table(position, [6 * cm, 4 * cm], header=False))
    doc.build(story)
    return buf.getvalue()


def _bucket_labels():
    return [
        ("0-30", _("Arriérés de 0 à 30 jours")),
        ("31-90", _("Arriérés de 31 à 90 jours")),
        ("91-180", _("Arriérés de 91 à 180 jours")),
        ("180+", _("Arriérés de plus de 180 jours")),
    ]


def bucket_labels() -> list[tuple[str, str]]:
    return _bucket_labels()


def display_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def certificate_pdf(*, certificate, verify_url: str) -> bytes:
    """The certificate of good standing, with the code and the address that verify it."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=_("Attestation de régularité"))
    s = getSampleStyleSheet()
    employer = certificate.employer
    org = certificate.organisation
    story = [
        paragraph(f"{org.name} ({org.code})", s["Heading3"]),
        Spacer(1, 0.6 * cm),
        paragraph(_("Attestation de régularité"), s["Title"]),
        Spacer(1, 0.6 * cm),
        Paragraph(  # the sentence is ours, escaped too; the values in it are escaped
            pdf_text(
                _(
                    "L'organisme atteste que l'employeur %(name)s, immatriculé sous le numéro "
                    "%(number)s, est à jour de ses cotisations sociales et des majorations de "
                    "retard à la date du %(date)s."
                )
            )
            % {
                "name": f"<b>{pdf_text(employer.legal_name)}</b>",
                "number": f"<b>{pdf_text(employer.number)}</b>",
                "date": pdf_text(_d(certificate.issued_on)),
            },
            s["BodyText"],
        ),
        Spacer(1, 0.4 * cm),
        pdf_table(
            [
                [_("Délivrée le"), _d(certificate.issued_on)],
                [_("Valable jusqu'au"), _d(certificate.valid_until)],
                [_("Code de vérification"), display_code(certificate.code)],
            ],
            [5 * cm, 8 * cm],
            header=False,
        ),
        Spacer(1, 0.6 * cm),
        paragraph(
            _("Vérifiez l'authenticité de cette attestation sur %(url)s") % {"url": verify_url},
            s["BodyText"],
        ),
    ]
    doc.build(story)
    return buf.getvalue()
