"""Demo data of collection follow-up (`kafo demo`, after the payroll's demo step).

For every organisation with employers, through the real services, as of the demo's day:
- Kafo's go-live 24 months back (`CollectionFollowUp`, marked as a demo assumption): the periods
  before it were followed on the former system, so they are not expected in Kafo;
- the last 24 months declared by every active employer that has workers (taken-over history:
  no late penalty, no worker SMS), each worker on a salary of their own, from the quarter of
  its registration; a month none of its workers covers declares its first workers (the demo's
  employments are not a payroll); an active employer without any worker is put dormant
  (suspended) from its registration;
- one employer with workers in fifteen silent: a third since the third last quarter's last
  month, a third for the last two months, a third for the last month only (among them the
  employer of the organisation's employer login): the non-filers list of the last month shows
  them.
At CNPS-CI also (the notices are replayed there only: the other organisations get theirs from
the first daily run):
- the daily run (`collection_daily`) on the days the stages fell due over the last three months,
  so reminders, overdue notices, formal notices and assessments are there as they would have
  been sent; one assessed month then declared late for real (its assessment reversed, its late
  penalty posted and noticed, its workers told by SMS); the employer login given an e-mail;
- the messages handed to the recording SMS gateway and e-mail backend, the SMS receipts
  recorded: delivered, one failed.

Idempotent: an organisation with a go-live recorded is skipped.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

ORGANISATION = "CNPS-CI"  # where the notices are replayed
HISTORY_MONTHS = 24
SILENT_ONE_IN = 15  # one employer with workers in 15 stops declaring
GO_LIVE_SOURCE = (
    "Démonstration : Kafo mis en service il y a 24 mois (périodes antérieures suivies sur "
    "l'ancien système)"
)


def _month(day: dt.date, back: int) -> str:
    index = day.year * 12 + day.month - 1 - back
    return f"{index // 12}-{index % 12 + 1:02d}"


def _salary(person_id: int) -> Decimal:
    return Decimal(75_000 + (person_id * 7_919) % 24 * 12_500)


def _workers(jobs: list, start: dt.date, end: dt.date) -> list:
    """The employer's jobs covering the period, else its earliest ones."""
    covering = [j for j in jobs if j[7] <= end and (j[8] is None or j[8] >= start)]
    if covering:
        return covering
    first = min(j[7] for j in jobs)
    return [j for j in jobs if j[7] == first]


def collection_demo_seed(*, say=lambda _msg: None, today: dt.date | None = None) -> dict:
    """Seed every organisation's collection demo (see the module's notes); return what was made."""
    from django.db import transaction
    from django.utils import timezone

    from kafo.organisations.models import Organisation
    from kafo.organisations.tenancy import tenant_scope, zone_scope
    from kafo.registry.models import Employer

    from . import services
    from .models import CollectionFollowUp

    today = today or timezone.localdate()
    with zone_scope():
        services.collection_rules_seed()
        with_employers = set(Employer.objects.values_list("organisation_id", flat=True).distinct())
        organisations = list(Organisation.objects.filter(pk__in=with_employers).order_by("code"))
    made: dict = {}
    for org in organisations:
        with tenant_scope(org):
            if CollectionFollowUp.objects.exists():
                continue
            with transaction.atomic():  # all of it or nothing (the go-live marks it done)
                history = _declared_history(org, today, say)
            if org.code == ORGANISATION:
                history.update(_notices_replayed(org, today, history, say))
            made[org.code] = history
    return made.get(ORGANISATION, {}) | {"organisations": made}


def _declared_history(org, today: dt.date, say) -> dict:
    """The go-live, 24 months declared, dormant and silent employers of `org` (module's notes)."""
    import polars as pl
    from django.db.models import Q

    from kafo.accounts.models import User
    from kafo.contributions.domain import periods
    from kafo.contributions.services import import_frame
    from kafo.registry.models import Employer, EmployerStatus, Employment
    from kafo.registry.services import employer_update

    from .rule_versions import follow_up_set

    months = [_month(today, back) for back in range(HISTORY_MONTHS, 0, -1)]
    first_start = periods.parse(months[0])[0]
    last_end = periods.parse(months[-1])[1]
    follow_up_set(
        organisation=org,
        followed_since=first_start,
        effective_from=first_start,
        source=GO_LIVE_SOURCE,
        assumption=True,
    )
    jobs = list(
        Employment.objects.filter(start_date__lte=last_end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first_start))
        .values_list(
            "employer_id",
            "employer__number",
            "employer__registered_on",
            "person_id",
            "person__number",
            "person__family_name",
            "person__given_names",
            "start_date",
            "end_date",
            "employer__status",
            "employer__status_since",
        )
    )
    stopped = {j[0]: j[10] for j in jobs if j[9] != EmployerStatus.ACTIVE}
    jobs = [j[:9] for j in jobs]
    with_workers = sorted({j[0] for j in jobs} - set(stopped))
    # dormant: active, registered, no worker over the period (where some employer has workers:
    # an organisation whose registry is not generated, e.g. another step's lone employer, is
    # left as it is)
    dormant = (
        list(Employer.objects.filter(status=EmployerStatus.ACTIVE).exclude(pk__in=with_workers))
        if with_workers
        else []
    )
    for employer in dormant:
        employer_update(
            employer=employer,
            data={"status": EmployerStatus.SUSPENDED, "status_since": employer.registered_on},
        )
    login = User.objects.filter(username=f"{org.code.lower()}.employeur").first()
    candidates = [pk for pk in with_workers if login is None or pk != login.employer_id]
    wanted = max(3, len(with_workers) // SILENT_ONE_IN)
    login_silent = login is not None and login.employer_id in with_workers
    silent = candidates[:: max(1, len(candidates) // wanted)][: wanted - login_silent]
    if login_silent:
        silent.insert(0, login.employer_id)
    # group 0 stops after the third last quarter, group 1 misses two months, group 2 one
    quarter_end = next(
        i
        for i in range(len(months) - 1, -1, -1)
        if months[i][5:] in ("03", "06", "09", "12") and i <= len(months) - 3
    )
    stop_from = {}
    for n, pk in enumerate(silent):
        stop_from[pk] = (quarter_end + 1, len(months) - 2, len(months) - 1)[n % 3]

    by_employer: dict[int, list] = {}
    for job in jobs:
        by_employer.setdefault(job[0], []).append(job)
    bounds = [(period, *periods.parse(period)) for period in months]
    rows = []
    for emp_id, its_jobs in by_employer.items():
        registered_on = its_jobs[0][2]
        stop = stopped.get(emp_id)
        silent_from = stop_from.get(emp_id, len(months))
        for i, (period, p_start, p_end) in enumerate(bounds):
            if i >= silent_from:
                break
            quarter_end_day = periods.parse(f"{period[:4]}-Q{(p_start.month - 1) // 3 + 1}")[1]
            if registered_on > quarter_end_day:
                continue
            if stop and stop < p_start:  # closed or suspended
                continue
            seen = set()  # a worker rehired by the same employer is declared once a period
            for _e, emp_no, _r, person_id, number, family, given, _s, _end in _workers(
                its_jobs, p_start, p_end
            ):
                if person_id not in seen:
                    seen.add(person_id)
                    rows.append(
                        (emp_no, period, number, family, given, "26", str(_salary(person_id)))
                    )
    frame = pl.DataFrame(
        rows,
        schema=[
            "employer_number",
            "period",
            "worker_number",
            "family_name",
            "given_names",
            "days_worked",
            "gross_salary",
        ],
        orient="row",
    )
    if frame.height:  # an organisation whose employers have no worker declares nothing
        import_frame(frame=frame, organisation=org, migration=True, today=today)
    say(
        f"{org.code} : {frame.height} lignes déclarées sur {len(months)} mois, "
        f"{len(silent)} employeurs silencieux, {len(dormant)} mis en sommeil"
    )
    return {
        "lines": frame.height,
        "silent": len(silent),
        "stop_from": stop_from,
        "by_employer": by_employer,
        "login": login,
    }


def _notices_replayed(org, today: dt.date, history: dict, say) -> dict:
    """The daily runs of the last three months at `org`, a late declaration, the SMS and their
    receipts (see the module's notes)."""
    from django.db import transaction
    from django.test.utils import override_settings

    from kafo.contributions.domain import periods
    from kafo.contributions.services import declaration_submit
    from kafo.jobs import run_pending
    from kafo.messaging.models import MessageStatus, SmsMessage
    from kafo.messaging.services import record_receipt

    from . import services
    from .models import Notice

    stop_from, by_employer, login = (
        history.pop("stop_from"),
        history.pop("by_employer"),
        history.pop("login"),
    )
    if login is not None and login.employer_id in stop_from and not login.email:
        login.email = "comptabilite@employeur-demo.ci"
        login.save(update_fields=["email"])
    # The daily run on the days each stage fell due for the last three due dates and today.
    found = services.rules_in_force(organisation_id=org.pk, on=today)
    rules = found[1]
    due_day = 15
    run_days = set()
    for back in range(3, -1, -1):
        month = _month(today, back)
        due = dt.date(int(month[:4]), int(month[5:]), due_day)
        for day in (
            rules.reminder_on(due),
            rules.overdue_on(due),
            rules.formal_notice_on(due),
            rules.formal_notice_on(due) + dt.timedelta(days=rules.formal_notice_delay_days + 1),
        ):
            if day < today:
                run_days.add(day)
    run_days = sorted(run_days)
    late = None
    for day in run_days:
        with transaction.atomic():
            result = services.collection_daily(organisation=org, on=day)
        if late is None:  # one of the silent employers with workers
            late = next((a for a in result.assessments if a.employer_id in stop_from), None)
    if late is not None:  # a real declaration, late: the assessment reversed
        employer = late.employer
        people = _workers(by_employer[employer.pk], *periods.parse(late.period))
        declaration_submit(
            employer=employer,
            period=late.period,
            rows=[
                {
                    "worker_number": j[4],
                    "family_name": j[5],
                    "given_names": j[6],
                    "days_worked": 26,
                    "gross_salary": _salary(j[3]),
                }
                for j in people
            ],
            today=today,
        )
    with transaction.atomic():
        services.collection_daily(organisation=org, on=today)

    # The messages sent (recording gateway, no rate limit: the demo's own SMSC), receipts.
    with override_settings(
        KAFO_SMS_GATEWAYS={"default": {"backend": "recording", "rate_per_second": 0}},
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    ):
        for _ in range(3):
            if not run_pending():
                break
    sent = list(
        SmsMessage.objects.filter(status=MessageStatus.SENT)
        .exclude(gateway_message_id="")
        .order_by("pk")
        .values_list("gateway", "gateway_message_id", "purpose")
    )
    # one formal notice's SMS not delivered by the operator, the others delivered
    undelivered = next(
        (m for _g, m, purpose in sent if purpose == "collection_notice:formal_notice"), None
    )
    for gateway, message_id, _purpose in sent:
        record_receipt(
            organisation=org,
            gateway_name=gateway,
            message_id=message_id,
            delivered=message_id != undelivered,
            state="UNDELIV" if message_id == undelivered else "DELIVRD",
        )
    services.notices_refresh(organisation=org)
    notices = Notice.objects.count()
    say(
        f"{ORGANISATION} : {len(run_days) + 1} jours de relance, {notices} avis, "
        f"{len(sent)} SMS envoyés (1 non remis)"
        + (f", taxation d'office {late.period} annulée par la déclaration" if late else "")
    )
    return {"notices": notices, "sms": len(sent)}
