"""What Kafo answers to each request of the registry API, sync or async.

Each `*_message` returns the answer's `message` (the standard's SearchResponse,
SubscribeResponse, UnSubscribeResponse or TxnStatusResponse) and the items to record for
txn/status; `complete` stores it on the transaction and `process_transaction` is the job that
answers an asynchronous request and calls the partner back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from kafo.interop import services
from kafo.interop.callbacks import deliver_callback
from kafo.interop.models import (
    CallbackStatus,
    EventKind,
    Partner,
    Subscription,
    SubscriptionStatus,
    Transaction,
    TransactionItem,
    TxnAction,
    TxnStatus,
)
from kafo.jobs import enqueue_on_commit, task

from . import envelope, queries
from .records import allowed_attributes
from .search import search_item, timestamp

MAX_BATCH = 20


@dataclass
class Outcome:
    message: dict
    items: list[tuple[str, str, str, int]] = field(default_factory=list)  # ref, status, code, n
    records: int = 0

    @property
    def status(self) -> str:
        statuses = {s for _, s, _, _ in self.items}
        return TxnStatus.REJECTED if statuses == {TxnStatus.REJECTED} else TxnStatus.SUCCEEDED

    @property
    def completed(self) -> int:
        return sum(1 for _, s, _, _ in self.items if s == TxnStatus.SUCCEEDED)


def _duplicates(items: list[dict]) -> set[int]:
    seen, dup = set(), set()
    for i, item in enumerate(items):
        if item["reference_id"] in seen:
            dup.add(i)
        seen.add(item["reference_id"])
    return dup


def _rejected(item: dict, code: str, text: str) -> dict:
    return {
        "reference_id": item["reference_id"],
        "timestamp": timestamp(),
        "status": TxnStatus.REJECTED,
        "status_reason_code": code,
        "status_reason_message": text[:999],
    }


def search_message(partner: Partner, message: dict, correlation_id: str) -> Outcome:
    today = timezone.localdate()
    answers = []
    outcome = Outcome(message={})
    dup = _duplicates(message["search_request"])
    for i, item in enumerate(message["search_request"]):
        if i in dup:
            answer, n = _rejected(item, "rjct.reference_id.duplicate", "reference_id répété"), 0
        else:
            answer, n = search_item(partner, item, today=today)
        answers.append(answer)
        outcome.items.append(
            (item["reference_id"], answer["status"], answer.get("status_reason_code", ""), n)
        )
        outcome.records += n
    outcome.message = {
        "transaction_id": message["transaction_id"],
        "correlation_id": correlation_id,
        "search_response": answers,
    }
    return outcome


EVENT_TYPES = {
    "register": EventKind.REGISTRATION,
    "registration": EventKind.REGISTRATION,
    "insured_status": EventKind.INSURED_STATUS,
    "updatestatus": EventKind.INSURED_STATUS,
    "update": EventKind.INSURED_STATUS,
    "death": EventKind.DEATH,
}


def event_kind(reg_event_type: str) -> str | None:
    """Return the EventKind a subscriber's `reg_event_type` names (last `:` part, any case)."""
    return EVENT_TYPES.get(str(reg_event_type).rsplit(":", 1)[-1].strip().lower())


def subscribe_message(
    partner: Partner, message: dict, correlation_id: str, txn: Transaction
) -> Outcome:
    allowed = allowed_attributes(partner)
    outcome = Outcome(message={})
    answers = []
    dup = _duplicates(message["subscribe_request"])
    for i, item in enumerate(message["subscribe_request"]):
        criteria = item["subscribe_criteria"]
        kind = event_kind(criteria["reg_event_type"])
        filter_type = criteria.get("filter_type") or "expression"
        problem = None
        if i in dup:
            problem = ("rjct.reference_id.duplicate", "reference_id répété")
        elif kind is None:
            problem = (
                "rjct.notify_types.invalid",
                "reg_event_type : REGISTER, UpdateStatus ou Death attendu",
            )
        else:
            try:
                queries.build(filter_type, criteria["filter"], allowed)
            except queries.QueryRefused as refused:
                problem = ("rjct.notify_details.invalid", f"filter : {refused}")
        if (
            problem is None
            and Subscription.objects.filter(
                partner=partner,
                event_kind=kind,
                filter=criteria["filter"],
                status=SubscriptionStatus.SUBSCRIBED,
            ).exists()
        ):
            problem = ("rjct.event.already_subscribed", "abonnement identique déjà actif")
        if problem:
            answers.append(_rejected(item, *problem))
            outcome.items.append((item["reference_id"], TxnStatus.REJECTED, problem[0], 0))
            continue
        sub = Subscription.objects.create(
            partner=partner,
            transaction=txn,
            code=envelope.new_id(),
            reference_id=item["reference_id"],
            event_kind=kind,
            reg_event_type=criteria["reg_event_type"],
            filter_type=filter_type,
            filter=criteria["filter"],
            notify_record_type=criteria["notify_record_type"],
            frequency=criteria.get("frequency") or {},
            locale=item.get("locale", ""),
            callback_url=txn.callback_url,
            created_at=timezone.now(),
        )
        answers.append(
            {
                "reference_id": item["reference_id"],
                "timestamp": timestamp(),
                "status": TxnStatus.SUCCEEDED,
                "subscriptions": [
                    {
                        "code": sub.code,
                        "status": sub.status,
                        "timestamp": timestamp(sub.created_at),
                        "reg_event_type": sub.reg_event_type,
                        "filter_type": sub.filter_type,
                        "filter": sub.filter,
                        "notify_record_type": sub.notify_record_type,
                    }
                ],
            }
        )
        outcome.items.append((item["reference_id"], TxnStatus.SUCCEEDED, "", 0))
    outcome.message = {
        "transaction_id": message["transaction_id"],
        "correlation_id": correlation_id,
        "subscribe_response": answers,
    }
    return outcome


def unsubscribe_message(partner: Partner, message: dict, correlation_id: str) -> Outcome:
    codes = message["subscription_codes"]
    found = {s.code: s for s in Subscription.objects.filter(partner=partner, code__in=codes)}
    statuses, problem = [], None
    for code in codes:
        sub = found.get(code)
        if sub is None:  # unknown, or another partner's: the same answer
            problem = problem or ("rjct.subscription_code.invalid", f"code « {code[:40]} » inconnu")
            continue
        if sub.status == SubscriptionStatus.UNSUBSCRIBED:
            problem = problem or (
                "rjct.event.already_unsubscribed",
                f"« {code[:40]} » déjà résilié",
            )
        else:
            sub.status = SubscriptionStatus.UNSUBSCRIBED
            sub.unsubscribed_at = timezone.now()
            sub.save(update_fields=["status", "unsubscribed_at"])
        statuses.append({"code": sub.code, "status": sub.status})
    answer = {
        "transaction_id": message["transaction_id"],
        "correlation_id": correlation_id,
        "timestamp": timestamp(),
        "status": TxnStatus.REJECTED if problem else TxnStatus.SUCCEEDED,
        "subscription_status": statuses,
    }
    if problem:
        answer["status_reason_code"], answer["status_reason_message"] = problem
    status = TxnStatus.REJECTED if problem else TxnStatus.SUCCEEDED
    return Outcome(message=answer, items=[("", status, problem[0] if problem else "", 0)])


def txn_status_message(partner: Partner, message: dict, correlation_id: str) -> Outcome:
    """Answer the status of the partner's earlier transactions (never another partner's)."""
    request = message["txnstatus_request"]
    kind, value = request["attribute_type"], request["attribute_value"]
    txn_type = request["txn_type"]
    txns = Transaction.objects.filter(partner=partner).exclude(action=TxnAction.TXN_STATUS)
    if txn_type in (TxnAction.SEARCH, TxnAction.SUBSCRIBE):
        txns = txns.filter(action=txn_type)
    refs: list[str] | None = None
    if kind == "transaction_id" and isinstance(value, str):
        txns = txns.filter(transaction_id=value)
    elif kind == "correlation_id" and isinstance(value, str):
        txns = txns.filter(correlation_id=value)
    elif kind == "reference_id_list" and isinstance(value, list):
        refs = [str(v) for v in value][:100]
        txns = txns.filter(items__reference_id__in=refs).distinct()
    else:
        txns = txns.none()
    txn = txns.order_by("-received_at", "-pk").first()
    items = []
    if txn is not None:
        answered = {}
        for key in ("search_response", "subscribe_response"):
            for a in (txn.response.get("message") or {}).get(key, []):
                answered[a["reference_id"]] = a
        for item in txn.items.all():
            if item.reference_id and (refs is None or item.reference_id in refs):
                answer = answered.get(item.reference_id) or {
                    "reference_id": item.reference_id,
                    "timestamp": timestamp(txn.received_at),
                    "status": item.status,
                }
                items.append(_status_item(answer))
    status_of = {
        "transaction_id": txn.transaction_id if txn else message["transaction_id"],
        "correlation_id": txn.correlation_id if txn else correlation_id,
        "search_response": items,
    }
    answer = {
        "transaction_id": message["transaction_id"],
        "correlation_id": correlation_id,
        "txnstatus_response": {"txn_type": txn_type, "txn_status": status_of},
    }
    status = TxnStatus.SUCCEEDED if txn else TxnStatus.REJECTED
    code = "" if txn else "rjct.reference_id.invalid"
    return Outcome(message=answer, items=[(request["reference_id"], status, code, 0)])


def _status_item(answer: dict) -> dict:
    keep = ("reference_id", "timestamp", "status", "status_reason_code", "status_reason_message")
    item = {k: answer[k] for k in keep if k in answer}
    if "data" in answer:
        item["data"] = answer["data"]
        if "pagination" in answer:
            item["pagination"] = answer["pagination"]
    return item


def compute(txn: Transaction, message: dict) -> Outcome:
    partner = txn.partner
    if txn.action == TxnAction.SEARCH:
        return search_message(partner, message, txn.correlation_id)
    if txn.action == TxnAction.SUBSCRIBE:
        return subscribe_message(partner, message, txn.correlation_id, txn)
    if txn.action == TxnAction.UNSUBSCRIBE:
        return unsubscribe_message(partner, message, txn.correlation_id)
    return txn_status_message(partner, message, txn.correlation_id)


@transaction.atomic
def complete(txn: Transaction, outcome: Outcome, *, callback_action: str, sender_id: str) -> dict:
    """Store the answer on the transaction, record its items and log the call; return the
    signed envelope."""
    header = envelope.callback_header(
        callback_action,
        status=outcome.status,
        receiver_id=sender_id,
        total=len(outcome.items),
        completed=outcome.completed,
    )
    body = envelope.signed(header, outcome.message)
    txn.response = body
    txn.status = outcome.status
    txn.completed_at = timezone.now()
    txn.save(update_fields=["response", "status", "completed_at"])
    TransactionItem.objects.bulk_create(
        TransactionItem(
            transaction=txn, reference_id=ref, status=st, status_reason_code=code, record_count=n
        )
        for ref, st, code, n in outcome.items
    )
    services.query_log(
        partner=txn.partner,
        endpoint=("sync/" if not txn.is_async else "") + txn.action,
        query=txn.request.get("message", {}),
        record_count=outcome.records,
        outcome=outcome.status,
    )
    return body


@task(queue_name="callbacks")
def process_transaction(transaction_id: int) -> None:
    """Answer an asynchronous request, then call the partner back with the answer."""
    txn = Transaction.objects.select_related("partner").get(pk=transaction_id)
    if txn.status != TxnStatus.PENDING:
        return
    outcome = compute(txn, txn.request["message"])
    with transaction.atomic():
        complete(
            txn,
            outcome,
            callback_action=envelope.CALLBACK_ACTION[txn.action],
            sender_id=txn.sender_id,
        )
        txn.callback_status = CallbackStatus.PENDING
        txn.save(update_fields=["callback_status"])
        enqueue_on_commit(deliver_callback, txn.pk)
