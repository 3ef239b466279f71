"""The daily run of collection follow-up (notices, assessments) and its set-based search of the
missing declarations.

The daily run (`collection_daily`, `kafo collection daily [--on DATE]`) is idempotent: every
notice has a dedup key unique per organisation (kind, employer, period, channel; the entry for a
penalty notice), and a period is assessed once (unique employer + period). Each notice created
is handed to kafo.messaging by a job (notices.send_notice, queue "notices") once the run commits.
Every write is audited on the employer's history.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, IntegerField, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from kafo.accounts.models import User
from kafo.contributions.domain import periods
from kafo.contributions.models import PENALTY_KINDS, Declaration, DeclarationStatus, LedgerEntry
from kafo.jobs import enqueue_on_commit
from kafo.messaging import workers
from kafo.organisations.models import Organisation
from kafo.registry.models import Employer, Employment
from kafo.rules.models import DeclarationRule

from . import selectors
from .assessments import assessment_post
from .domain import expected
from .issuing import _all_known, _facts, notice_issue
from .models import Assessment, Notice, NoticeKind
from .notices import send_notices
from .rule_versions import rules_in_force

BATCH = 500  # employers per transaction of the daily run


def _today() -> dt.date:
    return timezone.localdate()


# --- Expected and missing declarations ----------------------------------------------------------


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _schedule_versions(
    rule_rows: list, size: int, registered_on: dt.date
) -> tuple[tuple[dt.date, expected.Schedule], ...]:
    """selectors.schedule_versions over rule rows read once for the whole organisation."""
    versions = [
        (
            r.effective_from,
            expected.Schedule(expected.frequency_for(size, r.monthly_from_employees), r.due_day),
        )
        for r in rule_rows
    ]
    if not versions or versions[0][0] > registered_on:
        default = expected.Schedule(
            expected.frequency_for(size, selectors.DEFAULT_MONTHLY_FROM), selectors.DEFAULT_DUE_DAY
        )
        versions.insert(0, (dt.date.min, default))
    return tuple(versions)


def _window_periods(since: dt.date, until: dt.date) -> list[str]:
    """Every month and quarter whose declaration may cover a period expected within the window
    (from the quarter before `since` to `until`)."""
    month = _months_before(since, 3)
    found: set[str] = set()
    while month <= until:
        found.add(expected.month_of(month))
        found.add(expected.quarter_of(month))
        month = _months_before(month, -1)
    return sorted(found)


def missing_by_employer(
    *, organisation: Organisation, on: dt.date, until: dt.date, since: dt.date
) -> dict[int, tuple[Employer, list[expected.ExpectedPeriod]]]:
    """The expected periods ending before `until` (due since `since`) that no declaration in
    force covers, per employer of the organisation, oldest first.

    The non-filers list's own rules (kafo.collection.selectors: frequency from the workforce,
    closure and suspension), so a notice never disagrees with the list; set-based: three
    queries for the whole organisation (the employers with their workforce as
    `selectors.workforce` counts it on `until`, the declaration rule versions, the declarations
    in force of the window's periods), then the pure `domain.expected` rules per employer,
    computed once per distinct schedule, registration month and closure month. Periods ending
    before the organisation's go-live (`selectors.followed_since`) are not expected.
    """
    in_force = Declaration.unscoped.filter(
        organisation_id=organisation.pk,
        employer_id=OuterRef("pk"),
        status=DeclarationStatus.IN_FORCE,
    )
    last_lines = in_force.order_by("-submitted_at", "-pk").values("line_count")[:1]
    open_jobs = (
        Employment.unscoped.filter(
            organisation_id=organisation.pk, employer_id=OuterRef("pk"), start_date__lte=until
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=until))
        .values("employer_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    employers = (
        selectors.exclude_not_expected(
            Employer.unscoped.filter(organisation=organisation, registered_on__lte=on),
            organisation.pk,
        )
        .filter(~Q(status__in=selectors.STOPPED) | Q(status_since__gte=since))
        .annotate(
            size=Coalesce(
                Subquery(last_lines, output_field=IntegerField()),
                Subquery(open_jobs, output_field=IntegerField()),
                Value(0),
            )
        )
        .order_by("pk")
        .values_list("pk", "registered_on", "status", "status_since", "size")
    )
    rule_rows = list(
        DeclarationRule.unscoped.filter(organisation_id=organisation.pk).order_by("effective_from")
    )
    declared: dict[int, set[str]] = defaultdict(set)
    for employer_id, period in Declaration.unscoped.filter(
        organisation_id=organisation.pk,
        status=DeclarationStatus.IN_FORCE,
        period__in=_window_periods(since, until),
    ).values_list("employer_id", "period"):
        declared[employer_id].add(period)

    # Employers alike (same schedule, registration month, closure month, periods declared)
    # share one answer: the pure rules run once per kind of employer, not once per employer.
    expected_cache: dict[tuple, list[expected.ExpectedPeriod]] = {}
    missing_cache: dict[tuple, list[expected.ExpectedPeriod]] = {}
    found: dict[int, list[expected.ExpectedPeriod]] = {}
    # Periods due since `since` end at the earliest in the quarter before it: the months
    # before that quarter's first one are not looked at (a registration in 1990 costs nothing).
    earliest = _months_before(since, 3 + (since.month - 1) % 3)
    # Periods ending before the organisation's go-live are not expected in Kafo: an employer
    # counts as registered on the later of its registration and that date.
    go_live = selectors.followed_since(organisation.pk, on=on)
    for pk, registered_on, status, status_since, size in employers:
        versions = _schedule_versions(rule_rows, size, registered_on)
        registered_on = selectors.followed_registration(registered_on, go_live)
        stopped = status_since if status in selectors.STOPPED else None
        # expected_periods reads the registration and the closure by their month only
        start = max(registered_on.replace(day=1), earliest)
        key = (versions, start, stopped and stopped.replace(day=1))
        expected_ = expected_cache.get(key)
        if expected_ is None:
            expected_ = expected_cache[key] = [
                e
                for e in expected.expected_periods(list(versions), start, key[2], until)
                if e.due_date >= since
            ]
        if not expected_:
            continue
        declared_here = frozenset(declared.get(pk, ()))
        missing = missing_cache.get((key, declared_here))
        if missing is None:
            missing = missing_cache[(key, declared_here)] = expected.missing_periods(
                expected_, declared_here
            )
        if missing:
            found[pk] = missing
    result = {}
    ids = list(found)
    for chunk in range(0, len(ids), 5000):  # the employers to tell, whole rows
        for employer in Employer.unscoped.filter(pk__in=ids[chunk : chunk + 5000]).order_by("pk"):
            employer.organisation = organisation
            result[employer.pk] = (employer, found[employer.pk])
    return dict(sorted(result.items()))


# --- The daily run -------------------------------------------------------------------------------


@dataclass
class DailyResult:
    notices: Counter = field(default_factory=Counter)  # by kind
    assessments: list[Assessment] = field(default_factory=list)
    worker_sms: int = 0  # workers told they were expected and not declared (once a quarter)

    @property
    def notice_count(self) -> int:
        return sum(self.notices.values())


def _email_contacts(organisation_id: int) -> dict[int, str]:
    """The e-mail of each employer's first active portal user that has one."""
    contacts: dict[int, str] = {}
    for employer_id, email in (
        User.objects.filter(organisation_id=organisation_id, employer__isnull=False, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("employer_id", "email")
    ):
        contacts.setdefault(employer_id, email)
    return contacts


def collection_daily(*, organisation: Organisation, on: dt.date | None = None) -> DailyResult:
    """Send the day's notices and post the day's assessments for one organisation.

    For each period an employer has not declared (oldest first, within the rule's history):
    a reminder from `reminder_days_before_due` days before the due date until it; after the due
    date the most advanced stage reached — overdue notice, then formal notice; the day after
    the formal notice's delay, the assessment and its notice. Then a notice of each penalty
    posted in the last `penalty_notice_days` days. Then the quarterly SMS to the workers
    expected and not declared (kafo.messaging.workers, for `quarter_to_check(on)`: each worker
    once per employer and quarter). Idempotent.
    """
    on = on or _today()
    result = DailyResult()
    found = rules_in_force(organisation_id=organisation.pk, on=on)
    if found is None:
        return result
    rule_row, rules = found
    since = _months_before(on, rules.history_months)
    until = on + dt.timedelta(days=rules.reminder_days_before_due + 1)
    emails = _email_contacts(organisation.pk)
    missing = missing_by_employer(organisation=organisation, on=on, until=until, since=since)
    # What earlier runs did, read once (each notice's key, each period's first formal notice,
    # the assessed periods): a day with nothing new costs a handful of queries, not four per
    # employer and period.
    window = _window_periods(since, until)
    notices = Notice.unscoped.filter(organisation=organisation, period__in=window)
    known = set(notices.values_list("dedup_key", flat=True))
    formal_on = {
        (row["employer_id"], row["period"]): row["first"]
        for row in notices.filter(kind=NoticeKind.FORMAL_NOTICE)
        .values("employer_id", "period")
        .annotate(first=Min("issued_on"))
        .order_by()
    }
    assessed = set(
        Assessment.unscoped.filter(organisation=organisation, period__in=window).values_list(
            "employer_id", "period"
        )
    )
    context = {
        "organisation": organisation,
        "on": on,
        "rules": rules,
        "rule_row": rule_row,
        "since": since,
        "emails": emails,
        "known": known,
        "formal_on": formal_on,
        "assessed": assessed,
        "result": result,
    }
    # Committed by batches of employers (a long run never holds the database for its whole
    # length); each batch's notices handed to kafo.messaging by one job once it commits.
    employers = list(missing.values())
    for start in range(0, len(employers), BATCH):
        outbox: list[int] = []
        with transaction.atomic():
            for employer, periods_ in employers[start : start + BATCH]:
                _employer_day(employer, periods_, **context, outbox=outbox)
            if outbox:
                enqueue_on_commit(send_notices, organisation.pk, outbox)
    _penalty_notices(organisation, rules, on, emails, result)
    result.worker_sms = _undeclared_workers_told(organisation, on)
    return result


WORKER_CHECK_DAYS = 30  # days after the first day a quarter may be checked that the run tries it


def _undeclared_workers_told(organisation: Organisation, on: dt.date) -> int:
    """Tell the workers expected and not declared in the quarter checkable on `on`: once per
    quarter (skipped once the quarter's SMS exist), within WORKER_CHECK_DAYS of the quarter
    becoming checkable (a missed day is caught up, a quiet quarter is not re-read all year)."""
    from kafo.messaging.models import SmsMessage

    quarter = workers.quarter_to_check(on)
    first_day = periods.parse(quarter)[1] + dt.timedelta(days=workers.CHECK_AFTER_DAYS)
    if on >= first_day + dt.timedelta(days=WORKER_CHECK_DAYS):
        return 0
    if SmsMessage.unscoped.filter(
        organisation=organisation, purpose=f"{workers.PURPOSE_UNDECLARED}:{quarter}"
    ).exists():
        return 0
    return workers.notify_undeclared_workers(organisation=organisation, quarter=quarter)


def _employer_day(
    employer,
    periods_,
    *,
    organisation,
    on,
    rules,
    rule_row,
    since,
    emails,
    known,
    formal_on,
    assessed,
    result,
    outbox,
) -> None:
    """One employer's notices and assessments of the day (collection_daily's loop body)."""
    employer.organisation = organisation
    email = emails.get(employer.pk)
    for ep in periods_:
        period, due = ep.period, ep.due_date
        if due < since:
            continue
        kind = None
        if rules.reminder_on(due) <= on < due:
            kind = NoticeKind.REMINDER
        elif on >= rules.formal_notice_on(due):
            kind = NoticeKind.FORMAL_NOTICE
        elif on >= rules.overdue_on(due):
            kind = NoticeKind.OVERDUE
        if kind is None:
            continue
        facts = _facts(employer, period, due=due, delay=rules.formal_notice_delay_days)
        if not _all_known(known, kind, employer, period, email):
            with transaction.atomic():
                for n in notice_issue(
                    employer=employer,
                    kind=kind,
                    period=period,
                    facts=facts,
                    on=on,
                    email=email,
                    known=known,
                    outbox=outbox,
                ):
                    result.notices[n.kind] += 1
                    if kind == NoticeKind.FORMAL_NOTICE:
                        formal_on.setdefault((employer.pk, period), on)
        if kind != NoticeKind.FORMAL_NOTICE or (employer.pk, period) in assessed:
            continue
        noticed_on = formal_on.get((employer.pk, period))
        if noticed_on is None or on < rules.assessment_on(noticed_on):
            continue
        assessment = assessment_post(
            employer=employer,
            period=period,
            due_date=due,
            rule_row=rule_row,
            rules=rules,
            on=on,
            email=email,
            result=result,
            known=known,
            outbox=outbox,
        )
        if assessment is not None:
            result.assessments.append(assessment)


def _penalty_notices(organisation, rules, on, emails, result: DailyResult) -> None:
    entries = (
        LedgerEntry.unscoped.filter(
            organisation=organisation,
            kind__in=PENALTY_KINDS,
            due_date__gte=on - dt.timedelta(days=rules.penalty_notice_days),
            due_date__lte=on,
            amount__gt=0,
        )
        .select_related("employer")
        .order_by("pk")
    )
    known = set(
        Notice.unscoped.filter(organisation=organisation, ledger_entry__in=entries).values_list(
            "dedup_key", flat=True
        )
    )
    for entry in entries:
        employer = entry.employer
        employer.organisation = organisation
        facts = _facts(employer, entry.period, amount=entry.amount)
        email = emails.get(employer.pk)
        if _all_known(known, NoticeKind.PENALTY, employer, entry.period, email, f":{entry.pk}"):
            continue
        with transaction.atomic():
            for n in notice_issue(
                employer=employer,
                kind=NoticeKind.PENALTY,
                period=entry.period,
                facts=facts,
                on=on,
                email=email,
                dedup_suffix=f":{entry.pk}",
                ledger_entry=entry,
                known=known,
            ):
                result.notices[n.kind] += 1
