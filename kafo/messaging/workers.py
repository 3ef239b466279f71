"""SMS to insured workers: what their employer declared for them, and what it did not.

- `notify_declared_workers(declaration_ids)`: each worker named on an accepted declaration who
  has a phone number gets "Votre employeur X a déclaré pour 10/2026 un salaire de 125 000 FCFA".
  Enqueued once per import (kafo.contributions.services, on commit), run later by the worker:
  a 50,000-line declaration costs its import one job row.
- `notify_undeclared_workers(organisation, quarter)`: once a quarter, each worker declared by an
  employer in the previous quarter, not declared by it in this one, and whose employment with it
  has not ended, is told.
Both are set-based (a few queries, bulk insert of the SMS rows) and idempotent (a message
already queued for the same worker and declaration, or worker, employer and quarter, is not
queued again).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Sum

from kafo.contributions.domain import periods
from kafo.contributions.models import Declaration, DeclarationLine, DeclarationStatus
from kafo.messaging.domain.gsm7 import SINGLE_SMS_SEPTETS, septets, to_gsm7
from kafo.messaging.models import SmsMessage
from kafo.messaging.services import SmsRequest, queue_sms_many
from kafo.registry.models import Employment

PURPOSE_DECLARED = "worker_declared"
PURPOSE_UNDECLARED = "worker_undeclared"  # + ":" + quarter


def period_label(period: str) -> str:
    """'2026-10' → '10/2026'; '2026-Q3' → 'T3 2026' (French quarter notation)."""
    year, rest = period.split("-")
    return f"T{rest[1]} {year}" if rest.startswith("Q") else f"{rest}/{year}"


def money_label(amount: Decimal, currency: str) -> str:
    """125000 → '125 000 FCFA' (plain spaces: the narrow no-break space is not GSM-7)."""
    unit = "FCFA" if currency in ("XOF", "XAF") else currency
    return f"{int(amount):,}".replace(",", " ") + f" {unit}"


def _fit(template: str, name: str) -> str:
    """Fill `{name}` into `template`, shortening the name so the SMS stays one GSM-7 SMS."""
    text = to_gsm7(template.format(name=name))
    name = to_gsm7(name)
    while septets(text) > SINGLE_SMS_SEPTETS and len(name) > 8:
        name = name[: max(8, len(name) - (septets(text) - SINGLE_SMS_SEPTETS) - 1)].rstrip() + "."
        text = to_gsm7(template.format(name=name))
    return text


def declared_text(*, employer_name: str, period: str, salary: Decimal, currency: str) -> str:
    return _fit(
        "Votre employeur {name} a déclaré pour "
        f"{period_label(period)} un salaire de {money_label(salary, currency)}",
        employer_name,
    )


def undeclared_text(*, organisation_code: str, employer_name: str, quarter: str) -> str:
    return _fit(
        f"{organisation_code} : votre employeur {{name}} n'a pas déclaré votre salaire pour "
        f"{period_label(quarter)}. Renseignez-vous auprès de lui ou de votre agence "
        f"{organisation_code}.",
        employer_name,
    )


def notify_declared_workers(organisation_id: int, declaration_ids: list[int]) -> int:
    """Queue the SMS of every worker with a phone named on the declarations; return the count."""
    declarations = {
        d.pk: d
        for d in Declaration.unscoped.filter(
            organisation_id=organisation_id,
            pk__in=declaration_ids,
            status=DeclarationStatus.IN_FORCE,
        ).select_related("employer", "organisation__country")
    }
    if not declarations:
        return 0
    lines = (
        DeclarationLine.unscoped.filter(
            organisation_id=organisation_id,
            declaration_id__in=list(declarations),
            person__isnull=False,
        )
        .exclude(person__phone="")
        .values("declaration_id", "person_id", "person__phone")
        .annotate(salary=Sum("gross_salary"))
        .order_by("declaration_id", "person_id")
    )
    already = set(
        SmsMessage.unscoped.filter(
            organisation_id=organisation_id,
            purpose=PURPOSE_DECLARED,
            related_label="contributions.declaration",
            related_id__in=list(declarations),
        ).values_list("related_id", "raw_to")
    )
    by_declaration: dict[int, list[SmsRequest]] = {}
    for line in lines:
        decl = declarations[line["declaration_id"]]
        phone = line["person__phone"]
        if (decl.pk, phone[:40]) in already:
            continue
        by_declaration.setdefault(decl.pk, []).append(
            SmsRequest(
                to=phone,
                text=declared_text(
                    employer_name=decl.employer.legal_name,
                    period=decl.period,
                    salary=line["salary"],
                    currency=decl.organisation.currency,
                ),
            )
        )
    count = 0
    for decl_id, requests in by_declaration.items():
        decl = declarations[decl_id]
        count += len(
            queue_sms_many(
                organisation=decl.organisation,
                requests=requests,
                purpose=PURPOSE_DECLARED,
                related=("contributions.declaration", decl_id),
            )
        )
    return count


def _previous_quarter(quarter: str) -> str:
    start, _end = periods.parse(quarter)
    prev = start - dt.timedelta(days=1)
    return f"{prev.year}-Q{(prev.month - 1) // 3 + 1}"


def notify_undeclared_workers(*, organisation, quarter: str) -> int:
    """Queue an SMS to each worker expected and not declared in `quarter` ('2026-Q3').

    Expected: on an in-force declaration of an employer for the previous quarter or one of its
    months, with a phone number, and no end of employment with that employer before the quarter.
    Not declared: on no in-force declaration of that employer for the quarter or its months.
    Run it after the quarter's declarations are due (`kafo messaging_undeclared`); idempotent.
    """
    quarter = periods.normalise(quarter)
    if not periods.is_quarterly(quarter):
        raise ValueError(f"trimestre attendu (AAAA-T1…T4), reçu {quarter}")
    start, _end = periods.parse(quarter)
    previous = _previous_quarter(quarter)
    in_force = Q(declaration__status=DeclarationStatus.IN_FORCE)
    declared_now = DeclarationLine.unscoped.filter(
        in_force,
        organisation_id=organisation.pk,
        person_id=OuterRef("person_id"),
        declaration__employer_id=OuterRef("declaration__employer_id"),
        declaration__period__in=[quarter, *periods.months_in(quarter)],
    )
    ended = Employment.unscoped.filter(
        organisation_id=organisation.pk,
        person_id=OuterRef("person_id"),
        employer_id=OuterRef("declaration__employer_id"),
        end_date__lt=start,
    )
    expected = (
        DeclarationLine.unscoped.filter(
            in_force,
            organisation_id=organisation.pk,
            declaration__period__in=[previous, *periods.months_in(previous)],
            person__isnull=False,
        )
        .exclude(person__phone="")
        .filter(~Exists(declared_now), ~Exists(ended))
        .values_list(
            "declaration__employer_id", "declaration__employer__legal_name", "person__phone"
        )
        .distinct()
        .order_by("declaration__employer_id", "person__phone")
    )
    purpose = f"{PURPOSE_UNDECLARED}:{quarter}"
    already = set(
        SmsMessage.unscoped.filter(organisation_id=organisation.pk, purpose=purpose).values_list(
            "related_id", "raw_to"
        )
    )
    by_employer: dict[int, list[SmsRequest]] = {}
    for employer_id, name, phone in expected:
        if (employer_id, phone[:40]) in already:
            continue
        by_employer.setdefault(employer_id, []).append(
            SmsRequest(
                to=phone,
                text=undeclared_text(
                    organisation_code=organisation.code, employer_name=name, quarter=quarter
                ),
            )
        )
    count = 0
    for employer_id, requests in by_employer.items():
        count += len(
            queue_sms_many(
                organisation=organisation,
                requests=requests,
                purpose=purpose,
                related=("registry.employer", employer_id),
            )
        )
    return count


# ASSUMPTION (no source fixes it): a quarter's workers are checked once its declarations are
# 45 days late at most due (the due day is in the month after the period); the check is
# idempotent, so a daily run may call it every day.
CHECK_AFTER_DAYS = 45


def quarter_to_check(on: dt.date) -> str:
    """The latest quarter ended at least CHECK_AFTER_DAYS before `on` ('2026-Q3')."""
    # the day after the latest day a checkable quarter may end on; its quarter is not checkable
    day = on - dt.timedelta(days=CHECK_AFTER_DAYS - 1)
    q = (day.month - 1) // 3
    year, q = (day.year, q) if q else (day.year - 1, 4)
    return f"{year}-Q{q}"
