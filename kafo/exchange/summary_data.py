"""Reads for the coordination of one claim, at the organisation where it was opened (or at an
organisation it was forwarded to): the organisations of the zone person, the request sent to
each with its status and deadline, the periods received, the forward, each decision received;
and the summary of decisions the claimant receives (`claim_summary` → summary.summary_pdf).

Everything is read in the current organisation's scope, through its own rows of the messages:
of another organisation only its code, its name, and what its answers and decisions sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from kafo.benefits import claims, claims_selectors
from kafo.benefits.models import ClaimStatus
from kafo.benefits.views import BENEFIT_LABELS
from kafo.identity.models import ZoneLink
from kafo.organisations.models import Organisation

from .models import Direction, LiaisonMessage, MessageKind, MessageStatus
from .selectors import claim_messages
from .summary import CoordinationSummary, DecisionLine, DecisionState


@dataclass
class OrganisationRow:
    """One other organisation of the zone person, as the claim's organisation sees it."""

    organisation: Organisation
    request: LiaisonMessage | None = None  # the latest periods request sent for this claim
    forward: LiaisonMessage | None = None  # the claim forwarded to it
    decision: LiaisonMessage | None = None  # its decision received
    overdue: bool = False

    @property
    def months(self) -> int | None:
        """Months the organisation communicated in its answer (None before an answer)."""
        if self.request is None or self.request.status != MessageStatus.APPROVED:
            return None
        return _months_count(self.request.periods)

    @property
    def spans(self) -> list[str]:
        """The runs of months communicated, e.g. '01/2004 – 12/2013 (120 mois)'."""
        if self.months is None:
            return []
        return [
            f"{_month(s['start'])} – {_month(s['end'])}"
            for s in self.request.periods.get("spans", [])
        ]

    @property
    def may_request(self) -> bool:
        """No request for this claim yet, or the last one was refused."""
        return self.request is None or self.request.status == MessageStatus.REFUSED

    @property
    def may_forward(self) -> bool:
        """Periods received and the claim not forwarded there yet."""
        return self.forward is None and self.months is not None

    @property
    def decision_status(self) -> str:
        return (self.decision.payload.get("status", "") if self.decision else "") or ""

    @property
    def decision_amount(self) -> Decimal | None:
        amount = self.decision.payload.get("monthly_amount") if self.decision else None
        return Decimal(amount) if amount not in (None, "") else None

    @property
    def decision_start(self) -> dt.date | None:
        return _date(self.decision.payload.get("start_date")) if self.decision else None


def _month(period: str) -> str:
    return f"{period[5:7]}/{period[:4]}"


@dataclass
class Coordination:
    claim: object
    rows: list[OrganisationRow] = field(default_factory=list)
    forwarded_from: LiaisonMessage | None = None  # this claim was opened from a forward
    decisions_sent: list[LiaisonMessage] = field(default_factory=list)

    @property
    def is_origin(self) -> bool:
        return self.forwarded_from is None

    @property
    def has_forward(self) -> bool:
        return any(row.forward is not None for row in self.rows)


def _months_count(periods: dict) -> int:
    months = periods.get("months", 0)
    return len(months) if isinstance(months, list | tuple) else int(months or 0)


def zone_organisations(person) -> list[Organisation]:
    """The other organisations where the zone index links `person` (codes and names only)."""
    link = ZoneLink.unscoped.filter(person_id=person.pk).first()
    if link is None:
        return []
    ids = (
        ZoneLink.unscoped.filter(zone_person_id=link.zone_person_id)
        .exclude(organisation_id=person.organisation_id)
        .values_list("organisation_id", flat=True)
    )
    return list(Organisation.objects.filter(pk__in=list(ids)).order_by("code"))


def claim_coordination(claim, *, on: dt.date | None = None) -> Coordination:
    """The coordination section of `claim`: one row per other organisation of the zone person
    (or that a message of the claim names), its request, forward and decision."""
    on = on or timezone.localdate()
    messages = claim_messages(claim)
    answer = Coordination(claim=claim)
    rows: dict[int, OrganisationRow] = {
        org.pk: OrganisationRow(organisation=org) for org in zone_organisations(claim.person)
    }
    for m in messages:
        other = m.other_organisation
        if m.kind == MessageKind.CLAIM_FORWARD and m.direction == Direction.INCOMING:
            answer.forwarded_from = m
            rows.setdefault(other.pk, OrganisationRow(organisation=other))
            continue
        if m.kind == MessageKind.DECISION and m.direction == Direction.OUTGOING:
            answer.decisions_sent.append(m)
            continue
        row = rows.setdefault(other.pk, OrganisationRow(organisation=other))
        if m.kind == MessageKind.PERIODS_REQUEST and m.direction == Direction.OUTGOING:
            row.request = m  # ordered by date: the latest wins
            row.overdue = m.is_overdue(on)
        elif m.kind == MessageKind.CLAIM_FORWARD and m.direction == Direction.OUTGOING:
            row.forward = m
        elif m.kind == MessageKind.DECISION and m.direction == Direction.INCOMING:
            row.decision = m
    answer.rows = sorted(rows.values(), key=lambda r: r.organisation.code)
    return answer


def _own_line(claim) -> tuple[DecisionLine, int]:
    """The claim's own organisation's decision, and the totalised months its computation used."""
    org = claim.organisation
    liquidation = claims_selectors.approved_liquidation(claim)
    if claim.status == ClaimStatus.REJECTED:
        current = claims.current_liquidation(claim)
        coordination = (current.inputs or {}).get("coordination", {}) if current else {}
        return (
            DecisionLine(
                organisation_code=org.code,
                organisation_name=org.name,
                state=DecisionState.REJECTED,
                own_months=int(coordination.get("own_months") or 0),
                decided_on=claim.decided_at.date() if claim.decided_at else None,
                reference=claim.reference,
            ),
            int(coordination.get("total_months") or 0),
        )
    if liquidation is None:
        current = claims.current_liquidation(claim)
        coordination = (current.inputs or {}).get("coordination", {}) if current else {}
        return (
            DecisionLine(
                organisation_code=org.code,
                organisation_name=org.name,
                own_months=int(coordination.get("own_months") or 0),
                reference=claim.reference,
            ),
            int(coordination.get("total_months") or 0),
        )
    coordination = (liquidation.inputs or {}).get("coordination", {})
    own = int(coordination.get("own_months") or liquidation.insured_months)
    return (
        DecisionLine(
            organisation_code=org.code,
            organisation_name=org.name,
            state=DecisionState.DECIDED,
            benefit=str(BENEFIT_LABELS.get(liquidation.benefit, liquidation.benefit)),
            monthly_amount=liquidation.monthly_amount,
            start_date=liquidation.start_date,
            own_months=own,
            decided_on=claim.decided_at.date() if claim.decided_at else None,
            reference=claim.reference,
        ),
        int(coordination.get("total_months") or liquidation.insured_months),
    )


def _date(text) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


def _other_line(row: OrganisationRow) -> DecisionLine:
    org = row.organisation
    payload = row.decision.payload if row.decision is not None else {}
    own = int(payload.get("own_months") or row.months or 0)
    base = {"organisation_code": org.code, "organisation_name": org.name, "own_months": own}
    if row.decision is None:
        return DecisionLine(**base)
    status = payload.get("status", "approved")
    decided_on = _date(payload.get("decided_on")) or row.decision.created_at.date()
    if status == ClaimStatus.REJECTED:
        return DecisionLine(
            **base,
            state=DecisionState.REJECTED,
            decided_on=decided_on,
            reference=payload.get("reference", ""),
        )
    amount = payload.get("monthly_amount")
    benefit = payload.get("benefit", "")
    return DecisionLine(
        **base,
        state=DecisionState.DECIDED,
        benefit=str(BENEFIT_LABELS.get(benefit, benefit)),
        monthly_amount=Decimal(amount) if amount not in (None, "") else None,
        start_date=_date(payload.get("start_date")),
        decided_on=decided_on,
        reference=payload.get("reference", ""),
    )


def claim_summary(claim, *, on: dt.date | None = None) -> CoordinationSummary | None:
    """The summary of decisions of a coordinated claim at the organisation where it was opened:
    its own decision first, then each organisation the claim was forwarded to (None when the
    claim was not forwarded anywhere: there is nothing to sum up)."""
    on = on or timezone.localdate()
    coordination = claim_coordination(claim, on=on)
    forwarded = [row for row in coordination.rows if row.forward is not None]
    if not coordination.is_origin or not forwarded:
        return None
    own, total = _own_line(claim)
    others = [_other_line(row) for row in forwarded]
    if not total:  # before the claim's own computation: add up what is known
        total = own.own_months + sum(line.own_months for line in others)
    person = claim.person
    return CoordinationSummary(
        person_name=person.full_name,
        person_number=person.number,
        birth_date_display=person.birth_date_display,
        origin_code=claim.organisation.code,
        origin_name=claim.organisation.name,
        claim_reference=claim.reference,
        claim_date=claim.claim_date,
        total_months=total,
        issued_on=on,
        lines=[own, *others],
    )
