"""Family allowances in payment: turn the children's rights into benefits in payment, and
record the documents that keep them (kafo/payroll/domain/allowances.py has the rules).

`allowances_put_in_payment(organisation=, on=)` reads, for every insured parent of the
organisation, their children (registry `Dependant`, relationship child), the documents recorded
for them (`ChildDocument`), the parent's declared days in the months before and the family
allowances already in payment, then brings each child's benefit in line with the rules on `on`:

- a child paid and without an open benefit: a `BenefitInPayment` (kind family_allowance, payee
  the insured parent, `dependant` the child) from the first day of its coverage — not before
  the month of `on` for a new right, not before the day after the previous benefit's end (a
  document brought after a stop pays the months between as arrears) — with an amount version at
  the rule's amount, created in bulk;
- a paid child's `end_date` is the eve of the birthday that closes the right when no document
  of the next band is recorded (the run pays up to it and never after, even before this
  service stops it); a document recorded later moves it;
- a right that ended: at a band's birthday without the next band's document, or past the last
  band, the benefit stops (reason age limit, dated the birthday, or the 1st of the next month
  with `stop_at: end_of_month`); when the band's document runs out (a school year not renewed),
  the parent's work condition fails or the maximum of children is reached, it is suspended
  (the months wait: a document, a late declaration or a sibling aging out resumes it, and the
  next run pays them) — assumption: the sources do not say whether such months are lost;
- a suspended benefit whose child is covered again resumes; if its coverage broke in between
  (a school year missed), it stops at the suspension and a new one starts with the coverage.

Idempotent: a second call on the same date changes nothing. Writes go through the state
functions of kafo/payroll/services.py (dated, audited) except the bulk creation, audited in bulk.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.contributions.domain import periods as declaration_periods
from kafo.contributions.models import DeclarationLine, DeclarationStatus
from kafo.organisations.models import Organisation
from kafo.registry.models import Dependant, Person, Relationship

from . import services
from .domain import allowances as af
from .models import (
    AmountVersion,
    BenefitInPayment,
    BenefitKind,
    ChildDocument,
    DocumentKind,
    Reason,
    Status,
    StatusChange,
)
from .payment_calendar import payment_terms

REFERENCE_FILE = Path(__file__).parent / "reference" / "family_allowances.yaml"
OPEN = (Status.IN_PAYMENT, Status.SUSPENDED)
CHANNEL_FIELDS = (
    "channel",
    "account_holder",
    "rib",
    "iban",
    "bic",
    "msisdn",
    "operator",
    "paying_agency",
)


@lru_cache(maxsize=1)
def _versions() -> dict[str, list[af.AllowanceRules]]:
    return af.load_reference(REFERENCE_FILE.read_text(encoding="utf-8"))


def allowance_rules(organisation_code: str, on: dt.date) -> af.AllowanceRules | None:
    """The organisation's family-allowance rules in force on `on` (None: none recorded)."""
    return af.rules_in_force(_versions().get(organisation_code, []), on)


def suspension_note(reason: str) -> str:
    return {
        af.DOCUMENT_MISSING: _(
            "pièce justificative (scolarité, apprentissage, invalidité) non fournie"
        ),
        af.NO_WORK: _("condition d'activité du parent non remplie"),
        af.MAX_CHILDREN: _("nombre maximal d'enfants atteint"),
    }.get(reason, _("droit non ouvert"))


@dataclass
class AllowancesResult:
    created: int = 0
    suspended: int = 0
    resumed: int = 0
    stopped: int = 0
    end_dates: int = 0
    amounts: int = 0


def _month_start(on: dt.date) -> dt.date:
    return on.replace(day=1)


def _documents(org_id: int, child_ids: list[int]) -> dict[int, list[af.Document]]:
    docs: dict[int, list[af.Document]] = defaultdict(list)
    rows = ChildDocument.unscoped.filter(
        organisation_id=org_id, dependant_id__in=child_ids
    ).values_list("dependant_id", "kind", "valid_from", "valid_until")
    for child_id, kind, start, until in rows:
        docs[child_id].append(af.Document(kind, start, until))
    return docs


def _work_days(
    org_id: int, person_ids: list[int], rules: af.AllowanceRules, on: dt.date
) -> dict[int, dict[tuple[int, int], int]]:
    """Days declared per parent and month in the work condition's window (quarters spread)."""
    index = on.year * 12 + on.month - 1
    months = [
        f"{(index - k) // 12}-{(index - k) % 12 + 1:02d}"
        for k in range(1, rules.work.lookback_months + 1)
    ]
    periods = {p for m in months for p in declaration_periods.overlapping(m)}
    rows = DeclarationLine.unscoped.filter(
        organisation_id=org_id,
        person_id__in=person_ids,
        declaration__status=DeclarationStatus.IN_FORCE,
        declaration__period__in=periods,
    ).values_list("person_id", "declaration__period", "days_worked")
    days: dict[int, dict[tuple[int, int], int]] = defaultdict(lambda: defaultdict(int))
    for person_id, period, worked in rows:
        covered = declaration_periods.months_in(period)
        share = worked // len(covered)
        for i, month in enumerate(covered):
            last = i == len(covered) - 1
            year, mm = (int(x) for x in month.split("-"))
            days[person_id][(year, mm)] += worked - share * (len(covered) - 1) if last else share
    return days


@transaction.atomic
def allowances_put_in_payment(
    *, organisation: Organisation, on: dt.date, user=None, parents: list[int] | None = None
) -> AllowancesResult:
    """Bring the family allowances of `organisation` in line with the rules on `on` (see the
    module docstring); `parents`: only these insured persons' children."""
    result = AllowancesResult()
    rules = allowance_rules(organisation.code, on)
    if rules is None:
        return result
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    children_qs = Dependant.unscoped.filter(
        organisation_id=organisation.pk, relationship=Relationship.CHILD
    )
    if parents is not None:
        children_qs = children_qs.filter(person_id__in=parents)
    children = list(children_qs.values_list("pk", "person_id", "birth_date").order_by("pk"))
    if not children:
        return result
    child_ids = [c[0] for c in children]
    parent_ids = sorted({c[1] for c in children})
    documents = _documents(organisation.pk, child_ids)
    work = _work_days(organisation.pk, parent_ids, rules, on)
    benefits: dict[int, list[BenefitInPayment]] = defaultdict(list)
    for b in BenefitInPayment.unscoped.filter(
        organisation_id=organisation.pk,
        kind=BenefitKind.FAMILY_ALLOWANCE,
        dependant_id__in=child_ids,
    ).order_by("start_date", "pk"):
        benefits[b.dependant_id].append(b)
    amounts: dict[int, tuple[dt.date, object]] = {}
    for benefit_id, start, amount in AmountVersion.unscoped.filter(
        benefit__in=[b for bs in benefits.values() for b in bs if b.status in OPEN],
        effective_from__lte=on,
    ).values_list("benefit_id", "effective_from", "monthly_amount"):
        if benefit_id not in amounts or amounts[benefit_id][0] < start:
            amounts[benefit_id] = (start, amount)
    persons = Person.unscoped.in_bulk(parent_ids)
    by_parent: dict[int, list[af.Child]] = defaultdict(list)
    for child_id, parent_id, birth in children:
        by_parent[parent_id].append(af.Child(child_id, birth))

    to_create: list[tuple[BenefitInPayment, af.ChildRight]] = []
    for parent_id, kids in by_parent.items():
        work_met = af.work_condition_met(rules, work.get(parent_id, {}), on)
        rights = af.family_rights(rules, kids, documents, work_met=work_met, on=on)
        for kid, right in zip(kids, rights, strict=True):
            docs = documents.get(kid.key, [])
            history = benefits.get(kid.key, [])
            current = next((b for b in history if b.status in OPEN), None)
            last_end = max((b.end_date for b in history if b.end_date), default=None)
            if right.paid:
                new = _apply_paid(rules, kid, docs, right, current, last_end, on, user, result)
                if new is not None:
                    new.person = persons[parent_id]
                    to_create.append((new, right))
                elif current is not None:
                    _keep_amount(rules, current, amounts.get(current.pk), on, user, result)
            elif current is not None:
                _apply_unpaid(rules, kid, docs, right, current, on, user, result)
    _create(organisation, rules, to_create, on, user, result)
    return result


def _end_date(right: af.ChildRight) -> dt.date | None:
    """The last day due known in advance: the eve of an age limit (a document running out
    suspends instead, so it sets none)."""
    if right.end is not None and right.end.reason == af.AGE_LIMIT:
        return right.end.last_day_paid
    return None


def _apply_paid(rules, kid, docs, right, current, last_end, on, user, result):
    """A paid child: a new benefit to create (returned, unsaved), or the open one kept right."""
    since = af.covered_since(rules, kid, docs, on)
    end_date = _end_date(right)
    if current is not None and current.status == Status.SUSPENDED:
        if since > current.status_since:
            # coverage broke while suspended: the months between are not due
            services.benefit_stop(
                benefit=current,
                reason=Reason.END_OF_RIGHT,
                last_day=current.status_since - dt.timedelta(days=1),
                user=user,
                note=suspension_note(af.DOCUMENT_MISSING),
            )
            result.stopped += 1
            last_end = current.status_since - dt.timedelta(days=1)
            current = None
        else:
            services.benefit_resume(benefit=current, user=user, on=current.status_since)
            current.refresh_from_db()
            result.resumed += 1
    if current is not None:
        if current.end_date != end_date:
            before = audit.snapshot(current)
            current.end_date = end_date
            current.save(update_fields=["end_date"])
            audit.record_updated(current, before, subject=current)
            result.end_dates += 1
        return None
    floor = last_end + dt.timedelta(days=1) if last_end else _month_start(on)
    start = max(since, floor)
    return BenefitInPayment(end_date=end_date, start_date=start, dependant_id=kid.key)


def _apply_unpaid(rules, kid, docs, right, current, on, user, result):
    """A child not paid on `on` with an open benefit: stop it or suspend it."""
    if current.status == Status.SUSPENDED:
        if right.reason in (af.AGE_LIMIT, af.TOO_YOUNG, af.NO_BIRTH_DATE):
            services.benefit_stop(
                benefit=current,
                reason=Reason.AGE_LIMIT if right.reason == af.AGE_LIMIT else Reason.END_OF_RIGHT,
                last_day=current.status_since - dt.timedelta(days=1),
                user=user,
            )
            result.stopped += 1
        return
    end = af.right_end(rules, kid, docs, current.status_since)
    if right.reason in (af.NO_WORK, af.MAX_CHILDREN) or (
        end is not None and end.reason == af.DOCUMENT_MISSING
    ):
        day = end.first_day_without if end is not None and end.first_day_without <= on else None
        day = day or max(_month_start(on), current.status_since)
        reason = right.reason if right.reason in (af.NO_WORK, af.MAX_CHILDREN) else end.reason
        services.benefit_suspend(
            benefit=current,
            reason=(
                Reason.DOCUMENT_MISSING
                if reason == af.DOCUMENT_MISSING
                else Reason.OTHER_SUSPENSION
            ),
            on=day,
            user=user,
            note=suspension_note(reason),
        )
        result.suspended += 1
        return
    if end is not None and end.reason == af.AGE_LIMIT:
        services.benefit_stop(
            benefit=current, reason=Reason.AGE_LIMIT, last_day=end.last_day_paid, user=user
        )
    else:  # the birth date or the documents changed under the benefit
        services.benefit_stop(
            benefit=current,
            reason=Reason.END_OF_RIGHT,
            last_day=max(_month_start(on), current.start_date) - dt.timedelta(days=1),
            user=user,
        )
    result.stopped += 1


def _keep_amount(rules, benefit, current_amount, on, user, result):
    """A new rule version's amount becomes a new amount version (never an edit)."""
    if current_amount is not None and current_amount[1] == rules.monthly_amount:
        return
    version = AmountVersion.objects.create(
        organisation_id=benefit.organisation_id,
        benefit=benefit,
        effective_from=max(rules.valid_from, benefit.start_date),
        monthly_amount=rules.monthly_amount,
        reason=AmountVersion.Cause.ALLOWANCE,
        created_by=user,
        created_at=timezone.now(),
    )
    audit.record_created(version, subject=benefit)
    result.amounts += 1


def _channel_of_parent(org_id: int, person_ids: list[int]) -> dict[int, dict]:
    """The channel of each parent's latest benefit in payment (else cash, agency to set)."""
    channels: dict[int, dict] = {}
    rows = (
        BenefitInPayment.unscoped.filter(organisation_id=org_id, person_id__in=person_ids)
        .exclude(status=Status.STOPPED)
        .order_by("person_id", "-created_at", "-pk")
        .values("person_id", *CHANNEL_FIELDS)
    )
    for row in rows:
        channels.setdefault(row.pop("person_id"), row)
    return channels


def _create(organisation, rules, to_create, on, user, result):
    if not to_create:
        return
    now = timezone.now()
    channels = _channel_of_parent(organisation.pk, sorted({b.person.pk for b, _r in to_create}))
    rows = []
    for benefit, _right in to_create:
        frequency, timing = payment_terms(
            organisation.code, BenefitKind.FAMILY_ALLOWANCE, benefit.start_date
        )
        benefit.organisation_id = organisation.pk
        benefit.kind = BenefitKind.FAMILY_ALLOWANCE
        benefit.payee_name = benefit.person.full_name
        benefit.frequency = frequency
        benefit.timing = timing
        benefit.status = Status.IN_PAYMENT
        benefit.status_since = benefit.start_date
        benefit.status_reason = Reason.START
        benefit.created_by = user
        benefit.created_at = now
        for field, value in channels.get(benefit.person.pk, services.DEFAULT_CASH).items():
            setattr(benefit, field, value)
        rows.append(benefit)
    BenefitInPayment.unscoped.bulk_create(rows, batch_size=2000)
    versions = [
        AmountVersion(
            organisation_id=organisation.pk,
            benefit=b,
            effective_from=b.start_date,
            monthly_amount=rules.monthly_amount,
            reason=AmountVersion.Cause.ALLOWANCE,
            created_by=user,
            created_at=now,
        )
        for b in rows
    ]
    changes = [
        StatusChange(
            organisation_id=organisation.pk,
            benefit=b,
            on=b.start_date,
            status=Status.IN_PAYMENT,
            reason=Reason.START,
            by=user,
            recorded_at=now,
        )
        for b in rows
    ]
    AmountVersion.unscoped.bulk_create(versions, batch_size=2000)
    StatusChange.unscoped.bulk_create(changes, batch_size=2000)
    audit.record_created_many(rows, subject_type="benefitinpayment", subject_field="pk")
    for group in (versions, changes):
        audit.record_created_many(
            group, subject_type="benefitinpayment", subject_field="benefit_id"
        )
    result.created += len(rows)


# --- documents --------------------------------------------------------------------------------


@transaction.atomic
def child_document_record(
    *,
    dependant: Dependant,
    kind: str,
    user,
    school_year: int | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    reference: str = "",
    issuer: str = "",
    on: dt.date | None = None,
) -> ChildDocument:
    """Record a child's school, apprenticeship or disability document, then bring the parent's
    allowances in line on `on` (today by default): a document of the next band recorded after
    the birthday puts the allowance back in payment from that birthday."""
    on = on or timezone.localdate()
    org = dependant.organisation
    rules = allowance_rules(org.code, on)
    errors: dict[str, str] = {}
    if dependant.relationship != Relationship.CHILD:
        errors["dependant"] = _("Les pièces d'allocations familiales concernent un enfant.")
    if kind not in DocumentKind.values:
        errors["kind"] = _("Pièce inconnue « %(kind)s ».") % {"kind": kind}
    if rules is None:
        errors["dependant"] = _("%(org)s n'a pas de barème d'allocations familiales au %(d)s.") % {
            "org": org.code,
            "d": on.strftime("%d/%m/%Y"),
        }
    if errors:
        raise ValidationError(errors)
    if kind in af.SCHOOL_YEAR_KINDS:
        if school_year is None or not 1950 <= school_year <= on.year + 1:
            raise ValidationError(
                {"school_year": _("Année scolaire attendue (par exemple %(y)s pour %(label)s).")
                 % {"y": on.year, "label": af.school_year_label(on.year)}}
            )  # fmt: skip
        valid_from, valid_until = af.school_year(rules, school_year)
        if ChildDocument.unscoped.filter(
            dependant=dependant, kind=kind, school_year=school_year
        ).exists():
            raise ValidationError(
                {"school_year": _("Cette pièce est déjà enregistrée pour l'année scolaire %(l)s.")
                 % {"l": af.school_year_label(school_year)}}
            )  # fmt: skip
    else:
        school_year = None
        if valid_from is None:
            raise ValidationError({"valid_from": _("Date de début de validité attendue.")})
        if valid_until is not None and valid_until < valid_from:
            raise ValidationError(
                {"valid_until": _("La fin de validité précède son début (%(d)s).")
                 % {"d": valid_from.strftime("%d/%m/%Y")}}
            )  # fmt: skip
    document = ChildDocument.objects.create(
        organisation_id=dependant.organisation_id,
        dependant=dependant,
        kind=kind,
        school_year=school_year,
        valid_from=valid_from,
        valid_until=valid_until,
        reference=reference.strip()[:120],
        issuer=issuer.strip()[:200],
        recorded_by=user,
        recorded_at=timezone.now(),
    )
    audit.record_created(document, subject=dependant.person)
    allowances_put_in_payment(organisation=org, on=on, user=user, parents=[dependant.person_id])
    # the same document may carry an orphan's pension past its age limit
    services.orphans_extend_for_dependant(dependant=dependant, user=user)
    return document
