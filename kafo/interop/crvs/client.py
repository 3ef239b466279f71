"""Kafo as a client of a civil registry (CRVS) speaking crvs_api_v1.0.0.yaml.

- `crvs_subscribe` (a job): asks the CRVS to notify deaths to Kafo's callback endpoint
  (`/crvs/callback`); the CRVS acknowledges, then sends `on-subscribe` there with the
  subscription code, recorded on the CivilRegistry row.
- `search_by_national_id`: the synchronous search, by the identifier type UIN.

Kafo authenticates with OAuth2 client credentials at the CRVS's /oauth2/client/token; its secret
comes from the environment (KAFO_CRVS_SECRET_<CODE>) or settings.INTEROP_CRVS_SECRETS[code],
never from the database. Every call has a timeout and never follows a redirect.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
import uuid

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kafo.jobs import task

from ..models_events import CivilRegistry
from ..outbox import _opener

TIMEOUT = 10
DEATH_EVENT = "spdci-crvs:VitalEventType:death"
RECORD_TYPE = "spdci-extensions-dci:Person"


class CrvsError(Exception):
    """The civil registry could not be reached or refused the request."""


def callback_url() -> str:
    """Kafo's endpoint for the CRVS's callbacks (absolute, from settings.INTEROP_PUBLIC_URL)."""
    base = getattr(settings, "INTEROP_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("interop-crvs-callback")


def _secret(registry: CivilRegistry) -> str:
    env = "KAFO_CRVS_SECRET_" + registry.code.upper().replace("-", "_")
    return os.environ.get(env) or getattr(settings, "INTEROP_CRVS_SECRETS", {}).get(
        registry.code, ""
    )


def _call(url: str, data: bytes, headers: dict) -> dict:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise CrvsError(f"{url} : adresse ni http ni https")
    request = urllib.request.Request(  # noqa: S310  (http/https only, checked above)
        url, data=data, method="POST", headers=headers
    )
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise CrvsError(f"{url} : HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise CrvsError(f"{url} : {getattr(exc, 'reason', exc)}") from exc


def _token(registry: CivilRegistry) -> str:
    form = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": registry.client_id,
            "client_secret": _secret(registry),
        }
    ).encode()
    answer = _call(
        registry.base_url.rstrip("/") + "/oauth2/client/token",
        form,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not token:
        raise CrvsError("pas de jeton d'accès dans la réponse de l'état civil")
    return token


def _header(registry: CivilRegistry, action: str) -> dict:
    from ..registry_api.envelope import SENDER_ID, VERSION
    from ..registry_api.search import timestamp

    return {
        "version": VERSION,
        "message_id": uuid.uuid4().hex,
        "message_ts": timestamp(),
        "action": action,
        "sender_id": SENDER_ID,
        "sender_uri": callback_url(),
        "receiver_id": registry.code,
        "total_count": 1,
        "is_msg_encrypted": False,
    }


def _post(registry: CivilRegistry, path: str, action: str, message: dict) -> dict:
    from ..registry_api.envelope import signed

    body = signed(_header(registry, action), message)
    return _call(
        registry.base_url.rstrip("/") + path,
        json.dumps(body).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {_token(registry)}"},
    )


def subscribe_message() -> dict:
    from ..registry_api.search import timestamp

    return {
        "transaction_id": uuid.uuid4().hex,
        "subscribe_request": [
            {
                "reference_id": uuid.uuid4().hex,
                "timestamp": timestamp(),
                "subscribe_criteria": {
                    "version": "1.0.0",
                    "reg_type": "ns:org:RegistryType:Civil",
                    "reg_event_type": DEATH_EVENT,
                    "filter_type": "idtype-value",
                    "filter": {"type": "reg_event_type", "value": DEATH_EVENT},
                    "notify_record_type": RECORD_TYPE,
                },
            }
        ],
    }


@task(queue_name="callbacks")
def crvs_subscribe(registry_id: int) -> None:
    """Subscribe Kafo to the registry's deaths (the code arrives later with on-subscribe)."""
    registry = CivilRegistry.objects.get(pk=registry_id)
    try:
        answer = _post(registry, "/registry/subscribe", "subscribe", subscribe_message())
        ack = (answer.get("message") or {}).get("ack_status")
        error = "" if ack == "ACK" else f"abonnement refusé ({ack or 'réponse illisible'})"
    except CrvsError as exc:
        error = str(exc)
    registry.last_error = error[:500]
    registry.save(update_fields=["last_error"])


def subscription_confirmed(registry: CivilRegistry, message: dict) -> None:
    """Record the subscription code an `on-subscribe` message carries."""
    for answer in message.get("subscribe_response") or []:
        if answer.get("status") != "succ":
            registry.last_error = (answer.get("status_reason_message") or "abonnement rejeté")[:500]
            continue
        for sub in answer.get("subscriptions") or []:
            registry.subscription_code = str(sub.get("code", ""))[:99]
            registry.subscribed_at = timezone.now()
            registry.last_error = ""
    registry.save(update_fields=["subscription_code", "subscribed_at", "last_error"])


def search_by_national_id(registry: CivilRegistry, national_id: str) -> list[dict]:
    """Return the CRVS's person records for the national id (empty when it has none)."""
    from ..registry_api.search import timestamp

    message = {
        "transaction_id": uuid.uuid4().hex,
        "search_request": [
            {
                "reference_id": uuid.uuid4().hex,
                "timestamp": timestamp(),
                "search_criteria": {
                    "version": "1.0.0",
                    "reg_type": "ns:org:RegistryType:Civil",
                    "reg_record_type": RECORD_TYPE,
                    "query_type": "idtype-value",
                    "query": {"type": "UIN", "value": national_id},
                },
            }
        ],
    }
    answer = _post(registry, "/registry/sync/search", "search", message)
    records: list[dict] = []
    for item in (answer.get("message") or {}).get("search_response") or []:
        if item.get("status") != "succ":
            continue
        found = (item.get("data") or {}).get("reg_records") or []
        records.extend(found if isinstance(found, list) else [found])
    return records
