"""Certificates of good standing: issued on a clean account, checked by their code, revoked
when the payment they rest on is reversed (kafo/contributions/ledger.py)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.registry.models import Employer

from . import selectors
from .account_dues import _today
from .account_penalties import penalties_apply
from .domain.compute import format_amount
from .models import Certificate, EntryKind, Payment

CERTIFICATE_VALIDITY_DAYS = 90  # assumption: 3 months, the usual validity of an attestation
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed safely
CODE_LENGTH = 12  # 32**12 = 2**60 codes


def _revoke_certificates_resting_on(payment: Payment, *, reason: str, today: dt.date) -> None:
    """Without the rejected payment the employer may no longer be in good standing: then the
    certificates still valid that were issued since the payment was recorded are revoked."""
    if selectors.account_state(employer=payment.employer, as_of=today).in_good_standing:
        return
    since = timezone.localdate(payment.created_at)
    for certificate in Certificate.unscoped.filter(
        employer_id=payment.employer_id,
        revoked_on=None,
        issued_on__gte=since,
        valid_until__gte=today,
    ):
        certificate_revoke(
            certificate=certificate,
            reason=_("Paiement %(r)s rejeté : %(m)s") % {"r": payment.reference, "m": reason},
            today=today,
        )


def new_certificate_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not Certificate.unscoped.filter(code=code).exists():
            return code


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:CODE_LENGTH]


def missing_declarations_message(state) -> str:
    """Why no certificate: the periods not declared, named (the first 12, then a count)."""
    labels = [p.label for p in state.missing_declarations]
    shown = ", ".join(labels[:12])
    if len(labels) > 12:
        shown += " " + _("et %(n)s autres") % {"n": len(labels) - 12}
    return _(
        "Déclaration non reçue pour %(periods)s : attestation de régularité refusée tant que "
        "ces déclarations ne sont pas déposées."
    ) % {"periods": shown}


def certificate_issue(*, employer: Employer, issued_by=None, today: dt.date | None = None):
    """Issue a certificate of good standing if the employer owes nothing overdue.

    Penalties due today are posted first (idempotent), so a late payment is seen. Refused when
    an expected declaration is missing (past its due date), when overdue contributions or
    unpaid penalties remain, or when nothing was ever declared.
    """
    today = today or _today()
    penalties_apply(employer=employer, as_of=today)
    with transaction.atomic():
        Employer.unscoped.select_for_update().filter(pk=employer.pk).first()
        state = selectors.account_state(employer=employer, as_of=today)
        if state.missing_declarations:
            raise ValidationError({"employer": missing_declarations_message(state)})
        if not any(d["kind"] == EntryKind.CONTRIBUTION for d in state.debts):
            raise ValidationError(
                {"employer": _("Aucune déclaration reçue : attestation impossible.")}
            )
        owed = state.arrears_total + state.unpaid_penalties
        if owed > 0:
            raise ValidationError(
                {
                    "employer": _(
                        "L'employeur a des arriérés de %(a)s : attestation de régularité refusée."
                    )
                    % {"a": format_amount(owed)}
                }
            )
        cert = Certificate.objects.create(
            organisation_id=employer.organisation_id,
            employer=employer,
            code=new_certificate_code(),
            issued_on=today,
            valid_until=today + dt.timedelta(days=CERTIFICATE_VALIDITY_DAYS),
            balance=state.balance,
            issued_by=issued_by,
        )
        audit.record_created(cert, subject=employer)
    return cert


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, today: dt.date | None = None):
    """Revoke a certificate (e.g. issued on a payment later rejected by the bank)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de la révocation.")})
    if certificate.revoked_on is not None:
        raise ValidationError({"reason": _("Cette attestation est déjà révoquée.")})
    before = audit.snapshot(certificate)
    certificate.revoked_on = today or _today()
    certificate.revoke_reason = reason[:200]
    certificate.save(update_fields=["revoked_on", "revoke_reason"])
    audit.record_updated(certificate, before, subject=certificate.employer)
    return certificate
