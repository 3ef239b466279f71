"""GSMA Mobile Money API v1.2 batch transactions: the HTTP client and the operator adapter.

Endpoints used (../shared/specs/gsma-mmapi/, disbursements subset):

- ``POST /batchtransactions`` (body `requestBatchTransaction`) → 202 `requestStateObject`;
- ``GET /requeststates/{serverCorrelationId}`` until the state is `completed` (its
  `objectReference` is the batch id) or `failed` (its `error`), at most `poll_limit` times;
- ``GET /batchtransactions/{batchId}`` → `responseBatchTransaction` (status created, approved,
  completed; counts);
- ``PATCH /batchtransactions/{batchId}`` with ``[{"op": "replace", "path": "/batchStatus",
  "value": "approved"}]`` (maker/checker) → 204, or 202 and a request state;
- ``GET /batchtransactions/{batchId}/completions`` and ``…/rejections``, paged with `limit`
  and `offset` until `X-Records-Available-Count` records were read.

Every request carries `X-Date` (ISO 8601, UTC) and a fresh `X-CorrelationID` (UUID), and
`X-API-Key` when configured. Kafo polls (`notificationMethod` polling): a callback URL
(`X-Callback-URL`, HTTP PUT by the operator) is sent only when configured, and receiving it is
the caller's concern. Each transaction's `requestingOrganisationTransactionReference` is the
payroll line's reference, so completions and rejections name the line.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from .base import (
    BatchState,
    Completion,
    Disbursement,
    MobileMoneyError,
    MobileMoneyOperator,
    Rejection,
    Submission,
    check_disbursements,
    whole_amount,
)

MAX_RESPONSE_BYTES = 64 * 1024 * 1024


def _utc_now() -> datetime:
    return datetime.now(UTC)


class GsmaClient:
    """Plain HTTP+JSON client of the batch-transaction endpoints."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str = "",
        callback_url: str = "",
        timeout_seconds: float = 30,
        extra_headers: dict[str, str] | None = None,
        now: Callable[[], datetime] = _utc_now,
    ):
        if not base_url.startswith(("https://", "http://")):
            raise MobileMoneyError(
                f"adresse de l'API « {base_url} » invalide (http:// ou https://)", permanent=True
            )
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.callback_url = callback_url
        self.timeout = timeout_seconds
        self.extra_headers = dict(extra_headers or {})
        self.now = now

    def _headers(self) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-Date": self.now()
            .astimezone(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "X-CorrelationID": str(uuid.uuid4()),
            **self.extra_headers,
        }
        if self.api_key:
            headers["X-API-Key"] = self.api_key
        return headers

    def request(self, method: str, path: str, body=None, query: dict | None = None):
        """Send one request; return (status, headers, decoded JSON or None)."""
        url = self.base_url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = self._headers()
        if self.callback_url and method in ("POST", "PATCH"):
            headers["X-Callback-URL"] = self.callback_url
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 (scheme checked)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(MAX_RESPONSE_BYTES)
                status, response_headers = response.status, response.headers
        except urllib.error.HTTPError as exc:
            raise _http_error(exc) from None
        except (urllib.error.URLError, OSError) as exc:
            raise MobileMoneyError(f"API de l'opérateur injoignable ({exc})") from exc
        try:
            payload = json.loads(raw) if raw.strip() else None
        except ValueError:
            raise MobileMoneyError(
                f"réponse de l'opérateur illisible (HTTP {status}, JSON attendu)"
            ) from None
        return status, response_headers, payload

    # -- the endpoints
    def create_batch(self, body: dict) -> dict:
        return self._expect(self.request("POST", "/batchtransactions", body), 202, 200, 201)

    def request_state(self, server_correlation_id: str) -> dict:
        path = f"/requeststates/{urllib.parse.quote(server_correlation_id, safe='')}"
        return self._expect(self.request("GET", path), 200)

    def get_batch(self, batch_id: str) -> dict:
        return self._expect(self.request("GET", self._batch_path(batch_id)), 200)

    def update_batch_status(self, batch_id: str, status: str) -> dict | None:
        body = [{"op": "replace", "path": "/batchStatus", "value": status}]
        code, _, payload = self.request("PATCH", self._batch_path(batch_id), body)
        if code not in (202, 204, 200):
            raise MobileMoneyError(f"réponse inattendue de l'opérateur : HTTP {code}")
        return payload if code == 202 else None

    def list_records(self, batch_id: str, kind: str, page_size: int = 500) -> list[dict]:
        """All completions or rejections of a batch, page by page."""
        records: list[dict] = []
        offset = 0
        for _page in range(100_000):  # bounded: 50 million records at most
            query = {"limit": page_size, "offset": offset}
            status, headers, payload = self.request(
                "GET", f"{self._batch_path(batch_id)}/{kind}", query=query
            )
            if status != 200 or not isinstance(payload, list):
                raise MobileMoneyError(f"{kind} : réponse inattendue (HTTP {status})")
            records.extend(payload)
            offset += len(payload)
            available = headers.get("X-Records-Available-Count")
            if not payload or len(payload) < page_size:
                break
            if available is not None and offset >= int(available):
                break
        return records

    @staticmethod
    def _batch_path(batch_id: str) -> str:
        return f"/batchtransactions/{urllib.parse.quote(batch_id, safe='')}"

    @staticmethod
    def _expect(answer, *codes: int) -> dict:
        status, _, payload = answer
        if status not in codes or not isinstance(payload, dict):
            raise MobileMoneyError(f"réponse inattendue de l'opérateur : HTTP {status}")
        return payload


def _http_error(exc: urllib.error.HTTPError) -> MobileMoneyError:
    detail = ""
    try:
        error = json.loads(exc.read(64 * 1024) or b"{}")
        detail = " : " + " / ".join(
            str(error[k])
            for k in ("errorCategory", "errorCode", "errorDescription", "errordescription")
            if error.get(k)
        )
    except (ValueError, AttributeError, TypeError):
        pass
    permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
    return MobileMoneyError(
        f"l'opérateur a répondu HTTP {exc.code}{detail}", permanent=permanent, status=exc.code
    )


def _party_value(parties, key: str) -> str:
    for party in parties or []:
        if isinstance(party, dict) and party.get("key") == key:
            return str(party.get("value", ""))
    return ""


class GsmaOperator(MobileMoneyOperator):
    """An operator reached through the GSMA batch-transaction API."""

    kind = "api"

    def __init__(
        self,
        *,
        code: str,
        label: str,
        client: GsmaClient,
        debit_party: dict[str, str],
        currency: str = "XOF",
        poll_limit: int = 30,
        poll_interval_seconds: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        page_size: int = 500,
    ):
        self.code, self.label, self.client = code, label, client
        self.debit_party = debit_party  # e.g. {"key": "walletid", "value": "…"}
        self.currency = currency
        self.poll_limit, self.poll_interval, self.sleep = poll_limit, poll_interval_seconds, sleep
        self.page_size = page_size

    def batch_body(self, reference: str, disbursements: list[Disbursement], title: str) -> dict:
        check_disbursements(disbursements)
        transactions = []
        for d in disbursements:
            if d.currency != self.currency:
                raise MobileMoneyError(
                    f"{d.reference} : devise {d.currency} ; l'opérateur paie en {self.currency}",
                    permanent=True,
                )
            transactions.append(
                {
                    "requestingOrganisationTransactionReference": d.reference,
                    "type": "disbursement",
                    "amount": str(whole_amount(d)),
                    "currency": d.currency,
                    "creditParty": [{"key": "msisdn", "value": d.msisdn}],
                    "debitParty": [dict(self.debit_party)],
                }
            )
        return {
            "batchTitle": (title or reference)[:256],
            "batchDescription": reference[:256],
            "transactions": transactions,
        }

    def _await(self, state: dict) -> dict:
        """Poll a request state until it is completed or failed (at most `poll_limit` times)."""
        for _attempt in range(self.poll_limit + 1):
            status = state.get("status")
            if status == "completed":
                return state
            if status == "failed":
                error = state.get("error") or {}
                raise MobileMoneyError(
                    "l'opérateur a refusé la demande : "
                    + " / ".join(
                        str(error[k])
                        for k in ("errorCategory", "errorCode", "errorDescription")
                        if error.get(k)
                    ),
                    permanent=True,
                )
            if status != "pending" or not state.get("serverCorrelationId"):
                raise MobileMoneyError(f"état de la demande inattendu : « {status} »")
            self.sleep(self.poll_interval)
            state = self.client.request_state(state["serverCorrelationId"])
        raise MobileMoneyError(
            f"demande toujours en attente après {self.poll_limit} interrogations"
        )

    def submit(self, reference: str, disbursements: list[Disbursement], *, title: str = ""):
        state = self._await(self.client.create_batch(self.batch_body(reference, disbursements,
                                                                      title)))  # fmt: skip
        batch_id = state.get("objectReference")
        if not batch_id:
            raise MobileMoneyError("l'opérateur n'a pas donné l'identifiant du lot")
        batch = self.client.get_batch(batch_id)
        return Submission(batch_id=batch_id, status=str(batch.get("batchStatus", "")))

    def approve(self, batch_id: str) -> None:
        state = self.client.update_batch_status(batch_id, "approved")
        if state is not None:
            self._await(state)

    def state(self, batch_id: str) -> BatchState:
        batch = self.client.get_batch(batch_id)
        return BatchState(
            batch_id=str(batch.get("batchId", batch_id)),
            status=str(batch.get("batchStatus", "")),
            completed_count=batch.get("completedCount"),
            rejection_count=batch.get("rejectionCount"),
            parsing_success_count=batch.get("parsingSuccessCount"),
        )

    def completions(self, batch_id: str) -> list[Completion]:
        return [
            Completion(
                reference=str(r.get("requestingOrganisationTransactionReference", "")),
                msisdn=_party_value(r.get("creditParty"), "msisdn"),
                operator_reference=str(r.get("transactionReference", "")),
                completed_at=str(r.get("completionDate", "")),
            )
            for r in self.client.list_records(batch_id, "completions", self.page_size)
        ]

    def rejections(self, batch_id: str) -> list[Rejection]:
        return [
            Rejection(
                reference=str(r.get("requestingOrganisationTransactionReference", "")),
                msisdn=_party_value(r.get("creditParty"), "msisdn"),
                reason=str(r.get("rejectionReason", "")),
                rejected_at=str(r.get("rejectionDate", "")),
            )
            for r in self.client.list_records(batch_id, "rejections", self.page_size)
        ]
