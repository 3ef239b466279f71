"""Writes on benefits in payment: put an approved claim in payment, suspend, resume, stop,
change the payment channel, revalue by a board decision, record a death.

Each function is atomic and audited; a refused change raises `ValidationError({field: reason})`
(French) and changes nothing. The amount of a benefit is its `AmountVersion` in force: nothing
here edits a version, a change adds one. Models and the rules the payroll run relies on:
models/in_payment.py.

The code lives in benefit_status.py, in_payment.py, orphans.py, revaluation.py and deaths.py;
this module re-exports every name so that `kafo.payroll.services.X` keeps working.
"""

from .benefit_status import (  # noqa: F401
    CURRENCY_DIGITS,
    PENSION_KINDS,
    _lock,
    _now,
    _set_status,
    _today,
    benefit_resume,
    benefit_stop,
    benefit_suspend,
    month_end,
    round_currency,
)
from .deaths import (  # noqa: F401
    _deceased_overpayments_to_survivor,
    _open_survivors_claim,
    amounts_paid_after,
    benefits_catch_up,
    claim_put_in_payment,
    death_record,
    overpayment_recover_from,
)
from .in_payment import (  # noqa: F401
    CHANNEL_FIELDS,
    DEFAULT_CASH,
    _channel_of,
    _new_benefit,
    _revaluations_since_start,
    benefit_change_channel,
    benefit_in_open_run,
    benefits_from_claim,
    channel_details,
    operators_of_country,
)
from .orphans import (  # noqa: F401
    SITUATION_OF_DOCUMENT,
    _age_limit_end,
    _documents_of,
    _survivors_rules,
    benefits_stop_expired,
    orphan_end_with_documents,
    orphan_extend,
    orphans_extend_for_dependant,
)
from .revaluation import (  # noqa: F401
    _revalued,
    revaluation_apply,
    revaluation_create,
    revaluation_preview,
)
