"""Collection rules: read and check the reference file (reference/collection_rules.yaml). No Django.

`parse_rules` turns one version's `parameters` into `CollectionRules` (raising ValueError naming
the parameter); the seed (services.collection_rules_seed) stores only versions that parse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

REFERENCE_FILE = Path(__file__).parent / "reference" / "collection_rules.yaml"
SMIG = "smig"


@dataclass(frozen=True)
class CollectionRules:
    reminder_days_before_due: int
    overdue_notice_days_after_due: int
    formal_notice_days_after_due: int
    formal_notice_delay_days: int
    assessment_percent: Decimal
    workforce_base_salary: Decimal | None  # None: the country's minimum wage (SMIG)
    history_months: int
    penalty_notice_days: int

    def reminder_on(self, due: dt.date) -> dt.date:
        """The first day the reminder of a period due on `due` is sent."""
        return due - dt.timedelta(days=self.reminder_days_before_due)

    def overdue_on(self, due: dt.date) -> dt.date:
        return due + dt.timedelta(days=self.overdue_notice_days_after_due)

    def formal_notice_on(self, due: dt.date) -> dt.date:
        return due + dt.timedelta(days=self.formal_notice_days_after_due)

    def assessment_on(self, formal_notice_issued_on: dt.date) -> dt.date:
        """The first day of assessment: the day after the formal notice's delay ends."""
        return formal_notice_issued_on + dt.timedelta(days=self.formal_notice_delay_days + 1)


_DAYS = (
    "reminder_days_before_due",
    "overdue_notice_days_after_due",
    "formal_notice_days_after_due",
    "formal_notice_delay_days",
    "history_months",
    "penalty_notice_days",
)


def parse_rules(parameters: dict[str, Any]) -> CollectionRules:
    """Return the checked rules; raise ValueError("name: reason") on a missing or bad value."""
    values: dict[str, Any] = {}
    for name in _DAYS:
        value = parameters.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name}: whole number of days (>= 0) expected, got {value!r}")
        values[name] = value
    if values["overdue_notice_days_after_due"] > values["formal_notice_days_after_due"]:
        raise ValueError("formal_notice_days_after_due: before the overdue notice")
    try:
        percent = Decimal(str(parameters.get("assessment_percent")))
    except InvalidOperation:
        raise ValueError("assessment_percent: a percentage expected") from None
    if not percent.is_finite() or percent < 0:
        raise ValueError("assessment_percent: a percentage >= 0 expected")
    values["assessment_percent"] = percent
    base = parameters.get("workforce_base_salary", SMIG)
    if base == SMIG:
        values["workforce_base_salary"] = None
    else:
        try:
            amount = Decimal(str(base))
        except InvalidOperation:
            raise ValueError("workforce_base_salary: 'smig' or whole francs expected") from None
        if not amount.is_finite() or amount <= 0 or amount != amount.to_integral_value():
            raise ValueError("workforce_base_salary: 'smig' or whole francs expected")
        values["workforce_base_salary"] = amount
    return CollectionRules(**values)


@dataclass(frozen=True)
class RuleEntry:
    organisation: str
    valid_from: dt.date
    source: str
    parameters: dict[str, Any]
    provenance: dict[str, dict[str, Any]]

    @property
    def assumption(self) -> bool:
        return any(p.get("assumption") for p in self.provenance.values())


def load_reference(path: Path | None = None) -> list[RuleEntry]:
    """Every version of the reference file, each checked by `parse_rules`."""
    data = yaml.safe_load((path or REFERENCE_FILE).read_text(encoding="utf-8"))
    entries = []
    for code, versions in data["organisations"].items():
        for v in versions:
            entry = RuleEntry(
                organisation=code,
                valid_from=v["valid_from"],
                source=v["source"],
                parameters=dict(v["parameters"]),
                provenance=dict(v.get("provenance") or {}),
            )
            try:
                parse_rules(entry.parameters)
            except ValueError as exc:
                raise ValueError(f"{code} {entry.valid_from}: {exc}") from None
            entries.append(entry)
    return entries
