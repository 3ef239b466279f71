"""Orphans past the age limit: the last day due, extensions on documents, stopping the benefits
past their last day (moved from services.py, which re-exports every name).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kafo.audit import services as audit

from .benefit_status import _lock, _now, _set_status
from .models import (
    BenefitInPayment,
    BenefitKind,
    Reason,
    Status,
    StatusChange,
)


def _age_limit_end(birth: dt.date | None, limit: int | None) -> dt.date | None:
    """The last day due to an orphan: the eve of the birthday at `limit` years."""
    if birth is None or not limit:
        return None
    year = birth.year + int(limit)
    try:
        birthday = birth.replace(year=year)
    except ValueError:  # 29 February
        birthday = dt.date(year, 3, 1)
    return birthday - dt.timedelta(days=1)


# --- orphans past the age limit ----------------------------------------------------------------

# The child's document (kafo/payroll/models/allowances.py) and the situation it proves in the
# survivors' rule (benefits.yaml: orphan_age_limit_by_situation).
SITUATION_OF_DOCUMENT = {"apprenticeship": "apprentice", "school": "student",
                         "disability": "disabled"}  # fmt: skip


def orphan_end_with_documents(*, birth: dt.date, base_end: dt.date, limits: dict,
                              documents) -> dt.date:  # fmt: skip
    """The last day due to an orphan whose base age limit ends on `base_end`, kept on by
    documents: a document of a situation with a higher limit (apprentice 18, student or
    disabled 21 at INPS-ML) valid on the day after the current end carries the right to the
    end of its validity, capped at the eve of the birthday at that situation's limit; documents
    chain (one school year, then the next). `documents`: (kind, valid_from, valid_until or
    None) triples. Pure."""
    end = base_end
    while True:
        following = end + dt.timedelta(days=1)
        best = end
        for kind, valid_from, valid_until in documents:
            limit = limits.get(SITUATION_OF_DOCUMENT.get(kind, ""))
            if not limit or valid_from > following:
                continue
            if valid_until is not None and valid_until < following:
                continue
            cap = _age_limit_end(birth, limit)
            best = max(best, min(cap, valid_until) if valid_until else cap)
        if best <= end:
            return end
        end = best


def _documents_of(dependant_id: int) -> list[tuple]:
    from .models import ChildDocument

    return list(
        ChildDocument.unscoped.filter(dependant_id=dependant_id).values_list(
            "kind", "valid_from", "valid_until"
        )
    )


def _survivors_rules(benefit: BenefitInPayment) -> dict:
    from kafo.benefits.models import Liquidation

    liquidation = (
        Liquidation.objects.filter(claim_id=benefit.claim_id, approved_at__isnull=False)
        .select_related("rule_version")
        .order_by("-number")
        .first()
        if benefit.claim_id
        else None
    )
    if liquidation is None:
        return {}
    return (liquidation.rule_version.parameters or {}).get("survivors", {})


@transaction.atomic
def orphan_extend(*, benefit: BenefitInPayment, user) -> BenefitInPayment:
    """Extend an orphan's pension past its age limit on the child's recorded documents (school,
    apprenticeship, disability), per the survivors' rule of its liquidation; a benefit stopped
    at the age limit is put back in payment (the next run pays the months since as arrears).
    Audited; a refusal changes nothing."""
    benefit = _lock(benefit)
    if benefit.kind != BenefitKind.ORPHAN:
        raise ValidationError({"benefit": _("Seule une pension d'orphelin se prolonge sur pièce.")})
    if benefit.status == Status.STOPPED and benefit.status_reason != Reason.AGE_LIMIT:
        raise ValidationError(
            {
                "benefit": _("Prestation arrêtée (%(r)s) : pas de prolongation.")
                % {"r": benefit.get_status_reason_display()}
            }  # fmt: skip
        )
    dep = benefit.dependant
    if dep is None or dep.birth_date is None or benefit.end_date is None:
        raise ValidationError(
            {"benefit": _("Date de naissance de l'orphelin inconnue : pas de limite d'âge.")}
        )
    rules = _survivors_rules(benefit)
    limits = rules.get("orphan_age_limit_by_situation") or {}
    if not limits:
        raise ValidationError(
            {
                "benefit": _(
                    "Les règles de l'organisme ne prolongent pas la pension d'orphelin "
                    "(même limite d'âge pour tous)."
                )
            }
        )
    base = _age_limit_end(dep.birth_date, rules.get("orphan_age_limit"))
    new_end = orphan_end_with_documents(
        birth=dep.birth_date, base_end=base or benefit.end_date, limits=limits,
        documents=_documents_of(dep.pk),
    )  # fmt: skip
    old_end = benefit.end_date
    if new_end <= old_end:
        raise ValidationError(
            {
                "documents": _(
                    "Aucune pièce (scolarité, apprentissage, invalidité) ne couvre le %(d)s, "
                    "lendemain du dernier jour dû : pas de prolongation."
                )
                % {"d": (old_end + dt.timedelta(days=1)).strftime("%d/%m/%Y")}
            }
        )
    note = _("Prolongée jusqu'au %(d)s sur pièce justificative") % {
        "d": new_end.strftime("%d/%m/%Y")
    }
    on = old_end + dt.timedelta(days=1)
    if benefit.status == Status.STOPPED:
        _set_status(benefit, status=Status.IN_PAYMENT, reason=Reason.EXTENDED, on=on, user=user,
                    note=note, end_date=new_end)  # fmt: skip
        return benefit
    before = audit.snapshot(benefit)
    benefit.end_date = new_end
    benefit.save(update_fields=["end_date"])
    change = StatusChange.objects.create(
        organisation_id=benefit.organisation_id,
        benefit=benefit,
        on=on,
        status=benefit.status,
        reason=Reason.EXTENDED,
        note=note,
        by=user,
        recorded_at=_now(),
    )
    audit.record_updated(benefit, before, subject=benefit)
    audit.record_created(change, subject=benefit)
    return benefit


def orphans_extend_for_dependant(*, dependant, user) -> list[BenefitInPayment]:
    """Extend every orphan's pension of this child that its documents now carry further (called
    after a document is recorded); the ones the documents do not extend are left as they are."""
    extended = []
    for benefit in BenefitInPayment.objects.filter(
        dependant=dependant, kind=BenefitKind.ORPHAN, end_date__isnull=False
    ):
        try:
            extended.append(orphan_extend(benefit=benefit, user=user))
        except ValidationError:
            continue
    return extended


@transaction.atomic
def benefits_stop_expired(*, organisation, on: dt.date, user=None) -> int:
    """Stop, set-based, every benefit whose last day due (`end_date`) is before `on` and is not
    stopped yet: orphans at the age limit (reason age limit), others end of right. Idempotent."""
    from .models import ChildDocument

    org_id = organisation if isinstance(organisation, int) else organisation.pk
    qs = BenefitInPayment.objects.filter(organisation_id=org_id, end_date__lt=on).exclude(
        status=Status.STOPPED
    )
    # An orphan whose child has documents may be carried past the limit: extend those first.
    documented = qs.filter(
        kind=BenefitKind.ORPHAN,
        dependant_id__in=ChildDocument.unscoped.filter(organisation_id=org_id).values(
            "dependant_id"
        ),
    )
    for benefit in documented:
        try:
            orphan_extend(benefit=benefit, user=user)
        except ValidationError:
            continue
    rows = list(qs.values_list("pk", "kind", "end_date"))
    if not rows:
        return 0
    now = _now()
    changes = []
    for reason, kinds in ((Reason.AGE_LIMIT, True), (Reason.END_OF_RIGHT, False)):
        ids = [
            pk
            for pk, kind, _end in rows
            if (kind in (BenefitKind.ORPHAN, BenefitKind.FAMILY_ALLOWANCE)) == kinds
        ]
        if not ids:
            continue
        BenefitInPayment.objects.filter(pk__in=ids).update(
            status=Status.STOPPED, status_reason=reason, status_since=on
        )
    for pk, kind, end in rows:
        reason = (
            Reason.AGE_LIMIT
            if kind in (BenefitKind.ORPHAN, BenefitKind.FAMILY_ALLOWANCE)
            else Reason.END_OF_RIGHT
        )
        changes.append(
            StatusChange(
                organisation_id=org_id,
                benefit_id=pk,
                on=end + dt.timedelta(days=1),
                status=Status.STOPPED,
                reason=reason,
                by=user,
                recorded_at=now,
            )
        )
    StatusChange.objects.bulk_create(changes, batch_size=2000)
    audit.record_created_many(changes, subject_type="benefitinpayment", subject_field="benefit_id")
    return len(changes)
