"""Writes of voluntary insurance: join, pay a period, lapse, resume. Each atomic and audited.

A period paid becomes a declaration in force (one line) on the member's own contribution
account, its contributions posted and paid at once through the contributions ledger (the same
late-payment penalty rule as an employer's, kafo/rules): see models.py for why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.contributions import ledger
from kafo.contributions.domain.compute import format_amount
from kafo.contributions.domain.periods import months_in
from kafo.contributions.models import (
    Channel,
    Declaration,
    DeclarationLine,
    EntryKind,
    LedgerEntry,
    PaymentMethod,
)
from kafo.registry.models import Employer, Employment, Person
from kafo.registry.services import employer_register

from . import selectors
from .brackets import table_in_force
from .domain import phones
from .domain.schedule import period_of
from .models import (
    EventKind,
    Frequency,
    MemberKind,
    Membership,
    MembershipEvent,
    MembershipStatus,
    PeriodPayment,
)

ACCOUNT_SECTOR = "Assurance volontaire"
DAYS_PER_MONTH = 30  # a month paid is a month fully insured (the days threshold of careers)
# At a counter (cash) or by mobile money: the two ways a member pays (issue 15).
METHODS = (PaymentMethod.MOBILE_MONEY, PaymentMethod.CASH)


def _today() -> dt.date:
    return timezone.localdate()


def _check_contact(
    *, person: Person, kind: str, residence_country: str, address: str, phone: str
) -> tuple[dict, dict]:
    """Return (values, errors) for where the member lives and their phone (E.164)."""
    errors: dict[str, str] = {}
    home = person.organisation.country_id
    country = (residence_country or "").strip().upper()
    address = (address or "").strip()
    if kind == MemberKind.DIASPORA:
        if not phones.is_country(country):
            errors["residence_country"] = _(
                "Pays de résidence : code ISO à deux lettres attendu (ex. FR, US, CI)."
            )
        elif country == home:
            errors["residence_country"] = _(
                "Un membre de la diaspora réside hors du pays de l'organisme (%(c)s)."
            ) % {"c": home}
        if not address:
            errors["address"] = _("L'adresse à l'étranger est obligatoire pour la diaspora.")
        if not (phone or "").strip():
            errors["phone"] = _("Le téléphone du pays de résidence est obligatoire.")
    else:
        country = home
    e164 = ""
    if (phone or "").strip() and "residence_country" not in errors:
        try:
            e164 = phones.normalise(phone, country)
        except phones.PhoneError as exc:
            errors["phone"] = _("Téléphone : %(reason)s.") % {"reason": exc}
    return {"residence_country": country, "address": address, "phone": e164}, errors


@transaction.atomic
def membership_join(
    *,
    person: Person,
    kind: str,
    bracket: str,
    frequency: str,
    residence_country: str = "",
    address: str = "",
    phone: str = "",
    user=None,
    on: dt.date | None = None,
) -> Membership:
    """Make `person` a voluntary member from the period of `on` (today); open their account.

    Refused (ValidationError naming the field) when the organisation offers no voluntary
    insurance, the bracket or frequency is not in its table, the person already is a member or
    holds a salaried job open on `on`, or the diaspora member's country, address or phone is
    missing or not valid."""
    on = on or _today()
    organisation = person.organisation
    table = table_in_force(organisation.code, on)
    if table is None:
        raise ValidationError(
            {
                "person": _("%(org)s n'offre pas l'assurance volontaire.")
                % {"org": organisation.code}
            }
        )
    errors: dict[str, str] = {}
    if kind not in MemberKind.values:
        errors["kind"] = _("Catégorie inconnue.")
    if table.bracket(bracket) is None:
        errors["bracket"] = _("Tranche de revenu inconnue : %(b)s (tranches : %(all)s).") % {
            "b": bracket,
            "all": ", ".join(b.code for b in table.brackets),
        }
    if frequency not in table.frequencies:
        errors["frequency"] = _("Périodicité non proposée par %(org)s.") % {
            "org": organisation.code
        }
    contact, contact_errors = _check_contact(
        person=person,
        kind=kind,
        residence_country=residence_country,
        address=address,
        phone=phone,
    )
    errors |= contact_errors
    # one membership per person: the row is locked so that two joins at once make one
    Person.unscoped.select_for_update().filter(pk=person.pk).first()
    if Membership.unscoped.filter(organisation_id=organisation.pk, person_id=person.pk).exists():
        errors["person"] = _("Cette personne est déjà adhérente (voir sa fiche d'adhésion).")
    job = (
        Employment.unscoped.filter(
            organisation_id=organisation.pk, person_id=person.pk, start_date__lte=on
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .select_related("employer")
        .first()
    )
    if job is not None:
        errors["person"] = _(
            "La personne a un emploi salarié en cours (%(employer)s depuis le %(d)s) : "
            "l'assurance volontaire est réservée aux non-salariés."
        ) % {"employer": job.employer.legal_name, "d": f"{job.start_date:%d/%m/%Y}"}
    if errors:
        raise ValidationError(errors)
    account = employer_register(
        organisation=organisation,
        data={
            "legal_name": f"{ACCOUNT_SECTOR} — {person.full_name}"[:200],
            "sector": ACCOUNT_SECTOR,
            "risk_class": 1,
            "city": "",
            "registered_on": on,
            "status_since": on,
        },
    )
    membership = Membership.objects.create(
        organisation=organisation,
        person=person,
        account=account,
        kind=kind,
        bracket=bracket,
        frequency=frequency,
        joined_on=on,
        start_period=period_of(on, frequency),
        created_by=user if getattr(user, "pk", None) else None,
        **contact,
    )
    audit.record_created(membership, subject=person)
    _event(
        membership,
        EventKind.JOINED,
        on,
        user,
        _("tranche %(b)s, %(f)s")
        % {
            "b": bracket,
            "f": membership.get_frequency_display(),
        },
    )
    return membership


def _event(membership: Membership, kind: str, on: dt.date, user, detail: str = "") -> None:
    event = MembershipEvent.objects.create(
        organisation_id=membership.organisation_id,
        membership=membership,
        kind=kind,
        on=on,
        detail=detail[:200],
        user=user if getattr(user, "pk", None) else None,
    )
    audit.record_created(event, subject=membership.person)


@transaction.atomic
def period_pay(
    *,
    membership: Membership,
    period: str,
    amount,
    method: str,
    reference: str = "",
    paid_on: dt.date | None = None,
    user=None,
    self_service: bool = False,
) -> PeriodPayment:
    """Record the payment of one period: its declaration (one line, the bracket's income), its
    contributions, any late-payment penalty, and the payment, on the member's account.

    `amount` must be what is due (`selectors.amount_due`): contributions plus the penalty on
    `paid_on`. Refused when the membership has lapsed (or lapses by then), the period is not
    one it owes (before its start, after the current period, already paid), or the method or
    reference is missing."""
    today = _today()
    paid_on = paid_on or today
    # One payment at a time per member: the membership row is locked.
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if method not in METHODS:
        raise ValidationError({"method": _("Moyen de paiement : mobile money ou guichet.")})
    if paid_on > today:
        raise ValidationError({"paid_on": _("La date de paiement ne peut être dans le futur.")})
    state = selectors.standing(membership, on=paid_on)
    if membership.status == MembershipStatus.LAPSED or state.lapsed_on is not None:
        raise ValidationError(
            {
                "period": _(
                    "Adhésion tombée en déchéance le %(d)s : une reprise est nécessaire avant "
                    "tout paiement."
                )
                % {"d": f"{(membership.lapsed_on or state.lapsed_on):%d/%m/%Y}"}
            }
        )
    payable = {s.period for s in state.periods if not s.paid}
    if period not in payable:
        raise ValidationError(
            {
                "period": _(
                    "Période %(p)s non payable : elle doit être due par l'adhésion "
                    "(de %(first)s à %(last)s) et pas encore payée."
                )
                % {"p": period, "first": membership.start_period, "last": state.current_period}
            }
        )
    due = selectors.amount_due(membership, period=period, paid_on=paid_on)
    try:
        value = Decimal(str(amount))
    except (ArithmeticError, ValueError):
        value = None
    if value != due.total:
        raise ValidationError(
            {
                "amount": _("Montant reçu %(got)s ; montant dû pour %(p)s : %(due)s.")
                % {
                    "got": format_amount(value) if value is not None else amount,
                    "p": period,
                    "due": format_amount(due.total),
                }
            }
        )
    account = Employer.unscoped.select_for_update().get(pk=membership.account_id)
    person = membership.person
    months = len(months_in(period))
    declaration = Declaration.objects.create(
        organisation_id=membership.organisation_id,
        employer=account,
        period=period,
        file_hash=hashlib.sha256(
            f"voluntary:{membership.pk}:{period}:{due.monthly_income}".encode()
        ).hexdigest(),
        channel=Channel.WEB,
        submitted_by=user if getattr(user, "pk", None) else None,
        submitted_at=timezone.now(),
        rules_on=due.rules_on,
        risk_class=account.risk_class,
        line_count=1,
        total_salary=due.gross,
        employer_total=due.employer,
        employee_total=due.employee,
        total=due.contribution,
        branch_totals=due.branch_totals,
    )
    DeclarationLine.objects.create(
        organisation_id=membership.organisation_id,
        declaration=declaration,
        line_no=1,
        person=person,
        worker_number=person.number,
        national_id=person.national_id,
        family_name=person.family_name,
        given_names=person.given_names,
        days_worked=DAYS_PER_MONTH * months,
        gross_salary=due.gross,
    )
    audit.record_created(declaration, subject=account)
    ledger.post_declarations([declaration], [], late_filing=False)
    ledger.penalties_apply(employer=account, as_of=paid_on)
    penalty = sum(
        LedgerEntry.objects.filter(
            employer=account, kind=EntryKind.PENALTY, period=period
        ).values_list("amount", flat=True),
        Decimal(0),
    )
    payment = ledger.payment_record(
        employer=account,
        amount=due.contribution + penalty,
        paid_on=paid_on,
        method=method,
        reference=reference,
        recorded_by=user if getattr(user, "pk", None) else None,
        today=today,
    )
    paid = PeriodPayment.objects.create(
        organisation_id=membership.organisation_id,
        membership=membership,
        period=period,
        bracket=membership.bracket,
        monthly_income=due.monthly_income,
        contribution=due.contribution,
        penalty=penalty,
        paid_on=paid_on,
        declaration=declaration,
        payment=payment,
        self_service=self_service,
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    audit.record_created(paid, subject=person)
    return paid


@transaction.atomic
def membership_lapse(*, membership: Membership, on: dt.date | None = None) -> bool:
    """Mark the membership lapsed if its unpaid periods say so on `on`; return True if it did."""
    on = on or _today()
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != MembershipStatus.ACTIVE:
        return False
    lapsed_on = selectors.standing(membership, on=on).lapsed_on
    if lapsed_on is None:
        return False
    before = audit.snapshot(membership)
    membership.status = MembershipStatus.LAPSED
    membership.lapsed_on = lapsed_on
    membership.save(update_fields=["status", "lapsed_on"])
    audit.record_updated(membership, before, subject=membership.person)
    _event(membership, EventKind.LAPSED, lapsed_on, None)
    return True


def memberships_lapse(*, organisation, on: dt.date | None = None) -> int:
    """Lapse every active membership of `organisation` whose unpaid periods say so on `on`."""
    on = on or _today()
    ids = Membership.unscoped.filter(
        organisation_id=organisation.pk, status=MembershipStatus.ACTIVE
    ).values_list("pk", flat=True)
    return sum(
        membership_lapse(membership=m, on=on)
        for m in Membership.objects.filter(pk__in=list(ids)).order_by("pk")
    )


@transaction.atomic
def membership_resume(
    *,
    membership: Membership,
    bracket: str = "",
    frequency: str = "",
    user=None,
    on: dt.date | None = None,
) -> Membership:
    """Resume a lapsed membership from the period of `on`: the unpaid periods before it are owed
    no more (and count nothing); the periods paid keep counting. The bracket and frequency may
    change at resumption."""
    on = on or _today()
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != MembershipStatus.LAPSED:
        raise ValidationError({"status": _("Seule une adhésion en déchéance peut reprendre.")})
    table = table_in_force(membership.organisation.code, on)
    bracket = bracket or membership.bracket
    frequency = frequency or membership.frequency
    errors = {}
    if table is None or table.bracket(bracket) is None:
        errors["bracket"] = _("Tranche de revenu inconnue : %(b)s.") % {"b": bracket}
    if table is None or frequency not in table.frequencies or frequency not in Frequency.values:
        errors["frequency"] = _("Périodicité non proposée.")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(membership)
    membership.status = MembershipStatus.ACTIVE
    membership.lapsed_on = None
    membership.bracket = bracket
    membership.frequency = frequency
    membership.start_period = period_of(on, frequency)
    membership.save(update_fields=["status", "lapsed_on", "bracket", "frequency", "start_period"])
    audit.record_updated(membership, before, subject=membership.person)
    _event(
        membership,
        EventKind.RESUMED,
        on,
        user,
        _("à partir de %(p)s, tranche %(b)s") % {"p": membership.start_period, "b": bracket},
    )
    return membership
