"""Mobile-money disbursement: the GSMA batch-transaction contract and one adapter per operator
(see base.py for the contract, gsma.py for the API client, csv_files.py for portal files,
operators.yaml for the configured operators)."""

from .base import (
    BatchState,
    Completion,
    Disbursement,
    MobileMoneyError,
    MobileMoneyOperator,
    Rejection,
    Submission,
)
from .operators import build_operator, load_operator_settings, operator_for

__all__ = [
    "BatchState",
    "Completion",
    "Disbursement",
    "MobileMoneyError",
    "MobileMoneyOperator",
    "Rejection",
    "Submission",
    "build_operator",
    "load_operator_settings",
    "operator_for",
]
