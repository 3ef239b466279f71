"""The figures of the per-role dashboards: each section's numbers, charts and links.

Indicator figures come from the snapshots written by `kafo stats compute` (selectors): a page
never scans the declarations or the ledger (the arrears by age and the employers owing the most
are snapshots too). The few live figures (claims by status, suspensions, the next run) are
counts on small, indexed tables.

Every figure links to the list it counts only when the user may open that list (links.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kafo.accounts.models import RoleCode
from kafo.stats import charts, selectors
from kafo.stats.format import cell_text, period_label
from kafo.stats.links import link_for

# Which indicators each role follows on its dashboard (in this order), with a 12-month chart.
ROLE_INDICATORS: dict[str, tuple[str, ...]] = {
    RoleCode.DIRECTOR: (
        "coverage_active",
        "collection_rate",
        "arrears_ratio",
        "declaration_compliance",
        "liquidation_days_median",
        "pensions_in_payment",
        "allowances_in_payment",
        "demographic_ratio",
        "payment_failure_rate",
        "life_certificate_compliance",
        "registry_national_id",
        "liaison_overdue",
    ),
    RoleCode.CONTRIBUTIONS_MANAGER: (
        "declaration_compliance",
        "collection_rate",
        "arrears_ratio",
        "arrears_months",
    ),
    RoleCode.BENEFITS_OFFICER: ("liquidation_days_median", "liquidation_within_90"),
    RoleCode.APPROVER: ("liquidation_days_median", "liquidation_within_90"),
    RoleCode.PAYMENT_OFFICER: (
        "pensions_in_payment",
        "allowances_in_payment",
        "payment_failure_rate",
        "life_certificate_compliance",
    ),
    RoleCode.REGISTRATION_AGENT: (
        "pending_registrations",
        "review_queue",
        "registry_national_id",
        "registry_phone",
    ),
}
ZONE_CODES = (
    "coverage_active",
    "collection_rate",
    "arrears_ratio",
    "declaration_compliance",
    "liquidation_days_median",
    "pensions_in_payment",
    "payment_failure_rate",
    "registry_national_id",
)
AGE_BUCKETS = (
    (30, gettext_lazy("0–30 j")),
    (90, gettext_lazy("31–90 j")),
    (180, gettext_lazy("91–180 j")),
    (None, gettext_lazy("> 180 j")),
)


@dataclass
class Figure:
    """One number on a dashboard: its label, text, and the list behind it (None: no link)."""

    label: str
    text: str
    url: str | None = None
    hint: str = ""
    id: str = ""

    @property
    def none(self) -> bool:
        """No figure to show: "pas encore de données" (never a link, never a big number)."""
        return self.text == _("pas encore de données")


@dataclass
class Trend:
    code: str
    name: str
    current: Figure
    chart: str


def trends(user, organisation, codes, period):
    """The current figure and the 12-month chart of each of `codes` (two queries in all)."""
    from kafo.stats.models import Indicator

    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    periods = selectors.last_periods(12, until=period) if period else []
    table = {
        row.indicator.code: row.cells
        for row in selectors.indicator_table(organisation, periods)
        if row.indicator.code in indicators
    }
    out = []
    for code in codes:
        ind = indicators.get(code)
        if ind is None:
            continue
        series = table.get(code) or [selectors.Cell(period=period or "")]
        last = series[-1]
        points = [(period_label(c.period), _chart_value(ind.unit, c)) for c in series]
        url = selectors.drilldown_url(code, organisation, last.period) if period else None
        out.append(
            Trend(
                code=code,
                name=ind.name(),
                current=Figure(
                    label="",  # the card's title names it
                    text=cell_text(ind.unit, last),
                    url=link_for(user, url),
                    hint=_ratio_hint(ind, last),
                    id=f"fig-{code}",
                ),
                chart=charts.line_chart(
                    points,
                    title=_("%(name)s, 12 derniers mois") % {"name": ind.name()},
                ),
            )
        )
    return out


def _chart_value(unit, cell):
    if not cell.has_data:
        return None
    return cell.value * 100 if unit == "ratio" else cell.value


def _ratio_hint(indicator, cell) -> str:
    if not cell.has_data or cell.denominator is None or indicator.unit != "ratio":
        return ""
    return f"{_int(cell.numerator)} / {_int(cell.denominator)}"


def _int(value) -> str:
    if value is None:
        return "—"
    return f"{int(Decimal(value)):,}".replace(",", "\u202f")


def fcfa(value) -> str:
    return f"{_int(value)}\u00a0FCFA"  # never "FCFA" alone on the next line


def claims(user, today):
    """Claims by status and, for those not decided, by age since they were opened."""
    from kafo.benefits.models import Claim, ClaimStatus

    by_status = dict(Claim.objects.values_list("status").annotate(n=Count("pk")).order_by())
    base = reverse("benefits-claim-list")
    figures = [
        Figure(
            label=str(label),
            text=_int(by_status.get(value, 0)),
            url=link_for(user, f"{base}?status={value}"),
            id=f"claims-{value}",
        )
        for value, label in ClaimStatus.choices
    ]
    now = timezone.now()
    open_claims = Claim.objects.filter(
        status__in=[ClaimStatus.OPENED, ClaimStatus.COMPUTED, ClaimStatus.SUBMITTED]
    ).values_list("opened_at", flat=True)
    ages = [0] * len(AGE_BUCKETS)
    for opened in open_claims.iterator():
        ages[_bucket((now - opened).days)] += 1
    chart = charts.bar_chart(
        [(label, n, _int(n)) for (_d, label), n in zip(AGE_BUCKETS, ages, strict=True)],
        title=_("Demandes en cours par ancienneté"),
    )
    return figures, chart


def _bucket(days: int) -> int:
    for i, (limit, _label) in enumerate(AGE_BUCKETS):
        if limit is None or days <= limit:
            return i
    return len(AGE_BUCKETS) - 1


def arrears(user, organisation, period):
    """The arrears of the organisation on the last day of `period` by age, and the employers
    owing the most then: (rows, chart, total), read from the snapshot of `kafo stats compute`
    (breakdown "age" of arrears_ratio, TopArrears), never from the ledger. No snapshot: no
    rows, a chart and a total saying "pas encore de données".

    Age: the debits still unpaid once the payments are allocated oldest first, i.e. the most
    recent debits that add up to the employer's balance, by days since their due date.
    """
    from kafo.stats.models import ARREARS_AGES, TopArrears

    labels = [label for _limit, label in AGE_BUCKETS]
    by_age = (
        dict(selectors.indicator_breakdown("arrears_ratio", organisation, period, "age"))
        if period
        else {}
    )
    items = []
    if by_age:
        for (band, _limit), label in zip(ARREARS_AGES, labels, strict=True):
            cell = by_age.get(band)
            owed = cell.numerator if cell and cell.numerator is not None else Decimal(0)
            items.append((label, owed, fcfa(owed)))
    chart = charts.bar_chart(items, title=_("Arriérés par ancienneté"))
    total = sum((owed for _label, owed, _text in items), Decimal(0))
    top = (
        TopArrears.objects.filter(organisation=organisation, period=period)
        .select_related("employer")
        .order_by("rank")
        if period
        else []
    )
    rows = [
        Figure(
            label=row.employer.legal_name,
            text=fcfa(row.balance),
            url=link_for(user, reverse("contributions-account-detail", args=[row.employer_id])),
        )
        for row in top
    ]
    return rows, chart, fcfa(total) if items else _("pas encore de données")


def queue_figure(user, organisation, code, period, label, fid):
    cell = selectors.indicator_value(code, organisation, period) if period else None
    text = cell_text("count", cell) if cell else _("pas encore de données")
    url = selectors.drilldown_url(code, organisation, period) if period else None
    return Figure(label=label, text=text, url=link_for(user, url), id=fid)


def queues(user, organisation, period, today):
    """Work queues of the organisation: pending registrations, review items, claims waiting,
    their age (the oldest item)."""
    from kafo.benefits.models import Claim, ClaimStatus
    from kafo.contributions.models import PendingRegistration

    figures = [
        queue_figure(
            user,
            organisation,
            "pending_registrations",
            period,
            _("Immatriculations en attente"),
            "queue-pending",
        ),
        queue_figure(
            user, organisation, "review_queue", period, _("Doublons à examiner"), "queue-review"
        ),
    ]
    oldest = PendingRegistration.objects.filter(status="open").aggregate(m=Min("created_at"))["m"]
    if oldest:
        figures[0].hint = _("la plus ancienne : %(d)s j") % {"d": (timezone.now() - oldest).days}
    waiting = Claim.objects.filter(status=ClaimStatus.SUBMITTED)
    first = waiting.aggregate(m=Min("submitted_at"))["m"]
    figures.append(
        Figure(
            label=_("Demandes à approuver"),
            text=_int(waiting.count()),
            url=link_for(user, reverse("benefits-claim-list") + "?status=submitted"),
            hint=_("la plus ancienne : %(d)s j") % {"d": (timezone.now() - first).days}
            if first
            else "",
            id="queue-approve",
        )
    )
    return figures


def declarations(user, organisation, period):
    cell = selectors.indicator_value("declaration_compliance", organisation, period)
    received = cell.numerator
    expected = cell.denominator
    missing = None if expected is None or received is None else expected - received
    nf_url = selectors.drilldown_url("declaration_compliance", organisation, period)
    return [
        Figure(
            _("Déclarations reçues"),
            _int(received) if cell.has_data else _("pas encore de données"),
            link_for(user, reverse("contributions-declaration-list")),
            id="decl-received",
        ),
        Figure(
            _("Déclarations attendues"),
            _int(expected) if cell.has_data else _("pas encore de données"),
            id="decl-expected",
        ),
        Figure(
            _("Non-déclarants"),
            _int(missing) if missing is not None else _("pas encore de données"),
            link_for(user, nf_url),
            id="decl-missing",
        ),
        # No record of payments waiting to be allocated exists yet: payments are recorded
        # straight onto an employer's account.
        Figure(_("Paiements à affecter"), _("pas encore de données"), id="payments-to-allocate"),
    ]


def payments(user):
    from kafo.payroll.models import BenefitInPayment, PayrollRun

    run = (
        PayrollRun.objects.exclude(status__in=["frozen", "cancelled"])
        .order_by("period_start")
        .first()
    )
    suspended = BenefitInPayment.objects.filter(status="suspended").count()
    return [
        Figure(
            _("Prochaine paie"),
            (f"{run.period_start:%m/%Y} — {run.get_status_display()}" if run else _("aucune")),
            link_for(user, reverse("payroll-run-list")),
            id="next-run",
        ),
        Figure(
            _("Prestations suspendues"),
            _int(suspended),
            link_for(user, reverse("payroll-benefit-list") + "?status=suspended"),
            id="suspended",
        ),
    ]


def zone(period):
    from kafo.organisations.models import Organisation
    from kafo.stats.models import Indicator

    indicators = {i.code: i for i in Indicator.objects.filter(code__in=ZONE_CODES)}
    codes = [c for c in ZONE_CODES if c in indicators]
    table = selectors.zone_side_by_side(codes, period) if period else {}
    empty = selectors.Cell(period=period or "")
    rows = []
    for org in Organisation.objects.order_by("code"):
        cells = table.get(org.pk, {})
        rows.append((org.name, [cell_text(indicators[c].unit, cells.get(c, empty)) for c in codes]))
    cells = table.get(None, {})
    totals = [cell_text(indicators[c].unit, cells.get(c, empty)) for c in codes]
    return [indicators[c].name() for c in codes], rows, totals
