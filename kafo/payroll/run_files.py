"""A run's payment files, one per channel (and per bank / operator / agency where it applies),
written from the lines as a Polars frame: no ORM, so the service and bench/payroll.py write them
the same way.

- bank: ISO 20022 pain.001.001.03 (kafo/payroll/domain/pain001.py), one file for the run, the
  organisation's account as debtor; every RIB and IBAN checked by the writer.
- bank_csv: when the organisation configures a bank CSV layout (runs.yaml `bank_csv`, layouts in
  reference/bank_layouts.yaml), the same transfers in that layout (domain/bank_csv.py), beside
  the pain.001 or instead of it (`bank_csv_only`).
- mobile_money: an operator of operators.yaml that takes files gets its own batch file from its
  adapter (kafo/payroll/mobile_money/csv_files.py); an operator reached through the GSMA API gets
  no file (runs.py sends the batch through the adapter by a job); an operator Kafo has no adapter
  for (a name, not an operators.yaml code) gets a plain CSV (reference, payee, number, amount).
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
    bank_csv_layout: str = "",
    bank_csv_only: bool = False,
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
        if bank_csv_layout:
            files.append(
                _bank_csv_file(transfers, bank_csv_layout, run_reference, debtor, execution_date)
            )
    if bank.height and not (bank_csv_layout and bank_csv_only):
        out = io.BytesIO()
        summary = pain001.write_pain001(
            out,
            message_id=run_reference,
            created_at=created_at,
            execution_date=execution_date,
            debtor=debtor,
            transfers=transfers,  # the frame itself: the set-based path (keys as columns)
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
            if kind == "mobile_money" and label in _operators():
                operator_file = _operator_file(label, group, run_reference, currency)
                if operator_file is not None:
                    files.append(operator_file)
                continue
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


def _bank_csv_file(transfers, layout_code, run_reference, debtor, execution_date) -> RunFile:
    from kafo.payroll.domain import bank_csv

    layout = bank_csv.load_layouts()[layout_code]
    out = io.BytesIO()
    count, total = bank_csv.write_bank_csv(
        out,
        layout=layout,
        transfers=transfers.to_dicts(),
        zone=debtor.zone,
        execution_date=execution_date,
        debtor_rib=debtor.rib,
    )
    return RunFile(
        "bank_csv",
        layout.label,
        f"{run_reference}-virements-{layout_code.replace('_', '-')}.csv",
        "text/csv",
        out.getvalue(),
        count,
        int(total),
    )


def _operators() -> dict[str, dict]:
    from kafo.payroll.mobile_money import load_operator_settings

    return load_operator_settings()


def _operator_file(code, group: pl.DataFrame, run_reference, currency) -> RunFile | None:
    """The operator's own batch file when it takes files; None for a GSMA API operator."""
    from kafo.payroll.mobile_money import Disbursement, build_operator

    conf = _operators()[code]
    if conf.get("protocol") != "csv":
        return None
    operator = build_operator(code, conf)
    disbursements = [
        Disbursement(reference=r, msisdn=m, amount=n, currency=currency, name=name)
        for r, name, m, n in group.select("reference", "payee_name", "msisdn", "net").rows()
    ]
    return RunFile(
        "mobile_money",
        str(conf.get("label", code)),
        f"{run_reference}-mobile-money-{code.replace('_', '-')}.csv",
        "text/csv",
        operator.batch_file(disbursements),
        group.height,
        int(group["net"].sum()),
    )
