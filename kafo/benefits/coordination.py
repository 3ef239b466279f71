"""Claims coordinated with other organisations (CIPRES convention): the benefits side.

- `foreign_periods_record`: the insured months another organisation communicated for a claim
  (called by kafo.exchange when an answer to a request linked to the claim is approved);
- `coordinated_claim_open`: the claim a target organisation opens from a forwarded claim, with
  the other organisations' periods attached;
- `old_age_result`: the computation a claim's liquidation uses: the pure
  `domain.coordination.compute_coordinated` when the claim holds other organisations' periods;
- `claim_decided_send`: the `claim_decided` signal for a coordinated claim (kafo.exchange
  sends the decision back to the other organisation from it).

Benefits never imports kafo.exchange: exchange calls these services and receives the signal.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.organisations.models import Organisation
from kafo.registry.models import Person

from .coordination_rules import convention_in_force
from .domain.career import CareerLine
from .domain.coordination import CoordinatedResult, ForeignPeriods, compute_coordinated
from .domain.pension import Claimant, OldAgeResult, compute_old_age
from .domain.rules import PensionRules
from .models import Claim, ClaimForeignPeriods, ClaimKind, ClaimStatus
from .signals import claim_decided

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
YEAR = re.compile(r"^\d{4}$")
MAX_MONTHS = 12 * 60


def _timestamp() -> dt.datetime:
    from .claims import timestamp

    return timestamp()


def _clean_months(months: Sequence[str]) -> list[str]:
    if isinstance(months, str) or not isinstance(months, Sequence):
        raise ValidationError({"months": _("Liste de mois attendue (AAAA-MM).")})
    bad = [str(m) for m in months if not isinstance(m, str) or not PERIOD.match(m)]
    if bad:
        raise ValidationError(
            {
                "months": _("Mois invalide(s) : %(bad)s (AAAA-MM attendu).")
                % {"bad": ", ".join(bad[:5])}
            }
        )
    clean = sorted(set(months))
    if not clean:
        raise ValidationError({"months": _("Aucun mois d'assurance communiqué.")})
    if len(clean) > MAX_MONTHS:
        raise ValidationError(
            {
                "months": _("Trop de mois (%(n)s, au plus %(max)s).")
                % {"n": len(clean), "max": MAX_MONTHS}
            }
        )
    return clean


def _clean_salaries(salaries: Mapping | None) -> dict[str, str] | None:
    if salaries is None:
        return None
    if not isinstance(salaries, Mapping):
        raise ValidationError({"salaries": _("Salaires par année attendus : {année: montant}.")})
    clean = {}
    for year, amount in salaries.items():
        if not YEAR.match(str(year)):
            raise ValidationError(
                {"salaries": _("Année invalide « %(year)s » (AAAA attendu).") % {"year": year}}
            )
        try:
            value = Decimal(str(amount))
        except InvalidOperation:
            value = Decimal(-1)
        if not value.is_finite() or value < 0 or value != value.to_integral_value():
            raise ValidationError(
                {
                    "salaries": _(
                        "Salaire de l'année %(year)s invalide « %(amount)s » : montant entier "
                        "en francs, positif ou nul."
                    )
                    % {"year": year, "amount": amount}
                }
            )
        clean[str(year)] = format(value.quantize(Decimal(1)), "f")
    return dict(sorted(clean.items()))


@transaction.atomic
def foreign_periods_record(
    *,
    claim: Claim,
    organisation: Organisation,
    months: Sequence[str],
    salaries: Mapping | None = None,
    reference: str = "",
    user,
) -> ClaimForeignPeriods:
    """Record the insured months `organisation` communicated for `claim` (a later answer
    replaces the earlier one). A computed claim is submitted only once computed again
    (`periods_received_after`); a submitted one goes back to computed (the approver never
    decides on a computation that ignores them); an approved one is flagged for review."""
    if organisation.pk == claim.organisation_id:
        raise ValidationError(
            {"organisation": _("Les périodes doivent venir d'un autre organisme que la demande.")}
        )
    if claim.kind == ClaimKind.SURVIVORS:
        raise ValidationError(
            {"claim": _("La totalisation ne s'applique qu'aux prestations de vieillesse.")}
        )
    if claim.status == ClaimStatus.REJECTED:
        raise ValidationError({"claim": _("La demande est rejetée : rien à y ajouter.")})
    clean = _clean_months(months)
    clean_salaries = _clean_salaries(salaries)
    reference = (reference or "").strip()
    if len(reference) > 60:
        raise ValidationError({"reference": _("Référence trop longue (60 caractères au plus).")})
    now = _timestamp()
    row = (
        ClaimForeignPeriods.unscoped.select_for_update()
        .filter(claim=claim, source_organisation=organisation)
        .first()
    )
    if row is None:
        row = ClaimForeignPeriods.unscoped.create(
            organisation_id=claim.organisation_id,
            claim=claim,
            source_organisation=organisation,
            months=clean,
            salaries=clean_salaries,
            reference=reference,
            received_at=now,
            recorded_by=user,
        )
        audit.record_created(row, subject=claim)
    else:
        before = audit.snapshot(row)
        row.months, row.salaries, row.reference = clean, clean_salaries, reference
        row.received_at, row.recorded_by = now, user
        row.save()
        audit.record_updated(row, before, subject=claim)
    if claim.status == ClaimStatus.SUBMITTED:
        # Not yet decided: back to the officer, who computes again and submits again (the
        # approver never decides on a computation that ignores periods received).
        before = audit.snapshot(claim)
        claim.status = ClaimStatus.COMPUTED
        claim.save(update_fields=["status"])
        audit.record_updated(claim, before, subject=claim.person)
    elif claim.status in (ClaimStatus.APPROVED, ClaimStatus.IN_PAYMENT):
        before = audit.snapshot(claim)
        claim.review_reason = _(
            "Périodes reçues de %(org)s (%(ref)s) après le calcul : à recalculer."
        ) % {"org": organisation.code, "ref": reference or "-"}
        claim.review_flagged_at = now
        claim.save(update_fields=["review_reason", "review_flagged_at"])
        audit.record_updated(claim, before, subject=claim.person)
    return row


@transaction.atomic
def coordinated_claim_open(
    *,
    person: Person,
    origin_organisation: Organisation,
    origin_reference: str,
    periods: list[dict],
    user,
    claim_date: dt.date | None = None,
) -> Claim:
    """Open, at `person`'s organisation, its own old-age claim from a claim another organisation
    forwarded, with the periods of the other organisations attached (`periods`: [{"organisation":
    code, "months": [YYYY-MM…], "salaries": {year: amount} or None, "reference": ""}])."""
    from .claims import claim_open, today

    if origin_organisation.pk == person.organisation_id:
        raise ValidationError(
            {"origin_organisation": _("L'organisme d'origine doit être un autre organisme.")}
        )
    origin_reference = (origin_reference or "").strip()
    if not origin_reference or len(origin_reference) > 60:
        raise ValidationError(
            {
                "origin_reference": _(
                    "La référence de la demande d'origine est obligatoire (60 caractères au plus)."
                )
            }
        )
    codes = [str((p or {}).get("organisation") or "") for p in periods]
    known = {o.code: o for o in Organisation.objects.filter(code__in=codes)}
    for i, code in enumerate(codes):
        if code not in known:
            raise ValidationError(
                {
                    f"periods[{i}].organisation": _("Organisme inconnu « %(code)s ».")
                    % {"code": code}
                }
            )
    claim = claim_open(
        person=person, kind=ClaimKind.PENSION, claim_date=claim_date or today(), user=user
    )
    before = audit.snapshot(claim)
    claim.origin_organisation = origin_organisation
    claim.origin_reference = origin_reference
    claim.save(update_fields=["origin_organisation", "origin_reference"])
    audit.record_updated(claim, before, subject=person)
    for i, p in enumerate(periods):
        if known[codes[i]].pk == person.organisation_id:
            continue  # the target's own months are read from its own declarations
        try:
            foreign_periods_record(
                claim=claim,
                organisation=known[codes[i]],
                months=p.get("months") or [],
                salaries=p.get("salaries"),
                reference=str(p.get("reference") or origin_reference),
                user=user,
            )
        except ValidationError as err:
            raise ValidationError(
                {f"periods[{i}].{k}": v for k, v in err.message_dict.items()}
            ) from err
    return claim


def periods_received_after(claim: Claim, liquidation) -> list[str]:
    """The codes of the organisations whose periods arrived after `liquidation` was computed."""
    if liquidation is None:
        return []
    return list(
        ClaimForeignPeriods.unscoped.filter(claim=claim, received_at__gt=liquidation.computed_at)
        .order_by("source_organisation__code")
        .values_list("source_organisation__code", flat=True)
    )


def foreign_periods_of(claim: Claim) -> list[ClaimForeignPeriods]:
    return list(
        ClaimForeignPeriods.unscoped.filter(claim=claim)
        .select_related("source_organisation__country")
        .order_by("source_organisation__code")
    )


def old_age_result(
    claim: Claim,
    rules: PensionRules,
    lines: Sequence[CareerLine],
    claimant: Claimant,
    *,
    on: dt.date,
) -> tuple[OldAgeResult | CoordinatedResult, dict | None]:
    """The claim's old-age computation: coordinated when it holds other organisations' periods
    (and the convention has a version on `on`), else independent. Return the result and, when
    coordinated, the figures for the liquidation's inputs ("coordination")."""
    rows = foreign_periods_of(claim)
    convention = convention_in_force(on) if rows else None
    if convention is None:
        return compute_old_age(rules, lines, claimant, on=on), None
    result = compute_coordinated(
        rules,
        lines,
        claimant,
        on=on,
        state=claim.person.organisation.country.code,
        foreign=[
            ForeignPeriods(
                r.source_organisation.code,
                r.source_organisation.country.code,
                tuple(r.months),
                r.reference,
            )
            for r in rows
        ],
        convention=convention,
    )
    figures = result.summary() | {
        "periods": [
            {
                "organisation": r.source_organisation.code,
                "months": len(r.months),
                "reference": r.reference,
                "received_at": r.received_at.isoformat(),
            }
            for r in rows
        ]
    }
    return result, figures


def claim_decided_send(claim: Claim) -> None:
    """Send `claim_decided` for a claim coordinated with other organisations (holding their
    periods, or opened from a forwarded claim), inside the decision's transaction: the decision
    and what the receivers write with it are stored together or not at all."""
    if claim.origin_organisation_id or ClaimForeignPeriods.unscoped.filter(claim=claim).exists():
        claim_decided.send(sender=Claim, claim=claim)
