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
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.accounts.models import RoleCode
from kafo.audit import services as audit
from kafo.contributions.domain import periods as declaration_periods
from kafo.contributions.models import DeclarationLine, DeclarationStatus
from kafo.organisations.models import Organisation
from kafo.registry.models import Dependant, Person, Relationship

from .domain.career import PERIOD, CareerLine, month_of, period_of
from .domain.pension import Claimant, birthday, compute_old_age, normal_age_of
from .domain.survivors import Orphan, Spouse, survivors_shares
from .domain.trace import Trace
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


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _status(claim: Claim, *allowed: str, action: str) -> None:
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


def _lock(claim: Claim) -> Claim:
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
    elif claim_date > _today():
        errors["claim_date"] = _("La date de la demande ne peut pas être dans le futur.")
    if kind == ClaimKind.SURVIVORS:
        if death_date is None:
            errors["death_date"] = _(
                "La date du décès est obligatoire pour une pension de survivants."
            )
        elif death_date > _today() or (claim_date and death_date > claim_date):
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
    _raise(errors)
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
        opened_at=_now(),
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
    _lock(claim)
    _status(claim, ClaimStatus.OPENED, ClaimStatus.COMPUTED, action=_("modifier les pièces de"))
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
    doc.received_at = _now() if received else None
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
    _lock(claim)
    _status(claim, ClaimStatus.OPENED, ClaimStatus.COMPUTED, action=_("ajouter une période à"))
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
    _raise(errors)
    proven = ProvenPeriod.objects.create(
        organisation_id=claim.organisation_id,
        claim=claim,
        period=period,
        gross_salary=salary,
        days_worked=days_worked,
        document_reference=document_reference,
        added_by=user,
        added_at=_now(),
    )
    audit.record_created(proven, subject=claim)
    if claim.status == ClaimStatus.COMPUTED:  # the computation no longer has every input
        before = audit.snapshot(claim)
        claim.status = ClaimStatus.OPENED
        claim.save(update_fields=["status"])
        audit.record_updated(claim, before, subject=claim.person)
    return proven


# --- the career -------------------------------------------------------------------------------


def _own_records(person: Person) -> list[Person]:
    """The person's records at its own organisation (the zone index may hold several)."""
    link = getattr(person, "zone_link", None) if _has_link(person) else None
    if link is None:
        return [person]
    records = list(
        Person.unscoped.filter(
            organisation_id=person.organisation_id, zone_link__zone_person_id=link.zone_person_id
        ).order_by("pk")
    )
    return records or [person]


def _has_link(person: Person) -> bool:
    from kafo.identity.models import ZoneLink

    try:
        return person.zone_link is not None
    except ZoneLink.DoesNotExist:
        return False


def declared_months(person: Person, *, until: dt.date) -> dict[str, dict]:
    """Return {YYYY-MM: {"salary", "days"}} from the declarations in force at the person's
    organisation, for every record of the same zone person there, up to `until`'s month.

    A quarterly line is spread over its three months (salary and days divided by 3, the salary
    to the centime). Lines of several employers in one month are summed.
    """
    ids = [p.pk for p in _own_records(person)]
    rows = DeclarationLine.unscoped.filter(
        organisation_id=person.organisation_id,
        person_id__in=ids,
        declaration__status=DeclarationStatus.IN_FORCE,
    ).values_list("declaration__period", "gross_salary", "days_worked")
    last = f"{until:%Y-%m}"
    months: dict[str, dict] = {}
    for period, salary, days in rows:
        covered = declaration_periods.months_in(period)
        n = len(covered)
        for m in covered:
            if m > last:
                continue
            cell = months.setdefault(m, {"salary": Decimal(0), "days": 0})
            cell["salary"] += (Decimal(salary) / n).quantize(Decimal("0.01"))
            cell["days"] += (days or 0) // n
    return dict(sorted(months.items()))


def _elsewhere(person: Person) -> list[dict]:
    """Insured months at the other organisations where the zone index links the person
    (codes and months only, as the liaison would communicate them)."""
    from kafo.identity.models import ZoneLink
    from kafo.identity.selectors import insured_periods_of

    if not _has_link(person):
        return []
    zone_person_id = person.zone_link.zone_person_id
    org_ids = (
        ZoneLink.unscoped.filter(zone_person_id=zone_person_id)
        .exclude(organisation_id=person.organisation_id)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    answer = []
    for org in Organisation.objects.filter(pk__in=list(org_ids)).order_by("code"):
        periods = insured_periods_of(organisation=org, zone_person_id=zone_person_id)
        answer.append(
            {"organisation": org.code, "months": periods["months"], "spans": periods["spans"]}
        )
    return answer


def _gaps(months: Iterable[str]) -> list[dict]:
    """Runs of months without any line between the first and the last month given."""
    from kafo.identity.selectors import month_spans

    present = sorted(set(months))
    if not present:
        return []
    first, last = _index(present[0]), _index(present[-1])
    have = {_index(m) for m in present}
    return month_spans(period_of(i) for i in range(first, last + 1) if i not in have)


def _index(period: str) -> int:
    return int(period[:4]) * 12 + int(period[5:7]) - 1


def _first_of_next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


# --- compute ----------------------------------------------------------------------------------


def _claimant(person: Person, *, on: dt.date, category: str, age_limit: int | None) -> tuple:
    children = [d for d in person.dependants.all() if d.relationship == Relationship.CHILD]
    limit = age_limit or 21
    dependent = [c for c in children if c.birth_date and birthday(c.birth_date, limit) > on]
    claimant = Claimant(
        birth_date=person.birth_date,
        sex=person.sex,
        children_born=len(children),
        dependent_children=len(dependent),
        category=category or None,
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


def _compute(claim: Claim, user, *, number: int) -> Liquidation:
    person = claim.person
    org_code = person.organisation.code
    on = claim.claim_date
    if claim.kind == ClaimKind.SURVIVORS:
        start = _first_of_next_month(claim.death_date)
        until = claim.death_date
    else:
        start = _first_of_next_month(on)
        until = on
    version = _rule(claim, start)
    rules = version.rules()
    declared = declared_months(person, until=until)
    proven = list(ProvenPeriod.objects.filter(claim=claim).order_by("period"))
    months_used = [
        {"period": m, "salary": str(v["salary"]), "days": v["days"], "source": "declaration"}
        for m, v in declared.items()
    ]
    lines = [
        CareerLine(org_code, m, v["salary"], v["days"] if v["days"] else None)
        for m, v in declared.items()
    ]
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
        person, on=on, category=claim.category, age_limit=rules.child_supplement.age_limit
    )
    elsewhere = _elsewhere(person)
    inputs = {
        "claimant": facts,
        "claim_date": on.isoformat(),
        "organisation": org_code,
        "months": months_used,
        "elsewhere": elsewhere,
        "elsewhere_note": _(
            "Périodes d'autres organismes : pour information, elles ne comptent pas dans la "
            "formule de cet organisme (totalisation : convention CIPRES)."
        ),
        "start_date_note": START_DATE_ASSUMPTION,
    }
    beneficiaries: list[dict] = []
    if claim.kind == ClaimKind.SURVIVORS:
        result, trace, monthly, beneficiaries, survivors_inputs = _survivors(
            claim, rules, lines, claimant
        )
        inputs["survivors"] = survivors_inputs
        eligible = bool(monthly)
        benefit = "survivors" if eligible else "none"
        lump = None
        reasons = list(result.reasons) if result else []
        if not eligible:
            reasons.append(_("Aucun ayant droit ou aucune pension du défunt."))
    else:
        result = compute_old_age(rules, lines, claimant, on=on)
        trace = result.trace
        monthly, lump = result.monthly_amount, result.lump_sum_amount
        eligible, benefit, reasons = result.eligible, result.benefit, list(result.reasons)
    liquidation = Liquidation.objects.create(
        organisation_id=claim.organisation_id,
        claim=claim,
        number=number,
        computed_by=user,
        computed_at=_now(),
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
        gaps=_gaps(declared),
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


def _survivors(claim: Claim, rules, lines: list[CareerLine], claimant: Claimant):
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


@transaction.atomic
def claim_compute(*, claim: Claim, user) -> Liquidation:
    """Compute the claim from the career and the rules in force; store a new liquidation."""
    _lock(claim)
    _status(claim, ClaimStatus.OPENED, ClaimStatus.COMPUTED, action=_("calculer"))
    number = (claim.liquidations.aggregate(n=Max("number"))["n"] or 0) + 1
    liquidation = _compute(claim, user, number=number)
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
    _lock(claim)
    _status(claim, ClaimStatus.COMPUTED, action=_("soumettre"))
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
    claim.submitted_at = _now()
    claim.save()
    audit.record_updated(claim, before, subject=claim.person)
    return claim


# --- decide -----------------------------------------------------------------------------------


def _same_person(user, person: Person) -> bool:
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


def _delegation_for(user, claim: Claim, amount: Decimal, on: dt.date):
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
    if _same_person(user, claim.person):
        return {"user": _("Nul ne peut approuver sa propre demande.")}
    if not user.has_role(RoleCode.APPROVER, RoleCode.DIRECTOR):
        return {"user": _("Seuls un approbateur ou le directeur peuvent approuver une demande.")}
    if user.has_role(RoleCode.DIRECTOR):
        return {}
    amount = liquidation.amount or Decimal(0)
    if _delegation_for(user, claim, amount, on) is None:
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
    on = on or _today()
    _lock(claim)
    _status(claim, ClaimStatus.SUBMITTED, action=_("approuver"))
    _raise(approval_refusal(claim, user, on=on))
    liquidation = current_liquidation(claim)
    if not liquidation.eligible:
        raise ValidationError(
            {"status": _("Le calcul n'ouvre aucun droit : la demande ne peut qu'être rejetée.")}
        )
    delegation = None
    if not user.has_role(RoleCode.DIRECTOR):
        delegation = _delegation_for(user, claim, liquidation.amount or Decimal(0), on)
    now = _now()
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
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, user, reason: str) -> Claim:
    """Reject the submitted claim, with the reason the claimant will read."""
    _lock(claim)
    _status(claim, ClaimStatus.SUBMITTED, action=_("rejeter"))
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
    claim.decided_at = _now()
    claim.rejection_reason = reason
    claim.save()
    audit.record_updated(claim, before, subject=claim.person)
    return claim


@transaction.atomic
def claim_start_payment(*, claim: Claim, user) -> Claim:
    """Put the approved claim in payment."""
    _lock(claim)
    _status(claim, ClaimStatus.APPROVED, action=_("mettre en paiement"))
    before = audit.snapshot(claim)
    claim.status = ClaimStatus.IN_PAYMENT
    claim.payment_started_by = user
    claim.payment_started_at = _now()
    claim.save()
    audit.record_updated(claim, before, subject=claim.person)
    return claim


@transaction.atomic
def claim_revise(*, claim: Claim, user) -> Liquidation:
    """Compute an approved claim again (a new liquidation, to be submitted and approved again).

    The approved liquidation stays as it was: it is what is paid until the revision is approved.
    """
    _lock(claim)
    _status(claim, ClaimStatus.APPROVED, ClaimStatus.IN_PAYMENT, action=_("réviser"))
    number = (claim.liquidations.aggregate(n=Max("number"))["n"] or 0) + 1
    liquidation = _compute(claim, user, number=number)
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
    current = {m: v["salary"] for m, v in declared_months(claim.person, until=until).items()}
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
        claim.review_flagged_at = _now()
        claim.save(update_fields=["review_reason", "review_flagged_at"])
        audit.record_updated(claim, before, subject=claim.person)
        flagged += 1
    return flagged
