"""Death of a beneficiary: the death record, overpayments, survivors' claims, catch-up (moved
from services.py, which re-exports every name).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from kafo.audit import services as audit

from .benefit_status import _lock, _now, _set_status, _today, month_end
from .in_payment import benefits_from_claim
from .models import (
    AmountVersion,
    BenefitInPayment,
    BenefitKind,
    DeathRecord,
    Overpayment,
    Reason,
    Status,
)

# --- death ------------------------------------------------------------------------------------


def amounts_paid_after(benefit_ids: list[int], day: dt.date) -> dict[int, Decimal]:
    """What the payroll runs paid to each benefit for days after `day` (the one place that
    reads it; runs.py has no second hook): the lines of runs not cancelled (and not failed),
    for the months after the month of `day`, each such month at the amount in force on its
    first day. (`day` is a month end here: the end of the month of death.)"""
    from .domain.run import month_index, month_start
    from .models import LineStatus, PayrollLine, RunStatus

    after = month_index(day)
    months: dict[int, set[int]] = {}
    rows = (
        PayrollLine.unscoped.filter(benefit_id__in=benefit_ids)
        .exclude(run__status=RunStatus.CANCELLED)
        .exclude(status=LineStatus.FAILED)
        .values_list("benefit_id", "months")
    )
    for benefit_id, paid in rows:
        months.setdefault(benefit_id, set()).update(m for m in paid if m > after)
    out: dict[int, Decimal] = {}
    for benefit_id, ms in months.items():
        versions = list(
            AmountVersion.unscoped.filter(benefit_id=benefit_id)
            .order_by("effective_from")
            .values_list("effective_from", "monthly_amount")
        )
        total = Decimal(0)
        for m in ms:
            first = month_start(m)
            amounts = [a for f, a in versions if f <= first]
            total += amounts[-1] if amounts else Decimal(0)
        if total:
            out[benefit_id] = total
    return out


@transaction.atomic
def death_record(
    *,
    organisation,
    death_date: dt.date,
    source: str,
    user,
    person=None,
    benefit: BenefitInPayment | None = None,
    open_survivors_claim: bool = True,
) -> DeathRecord:
    """Record a payee's death: stop each of their benefits at the end of the month of death,
    record as an overpayment what the runs paid for after that day (recovered by deduction in
    later runs), and open the survivors' claim of a deceased pensioner with dependants."""
    from kafo.benefits.models import Claim, ClaimKind

    source = (source or "").strip()
    errors = {}
    if (person is None) == (benefit is None):
        errors["person"] = _("Indiquer la personne décédée ou la prestation de son bénéficiaire.")
    if not source:
        errors["source"] = _("La source de l'information (acte, mairie, famille) est obligatoire.")
    if death_date > _today():
        errors["death_date"] = _("La date du décès ne peut être dans le futur.")
    if errors:
        raise ValidationError(errors)
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    if person is not None:
        benefits = list(
            BenefitInPayment.objects.select_for_update().filter(
                organisation_id=org_id, person=person
            )  # fmt: skip
        )
    else:
        benefits = [_lock(benefit)]
    if person is not None and DeathRecord.objects.filter(person=person).exists():
        raise ValidationError({"person": _("Le décès de cette personne est déjà enregistré.")})
    if benefit is not None and DeathRecord.objects.filter(benefit=benefit).exists():
        raise ValidationError({"benefit": _("Le décès de ce bénéficiaire est déjà enregistré.")})
    last_day = month_end(death_date)
    paid = amounts_paid_after([b.pk for b in benefits], last_day)
    now = _now()
    for b in benefits:
        if b.status != Status.STOPPED or (b.end_date and b.end_date > last_day):
            end = min(last_day, b.end_date) if b.end_date else last_day
            end = max(end, b.start_date - dt.timedelta(days=1))
            _set_status(
                b,
                status=Status.STOPPED,
                reason=Reason.DEATH,
                on=end + dt.timedelta(days=1),
                user=user,
                note=_("Décès le %(d)s") % {"d": death_date.strftime("%d/%m/%Y")},
                end_date=end,
                payee_death_date=death_date,
            )
        amount = Decimal(paid.get(b.pk) or 0)
        if amount > 0:
            over = Overpayment.objects.create(
                organisation_id=b.organisation_id,
                benefit=b,
                amount=amount,
                reason=Reason.DEATH,
                period_from=last_day + dt.timedelta(days=1),
                note=_("Payé après le mois du décès"),
                created_by=user,
                created_at=now,
            )
            audit.record_created(over, subject=b)
    claim = None
    if open_survivors_claim and person is not None:
        claim = _open_survivors_claim(person, death_date, user, Claim, ClaimKind, benefits)
    record = DeathRecord.objects.create(
        organisation_id=org_id,
        person=person,
        benefit=benefit,
        death_date=death_date,
        source=source[:200],
        survivors_claim=claim,
        recorded_by=user,
        recorded_at=now,
    )
    audit.record_created(record, subject=person or benefit)
    from kafo.interop import outbox  # subscribers told of the death (issue 19)

    outbox.events_record(kind="death", persons=[person or getattr(benefit, "person", None)])
    return record


def _open_survivors_claim(person, death_date, user, Claim, ClaimKind, benefits):
    """The survivors' claim of a deceased pensioner with spouse or child dependants (the
    existing one when already opened)."""
    from kafo.benefits.claims import claim_open
    from kafo.registry.models import Dependant

    pensioner = any(b.kind in (BenefitKind.PENSION, BenefitKind.ALLOWANCE) for b in benefits)
    if not pensioner or not Dependant.objects.filter(person=person).exists():
        return None
    existing = Claim.objects.filter(person=person, kind=ClaimKind.SURVIVORS).first()
    if existing is not None:
        return existing
    return claim_open(
        person=person,
        kind=ClaimKind.SURVIVORS,
        claim_date=_today(),
        user=user,
        death_date=death_date,
    )


@transaction.atomic
def claim_put_in_payment(*, claim, user, channels: dict | None = None) -> list[BenefitInPayment]:
    """Put an approved claim in payment: the claim's state (benefits app) and its benefits in
    payment with their channels, in one transaction (a refused channel changes nothing)."""
    from kafo.benefits.claim_decisions import claim_start_payment

    claim_start_payment(claim=claim, user=user)
    benefits = benefits_from_claim(claim=claim, user=user, channels=channels)
    _deceased_overpayments_to_survivor(claim, benefits, user)
    return benefits


def _deceased_overpayments_to_survivor(claim, benefits, user) -> None:
    """A survivors' claim put in payment: what the deceased was overpaid after the month of
    death (their benefit pays nothing more) is recovered from the first widow's benefit (else
    the first survivor's), by the runs' capped deductions. Audited."""
    survivors = sorted(benefits, key=lambda b: (b.kind != BenefitKind.SURVIVOR, b.pk))
    if not survivors:
        return
    deceased = DeathRecord.objects.filter(survivors_claim=claim).values("person_id")
    owed = Overpayment.objects.filter(
        benefit__person_id__in=deceased, recover_from__isnull=True, recovered__lt=F("amount")
    )
    for over in owed:
        overpayment_recover_from(overpayment=over, benefit=survivors[0], user=user)


@transaction.atomic
def overpayment_recover_from(*, overpayment: Overpayment, benefit: BenefitInPayment | None,
                             user) -> Overpayment:  # fmt: skip
    """Say from which benefit the runs recover an overpayment (None or its own benefit: its own
    benefit). The target must be of the same organisation and not stopped; a recovered
    overpayment stays as it is."""
    over = Overpayment.objects.select_for_update().get(pk=overpayment.pk)
    target = None if benefit is None or benefit.pk == over.benefit_id else benefit
    if over.recovered >= over.amount:
        raise ValidationError({"overpayment": _("Trop-perçu déjà entièrement récupéré.")})
    if target is not None:
        if target.organisation_id != over.organisation_id:
            raise ValidationError({"recover_from": _("Prestation introuvable.")})
        if target.status == Status.STOPPED:
            raise ValidationError(
                {
                    "recover_from": _("La prestation %(ref)s est arrêtée : rien à y retenir.")
                    % {"ref": target.reference}
                }  # fmt: skip
            )
    if over.recover_from_id == (target.pk if target else None):
        return over
    before = audit.snapshot(over)
    over.recover_from = target
    over.save(update_fields=["recover_from"])
    audit.record_updated(over, before, subject=over.benefit)
    return over


def benefits_catch_up(*, organisation, user=None, channels_for=None) -> int:
    """Create the benefits in payment of claims already in payment without any (claims put in
    payment before the payroll existed, the demo's). `channels_for(claim)` gives the channels
    as `benefits_from_claim` takes them; without it: cash, agency to complete."""
    from kafo.benefits.models import Claim, ClaimStatus

    org_id = organisation if isinstance(organisation, int) else organisation.pk
    claims = (
        Claim.objects.filter(organisation_id=org_id, status=ClaimStatus.IN_PAYMENT)
        .exclude(benefits_in_payment__isnull=False)
        .select_related("person", "organisation__country")
        .order_by("pk")
    )
    count = 0
    for claim in claims:
        with transaction.atomic():
            channels = channels_for(claim) if channels_for else None
            count += len(benefits_from_claim(claim=claim, user=user, channels=channels))
    return count
