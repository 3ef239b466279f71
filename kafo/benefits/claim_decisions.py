"""Deciding benefit claims: approve within a delegation of signature (four eyes: not the
officer who computed it, nor the person themself), reject, start payment, revise; and the
review flags raised when a rule or a declaration changes under an approved amount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from kafo.accounts.models import RoleCode
from kafo.audit import services as audit
from kafo.organisations.models import Organisation
from kafo.registry.models import Person

from . import claim_career
from .claims import (
    check_status,
    compute_liquidation,
    current_liquidation,
    lock_claim,
    raise_errors,
    timestamp,
    today,
)
from .coordination import claim_decided_send, periods_received_after
from .models import BenefitRuleVersion, Claim, ClaimKind, ClaimStatus, Liquidation


def same_person(user, person: Person) -> bool:
    """Whether `user` may be the insured person (or the deceased) of the claim.

    Users carry no link to a registry person; a user whose first and last names are those of
    the person (accents and case ignored) is taken to be that person and may not decide: a
    homonym is sent to another approver rather than risk someone signing their own claim.
    """
    from kafo.registry.domain import names

    linked = getattr(user, "person_id", None)
    if linked is not None:
        return linked == person.pk
    if not (user.first_name and user.last_name):
        return False
    mine = sorted(names.tokens(f"{user.first_name} {user.last_name}"))
    theirs = sorted(names.tokens(f"{person.given_names} {person.family_name}"))
    return mine == theirs


def delegation_for(user, claim: Claim, amount: Decimal, on: dt.date):
    from kafo.governance.models import DelegationKind
    from kafo.governance.selectors import delegations_in_force

    candidates = (
        delegations_in_force(on=on)
        .filter(
            delegate=user,
            organisation_id=claim.organisation_id,
            kind=DelegationKind.BENEFIT_APPROVAL,
            amount_ceiling__gte=amount,
        )
        .order_by("amount_ceiling", "pk")
    )
    for d in candidates:
        if not d.benefit_kinds or claim.kind in d.benefit_kinds:
            return d
    return None


def approval_refusal(claim: Claim, user, *, on: dt.date) -> dict:
    """Why `user` may not approve `claim` on `on` ({} when they may): {field: reason}."""
    liquidation = current_liquidation(claim)
    if liquidation is None:
        return {"status": _("La demande n'a pas été calculée.")}
    if user.organisation_id != claim.organisation_id:
        return {"user": _("L'approbateur n'est pas un agent de cet organisme.")}
    if user.pk in (claim.computed_by_id, liquidation.computed_by_id):
        return {
            "user": _("Quatre yeux : l'agent qui a calculé la demande ne peut pas l'approuver.")
        }
    if same_person(user, claim.person):
        return {"user": _("Nul ne peut approuver sa propre demande.")}
    if not user.has_role(RoleCode.APPROVER, RoleCode.DIRECTOR):
        return {"user": _("Seuls un approbateur ou le directeur peuvent approuver une demande.")}
    if user.has_role(RoleCode.DIRECTOR):
        return {}
    amount = liquidation.amount or Decimal(0)
    if delegation_for(user, claim, amount, on) is None:
        return {
            "delegation": _(
                "Aucune délégation de signature en vigueur le %(date)s ne couvre « %(kind)s » "
                "pour %(amount)s F : la demande revient à un autre approbateur ou au directeur."
            )
            % {
                "date": on.strftime("%d/%m/%Y"),
                "kind": claim.get_kind_display(),
                "amount": amount,
            }
        }
    return {}


@transaction.atomic
def claim_approve(*, claim: Claim, user, on: dt.date | None = None) -> Claim:
    """Approve the submitted claim under `user`'s delegation (or as director); freeze it."""
    on = on or today()
    lock_claim(claim)
    check_status(claim, ClaimStatus.SUBMITTED, action=_("approuver"))
    raise_errors(approval_refusal(claim, user, on=on))
    liquidation = current_liquidation(claim)
    late = periods_received_after(claim, liquidation)
    if late:
        raise ValidationError(
            {
                "status": _(
                    "Périodes reçues de %(orgs)s après le calcul : recalculer avant de soumettre."
                )
                % {"orgs": ", ".join(late)}
            }
        )
    if not liquidation.eligible:
        raise ValidationError(
            {"status": _("Le calcul n'ouvre aucun droit : la demande ne peut qu'être rejetée.")}
        )
    delegation = None
    if not user.has_role(RoleCode.DIRECTOR):
        delegation = delegation_for(user, claim, liquidation.amount or Decimal(0), on)
    now = timestamp()
    before_liq = audit.snapshot(liquidation)
    liquidation.approved_at = now
    liquidation.save(update_fields=["approved_at"])
    audit.record_updated(liquidation, before_liq, subject=claim)
    before = audit.snapshot(claim)
    claim.status = ClaimStatus.APPROVED
    claim.decided_by = user
    claim.decided_at = now
    claim.approved_under = delegation
    claim.rejection_reason = ""
    claim.review_reason = ""
    claim.review_flagged_at = None
    claim.save()
    audit.record_updated(claim, before, subject=claim.person)
    claim_decided_send(claim)
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, user, reason: str) -> Claim:
    """Reject the submitted claim, with the reason the claimant will read."""
    lock_claim(claim)
    check_status(claim, ClaimStatus.SUBMITTED, action=_("rejeter"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Le motif du rejet est obligatoire.")})
    if len(reason) > 2000:
        raise ValidationError({"reason": _("Motif trop long (2000 caractères au plus).")})
    if not user.has_role(RoleCode.APPROVER, RoleCode.DIRECTOR):
        raise ValidationError(
            {"user": _("Seuls un approbateur ou le directeur peuvent rejeter une demande.")}
        )
    if user.pk == claim.computed_by_id:
        raise ValidationError(
            {"user": _("Quatre yeux : l'agent qui a calculé la demande ne peut pas la rejeter.")}
        )
    before = audit.snapshot(claim)
    claim.status = ClaimStatus.REJECTED
    claim.decided_by = user
    claim.decided_at = timestamp()
    claim.rejection_reason = reason
    claim.save()
    audit.record_updated(claim, before, subject=claim.person)
    claim_decided_send(claim)
    return claim


@transaction.atomic
def claim_start_payment(*, claim: Claim, user) -> Claim:
    """Put the approved claim in payment."""
    lock_claim(claim)
    check_status(claim, ClaimStatus.APPROVED, action=_("mettre en paiement"))
    before = audit.snapshot(claim)
    claim.status = ClaimStatus.IN_PAYMENT
    claim.payment_started_by = user
    claim.payment_started_at = timestamp()
    claim.save()
    audit.record_updated(claim, before, subject=claim.person)
    return claim


@transaction.atomic
def claim_revise(*, claim: Claim, user) -> Liquidation:
    """Compute an approved claim again (a new liquidation, to be submitted and approved again).

    The approved liquidation stays as it was: it is what is paid until the revision is approved.
    """
    lock_claim(claim)
    check_status(claim, ClaimStatus.APPROVED, ClaimStatus.IN_PAYMENT, action=_("réviser"))
    number = (claim.liquidations.aggregate(n=Max("number"))["n"] or 0) + 1
    liquidation = compute_liquidation(claim, user, number=number)
    before = audit.snapshot(claim)
    claim.status = ClaimStatus.COMPUTED
    claim.computed_by = user
    claim.computed_at = liquidation.computed_at
    claim.submitted_by = None
    claim.submitted_at = None
    claim.save()
    audit.record_updated(claim, before, subject=claim.person)
    return liquidation


# --- review flags -----------------------------------------------------------------------------


def review_reasons(claim: Claim, liquidation: Liquidation) -> list[str]:
    """Why an approved computation may no longer match the rules or the declarations."""
    reasons = []
    used = liquidation.rule_version
    effect = liquidation.start_date or liquidation.on
    later = (
        BenefitRuleVersion.unscoped.filter(
            organisation_id=used.organisation_id,
            kind=used.kind,
            effective_from__gt=used.effective_from,
            effective_from__lte=effect,
        )
        .order_by("effective_from")
        .first()
    )
    if later is not None:
        reasons.append(
            _("Nouvelle version de règle %(version)s en vigueur avant la date d'effet (%(date)s).")
            % {"version": later.version_label, "date": effect.strftime("%d/%m/%Y")}
        )
    frozen: dict[str, Decimal] = {}
    for m in liquidation.inputs.get("months", []):
        if m.get("source") == "declaration":
            frozen[m["period"]] = Decimal(m["salary"])
    until = claim.death_date if claim.kind == ClaimKind.SURVIVORS else liquidation.on
    current = {
        m: v["salary"] for m, v in claim_career.declared_months(claim.person, until=until).items()
    }
    changed = sorted(p for p in set(frozen) | set(current) if frozen.get(p) != current.get(p))
    if changed:
        shown = ", ".join(changed[:6]) + (" …" if len(changed) > 6 else "")
        reasons.append(
            _("Déclarations rectifiées ou ajoutées pour des périodes utilisées : %(periods)s.")
            % {"periods": shown}
        )
    return reasons


@transaction.atomic
def claims_flag_for_review(*, organisation: Organisation | int | None = None) -> int:
    """Flag the approved claims whose computation a later rule version or a corrected
    declaration touches; return how many were newly flagged. Called when a rule version is
    added; run it after declaration imports (daily) for corrections."""
    qs = Claim.unscoped.filter(status__in=(ClaimStatus.APPROVED, ClaimStatus.IN_PAYMENT))
    if organisation is not None:
        org_id = organisation if isinstance(organisation, int) else organisation.pk
        qs = qs.filter(organisation_id=org_id)
    flagged = 0
    for claim in qs.select_related("person__organisation").select_for_update(of=("self",)):
        liquidation = (
            Liquidation.unscoped.filter(claim=claim, approved_at__isnull=False)
            .select_related("rule_version")
            .order_by("-number")
            .first()
        )
        if liquidation is None:
            continue
        reason = " ".join(review_reasons(claim, liquidation))
        if not reason or reason == claim.review_reason:
            continue
        before = audit.snapshot(claim)
        claim.review_reason = reason
        claim.review_flagged_at = timestamp()
        claim.save(update_fields=["review_reason", "review_flagged_at"])
        audit.record_updated(claim, before, subject=claim.person)
        flagged += 1
    return flagged
