"""Bank statement CSV: parse and check every line. Pure: no Django.

Columns (header required, any order, `,` or `;`, UTF-8 with or without BOM):
`date` (dd/mm/yyyy or yyyy-mm-dd), `amount` (whole francs, spaces allowed as thousands
separators, > 0, at most ledger.MAX_PAYMENT_AMOUNT), `employer_number`, `reference` (the bank's
transaction reference, at most 60 characters, unique in the statement whatever its case).
Line numbers count the header as line 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .compute import format_amount
from .ledger import MAX_PAYMENT_AMOUNT, MAX_STORED_AMOUNT, REFERENCE_MAX_LENGTH

COLUMNS = ("date", "amount", "employer_number", "reference")
AMOUNT_RE = re.compile(r"^\d+$")


@dataclass(frozen=True)
class StatementLine:
    line: int
    date: dt.date
    amount: Decimal
    employer_number: str
    reference: str


@dataclass
class ParsedStatement:
    lines: list[StatementLine] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    content_hash: str = ""


def error(line: int | None, column: str | None, value, reason: str) -> dict:
    return {
        "line": line,
        "column": column,
        "value": "" if value is None else str(value),
        "reason": reason,
    }


def parse_date(value: str) -> dt.date:
    value = value.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def parse_amount(value: str) -> Decimal:
    compact = re.sub(r"[\s\u00a0\u202f]", "", value)
    if not AMOUNT_RE.match(compact):
        raise InvalidOperation(value)
    return Decimal(compact)


def content_hash(lines: list[StatementLine]) -> str:
    """SHA-256 of the sorted normalised lines: the same statement in another layout or order
    has the same hash."""
    rows = sorted(f"{s.date}|{s.amount}|{s.employer_number}|{s.reference}" for s in lines)
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def parse(content: bytes, *, today: dt.date, messages: dict[str, str]) -> ParsedStatement:
    """Parse a statement; report every faulty line (line, column, value, reason).

    `messages` gives the (translated) reasons by key, so that this module stays Django-free;
    `amount_too_large`, `reference_too_long` and `total_too_large` take `%(limit)s`.
    """
    out = ParsedStatement()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        out.errors.append(error(None, None, None, messages["encoding"]))
        return out
    rows = [r for r in text.splitlines() if r.strip()]
    if not rows:
        out.errors.append(error(None, None, None, messages["empty"]))
        return out
    sep = ";" if rows[0].count(";") > rows[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        for c in missing:
            out.errors.append(error(1, c, None, messages["missing_column"]))
        return out
    index = {c: header.index(c) for c in COLUMNS}
    seen: dict[str, int] = {}
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            out.errors.append(error(line_no, None, sep.join(row), messages["field_count"]))
            continue
        cells = {c: row[i].strip() for c, i in index.items()}
        bad = False
        try:
            day = parse_date(cells["date"])
        except ValueError:
            out.errors.append(error(line_no, "date", cells["date"], messages["date"]))
            bad = True
        else:
            if day > today:
                out.errors.append(error(line_no, "date", cells["date"], messages["future"]))
                bad = True
        try:
            amount = parse_amount(cells["amount"])
            if amount <= 0:
                raise InvalidOperation
        except InvalidOperation:
            out.errors.append(error(line_no, "amount", cells["amount"], messages["amount"]))
            bad = True
        else:
            if amount > MAX_PAYMENT_AMOUNT:
                reason = messages["amount_too_large"] % {"limit": format_amount(MAX_PAYMENT_AMOUNT)}
                out.errors.append(error(line_no, "amount", cells["amount"], reason))
                bad = True
        if not cells["employer_number"]:
            out.errors.append(error(line_no, "employer_number", "", messages["required"]))
            bad = True
        ref = cells["reference"]
        if not ref:
            out.errors.append(error(line_no, "reference", "", messages["required"]))
            bad = True
        elif len(ref) > REFERENCE_MAX_LENGTH:
            reason = messages["reference_too_long"] % {"limit": REFERENCE_MAX_LENGTH}
            out.errors.append(error(line_no, "reference", ref, reason))
            bad = True
        elif ref.upper() in seen:  # VIR-123 and vir-123: one transfer listed twice
            reason = messages["repeated"] % seen[ref.upper()]
            out.errors.append(error(line_no, "reference", ref, reason))
            bad = True
        else:
            seen[ref.upper()] = line_no
        if not bad:
            out.lines.append(
                StatementLine(
                    line=line_no,
                    date=day,
                    amount=amount,
                    employer_number=cells["employer_number"],
                    reference=ref,
                )
            )
    if not out.errors and not out.lines:
        out.errors.append(error(None, None, None, messages["empty"]))
    total = sum((s.amount for s in out.lines), Decimal(0))
    if not out.errors and total > MAX_STORED_AMOUNT:
        reason = messages["total_too_large"] % {"limit": format_amount(MAX_STORED_AMOUNT)}
        out.errors.append(error(None, "amount", total, reason))
    out.content_hash = content_hash(out.lines)
    return out
