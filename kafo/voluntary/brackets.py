"""The organisations' voluntary-insurance tables (kafo/voluntary/reference/voluntary.yaml), read
once: income brackets, payment frequencies, pension age, lapse rule, each version effective from
its date. Pure: no Django."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

REFERENCE = Path(__file__).parent / "reference" / "voluntary.yaml"


@dataclass(frozen=True)
class Bracket:
    code: str
    monthly_income: Decimal
    assumption: bool
    note: str

    @property
    def quarterly_income(self) -> Decimal:
        return self.monthly_income * 3


@dataclass(frozen=True)
class Table:
    organisation: str
    effective_from: dt.date
    source: str
    pension_age: int
    minimum_months: int
    income_basis: str  # "monthly" or "quarterly": how the organisation states the income
    frequencies: tuple[str, ...]
    lapse_after_unpaid_periods: int
    brackets: tuple[Bracket, ...]
    notes: tuple[str, ...]  # the assumptions of this version, said on the pages

    def bracket(self, code: str) -> Bracket | None:
        return next((b for b in self.brackets if b.code == code), None)


@cache
def _tables() -> dict[str, list[Table]]:
    data = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    out: dict[str, list[Table]] = {}
    for code, versions in data["organisations"].items():
        for v in versions:
            notes = tuple(
                v[k]
                for k in ("frequencies_note", "lapse_note")
                if v.get(k.replace("note", "assumption"))
            )
            out.setdefault(code, []).append(
                Table(
                    organisation=code,
                    effective_from=v["effective_from"],
                    source=v["source"],
                    pension_age=int(v["pension_age"]),
                    minimum_months=int(v["minimum_months"]),
                    income_basis=v["income_basis"],
                    frequencies=tuple(v["frequencies"]),
                    lapse_after_unpaid_periods=int(v["lapse_after_unpaid_periods"]),
                    brackets=tuple(
                        Bracket(
                            code=b["code"],
                            monthly_income=Decimal(b["monthly_income"]),
                            assumption=bool(b.get("assumption")),
                            note=b.get("note", ""),
                        )
                        for b in v["brackets"]
                    ),
                    notes=notes,
                )
            )
        out[code].sort(key=lambda t: t.effective_from)
    return out


def offering_organisations() -> list[str]:
    """Codes of the organisations that offer voluntary insurance."""
    return sorted(_tables())


def table_in_force(organisation_code: str, on: dt.date) -> Table | None:
    """The organisation's table in force on `on` (latest start on or before it), or None."""
    versions = [t for t in _tables().get(organisation_code, []) if t.effective_from <= on]
    return versions[-1] if versions else None
