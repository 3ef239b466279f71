"""JSON API of the exchanges: the organisation's messages, a request for periods, its answer,
a claim forwarded, a decision or notice of death taken into account, a notice of death sent, a
person's joined career. Thin: parse, call one service or selector, answer; a refusal answers
422 naming the field, in the caller's language."""

import datetime as dt

from ninja import Router, Schema, Status
from ninja.errors import HttpError

from kafo.accounts.permissions import can
from kafo.api_errors import ERRORS
from kafo.api_inputs import InputSchema, IsoDate
from kafo.organisations.tenancy import get_for_scope
from kafo.registry.models import Person

from . import selectors, services
from .models import Direction, LiaisonMessage, MessageKind, Purpose

router = Router(tags=["exchange"])


class PeriodsRequestIn(InputSchema):
    target_organisation_code: str
    purpose: Purpose
    note: str = ""
    with_salaries: bool = False


class AnswerIn(InputSchema):
    approve: bool
    reason: str = ""


class ForwardIn(InputSchema):
    target_organisation_code: str


class DeathNoticeIn(InputSchema):
    date_of_death: IsoDate


class SpanOut(Schema):
    start: str
    end: str
    months: int


class YearOut(Schema):
    year: int
    months: int
    salary: str | None = None


class PeriodsOut(Schema):
    organisation: str
    months: int
    spans: list[SpanOut]
    years: list[YearOut] = []
    as_of: str


class MessageOut(Schema):
    id: int
    reference: str
    kind: str
    direction: str
    sender_code: str
    recipient_code: str
    person_id: int
    purpose: str
    status: str
    created_at: dt.datetime
    deadline: dt.date | None
    decided_at: dt.datetime | None
    refusal_reason: str
    # What a forward, a decision or a notice of death carries (claim date and origin reference;
    # decision, amount a month and start date; date of death): sent to the recipient.
    payload: dict
    # Requester's row of an approved request only; never set on any other row.
    periods: PeriodsOut | None

    @staticmethod
    def resolve_sender_code(obj) -> str:
        return obj.sender.code

    @staticmethod
    def resolve_recipient_code(obj) -> str:
        return obj.recipient.code

    @staticmethod
    def resolve_periods(obj):
        return obj.periods or None


class CareerPartOut(Schema):
    organisation_code: str
    months: int
    spans: list[SpanOut]
    from_liaison: bool


class CareerOut(Schema):
    # Own insured periods and those communicated by approved requests; `joined_months`
    # counts a month insured in two organisations once (the basis for totalisation).
    career: list[CareerPartOut]
    joined_months: int


def _need(request, capability: str = "exchange.view"):
    if not can(request.user, capability):
        raise HttpError(403, "forbidden")


@router.get(
    "/exchange/messages", response={200: list[MessageOut], **ERRORS}, url_name="api-exchange-list"
)
def message_list(request, direction: str = "", overdue: bool = False):
    """The caller's organisation's messages, newest first (the first 200)."""
    _need(request)
    overdue_on = selectors.today() if overdue else None
    return list(selectors.messages(direction, overdue_on=overdue_on)[:200])


@router.post(
    "/persons/{person_id}/liaison",
    response={201: MessageOut, **ERRORS},
    url_name="api-exchange-request",
)
def periods_request(request, person_id: int, payload: PeriodsRequestIn):
    """Ask another organisation of the zone for the insured periods it holds of this person."""
    _need(request, "exchange.liaise")
    person = get_for_scope(Person, pk=person_id)
    return Status(
        201,
        services.periods_request(
            person=person,
            target=payload.target_organisation_code,
            purpose=payload.purpose,
            note=payload.note,
            with_salaries=payload.with_salaries,
            user=request.user,
        ),
    )


@router.post(
    "/exchange/messages/{message_id}/answer",
    response={200: MessageOut, **ERRORS},
    url_name="api-exchange-answer",
)
def periods_answer(request, message_id: int, payload: AnswerIn):
    """Approve or refuse a request for periods addressed to the caller's organisation."""
    _need(request, "exchange.liaise")
    message = get_for_scope(
        LiaisonMessage,
        pk=message_id,
        queryset=selectors.message_rows().filter(
            direction=Direction.INCOMING, kind=MessageKind.PERIODS_REQUEST
        ),
    )
    return services.periods_answer(
        message=message, approve=payload.approve, reason=payload.reason, user=request.user
    )


@router.post(
    "/benefits/claims/{int:claim_id}/liaison/forward",
    response={201: MessageOut, **ERRORS},
    url_name="api-exchange-forward",
)
def claim_forward(request, claim_id: int, payload: ForwardIn):
    """Forward a claim to another organisation of the zone person: its own claim opens there."""
    from kafo.benefits.models import Claim

    _need(request, "exchange.liaise")
    claim = get_for_scope(Claim, pk=claim_id, queryset=Claim.objects.select_related("person"))
    return Status(
        201,
        services.claim_forward(
            claim=claim, target=payload.target_organisation_code, user=request.user
        ),
    )


@router.post(
    "/exchange/messages/{message_id}/acknowledge",
    response={200: MessageOut, **ERRORS},
    url_name="api-exchange-acknowledge",
)
def message_acknowledge(request, message_id: int):
    """Take a decision or a notice of death received into account."""
    _need(request, "exchange.liaise")
    message = get_for_scope(LiaisonMessage, pk=message_id, queryset=selectors.message_rows())
    return services.message_acknowledge(message=message, user=request.user)


@router.post(
    "/persons/{person_id}/liaison/death",
    response={201: list[MessageOut], **ERRORS},
    url_name="api-exchange-death-notice",
)
def death_notice(request, person_id: int, payload: DeathNoticeIn):
    """Notify every other organisation holding a record of this person of the death."""
    _need(request, "exchange.liaise")
    person = get_for_scope(Person, pk=person_id)
    return Status(
        201,
        services.death_notice_send(
            person=person, date_of_death=payload.date_of_death, user=request.user
        ),
    )


@router.get(
    "/persons/{person_id}/liaison/career",
    response={200: CareerOut, **ERRORS},
    url_name="api-exchange-career",
)
def joined_career(request, person_id: int):
    """The person's own insured periods and those other organisations communicated."""
    _need(request)
    person = get_for_scope(Person, pk=person_id)
    career = selectors.joined_career(person)
    return {"career": career.parts, "joined_months": career.months}
