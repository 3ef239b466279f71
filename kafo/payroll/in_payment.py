"""Benefits in payment: the payment channel, putting an approved claim in payment (moved from
services.py, which re-exports every name).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from kafo.audit import services as audit

from .benefit_status import PENSION_KINDS, _now, round_currency
from .domain import bank_ids, phones
from .models import (
    AmountVersion,
    BenefitInPayment,
    BenefitKind,
    Channel,
    ChannelChange,
    Reason,
    Revaluation,
    Status,
    StatusChange,
)
from .orphans import _age_limit_end, _documents_of, orphan_end_with_documents
from .payment_calendar import payment_terms

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
