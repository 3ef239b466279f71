"""A partner's side of the SPDCI registry API, for the tests: envelopes, queries, spec checks."""

import datetime as dt
import uuid

from kafo.interop import spec


def now_ts() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def envelope(action: str, message: dict, **header) -> dict:
    return {
        "header": {
            "version": "1.0.0",
            "message_id": uuid.uuid4().hex,
            "message_ts": now_ts(),
            "action": action,
            "sender_id": "rsu.example.ml",
            "total_count": len(
                message.get("search_request", message.get("subscribe_request", [1]))
            ),
        }
        | header,
        "message": message,
    }


def search_message(*criteria, transaction_id="T-1") -> dict:
    return {
        "transaction_id": transaction_id,
        "search_request": [
            {"reference_id": f"R-{i + 1}", "timestamp": now_ts(), "search_criteria": c}
            for i, c in enumerate(criteria)
        ],
    }


def idtype(kind: str, value: str, **extra) -> dict:
    return {"query_type": "idtype-value", "query": {"type": kind, "value": value}} | extra


def post(client, path: str, body, headers: dict):
    return client.post(path, data=body, content_type="application/json", **headers)


def assert_matches(path: str, response) -> dict:
    """Check the answer of POST `path` against the specification; return its JSON."""
    data = response.json()
    if response.status_code in (401, 403):
        ref = spec.ERROR_RESPONSE
    else:
        ref = spec.response_ref(path)
    found = spec.errors(spec.SOCIAL, ref, data)
    assert found == [], [str(e) for e in found]
    if response.status_code >= 400:
        assert spec.errors(spec.SOCIAL, spec.ERROR_RESPONSE, data) == []
    return data


def assert_callback_matches(path: str, body: dict) -> None:
    found = spec.errors(spec.SOCIAL, spec.callback_ref(path), body)
    assert found == [], [str(e) for e in found]
