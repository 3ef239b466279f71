"""Writes of benefit claims: open, checklist, compute, submit, approve or reject, pay, revise.

Every service is keyword-only, atomic and audited, and raises a `ValidationError` whose keys
name the field (French messages). A refusal changes nothing: every check runs before any write.

The computation (`claim_compute`) reads the person's career from the declarations in force at
the claim's organisation (every record of the same zone person held there), adds the claim's
proven periods, and runs the pure domain (kafo/benefits/domain). The other organisations where
the zone index links the person are shown for information (insured months only): only this
organisation's periods count for its own formula. The result is stored as a `Liquidation` with
its inputs, rule version and trace; the approved one is frozen (never written again).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.registry.models import Person, Relationship

from . import claim_career, claim_survivors, coordination
from .domain.career import PERIOD, CareerLine, month_of
from .domain.pension import Claimant, birthday
from .models import (
    Beneficiary,
    BenefitKind,
    BenefitRuleVersion,
    Claim,
    ClaimDocument,
    ClaimKind,
    ClaimStatus,
    Liquidation,
    ProvenPeriod,
)
from .selectors import rule_in_force

DOCUMENTS_FILE = Path(__file__).parent / "reference" / "claim_documents.yaml"
OLD_AGE_KINDS = (
    ClaimKind.PENSION,
    ClaimKind.EARLY_PENSION,
    ClaimKind.OLD_AGE_ALLOWANCE,
    ClaimKind.LUMP_SUM,
)
START_DATE_ASSUMPTION = (
    "Date d'effet : le premier jour du mois qui suit la demande (survivants : le décès) "
    "— aucune source ne la précise (hypothèse)."
)


def timestamp() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return timezone.localdate()


def raise_errors(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def check_status(claim: Claim, *allowed: str, action: str) -> None:
    if claim.status not in allowed:
        raise ValidationError(
            {
                "status": _(
                    "Impossible de %(action)s une demande à l'état « %(status)s » "
                    "(états permis : %(allowed)s)."
                )
                % {
                    "action": action,
                    "status": claim.get_status_display(),
                    "allowed": ", ".join(str(ClaimStatus(s).label) for s in allowed),
                }
            }
        )


def lock_claim(claim: Claim) -> Claim:
    """Re-read the claim under a row lock (two agents acting at once act one after the other)."""
    fresh = Claim.unscoped.select_for_update().get(pk=claim.pk)
    claim.refresh_from_db()
    return fresh


# --- the checklist ----------------------------------------------------------------------------


@cache
def _documents_reference(path: Path = DOCUMENTS_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def documents_required(*, organisation_code: str, kind: str) -> list[dict]:
    """The checklist of `kind` at the organisation (its own list, else the default)."""
    data = _documents_reference()
    own = (data.get("organisations") or {}).get(organisation_code) or {}
    items = own.get(kind) or data["default"][kind]
    return [
        {"code": i["code"], "label": i["label"], "required": i.get("required", True)} for i in items
    ]


# --- open -------------------------------------------------------------------------------------


@transaction.atomic
def claim_open(
    *,
    person: Person,
    kind: str,
    claim_date: dt.date | None,
    user,
    death_date: dt.date | None = None,
    category: str = "",
) -> Claim:
    """Open a claim for `person` (for survivors: the deceased, with the date of death)."""
    errors: dict = {}
    if kind not in ClaimKind.values:
        errors["kind"] = _("Prestation inconnue : choisir parmi %(kinds)s.") % {
            "kinds": ", ".join(ClaimKind.values)
        }
    if claim_date is None:
        errors["claim_date"] = _("La date de la demande est obligatoire.")
    elif claim_date > today():
        errors["claim_date"] = _("La date de la demande ne peut pas être dans le futur.")
    if kind == ClaimKind.SURVIVORS:
        if death_date is None:
            errors["death_date"] = _(
                "La date du décès est obligatoire pour une pension de survivants."
            )
        elif death_date > today() or (claim_date and death_date > claim_date):
            errors["death_date"] = _("La date du décès ne peut pas suivre la date de la demande.")
        elif death_date < person.birth_date:
            errors["death_date"] = _("La date du décès précède la naissance de l'assuré.")
    elif death_date is not None:
        errors["death_date"] = _(
            "La date du décès ne s'indique que pour une pension de survivants."
        )
    category = (category or "").strip()
    if len(category) > 10:
        errors["category"] = _("Catégorie trop longue (10 caractères au plus).")
    raise_errors(errors)
    if Claim.unscoped.filter(
        organisation_id=person.organisation_id,
        person=person,
        kind=kind,
        status__in=(ClaimStatus.OPENED, ClaimStatus.COMPUTED, ClaimStatus.SUBMITTED),
    ).exists():
        raise ValidationError(
            {"kind": _("Une demande de ce type est déjà en cours pour cet assuré.")}
        )
    claim = Claim.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        kind=kind,
        claim_date=claim_date,
        death_date=death_date,
        category=category,
        opened_by=user,
        opened_at=timestamp(),
    )
    audit.record_created(claim, subject=person)
    docs = [
        ClaimDocument(organisation_id=claim.organisation_id, claim=claim, **item)
        for item in documents_required(organisation_code=person.organisation.code, kind=kind)
    ]
    ClaimDocument.objects.bulk_create(docs)
    return claim


@transaction.atomic
def claim_document_set(
    *, claim: Claim, code: str, received: bool, user, reference: str = ""
) -> ClaimDocument:
    """Mark one checklist item received (with the document's reference) or missing."""
    lock_claim(claim)
    check_status(
        claim, ClaimStatus.OPENED, ClaimStatus.COMPUTED, action=_("modifier les pièces de")
    )
    doc = ClaimDocument.objects.filter(claim=claim, code=code).first()
    if doc is None:
        raise ValidationError(
            {"code": _("Pièce « %(code)s » absente de la liste.") % {"code": code}}
        )
    reference = (reference or "").strip()
    if len(reference) > 120:
        raise ValidationError({"reference": _("Référence trop longue (120 caractères au plus).")})
    before = audit.snapshot(doc)
    doc.received = bool(received)
    doc.received_at = timestamp() if received else None
    doc.received_by = user if received else None
    doc.reference = reference if received else ""
    doc.save()
    audit.record_updated(doc, before, subject=claim)
    return doc


@transaction.atomic
def claim_add_proven_period(
    *,
    claim: Claim,
    period: str,
    gross_salary,
    document_reference: str,
    user,
    days_worked: int | None = None,
) -> ProvenPeriod:
    """Add a month proven by a document; it counts in the claim's next computation only."""
    lock_claim(claim)
    check_status(claim, ClaimStatus.OPENED, ClaimStatus.COMPUTED, action=_("ajouter une période à"))
    errors: dict = {}
    period = (period or "").strip()
    if not PERIOD.match(period):
        errors["period"] = _("Période « %(value)s » invalide : AAAA-MM attendu.") % {
            "value": period
        }
    elif month_of(claim.person.birth_date) + 12 * 12 > month_of(
        dt.date(int(period[:4]), int(period[5:]), 1)
    ):
        errors["period"] = _("Période antérieure aux 12 ans de l'assuré.")
    elif period > f"{claim.claim_date:%Y-%m}":
        errors["period"] = _("Période postérieure à la demande.")
    salary = None
    try:
        salary = Decimal(str(gross_salary).strip())
        if not salary.is_finite() or isinstance(gross_salary, float | bool):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["gross_salary"] = _("Salaire brut : montant en francs attendu.")
    else:
        if salary < 0 or salary != salary.to_integral_value():
            errors["gross_salary"] = _("Salaire brut : francs entiers, positif ou nul.")
    if days_worked is not None and not 0 <= int(days_worked) <= 31:
        errors["days_worked"] = _("Jours travaillés : entier de 0 à 31.")
    document_reference = (document_reference or "").strip()
    if not document_reference:
        errors["document_reference"] = _("La pièce justificative est obligatoire.")
    elif len(document_reference) > 200:
        errors["document_reference"] = _("Référence trop longue (200 caractères au plus).")
    if not errors and ProvenPeriod.objects.filter(claim=claim, period=period).exists():
        errors["period"] = _("Cette période est déjà prouvée pour cette demande.")
    raise_errors(errors)
    proven = ProvenPeriod.objects.create(
        organisation_id=claim.organisation_id,
        claim=claim,
        period=period,
        gross_salary=salary,
        days_worked=days_worked,
        document_reference=document_reference,
        added_by=user,
        added_at=timestamp(),
    )
    audit.record_created(proven, subject=claim)
    if claim.status == ClaimStatus.COMPUTED:  # the computation no longer has every input
        before = audit.snapshot(claim)
        claim.status = ClaimStatus.OPENED
        claim.save(update_fields=["status"])
        audit.record_updated(claim, before, subject=claim.person)
    return proven


# --- compute ----------------------------------------------------------------------------------


def _claimant(
    person: Person, *, on: dt.date, category: str, age_limit: int | None, voluntary: bool = False
) -> tuple:
    children = [d for d in person.dependants.all() if d.relationship == Relationship.CHILD]
    limit = age_limit or 21
    dependent = [c for c in children if c.birth_date and birthday(c.birth_date, limit) > on]
    claimant = Claimant(
        birth_date=person.birth_date,
        sex=person.sex,
        children_born=len(children),
        dependent_children=len(dependent),
        category=category or None,
        voluntary=voluntary,
    )
    facts = {
        "person_number": person.number,
        "name": person.full_name,
        "birth_date": person.birth_date.isoformat(),
        "birth_date_precision": person.birth_date_precision,
        "sex": person.sex,
        "children_born": len(children),
        "dependent_children": len(dependent),
        "dependent_children_age_limit": limit,
        "category": category,
        "voluntary": voluntary,
    }
    return claimant, facts


def _rule(claim: Claim, on: dt.date) -> BenefitRuleVersion:
    version = rule_in_force(organisation=claim.organisation_id, kind=BenefitKind.OLD_AGE, on=on)
    if version is None:
        raise ValidationError(
            {
                "organisation": _("Aucune règle de pension en vigueur à %(org)s au %(date)s.")
                % {"org": claim.person.organisation.code, "date": on.strftime("%d/%m/%Y")}
            }
        )
    return version


def compute_liquidation(claim: Claim, user, *, number: int) -> Liquidation:
    person = claim.person
    org_code = person.organisation.code
    on = claim.claim_date
    if claim.kind == ClaimKind.SURVIVORS:
        start = claim_career.first_of_next_month(claim.death_date)
        until = claim.death_date
    else:
        start = claim_career.first_of_next_month(on)
        until = on
    version = _rule(claim, start)
    rules = version.rules()
    declared = claim_career.declared_months(person, until=until)
    proven = list(ProvenPeriod.objects.filter(claim=claim).order_by("period"))
    months_used = [
        {"period": m, "salary": str(v["salary"]), "days": v["days"], "source": "declaration"}
        for m, v in declared.items()
    ]
    lines = [CareerLine(org_code, m, v["salary"], v["days"]) for m, v in declared.items()]
    for p in proven:
        lines.append(CareerLine(org_code, p.period, Decimal(p.gross_salary), p.days_worked))
        months_used.append(
            {
                "period": p.period,
                "salary": str(p.gross_salary),
                "days": p.days_worked,
                "source": "proven",
                "document_reference": p.document_reference,
            }
        )
    months_used.sort(key=lambda m: (m["period"], m["source"]))
    claimant, facts = _claimant(
        person,
        on=on,
        category=claim.category,
        age_limit=rules.child_supplement.age_limit,
        voluntary=claim_career.ends_voluntary(person, until=until),
    )
    elsewhere = claim_career.elsewhere(person, claim=claim)
    inputs = {
        "claimant": facts,
        "claim_date": on.isoformat(),
        "organisation": org_code,
        "months": months_used,
        "elsewhere": elsewhere,
        "elsewhere_note": _(
            "Périodes communiquées par les autres organismes : totalisées pour ouvrir le droit "
            "d'une pension de vieillesse (convention CIPRES), cet organisme payant sa part au "
            "prorata de ses propres mois."
        ),
        "start_date_note": START_DATE_ASSUMPTION,
    }
    beneficiaries: list[dict] = []
    if claim.kind == ClaimKind.SURVIVORS:
        result, trace, monthly, beneficiaries, survivors_inputs = (
            claim_survivors.survivors_computation(claim, rules, lines, claimant)
        )
        inputs["survivors"] = survivors_inputs
        eligible = bool(monthly)
        benefit = "survivors" if eligible else "none"
        lump = None
        reasons = list(result.reasons) if result else []
        if not eligible:
            reasons.append(_("Aucun ayant droit ou aucune pension du défunt."))
    else:
        result, coordinated = coordination.old_age_result(claim, rules, lines, claimant, on=on)
        if coordinated is not None:
            inputs["coordination"] = coordinated
        trace = result.trace
        monthly, lump = result.monthly_amount, result.lump_sum_amount
        eligible, benefit, reasons = result.eligible, result.benefit, list(result.reasons)
    liquidation = Liquidation.objects.create(
        organisation_id=claim.organisation_id,
        claim=claim,
        number=number,
        computed_by=user,
        computed_at=timestamp(),
        on=on,
        rule_version=version,
        rule_versions=[version.version_label],
        inputs=inputs,
        trace=trace.as_list(),
        eligible=eligible,
        benefit=benefit,
        monthly_amount=monthly,
        lump_sum_amount=lump,
        insured_months=result.insured_months if result else 0,
        reference_salary=result.reference_salary if result else None,
        rate=result.rate if result else None,
        start_date=start if eligible else None,
        gaps=claim_career.gaps(declared),
        reasons=[str(r) for r in reasons],
    )
    audit.record_created(liquidation, subject=claim)
    if beneficiaries:
        rows = Beneficiary.objects.bulk_create(
            [
                Beneficiary(organisation_id=claim.organisation_id, liquidation=liquidation, **b)
                for b in beneficiaries
            ]
        )
        audit.record_created_many(rows, subject_type="liquidation", subject_field="liquidation_id")
    return liquidation


@transaction.atomic
def claim_compute(*, claim: Claim, user) -> Liquidation:
    """Compute the claim from the career and the rules in force; store a new liquidation."""
    lock_claim(claim)
    check_status(claim, ClaimStatus.OPENED, ClaimStatus.COMPUTED, action=_("calculer"))
    number = (claim.liquidations.aggregate(n=Max("number"))["n"] or 0) + 1
    liquidation = compute_liquidation(claim, user, number=number)
    before = audit.snapshot(claim)
    claim.status = ClaimStatus.COMPUTED
    claim.computed_by = user
    claim.computed_at = liquidation.computed_at
    claim.save()
    audit.record_updated(claim, before, subject=claim.person)
    return liquidation


def current_liquidation(claim: Claim) -> Liquidation | None:
    return claim.liquidations.order_by("-number").first()


@transaction.atomic
def claim_submit(*, claim: Claim, user) -> Claim:
    """Submit the computed claim for approval: every required document must be received."""
    lock_claim(claim)
    check_status(claim, ClaimStatus.COMPUTED, action=_("soumettre"))
    late = coordination.periods_received_after(claim, current_liquidation(claim))
    if late:
        raise ValidationError(
            {
                "status": _(
                    "Périodes reçues de %(orgs)s après le calcul : recalculer avant de soumettre."
                )
                % {"orgs": ", ".join(late)}
            }
        )
    missing = list(
        ClaimDocument.objects.filter(claim=claim, required=True, received=False).values_list(
            "label", flat=True
        )
    )
    if missing:
        raise ValidationError(
            {
                "documents": _("Pièces obligatoires manquantes : %(docs)s.")
                % {"docs": ", ".join(missing)}
            }
        )
    before = audit.snapshot(claim)
    claim.status = ClaimStatus.SUBMITTED
    claim.submitted_by = user
    claim.submitted_at = timestamp()
    claim.save()
    audit.record_updated(claim, before, subject=claim.person)
    return claim
