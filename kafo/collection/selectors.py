"""Reads of collection follow-up: expected declarations, non-filers, partial declarations.

Always scoped by the organisation passed in (`unscoped` managers filtered explicitly, so the
bench and the daily command read the same way as the pages).

- `missing_declarations(employer, as_of)`: one employer, the pure rule of
  `domain.expected` over its in-force declarations.
- `non_filers(organisation, period, filters)`: every employer of the organisation at once, in one
  SQL statement (Exists sub-queries per period, no loop over employers). Both agree: the tests
  compare them, the bench times them side by side.
- `partial_declarations(organisation, period)`: workers declared in the previous period of the
  same frequency, absent now, with no end of employment recorded by the new period's start.

Followed since: an organisation's go-live in Kafo (`CollectionFollowUp`, read by
`followed_since*` only). A period ending before it is never expected: every reader
(missing_declarations, non_filers, the daily run, stats' declaration compliance) treats an employer
as registered on the later of its registration and that date (`is_followed`).

Frequency: monthly when the employer's workforce (lines of its last declaration in force, or
else its open employments) reaches the rule's `monthly_from_employees`, quarterly below. An
employer stops being expected from its closure or suspension (`status_since`). There is no
agency in the employer model: the list filters by the employer's city instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kafo.contributions.domain import periods
from kafo.contributions.models import Declaration, DeclarationLine, DeclarationStatus
from kafo.registry.models import Employer, EmployerStatus, Employment
from kafo.rules.models import DeclarationRule

from .domain.expected import (
    MONTHLY,
    QUARTERLY,
    ExpectedPeriod,
    Schedule,
    expected_periods,
    frequency_for,
    is_covered,
    missing_periods,
    period_label,
    quarter_of,
)
from .models import CollectionFollowUp

DEFAULT_DUE_DAY = 15  # as kafo.contributions.ledger, for an organisation without a rule
DEFAULT_MONTHLY_FROM = 20  # CNPS-CI, IPRES-SN, CNSS-BF: monthly from 20 employees (schemes.md)
STOPPED = (EmployerStatus.CLOSED, EmployerStatus.SUSPENDED)

# Workforce bands of the size filter: (code, label, lowest, highest or None).
SIZE_BANDS = (
    ("0", _("aucun salarié connu"), 0, 0),
    ("1-9", _("1 à 9 salariés"), 1, 9),
    ("10-49", _("10 à 49 salariés"), 10, 49),
    ("50-249", _("50 à 249 salariés"), 50, 249),
    ("250+", _("250 salariés et plus"), 250, None),
)


def _today() -> dt.date:
    return timezone.localdate()


# Contribution accounts that declare on a schedule of their own and are never expected to
# declare: a voluntary member's account declares a period only when it is paid (kafo.voluntary).
# An app above collection registers, in its AppConfig.ready(), a function organisation id ->
# queryset of those employer ids; every reader of expected declarations leaves them out.
NOT_EXPECTED: list = []


def exclude_not_expected(employers, organisation_id: int):
    """`employers` (an Employer queryset) without the accounts never expected to declare."""
    for ids_of in NOT_EXPECTED:
        employers = employers.exclude(pk__in=ids_of(organisation_id))
    return employers


def is_expected(employer) -> bool:
    """False for an account never expected to declare (see NOT_EXPECTED)."""
    org_id = employer.organisation_id
    return not any(
        Employer.unscoped.filter(pk=employer.pk, organisation_id=org_id)
        .filter(pk__in=ids_of(org_id))
        .exists()
        for ids_of in NOT_EXPECTED
    )


def stopped_on(employer) -> dt.date | None:
    """The day the employer stopped being expected to declare (closed or suspended), or None."""
    return employer.status_since if employer.status in STOPPED else None


def followed_since_by_organisation(*, on: dt.date | None = None) -> dict[int, dt.date]:
    """Return {organisation_id: the date Kafo follows its declarations from}, per the version in
    force on `on` (today by default); an organisation absent is followed since ever. One query."""
    rows = CollectionFollowUp.unscoped.in_force(on=on or _today())
    return dict(rows.values_list("organisation_id", "followed_since"))


def followed_since(organisation_id: int, *, on: dt.date | None = None) -> dt.date | None:
    """The date Kafo follows the organisation's declarations from (None: since ever)."""
    return (
        CollectionFollowUp.unscoped.filter(organisation_id=organisation_id)
        .in_force(on=on or _today())
        .values_list("followed_since", flat=True)
        .first()
    )


def is_followed(period: str, since: dt.date | None) -> bool:
    """Whether `period` ('2026-03', '2026-Q1') may be expected in Kafo: it ends on or after
    `since` (the organisation's go-live; None: always)."""
    return since is None or periods.parse(period)[1] >= since


def followed_registration(registered_on: dt.date, since: dt.date | None) -> dt.date:
    """The registration date the expected-periods rules use: the later of the employer's own and
    the go-live (a period is expected when it ends on or after it)."""
    return registered_on if since is None or registered_on >= since else since


def _rule_versions(organisation_id: int) -> list[DeclarationRule]:
    return list(
        DeclarationRule.unscoped.filter(organisation_id=organisation_id).order_by("effective_from")
    )


def _rule_on(organisation_id: int, on: dt.date) -> DeclarationRule | None:
    return DeclarationRule.unscoped.filter(organisation_id=organisation_id).in_force(on=on).first()


def workforce(employer, *, on: dt.date | None = None) -> int:
    """Lines of the employer's last declaration in force, else its employments open on `on`."""
    on = on or _today()
    last = (
        Declaration.unscoped.filter(
            organisation_id=employer.organisation_id,
            employer_id=employer.pk,
            status=DeclarationStatus.IN_FORCE,
        )
        .order_by("-submitted_at", "-pk")
        .values_list("line_count", flat=True)
        .first()
    )
    if last is not None:
        return last
    return (
        Employment.unscoped.filter(
            organisation_id=employer.organisation_id, employer_id=employer.pk, start_date__lte=on
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .count()
    )


def schedule_versions(employer, *, size: int) -> list[tuple[dt.date, Schedule]]:
    """The employer's declaration schedule per rule version (frequency from `size`)."""
    versions = [
        (r.effective_from, Schedule(frequency_for(size, r.monthly_from_employees), r.due_day))
        for r in _rule_versions(employer.organisation_id)
    ]
    if not versions or versions[0][0] > employer.registered_on:
        default = Schedule(frequency_for(size, DEFAULT_MONTHLY_FROM), DEFAULT_DUE_DAY)
        versions.insert(0, (dt.date.min, default))
    return versions


def expected_for(employer, *, as_of: dt.date | None = None) -> list[ExpectedPeriod]:
    """The periods `employer` must have declared, ended before `as_of`."""
    as_of = as_of or _today()
    if not is_expected(employer):
        return []
    versions = schedule_versions(employer, size=workforce(employer, on=as_of))
    since = followed_since(employer.organisation_id, on=as_of)
    registered_on = followed_registration(employer.registered_on, since)
    return expected_periods(versions, registered_on, stopped_on(employer), as_of)


def declared_periods(employer) -> set[str]:
    return set(
        Declaration.unscoped.filter(
            organisation_id=employer.organisation_id,
            employer_id=employer.pk,
            status=DeclarationStatus.IN_FORCE,
        ).values_list("period", flat=True)
    )


def missing_declarations(employer, as_of: dt.date | None = None) -> list[ExpectedPeriod]:
    """Return the expected periods of `employer` past their due date (before `as_of`) that no
    declaration in force covers, oldest first."""
    as_of = as_of or _today()
    return missing_periods(
        expected_for(employer, as_of=as_of), declared_periods(employer), overdue_on=as_of
    )


# --- Non-filers, set-based ---------------------------------------------------------------------


@dataclass
class NonFilerFilters:
    sector: str = ""
    size: str = ""  # a SIZE_BANDS code
    city: str = ""
    extra: dict = field(default_factory=dict)


def _periods_checked(period: str) -> tuple[list[str], list[str]]:
    """(months a monthly employer owes, quarters a quarterly one owes) within `period`.

    A month: itself, and its quarter when it is the quarter's last month (the quarter's
    declaration is due with that month's). A quarter: its three months, and itself.
    """
    if periods.is_quarterly(period):
        return periods.months_in(period), [period]
    start, end = periods.parse(period)
    quarter = quarter_of(start)
    quarter_end = periods.parse(quarter)[1]
    return [period], [quarter] if end == quarter_end else []


def _checked_of(months: list[str], quarters: list[str]) -> list[str]:
    """Every period whose declaration covers one that is owed: months and their quarters."""
    return sorted(
        {*months, *quarters}
        | {_quarter_of(m) for m in months}
        | {m for q in quarters for m in periods.months_in(q)}
    )


def _tag(period: str) -> str:
    return "d_" + period.replace("-", "_").lower()


def non_filers(organisation, period: str, filters: NonFilerFilters | dict | None = None):
    """Return the employers of `organisation` expected to declare within `period` with no
    declaration in force covering it: a queryset of Employer annotated with `workforce`,
    `frequency` and one boolean `d_<period>` per period checked (declared or not).

    One SQL statement whatever the number of employers. Expected: registered on or before the
    period's last day, not closed or suspended before its first day, and the period ends on or
    after the organisation's go-live (`followed_since`; see the module's notes).
    Rows carry `missing` (list of period labels) once passed through `describe_rows`.
    """
    if isinstance(filters, dict):
        filters = NonFilerFilters(**filters)
    filters = filters or NonFilerFilters()
    period = periods.normalise(period)
    start, _end = periods.parse(period)
    rule = _rule_on(organisation.pk, start)
    threshold = rule.monthly_from_employees if rule else DEFAULT_MONTHLY_FROM
    months, quarters = _periods_checked(period)
    checked = _checked_of(months, quarters)
    since = followed_since(organisation.pk)

    in_force = Declaration.unscoped.filter(
        organisation_id=organisation.pk,
        employer_id=OuterRef("pk"),
        status=DeclarationStatus.IN_FORCE,
    )
    last_lines = in_force.order_by("-submitted_at", "-pk").values("line_count")[:1]
    open_jobs = (
        Employment.unscoped.filter(
            organisation_id=organisation.pk, employer_id=OuterRef("pk"), start_date__lte=start
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .values("employer_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    qs = exclude_not_expected(
        Employer.unscoped.filter(organisation_id=organisation.pk), organisation.pk
    ).annotate(
        workforce=Coalesce(
            Subquery(last_lines, output_field=IntegerField()),
            Subquery(open_jobs, output_field=IntegerField()),
            Value(0),
        ),
    )
    qs = qs.annotate(
        frequency=Case(
            When(workforce__gte=threshold, then=Value(MONTHLY)),
            default=Value(QUARTERLY),
        ),
        followed_since=Value(since, output_field=DateField()),
        **{
            _tag(p): Exists(in_force.filter(period=p), output_field=BooleanField()) for p in checked
        },
    )

    def active(p: str) -> Q:
        p_start, p_end = periods.parse(p)
        return Q(registered_on__lte=p_end) & ~Q(status__in=STOPPED, status_since__lt=p_start)

    def missing_month(m: str) -> Q:
        return active(m) & Q(**{_tag(m): False, _tag(_quarter_of(m)): False})

    def missing_quarter(q: str) -> Q:
        all_months = Q()
        for m in periods.months_in(q):
            all_months &= Q(**{_tag(m): True})
        return active(q) & Q(**{_tag(q): False}) & ~all_months

    def any_of(conditions: list[Q]):
        if not conditions:
            return Value(False)
        combined = conditions[0]
        for c in conditions[1:]:
            combined |= c
        return ExpressionWrapper(combined, output_field=BooleanField())

    # One CASE on the workforce (its sub-query evaluated once per employer, not once per branch)
    owes = Case(
        When(
            workforce__gte=threshold,
            then=any_of([missing_month(m) for m in months if is_followed(m, since)]),
        ),
        default=any_of([missing_quarter(q) for q in quarters if is_followed(q, since)]),
        output_field=BooleanField(),
    )
    qs = qs.annotate(owes=owes).filter(owes=True)

    if filters.sector:
        qs = qs.filter(sector=filters.sector)
    if filters.city:
        qs = qs.filter(city=filters.city)
    band = next((b for b in SIZE_BANDS if b[0] == filters.size), None)
    if band is not None:
        qs = qs.filter(workforce__gte=band[2])
        if band[3] is not None:
            qs = qs.filter(workforce__lte=band[3])
    return qs.order_by("legal_name", "pk")


def non_filer_counts(organisation, period_list: list[str]) -> dict[str, int]:
    """Return {period: number of employers `non_filers(organisation, period)` lists} for every
    period of `period_list` at once (the declaration-compliance indicator's denominator).

    The same rules as `non_filers` (the tests compare both), read set-based: the employers with
    the line count of their last declaration in force (one query), the declarations in force of
    the periods checked (one query), the open employments of the employers without any
    declaration (one query), the rule in force at each period's start (one query a period);
    then one pass over employers × periods in memory, with no query per employer.
    """
    wanted = [periods.normalise(p) for p in period_list]
    if not wanted:
        return {}
    org_id = organisation.pk
    checks = {p: _periods_checked(p) for p in wanted}
    starts = {p: periods.parse(p)[0] for p in wanted}
    thresholds = {}
    for p in wanted:
        rule = _rule_on(org_id, starts[p])
        thresholds[p] = rule.monthly_from_employees if rule else DEFAULT_MONTHLY_FROM
    every_checked = sorted({c for m, q in checks.values() for c in _checked_of(m, q)})

    in_force = Declaration.unscoped.filter(
        organisation_id=org_id, status=DeclarationStatus.IN_FORCE
    )
    last_lines = (
        in_force.filter(employer_id=OuterRef("pk"))
        .order_by("-submitted_at", "-pk")
        .values("line_count")[:1]
    )
    employers = list(
        exclude_not_expected(Employer.unscoped.filter(organisation_id=org_id), org_id)
        .annotate(last_lines=Subquery(last_lines, output_field=IntegerField()))
        .values_list("pk", "registered_on", "status", "status_since", "last_lines")
    )
    declared: dict[int, set[str]] = {}
    for employer_id, p in in_force.filter(period__in=every_checked).values_list(
        "employer_id", "period"
    ):
        declared.setdefault(employer_id, set()).add(p)
    jobs: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    earliest, latest = min(starts.values()), max(starts.values())
    for employer_id, job_start, job_end in (
        Employment.unscoped.filter(organisation_id=org_id, start_date__lte=latest)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=earliest))
        .exclude(Exists(in_force.filter(employer_id=OuterRef("employer_id"))))
        .values_list("employer_id", "start_date", "end_date")
    ):
        jobs.setdefault(employer_id, []).append((job_start, job_end))

    def size(last, employer_id, on: dt.date) -> int:
        if last is not None:
            return last
        return sum(1 for s, e in jobs.get(employer_id, ()) if s <= on and (e is None or e >= on))

    counts = dict.fromkeys(wanted, 0)
    since = followed_since(org_id)  # periods ending before the go-live are not expected
    for pk, registered_on, status, status_since, last in employers:
        registered_on = followed_registration(registered_on, since)
        stop = status_since if status in STOPPED else None
        done = declared.get(pk, set())
        for p in wanted:
            months, quarters = checks[p]
            monthly = size(last, pk, starts[p]) >= thresholds[p]
            if any(_owes(o, registered_on, stop, done) for o in (months if monthly else quarters)):
                counts[p] += 1
    return counts


def _owes(period: str, registered_on: dt.date, stop: dt.date | None, declared: set[str]) -> bool:
    """Whether an employer registered on `registered_on`, stopped on `stop` (closure or
    suspension, or None), owes `period` given the periods it `declared` (non_filers' rule)."""
    start, end = periods.parse(period)
    if registered_on > end or (stop is not None and stop < start):
        return False
    return not is_covered(period, declared)


def _quarter_of(month: str) -> str:
    return quarter_of(periods.parse(month)[0])


def describe_rows(rows, period: str) -> list:
    """Set `missing` (labels of the periods not declared) on each row of `non_filers`."""
    months, quarters = _periods_checked(periods.normalise(period))
    out = []
    for e in rows:
        declared = {p for p in _checked_of(months, quarters) if getattr(e, _tag(p), False)}
        owed = months if e.frequency == MONTHLY else quarters
        stop = stopped_on(e)
        e.missing = [
            period_label(p)
            for p in owed
            if not is_covered(p, declared)
            and e.registered_on <= periods.parse(p)[1]
            and is_followed(p, getattr(e, "followed_since", None))
            and (stop is None or stop >= periods.parse(p)[0])
        ]
        out.append(e)
    return out


def previous_period(period: str) -> str:
    """The period before `period` of the same length: '2026-01' -> '2025-12', 'Q1' -> 'Q4'."""
    start, _end = periods.parse(period)
    before = start - dt.timedelta(days=1)
    return (
        quarter_of(before)
        if periods.is_quarterly(period)
        else periods.normalise(f"{before.year}-{before.month:02d}")
    )


def filter_choices(organisation) -> dict:
    """Sectors and cities present among the organisation's employers, for the filter menus."""
    base = Employer.unscoped.filter(organisation_id=organisation.pk)
    return {
        "sectors": list(
            base.exclude(sector="").values_list("sector", flat=True).distinct().order_by("sector")
        ),
        "cities": list(
            base.exclude(city="").values_list("city", flat=True).distinct().order_by("city")
        ),
        "sizes": [(code, label) for code, label, _lo, _hi in SIZE_BANDS],
    }


# --- Partial declarations ----------------------------------------------------------------------


def partial_declarations(organisation, period: str, *, employer=None):
    """Return (employer_id, person_id) pairs: workers on the employer's in-force declaration of
    the previous period (same length) who are on none of its in-force declarations covering
    `period`, with no employment of theirs at that employer ended before `period`'s end.

    Only employers that declared `period` are looked at (a missing declaration is a non-filer,
    not a partial one). One SQL statement.
    """
    period = periods.normalise(period)
    start, end = periods.parse(period)
    before = previous_period(period)
    now = Declaration.unscoped.filter(
        organisation_id=organisation.pk,
        status=DeclarationStatus.IN_FORCE,
        period__in=periods.overlapping(period),
    )
    if employer is not None:
        now = now.filter(employer_id=employer.pk)
    declared_now = DeclarationLine.unscoped.filter(
        organisation_id=organisation.pk,
        person_id=OuterRef("person_id"),
        declaration__employer_id=OuterRef("declaration__employer_id"),
        declaration__status=DeclarationStatus.IN_FORCE,
        declaration__period__in=periods.overlapping(period),
    )
    ended = Employment.unscoped.filter(
        organisation_id=organisation.pk,
        employer_id=OuterRef("declaration__employer_id"),
        person_id=OuterRef("person_id"),
        end_date__isnull=False,
        end_date__lte=end,
    )
    return (
        DeclarationLine.unscoped.filter(
            organisation_id=organisation.pk,
            person_id__isnull=False,
            declaration__status=DeclarationStatus.IN_FORCE,
            declaration__period=before,
            declaration__employer_id__in=now.values("employer_id"),
        )
        .exclude(Exists(declared_now))
        .exclude(Exists(ended))
        .values_list("declaration__employer_id", "person_id")
        .distinct()
        .order_by("declaration__employer_id", "person_id")
    )
