"""A run's payment files, one per channel (and per bank / operator / agency where it applies),
written from the lines as a Polars frame: no ORM, so the service and bench/payroll.py write them
the same way.

- bank: ISO 20022 pain.001.001.03 (kafo/payroll/domain/pain001.py), one file for the run, the
  organisation's account as debtor; every RIB and IBAN checked by the writer.
- mobile_money: one CSV per operator (reference, payee, E.164 number, amount) — the GSMA batch
  is created from the same rows by the operator adapter (kafo/payroll/mobile_money/).
- cash: one list per paying agency with a signature column, as a PDF (domain/cash_list.py) and
  as a CSV. `cash_pdf=False` leaves the PDF out: reportlab lays out about 250 lines a second
  here, so 50,000 cash lines take minutes (bench/payroll.py measures without it and says so).

Columns of `lines`: reference, channel, payee_name, net, rib, iban, bic, msisdn, operator,
paying_agency (strings; net Int64).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass

import polars as pl

from kafo.payroll.domain import pain001

# The organisations' paying accounts (ASSUMPTION: no organisation's account is known here; the
# RIBs below are the public valid examples of payments-indicators.md §1.3). Settings
# KAFO_PAYROLL_DEBTOR_ACCOUNTS {org code: {"name", "rib", "bic"}} override them.
DEFAULT_DEBTOR_RIB = {
    "XOF": "SN0100152000048500003035",
    "XAF": "10002000300277976315008",
}


@dataclass(frozen=True)
class RunFile:
    kind: str  # pain001, mobile_money, cash_list
    label: str
    name: str
    content_type: str
    content: bytes
    line_count: int
    total: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _csv(rows, header) -> bytes:
    from kafo.exports import csv_row

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow(header)
    for row in rows:
        w.writerow(csv_row(row))
    return buf.getvalue().encode("utf-8-sig")


def write_files(
    lines: pl.DataFrame,
    *,
    run_reference: str,
    debtor: pain001.DebtorAccount,
    created_at: dt.datetime,
    execution_date: dt.date,
    remittance: str,
    organisation_name: str = "",
    period_label: str = "",
    currency: str = "XOF",
    cash_pdf: bool = True,
) -> list[RunFile]:
    """Return the run's payment files (lines with net 0 are not paid, so not written)."""
    files: list[RunFile] = []
    lines = lines.filter(pl.col("net") > 0)
    bank = lines.filter(pl.col("channel") == "bank")
    if bank.height:
        transfers = bank.select(
            pl.col("reference").alias("end_to_end_id"),
            pl.col("net").alias("amount"),
            pl.col("payee_name").alias("creditor_name"),
            "rib",
            "iban",
            "bic",
            pl.lit(remittance).alias("remittance"),
            pl.lit("PENS").alias("purpose"),
        )
        out = io.BytesIO()
        summary = pain001.write_pain001(
            out,
            message_id=run_reference,
            created_at=created_at,
            execution_date=execution_date,
            debtor=debtor,
            transfers=pain001.transfers_from_frame(transfers),
        )
        files.append(
            RunFile(
                "pain001",
                "",
                f"{run_reference}-virements.xml",
                "application/xml",
                out.getvalue(),
                summary.count,
                int(summary.control_sum),
            )
        )
    for kind, channel, key, header, cols in (
        (
            "mobile_money",
            "mobile_money",
            "operator",
            ["Référence", "Bénéficiaire", "Numéro", "Montant"],
            ["reference", "payee_name", "msisdn", "net"],
        ),
        (
            "cash_list",
            "cash",
            "paying_agency",
            ["Référence", "Bénéficiaire", "Montant", "Pièce d'identité", "Signature"],
            ["reference", "payee_name", "net"],
        ),
    ):
        part = lines.filter(pl.col("channel") == channel)
        for (label,), group in part.sort(key, "reference").group_by([key], maintain_order=True):
            rows = group.select(cols).rows()
            if kind == "cash_list":
                rows = [(*r, "", "") for r in rows]
            slug = "".join(ch if ch.isalnum() else "-" for ch in (label or "sans")).strip("-")
            files.append(
                RunFile(
                    kind,
                    label or "",
                    f"{run_reference}-{kind.replace('_', '-')}-{slug}.csv",
                    "text/csv",
                    _csv(rows, header),
                    group.height,
                    int(group["net"].sum()),
                )
            )
    cash = lines.filter(pl.col("channel") == "cash")
    if cash_pdf and cash.height:
        from kafo.payroll.domain.cash_list import cash_list_pdf

        payments = cash.select(
            "reference", "payee_name", pl.col("net").alias("amount"),
            pl.col("paying_agency").alias("agency"),
        ).to_dicts()  # fmt: skip
        files.append(
            RunFile(
                "cash_list",
                "PDF",
                f"{run_reference}-especes.pdf",
                "application/pdf",
                cash_list_pdf(
                    payments,
                    organisation=organisation_name,
                    period=period_label,
                    payment_date=execution_date,
                    currency=currency,
                ),
                cash.height,
                int(cash["net"].sum()),
            )
        )
    return files
