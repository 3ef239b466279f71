"""Payments on the employer account: recorded once per reference, probable duplicates
flagged, reversed (kafo/contributions/ledger.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kafo.audit import services as audit
from kafo.registry.models import Employer

from .account_certificates import _revoke_certificates_resting_on
from .account_dues import _today
from .domain.compute import format_amount
from .domain.ledger import MAX_PAYMENT_AMOUNT, REFERENCE_MAX_LENGTH
from .models import BankStatement, EntryKind, LedgerEntry, Payment, PaymentMethod


def _check_amount(amount) -> Decimal:
    try:
        value = Decimal(str(amount).replace(" ", "").replace("\u202f", "").replace("\u00a0", ""))
    except ArithmeticError:
        raise ValidationError({"amount": _("Montant invalide.")}) from None
    if not value.is_finite() or value <= 0 or value != value.to_integral_value():
        raise ValidationError(
            {"amount": _("Le montant doit être un nombre entier de francs positif.")}
        )
    if value > MAX_PAYMENT_AMOUNT:
        raise ValidationError(
            {
                "amount": _("Montant trop élevé : %(limit)s au plus par paiement.")
                % {"limit": format_amount(MAX_PAYMENT_AMOUNT)}
            }
        )
    return value


def _reference_recorded(*, organisation_id: int, method: str, reference: str) -> bool:
    return Payment.unscoped.filter(
        organisation_id=organisation_id, method=method, reference=reference
    ).exists()


def _is_reference_conflict(exc: IntegrityError) -> bool:
    """Whether `exc` is the violation of the payment reference's uniqueness
    (`uniq_payment_reference`), and no other constraint."""
    diag = getattr(exc.__cause__, "diag", None)
    if diag is not None:  # PostgreSQL names the constraint
        return diag.constraint_name == "uniq_payment_reference"
    table = Payment._meta.db_table  # SQLite names the columns
    return f"UNIQUE constraint failed: {table}.organisation_id, {table}.method, " in str(exc)


def _reference_taken_error() -> ValidationError:
    return ValidationError(
        {"reference": _("Référence déjà enregistrée : ce paiement est déjà compté.")}
    )


def probable_duplicate(
    *, employer: Employer, amount: Decimal, paid_on: dt.date, method: str, reference: str
) -> Payment | None:
    """Return an earlier payment of `employer` that this one probably repeats, or None.

    Probable: the same reference but for its case (`VIR-123`, `vir-123`), whatever the means;
    without a reference, the same cash amount on the same day. A rejected payment no longer
    credits the account, so recording it again is no double credit: it is not counted.
    """
    same = Payment.unscoped.filter(employer_id=employer.pk, reversed_on=None)
    if reference:
        same = same.filter(reference__iexact=reference)
    elif method == PaymentMethod.CASH:
        same = same.filter(method=method, reference="", amount=amount, paid_on=paid_on)
    else:
        return None
    return same.order_by("pk").first()


def _probable_duplicate_error(earlier: Payment) -> ValidationError:
    return ValidationError(
        {
            "confirm_duplicate": _(
                "Paiement probablement en double : %(m)s %(r)s de %(a)s du %(d)s déjà "
                "enregistré pour cet employeur. Confirmez pour l'enregistrer quand même."
            )
            % {
                "m": earlier.get_method_display(),
                "r": earlier.reference or _("sans référence"),
                "a": format_amount(earlier.amount),
                "d": f"{earlier.paid_on:%d/%m/%Y}",
            }
        }
    )


@transaction.atomic
def payment_record(
    *,
    employer: Employer,
    amount,
    paid_on: dt.date,
    method: str,
    reference: str = "",
    recorded_by=None,
    statement: BankStatement | None = None,
    today: dt.date | None = None,
    confirm_duplicate: bool = False,
) -> Payment:
    """Record a payment received from an employer and credit its account.

    Bank transfers and mobile money need their reference; a reference is recorded once per
    means of payment ("référence déjà enregistrée", also when two arrive at once). A probable
    duplicate (`probable_duplicate`) is refused unless `confirm_duplicate`; then the payment is
    recorded with `probable_duplicate_of` set, shown on the account.
    """
    today = today or _today()
    value = _check_amount(amount)
    reference = (reference or "").strip()
    if method not in PaymentMethod.values:
        raise ValidationError({"method": _("Moyen de paiement inconnu.")})
    if not isinstance(paid_on, dt.date) or paid_on > today:
        raise ValidationError({"paid_on": _("La date de valeur ne peut être dans le futur.")})
    if method in (PaymentMethod.BANK, PaymentMethod.MOBILE_MONEY) and not reference:
        raise ValidationError({"reference": _("La référence de l'opération est obligatoire.")})
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise ValidationError(
            {
                "reference": _("Référence trop longue : %(n)s caractères, %(max)s au plus.")
                % {"n": len(reference), "max": REFERENCE_MAX_LENGTH}
            }
        )
    # One payment at a time per employer: a probable duplicate sent at the same moment is seen.
    Employer.unscoped.select_for_update().filter(pk=employer.pk).first()
    if reference and _reference_recorded(
        organisation_id=employer.organisation_id, method=method, reference=reference
    ):
        raise _reference_taken_error()
    earlier = probable_duplicate(
        employer=employer, amount=value, paid_on=paid_on, method=method, reference=reference
    )
    if earlier is not None and not confirm_duplicate:
        raise _probable_duplicate_error(earlier)
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            payment = Payment.objects.create(
                organisation_id=employer.organisation_id,
                employer=employer,
                paid_on=paid_on,
                amount=value,
                method=method,
                reference=reference,
                statement=statement,
                recorded_by=recorded_by,
                probable_duplicate_of=earlier,
            )
    except IntegrityError as exc:
        # Another employer's payment with this reference committed since the check above.
        if _is_reference_conflict(exc):
            raise _reference_taken_error() from None
        raise
    entry = LedgerEntry.objects.create(
        organisation_id=employer.organisation_id,
        employer=employer,
        kind=EntryKind.PAYMENT,
        due_date=paid_on,
        amount=-value,
        payment=payment,
        label=_("Paiement %(m)s %(r)s") % {"m": payment.get_method_display(), "r": reference},
    )
    audit.record_created(payment, subject=employer)
    audit.record_created(entry, subject=employer)
    return payment


@transaction.atomic
def payment_reverse(
    *, payment: Payment, reason: str, reversed_by=None, today: dt.date | None = None
) -> LedgerEntry:
    """Cancel a payment the bank rejected (bounced cheque, returned transfer).

    The payment and its account entry stay; an opposite entry cancels the credit, so the debts
    it had settled are due again (and run late-payment penalties from their own due dates).
    """
    today = today or _today()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif du rejet.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("Motif trop long (200 caractères au plus).")})
    locked = Payment.unscoped.select_for_update().get(pk=payment.pk)
    if locked.reversed_on is not None:
        raise ValidationError({"reason": _("Ce paiement est déjà annulé.")})
    before = audit.snapshot(locked)
    locked.reversed_on = today
    locked.reversal_reason = reason
    locked.save(update_fields=["reversed_on", "reversal_reason"])
    original = LedgerEntry.unscoped.get(payment=locked)
    entry = LedgerEntry.objects.create(
        organisation_id=locked.organisation_id,
        employer_id=locked.employer_id,
        kind=EntryKind.PAYMENT_REVERSAL,
        due_date=today,
        amount=-original.amount,
        reverses=original,
        label=_("Rejet du paiement %(r)s : %(m)s")
        % {"r": locked.reference or locked.pk, "m": reason},
        detail={"payment_id": locked.pk, "recorded_by": getattr(reversed_by, "pk", None)},
    )
    audit.record_updated(locked, before, subject=locked.employer)
    audit.record_created(entry, subject=locked.employer)
    _revoke_certificates_resting_on(locked, reason=reason, today=today)
    return entry
