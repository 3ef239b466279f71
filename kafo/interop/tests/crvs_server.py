"""A small civil registry (CRVS) for the tests, speaking crvs_api_v1.0.0.yaml on loopback.

It issues tokens (client credentials), accepts `/registry/subscribe` (ACK, then `on-subscribe`
sent to the subscriber's `sender_uri` when the test calls `send_callbacks()`), answers
`/registry/sync/search` by UIN, and `notify_death(...)` POSTs a `notify` to every subscriber.
Every request it receives is checked against the specification (`errors` lists what was wrong).
Bound to 127.0.0.1 on a free port; `close()` stops it; each outgoing call has a 5 s timeout.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from kafo.interop import spec

TOKEN = "crvs-test-token"


def _ts() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _callback_header(action: str, **extra) -> dict:
    return {
        "version": "1.0.0",
        "message_id": uuid.uuid4().hex,
        "message_ts": _ts(),
        "action": action,
        "status": "succ",
        "sender_id": "etat-civil.test",
        "total_count": 1,
        "completed_count": 1,
    } | extra


def death_record(uin: str, surname: str, given: str, birth: str, death: str) -> dict:
    record = {
        "@type": "CRVS_Person",
        "name": {"@type": "Name", "surname": surname, "given_name": given},
        "sex": "male",
        "birth_date": birth,
        "death_date": death,
    }
    if uin:
        record["identifier"] = {
            "@type": "Identifier",
            "identifier_type": "UIN",
            "identifier_value": uin,
        }
    return record


class CrvsServer:
    def __init__(self, *, client_id: str, client_secret: str, kafo_token: str = ""):
        self.client_id = client_id
        self.client_secret = client_secret
        self.kafo_token = kafo_token  # the token this CRVS presents when it calls Kafo
        self.people: dict[str, dict] = {}  # UIN -> record
        self.subscriptions: list[dict] = []
        self.pending: list[tuple[str, dict]] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                server.requests.append(self.path)
                if self.path == "/oauth2/client/token":
                    form = dict(urllib.parse.parse_qsl(raw.decode()))
                    ok = (
                        form.get("grant_type") == "client_credentials"
                        and form.get("client_id") == server.client_id
                        and form.get("client_secret") == server.client_secret
                    )
                    if not ok:
                        return self._answer(401, {"error": "invalid_client"})
                    return self._answer(
                        200, {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600}
                    )
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self._answer(
                        401, {"errors": [{"code": "err.request.unauthorized", "message": "jeton"}]}
                    )
                body = json.loads(raw or b"{}")
                found = spec.errors(spec.CRVS, spec.request_ref(self.path), body)
                server.errors += [f"{self.path} {e}" for e in found]
                if self.path == "/registry/subscribe":
                    return self._answer(200, server.subscribe(body))
                if self.path == "/registry/sync/search":
                    return self._answer(200, server.search(body))
                return self._answer(404, {"errors": [{"code": "err.request.not_found"}]})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    # --- the registry's side ----------------------------------------------------------------

    def subscribe(self, body: dict) -> dict:
        sender_uri = body["header"].get("sender_uri", "")
        answers = []
        for item in body["message"]["subscribe_request"]:
            code = "SUB-" + uuid.uuid4().hex[:8]
            criteria = item["subscribe_criteria"]
            self.subscriptions.append({"code": code, "sender_uri": sender_uri} | criteria)
            answers.append(
                {
                    "reference_id": item["reference_id"],
                    "timestamp": _ts(),
                    "status": "succ",
                    "subscriptions": [
                        {
                            "code": code,
                            "status": "subscribe",
                            "timestamp": _ts(),
                            "reg_event_type": criteria["reg_event_type"],
                        }
                    ],
                }
            )
        correlation = uuid.uuid4().hex
        on_subscribe = {
            "header": _callback_header("on-subscribe"),
            "message": {
                "transaction_id": body["message"]["transaction_id"],
                "correlation_id": correlation,
                "subscribe_response": answers,
            },
        }
        self.pending.append((sender_uri, on_subscribe))
        return {"message": {"ack_status": "ACK", "timestamp": _ts(), "correlation_id": correlation}}

    def search(self, body: dict) -> dict:
        answers = []
        for item in body["message"]["search_request"]:
            query = item["search_criteria"].get("query") or {}
            record = self.people.get(str(query.get("value")))
            answer = {"reference_id": item["reference_id"], "timestamp": _ts(), "status": "succ"}
            answer["data"] = {"reg_records": [record] if record else []}
            answers.append(answer)
        return {
            "header": _callback_header("on-search"),
            "message": {
                "transaction_id": body["message"]["transaction_id"],
                "correlation_id": uuid.uuid4().hex,
                "search_response": answers,
            },
        }

    # --- calling the subscriber ---------------------------------------------------------------

    def _post(self, url: str, body: dict) -> tuple[int, dict]:
        request = urllib.request.Request(  # noqa: S310  (the test's loopback URLs)
            url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.kafo_token}",
            },
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def send_callbacks(self) -> list[int]:
        sent = [self._post(url, body)[0] for url, body in self.pending]
        self.pending = []
        return sent

    def notify_body(self, *records: dict, transaction_id: str = "") -> dict:
        return {
            "header": _callback_header("notify"),
            "message": {
                "transaction_id": transaction_id or uuid.uuid4().hex,
                "notify_event": [
                    {
                        "reference_id": uuid.uuid4().hex,
                        "timestamp": _ts(),
                        "data": {
                            "version": "1.0.0",
                            "reg_type": "ns:org:RegistryType:Civil",
                            "reg_event_type": "spdci-crvs:VitalEventType:death",
                            "reg_record_type": "spdci-extensions-dci:Person",
                            "reg_records": record,
                        },
                    }
                    for record in records
                ],
            },
        }

    def notify_death(self, *records: dict) -> list[tuple[int, dict]]:
        """POST a `notify` of these deaths to every subscriber; return (status, answer) each."""
        body = self.notify_body(*records)
        found = spec.errors(spec.CRVS, spec.request_ref("/registry/notify"), body)
        self.errors += [f"notify {e}" for e in found]
        return [self._post(s["sender_uri"], body) for s in self.subscriptions]
