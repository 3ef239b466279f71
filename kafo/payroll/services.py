"""Writes on benefits in payment: put an approved claim in payment, suspend, resume, stop,
change the payment channel, revalue by a board decision, record a death.

Each function is atomic and audited; a refused change raises `ValidationError({field: reason})`
(French) and changes nothing. The amount of a benefit is its `AmountVersion` in force: nothing
here edits a version, a change adds one. Models and the rules the payroll run relies on:
models/in_payment.py.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.audit import services as audit

from .domain import bank_ids, phones
from .models import (
    AmountVersion,
    BenefitInPayment,
    BenefitKind,
    Channel,
    ChannelChange,
    DeathRecord,
    Overpayment,
    Reason,
    Revaluation,
    Status,
    StatusChange,
)
from .models.in_payment import STOP_REASONS, SUSPENSION_REASONS
from .payment_calendar import payment_terms

PENSION_KINDS = (
    BenefitKind.PENSION,
    BenefitKind.ALLOWANCE,
    BenefitKind.SURVIVOR,
    BenefitKind.ORPHAN,
)
# Minor digits of the zone's currencies: all paid in whole units (XOF, XAF, GNF, KMF, MGA).
CURRENCY_DIGITS = {"XOF": 0, "XAF": 0, "GNF": 0, "KMF": 0, "MGA": 0}


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def round_currency(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's paid unit (whole francs in the zone)."""
    digits = CURRENCY_DIGITS.get(currency, 0)
    return amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


# --- channel --------------------------------------------------------------------------------


CHANNEL_FIELDS = ("channel", "account_holder", "rib", "iban", "bic", "msisdn", "operator",
                  "paying_agency")  # fmt: skip


def channel_details(*, organisation, data: dict) -> dict:
    """Check a payment channel and its details; return the fields to store (RIB compact, IBAN
    derived, number in E.164). Raise ValidationError naming the field and the reason."""
    channel = (data.get("channel") or "").strip()
    country = organisation.country_id
    out = dict.fromkeys(CHANNEL_FIELDS, "")
    out["channel"] = channel
    if channel not in Channel.values:
        raise ValidationError(
            {"channel": _("Mode de paiement inconnu : virement, mobile money ou espèces.")}
        )
    if channel == Channel.BANK:
        zone = bank_ids.zone_of_country(country)
        if zone is None:
            raise ValidationError(
                {
                    "rib": _("Pays %(country)s hors UEMOA et CEMAC : pas de RIB vérifiable.")
                    % {"country": country}
                }  # fmt: skip
            )
        try:
            rib = bank_ids.parse_rib(data.get("rib") or "", zone)
            iban = bank_ids.iban_from_rib(rib, country if zone == "CEMAC" else None)
        except bank_ids.BankIdError as exc:
            raise ValidationError({"rib": _("RIB : %(reason)s.") % {"reason": exc}}) from None
        holder = (data.get("account_holder") or "").strip()
        if not holder:
            raise ValidationError({"account_holder": _("Le titulaire du compte est obligatoire.")})
        out.update(rib=str(rib), iban=iban, account_holder=holder[:200])
        out["bic"] = (data.get("bic") or "").strip().upper()[:11]
    elif channel == Channel.MOBILE_MONEY:
        try:
            out["msisdn"] = phones.normalise_msisdn(data.get("msisdn") or "", country)
        except phones.PhoneError as exc:
            raise ValidationError(
                {"msisdn": _("Numéro mobile money : %(reason)s.") % {"reason": exc}}
            ) from None
        operator = (data.get("operator") or "").strip()
        if not operator:
            raise ValidationError({"operator": _("L'opérateur de mobile money est obligatoire.")})
        known = operators_of_country(country)
        if known:
            by_name = {k.lower(): k for k in known} | {v.lower(): k for k, v in known.items()}
            if operator.lower() not in by_name:
                raise ValidationError(
                    {
                        "operator": _("Opérateur inconnu dans ce pays : %(ops)s.")
                        % {"ops": ", ".join(known.values())}
                    }  # fmt: skip
                )
            operator = by_name[operator.lower()]
        out["operator"] = operator[:40]
    else:
        agency = (data.get("paying_agency") or "").strip()
        if not agency:
            raise ValidationError({"paying_agency": _("L'agence payeuse est obligatoire.")})
        out["paying_agency"] = agency[:120]
    return out


def operators_of_country(country: str) -> dict[str, str]:
    """The mobile-money operators Kafo pays through in a country: {code: label}
    (kafo/payroll/mobile_money/operators.yaml). A benefit stores the code the runs' adapters
    take."""
    from .models.in_payment import mobile_money_operators

    return {
        code: conf.get("label", code)
        for code, conf in mobile_money_operators().items()
        if conf.get("country") == country
    }


def _channel_of(benefit: BenefitInPayment) -> dict:
    return {f: getattr(benefit, f) for f in CHANNEL_FIELDS}


def benefit_in_open_run(benefit: BenefitInPayment) -> bool:
    """Whether a payroll run being prepared or approved holds this benefit (the channel may
    then not change until it is frozen): kafo/payroll/runs.py decides."""
    from . import runs

    return runs.benefit_in_open_run(benefit)


@transaction.atomic
def benefit_change_channel(*, benefit: BenefitInPayment, data: dict, user, note: str = ""):
    """Change the payment channel or its details between two runs (audited, with history)."""
    benefit = BenefitInPayment.objects.select_for_update().get(pk=benefit.pk)
    if benefit.status == Status.STOPPED:
        raise ValidationError({"channel": _("Prestation arrêtée : le mode de paiement est clos.")})
    if benefit_in_open_run(benefit):
        raise ValidationError(
            {
                "channel": _(
                    "Un état de paiement en préparation contient cette prestation : "
                    "changer le mode de paiement après son gel."
                )
            }  # fmt: skip
        )
    fields = channel_details(organisation=benefit.organisation, data=data)
    before_channel = _channel_of(benefit)
    if fields == before_channel:
        return benefit
    before = audit.snapshot(benefit)
    for k, v in fields.items():
        setattr(benefit, k, v)
    benefit.save(update_fields=list(CHANNEL_FIELDS))
    change = ChannelChange.objects.create(
        organisation_id=benefit.organisation_id,
        benefit=benefit,
        before=before_channel,
        after=fields,
        note=note[:300],
        by=user,
        changed_at=_now(),
    )
    audit.record_updated(benefit, before, subject=benefit)
    audit.record_created(change, subject=benefit)
    return benefit


# --- putting a claim in payment -------------------------------------------------------------


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


def _new_benefit(*, claim, liquidation, kind, amount, start, user, channel: dict, **fields):
    org = claim.organisation
    frequency, timing = payment_terms(org.code, kind, start)
    benefit = BenefitInPayment(
        organisation_id=claim.organisation_id,
        claim=claim,
        kind=kind,
        frequency=frequency,
        timing=timing,
        start_date=start,
        status=Status.IN_PAYMENT,
        status_since=start,
        status_reason=Reason.START,
        created_by=user,
        created_at=_now(),
        **channel,
        **fields,
    )
    if benefit.end_date is not None and benefit.end_date < start:
        return None  # the right ended before it starts (orphan over the limit)
    benefit.save()
    version = AmountVersion.objects.create(
        organisation_id=benefit.organisation_id,
        benefit=benefit,
        effective_from=start,
        monthly_amount=amount,
        reason=AmountVersion.Cause.INITIAL,
        liquidation=liquidation,
        created_by=user,
        created_at=benefit.created_at,
    )
    change = StatusChange.objects.create(
        organisation_id=benefit.organisation_id,
        benefit=benefit,
        on=start,
        status=Status.IN_PAYMENT,
        reason=Reason.START,
        by=user,
        recorded_at=benefit.created_at,
    )
    for row in (benefit, version, change):
        audit.record_created(row, subject=benefit)
    _revaluations_since_start(benefit, amount, user)
    return benefit


def _revaluations_since_start(benefit: BenefitInPayment, amount: Decimal, user) -> None:
    """A claim put in payment after a revaluation was applied, with a start date before it:
    the revaluations it missed, as versions from their dates (compounded, rounded as applied)."""
    revaluations = Revaluation.objects.filter(
        organisation_id=benefit.organisation_id,
        applied_at__isnull=False,
        effective_from__gt=benefit.start_date,
    ).order_by("effective_from", "pk")
    currency = benefit.organisation.country.currency
    for rev in revaluations:
        if benefit.kind not in (rev.kinds or PENSION_KINDS):
            continue
        if benefit.end_date is not None and benefit.end_date < rev.effective_from:
            continue
        amount = round_currency(Decimal(amount) * (1 + rev.percent / 100), currency)
        version = AmountVersion.objects.create(
            organisation_id=benefit.organisation_id,
            benefit=benefit,
            effective_from=rev.effective_from,
            monthly_amount=amount,
            reason=AmountVersion.Cause.REVALUATION,
            decision_id=rev.decision_id,
            revaluation=rev,
            created_by=user,
            created_at=benefit.created_at,
        )
        Revaluation.objects.filter(pk=rev.pk).update(applied_count=F("applied_count") + 1)
        audit.record_created(version, subject=benefit)


DEFAULT_CASH = {"channel": Channel.CASH, "paying_agency": ""}


def benefits_from_claim(*, claim, user, channels: dict | None = None) -> list[BenefitInPayment]:
    """Put an approved claim's periodic amounts in payment, from its frozen liquidation.

    A pension claim gives one benefit to the insured person; a survivors' claim one per
    qualifying survivor (each widow; each orphan, paid to the guardian when one is named or
    the orphan's other parent is a widow of the claim, and stopped by itself the eve of the
    birthday at the rule's age limit). A lump sum gives none. `channels` maps "pensioner" or a
    Beneficiary id to channel data (checked by `channel_details`); without it the benefit is
    created as cash with the paying agency to complete. Idempotent: an existing benefit of the
    claim is kept, not duplicated.
    """
    from kafo.benefits.models import ClaimKind, Liquidation

    channels = channels or {}
    liquidation = (
        Liquidation.objects.filter(claim=claim, approved_at__isnull=False)
        .select_related("rule_version")
        .order_by("-number")
        .first()
    )
    if liquidation is None:
        raise ValidationError({"claim": _("La demande n'a pas de calcul approuvé.")})
    if liquidation.monthly_amount is None:
        return []
    start = liquidation.start_date or liquidation.on
    existing = {b.beneficiary_id: b for b in BenefitInPayment.objects.filter(claim=claim)}
    created: list[BenefitInPayment] = []

    def channel_for(key) -> dict:
        data = channels.get(key) or channels.get(str(key))
        if not data:
            return dict(DEFAULT_CASH)
        return channel_details(organisation=claim.organisation, data=data)

    if claim.kind != ClaimKind.SURVIVORS:
        if None in existing:
            return []
        kind = (
            BenefitKind.ALLOWANCE
            if liquidation.benefit == "old_age_allowance"
            else BenefitKind.PENSION
        )
        person = claim.person
        b = _new_benefit(
            claim=claim,
            liquidation=liquidation,
            kind=kind,
            amount=liquidation.monthly_amount,
            start=start,
            user=user,
            channel=channel_for("pensioner"),
            person=person,
            payee_name=f"{person.family_name.upper()} {person.given_names}",
        )
        return [b]
    survivors_rules = (liquidation.rule_version.parameters or {}).get("survivors", {})
    limit = survivors_rules.get("orphan_age_limit")
    beneficiaries = list(
        liquidation.beneficiaries.filter(qualifies=True, monthly_amount__gt=0)
        .select_related("dependant")
        .order_by("relationship", "id")
    )
    spouses = {
        b.dependant_id: b.name
        for b in beneficiaries
        if b.relationship == "spouse" and b.dependant_id
    }
    for ben in beneficiaries:
        if ben.pk in existing:
            continue
        data = channels.get(ben.pk) or channels.get(str(ben.pk)) or {}
        if ben.relationship == "spouse":
            kind, fields = BenefitKind.SURVIVOR, {"payee_name": ben.name}
        else:
            dep = ben.dependant
            guardian = (data.get("guardian_name") or "").strip()
            if not guardian and dep is not None and dep.other_parent_id in spouses:
                guardian = spouses[dep.other_parent_id]
            kind = BenefitKind.ORPHAN
            birth = dep.birth_date if dep else None
            end = _age_limit_end(birth, limit)
            if end is not None and dep is not None:
                end = max(end, orphan_end_with_documents(
                    birth=birth, base_end=end, documents=_documents_of(dep.pk),
                    limits=survivors_rules.get("orphan_age_limit_by_situation") or {},
                ))  # fmt: skip
            fields = {"payee_name": ben.name, "guardian_name": guardian[:200], "end_date": end}
        b = _new_benefit(
            claim=claim,
            liquidation=liquidation,
            kind=kind,
            amount=ben.monthly_amount,
            start=start,
            user=user,
            channel=channel_for(ben.pk),
            beneficiary=ben,
            dependant=ben.dependant,
            **fields,
        )
        if b is not None:
            created.append(b)
    return created


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


# --- status -----------------------------------------------------------------------------------


def _lock(benefit: BenefitInPayment) -> BenefitInPayment:
    return BenefitInPayment.objects.select_for_update().get(pk=benefit.pk)


def _set_status(benefit, *, status, reason, on, user, note="", **fields) -> StatusChange:
    before = audit.snapshot(benefit)
    benefit.status = status
    benefit.status_reason = reason
    benefit.status_since = on
    for k, v in fields.items():
        setattr(benefit, k, v)
    benefit.save()
    change = StatusChange.objects.create(
        organisation_id=benefit.organisation_id,
        benefit=benefit,
        on=on,
        status=status,
        reason=reason,
        note=(note or "")[:300],
        by=user,
        recorded_at=_now(),
    )
    audit.record_updated(benefit, before, subject=benefit)
    audit.record_created(change, subject=benefit)
    return change


@transaction.atomic
def benefit_suspend(*, benefit, reason: str, user, on: dt.date | None = None, note: str = ""):
    """Suspend payment from `on` (the right runs on: the periods stay due, paid on resumption)."""
    benefit = _lock(benefit)
    if reason not in SUSPENSION_REASONS:
        raise ValidationError({"reason": _("Motif de suspension inconnu.")})
    if benefit.status != Status.IN_PAYMENT:
        raise ValidationError(
            {
                "status": _("Seule une prestation en paiement peut être suspendue (état : %(s)s).")
                % {"s": benefit.get_status_display()}
            }  # fmt: skip
        )
    _set_status(benefit, status=Status.SUSPENDED, reason=reason, on=on or _today(), user=user,
                note=note)  # fmt: skip
    return benefit


@transaction.atomic
def benefit_resume(
    *, benefit, user, on: dt.date | None = None, reason: str = Reason.RESUMED, note: str = ""
):
    """Resume payment from `on`; the next run pays the suspended periods as arrears."""
    benefit = _lock(benefit)
    if benefit.status != Status.SUSPENDED:
        raise ValidationError({"status": _("La prestation n'est pas suspendue.")})
    on = on or _today()
    if on < benefit.status_since:
        raise ValidationError(
            {
                "on": _("La reprise ne peut précéder la suspension (%(d)s).")
                % {"d": benefit.status_since.strftime("%d/%m/%Y")}
            }  # fmt: skip
        )
    _set_status(benefit, status=Status.IN_PAYMENT, reason=reason, on=on, user=user, note=note)
    return benefit


@transaction.atomic
def benefit_stop(*, benefit, reason: str, last_day: dt.date, user, note: str = ""):
    """Stop the right: `last_day` is the last day due (the run pays up to it, pro rata)."""
    benefit = _lock(benefit)
    if reason not in STOP_REASONS:
        raise ValidationError({"reason": _("Motif d'arrêt inconnu.")})
    if benefit.status == Status.STOPPED:
        raise ValidationError({"status": _("La prestation est déjà arrêtée.")})
    if last_day < benefit.start_date - dt.timedelta(days=1):
        raise ValidationError(
            {
                "last_day": _("Le dernier jour dû précède la date d'effet (%(d)s).")
                % {"d": benefit.start_date.strftime("%d/%m/%Y")}
            }  # fmt: skip
        )
    end = min(last_day, benefit.end_date) if benefit.end_date else last_day
    _set_status(
        benefit,
        status=Status.STOPPED,
        reason=reason,
        on=end + dt.timedelta(days=1),
        user=user,
        note=note,
        end_date=end,
    )
    return benefit


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


# --- revaluation ------------------------------------------------------------------------------


@transaction.atomic
def revaluation_create(
    *, decision, percent: Decimal, effective_from: dt.date, user, kinds: list | None = None
) -> Revaluation:
    """Record what a board decision decided: +`percent` % from `effective_from`."""
    from kafo.governance.models import BodyKind

    errors = {}
    percent = Decimal(str(percent))
    if percent <= 0 or percent > 100:
        errors["percent"] = _("Le taux doit être compris entre 0 et 100 %.")
    kinds = list(kinds or [])
    if any(k not in BenefitKind.values for k in kinds):
        errors["kinds"] = _("Prestation inconnue dans la liste.")
    if decision.session.body.kind != BodyKind.BOARD:
        errors["decision"] = _("Une revalorisation est une décision du conseil d'administration.")
    if Revaluation.objects.filter(decision=decision).exists():
        errors["decision"] = _("Cette décision a déjà sa revalorisation.")
    if errors:
        raise ValidationError(errors)
    rev = Revaluation.objects.create(
        organisation_id=decision.organisation_id,
        decision=decision,
        percent=percent,
        effective_from=effective_from,
        kinds=kinds,
        prepared_by=user,
        prepared_at=_now(),
    )
    audit.record_created(rev, subject=decision)
    return rev


def _revalued(rev: Revaluation):
    """The benefits a revaluation raises: of its kinds, started on or before its date, not
    ended before it, without a version on that date yet (set-based)."""
    return (
        BenefitInPayment.objects.filter(
            organisation_id=rev.organisation_id,
            kind__in=rev.kinds or list(PENSION_KINDS),
            start_date__lte=rev.effective_from,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=rev.effective_from))
        .exclude(amount_versions__effective_from=rev.effective_from)
    )


def revaluation_preview(revaluation: Revaluation) -> dict:
    """What applying the revaluation would do: how many benefits, their monthly total before
    and after (rounded per benefit as the application rounds), in two aggregate reads."""
    from kafo.organisations.models import Organisation

    currency = Organisation.objects.select_related("country").get(
        pk=revaluation.organisation_id
    ).country.currency  # fmt: skip
    factor = 1 + revaluation.percent / 100
    in_force = (
        AmountVersion.objects.filter(
            benefit=OuterRef("pk"), effective_from__lte=revaluation.effective_from
        )
        .order_by("-effective_from")
        .values("monthly_amount")[:1]
    )
    amounts = [
        Decimal(a)
        for a in _revalued(revaluation)
        .annotate(amount=Subquery(in_force))
        .filter(amount__isnull=False)
        .values_list("amount", flat=True)
    ]
    before = sum(amounts, Decimal(0))
    after = sum((round_currency(a * factor, currency) for a in amounts), Decimal(0))
    return {"count": len(amounts), "before": before, "after": after, "increase": after - before}


@transaction.atomic
def revaluation_apply(*, revaluation: Revaluation, user, batch: int = 5000) -> int:
    """Add, set-based, the revalued amount version of every benefit in payment on the
    revaluation's date (not stopped before it, started on or before it), rounded half up to
    whole francs. Never edits a version; idempotent (a benefit already holding a version on
    that date keeps it, so applying again reaches only benefits put in payment since). Four
    eyes: the agent who prepared it may not apply it. Return the number of versions added."""
    from kafo.organisations.models import Organisation

    rev = Revaluation.objects.select_for_update().get(pk=revaluation.pk)
    if user is not None and rev.prepared_by_id == user.pk:
        raise ValidationError(
            {
                "user": _(
                    "Quatre yeux : l'agent qui a préparé la revalorisation ne peut pas l'appliquer."
                )
            }
        )
    currency = Organisation.objects.select_related("country").get(pk=rev.organisation_id)
    currency = currency.country.currency
    on = rev.effective_from
    factor = 1 + rev.percent / 100
    in_force = (
        AmountVersion.objects.filter(benefit=OuterRef("pk"), effective_from__lte=on)
        .order_by("-effective_from")
        .values("monthly_amount")[:1]
    )
    rows = (
        _revalued(rev)
        .annotate(amount=Subquery(in_force))
        .filter(amount__isnull=False)
        .values_list("pk", "amount")
        .order_by("pk")
    )
    now = _now()
    added = 0
    pending: list[AmountVersion] = []
    for pk, amount in rows.iterator(chunk_size=batch):
        pending.append(
            AmountVersion(
                organisation_id=rev.organisation_id,
                benefit_id=pk,
                effective_from=on,
                monthly_amount=round_currency(Decimal(amount) * factor, currency),
                reason=AmountVersion.Cause.REVALUATION,
                decision_id=rev.decision_id,
                revaluation=rev,
                created_by=user,
                created_at=now,
            )
        )
        if len(pending) >= batch:
            AmountVersion.objects.bulk_create(pending)
            added += len(pending)
            pending = []
    if pending:
        AmountVersion.objects.bulk_create(pending)
        added += len(pending)
    before = audit.snapshot(rev)
    rev.applied_by = user
    rev.applied_at = now
    rev.applied_count += added
    rev.save()
    audit.record_updated(rev, before, subject=rev.decision)
    return added


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
