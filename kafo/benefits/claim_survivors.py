"""A survivors' claim: the deceased's pension (in payment, else the one due at the normal age)
shared between the spouses and orphans recorded as dependants."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from kafo.registry.models import Dependant, Relationship

from .domain.career import CareerLine
from .domain.pension import Claimant, birthday, compute_old_age, normal_age_of
from .domain.survivors import Orphan, Spouse, survivors_shares
from .domain.trace import Trace
from .models import Claim, ClaimKind, Liquidation


def survivors_computation(claim: Claim, rules, lines: list[CareerLine], claimant: Claimant):
    """The deceased's pension (in payment, else the one due at the normal age), shared."""
    death = claim.death_date
    paid = (
        Liquidation.objects.filter(
            claim__person=claim.person,
            claim__kind__in=(ClaimKind.PENSION, ClaimKind.EARLY_PENSION),
            approved_at__isnull=False,
            monthly_amount__isnull=False,
        )
        .order_by("-approved_at")
        .first()
    )
    result = None
    if paid is not None:
        pension = paid.monthly_amount
        trace = Trace()
        trace.add(
            "pension_in_payment",
            f"Pension servie au défunt (demande {paid.claim.reference}, calcul n° {paid.number})",
            f"Pension paid to the deceased (claim {paid.claim.reference}, "
            f"computation {paid.number})",
            inputs={"monthly_amount": pension},
            formula="monthly_amount",
        )
    else:
        at = max(death, birthday(claimant.birth_date, normal_age_of(rules, claimant)))
        result = compute_old_age(rules, lines, claimant, on=at)
        trace = result.trace
        pension = result.monthly_amount or Decimal(0)
    dependants = list(
        Dependant.objects.filter(person=claim.person).order_by("relationship", "birth_date", "pk")
    )
    spouses, orphans, rows, refs = [], [], [], []
    excluded = []
    for d in dependants:
        name = f"{d.family_name.upper()} {d.given_names}"
        if d.relationship == Relationship.SPOUSE:
            if d.marriage_end_date and d.marriage_end_date <= death:
                excluded.append((d, name, "spouse", _("mariage dissous avant le décès")))
                continue
            spouses.append(Spouse(name, d.marriage_date))
            refs.append((d, name, "spouse"))
    for d in dependants:
        name = f"{d.family_name.upper()} {d.given_names}"
        if d.relationship == Relationship.CHILD:
            if d.birth_date is None:
                excluded.append((d, name, "orphan", _("date de naissance inconnue")))
                continue
            orphans.append(Orphan(name, d.birth_date))
            refs.append((d, name, "orphan"))
    shares = survivors_shares(
        rules,
        pension=pension,
        death_date=death,
        spouses=spouses,
        orphans=orphans,
        on=claim.claim_date,
        trace=trace,
    )
    for (d, name, rel), share in zip(refs, shares.shares, strict=True):
        rows.append(
            {
                "dependant": d,
                "name": name,
                "relationship": rel,
                "qualifies": share.qualifies,
                "reason": share.reason,
                "monthly_amount": share.monthly_amount,
            }
        )
    for d, name, rel, reason in excluded:
        rows.append(
            {
                "dependant": d,
                "name": name,
                "relationship": rel,
                "qualifies": False,
                "reason": reason,
                "monthly_amount": Decimal(0),
            }
        )
    total = shares.total if pension else Decimal(0)
    survivors_inputs = {
        "death_date": death.isoformat(),
        "deceased_pension": str(pension),
        "deceased_pension_source": "in_payment" if paid else "computed_at_normal_age",
        "dependants": [
            {
                "dependant_id": r["dependant"].pk,
                "name": r["name"],
                "relationship": r["relationship"],
                "birth_date": r["dependant"].birth_date.isoformat()
                if r["dependant"].birth_date
                else None,
                "marriage_date": r["dependant"].marriage_date.isoformat()
                if r["dependant"].marriage_date
                else None,
            }
            for r in rows
        ],
    }
    return result, trace, total or None, rows, survivors_inputs
