"""Per-bank CSV transfer files and their return files, laid out by configuration.

No regional corporate-to-bank standard exists in UEMOA (payments-indicators.md §1.2): many
banks take a CSV through their portal, each with its own columns. A `BankLayout` says which
columns in which order, the separator, the decimal mark, whether a header line comes first,
the encoding and the date format; the return file's layout (which column holds the reference,
the status, the reason, and which status words mean paid or rejected) sits beside it. Layouts
live in `kafo/payroll/reference/bank_layouts.yaml` (examples marked as assumptions until an
organisation checks them against its bank's real template).

Every RIB is checked (key) before it is written; every cell goes through
`kafo.exports.csv_row` (formula injection neutralised). Pure: no Django.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

import yaml
from unidecode import unidecode

from kafo.exports import csv_row

from .bank_ids import BankIdError, iban_from_rib, parse_rib, rib_from_iban
from .pain001 import CURRENCY_BY_ZONE, CreditTransfer, as_transfer, whole_amount

LAYOUTS_PATH = Path(__file__).resolve().parent.parent / "reference" / "bank_layouts.yaml"
FIELDS = frozenset(
    {
        "end_to_end_id", "creditor_name", "rib", "iban", "bank", "branch", "account", "key",
        "amount", "currency", "remittance", "execution_date", "debtor_rib", "constant",
    }
)  # fmt: skip
SEPARATORS = (";", ",", "\t", "|")
DECIMAL_MARKS = (",", ".")


class BankCsvError(ValueError):
    """A layout, a transfer or a return file refused; the message (French) says where and why."""


@dataclass(frozen=True)
class Column:
    title: str
    field: str
    value: str = ""  # for field "constant"


@dataclass(frozen=True)
class ReturnLayout:
    reference: str  # column title (or 1-based position when the file has no header)
    status: str
    reason: str = ""
    paid: frozenset[str] = frozenset()
    rejected: frozenset[str] = frozenset()
    header: bool = True


@dataclass(frozen=True)
class BankLayout:
    code: str
    label: str
    columns: tuple[Column, ...]
    separator: str = ";"
    decimal: str = ","
    amount_decimals: int = 0
    header: bool = True
    encoding: str = "utf-8"
    date_format: str = "%d/%m/%Y"
    returns: ReturnLayout | None = None
    assumption: bool = True
    source: str = ""
    extra: dict = field(default_factory=dict)


def layout_from_dict(code: str, data: Mapping) -> BankLayout:
    """Build and check a layout from its configuration; raise `BankCsvError` naming the key."""
    where = f"format « {code} »"
    separator = data.get("separator", ";")
    if separator not in SEPARATORS:
        raise BankCsvError(f"{where} : séparateur « {separator} » inconnu")
    decimal = data.get("decimal", ",")
    if decimal not in DECIMAL_MARKS:
        raise BankCsvError(f"{where} : séparateur décimal « {decimal} » inconnu")
    if decimal == separator:
        raise BankCsvError(f"{where} : séparateur décimal identique au séparateur de colonnes")
    encoding = data.get("encoding", "utf-8")
    try:
        "é".encode(encoding)
    except LookupError:
        raise BankCsvError(f"{where} : encodage « {encoding} » inconnu") from None
    except UnicodeEncodeError:
        pass  # ascii: names are transliterated
    columns = []
    for position, column in enumerate(data.get("columns") or [], start=1):
        name = column.get("field")
        if name not in FIELDS:
            raise BankCsvError(f"{where} : colonne {position} : champ « {name} » inconnu")
        columns.append(Column(str(column.get("title", name)), name, str(column.get("value", ""))))
    if not columns:
        raise BankCsvError(f"{where} : aucune colonne")
    returns = None
    if data.get("returns"):
        r = data["returns"]
        columns_of = r.get("columns") or {}
        if not columns_of.get("reference") or not columns_of.get("status"):
            raise BankCsvError(f"{where} : fichier retour : colonnes reference et status requises")
        returns = ReturnLayout(
            reference=str(columns_of["reference"]),
            status=str(columns_of["status"]),
            reason=str(columns_of.get("reason") or ""),
            paid=frozenset(str(v).strip().upper() for v in r.get("paid") or []),
            rejected=frozenset(str(v).strip().upper() for v in r.get("rejected") or []),
            header=bool(r.get("header", True)),
        )
    return BankLayout(
        code=code,
        label=str(data.get("label", code)),
        columns=tuple(columns),
        separator=separator,
        decimal=decimal,
        amount_decimals=int(data.get("amount_decimals", 0)),
        header=bool(data.get("header", True)),
        encoding=encoding,
        date_format=str(data.get("date_format", "%d/%m/%Y")),
        returns=returns,
        assumption=bool(data.get("assumption", True)),
        source=str(data.get("source", "")),
    )


def load_layouts(path: Path | str = LAYOUTS_PATH) -> dict[str, BankLayout]:
    """Return the layouts of a YAML file (`layouts:` mapping code → layout)."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    return {
        code: layout_from_dict(code, spec) for code, spec in (data.get("layouts") or {}).items()
    }


def _amount_text(amount: int, layout: BankLayout) -> str:
    if layout.amount_decimals <= 0:
        return str(amount)
    return f"{amount}{layout.decimal}{'0' * layout.amount_decimals}"


def _encodable(text: str, encoding: str) -> str:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return unidecode(text)
    return text


def write_bank_csv(
    out: BinaryIO,
    *,
    layout: BankLayout,
    transfers: Iterable[CreditTransfer | Mapping],
    zone: str,
    execution_date: date,
    debtor_rib: str = "",
) -> tuple[int, Decimal]:
    """Write the transfers in the bank's CSV layout; return (count, total). Raise
    `BankCsvError` naming the line on a wrong amount, RIB or IBAN (nothing is written)."""
    if zone not in CURRENCY_BY_ZONE:
        raise BankCsvError(f"zone « {zone} » inconnue (UEMOA ou CEMAC)")
    currency = CURRENCY_BY_ZONE[zone]
    text = io.StringIO()
    writer = csv.writer(text, delimiter=layout.separator, lineterminator="\r\n")
    if layout.header:
        writer.writerow(csv_row(c.title for c in layout.columns))
    count, total = 0, 0
    needs_iban = any(c.field == "iban" for c in layout.columns)
    for position, raw in enumerate(transfers, start=1):
        line = as_transfer(raw)
        where = f"ligne {position} ({line.end_to_end_id})"
        try:
            amount = whole_amount(line.amount, where)
        except ValueError as exc:
            raise BankCsvError(str(exc)) from None
        try:
            rib = rib_from_iban(line.iban) if line.iban else parse_rib(line.rib, zone)
            if rib.zone != zone:
                raise BankIdError(f"compte hors zone {zone}")
            iban = iban_from_rib(rib, line.country or None) if needs_iban else ""
        except BankIdError as exc:
            raise BankCsvError(f"{where} : compte du bénéficiaire : {exc}") from None
        values = {
            "end_to_end_id": line.end_to_end_id,
            "creditor_name": line.creditor_name,
            "rib": str(rib),
            "iban": iban,
            "bank": rib.bank,
            "branch": rib.branch,
            "account": rib.account,
            "key": rib.key,
            "amount": _amount_text(amount, layout),
            "currency": currency,
            "remittance": line.remittance,
            "execution_date": execution_date.strftime(layout.date_format),
            "debtor_rib": debtor_rib,
        }
        writer.writerow(
            csv_row(
                _encodable(c.value if c.field == "constant" else values[c.field], layout.encoding)
                for c in layout.columns
            )
        )
        count += 1
        total += amount
    out.write(text.getvalue().encode(layout.encoding))
    return count, Decimal(total)


@dataclass(frozen=True)
class ReturnLine:
    line: int  # line number in the file (1 = first line, the header if any)
    end_to_end_id: str
    outcome: str  # "paid" or "rejected"
    status: str  # the bank's word
    reason: str = ""


def read_bank_returns(data: bytes, layout: BankLayout) -> list[ReturnLine]:
    """Read a bank's CSV return file in `layout`; raise `BankCsvError` naming the line and
    column of the first problem (unknown status word, missing reference, duplicate)."""
    spec = layout.returns
    if spec is None:
        raise BankCsvError(f"format « {layout.code} » : aucun fichier retour configuré")
    try:
        text = data.decode(layout.encoding)
    except UnicodeDecodeError as exc:
        raise BankCsvError(
            f"fichier retour : encodage attendu {layout.encoding} (octet {exc.start})"
        ) from None
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=layout.separator))
    if spec.header:
        if not rows:
            raise BankCsvError("fichier retour vide")
        titles = [t.strip() for t in rows[0]]

        def index(title: str) -> int:
            if title not in titles:
                raise BankCsvError(f"fichier retour : colonne « {title} » absente de l'en-tête")
            return titles.index(title)

        start = 2
        body = rows[1:]
    else:

        def index(title: str) -> int:
            if not title.isdigit() or int(title) < 1:
                raise BankCsvError(f"format « {layout.code} » : colonne « {title} » : position")
            return int(title) - 1

        start = 1
        body = rows
    ref_i, status_i = index(spec.reference), index(spec.status)
    reason_i = index(spec.reason) if spec.reason else None
    result: list[ReturnLine] = []
    seen: set[str] = set()
    for number, row in enumerate(body, start=start):
        if not any(cell.strip() for cell in row):
            continue

        def cell(i: int | None, row=row) -> str:
            return row[i].strip() if i is not None and i < len(row) else ""

        ref = cell(ref_i)
        if not ref:
            raise BankCsvError(f"ligne {number} : colonne « {spec.reference} » : référence vide")
        if ref in seen:
            raise BankCsvError(f"ligne {number} : référence « {ref} » en double")
        seen.add(ref)
        status = cell(status_i)
        word = status.upper()
        if word in spec.paid:
            outcome = "paid"
        elif word in spec.rejected:
            outcome = "rejected"
        else:
            raise BankCsvError(
                f"ligne {number} : colonne « {spec.status} » : statut « {status} » inconnu"
            )
        result.append(ReturnLine(number, ref, outcome, status, cell(reason_i)))
    return result
