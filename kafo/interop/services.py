"""Writes of the interop app: partners, their query log and rate limit."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from kafo.audit.models import AuditAction
from kafo.audit.services import record_change, snapshot

from . import auth
from .models import Partner, QueryLog, RecordAttribute, Transaction

MAX_CALLBACK_URLS = 5


class PartnerError(ValueError):
    """A partner's registration is refused; the message names the field and the reason."""


def _clean_urls(urls: list[str]) -> list[str]:
    clean = []
    for url in urls:
        url = url.strip()
        if not url:
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise PartnerError(f"Adresses de rappel : « {url[:80]} » n'est pas une adresse http(s)")
        if parts.username or parts.password:
            raise PartnerError(
                f"Adresses de rappel : « {url[:80]} » ne doit pas contenir d'identifiants"
            )
        if url not in clean:
            clean.append(url)
    if len(clean) > MAX_CALLBACK_URLS:
        raise PartnerError(f"Adresses de rappel : {MAX_CALLBACK_URLS} au plus")
    return clean


@transaction.atomic
def partner_register(
    *,
    organisation,
    name: str,
    kind: str,
    organisations: list,
    attributes: list[str],
    callback_urls: list[str],
    public_key: str = "",
    rate_limit_per_minute: int = 60,
    by=None,
) -> tuple[Partner, str]:
    """Register a partner under `organisation`; return it and its client secret (shown once).

    `organisations` are those it may query: an organisation's administrator may name only its
    own (the caller checks who may name which); audited without the secret's hash.
    """
    if not organisations:
        raise PartnerError("Organismes consultables : au moins un organisme")
    unknown = [a for a in attributes if a not in RecordAttribute.values]
    if unknown:
        raise PartnerError(f"Attributs autorisés : « {unknown[0]} » inconnu")
    if public_key.strip():
        from .signatures import load_public_key

        try:
            load_public_key(public_key)
        except ValueError as exc:
            raise PartnerError(
                "Clé publique : une clé PEM Ed25519, EC P-256 ou RSA est attendue"
            ) from exc
    secret = auth.new_client_secret()
    partner = Partner.objects.create(
        organisation=organisation,
        name=name.strip(),
        kind=kind,
        attributes=sorted(set(attributes)),
        callback_urls=_clean_urls(callback_urls),
        client_id=auth.new_client_id(),
        client_secret_hash=auth.hash_secret(secret),
        public_key=public_key.strip(),
        rate_limit_per_minute=rate_limit_per_minute,
        created_at=timezone.now(),
        created_by=by,
    )
    partner.organisations.set(organisations)
    changes = {
        k: [None, v]
        for k, v in snapshot(partner).items()
        if k != "client_secret_hash" and v not in (None, "", [])
    }
    changes["organisations"] = [None, sorted(o.code for o in organisations)]
    record_change(action=AuditAction.CREATE, instance=partner, changes=changes)
    return partner, secret


@transaction.atomic
def partner_rotate_secret(*, partner: Partner) -> str:
    """Give the partner a new client secret (the old one stops working); return it once."""
    secret = auth.new_client_secret()
    partner.client_secret_hash = auth.hash_secret(secret)
    partner.save(update_fields=["client_secret_hash"])
    record_change(
        action=AuditAction.UPDATE,
        instance=partner,
        changes={"client_secret": ["…", "renouvelé"]},
    )
    return secret


@transaction.atomic
def partner_set_active(*, partner: Partner, active: bool) -> None:
    before = partner.active
    partner.active = active
    partner.save(update_fields=["active"])
    record_change(action=AuditAction.UPDATE, instance=partner, changes={"active": [before, active]})


def rate_limited(partner: Partner, *, now: dt.datetime | None = None) -> bool:
    """Whether the partner already made its allowed number of calls in the last minute.

    Every call the API accepts is a Transaction, recorded before it is answered.
    """
    now = now or timezone.now()
    recent = Transaction.objects.filter(
        partner=partner, received_at__gt=now - dt.timedelta(minutes=1)
    )
    return recent.count() >= partner.rate_limit_per_minute


def query_log(
    *, partner: Partner, endpoint: str, query: dict, record_count: int, outcome: str
) -> QueryLog:
    """Record one call of the partner: what it asked, how many records it received."""
    return QueryLog.objects.create(
        partner=partner,
        endpoint=endpoint,
        at=timezone.now(),
        query=query,
        record_count=record_count,
        outcome=outcome[:60],
    )
