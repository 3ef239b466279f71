"""What a payee is shown of their payments: the payments made (lines of frozen payroll runs),
the benefits they receive with the next payment date and their suspensions, and the yearly
payment statement as a PDF (for taxes and banks).

The insured person's space, its API (/api/me/payments) and the staff person's payments page
read the same functions, so every screen shows the same figures. Reads only: scoped by the
caller's organisation (the tenant manager); the insured pages add the person check.

The payment date of a line is the day its run was frozen (its payment files issued): the day
the money left the organisation. The next payment date comes from the payment calendar
(kafo/payroll/payment_calendar.py: frequency, in advance or in arrears): periods are aligned on
the calendar year (quarters, pairs of months); in advance a period is paid on its first day, in
arrears on its last — assumption: the calendar gives no payment day within the month.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import SimpleDocTemplate, Spacer

from kafo.exports import paragraph, pdf_table

from .models import (
    BenefitInPayment,
    Frequency,
    LineStatus,
    PayrollLine,
    RunStatus,
    Status,
    StatusChange,
    Timing,
)

MONTHS = {Frequency.MONTHLY: 1, Frequency.BIMONTHLY: 2, Frequency.QUARTERLY: 3}


def _money(value) -> str:
    """125 000 FCFA (plain spaces: reportlab's fonts lack the narrow no-break space)."""
    return f"{int(Decimal(value)):,}".replace(",", " ") + " FCFA"


def _d(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "—"


def masked_channel(line) -> str:
    """The channel and the last digits of the account (never the whole account number)."""
    label = line.get_channel_display()
    if line.iban or line.rib:
        return f"{label} ···{(line.iban or line.rib)[-4:]}"
    if line.msisdn:
        return f"{label} {line.operator} ···{line.msisdn[-4:]}".replace("  ", " ")
    if line.paying_agency:
        return f"{label} — {line.paying_agency}"
    return str(label)


@dataclass(frozen=True)
class Payment:
    paid_on: dt.date
    period_from: dt.date
    period_to: dt.date
    benefit: str  # the benefit's kind, as shown
    benefit_reference: str
    channel: str
    channel_code: str
    reference: str
    gross: Decimal
    deductions: Decimal
    net: Decimal
    status: str
    status_label: str

    @property
    def counted(self) -> bool:
        """A rejected line paid nothing (its months are paid again by a later run)."""
        return self.status != LineStatus.FAILED


def payments_of(person, *, year: int | None = None) -> list[Payment]:
    """Every line paid to `person` by a frozen run (of one calendar year), newest first."""
    lines = (
        PayrollLine.objects.filter(benefit__person=person, run__status=RunStatus.FROZEN)
        .select_related("run", "benefit")
        .order_by("-run__frozen_at", "-pk")
    )
    if year is not None:
        lines = lines.filter(run__frozen_at__year=year)
    return [
        Payment(
            paid_on=line.run.frozen_at.date(),
            period_from=line.period_from,
            period_to=line.period_to,
            benefit=str(line.benefit.get_kind_display()),
            benefit_reference=line.benefit.reference,
            channel=masked_channel(line),
            channel_code=line.channel,
            reference=line.reference,
            gross=line.gross,
            deductions=line.deductions,
            net=line.net,
            status=line.status,
            status_label=str(line.get_status_display()),
        )
        for line in lines
    ]


@dataclass(frozen=True)
class Totals:
    gross: Decimal
    deductions: Decimal
    net: Decimal
    count: int


def totals_of(payments: list[Payment]) -> Totals:
    counted = [p for p in payments if p.counted]
    return Totals(
        gross=sum((p.gross for p in counted), Decimal(0)),
        deductions=sum((p.deductions for p in counted), Decimal(0)),
        net=sum((p.net for p in counted), Decimal(0)),
        count=len(counted),
    )


def next_payment_date(benefit, today: dt.date) -> dt.date | None:
    """The next day `benefit` is paid on or after `today` (None if suspended, stopped or
    ended before): see the module docstring for the calendar reading."""
    if benefit.status != Status.IN_PAYMENT:
        return None
    step = MONTHS.get(benefit.frequency, 1)
    day = max(today, benefit.start_date)
    index = day.year * 12 + day.month - 1
    first = index - index % step  # the period `day` falls in, aligned on January
    while True:
        if benefit.timing == Timing.ADVANCE:
            pay = dt.date(first // 12, first % 12 + 1, 1)
            covered_from = pay
        else:
            last = first + step - 1
            y, m = last // 12, last % 12 + 1
            pay = dt.date(y, m, calendar.monthrange(y, m)[1])
            covered_from = dt.date(first // 12, first % 12 + 1, 1)
        if benefit.end_date is not None and covered_from > benefit.end_date:
            return None
        if pay >= today:
            return pay
        first += step


@dataclass(frozen=True)
class Suspension:
    since: dt.date
    reason: str
    note: str
    until: dt.date | None  # resumed on (None: still suspended)


@dataclass
class BenefitShown:
    benefit: BenefitInPayment
    monthly_amount: Decimal | None
    next_payment: dt.date | None
    suspensions: list[Suspension] = field(default_factory=list)


def benefits_of(person, *, today: dt.date) -> list[BenefitShown]:
    """The benefits paid to `person` (open ones first), each with its amount in force, its next
    payment date and its suspensions with their reasons and resumption."""
    benefits = list(
        BenefitInPayment.objects.filter(person=person)
        .select_related("dependant")
        .prefetch_related("amount_versions")
        .order_by("status", "kind", "start_date", "pk")
    )
    changes = StatusChange.objects.filter(benefit__in=benefits).order_by(
        "benefit_id", "on", "recorded_at", "pk"
    )
    by_benefit: dict[int, list[StatusChange]] = {}
    for change in changes:
        by_benefit.setdefault(change.benefit_id, []).append(change)
    shown = []
    for benefit in benefits:
        versions = [v for v in benefit.amount_versions.all() if v.effective_from <= today]
        amount = max(versions, key=lambda v: v.effective_from).monthly_amount if versions else None
        suspensions: list[Suspension] = []
        for change in by_benefit.get(benefit.pk, []):
            if change.status == Status.SUSPENDED:
                suspensions.append(
                    Suspension(change.on, str(change.get_reason_display()), change.note, None)
                )
            elif suspensions and suspensions[-1].until is None:
                last = suspensions[-1]
                suspensions[-1] = Suspension(last.since, last.reason, last.note, change.on)
        shown.append(
            BenefitShown(
                benefit=benefit,
                monthly_amount=amount,
                next_payment=next_payment_date(benefit, today),
                suspensions=suspensions,
            )
        )
    return shown


def statement_years(person) -> list[int]:
    """The years in which `person` was paid by a frozen run, newest first."""
    dates = PayrollLine.objects.filter(
        Q(benefit__person=person), run__status=RunStatus.FROZEN
    ).dates("run__frozen_at", "year", order="DESC")
    return [d.year for d in dates]


def statement_pdf(*, person, year: int, today: dt.date) -> bytes:
    """The payment statement of `year` (French): the payee, each payment and the totals."""
    payments = sorted(payments_of(person, year=year), key=lambda p: (p.paid_on, p.reference))
    totals = totals_of(payments)
    org = person.organisation
    s = getSampleStyleSheet()
    small = s["BodyText"].clone("kafo-small", fontSize=8, leading=10)
    title = _("Relevé des paiements de l'année %(year)s") % {"year": year}
    story = [
        paragraph(f"{org.name} ({org.code})", s["Heading3"]),
        paragraph(title, s["Title"]),
        pdf_table(
            [
                [paragraph(a, small), paragraph(b, small)]
                for a, b in [
                    [_("Bénéficiaire"), person.full_name],
                    [_("Numéro"), person.number],
                    [_("Né(e) le"), person.birth_date_display],
                    [_("Établi le"), _d(today)],
                ]
            ],
            [5 * cm, 12 * cm],
            header=False,
        ),
        Spacer(1, 0.4 * cm),
    ]
    header = [
        _("Payé le"),
        _("Période"),
        _("Prestation"),
        _("Mode de paiement"),
        _("Référence"),
        _("Brut"),
        _("Retenues"),
        _("Net"),
    ]
    rows = [[paragraph(h, small, bold=True) for h in header]]
    for p in payments:
        net = _money(p.net) if p.counted else f"{_money(p.net)} ({p.status_label})"
        rows.append(
            [
                paragraph(c, small)
                for c in (
                    _d(p.paid_on),
                    f"{_d(p.period_from)} – {_d(p.period_to)}",
                    p.benefit,
                    p.channel,
                    p.reference,
                    _money(p.gross),
                    _money(p.deductions),
                    net,
                )
            ]
        )
    rows.append(
        [
            paragraph(_("Total de l'année"), small, bold=True),
            "",
            "",
            "",
            paragraph(_("%(n)s paiements") % {"n": totals.count}, small),
            paragraph(_money(totals.gross), small, bold=True),
            paragraph(_money(totals.deductions), small, bold=True),
            paragraph(_money(totals.net), small, bold=True),
        ]
    )
    widths = [1.8, 2.9, 2.2, 2.6, 2.9, 1.9, 1.7, 1.9]
    story.append(pdf_table(rows, [w * cm for w in widths]))
    if not payments:
        story.append(paragraph(_("Aucun paiement cette année."), s["BodyText"]))
    story += [
        Spacer(1, 0.4 * cm),
        paragraph(
            _(
                "Les paiements rejetés par la banque ou l'opérateur ne sont pas comptés : leurs "
                "mois sont payés à nouveau par une paie suivante. Montants en francs CFA."
            ),
            small,
        ),
    ]
    buf = io.BytesIO()
    SimpleDocTemplate(
        buf, pagesize=A4, title=title, leftMargin=1.5 * cm, rightMargin=1.5 * cm
    ).build(story)
    return buf.getvalue()
