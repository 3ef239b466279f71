"""A loopback GSMA Mobile Money API v1.2 server for the tests (127.0.0.1 only, one thread,
bounded in requests): the batch-transaction endpoints as the spec defines them, so the client
is tested on the real protocol.

- ``POST /batchtransactions``: checks the headers (X-Date date-time, X-CorrelationID UUID,
  X-API-Key when one is set) and the body against `requestBatchTransaction` (transactions
  1..999999, each with amount (the spec's pattern), currency, type (the spec's enum),
  creditParty and debitParty of 1..10 key/value parties); answers 202 with a pending
  `requestStateObject` (polling). Errors answer an `errorObject`.
- ``GET /requeststates/{id}``: pending on the first `pending_polls` reads, then completed
  with `objectReference` = the batch id.
- ``GET|PATCH /batchtransactions/{id}``: with `maker_checker`, the batch waits in `created`
  until a PATCH replaces `/batchStatus` with `approved`; then every transaction is posted: a
  known MSISDN completes, an unknown one is rejected (reason "msisdn not registered").
- ``GET …/completions`` and ``…/rejections``: paged by `limit`/`offset`, with
  `X-Records-Available-Count` and `X-Records-Returned-Count`.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

AMOUNT = re.compile(r"^([0]|([1-9][0-9]{0,17}))([.][0-9]{0,3}[1-9])?$")
UUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
TYPES = {"billpay", "deposit", "disbursement", "transfer", "merchantpay", "inttransfer",
         "adjustment", "reversal", "withdrawal"}  # fmt: skip
CURRENCIES = {"XOF", "XAF", "GNF", "EUR", "USD"}  # the spec's enum holds every ISO 4217 code
NOW = "2026-11-30T09:00:00.000Z"


class GsmaTestServer:
    def __init__(self, *, known_msisdns, api_key="test-key", maker_checker=True,
                 pending_polls=1, max_requests=500):  # fmt: skip
        self.known = set(known_msisdns)
        self.api_key = api_key
        self.maker_checker = maker_checker
        self.pending_polls = pending_polls
        self.max_requests = max_requests
        self.batches: dict[str, dict] = {}
        self.states: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict]] = []  # (method, path, lower-cased headers)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status, payload=None, headers=None):
                body = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                if payload is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("X-Date", NOW)
                for k, v in (headers or {}).items():
                    self.send_header(k, str(v))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _error(self, status, category, code, description):
                self._answer(status, {"errorCategory": category, "errorCode": code,
                                      "errorDescription": description,
                                      "errorDateTime": NOW})  # fmt: skip

            def _handle(self, method):
                if len(server.requests) >= server.max_requests:
                    return self._error(503, "serviceUnavailable", "genericError", "request cap")
                url = urlparse(self.path)
                server.requests.append(
                    (method, url.path, {k.lower(): v for k, v in self.headers.items()})
                )
                problem = server.check_headers(self.headers)
                if problem:
                    return self._error(*problem)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                status, payload, headers = server.route(method, url.path, parse_qs(url.query),
                                                        body)  # fmt: skip
                if status >= 400:
                    return self._error(status, *payload)
                return self._answer(status, payload, headers)

            def do_GET(self):  # noqa: N802
                self._handle("GET")

            def do_POST(self):  # noqa: N802
                self._handle("POST")

            def do_PATCH(self):  # noqa: N802
                self._handle("PATCH")

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    # -- protocol
    def check_headers(self, headers):
        if self.api_key and headers.get("X-API-Key") != self.api_key:
            return 401, "authorisation", "clientAuthorisationError", "bad X-API-Key"
        correlation = headers.get("X-CorrelationID")
        if correlation is not None and not UUID.match(correlation):
            return 400, "validation", "formatError", "X-CorrelationID is not a UUID"
        x_date = headers.get("X-Date")
        if x_date is not None:
            try:
                datetime.fromisoformat(x_date.replace("Z", "+00:00"))
            except ValueError:
                return 400, "validation", "formatError", "X-Date is not a date-time"
        return None

    def validate_batch(self, body):
        if not isinstance(body, dict) or not isinstance(body.get("transactions"), list):
            return "transactions is mandatory"
        transactions = body["transactions"]
        if not 1 <= len(transactions) <= 999999:
            return "transactions: 1 to 999999 items"
        for i, t in enumerate(transactions):
            for key in ("amount", "currency", "type", "creditParty", "debitParty"):
                if key not in t:
                    return f"transactions[{i}].{key} is mandatory"
            if not isinstance(t["amount"], str) or not AMOUNT.match(t["amount"]):
                return f"transactions[{i}].amount does not match the pattern"
            if t["currency"] not in CURRENCIES:
                return f"transactions[{i}].currency not supported"
            if t["type"] not in TYPES:
                return f"transactions[{i}].type not in the enum"
            for side in ("creditParty", "debitParty"):
                parties = t[side]
                if not isinstance(parties, list) or not 1 <= len(parties) <= 10:
                    return f"transactions[{i}].{side}: 1 to 10 parties"
                for p in parties:
                    if not isinstance(p, dict) or not p.get("key") or not p.get("value"):
                        return f"transactions[{i}].{side}: key and value are mandatory"
        return None

    def post(self, batch):
        batch["completions"], batch["rejections"] = [], []
        for n, t in enumerate(batch["transactions"], start=1):
            msisdn = next((p["value"] for p in t["creditParty"] if p["key"] == "msisdn"), "")
            record = {
                "requestingOrganisationTransactionReference":
                    t.get("requestingOrganisationTransactionReference", ""),
                "creditParty": t["creditParty"],
                "debitParty": t["debitParty"],
            }  # fmt: skip
            if msisdn in self.known:
                reference = f"{batch['batchId']}-T{n}"
                record.update(transactionReference=reference, completionDate=NOW,
                              link=f"/transactions/{reference}")  # fmt: skip
                batch["completions"].append(record)
            else:
                record.update(rejectionReason="msisdn not registered", rejectionDate=NOW)
                batch["rejections"].append(record)
        batch["batchStatus"] = "completed"

    def route(self, method, path, query, body):
        parts = [p for p in path.split("/") if p]
        if method == "POST" and parts == ["batchtransactions"]:
            problem = self.validate_batch(body)
            if problem:
                return 400, ("validation", "formatError", problem), None
            batch_id = f"B{len(self.batches) + 1:04d}"
            batch = {"batchId": batch_id, "batchStatus": "created", **body}
            self.batches[batch_id] = batch
            if not self.maker_checker:
                self.post(batch)
            correlation = str(uuid.uuid4())
            self.states[correlation] = {"object": batch_id, "polls": 0}
            return 202, {"serverCorrelationId": correlation, "status": "pending",
                         "notificationMethod": "polling"}, None  # fmt: skip
        if method == "GET" and len(parts) == 2 and parts[0] == "requeststates":
            state = self.states.get(parts[1])
            if state is None:
                return 404, ("identification", "genericError", "unknown request state"), None
            state["polls"] += 1
            done = state["polls"] > self.pending_polls
            payload = {"serverCorrelationId": parts[1], "notificationMethod": "polling",
                       "status": "completed" if done else "pending"}  # fmt: skip
            if done:
                payload["objectReference"] = state["object"]
            return 200, payload, None
        if len(parts) >= 2 and parts[0] == "batchtransactions":
            batch = self.batches.get(parts[1])
            if batch is None:
                return 404, ("identification", "genericError", "unknown batch"), None
            if method == "GET" and len(parts) == 2:
                return (
                    200,
                    {
                        "batchId": batch["batchId"],
                        "batchStatus": batch["batchStatus"],
                        "approvalDate": NOW if batch["batchStatus"] != "created" else "",
                        "completionDate": NOW if batch["batchStatus"] == "completed" else "",
                        "batchTitle": batch.get("batchTitle", ""),
                        "parsingSuccessCount": len(batch["transactions"]),
                        "completedCount": len(batch.get("completions", [])),
                        "rejectionCount": len(batch.get("rejections", [])),
                    },
                    None,
                )
            if method == "PATCH" and len(parts) == 2:
                if body != [{"op": "replace", "path": "/batchStatus", "value": "approved"}]:
                    return 400, ("validation", "formatError", "only batchStatus=approved"), None
                if batch["batchStatus"] != "created":
                    return 400, ("businessRule", "incorrectState", "batch not in created"), None
                batch["batchStatus"] = "approved"
                self.post(batch)
                return 204, None, None
            if method == "GET" and len(parts) == 3 and parts[2] in ("completions", "rejections"):
                records = batch.get(parts[2], [])
                limit = int(query.get("limit", ["50"])[0])
                offset = int(query.get("offset", ["0"])[0])
                page = records[offset : offset + limit]
                return 200, page, {"X-Records-Available-Count": len(records),
                                   "X-Records-Returned-Count": len(page)}  # fmt: skip
        return 404, ("identification", "genericError", f"{method} {path}"), None
