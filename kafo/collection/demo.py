"""Demo data of collection follow-up (`kafo demo`, after the payroll's demo step).

At CNPS-CI, through the real services, as of the demo's day:
- the collection rules seeded (`kafo collection seed`);
- the last 16 months declared by every active employer that has workers (taken-over history:
  no late penalty, no worker SMS), each worker on a salary of their own, from the quarter of
  its registration; a month none of its workers covers declares its first workers (the demo's
  employments are not a payroll); an active employer without any worker is put dormant
  (suspended) from its registration;
- a few dozen employers silent: a third since the third last quarter's last month, a third
  for the last two months, a third for the last month only (among them the employer of the
  demo's employer login, `cnps-ci.employeur`, given an e-mail address): the non-filers list
  of the last month shows them;
- the daily run (`collection_daily`) on the days the stages fell due over the last three months,
  so reminders, overdue notices, formal notices and assessments are there as they would have
  been sent; one assessed month then declared late for real (its assessment reversed, its late
  penalty posted and noticed, its workers told by SMS);
- the messages handed to the recording SMS gateway and e-mail backend, the SMS receipts
  recorded: delivered, one failed.

Idempotent: skipped when CNPS-CI already has notices.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

ORGANISATION = "CNPS-CI"
HISTORY_MONTHS = 16  # the daily runs replayed from three months back look 12 months behind
SILENT = 36
EMPLOYER_LOGIN = "cnps-ci.employeur"


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
    """Seed CNPS-CI's collection demo (see the module's notes); return what was made."""
    import polars as pl
    from django.db import transaction
    from django.db.models import Q
    from django.test.utils import override_settings
    from django.utils import timezone

    from kafo.accounts.models import User
    from kafo.contributions.domain import periods
    from kafo.contributions.services import declaration_submit, import_frame
    from kafo.jobs import run_pending
    from kafo.messaging.models import MessageStatus, SmsMessage
    from kafo.messaging.services import record_receipt
    from kafo.organisations.models import Organisation
    from kafo.organisations.tenancy import tenant_scope, zone_scope
    from kafo.registry.models import Employer, EmployerStatus, Employment
    from kafo.registry.services import employer_update

    from . import services
    from .models import Notice

    today = today or timezone.localdate()
    with zone_scope():
        services.collection_rules_seed()
        org = Organisation.objects.filter(code=ORGANISATION).first()
    if org is None:
        return {}
    with tenant_scope(org):
        if Notice.objects.exists():
            return {}
        months = [_month(today, back) for back in range(HISTORY_MONTHS, 0, -1)]
        first_start = periods.parse(months[0])[0]
        last_end = periods.parse(months[-1])[1]
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
        # dormant: active, registered, no worker over the period
        dormant = Employer.objects.filter(status=EmployerStatus.ACTIVE).exclude(pk__in=with_workers)
        for employer in dormant:
            employer_update(
                employer=employer,
                data={"status": EmployerStatus.SUSPENDED, "status_since": employer.registered_on},
            )
        login = User.objects.filter(username=EMPLOYER_LOGIN).first()
        candidates = [pk for pk in with_workers if login is None or pk != login.employer_id]
        silent = candidates[:: max(1, len(candidates) // SILENT)][: SILENT - 1]
        if login is not None and login.employer_id in with_workers:
            silent.insert(0, login.employer_id)
            if not login.email:
                login.email = "comptabilite@employeur-demo.ci"
                login.save(update_fields=["email"])
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
        rows = []
        for emp_id, its_jobs in by_employer.items():
            registered_on = its_jobs[0][2]
            for i, period in enumerate(months):
                p_start, p_end = periods.parse(period)
                quarter_end = periods.parse(f"{period[:4]}-Q{(p_start.month - 1) // 3 + 1}")[1]
                if i >= stop_from.get(emp_id, len(months)) or registered_on > quarter_end:
                    continue
                if stopped.get(emp_id) and stopped[emp_id] < p_start:  # closed or suspended
                    continue
                for _e, emp_no, _r, person_id, number, family, given, _s, _end in _workers(
                    its_jobs, p_start, p_end
                ):
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
        import_frame(frame=frame, organisation=org, migration=True, today=today)
        say(
            f"{ORGANISATION} : {frame.height} lignes déclarées sur {len(months)} mois, "
            f"{len(silent)} employeurs silencieux, {dormant.count()} mis en sommeil"
        )

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
    return {"notices": notices, "silent": len(silent), "sms": len(sent)}
