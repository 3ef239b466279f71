"""ISO 20022 `pain.001.001.03` (CustomerCreditTransferInitiationV03): the bank transfer file.

One file = one payment instruction (`PmtInf`): the organisation's account is the debtor, each
line a `CdtTrfTxInf` whose `EndToEndId` is the payroll line's reference (the bank's status
report `pain.002` answers with it). Amounts are whole XOF (UEMOA) or XAF (CEMAC) francs: ISO
4217 gives these currencies no decimals. The creditor's account is written as an `IBAN` when
the line carries one, else as `Othr/Id` = the RIB with the proprietary scheme "RIB" (the
zone's IBANs are not in SWIFT's registry, payments-indicators.md §1.2); `derive_iban=True`
writes the IBAN derived from every RIB instead. Every RIB and IBAN is checked (key, check
digits) before it is written: a wrong one stops the file with the line and the reason.

Written as text, line by line, into a temporary file, then the header (which carries the count
and control sum) and the lines are copied to the output: memory stays flat and 300,000
transfers take a few seconds. `validate_pain001` checks a file against the published XSD
(`kafo/payroll/schemas/`, copied unchanged) with `xmlschema`. Pure: no Django.
"""

from __future__ import annotations

import functools
import re
import shutil
import string
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO

from unidecode import unidecode

from .bank_ids import (
    _RIB_LETTERS,
    CEMAC_COUNTRIES,
    UEMOA_COUNTRIES,
    BankIdError,
    Rib,
    iban_from_rib,
    iban_ok,
    parse_rib,
    rib_from_iban,
)

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "pain.001.001.03.xsd"
CURRENCY_BY_ZONE = {"UEMOA": "XOF", "CEMAC": "XAF"}
CHARGE_BEARERS = ("DEBT", "CRED", "SHAR", "SLEV")

# SWIFT's "x" character set, which every bank's file channel accepts: letters without accents,
# digits, space and / - ? : ( ) . , ' +. Other characters are transliterated (é → e) or dropped.
_NOT_SWIFT = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]+")
_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[\s\-.]+")  # as kafo.payroll.domain.bank_ids reads RIBs and IBANs
_ALREADY_SWIFT = re.compile(r"^[A-Za-z0-9/\-?:().,'+]+(?: [A-Za-z0-9/\-?:().,'+]+)*$")
_ID = re.compile(r"^[A-Za-z0-9/\-?:().,'+]{1,35}$")


class Pain001Error(ValueError):
    """A transfer file that cannot be written; the message (French) names the line and why."""


@dataclass(frozen=True)
class DebtorAccount:
    """The organisation's account the transfers are paid from."""

    name: str
    rib: str
    zone: str  # "UEMOA" or "CEMAC": also gives the currency
    country: str = ""  # needed for a CEMAC IBAN
    bic: str = ""


@dataclass(frozen=True)
class CreditTransfer:
    """One payroll line paid by bank transfer. `rib` or `iban` (or both: they must agree)."""

    end_to_end_id: str
    amount: Decimal | int
    creditor_name: str
    rib: str = ""
    iban: str = ""
    country: str = ""  # the account's country, for a CEMAC IBAN derived from the RIB
    remittance: str = ""
    bic: str = ""
    purpose: str = ""  # ISO external purpose code, e.g. "PENS" (pension), "SSBE" (benefit)


@dataclass(frozen=True)
class Pain001Summary:
    message_id: str
    count: int
    control_sum: Decimal
    currency: str


def swift_text(value, max_length: int) -> str:
    """Return `value` in SWIFT's character set, spaces collapsed, cut to `max_length`."""
    if isinstance(value, str) and len(value) <= max_length and _ALREADY_SWIFT.fullmatch(value):
        return value
    text = _NOT_SWIFT.sub(" ", unidecode(str(value or "")))
    return _SPACES.sub(" ", text).strip()[:max_length].strip()


def _identifier(value: str, what: str, where: str) -> str:
    value = str(value or "").strip()
    if not _ID.fullmatch(value):
        raise Pain001Error(
            f"{where} : {what} « {value} » : 1 à 35 caractères sans espace ni accent attendus"
        )
    return value


def whole_amount(value, where: str) -> int:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise Pain001Error(f"{where} : montant « {value} » illisible") from None
    if amount != amount.to_integral_value():
        raise Pain001Error(f"{where} : montant {amount} : francs CFA entiers attendus")
    if amount <= 0:
        raise Pain001Error(f"{where} : montant {amount} : un montant positif est attendu")
    return int(amount)


def _account_xml(rib: Rib, iban: str) -> str:
    if iban:
        return f"<Id><IBAN>{iban}</IBAN></Id>"
    return f"<Id><Othr><Id>{rib}</Id><SchmeNm><Prtry>RIB</Prtry></SchmeNm></Othr></Id>"


def _account(line: CreditTransfer, zone: str, derive_iban: bool, where: str):
    try:
        if line.iban:
            iban = _SEPARATORS.sub("", line.iban).upper()
            if not iban_ok(iban):
                raise BankIdError(f"IBAN « {iban} » : longueur ou chiffres de contrôle faux")
            rib = rib_from_iban(iban)
            if rib.zone != zone:
                raise BankIdError(f"IBAN « {iban} » : compte hors zone {zone}")
            if line.rib and str(parse_rib(line.rib, zone)) != str(rib):
                raise BankIdError(f"le RIB ne correspond pas à l'IBAN « {iban} »")
            return rib, iban
        if not line.rib:
            raise BankIdError("ni RIB ni IBAN")
        rib = parse_rib(line.rib, zone)
        if derive_iban:
            return rib, iban_from_rib(rib, line.country or None)
        return rib, ""
    except BankIdError as exc:
        raise Pain001Error(f"{where} : {exc}") from None


_BIC = re.compile(r"^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$")


def _bic(value: str, where: str) -> str:
    bic = re.sub(r"\s+", "", value or "").upper()
    if bic and not _BIC.fullmatch(bic):
        raise Pain001Error(f"{where} : BIC « {value} » : 8 ou 11 caractères (ex. ECOCMLBA)")
    return bic


def _agent_xml(bic: str) -> str:
    if bic:
        return f"<FinInstnId><BIC>{bic}</BIC></FinInstnId>"
    return "<FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId>"


def as_transfer(line) -> CreditTransfer:
    if isinstance(line, CreditTransfer):
        return line
    if isinstance(line, Mapping):
        return CreditTransfer(**{k: v for k, v in line.items() if v is not None})
    raise TypeError(f"a CreditTransfer or a mapping is expected, not {type(line).__name__}")


def transfers_from_frame(frame) -> Iterable[CreditTransfer]:
    """Yield the transfers of a Polars (or Arrow) frame whose columns are CreditTransfer's
    fields (end_to_end_id, amount, creditor_name, rib and/or iban, …)."""
    if hasattr(frame, "iter_rows"):
        rows = frame.iter_rows(named=True)
    else:  # a pyarrow Table
        rows = frame.to_pylist()
    for row in rows:
        yield as_transfer(row)


def write_pain001(
    out: BinaryIO,
    *,
    message_id: str,
    created_at: datetime,
    execution_date: date,
    debtor: DebtorAccount,
    transfers: Iterable[CreditTransfer | Mapping],
    initiating_party: str = "",
    charge_bearer: str = "DEBT",
    derive_iban: bool = False,
) -> Pain001Summary:
    """Write the pain.001.001.03 file of `transfers` to `out` (binary, UTF-8); return its
    count and control sum. Raise `Pain001Error` (nothing useful written) on the first bad
    line, naming it by its position and reference."""
    message_id = _identifier(message_id, "identifiant du message", "en-tête")
    if debtor.zone not in CURRENCY_BY_ZONE:
        raise Pain001Error(f"compte payeur : zone « {debtor.zone} » inconnue (UEMOA ou CEMAC)")
    if charge_bearer not in CHARGE_BEARERS:
        raise Pain001Error(f"frais : « {charge_bearer} » inconnu ({', '.join(CHARGE_BEARERS)})")
    currency = CURRENCY_BY_ZONE[debtor.zone]
    debtor_line = CreditTransfer(
        end_to_end_id="DEBTOR", amount=1, creditor_name=debtor.name, rib=debtor.rib,
        country=debtor.country,
    )  # fmt: skip
    debtor_rib, debtor_iban = _account(debtor_line, debtor.zone, derive_iban, "compte payeur")
    debtor_bic = _bic(debtor.bic, "compte payeur")
    debtor_name = swift_text(debtor.name, 140)
    if not debtor_name:
        raise Pain001Error("compte payeur : nom vide")

    with tempfile.TemporaryFile() as body:
        count, total = None, 0
        if _is_frame(transfers):
            count, total = _frame_body(body, transfers, debtor.zone, currency, derive_iban)
        if count is None:  # not a frame, or a frame with a line to refuse: the reference path
            count, total = _rows_body(body, transfers, debtor.zone, currency, derive_iban)
        if count == 0:
            raise Pain001Error("aucun virement : un fichier pain.001 en demande au moins un")

        initiator = swift_text(initiating_party or debtor.name, 140)
        header = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<Document xmlns="{NAMESPACE}">\n<CstmrCdtTrfInitn>\n'
            f"<GrpHdr><MsgId>{message_id}</MsgId>"
            f"<CreDtTm>{created_at.replace(microsecond=0, tzinfo=None).isoformat()}</CreDtTm>"
            f"<NbOfTxs>{count}</NbOfTxs><CtrlSum>{total}</CtrlSum>"
            f"<InitgPty><Nm>{initiator}</Nm></InitgPty></GrpHdr>\n"
            f"<PmtInf><PmtInfId>{message_id}</PmtInfId><PmtMtd>TRF</PmtMtd>"
            f"<BtchBookg>true</BtchBookg><NbOfTxs>{count}</NbOfTxs><CtrlSum>{total}</CtrlSum>"
            f"<ReqdExctnDt>{execution_date.isoformat()}</ReqdExctnDt>"
            f"<Dbtr><Nm>{debtor_name}</Nm></Dbtr>"
            f"<DbtrAcct>{_account_xml(debtor_rib, debtor_iban)}<Ccy>{currency}</Ccy></DbtrAcct>"
            f"<DbtrAgt>{_agent_xml(debtor_bic)}</DbtrAgt>"
            f"<ChrgBr>{charge_bearer}</ChrgBr>\n"
        )
        out.write(header.encode())
        body.seek(0)
        shutil.copyfileobj(body, out, 1 << 20)
        out.write(b"</PmtInf>\n</CstmrCdtTrfInitn>\n</Document>\n")
    return Pain001Summary(message_id, count, Decimal(total), currency)


def _rows_body(body, transfers, zone: str, currency: str, derive_iban: bool) -> tuple[int, int]:
    """Write the transactions one by one (the reference path); return (count, total)."""
    if _is_frame(transfers):
        transfers = transfers_from_frame(transfers)
    count = 0
    total = 0
    seen: set[str] = set()
    chunk: list[str] = []
    for position, raw in enumerate(transfers, start=1):
        line = as_transfer(raw)
        where = f"ligne {position}"
        e2e = _identifier(line.end_to_end_id, "référence (EndToEndId)", where)
        where = f"ligne {position} ({e2e})"
        if e2e in seen:
            raise Pain001Error(f"{where} : référence en double dans le fichier")
        seen.add(e2e)
        amount = whole_amount(line.amount, where)
        name = swift_text(line.creditor_name, 140)
        if not name:
            raise Pain001Error(f"{where} : nom du bénéficiaire vide")
        rib, iban = _account(line, zone, derive_iban, f"{where} : compte du bénéficiaire")
        parts = [
            f"<CdtTrfTxInf><PmtId><EndToEndId>{e2e}</EndToEndId></PmtId>"
            f'<Amt><InstdAmt Ccy="{currency}">{amount}</InstdAmt></Amt>'
        ]
        bic = _bic(line.bic, where)
        if bic:
            parts.append(f"<CdtrAgt>{_agent_xml(bic)}</CdtrAgt>")
        parts.append(f"<Cdtr><Nm>{name}</Nm></Cdtr><CdtrAcct>{_account_xml(rib, iban)}</CdtrAcct>")
        purpose = swift_text(line.purpose, 4)
        if purpose:
            parts.append(f"<Purp><Cd>{purpose}</Cd></Purp>")
        remittance = swift_text(line.remittance, 140)
        if remittance:
            parts.append(f"<RmtInf><Ustrd>{remittance}</Ustrd></RmtInf>")
        parts.append("</CdtTrfTxInf>\n")
        chunk.append("".join(parts))
        count += 1
        total += amount
        if len(chunk) >= 2000:
            body.write("".join(chunk).encode())
            chunk.clear()
    body.write("".join(chunk).encode())
    return count, total


# -- The set-based path for a Polars frame ------------------------------------------------------
# The same checks as `_rows_body`, as column expressions: RIB keys and IBAN check digits by
# mod 97 on digit strings cut in 9-digit pieces. If any line fails one of them, the frame goes
# through `_rows_body`, which stops at that line with its exact message: the fast path only
# accelerates files that are right, and writes byte for byte what the reference path writes.

_FRENCH_RIB_DIGIT = {ch: ch.translate(_RIB_LETTERS) for ch in string.ascii_uppercase}
_IBAN_NUMBER = {ch: str(int(ch, 36)) for ch in string.ascii_uppercase}
_FRAME_TEXT = ("end_to_end_id", "creditor_name", "rib", "iban", "country", "remittance", "bic",
               "purpose")  # fmt: skip


def _is_frame(value) -> bool:
    return type(value).__module__.split(".")[0] == "polars" and hasattr(value, "lazy")


def _mod97(digits, length: int):
    """(digit string of fixed `length`) mod 97, as an Int64 expression."""
    import polars as pl

    rest = pl.lit(0, pl.Int64)
    for start in range(0, length, 9):
        size = min(9, length - start)
        piece = digits.str.slice(start, size).cast(pl.Int64, strict=False)
        rest = (rest * 10**size + piece) % 97
    return rest


def _cleaned(column, max_length: int, frame):
    """`column` in SWIFT's character set (as `swift_text`): Python only for the values that
    need transliteration or cutting."""
    import polars as pl

    col = pl.col(column).fill_null("")
    fine = col.str.contains(_ALREADY_SWIFT.pattern) & (col.str.len_chars() <= max_length)
    odd = frame.filter(~fine)[column].fill_null("").unique().to_list()
    mapping = {value: swift_text(value, max_length) for value in odd}
    return pl.when(fine).then(col).otherwise(col.replace(mapping)) if mapping else col


def _frame_body(body, frame, zone: str, currency: str, derive_iban: bool):
    """Write a frame's transactions set-based; return (count, total), or (None, 0) when a
    line must be refused (the caller then runs the reference path for the message)."""
    import polars as pl

    if not frame.height or "amount" not in frame.columns:
        return None, 0
    if not frame.schema["amount"].is_integer():
        return None, 0
    f = frame.select(
        *[
            pl.col(c).cast(pl.Utf8) if c in frame.columns else pl.lit(None, pl.Utf8).alias(c)
            for c in _FRAME_TEXT
        ],
        pl.col("amount").cast(pl.Int64),
    )
    sep = r"[\s\-.]+"
    f = f.with_columns(
        e2e=pl.col("end_to_end_id").fill_null("").str.strip_chars(),
        rib_c=pl.col("rib").fill_null("").str.replace_all(sep, "").str.to_uppercase(),
        iban_c=pl.col("iban").fill_null("").str.replace_all(sep, "").str.to_uppercase(),
        bic_c=pl.col("bic").fill_null("").str.replace_all(r"\s+", "").str.to_uppercase(),
        ctry=pl.col("country").fill_null("").str.to_uppercase(),
    )
    f = f.with_columns(
        name=_cleaned("creditor_name", 140, f),
        rmt=_cleaned("remittance", 140, f),
        purp=_cleaned("purpose", 4, f),
    )
    uemoa = zone == "UEMOA"
    countries = sorted(UEMOA_COUNTRIES if uemoa else CEMAC_COUNTRIES)
    rib_len = 24 if uemoa else 23

    def rib_ok(rib):
        if uemoa:
            shape = rib.str.contains(r"^[A-Z]{2}\d{22}$") & rib.str.slice(0, 2).is_in(countries)
            digits = (
                rib.str.slice(0, 1).replace_strict(_FRENCH_RIB_DIGIT, default="x")
                + rib.str.slice(1, 1).replace_strict(_FRENCH_RIB_DIGIT, default="x")
                + rib.str.slice(2, 20)
            )
        else:
            shape = rib.str.contains(r"^\d{23}$")
            digits = rib.str.slice(0, 21)
        expected = 97 - _mod97(digits + "00", 24 if uemoa else 23)
        return shape & (rib.str.slice(rib_len - 2, 2).cast(pl.Int64, strict=False) == expected)

    def iban_number(country, rib, check):
        """The IBAN's digits rearranged (RIB, country, check digits) for mod 97."""
        head = (
            rib.str.slice(0, 1).replace_strict(_IBAN_NUMBER, default="x")
            + rib.str.slice(1, 1).replace_strict(_IBAN_NUMBER, default="x")
            + rib.str.slice(2, 22)
            if uemoa
            else rib
        )
        return (
            head
            + country.str.slice(0, 1).replace_strict(_IBAN_NUMBER, default="x")
            + country.str.slice(1, 1).replace_strict(_IBAN_NUMBER, default="x")
            + check
        )

    number_len = (4 + 22 + 4 + 2) if uemoa else (23 + 4 + 2)
    iban, rib, ctry = pl.col("iban_c"), pl.col("rib_c"), pl.col("ctry")
    inner = iban.str.slice(4, rib_len)
    has_iban = iban != ""
    iban_fine = (
        (iban.str.len_chars() == rib_len + 4)
        & iban.str.contains(r"^[A-Z]{2}\d{2}")
        & iban.str.slice(0, 2).is_in(countries)
        & rib_ok(inner)
        & (_mod97(iban_number(iban.str.slice(0, 2), inner, iban.str.slice(2, 2)), number_len) == 1)
        & ((rib == "") | (rib == inner))
    )
    derived_country = rib.str.slice(0, 2) if uemoa else ctry
    derived_fine = (
        ((ctry == "") | (ctry == rib.str.slice(0, 2))) if uemoa else ctry.is_in(countries)
    )
    check = 98 - _mod97(iban_number(derived_country, rib, pl.lit("00")), number_len)
    derived = derived_country + check.cast(pl.Utf8).str.zfill(2) + rib
    account_fine = (
        pl.when(has_iban)
        .then(iban_fine)
        .otherwise((rib != "") & rib_ok(rib) & (derived_fine if derive_iban else pl.lit(True)))
    )
    checks = f.select(
        ok=(
            pl.col("e2e").str.contains(_ID.pattern)
            & ~pl.col("e2e").is_duplicated()
            & pl.col("amount").is_not_null()
            & (pl.col("amount") > 0)
            & (pl.col("name") != "")
            & ((pl.col("bic_c") == "") | pl.col("bic_c").str.contains(_BIC.pattern))
            & account_fine
        ).fill_null(False)
    )
    if not checks["ok"].all():
        return None, 0

    account = (
        pl.when(has_iban)
        .then(pl.lit("<Id><IBAN>") + iban + pl.lit("</IBAN></Id>"))
        .otherwise(
            pl.lit("<Id><IBAN>") + derived + pl.lit("</IBAN></Id>")
            if derive_iban
            else pl.lit("<Id><Othr><Id>")
            + rib
            + pl.lit("</Id><SchmeNm><Prtry>RIB</Prtry></SchmeNm></Othr></Id>")
        )
    )

    def optional(column, before, after):
        c = pl.col(column)
        return pl.when(c != "").then(pl.lit(before) + c + pl.lit(after)).otherwise(pl.lit(""))

    xml = f.select(
        pl.concat_str(
            pl.lit("<CdtTrfTxInf><PmtId><EndToEndId>"),
            pl.col("e2e"),
            pl.lit(f'</EndToEndId></PmtId><Amt><InstdAmt Ccy="{currency}">'),
            pl.col("amount").cast(pl.Utf8),
            pl.lit("</InstdAmt></Amt>"),
            optional("bic_c", "<CdtrAgt><FinInstnId><BIC>", "</BIC></FinInstnId></CdtrAgt>"),
            pl.lit("<Cdtr><Nm>"),
            pl.col("name"),
            pl.lit("</Nm></Cdtr><CdtrAcct>"),
            account,
            pl.lit("</CdtrAcct>"),
            optional("purp", "<Purp><Cd>", "</Cd></Purp>"),
            optional("rmt", "<RmtInf><Ustrd>", "</Ustrd></RmtInf>"),
            pl.lit("</CdtTrfTxInf>\n"),
        ).alias("xml")
    )["xml"]
    for start in range(0, xml.len(), 50_000):
        body.write("".join(xml.slice(start, 50_000).to_list()).encode())
    return f.height, int(f["amount"].sum())


@functools.cache
def pain001_schema():
    """The pain.001.001.03 XSD, loaded once."""
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMA_PATH))


def validate_pain001(source) -> list[str]:
    """Return the XSD errors of a pain.001.001.03 file (a path or bytes); empty when valid.
    Read lazily (element by element): a file of 300,000 transfers has millions of elements."""
    import io

    import xmlschema

    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    elif isinstance(source, Path):
        source = str(source)
    resource = xmlschema.XMLResource(source, lazy=True)
    return [f"{error.path} : {error.reason}" for error in pain001_schema().iter_errors(resource)]
