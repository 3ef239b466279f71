"""Writes of the exchanges between organisations: each message is a pair of twin rows, one
per side, created and changed together, atomically, and audited on both sides.

Deadlines (`DEADLINE_DAYS`) are an ASSUMPTION: the convention's text and its forms were not
found (benefits.md §12); the figures follow the usual practice of answering an information
request within a month and deciding a forwarded claim within three.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.audit.services import record_created, record_updated, snapshot
from kafo.identity import selectors as index
from kafo.identity.models import ZoneLink
from kafo.organisations.models import Organisation
from kafo.organisations.tenancy import tenant_scope
from kafo.registry.models import Person

from .models import Direction, LiaisonMessage, MessageKind, MessageStatus, Purpose

# ASSUMPTION (see the module docstring): days the recipient has to act on each kind.
DEADLINE_DAYS = {
    MessageKind.PERIODS_REQUEST: 30,
    MessageKind.CLAIM_FORWARD: 90,
    MessageKind.DECISION: 30,
    MessageKind.DEATH_NOTICE: 30,
}


def _now() -> dt.datetime:
    return timezone.now()


def _organisation(target, field: str) -> Organisation:
    if isinstance(target, Organisation):
        return target
    code = (target or "").strip().upper()
    org = Organisation.objects.filter(code=code).first()
    if org is None:
        raise ValidationError({field: _("Organisme inconnu.")})
    return org


def _zone_person_id(person: Person, field: str = "person") -> int:
    link = ZoneLink.unscoped.filter(person=person).first()
    if link is None:
        raise ValidationError({field: _("Ce dossier n'est pas encore dans l'index de zone.")})
    return link.zone_person_id


def _recipient_record(person: Person, target: Organisation, field: str) -> tuple[int, Person]:
    zone_person_id = _zone_person_id(person)
    if target.pk == person.organisation_id:
        raise ValidationError({field: _("On ne peut pas adresser une demande à son organisme.")})
    record = index.record_held_by(organisation=target, zone_person_id=zone_person_id)
    if record is None:
        raise ValidationError(
            {field: _("Cet organisme ne détient aucun dossier de cette personne.")}
        )
    return zone_person_id, record


def _send(
    *,
    kind: str,
    person: Person,
    recipient: Organisation,
    recipient_person: Person,
    zone_person_id: int | None,
    user,
    purpose: str = Purpose.OLD_AGE,
    note: str = "",
    with_salaries: bool = False,
    claim=None,
    recipient_claim=None,
    payload: dict | None = None,
) -> LiaisonMessage:
    """Create the twin rows of one message and audit both; return the sender's row."""
    now = _now()
    common = {
        "kind": kind,
        "sender_id": person.organisation_id,
        "recipient": recipient,
        "zone_person_id": zone_person_id,
        "purpose": purpose,
        "note": (note or "").strip(),
        "with_salaries": with_salaries,
        "created_by": user,
        "created_at": now,
        "deadline": timezone.localdate(now) + dt.timedelta(days=DEADLINE_DAYS[kind]),
        "payload": payload or {},
    }
    outgoing = LiaisonMessage.unscoped.create(
        organisation_id=person.organisation_id,
        direction=Direction.OUTGOING,
        person=person,
        claim=claim,
        reference="-",
        **common,
    )
    reference = f"{person.organisation.code}-{outgoing.pk:06d}"
    incoming = LiaisonMessage.unscoped.create(
        organisation=recipient,
        direction=Direction.INCOMING,
        person=recipient_person,
        claim=recipient_claim,
        twin=outgoing,
        reference=reference,
        **common,
    )
    outgoing.twin, outgoing.reference = incoming, reference
    outgoing.save(update_fields=["twin", "reference"])
    record_created(outgoing, subject=person)
    record_created(incoming, subject=recipient_person)
    return outgoing


def _close(rows: list[LiaisonMessage], *, status: str, user, **fields) -> None:
    """Set the status (and `fields`) of both rows of a message, audited on each side."""
    before = {row.pk: snapshot(row) for row in rows}
    now = _now()
    for row in rows:
        row.status, row.decided_by, row.decided_at = status, user, now
        for name, value in fields.items():
            setattr(row, name, value)
        row.save()
        record_updated(row, before[row.pk], subject=row.person)


def _pair_locked(message: LiaisonMessage) -> tuple[LiaisonMessage, LiaisonMessage]:
    row = LiaisonMessage.unscoped.select_for_update().get(pk=message.pk)
    twin = LiaisonMessage.unscoped.select_for_update().get(pk=row.twin_id)
    return row, twin


# --- insured periods (P4000/P5000) ------------------------------------------------------------


@transaction.atomic
def periods_request(
    *, person, target, purpose, user, with_salaries=False, claim=None, note=""
) -> LiaisonMessage:
    """Ask another organisation for the insured periods it holds of `person`'s zone person.

    `target` is an Organisation or its code. With `claim` (a claim of the person's own
    organisation), the periods approved are recorded on that claim. Refuse a target that is the
    requester, that holds no record of the person, or that already has a pending request for
    this record from the same organisation.
    """
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Objet de la demande inconnu.")})
    field = "target_organisation_code"
    org = _organisation(target, field)
    zone_person_id, record = _recipient_record(person, org, field)
    if claim is not None and claim.person_id != person.pk:
        raise ValidationError({"claim": _("La demande de prestation ne concerne pas ce dossier.")})
    pending = LiaisonMessage.unscoped.select_for_update().filter(
        organisation_id=person.organisation_id,
        direction=Direction.OUTGOING,
        kind=MessageKind.PERIODS_REQUEST,
        person=person,
        recipient=org,
        status=MessageStatus.PENDING,
    )
    if pending.exists():
        raise ValidationError(
            {field: _("Une demande à cet organisme est déjà en attente pour cette personne.")}
        )
    return _send(
        kind=MessageKind.PERIODS_REQUEST,
        person=person,
        recipient=org,
        recipient_person=record,
        zone_person_id=zone_person_id,
        user=user,
        purpose=purpose,
        note=note,
        with_salaries=with_salaries,
        claim=claim,
    )


@transaction.atomic
def periods_answer(*, message, approve: bool, reason: str = "", user) -> LiaisonMessage:
    """Approve or refuse an incoming request for periods; the requester's row is decided too.

    On approval the requester's row receives the periods the answering organisation holds of
    the record it was asked about (`insured_periods_of(person=...)`, in its own scope): its
    code, months per year, spans and, if asked, the salary basis per year. A request made for
    a claim has them recorded on that claim (`benefits.services.foreign_periods_record`).
    """
    incoming, outgoing = _pair_locked(message)
    if incoming.direction != Direction.INCOMING or incoming.kind != MessageKind.PERIODS_REQUEST:
        raise ValidationError(
            {"status": _("Seul l'organisme sollicité peut répondre à une demande.")}
        )
    if incoming.status != MessageStatus.PENDING:
        raise ValidationError({"status": _("Cette demande a déjà reçu une réponse.")})
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Indiquez le motif du refus.")})
    status = MessageStatus.APPROVED if approve else MessageStatus.REFUSED
    _close([incoming], status=status, user=user, refusal_reason="" if approve else reason)
    periods = {}
    if approve:
        periods = index.insured_periods_of(
            organisation=incoming.organisation,
            person=incoming.person,
            on=_now(),
            with_salaries=incoming.with_salaries,
        )
    _close(
        [outgoing],
        status=status,
        user=user,
        refusal_reason="" if approve else reason,
        periods=periods,
    )
    if approve and outgoing.claim_id:
        _record_on_claim(outgoing, periods, user)
    return incoming


def _record_on_claim(outgoing: LiaisonMessage, periods: dict, user) -> None:
    from kafo.benefits import services as benefits

    months = index.months_of_spans(periods["spans"])
    salaries = (
        {str(y["year"]): y["salary"] for y in periods["years"]} if outgoing.with_salaries else None
    )
    with tenant_scope(outgoing.organisation_id):
        benefits.foreign_periods_record(
            claim=outgoing.claim,
            organisation=outgoing.recipient,
            months=months,
            salaries=salaries,
            reference=outgoing.reference,
            user=user,
        )


# --- forwarded claim (P2000) and decisions (P6000) ----------------------------------------------


@transaction.atomic
def claim_forward(*, claim, target, user) -> LiaisonMessage:
    """Forward a claim to another organisation of the zone person: its own claim is opened there.

    The target's claim (`benefits.services.coordinated_claim_open`), dated as the origin's
    claim, carries the periods the origin knows of the person elsewhere: the origin's own
    months and those that other organisations communicated in approved answers (never the
    target's own). The forward stays pending until the target's decision comes back.
    """
    from kafo.benefits import services as benefits

    field = "target_organisation_code"
    org = _organisation(target, field)
    person = claim.person
    zone_person_id, record = _recipient_record(person, org, field)
    if LiaisonMessage.unscoped.filter(
        organisation_id=claim.organisation_id,
        direction=Direction.OUTGOING,
        kind=MessageKind.CLAIM_FORWARD,
        claim=claim,
        recipient=org,
    ).exists():
        raise ValidationError({field: _("Cette demande a déjà été transmise à cet organisme.")})
    own = index.insured_periods_of(organisation=claim.organisation, person=person)
    periods = [_months_of(own)]
    for received in _approved_answers(claim.organisation_id, person):
        if received["organisation"] not in (org.code, own["organisation"]):
            periods.append(_months_of(received))
    origin_reference = claim.reference
    with tenant_scope(org):
        opened = benefits.coordinated_claim_open(
            person=record,
            origin_organisation=claim.organisation,
            origin_reference=origin_reference,
            periods=periods,
            user=user,
            # ASSUMPTION (EU analogue, Reg. 987/2009 art. 45(4)): a claim lodged with one
            # organisation is lodged with all on that day; the target's claim keeps its date.
            claim_date=claim.claim_date,
        )
    return _send(
        kind=MessageKind.CLAIM_FORWARD,
        person=person,
        recipient=org,
        recipient_person=record,
        zone_person_id=zone_person_id,
        user=user,
        purpose=Purpose.SURVIVORS if claim.kind == "survivors" else Purpose.OLD_AGE,
        claim=claim,
        recipient_claim=opened,
        payload={
            "claim_kind": claim.kind,
            "claim_date": claim.claim_date.isoformat(),
            "origin_reference": origin_reference,
        },
    )


def _months_of(periods: dict) -> dict:
    months = index.months_of_spans(periods["spans"])
    salaries = None
    if periods.get("years") and all("salary" in y for y in periods["years"]):
        salaries = {str(y["year"]): y["salary"] for y in periods["years"]}
    return {"organisation": periods["organisation"], "months": months, "salaries": salaries}


def _approved_answers(organisation_id: int, person: Person) -> list[dict]:
    """The periods communicated to `organisation_id` about `person`, latest per organisation."""
    latest: dict[str, dict] = {}
    for row in LiaisonMessage.unscoped.filter(
        organisation_id=organisation_id,
        direction=Direction.OUTGOING,
        kind=MessageKind.PERIODS_REQUEST,
        person=person,
        status=MessageStatus.APPROVED,
    ).order_by("decided_at", "id"):
        latest[row.periods["organisation"]] = row.periods
    return list(latest.values())


@transaction.atomic
def decision_send(*, claim, user) -> list[LiaisonMessage]:
    """Send the decision on a coordinated claim to the other organisations of its coordination.

    A claim opened from a forward answers the organisation that forwarded it (and that forward
    is done); a claim that was forwarded informs each organisation it was forwarded to. Each
    decision is sent once per organisation; return the rows sent now.
    """
    from kafo.benefits.models import ClaimStatus

    if claim.status not in (ClaimStatus.APPROVED, ClaimStatus.REJECTED, ClaimStatus.IN_PAYMENT):
        raise ValidationError({"status": _("La demande n'est pas encore décidée.")})
    forwards = LiaisonMessage.unscoped.filter(
        organisation_id=claim.organisation_id, kind=MessageKind.CLAIM_FORWARD, claim=claim
    ).select_related("sender", "recipient", "twin")
    already = set(
        LiaisonMessage.unscoped.filter(
            organisation_id=claim.organisation_id,
            direction=Direction.OUTGOING,
            kind=MessageKind.DECISION,
            claim=claim,
        ).values_list("recipient_id", flat=True)
    )
    sent = []
    for forward in forwards:
        other = forward.other_organisation
        if other.pk in already:
            continue
        other_claim = forward.twin.claim if forward.twin else None
        sent.append(
            _send(
                kind=MessageKind.DECISION,
                person=claim.person,
                recipient=other,
                recipient_person=forward.twin.person,
                zone_person_id=forward.zone_person_id,
                user=user,
                purpose=forward.purpose,
                claim=claim,
                recipient_claim=other_claim,
                payload=_decision_payload(claim),
            )
        )
        if forward.direction == Direction.INCOMING and forward.status == MessageStatus.PENDING:
            _close([forward, forward.twin], status=MessageStatus.DONE, user=user)
    return sent


def _decision_payload(claim) -> dict:
    liquidation = claim.liquidations.order_by("-number").first() if claim.pk else None
    amount = liquidation.monthly_amount if liquidation else None
    start = liquidation.start_date if liquidation else None
    coordination = (liquidation.inputs or {}).get("coordination") or {} if liquidation else {}
    return {
        "reference": claim.reference,
        "status": claim.status,
        "decided_on": claim.decided_at.date().isoformat() if claim.decided_at else "",
        "benefit": liquidation.benefit if liquidation else "",
        "own_months": coordination.get("own_months"),
        "total_months": coordination.get("total_months")
        or (liquidation.insured_months if liquidation else None),
        "monthly_amount": str(amount) if amount is not None and claim.status != "rejected" else "",
        "start_date": start.isoformat() if start and claim.status != "rejected" else "",
        "currency": claim.organisation.country.currency,
        "rejection_reason": claim.rejection_reason if claim.status == "rejected" else "",
    }


def on_claim_decided(sender, claim, **kwargs) -> None:
    """Receiver of `benefits.signals.claim_decided`: send the decision of a coordinated claim."""
    if LiaisonMessage.unscoped.filter(
        organisation_id=claim.organisation_id, kind=MessageKind.CLAIM_FORWARD, claim=claim
    ).exists():
        decision_send(claim=claim, user=kwargs.get("user") or claim.decided_by)


# --- notice of death ------------------------------------------------------------------------


@transaction.atomic
def death_notice_send(*, person, date_of_death, user) -> list[LiaisonMessage]:
    """Tell every other organisation holding a record of the person's zone person of a death."""
    zone_person_id = _zone_person_id(person)
    if date_of_death > timezone.localdate():
        raise ValidationError({"date_of_death": _("La date du décès est dans le futur.")})
    holders = (
        ZoneLink.unscoped.filter(zone_person_id=zone_person_id)
        .exclude(organisation_id=person.organisation_id)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    sent = []
    for org in Organisation.objects.filter(pk__in=list(holders)).order_by("code"):
        record = index.record_held_by(organisation=org, zone_person_id=zone_person_id)
        sent.append(
            _send(
                kind=MessageKind.DEATH_NOTICE,
                person=person,
                recipient=org,
                recipient_person=record,
                zone_person_id=zone_person_id,
                user=user,
                purpose=Purpose.SURVIVORS,
                payload={"date_of_death": date_of_death.isoformat()},
            )
        )
    if not sent:
        raise ValidationError(
            {"person": _("Aucun autre organisme de la zone ne connaît cette personne.")}
        )
    return sent


@transaction.atomic
def message_acknowledge(*, message, user) -> LiaisonMessage:
    """Mark a decision or a notice of death received as taken into account (both rows)."""
    row, twin = _pair_locked(message)
    if row.direction != Direction.INCOMING or row.kind not in (
        MessageKind.DECISION,
        MessageKind.DEATH_NOTICE,
    ):
        raise ValidationError(
            {"status": _("Ce message ne demande pas d'accusé de prise en compte.")}
        )
    if row.status != MessageStatus.PENDING:
        raise ValidationError({"status": _("Ce message a déjà été pris en compte.")})
    _close([row, twin], status=MessageStatus.DONE, user=user)
    return row
