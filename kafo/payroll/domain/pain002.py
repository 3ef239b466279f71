"""ISO 20022 `pain.002` (CustomerPaymentStatusReport): the bank's answer to a transfer file.

Reads versions .001.03 to .001.11 alike (the elements Kafo needs kept their names): the
original message's group status (`GrpSts`), each payment instruction's (`PmtInfSts`) and each
transaction's (`TxSts`, `OrgnlEndToEndId`), with the reason (`StsRsnInf/Rsn/Cd` or `Prtry`,
`AddtlInf`). A whole file rejected by the bank (group status RJCT, often with no transaction
listed) rejects every line of the original file: `StatusReport.statuses_for(references)` gives
each payroll line its status from the most precise level that speaks of it.

Bank files are outside input: a document type declaration (the door to entity expansion) is
refused before parsing; the standard library's parser never fetches external entities. Pure:
no Django.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - DTDs refused before parsing (see _parse)
from collections.abc import Iterable
from dataclasses import dataclass, field

REJECTED = "RJCT"
ACCEPTED = frozenset({"ACCP", "ACSC", "ACSP", "ACTC", "ACWC", "ACCC", "ACFC", "ACIS", "ACWP"})
PENDING = frozenset({"PDNG", "RCVD", "PART"})

# ISO external status reason codes a bank uses most for a failed credit transfer (French, to
# show an officer why a pensioner was not paid).
REASON_LABELS = {
    "AC01": "numéro de compte incorrect",
    "AC04": "compte clôturé",
    "AC06": "compte bloqué",
    "AC13": "type de compte du débiteur invalide",
    "AG01": "opération interdite sur ce compte",
    "AG02": "code d'opération invalide",
    "AM04": "provision insuffisante",
    "AM05": "opération en double",
    "BE01": "le nom ne correspond pas au titulaire du compte",
    "BE04": "adresse du bénéficiaire manquante",
    "DUPL": "paiement en double",
    "FF01": "format du fichier invalide",
    "MD07": "bénéficiaire décédé",
    "MS02": "motif non précisé (bénéficiaire)",
    "MS03": "motif non précisé (banque)",
    "NARR": "voir le texte du motif",
    "RC01": "code BIC incorrect",
    "RR01": "compte ou identité du débiteur manquant",
    "TM01": "reçu après l'heure limite",
}


class Pain002Error(ValueError):
    """A file that is not a readable pain.002 status report (French message)."""


@dataclass(frozen=True)
class TransactionStatus:
    end_to_end_id: str
    status: str  # ISO code: RJCT, ACSC, ACCP, PDNG…
    reason_code: str = ""
    reason_text: str = ""
    level: str = "transaction"  # or "payment", "group": where the status came from

    @property
    def rejected(self) -> bool:
        return self.status == REJECTED

    @property
    def accepted(self) -> bool:
        return self.status in ACCEPTED

    @property
    def reason_label(self) -> str:
        """The reason in French: the code's label, then the bank's own text."""
        label = REASON_LABELS.get(self.reason_code, self.reason_code)
        return " — ".join(part for part in (label, self.reason_text) if part)


@dataclass(frozen=True)
class StatusReport:
    message_id: str
    original_message_id: str
    group_status: str
    group_reason_code: str = ""
    group_reason_text: str = ""
    payment_statuses: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    transactions: list[TransactionStatus] = field(default_factory=list)

    def statuses_for(self, end_to_end_ids: Iterable[str]) -> dict[str, TransactionStatus]:
        """Return the status of each original line: its own if the report lists it, else its
        payment instruction's (Kafo writes one per file), else the group's. A line the report
        does not decide (no status at any level) is left out."""
        own = {t.end_to_end_id: t for t in self.transactions}
        payment = None
        decided = [s for s in self.payment_statuses.values() if s[0]]
        if len(decided) == 1 and decided[0][0] != "PART":
            payment = decided[0]
        result = {}
        for ref in end_to_end_ids:
            if ref in own:
                result[ref] = own[ref]
            elif payment is not None:
                result[ref] = TransactionStatus(ref, *payment, level="payment")
            elif self.group_status and self.group_status != "PART":
                result[ref] = TransactionStatus(
                    ref, self.group_status, self.group_reason_code, self.group_reason_text,
                    level="group",
                )  # fmt: skip
        return result

    @property
    def rejections(self) -> list[TransactionStatus]:
        return [t for t in self.transactions if t.rejected]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element, name):
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _children(element, name):
    return [child for child in element if _local(child.tag) == name]


def _text(element, *path: str) -> str:
    for name in path:
        if element is None:
            return ""
        element = _child(element, name)
    return (element.text or "").strip() if element is not None else ""


def _reason(element) -> tuple[str, str]:
    """The first status reason of `element`: (code or proprietary code, additional text)."""
    info = _child(element, "StsRsnInf")
    if info is None:
        return "", ""
    code = _text(info, "Rsn", "Cd") or _text(info, "Rsn", "Prtry")
    text = " ".join(
        (e.text or "").strip() for e in _children(info, "AddtlInf") if (e.text or "").strip()
    )
    return code, text


_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def _parse(data: bytes):
    if _DOCTYPE.search(data):
        raise Pain002Error("fichier refusé : déclaration de type de document (DOCTYPE) interdite")
    try:
        return ET.fromstring(data)  # noqa: S314 - no DTD (checked above), no external entity
    except ET.ParseError as exc:
        raise Pain002Error(f"fichier XML illisible : {exc}") from None


def read_pain002(data: bytes) -> StatusReport:
    """Read a pain.002 status report (bytes) into a `StatusReport`."""
    root = _parse(data)
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if not namespace.startswith("urn:iso:std:iso:20022:tech:xsd:pain.002."):
        raise Pain002Error(
            f"ce fichier n'est pas un rapport d'état pain.002 (espace de noms « {namespace} »)"
        )
    report = _child(root, "CstmrPmtStsRpt")
    if report is None:
        raise Pain002Error("élément CstmrPmtStsRpt absent")
    group = _child(report, "OrgnlGrpInfAndSts")
    if group is None:
        raise Pain002Error("élément OrgnlGrpInfAndSts absent")
    group_code, group_text = _reason(group)
    payments: dict[str, tuple[str, str, str]] = {}
    transactions: list[TransactionStatus] = []
    for position, payment in enumerate(_children(report, "OrgnlPmtInfAndSts"), start=1):
        payment_id = _text(payment, "OrgnlPmtInfId") or f"#{position}"
        payment_status = _text(payment, "PmtInfSts")
        payments[payment_id] = (payment_status, *_reason(payment))
        for tx in _children(payment, "TxInfAndSts"):
            ref = _text(tx, "OrgnlEndToEndId")
            if not ref:
                raise Pain002Error(
                    f"instruction {payment_id} : une transaction sans OrgnlEndToEndId"
                )
            status = _text(tx, "TxSts") or payment_status or _text(group, "GrpSts")
            transactions.append(TransactionStatus(ref, status, *_reason(tx)))
    return StatusReport(
        message_id=_text(report, "GrpHdr", "MsgId"),
        original_message_id=_text(group, "OrgnlMsgId"),
        group_status=_text(group, "GrpSts"),
        group_reason_code=group_code,
        group_reason_text=group_text,
        payment_statuses=payments,
        transactions=transactions,
    )
