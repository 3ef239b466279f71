"""Writes of the employer account: amounts due from declarations, payments (recorded or from a
bank statement), late-payment penalties, certificates of good standing.

Every function is atomic and audited; bad input raises ValidationError({field: message}) and
stores nothing. The allocation of payments (oldest debt first) is derived on reading
(`selectors.account_state`), never stored, so a late or corrective entry re-allocates by itself.

By job: account_dues (amounts due from declarations), account_payments,
account_statements (bank statements), account_penalties, account_certificates; this
module re-exports their public names.
"""

from __future__ import annotations

from .account_certificates import (
    CERTIFICATE_VALIDITY_DAYS,
    CODE_ALPHABET,
    CODE_LENGTH,
    certificate_issue,
    certificate_revoke,
    missing_declarations_message,
    new_certificate_code,
    normalise_code,
)
from .account_dues import (
    AUDIT_EACH_ENTRY_UP_TO,
    DEFAULT_DUE_DAY,
    period_due_date,
    post_declarations,
)
from .account_payments import (
    _is_reference_conflict,
    payment_record,
    payment_reverse,
    probable_duplicate,
)
from .account_penalties import penalties_apply, penalties_run
from .account_statements import StatementRejected, StatementResult, statement_import

__all__ = [
    "AUDIT_EACH_ENTRY_UP_TO",
    "CERTIFICATE_VALIDITY_DAYS",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "DEFAULT_DUE_DAY",
    "StatementRejected",
    "StatementResult",
    "_is_reference_conflict",
    "certificate_issue",
    "certificate_revoke",
    "missing_declarations_message",
    "new_certificate_code",
    "normalise_code",
    "payment_record",
    "payment_reverse",
    "penalties_apply",
    "penalties_run",
    "period_due_date",
    "post_declarations",
    "probable_duplicate",
    "statement_import",
]
