"""Demo history for the dashboards (`kafo demo`, the last step): 24 months of figures.

After the other demo steps, for each organisation whose employers declare (all of them: the
collection step declares 24 months everywhere, kafo/collection/demo.py):
- the declarations of the months before the existing history, if it is shorter, back to 24
  months, taken over from the former system (`import_frame(migration=True)`: no late
  penalty): the same workers as the earliest declared month, salaries 0.5 % lower a month back;
- the employers' payments of those 24 months, as the former system recorded them: most
  employers pay each month's contributions within 20 days of the due date, one in nine never
  pays (the arrears), one in seven pays half, the last month is not yet paid by one in four
  (bulk insert, one audit event per payment);
- the late-payment penalties of today for the PENALISED employers owing the most (the ledger's
  own rule, `penalties_apply`), so accounts and the arrears show penalties;
then, for each organisation, decided claims of the 24 months (their delays from a week to five
months; copies of its demo claims, or old-age pension claims of its oldest insured where it has
none) so that the time-to-liquidate indicators have a history; and finally
`kafo stats compute` over the 24 months.

Payroll runs are not back-filled: the payment failure rate starts with the first real run
("pas encore de données" before it).

Deterministic (no randomness: by employer id and month). Idempotent: skipped when the
organisation already has payments taken over.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

MONTHS = 24
DECIDED_PER_MONTH = 4
PENALISED = 6  # employers per organisation whose late-payment penalties are posted


def _month(day: dt.date, back: int) -> str:
    index = day.year * 12 + day.month - 1 - back
    return f"{index // 12}-{index % 12 + 1:02d}"


def stats_demo_seed(*, say=lambda _msg: None, today: dt.date | None = None) -> dict:
    """Seed the history (see the module's notes), compute the snapshots; return counts."""
    from django.utils import timezone

    from kafo.organisations.models import Organisation
    from kafo.organisations.tenancy import tenant_scope, zone_scope
    from kafo.stats.compute import compute_all

    today = today or timezone.localdate()
    made: dict = {}
    with zone_scope():
        organisations = list(Organisation.objects.order_by("code"))
    for org in organisations:
        with tenant_scope(org):
            declared = _declarations(org, today)
            paid = _payments(org, today)
            penalties = _penalties(org, today) if paid else 0
            claims = _claims(org, today)
        if declared or paid or claims:
            made[org.code] = (declared, paid, claims)
            say(
                f"{org.code} : {declared} ligne(s) déclarée(s) reprises, {paid} paiement(s), "
                f"{penalties} majoration(s), {claims} demande(s) décidée(s) sur {MONTHS} mois"
            )
    periods = [_month(today, back) for back in range(MONTHS, 0, -1)]
    with zone_scope():
        result = compute_all(periods)
    say(f"{result.rows} valeurs calculées sur {MONTHS} mois en {result.seconds:.1f} s")
    return made


def _declarations(org, today: dt.date) -> int:
    """Lines taken over for the months before the earliest monthly declaration kept."""
    import polars as pl
    from django.db.models import Count

    from kafo.contributions.models import Declaration, DeclarationLine
    from kafo.contributions.services import import_frame

    months = [_month(today, back) for back in range(MONTHS, 0, -1)]
    counts = dict(
        Declaration.objects.filter(status="in_force", period__in=months)
        .values_list("period")
        .annotate(n=Count("pk"))
    )
    if max(counts.values(), default=0) < 10:  # career histories, not a workforce: leave it
        return 0
    first = next(m for m in months if counts.get(m, 0) * 2 >= max(counts.values()))
    earlier = [m for m in months if m < first]
    if not earlier:
        return 0
    quarters = {m: f"{m[:4]}-Q{(int(m[5:]) - 1) // 3 + 1}" for m in earlier}
    taken = set(
        Declaration.objects.filter(
            status="in_force", period__in=[*earlier, *quarters.values()]
        ).values_list("employer__number", "period")
    )
    lines = list(
        DeclarationLine.objects.filter(
            declaration__period=first, declaration__status="in_force"
        ).values_list(
            "declaration__employer__number",
            "worker_number",
            "family_name",
            "given_names",
            "days_worked",
            "gross_salary",
        )
    )
    rows = []
    for back, period in enumerate(reversed(earlier), start=1):
        factor = Decimal(1) - Decimal("0.005") * back
        for emp, worker, family, given, days, gross in lines:
            if (emp, period) in taken or (emp, quarters[period]) in taken:
                continue
            salary = (Decimal(gross) * factor).quantize(Decimal(1))
            rows.append((emp, period, worker, family, given, str(days), str(salary)))
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
    return frame.height


def _payments(org, today: dt.date) -> int:
    """Payments of the contributions due over the 24 months (see the module's notes)."""
    from django.db.models import Sum

    from kafo.audit.services import record_created_many
    from kafo.bulk import insert_many
    from kafo.contributions.models import LedgerEntry, Payment

    if Payment.objects.filter(reference__startswith="REPRISE-").exists():
        return 0  # (other steps' payments, e.g. voluntary members', do not count)
    first = dt.date.fromisoformat(_month(today, MONTHS) + "-01")
    dues = (
        LedgerEntry.objects.filter(kind="contribution", due_date__gte=first, due_date__lt=today)
        .values_list("employer_id", "period", "due_date")
        .annotate(amount=Sum("amount"))
        .order_by("due_date", "employer_id")
    )
    last_due = max((d for _e, _p, d, _a in dues), default=None)
    payments = []
    for employer_id, period, due, amount in dues:
        if not amount or amount <= 0 or employer_id % 9 == 0:
            continue
        if due == last_due and employer_id % 4 == 0:
            continue
        value = amount if employer_id % 7 else (amount / 2).quantize(Decimal(1))
        paid_on = min(due + dt.timedelta(days=(employer_id * 7 + due.month) % 21), today)
        payments.append(
            Payment(
                organisation=org,
                employer_id=employer_id,
                paid_on=paid_on,
                amount=value,
                method="bank",
                reference=f"REPRISE-{employer_id}-{period}"[:60],
            )
        )
    if not payments:
        return 0
    # unique references (uniq_payment_reference): each payment's id read back by it
    insert_many(Payment, payments)
    ids = dict(
        Payment.objects.filter(reference__startswith="REPRISE-").values_list("reference", "pk")
    )
    for p in payments:
        p.pk = ids[p.reference]
        p._state.adding = False
    entries = [
        LedgerEntry(
            organisation=org,
            employer_id=p.employer_id,
            kind="payment",
            due_date=p.paid_on,
            amount=-p.amount,
            payment=p,
            label=f"Paiement repris de l'ancien système {p.reference}",
        )
        for p in payments
    ]
    insert_many(LedgerEntry, entries)
    record_created_many(payments, subject_type="registry.employer", subject_field="employer_id")
    return len(payments)


def _penalties(org, today: dt.date) -> int:
    """Late-payment penalties of today on the PENALISED employers owing the most (through the
    ledger's own rule: cumulative, net of those posted, audited); return the entries posted."""
    from django.db.models import Sum

    from kafo.contributions.ledger import penalties_apply
    from kafo.contributions.models import LedgerEntry
    from kafo.registry.models import Employer

    owing = (
        LedgerEntry.objects.values("employer_id")
        .annotate(balance=Sum("amount"))
        .filter(balance__gt=0)
        .order_by("-balance", "employer_id")
        .values_list("employer_id", flat=True)[:PENALISED]
    )
    return sum(
        len(penalties_apply(employer=employer, as_of=today))
        for employer in Employer.objects.filter(pk__in=list(owing)).order_by("pk")
    )


def _claims(org, today: dt.date) -> int:
    """Claims decided over the 24 months, copies of the organisation's demo claims."""
    from kafo.audit.services import record_created_many
    from kafo.benefits.models import Claim

    if Claim.objects.filter(decided_at__lt=_aware(today, -60)).exists():
        return 0
    models_ = list(Claim.objects.filter(status__in=["approved", "in_payment", "rejected"]))
    if not models_:  # no demo claim here: old-age pension claims of the oldest insured
        from kafo.registry.models import Person

        born_by = dt.date(today.year - 60, 1, 1)
        models_ = [
            Claim(person_id=pk, kind="pension", category="", approved_under=None)
            for pk in Person.objects.filter(birth_date__lte=born_by)
            .order_by("pk")
            .values_list("pk", flat=True)[: DECIDED_PER_MONTH * 3]
        ]
    if not models_:
        return 0
    made = []
    for back in range(MONTHS, 0, -1):
        for n in range(DECIDED_PER_MONTH):
            model = models_[(back + n) % len(models_)]
            decided = _aware(today, -30 * back + n)
            delay = (7, 25, 48, 75, 110, 150)[(back * 3 + n) % 6]
            rejected = (back + n) % 5 == 0
            made.append(
                Claim(
                    organisation=org,
                    person_id=model.person_id,
                    kind=model.kind,
                    claim_date=(decided - dt.timedelta(days=delay)).date(),
                    category=model.category,
                    status="rejected" if rejected else "approved",
                    opened_at=decided - dt.timedelta(days=delay),
                    computed_at=decided - dt.timedelta(days=max(delay // 2, 1)),
                    submitted_at=decided - dt.timedelta(days=1),
                    decided_at=decided,
                    rejection_reason="Conditions non remplies (dossier repris)" if rejected else "",
                    approved_under=None if rejected else model.approved_under,
                )
            )
    made = Claim.objects.bulk_create(made, batch_size=1000)
    record_created_many(made, subject_type="registry.person", subject_field="person_id")
    return len(made)


def _aware(day: dt.date, days: int) -> dt.datetime:
    from django.utils import timezone

    moment = dt.datetime.combine(day + dt.timedelta(days=days), dt.time(10))
    return timezone.make_aware(moment)
