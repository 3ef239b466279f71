"""Operators that take a batch as a file through their business portal.

Kafo writes the batch file in the operator's column layout (configuration: no operator
publishes its template — payments-indicators.md §2.2: ASSUMPTION, columns at least reference,
name, number, amount); the officer uploads it on the portal, then uploads the portal's result
file back, which `read_results` turns into completions and rejections by reference. Every cell
goes through `kafo.exports.csv_row` (formula injection neutralised).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

import phonenumbers
from phonenumbers import PhoneNumberFormat

from kafo.exports import csv_row

from .base import (
    Completion,
    Disbursement,
    MobileMoneyError,
    MobileMoneyOperator,
    Rejection,
    check_disbursements,
    whole_amount,
)

FIELDS = frozenset({"reference", "msisdn", "msisdn_national", "amount", "currency", "name"})


class CsvFileOperator(MobileMoneyOperator):
    kind = "file"

    def __init__(
        self,
        *,
        code: str,
        label: str,
        columns: Sequence[tuple[str, str]],  # (title, field)
        results: dict,
        separator: str = ";",
        encoding: str = "utf-8",
        currency: str = "XOF",
    ):
        for title, field in columns:
            if field not in FIELDS:
                raise MobileMoneyError(
                    f"opérateur {code} : colonne « {title} » : champ « {field} » inconnu",
                    permanent=True,
                )
        for key in ("reference", "status"):
            if not results.get(key):
                raise MobileMoneyError(
                    f"opérateur {code} : fichier résultat : colonne « {key} » non configurée",
                    permanent=True,
                )
        self.code, self.label = code, label
        self.columns = list(columns)
        self.results = results
        self.separator, self.encoding, self.currency = separator, encoding, currency
        self.paid = {str(w).strip().upper() for w in results.get("paid", [])}
        self.rejected = {str(w).strip().upper() for w in results.get("rejected", [])}

    def batch_file(self, disbursements: list[Disbursement]) -> bytes:
        check_disbursements(disbursements)
        text = io.StringIO()
        writer = csv.writer(text, delimiter=self.separator, lineterminator="\r\n")
        writer.writerow(csv_row(title for title, _ in self.columns))
        for d in disbursements:
            national = re.sub(
                r"\D",
                "",
                phonenumbers.format_number(
                    phonenumbers.parse(d.msisdn), PhoneNumberFormat.NATIONAL
                ),
            )
            values = {
                "reference": d.reference,
                "msisdn": d.msisdn,
                "msisdn_national": national,
                "amount": str(whole_amount(d)),
                "currency": d.currency,
                "name": d.name,
            }
            writer.writerow(csv_row(values[field] for _, field in self.columns))
        return text.getvalue().encode(self.encoding, errors="replace")

    def read_results(self, data: bytes) -> tuple[list[Completion], list[Rejection]]:
        try:
            text = data.decode(self.encoding).lstrip("\ufeff")
        except UnicodeDecodeError:
            raise MobileMoneyError(
                f"fichier résultat : encodage attendu {self.encoding}", permanent=True
            ) from None
        reader = csv.reader(io.StringIO(text), delimiter=self.separator)
        titles = [t.strip() for t in next(reader, [])]
        spec = self.results

        def index(key: str) -> int | None:
            title = spec.get(key)
            if not title:
                return None
            if title not in titles:
                raise MobileMoneyError(
                    f"fichier résultat : colonne « {title} » absente de l'en-tête", permanent=True
                )
            return titles.index(title)

        ref_i, status_i = index("reference"), index("status")
        msisdn_i, reason_i = index("msisdn"), index("reason")
        completions: list[Completion] = []
        rejections: list[Rejection] = []
        seen: set[str] = set()
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue

            def cell(i, row=row) -> str:
                return row[i].strip() if i is not None and i < len(row) else ""

            ref, word = cell(ref_i), cell(status_i)
            if not ref:
                raise MobileMoneyError(f"fichier résultat, ligne {number} : référence vide",
                                       permanent=True)  # fmt: skip
            if ref in seen:
                raise MobileMoneyError(
                    f"fichier résultat, ligne {number} : référence « {ref} » en double",
                    permanent=True,
                )
            seen.add(ref)
            if word.upper() in self.paid:
                completions.append(Completion(ref, cell(msisdn_i)))
            elif word.upper() in self.rejected:
                rejections.append(Rejection(ref, cell(msisdn_i), cell(reason_i) or word))
            else:
                raise MobileMoneyError(
                    f"fichier résultat, ligne {number} : statut « {word} » inconnu",
                    permanent=True,
                )
        return completions, rejections
