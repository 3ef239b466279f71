"""The mobile-money disbursement contract Kafo speaks to every operator.

Modelled on the GSMA Mobile Money API v1.2 batch-transaction use case (payments-indicators.md
§2.1, spec in ../shared/specs/gsma-mmapi/): a batch of disbursements is created, approved
(maker/checker), then each transaction ends as a *completion* or a *rejection*, both carrying
the payroll line's reference. Operators that speak the GSMA API use `GsmaOperator`; operators
that take a file through their business portal use `CsvFileOperator` (Kafo writes the batch
file, the officer uploads the operator's result file). No zone operator documents a public
GSMA endpoint (ASSUMPTION, §2.1): the GSMA model is Kafo's connector contract and each adapter
maps it to what the operator really offers.
"""

from __future__ import annotations

import abc
import re
from dataclasses import dataclass
from decimal import Decimal

E164 = re.compile(r"^\+[1-9]\d{7,14}$")


class MobileMoneyError(Exception):
    """A batch the operator refused or could not be reached for. `permanent`: retrying the
    same request will fail again (a validation or authorisation error)."""

    def __init__(self, message: str, *, permanent: bool = False, status: int | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.status = status


@dataclass(frozen=True)
class Disbursement:
    """One payroll line paid to a wallet."""

    reference: str  # the payroll line's reference: comes back on its completion or rejection
    msisdn: str  # E.164, checked when the channel was recorded (kafo.payroll.domain.phones)
    amount: Decimal | int  # whole XOF/XAF
    currency: str = "XOF"
    name: str = ""


@dataclass(frozen=True)
class Submission:
    batch_id: str
    status: str  # created (waits for approval) | approved | completed


@dataclass(frozen=True)
class BatchState:
    batch_id: str
    status: str
    completed_count: int | None = None
    rejection_count: int | None = None
    parsing_success_count: int | None = None


@dataclass(frozen=True)
class Completion:
    reference: str
    msisdn: str
    operator_reference: str = ""
    completed_at: str = ""


@dataclass(frozen=True)
class Rejection:
    reference: str
    msisdn: str
    reason: str
    rejected_at: str = ""


def whole_amount(disbursement: Disbursement) -> int:
    """The amount in whole francs; `MobileMoneyError` (permanent) when it is not one."""
    amount = Decimal(str(disbursement.amount))
    if amount != amount.to_integral_value() or amount <= 0:
        raise MobileMoneyError(
            f"{disbursement.reference} : montant {amount} : francs CFA entiers et positifs",
            permanent=True,
        )
    return int(amount)


def check_disbursements(disbursements: list[Disbursement]) -> None:
    """Refuse an empty batch, a duplicate reference, a number not in E.164 or a bad amount."""
    if not disbursements:
        raise MobileMoneyError("lot vide : aucun paiement mobile money", permanent=True)
    seen: set[str] = set()
    for d in disbursements:
        if d.reference in seen:
            raise MobileMoneyError(f"{d.reference} : référence en double dans le lot",
                                   permanent=True)  # fmt: skip
        seen.add(d.reference)
        if not E164.match(d.msisdn or ""):
            raise MobileMoneyError(
                f"{d.reference} : numéro « {d.msisdn} » : format E.164 attendu (+223…)",
                permanent=True,
            )
        whole_amount(d)


class MobileMoneyOperator(abc.ABC):
    """One operator (Orange Money Mali, Wave Sénégal…) behind Kafo's disbursement contract.

    `kind` says how a batch travels: "api" (submit, approve, then poll completions and
    rejections) or "file" (`batch_file` to upload, `read_results` of the operator's answer)."""

    code: str
    label: str
    kind: str

    # -- API operators
    def submit(self, reference: str, disbursements: list[Disbursement], *, title: str = ""):
        raise NotImplementedError

    def approve(self, batch_id: str) -> None:
        raise NotImplementedError

    def state(self, batch_id: str) -> BatchState:
        raise NotImplementedError

    def completions(self, batch_id: str) -> list[Completion]:
        raise NotImplementedError

    def rejections(self, batch_id: str) -> list[Rejection]:
        raise NotImplementedError

    # -- file operators
    def batch_file(self, disbursements: list[Disbursement]) -> bytes:
        raise NotImplementedError

    def read_results(self, data: bytes) -> tuple[list[Completion], list[Rejection]]:
        raise NotImplementedError
