"""A bank statement imported whole: each line a payment of the employer it names, or the
file refused with every line's reason (kafo/contributions/ledger.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.organisations.models import Organisation
from kafo.registry.models import Employer

from .account_dues import _today
from .account_payments import payment_record, probable_duplicate
from .domain import bank_statement
from .errors import FileRejected
from .models import BankStatement, Payment, PaymentMethod


class StatementRejected(FileRejected):
    """A bank statement with faulty lines: nothing was stored."""


@dataclass
class StatementResult:
    statement: BankStatement | None = None
    payments: list[Payment] = field(default_factory=list)
    already_recorded: list[dict] = field(default_factory=list)  # {line, reference}
    # {line, reference, earlier}: lines that probably repeat an earlier payment (reference
    # differing only in case): not recorded, for an agent to record by hand if they are not
    probable_duplicates: list[dict] = field(default_factory=list)
    duplicate: bool = False


def _statement_messages() -> dict[str, str]:
    return {
        "encoding": _("fichier illisible : encodez-le en UTF-8"),
        "empty": _("aucune ligne de paiement"),
        "missing_column": _("colonne obligatoire absente"),
        "field_count": _("nombre de colonnes incorrect"),
        "date": _("date invalide (jj/mm/aaaa ou aaaa-mm-jj)"),
        "future": _("date dans le futur"),
        "amount": _("montant invalide : nombre entier de francs positif attendu"),
        "required": _("valeur obligatoire"),
        "repeated": _("référence déjà présente ligne %s"),
        "amount_too_large": _("montant trop élevé : %(limit)s au plus par paiement"),
        "reference_too_long": _("référence trop longue : %(limit)s caractères au plus"),
        "total_too_large": _("total du relevé trop grand : %(limit)s au plus"),
    }


def statement_import(
    *,
    organisation: Organisation,
    content: bytes,
    filename: str = "",
    imported_by=None,
    today: dt.date | None = None,
) -> StatementResult:
    """Import a bank statement CSV (see domain.bank_statement): one bank payment per line.

    Every faulty line is reported (StatementRejected) and nothing is stored. The same statement
    imported again is recognised (content hash) and stores nothing; a line whose reference is
    already recorded (an overlapping statement) is skipped and reported, and so is a line whose
    reference matches another of the same employer but for its case (a probable duplicate).
    """
    today = today or _today()
    parsed = bank_statement.parse(content, today=today, messages=_statement_messages())
    if parsed.errors:
        raise StatementRejected(parsed.errors)
    numbers = {s.employer_number for s in parsed.lines}
    employers = {
        e.number: e for e in Employer.unscoped.filter(organisation=organisation, number__in=numbers)
    }
    errors = [
        bank_statement.error(
            s.line, "employer_number", s.employer_number, _("employeur inconnu dans cet organisme")
        )
        for s in parsed.lines
        if s.employer_number not in employers
    ]
    if errors:
        raise StatementRejected(errors)
    result = StatementResult()
    with transaction.atomic():
        existing = BankStatement.unscoped.filter(
            organisation=organisation, content_hash=parsed.content_hash
        ).first()
        if existing is not None:
            return StatementResult(statement=existing, duplicate=True)
        known = set(
            Payment.unscoped.filter(
                organisation=organisation,
                method=PaymentMethod.BANK,
                reference__in=[s.reference for s in parsed.lines],
            ).values_list("reference", flat=True)
        )
        result.already_recorded = [
            {"line": s.line, "reference": s.reference} for s in parsed.lines if s.reference in known
        ]
        fresh = []
        for s in parsed.lines:
            if s.reference in known:
                continue
            earlier = probable_duplicate(
                employer=employers[s.employer_number],
                amount=s.amount,
                paid_on=s.date,
                method=PaymentMethod.BANK,
                reference=s.reference,
            )
            if earlier is None:
                fresh.append(s)
            else:
                result.probable_duplicates.append(
                    {"line": s.line, "reference": s.reference, "earlier": earlier.reference}
                )
        statement = BankStatement.objects.create(
            organisation=organisation,
            filename=(filename or "")[:200],
            content_hash=parsed.content_hash,
            line_count=len(parsed.lines),
            total=sum((s.amount for s in fresh), Decimal(0)),
            imported_by=imported_by,
        )
        audit.record_created(statement)
        line_errors = []
        for s in fresh:
            try:
                payment = payment_record(
                    employer=employers[s.employer_number],
                    amount=s.amount,
                    paid_on=s.date,
                    method=PaymentMethod.BANK,
                    reference=s.reference,
                    recorded_by=imported_by,
                    statement=statement,
                    today=today,
                )
            except ValidationError as exc:  # the reader checks the same: a safety net
                line_errors.extend(
                    bank_statement.error(s.line, name, getattr(s, name, ""), message)
                    for name, messages in exc.message_dict.items()
                    for message in messages
                )
            else:
                result.payments.append(payment)
        if line_errors:  # raised inside the transaction: nothing of the statement is stored
            raise StatementRejected(line_errors)
        result.statement = statement
    return result
